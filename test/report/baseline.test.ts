import { describe, it, expect, beforeAll } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { parseReport } from "../helpers/report.js";
import { parseSarif } from "../helpers/sarif.js";
import type { Report } from "../../src/report/types.js";

/**
 * --baseline in every format (issue 14): a run where 2 of 7 violations are new. The baseline is the
 * lab's kern.log plus an allowed tcp/9000 (a violation that is gone from the new run); the new run is
 * kern.log with SMB from 10.99.1.100 now dropped (allowed-required then: a changed verdict) and an
 * allowed tcp/8081 (a new finding). The five violations of kern.log itself are unchanged.
 */
const KERN = "fixtures/kcps/kern.log";
const base = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];

interface Sarif { runs: { results: { ruleId: string; baselineState?: string; properties: { port?: number | null; rule?: string } }[] }[] }

function logs(): { dir: string; before: string; after: string } {
  const lines = readFileSync(KERN, "utf8").split("\n").filter(Boolean);
  const accept8080 = lines.find((l) => / DPT=8080 /.test(l))!;
  const dir = tmpFiles({
    "before.log": [...lines, accept8080.replace("SRC=10.99.1.100 ", "SRC=10.99.1.101 ").replace(" DPT=8080 ", " DPT=9000 ")].join("\n") + "\n",
    "after.log": [
      ...lines.map((l) => (/SRC=10\.99\.1\.100 .* DPT=445 /.test(l) ? l.replace(" ACCEPT ", " DROP ") : l)),
      accept8080.replace(" DPT=8080 ", " DPT=8081 "),
    ].join("\n") + "\n",
  });
  return { dir, before: join(dir, "before.log"), after: join(dir, "after.log") };
}

/** JUnit's failure counts: the whole log's and every suite's, and the failure elements themselves. */
function junitFailures(xml: string): { total: number; suites: number; elements: number } {
  const total = Number(/<testsuites [^>]*failures="(\d+)"/.exec(xml)![1]);
  const suites = [...xml.matchAll(/<testsuite [^>]*failures="(\d+)"/g)].reduce((n, m) => n + Number(m[1]), 0);
  return { total, suites, elements: (xml.match(/<failure /g) ?? []).length };
}

describe("a baseline run where 2 of 7 violations are new", () => {
  const run = (...args: string[]) => runCli([...base, ...args]);
  let f: ReturnType<typeof logs>;
  let old: string;
  beforeAll(async () => {
    f = logs();
    old = join(f.dir, "old.json");
    expect((await run("-o", old, f.before)).code).toBe(1);
  });

  it("JSON: 2 violations fail the run, 7 in all, and the failing finding of the baseline that is gone", async () => {
    const r = await run("--baseline", old, "--format", "json", f.after);
    expect(r.code).toBe(1);
    const rep = parseReport(r.stdout);
    expect(rep.totals.violations).toBe(2);
    expect(rep.baseline).toMatchObject({ new: 1, changed: 1, allViolations: 7, absentRules: [] });
    expect(rep.baseline!.absent.map((x) => `${x.verdict} ${x.src} ${x.port}`)).toEqual(["allowed-unexpected 10.99.1.101 9000"]);
    const smb = rep.findings.find((x) => x.port === 445 && x.verdict === "blocked-required")!;
    expect([smb.baseline, smb.baselineBefore]).toEqual(["changed", ["allowed-required"]]);
  });

  it("text: the summary says 2 new of 7, and marks the new and the changed finding", async () => {
    const r = await run("--baseline", old, f.after);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Result: 2 new of 7 violations \(1 new finding, 1 changed verdict; 5 unchanged since .*old\.json\) \(fail-on: blocked-required, allowed-unexpected\) \(exit 1\)$/m);
    expect(r.stdout).toMatch(/^Baseline: .*old\.json; findings: 1 new, 1 changed, 12 unchanged, 1 gone; 1 violation of the baseline fails no more$/m);
    expect(r.stdout).toMatch(/^✗ blocked-required: 5 findings \(1 changed\), 8 flows /m);
    expect(r.stdout).toMatch(/^ {8}\[changed, was allowed-required\] 10\.99\.1\.100 -> 10\.99\.2\.10 {2}1 flow {2}stopped on the way/m);
    expect(r.stdout).toMatch(/^ {8}\[new\] 10\.99\.1\.100 -> 10\.99\.2\.10 {2}1 flow {2}\[pmlab-kcps ACCEPT\]/m);
    // The unchanged ones carry no mark.
    expect(r.stdout.match(/\[(new|changed)/g)).toHaveLength(2);
  });

  it("text: no new violation is exit 0 and says how many are unchanged", async () => {
    const r = await run("--baseline", old, f.before);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Result: no new violations; 6 unchanged since .*old\.json \(fail-on: blocked-required, allowed-unexpected\) \(exit 0\)$/m);
  });

  it("Markdown: 2 new of 7, a baseline column with the new and changed findings first", async () => {
    const md = (await run("--baseline", old, "--format", "md", f.after)).stdout;
    expect(md).toMatch(/^Result: \*\*2 new of 7 violations\*\* \(fail-on: blocked-required, allowed-unexpected\)\./m);
    const rows = md.split("\n").filter((l) => /^\| (\*\*new\*\*|\*\*changed\*\*[^|]*|unchanged) \|/.test(l));
    expect(rows.map((l) => l.split(" | ")[0])).toEqual(["| **changed** (was allowed-required)", "| **new**", "| unchanged", "| unchanged", "| unchanged", "| unchanged", "| unchanged"]);
  });

  it("CSV: a baseline column and what a changed finding was", async () => {
    const { parse } = await import("csv-parse/sync");
    const rows = parse((await run("--baseline", old, "--format", "csv", f.after)).stdout, { columns: true }) as Record<string, string>[];
    const mark = (port: string, verdict: string) => rows.find((x) => x.port === port && x.verdict === verdict)!;
    expect([mark("445", "blocked-required").baseline, mark("445", "blocked-required").baseline_before]).toEqual(["changed", "allowed-required"]);
    expect(mark("8081", "allowed-unexpected").baseline).toBe("new");
    expect(mark("8080", "allowed-unexpected").baseline).toBe("unchanged");
    // Without a baseline the columns are there and empty.
    const plain = parse((await run("--format", "csv", f.after)).stdout, { columns: true }) as Record<string, string>[];
    expect(plain.every((x) => x.baseline === "" && x.baseline_before === "")).toBe(true);
  });

  it("JUnit: exactly the 2 new violations fail, the 5 unchanged ones are skipped, the gone one passes", async () => {
    const r = await run("--baseline", old, "--format", "junit", f.after);
    expect(r.code).toBe(1);
    expect(junitFailures(r.stdout)).toEqual({ total: 2, suites: 2, elements: 2 });
    expect(r.stdout.match(/<failure type="[^"]*" message="[^"]*"/g)!.map((x) => /type="([^"]*)"/.exec(x)![1])).toEqual(["blocked-required", "allowed-unexpected"]);
    expect(r.stdout.match(/<skipped message="unchanged since the baseline /g)).toHaveLength(5);
    expect(r.stdout).toMatch(/name="allowed-unexpected: file-share-client -&gt; kcps-fs tcp\/9000 \(10\.99\.1\.101 -&gt; 10\.99\.2\.10\)"><system-out>failed in the baseline .*; fails no more<\/system-out><\/testcase>/);
  });

  it("SARIF: a baselineState on every result, an absent result for the violation that is gone, valid SARIF 2.1.0", async () => {
    const r = await run("--baseline", old, "--format", "sarif", f.after);
    expect(r.code).toBe(1);
    const results = parseSarif<Sarif>(r.stdout).runs[0]!.results;
    expect(results.every((x) => x.baselineState !== undefined)).toBe(true);
    const state = (port: number) => results.filter((x) => x.properties.port === port).map((x) => x.baselineState);
    // 445 was allowed-required (no result then): its result is new, though its finding is "changed".
    expect([state(445), state(8081), state(9000), state(8080), state(5985)]).toEqual([["new"], ["new"], ["absent"], ["unchanged"], ["unchanged"]]);
    expect(results).toHaveLength(8);
  });

  it("SARIF: a flow that failed before with another verdict is updated", async () => {
    // The baseline has 139 dropped by the firewall; now the destination refuses it itself (Windows Firewall RECEIVE).
    const lines = readFileSync(KERN, "utf8").split("\n").filter(Boolean);
    const was = join(f.dir, "was.json");
    expect((await run("-o", was, KERN)).code).toBe(1);
    // netfilter: IN= with no OUT= is the destination's own host firewall.
    writeFileSync(join(f.dir, "own.log"), lines.map((l) => (/ DPT=139 /.test(l) ? l.replace(/OUT=\S+ /, "OUT= ") : l)).join("\n") + "\n");
    const r = await run("--baseline", was, "--format", "sarif", join(f.dir, "own.log"));
    const results = parseSarif<Sarif>(r.stdout).runs[0]!.results;
    expect(results.filter((x) => x.properties.port === 139).map((x) => x.baselineState)).toEqual(["updated"]);
    expect(results.filter((x) => x.properties.port !== 139).every((x) => x.baselineState === "unchanged")).toBe(true);
  });

  it("unobserved-required in --fail-on: a rule newly unobserved fails, one unobserved before is unchanged, one observed now is absent", async () => {
    const failOn = ["--fail-on", "blocked-required,unobserved-required"];
    const fewer = join(f.dir, "fewer.log");
    const lines = readFileSync(KERN, "utf8").split("\n").filter(Boolean);
    writeFileSync(fewer, lines.filter((l) => !/ DPT=(445|3389) /.test(l)).join("\n") + "\n");
    const was = join(f.dir, "unobs.json");
    await run(...failOn, "-o", was, fewer);
    const r = parseReport((await run(...failOn, "--baseline", was, "--format", "json", KERN)).stdout);
    // SMB and RDP to the file server were unobserved in the baseline and are seen now.
    expect(r.baseline!.absentRules.sort()).toEqual(["rdp-admin-pc-to-kcps-fs", "smb-client-to-kcps-fs"]);
    const sarif = parseSarif<Sarif>((await run(...failOn, "--baseline", was, "--format", "sarif", KERN)).stdout).runs[0]!.results;
    expect(sarif.filter((x) => x.baselineState === "absent").map((x) => x.properties.rule).sort()).toEqual(["rdp-admin-pc-to-kcps-fs", "smb-client-to-kcps-fs"]);
    expect(sarif.filter((x) => x.ruleId === "unobserved-required").every((x) => x.baselineState === "unchanged" || x.baselineState === "absent")).toBe(true);
    // The other way round: rules observed in the baseline and not now are new violations, and the only ones.
    const back = parseReport((await run(...failOn, "--baseline", join(f.dir, "old.json"), "--format", "json", fewer)).stdout);
    const fresh = back.coverage.filter((c) => c.status === "unobserved" && c.baseline !== "unchanged").map((c) => c.rule).sort();
    expect(fresh).toEqual(["rdp-admin-pc-to-kcps-fs", "smb-client-to-kcps-fs"]);
    expect(back.totals.violations).toBe(2);
    const junit = (await run(...failOn, "--baseline", join(f.dir, "old.json"), "--format", "junit", fewer)).stdout;
    expect(junitFailures(junit)).toEqual({ total: 2, suites: 2, elements: 2 });
  });
});

describe("JUnit fails exactly what fails the run", () => {
  const cases: [string, string[], string][] = [
    ["the default fail-on", [], KERN],
    ["blocked-required narrowed to the network", ["--fail-on", "blocked-required:network"], "fixtures/lab/captures/customer-side.pcap"],
    ["blocked-required narrowed to the destination", ["--fail-on", "blocked-required:destination"], "fixtures/lab/captures/customer-side.pcap"],
    ["unobserved rules too", ["--fail-on", "blocked-required,allowed-unexpected,unobserved-required"], KERN],
    ["allowed-unexpected only: the blocked rules do not fail", ["--fail-on", "allowed-unexpected"], KERN],
    ["nothing", ["--fail-on", "none"], KERN],
  ];
  it.each(cases)("%s: failures = the run's violations, and the exit code agrees", async (_what, args, input) => {
    const json = parseReport((await runCli([...base, ...args, "--format", "json", input])).stdout) as Report;
    const r = await runCli([...base, ...args, "--format", "junit", input]);
    const n = junitFailures(r.stdout);
    expect(n).toEqual({ total: json.totals.violations, suites: json.totals.violations, elements: json.totals.violations });
    expect(r.code).toBe(json.totals.violations > 0 ? 1 : 0);
  });

  it("a run that was not a complete check fails one more test case: the inputs", async () => {
    const dir = tmpFiles({ "empty.log": "" });
    const r = await runCli([...base, "--format", "junit", KERN, join(dir, "empty.log")]);
    expect(r.code).toBe(2);
    expect(junitFailures(r.stdout)).toEqual({ total: 6, suites: 6, elements: 6 });
    expect(r.stdout).toMatch(/<failure type="not-checked"/);
  });
});
