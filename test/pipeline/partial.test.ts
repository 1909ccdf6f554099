/**
 * `check --partial` on each shard and `merge` of the parts give the report of one run over all the
 * inputs, byte for byte (every format, with the generation time fixed); parts of another ruleset,
 * inventory, scenario, variables or version are refused, naming the part and the difference.
 */
import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { HAVE_DUCKDB } from "../helpers/engines.js";

const R = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];
const strip = (s: string) => s.replace(/"generatedAt": ?"[^"]*"/g, "").replace(/generated [^\n<]*/g, "").replace(/timestamp="[^"]*"/g, "");

/** The kern.log fixture cut into two halves, and a capture: three inputs of two formats. */
function shards(): { dir: string; a: string; b: string; c: string } {
  const lines = readFileSync("fixtures/kcps/kern.log", "utf8").split("\n");
  const half = Math.floor(lines.length / 2);
  const dir = tmpFiles({ "a.log": lines.slice(0, half).join("\n") + "\n", "b.log": lines.slice(half).join("\n") });
  return { dir, a: join(dir, "a.log"), b: join(dir, "b.log"), c: "fixtures/lab/captures/customer-side.pcap" };
}

describe("check --partial + merge", () => {
  for (const fmt of ["json", "text", "csv", "md", "sarif", "junit", "html"]) {
    it(`gives the ${fmt} report of one run over all the inputs`, async () => {
      const { dir, a, b, c } = shards();
      const one = await runCli(["check", ...R, "--format", fmt, a, b, c]);
      expect(one.code).toBe(1);
      const p1 = await runCli(["check", ...R, "--partial", join(dir, "1.part"), a]);
      const p2 = await runCli(["check", ...R, "--partial", join(dir, "2.part"), b, c]);
      expect([p1.code, p2.code, p1.stdout, p2.stdout]).toEqual([0, 0, "", ""]);
      const merged = await runCli(["merge", "--format", fmt, join(dir, "1.part"), join(dir, "2.part")]);
      expect(merged.code).toBe(one.code);
      expect(strip(merged.stdout)).toBe(strip(one.stdout));
    });
  }

  it("keeps the first occurrence of the earlier part, so part order is input order", async () => {
    const { dir, a, b } = shards();
    await runCli(["check", ...R, "--partial", join(dir, "1.part"), a]);
    await runCli(["check", ...R, "--partial", join(dir, "2.part"), b]);
    const ab = JSON.parse((await runCli(["merge", "-f", "json", join(dir, "1.part"), join(dir, "2.part")])).stdout);
    const ba = JSON.parse((await runCli(["merge", "-f", "json", join(dir, "2.part"), join(dir, "1.part")])).stdout);
    expect(ab.inputs.map((i: { path: string }) => i.path)).toEqual([a, b]);
    expect(ba.inputs.map((i: { path: string }) => i.path)).toEqual([b, a]);
    // Same counts, different examples where a finding occurs in both halves.
    expect(ab.summary).toEqual(ba.summary);
  });

  it("writes a compact, versioned, gzip-compressed JSON part with its ruleset and inventory", async () => {
    const { dir, a } = shards();
    await runCli(["check", ...R, "--partial", join(dir, "1.part"), a]);
    const doc = JSON.parse(gunzipSync(readFileSync(join(dir, "1.part"))).toString("utf8"));
    expect(doc).toMatchObject({ format: "portmatrix-partial", version: 1, generator: "portmatrix 0.1.0" });
    expect(doc.ruleset.text).toBe(readFileSync("rulesets/kcps-file-server.yaml", "utf8"));
    expect(doc.inventory.text).toBe(readFileSync("fixtures/kcps/inventory.yaml", "utf8"));
    expect(doc.findings.key.length).toBe(doc.findings.count.length * 10);
  });

  it("refuses a part made with another inventory, ruleset, scenario or version, naming it", async () => {
    const { dir, a, b } = shards();
    writeFileSync(join(dir, "inv.yaml"), readFileSync("fixtures/kcps/inventory.yaml", "utf8") + "\n# another copy\n");
    await runCli(["check", ...R, "--partial", join(dir, "1.part"), a]);
    await runCli(["check", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), "--partial", join(dir, "inv.part"), b]);
    await runCli(["check", "-r", "skydiv-desktop-client", "-i", "fixtures/kcps/inventory.yaml", "--partial", join(dir, "rs.part"), b]).catch(() => undefined);
    await runCli(["check", ...R, "-s", "browse", "--partial", join(dir, "sc.part"), b]);
    const inv = await runCli(["merge", join(dir, "1.part"), join(dir, "inv.part")]);
    expect(inv.code).toBe(2);
    expect(inv.stderr).toMatch(/inv\.part: cannot merge: made with another inventory/);
    await runCli(["check", ...R, "--documented-only", "--partial", join(dir, "doc.part"), b]);
    expect((await runCli(["merge", join(dir, "1.part"), join(dir, "doc.part")])).stderr).toMatch(/doc\.part: cannot merge: made with other scenarios, variables or --documented-only/);
    const sc = await runCli(["merge", join(dir, "1.part"), join(dir, "sc.part")]);
    expect(sc.stderr).toMatch(/sc\.part: cannot merge: made with other scenarios, variables or --documented-only/);
    // Another version: the generator changed (and the fingerprint made anew, as that version would).
    const doc = JSON.parse(gunzipSync(readFileSync(join(dir, "1.part"))).toString("utf8"));
    doc.generator = "portmatrix 0.0.9";
    doc.fingerprint = createHash("sha256").update(JSON.stringify([doc.generator, doc.ruleset.sha256, doc.inventory.sha256, [...doc.scenarios].sort(), [...doc.sets].sort(), doc.documentedOnly])).digest("hex");
    writeFileSync(join(dir, "old.part"), gzipSync(JSON.stringify(doc)));
    const old = await runCli(["merge", join(dir, "1.part"), join(dir, "old.part")]);
    expect(old.stderr).toMatch(/old\.part: cannot merge: made by portmatrix 0\.0\.9/);
    // A part edited by hand no longer matches its fingerprint.
    doc.generator = "portmatrix 0.1.0";
    writeFileSync(join(dir, "edited.part"), gzipSync(JSON.stringify(doc)));
    expect((await runCli(["merge", join(dir, "edited.part")])).stderr).toMatch(/edited\.part: damaged partial result/);
    writeFileSync(join(dir, "junk.part"), "not a part");
    expect((await runCli(["merge", join(dir, "junk.part")])).stderr).toMatch(/junk\.part: not a partial result/);
  });

  it("refuses to write a part under a report's name", async () => {
    const { dir, a } = shards();
    const r = await runCli(["check", ...R, "--partial", join(dir, "out.json"), a]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a partial result is not a report/);
  });

  it.skipIf(!HAVE_DUCKDB)("merges parts made by an engine with parts made natively", async () => {
    const csv = "time,src,dst,proto,sport,dport,action\n1795424461000,10.99.1.100,10.99.2.10,tcp,41759,445,ACCEPT\n1795424464000,10.99.1.200,10.99.2.10,tcp,41761,5985,DROP\n";
    const { dir, a } = shards();
    writeFileSync(join(dir, "f.csv"), csv);
    await runCli(["check", ...R, "--partial", join(dir, "1.part"), a]);
    const e = await runCli(["check", ...R, "--engine", "duckdb", "--partial", join(dir, "2.part"), join(dir, "f.csv")]);
    expect(e.code).toBe(0);
    const merged = JSON.parse((await runCli(["merge", "-f", "json", join(dir, "1.part"), join(dir, "2.part")])).stdout);
    const native = JSON.parse((await runCli(["check", ...R, "-f", "json", a, join(dir, "f.csv")])).stdout);
    const f = (r: { findings: { example: unknown }[] }) => r.findings.map((x) => ({ ...x, example: undefined }));
    expect(f(merged)).toEqual(f(native));
  });
});

describe("merge --baseline", () => {
  it("refuses a baseline made with another inventory, as check does, and goes on with --allow-mismatch", async () => {
    const { dir, a } = shards();
    await runCli(["check", ...R, "--partial", join(dir, "1.part"), a]);
    // The same inventory with one more prefix: another matrix of addresses.
    const inv = join(dir, "other-inventory.yaml");
    writeFileSync(inv, readFileSync("fixtures/kcps/inventory.yaml", "utf8").replace(/^  customer-mail: .*$/m, "  customer-mail: [10.99.1.25, 10.99.1.26]"));
    const other = join(dir, "other.json");
    const made = await runCli(["check", "-r", "kcps-file-server", "-i", inv, "--fail-on", "none", "-f", "json", "-o", other, a]);
    expect(made.code, made.stderr).not.toBe(2);
    const refused = await runCli(["merge", "--baseline", other, join(dir, "1.part")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--baseline .*other\.json.*inventory.*--allow-mismatch/s);
    const forced = await runCli(["merge", "--baseline", other, "--allow-mismatch", join(dir, "1.part")]);
    expect(forced.code).not.toBe(2);
    expect(forced.stderr).toMatch(/going on anyway \(--allow-mismatch\)/);
  });
});
