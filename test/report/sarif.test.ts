import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { parseSarif, sarifValidator } from "../helpers/sarif.js";

/**
 * Every SARIF log portmatrix writes is valid against SARIF 2.1.0's own schema (test/report/
 * sarif-schema-2.1.0.json), since code-scanning services reject one that is not.
 */
const KERN = "fixtures/kcps/kern.log";
const check = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "sarif"];

describe("the SARIF 2.1.0 schema as the tests use it", () => {
  it("rejects what SARIF forbids (so a passing log means something)", () => {
    const validate = sarifValidator();
    const ok = { version: "2.1.0", runs: [{ tool: { driver: { name: "portmatrix" } }, results: [] }] };
    expect(validate(ok), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...ok, version: "2.0.0" })).toBe(false);
    expect(validate({ version: "2.1.0", runs: [{ tool: { driver: {} } }] })).toBe(false);
    const result = (r: object) => ({ version: "2.1.0", runs: [{ tool: { driver: { name: "p" } }, results: [{ message: { text: "m" }, ...r }] }] });
    expect(validate(result({ level: "fatal" }))).toBe(false);
    expect(validate(result({ locations: [{ physicalLocation: { region: { startLine: 0 } } }] }))).toBe(false);
    // Formats are checked: an artifact URI with a raw space is no URI reference.
    expect(validate(result({ locations: [{ physicalLocation: { artifactLocation: { uri: "a b.yaml" } } }] }))).toBe(false);
    expect(validate(result({ locations: [{ physicalLocation: { artifactLocation: { uri: "a%20b.yaml" } } }] }))).toBe(true);
  });
});

describe("SARIF reports validate against the SARIF 2.1.0 schema", () => {
  it("a run with violations: one result per violation, each rule id declared by the driver", async () => {
    const r = await runCli([...check, KERN]);
    expect(r.code).toBe(1);
    const log = parseSarif(r.stdout);
    const run = log.runs[0]!;
    const ids = new Set(run.tool.driver.rules!.map((x) => x.id));
    expect(run.results!.length).toBe(5);
    for (const res of run.results!) expect(ids.has(res.ruleId!), res.ruleId).toBe(true);
  });

  it("a clean run, and one failing on unobserved required rules", async () => {
    const clean = await runCli([...check, "--fail-on", "none", KERN]);
    expect(clean.code).toBe(0);
    expect(parseSarif(clean.stdout).runs[0]!.results).toEqual([]);
    const unobserved = await runCli([...check, "--fail-on", "unobserved-required", KERN]);
    expect(parseSarif(unobserved.stdout).runs[0]!.results!.every((x) => x.ruleId === "unobserved-required" && x.level === "note")).toBe(true);
    expect(parseSarif(unobserved.stdout).runs[0]!.results!.length).toBeGreaterThan(0);
  });

  it("a ruleset given by an absolute path with spaces and non-ASCII letters, ICMP findings and hostile names", async () => {
    const dir = tmpFiles({});
    const ruleset = join(dir, "my rules é#1.yaml");
    const text = readFileSync("rulesets/kcps-file-server.yaml", "utf8");
    const inv = join(dir, "inv.yaml");
    const log = join(dir, "x.log");
    writeFileSync(ruleset, text);
    writeFileSync(inv, `roles:\n  file-share-client: [{address: 10.99.1.100, name: "<b>\\u001b[31m\\n"}]\n  kcps-fs: [10.99.2.10]\n`);
    writeFileSync(log, [
      "Nov 23 09:11:01 fw kernel: DROP IN=a OUT=b SRC=10.99.1.100 DST=10.99.2.10 LEN=60 PROTO=TCP SPT=50000 DPT=445 WINDOW=1 SYN URGP=0",
      "Nov 23 09:11:02 fw kernel: ACCEPT IN=a OUT=b SRC=10.99.1.100 DST=10.99.2.10 LEN=84 PROTO=ICMP TYPE=13 CODE=0 ID=1 SEQ=1",
      "Nov 23 09:11:03 fw kernel: ACCEPT IN=a OUT=b SRC=10.99.1.100 DST=10.99.2.10 LEN=60 PROTO=TCP SPT=50001 DPT=8080 WINDOW=1 SYN URGP=0",
      "",
    ].join("\n"));
    // Failing on allowed-required too, so that the ICMP flow (no port) becomes a result.
    const r = await runCli(["check", "-r", ruleset, "-i", inv, "--format", "sarif", "--fail-on", "blocked-required,allowed-unexpected,allowed-required", log]);
    expect(r.code, r.stderr).toBe(1);
    const sarif = parseSarif(r.stdout);
    expect(sarif.runs[0]!.results!.map((x) => x.ruleId).sort()).toEqual(["allowed-required", "allowed-unexpected", "blocked-required"]);
  });
});
