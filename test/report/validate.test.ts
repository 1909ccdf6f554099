import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { reportShapeError } from "../../src/report/validate.js";
import { compileSchema } from "../helpers/ajv.js";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * A saved report is checked before diff, --baseline or why use it: a wrong shape is one line naming
 * the file and the JSON path, never a TypeError. Every shape this check refuses, the published schema
 * refuses too.
 */
type Json = Record<string, unknown> & { findings: Record<string, unknown>[]; coverage: Record<string, unknown>[]; inputs: Record<string, unknown>[] };
const golden = (): Json => JSON.parse(readFileSync("test/report/golden/kcps-kern.report.json", "utf8")) as Json;
const schema = compileSchema(JSON.parse(readFileSync("docs/report.schema.json", "utf8")) as object);

const BROKEN: [string, (r: Json) => void, string][] = [
  ["no findings", (r) => { delete (r as Partial<Json>).findings; }, "$.findings: expected a list, got nothing"],
  ["findings not a list", (r) => { (r as Record<string, unknown>).findings = {}; }, "$.findings: expected a list, got {}"],
  ["a finding that is no object", (r) => { (r.findings as unknown[])[2] = "x"; }, '$.findings[2]: expected an object, got "x"'],
  ["an unknown verdict", (r) => { r.findings[3]!.verdict = 42; }, "$.findings[3].verdict: expected one of allowed-required, blocked-required, allowed-unexpected, blocked-unexpected, unclassified, inconclusive, got 42"],
  ["an address that is no string", (r) => { r.findings[0]!.src = null; }, "$.findings[0].src: expected a string, got null"],
  ["a port out of range", (r) => { r.findings[1]!.port = 70000; }, "$.findings[1].port: expected null or an integer from 0 to 65535, got 70000"],
  ["a protocol no report writes", (r) => { r.findings[1]!.protocol = "TCP"; }, '$.findings[1].protocol: expected tcp, udp, icmp, icmpv6 or ip-proto-N, got "TCP"'],
  ["evidence that is no list", (r) => { r.findings[0]!.evidence = "DROP"; }, '$.findings[0].evidence: expected a list, got "DROP"'],
  ["a count that is no number", (r) => { r.findings[0]!.count = "3"; }, '$.findings[0].count: expected a number of records, got "3"'],
  ["a coverage status no report writes", (r) => { r.coverage[4]!.status = "fine"; }, '$.coverage[4].status: expected one of allowed, blocked, allowed-and-blocked, unobserved, not-observed, no-hosts, got "fine"'],
  ["failOn naming no verdict", (r) => { r.failOn = ["blocked"]; }, '$.failOn[0]: expected one of allowed-required, blocked-required, allowed-unexpected, blocked-unexpected, unclassified, inconclusive, unobserved-required, blocked-required:network, blocked-required:destination, blocked-required:unknown, blocked-unexpected:network, blocked-unexpected:destination, blocked-unexpected:unknown, got "blocked"'],
  ["no exit code", (r) => { delete r.exitCode; }, "$.exitCode: expected one of 0, 1, 2, got nothing"],
  ["input records that are no numbers", (r) => { (r.inputs[0]!.records as Record<string, unknown>).used = -1; }, "$.inputs[0].records.used: expected an integer from 0 to 9007199254740991, got -1"],
];

describe("the shape of a saved report", () => {
  it("a report portmatrix wrote passes, and so it does the schema", () => {
    expect(reportShapeError(golden())).toBeUndefined();
    expect(schema(golden())).toBe(true);
  });
  it.each(BROKEN)("%s: named by its JSON path, and refused by the published schema too", (_what, breakIt, message) => {
    const r = golden();
    breakIt(r);
    expect(reportShapeError(r)).toBe(message);
    expect(schema(r)).toBe(false);
  });
});

describe("commands given a broken saved report", () => {
  const dir = tmpFiles({});
  const good = join(dir, "good.json");
  const bad = join(dir, "bad.json");
  writeFileSync(good, JSON.stringify(golden()));
  const r = golden();
  delete (r as Partial<Json>).findings;
  writeFileSync(bad, JSON.stringify(r));
  const base = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];
  const line = `portmatrix: ${bad}: not a usable portmatrix report: $.findings: expected a list, got nothing\n`;

  it.each([
    ["diff, as the old report", ["diff", bad, good]],
    ["diff, as the new report", ["diff", good, bad]],
    ["check --baseline", ["check", ...base, "--baseline", bad, "fixtures/kcps/kern.log"]],
    ["why (compact JSON is still recognised as a report)", ["why", "10.99.1.200", ...base, bad]],
  ])("%s: exit 2 with one line naming the file and the path", async (_what, args) => {
    const out = await runCli(args);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(line);
  });
});
