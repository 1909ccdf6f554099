import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { COMPACT_JSON_ABOVE } from "../../src/report/render.js";
import { parseFailOn, runCheck, setupCheck } from "../../src/pipeline/check.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { renderHtml } from "../../src/report/html.js";

/**
 * Above COMPACT_JSON_ABOVE findings `check` writes the JSON report in chunks straight from the finding
 * table. End to end, on stdout and into a file, it must be the report the object path gives.
 */
describe("check with a large JSON report", () => {
  const flows = COMPACT_JSON_ABOVE + 500;
  const rows = ["timestamp,src_ip,dst_ip,src_port,dst_port,protocol,action"];
  for (let i = 0; i < flows; i++) {
    const client = `10.99.1.${1 + (i % 200)}`;
    const server = ["10.99.2.10", "10.99.2.20", "10.99.2.53", "192.0.2.7"][i % 4];
    rows.push(`2026-11-2${i % 3}T10:${String(i % 60).padStart(2, "0")}:00Z,${client},${server},${40000 + (i % 1000)},${1 + Math.floor(i / 200)},${i % 3 ? "tcp" : "udp"},${i % 5 ? "allow" : "deny"}`);
  }
  const dir = tmpFiles({ "big.csv": rows.join("\n") + "\n" });
  const log = join(dir, "big.csv");
  const args = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--year", "2026"];
  const strip = (s: string) => s.replace(/"generatedAt":"[^"]*"/, "");

  it("writes to stdout and to a file exactly what the report's objects give", async () => {
    const out = await runCli([...args, "--format", "json", log]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(1);
    const file = join(dir, "r.json");
    const html = join(dir, "r.html");
    const both = await runCli([...args, "-o", file, "-o", html, log]);
    expect(both.code).toBe(1);
    const setup = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
    const report = await runCheck(setup, [log], { decode: defaultDecodeOptions(Date.UTC(2026, 10, 23)), failOn: parseFailOn(undefined) });
    expect(report.findings.length).toBeGreaterThan(COMPACT_JSON_ABOVE);
    const expected = strip(JSON.stringify(report) + "\n");
    expect(strip(out.stdout)).toBe(expected);
    expect(strip(readFileSync(file, "utf8"))).toBe(expected);
    expect(readFileSync(html, "utf8")).toMatch(/^<!DOCTYPE html>/i);
    const parsed = JSON.parse(out.stdout) as typeof report;
    // Every line accounted for: the header is read and skipped as such.
    expect(parsed.totals.records).toEqual({ read: flows + 1, used: flows, skipped: 1 });
    expect(parsed.inputs[0]!.skippedByReason).toEqual({ header: 1 });
  });

  it("the installed command writes the same bytes into a pipe read slowly (its chunks reuse memory) as into a file", async () => {
    // bin/portmatrix.js over dist/: the process's stdout is an Io whose chunks may share memory
    // (Io.stdoutWritesThrough). A reader that waits makes the pipe fill: on Linux Node's stdout then
    // blocks in write (a chunk is written before the next is made); where a pipe's writes are queued
    // instead, the wait for "drain" after each 1 MiB chunk must hold them apart.
    const file = join(dir, "bin.json");
    const viaFile = await runBin([...args, "-o", file, log]);
    expect(viaFile.code).toBe(1);
    const viaPipe = await runBin([...args, "--format", "json", log], 300);
    expect(viaPipe.code).toBe(1);
    expect(viaPipe.stdout.length).toBeGreaterThan(3 << 20);
    expect(strip(viaPipe.stdout.toString("utf8"))).toBe(strip(readFileSync(file, "utf8")));
  }, 60_000);

  it("writes the HTML page one finding at a time, the same page the report's objects give", async () => {
    // Alone or beside JSON, HTML is written from the finding table without making every finding an
    // object (cli/check.ts); with Markdown beside it, from the objects. The pages must be the same.
    const lazy = join(dir, "lazy.html");
    const eager = join(dir, "eager.html");
    expect((await runCli([...args, "-o", lazy, log])).code).toBe(1);
    expect((await runCli([...args, "-o", eager, "-o", join(dir, "eager.md"), log])).code).toBe(1);
    const setup = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
    const report = await runCheck(setup, [log], { decode: defaultDecodeOptions(Date.UTC(2026, 10, 23)), failOn: parseFailOn(undefined) });
    const page = (s: string) => s.replace(/generated [^ ]+ by/, "generated (time) by");
    const expected = page(renderHtml(report));
    expect(page(readFileSync(lazy, "utf8"))).toBe(expected);
    expect(page(readFileSync(eager, "utf8"))).toBe(expected);
    expect(expected).toMatch(/more findings \([\d,]+ flows\) in further groups are not shown/);
  });
});

/** Run bin/portmatrix.js; stdout is not read until `waitMs` has passed, then read in 64 KiB bites with pauses. */
function runBin(argv: string[], waitMs = 0): Promise<{ code: number | null; stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/portmatrix.js", ...argv], { stdio: ["ignore", "pipe", "ignore"] });
    const parts: Buffer[] = [];
    child.stdout.pause();
    setTimeout(() => {
      child.stdout.on("data", (b: Buffer) => {
        parts.push(b);
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 1);
      });
      child.stdout.resume();
    }, waitMs);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(parts) }));
  });
}
