import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { parseReport } from "../helpers/report.js";
import { compareIdentity, type SavedIdentity } from "../../src/report/identity.js";
import { setupCheck, setupIdentity } from "../../src/pipeline/check.js";
import { rulesDigest } from "../../src/model/digest.js";

/**
 * A saved report is compared only with what was made against the same matrix (src/report/identity.ts):
 * `why`, `diff` and `--baseline` refuse a report of another ruleset or inventory, with a flag to go on.
 */
const KCPS = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];

const id = (o: { id?: string; sha?: string; rules?: string; inv?: string; scenarios?: string[]; vars?: Record<string, number | string>; only?: boolean } = {}): SavedIdentity => ({
  ruleset: {
    id: o.id ?? "kcps-file-server", version: 2, sha256: o.sha ?? "a".repeat(64), rulesSha256: o.rules ?? "b".repeat(64),
    scenarios: o.scenarios ?? [], documentedOnly: o.only ?? false,
    variables: Object.fromEntries(Object.entries(o.vars ?? { trust_direction: "one-way" }).map(([k, v]) => [k, { value: v, origin: "default" }])),
  },
  inventory: { file: "inv.yaml", entries: 11, sha256: o.inv ?? "c".repeat(64) },
});

describe("what counts as another matrix", () => {
  it.each<[string, SavedIdentity, "mismatch" | "warning" | "same"]>([
    ["the same ruleset, inventory and choices", id(), "same"],
    ["another ruleset id", id({ id: "skydiv-desktop-client" }), "mismatch"],
    ["the same id, other content (an edited or upgraded ruleset)", id({ sha: "d".repeat(64) }), "mismatch"],
    ["another inventory", id({ inv: "e".repeat(64) }), "mismatch"],
    ["other scenarios", id({ scenarios: ["trust"], rules: "f".repeat(64) }), "warning"],
    ["--documented-only on one side", id({ only: true, rules: "f".repeat(64) }), "warning"],
    ["another value of a variable", id({ vars: { trust_direction: "two-way" }, rules: "f".repeat(64) }), "warning"],
  ])("%s", (_what, saved, expected) => {
    const c = compareIdentity(saved, "old.json", id(), "this run");
    expect(c.mismatch === undefined ? (c.warnings.length > 0 ? "warning" : "same") : "mismatch").toBe(expected);
  });

  it("names both sides in one line", () => {
    const c = compareIdentity(id({ id: "skydiv-desktop-client", sha: "1234567890ab" + "0".repeat(52) }), "sky.json", id(), "this run");
    expect(c.mismatch).toBe(
      "sky.json was made with another ruleset: ruleset skydiv-desktop-client (version 2, sha256 1234567890ab), inventory inv.yaml (11 entries, sha256 cccccccccccc); " +
      "this run: ruleset kcps-file-server (version 2, sha256 aaaaaaaaaaaa), inventory inv.yaml (11 entries, sha256 cccccccccccc); its verdicts do not compare");
  });

  it("says which choices differ", () => {
    const c = compareIdentity(id({ scenarios: ["trust", "acl"], vars: { trust_direction: "two-way" } }), "old.json", id(), "this run");
    expect(c.warnings).toEqual([
      "old.json was checked with scenarios acl, trust, this run with all",
      "old.json and this run were checked with other variables (trust_direction two-way in old.json, one-way in this run): verdicts that differ because of it show as changed",
    ]);
  });

  it("a report written before the hashes existed is compared by ruleset id, with a warning", () => {
    const old: SavedIdentity = { ruleset: { id: "kcps-file-server", scenarios: [], variables: {} }, inventory: { file: "inv.yaml", entries: 11 } };
    const c = compareIdentity(old, "old.json", id({ vars: {} }), "this run");
    expect(c.mismatch).toBeUndefined();
    expect(c.warnings[0]).toMatch(/^old\.json does not record the hashes of its ruleset and inventory/);
    expect(compareIdentity({ ...old, ruleset: { ...old.ruleset, id: "skydiv-desktop-client" } }, "old.json", id(), "this run").mismatch).toBeDefined();
  });
});

describe("the hashes", () => {
  const identity = (ruleset: string, inventory: string, scenarios: string[] = [], sets: [string, string][] = []) =>
    setupIdentity(setupCheck(ruleset, inventory, scenarios, new Map(sets)));

  it("do not change with comments, key order or host names; do change with a port or a role", () => {
    const dir = tmpFiles({});
    const text = readFileSync("rulesets/kcps-file-server.yaml", "utf8");
    const inv = readFileSync("fixtures/kcps/inventory.yaml", "utf8");
    const write = (name: string, t: string) => { writeFileSync(join(dir, name), t); return join(dir, name); };
    const same = write("same.yaml", `# a comment\n${text.replace(/^title: (.*)$/m, "title: $1\n# another")}`);
    expect(text).toMatch(/tcp: 445\b/);
    const port = write("port.yaml", text.replace(/tcp: 445\b/, "tcp: 446"));
    const names = write("names.yaml", inv.replace("customer-dns: [10.99.1.53]", "customer-dns: [{address: 10.99.1.53, name: dns-1}]"));
    const role = write("role.yaml", inv.replace("customer-dns: [10.99.1.53]", "customer-dns: [10.99.1.54]"));
    const a = identity("kcps-file-server", "fixtures/kcps/inventory.yaml");
    expect(identity(same, "fixtures/kcps/inventory.yaml").ruleset.sha256).toBe(a.ruleset.sha256);
    expect(identity(port, "fixtures/kcps/inventory.yaml").ruleset.sha256).not.toBe(a.ruleset.sha256);
    expect(identity("kcps-file-server", names).inventory.sha256).toBe(a.inventory.sha256);
    expect(identity("kcps-file-server", role).inventory.sha256).not.toBe(a.inventory.sha256);
  });

  it("the rules in play change with scenarios and variables, the ruleset's own hash does not", () => {
    const a = identity("kcps-file-server", "fixtures/kcps/inventory.yaml");
    const b = identity("kcps-file-server", "fixtures/kcps/inventory.yaml", ["trust"]);
    const c = identity("kcps-file-server", "fixtures/kcps/inventory.yaml", [], [["trust_direction", "two-way"]]);
    expect([b.ruleset.sha256, c.ruleset.sha256]).toEqual([a.ruleset.sha256, a.ruleset.sha256]);
    expect(new Set([a.ruleset.rulesSha256, b.ruleset.rulesSha256, c.ruleset.rulesSha256]).size).toBe(3);
  });

  it("the rules in play change with which reading of a statement coverage counts (alternative_of)", () => {
    const rules = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map()).rules;
    const alt = rules.find((r) => r.alternativeOf !== undefined)!;
    const counted = rules.map((r) => { if (r !== alt) return r; const { alternativeOf: _counted, ...rest } = r; return rest; });
    expect(rulesDigest(counted)).not.toBe(rulesDigest(rules));
  });

  it("are in the report as the setup computes them", async () => {
    const r = parseReport((await runCli(["check", ...KCPS, "--format", "json", "fixtures/kcps/kern.log"])).stdout);
    const s = identity("kcps-file-server", "fixtures/kcps/inventory.yaml");
    expect([r.ruleset.sha256, r.ruleset.rulesSha256, r.inventory.sha256]).toEqual([s.ruleset.sha256, s.ruleset.rulesSha256, s.inventory.sha256]);
    expect(r.ruleset.version).toBe(2);
  });
});

describe("a report made with SKYDIV, asked about with KCPS", () => {
  // A blocked RDP attempt from the admin PC to the file server, as a SKYDIV launcher to its RDS host.
  const dir = tmpFiles({
    "sky.yaml": "roles:\n  launcher: [10.99.1.200]\n  rds: [10.99.2.10]\n",
    "rdp.log": "Nov 23 09:00:01 fw kernel: fw-DROP IN=a OUT=b SRC=10.99.1.200 DST=10.99.2.10 LEN=60 PROTO=TCP SPT=50000 DPT=3389 WINDOW=1 SYN URGP=0\n",
  });
  const sky = join(dir, "sky.json");
  const kcps = join(dir, "kcps.json");
  const log = join(dir, "rdp.log");
  const refusal = /^portmatrix: .*sky\.json was made with another ruleset and inventory: ruleset skydiv-desktop-client \(version \d+, sha256 [0-9a-f]{12}\), inventory .*sky\.yaml \(2 entries, sha256 [0-9a-f]{12}\); (this run|.*kcps\.json): ruleset kcps-file-server \(version \d+, sha256 [0-9a-f]{12}\), inventory fixtures\/kcps\/inventory\.yaml \(11 entries, sha256 [0-9a-f]{12}\); its verdicts do not compare/;

  it("is refused by why, diff and --baseline: exit 2, one line naming both", async () => {
    expect((await runCli(["check", "-r", "skydiv-desktop-client", "-i", join(dir, "sky.yaml"), "-o", sky, log])).code).toBe(1);
    expect((await runCli(["check", ...KCPS, "-o", kcps, log])).code).toBe(1);
    for (const args of [["why", "10.99.1.200", ...KCPS, sky], ["diff", sky, kcps], ["check", ...KCPS, "--baseline", sky, log]]) {
      const r = await runCli(args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stdout, args[0]).toBe("");
      expect(r.stderr.split("\n").filter(Boolean), args[0]).toHaveLength(1);
      expect(r.stderr, args[0]).toMatch(refusal);
      expect(r.stderr, args[0]).toMatch(/\(--allow-mismatch compares them anyway\)\n$/);
    }
  });

  it("is read with --allow-mismatch, which warns on stderr", async () => {
    const why = await runCli(["why", "10.99.1.200", ...KCPS, "--allow-mismatch", sky]);
    expect(why.code).toBe(0);
    expect(why.stderr).toMatch(refusal);
    expect(why.stderr).toMatch(/going on anyway \(--allow-mismatch\)/);
    // What the refusal protects against: read against KCPS, the SKYDIV report shows no RDP attempt at all.
    expect(why.stdout).toMatch(/not observed rdp-admin-pc-to-kcps-fs/);
    // Both say blocked-required for the same flow, under other rules: nothing new.
    const diff = await runCli(["diff", "--allow-mismatch", sky, kcps]);
    expect(diff.code).toBe(0);
    expect(diff.stderr).toMatch(/going on anyway/);
    // And a baseline of another matrix turns the blocked RDP green: "unchanged", so exit 0.
    const base = await runCli(["check", ...KCPS, "--allow-mismatch", "--baseline", sky, log]);
    expect(base.code).toBe(0);
    expect(base.stderr).toMatch(/going on anyway/);
  });

  it("the same report with its own ruleset and inventory is read without a word", async () => {
    const own = ["-r", "skydiv-desktop-client", "-i", join(dir, "sky.yaml")];
    const why = await runCli(["why", "10.99.1.200", ...own, sky]);
    expect(why.stderr).toBe("");
    expect(why.code).toBe(1);
    expect(why.stdout).toMatch(/blocked \(network\): TCP 3389 10\.99\.1\.200 -> 10\.99\.2\.10 1 flow/);
  });

  it("other scenarios of the same matrix: a warning, and the comparison goes on", async () => {
    const trust = join(dir, "trust.json");
    await runCli(["check", ...KCPS, "--scenario", "trust", "-o", trust, "fixtures/kcps/kern.log"]);
    const r = await runCli(["check", ...KCPS, "--baseline", trust, "fixtures/kcps/kern.log"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^portmatrix: --baseline .*trust\.json was checked with scenarios trust, this run with all: verdicts that differ because of it show as changed$/m);
  });
});
