import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpFiles } from "../helpers/tmp.js";

/** The installed command itself (bin/portmatrix.js over dist/), as a user runs it. */
const BIN = ["bin/portmatrix.js"];

describe("bin/portmatrix.js", () => {
  it("reads standard input with - and exits with the report's status", () => {
    const r = spawnSync("node", [...BIN, "check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json", "-"], {
      input: readFileSync("fixtures/kcps/kern.log"),
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    const rep = JSON.parse(r.stdout) as { inputs: { path: string; records: { used: number } }[] };
    expect(rep.inputs[0]).toMatchObject({ path: "-", records: { used: 18 } });
  });
  it("ends cleanly and promptly when the output pipe closes early (| head)", () => {
    const big = join(tmpFiles({}), "big.log");
    writeFileSync(big, readFileSync("fixtures/kcps/kern.log", "utf8").repeat(3000));
    const t0 = Date.now();
    const r = spawnSync("bash", ["-c", `node ${BIN[0]} events ${big} | head -n 2; echo "status=\${PIPESTATUS[0]}" >&2`], { encoding: "utf8" });
    expect(r.stdout.trim().split("\n")).toHaveLength(2);
    expect(r.stderr).not.toMatch(/EPIPE|internal error|Unhandled/);
    expect(r.stderr).toMatch(/status=0/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  it("prints help with examples, and usage errors exit 2", () => {
    const h = spawnSync("node", [...BIN, "check", "--help"], { encoding: "utf8" });
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/Examples:/);
    const u = spawnSync("node", [...BIN, "check", "fixtures/kcps/kern.log"], { encoding: "utf8" });
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/required option '-r, --ruleset <id\|file>' not specified/);
  });
});
