import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { compileSchema } from "../helpers/ajv.js";
import { readFileSync } from "node:fs";
import type { Report } from "../../src/report/types.js";
import type { WhyResult } from "../../src/pipeline/why.js";
import { parseReport } from "../helpers/report.js";
import { parseSarif } from "../helpers/sarif.js";

/**
 * A verdict that rests on a rule the document does not state must say so in every output, and
 * --documented-only must check only what the document states. One documented rule (web, TCP 443) and
 * two inferred ones (the agent port in both directions); the log blocks one flow of each kind.
 */
const RULESET = `id: tiny
title: Tiny
version: 1
provenance: {document: test}
roles:
  - {id: client, title: Client}
  - {id: server, title: Server}
scenarios:
  - {id: run, title: Run}
services:
  - {id: web, title: Web, ports: [{tcp: 443}]}
  - {id: agent, title: Agent, ports: [{tcp: 38000}]}
rules:
  - id: web-documented
    from: client
    to: server
    services: [web]
    scenarios: [run]
    requirement: required
    purpose: web
    source: "doc row 1"
  - id: agent-guessed
    from: client
    to: server
    services: [agent]
    scenarios: [run]
    requirement: required
    purpose: agent
    source: "doc item 1 (no endpoints)"
    inferred: true
    inferred_reason: the diagram naming the listener is lost
  - id: agent-back-guessed
    from: server
    to: client
    services: [agent]
    scenarios: [run]
    requirement: required
    purpose: agent, other way
    source: "doc item 1 (no endpoints)"
    inferred: true
    inferred_reason: which side listens is not stated
`;
const INVENTORY = "roles:\n  client: [10.0.0.1]\n  server: [10.0.0.2]\n";
const line = (dpt: number, n: number) =>
  `Nov 23 09:14:2${n} fw kernel: [ 1.0] fw DROP IN=a OUT=b SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TTL=63 ID=1 DF PROTO=TCP SPT=4000${n} DPT=${dpt} WINDOW=1 RES=0x00 SYN URGP=0\n`;
const dir = tmpFiles({ "r.yaml": RULESET, "inv.yaml": INVENTORY, "fw.log": line(443, 1) + line(38000, 2) });
const args = ["-r", join(dir, "r.yaml"), "-i", join(dir, "inv.yaml")];
const log = join(dir, "fw.log");

async function report(extra: string[] = []): Promise<Report> {
  return parseReport((await runCli(["check", ...args, ...extra, "--format", "json", "--fail-on", "blocked-required,unobserved-required", log])).stdout);
}

describe("a verdict that rests on an inferred rule says so", () => {
  it("in the JSON finding, the coverage, the rules in play and the totals, and the report still validates", async () => {
    const r = await report();
    const web = r.findings.find((f) => f.port === 443)!;
    const agent = r.findings.find((f) => f.port === 38000)!;
    expect([web.verdict, web.ruleInferred, web.ruleInferredReason]).toEqual(["blocked-required", false, null]);
    expect([agent.verdict, agent.ruleInferred, agent.ruleInferredReason]).toEqual(["blocked-required", true, "the diagram naming the listener is lost"]);
    const back = r.coverage.find((c) => c.rule === "agent-back-guessed")!;
    expect([back.status, back.inferred, back.inferredReason]).toEqual(["unobserved", true, "which side listens is not stated"]);
    expect(r.ruleset.rules.find((x) => x.id === "agent-guessed")!.inferredReason).toBe("the diagram naming the listener is lost");
    // Violations: two blocked-required findings and one unobserved rule; two of the three are guesses.
    expect([r.totals.violations, r.totals.violationsOnInferredRules]).toEqual([3, 2]);
    expect(r.ruleset.documentedOnly).toBe(false);
    const validate = compileSchema(JSON.parse(readFileSync("docs/report.schema.json", "utf8")) as object);
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
  });

  it("in the text, Markdown, HTML, CSV, SARIF and JUnit renderings", async () => {
    const render = async (f: string) => (await runCli(["check", ...args, "--format", f, "--fail-on", "blocked-required,unobserved-required", log])).stdout;
    const text = await render("text");
    expect(text).toMatch(/rule agent-guessed \(inferred\)  1 finding, 1 flow\n.*\n {8}source: doc item 1 \(no endpoints\)\n {8}inferred, not stated by the document: the diagram naming the listener is lost\n/);
    expect(text).toMatch(/rule web-documented  1 finding, 1 flow\n/);
    expect(text).toMatch(/1 unobserved-required \(hosts on both sides, no traffic; 1 of them rest on inferred rules\)\n {4}agent-back-guessed: server -> client agent \(inferred\)/);
    expect(text).toMatch(/Result: 3 violations, 2 of them on inferred rules/);
    const md = await render("md");
    expect(md).toMatch(/\| agent-guessed \(inferred\) \|/);
    expect(md).toMatch(/\| web-documented \|/);
    expect(md).toMatch(/2 of them rest on inferred rules/);
    expect(md).toMatch(/- `agent-back-guessed` \(inferred\):/);
    const html = await render("html");
    expect(html).toMatch(/<code>agent-guessed<\/code> <span class="tag inferred" title="not stated by the document: the diagram naming the listener is lost">inferred<\/span>/);
    expect(html).not.toMatch(/<code>web-documented<\/code> <span class="tag inferred"/);
    const csv = (await render("csv")).split("\r\n");
    const head = csv[0]!.split(",");
    const agentRow = csv.find((l) => l.includes(",38000,"))!;
    expect(head.slice(head.indexOf("rule_source"), head.indexOf("rule_source") + 3)).toEqual(["rule_source", "rule_inferred", "rule_inferred_reason"]);
    expect(agentRow).toMatch(/,true,the diagram naming the listener is lost,/);
    expect(csv.find((l) => l.includes(",443,"))!).toMatch(/,doc row 1,false,,/);
    const sarif = parseSarif<{ runs: { results: { message: { text: string }; properties: { ruleInferred?: boolean } }[] }[] }>(await render("sarif"));
    const results = sarif.runs[0]!.results;
    expect(results.find((x) => x.message.text.startsWith("tcp/38000"))!.message.text).toMatch(/Rule agent-guessed is inferred, not stated by the document: the diagram naming the listener is lost\. First record: \[here\]\(1\)\.$/);
    expect(results.find((x) => x.message.text.startsWith("tcp/443"))!.properties.ruleInferred).toBe(false);
    expect(results.find((x) => x.message.text.startsWith("Required rule agent-back-guessed"))!.message.text).toMatch(/The rule is inferred/);
    const junit = await render("junit");
    expect(junit).toMatch(/name="agent-back-guessed: server -&gt; client agent"><failure type="unobserved-required" message="no traffic seen for a required rule; the rule is inferred, not stated by the document: which side listens is not stated"/);
    expect(junit).toMatch(/rule agent-guessed, inferred: doc item 1/);
  });

  it("in why: the rule line, the reason under a blocked rule, and the likely cause", async () => {
    const r = await runCli(["why", "10.0.0.1", ...args, log]);
    expect(r.stdout).toMatch(/✗ blocked {6}agent-guessed: -> server tcp 38000 \(inferred\)\n(.*\n)*? {6}inferred, not stated by the document: the diagram naming the listener is lost\n/);
    const w = JSON.parse((await runCli(["why", "10.0.0.1", ...args, "--format", "json", log])).stdout) as WhyResult;
    expect(w.rules.find((x) => x.rule === "agent-guessed")!.inferredReason).toBe("the diagram naming the listener is lost");
    // The first blocked flow in time order is the web one (documented): no caveat on the cause.
    expect(w.verdict.cause).toBe("web-documented");
    expect(w.verdict.text).not.toMatch(/inferred/);
    const only = tmpFiles({ "fw.log": line(38000, 1) });
    const guessed = JSON.parse((await runCli(["why", "10.0.0.1", ...args, "--format", "json", join(only, "fw.log")])).stdout) as WhyResult;
    expect(guessed.verdict.cause).toBe("agent-guessed");
    expect(guessed.verdict.text).toMatch(/the rule is inferred, not stated by the document \(the diagram naming the listener is lost\): confirm the flow is needed before opening it/);
  });
});

describe("--documented-only checks only what the document states", () => {
  it("check: the inferred rules leave play, so their flow is blocked-unexpected and nothing rests on a guess", async () => {
    const r = await report(["--documented-only"]);
    expect(r.ruleset.documentedOnly).toBe(true);
    expect(r.ruleset.rules.map((x) => x.id)).toEqual(["web-documented"]);
    expect(r.findings.find((f) => f.port === 38000)!.verdict).toBe("blocked-unexpected");
    expect(r.findings.find((f) => f.port === 443)!.verdict).toBe("blocked-required");
    expect(r.coverage.map((c) => c.rule)).toEqual(["web-documented"]);
    expect([r.totals.violations, r.totals.violationsOnInferredRules]).toEqual([1, 0]);
    const text = (await runCli(["check", ...args, "--documented-only", log])).stdout;
    expect(text).toMatch(/\(scenarios: all; documented rules only\)/);
  });

  it("check --jobs: worker threads build the same documented-only matcher", async () => {
    const two = tmpFiles({ "a.log": line(38000, 1), "b.log": line(38000, 2) });
    const r = parseReport((await runCli(["check", ...args, "--documented-only", "--jobs", "2", "--format", "json", join(two, "a.log"), join(two, "b.log")])).stdout);
    // One finding for both records: a worker classifying with the inferred rule would split it in two.
    expect(r.findings.map((f) => [f.verdict, f.count])).toEqual([["blocked-unexpected", 2]]);
  });

  it("why and rules show leave out the inferred rules too", async () => {
    const w = JSON.parse((await runCli(["why", "10.0.0.1", ...args, "--documented-only", "--format", "json", log])).stdout) as WhyResult;
    expect(w.documentedOnly).toBe(true);
    expect(w.rules.map((x) => x.rule)).toEqual(["web-documented"]);
    const table = (await runCli(["rules", "show", join(dir, "r.yaml"), "--documented-only"])).stdout;
    expect(table).toMatch(/^Tiny \(tiny\), 1 rules stated by the document \(--documented-only: inferred rules left out\)\n/);
    expect(table).not.toMatch(/agent-guessed/);
    const all = (await runCli(["rules", "show", join(dir, "r.yaml"), "--format", "csv"])).stdout;
    expect(all).toMatch(/agent-guessed/);
  });
});
