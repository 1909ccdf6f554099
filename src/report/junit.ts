/**
 * JUnit XML for CI dashboards: one test case per required rule (fails when the rule's traffic was
 * blocked; skipped when not observed, failed instead when unobserved-required is in fail-on) and one
 * per violation, so a dashboard names the flow that broke.
 */
import type { Finding, Report } from "./types.js";
import { escapeXml as x } from "./escape.js";
import { checkedSummary, notCheckedReasons } from "./checked.js";
import { failsOn } from "./fail-on.js";
import { stoppedBy } from "./attribution.js";

export function renderJunit(r: Report): string {
  const rules = r.coverage.filter((c) => c.requirement === "required");
  const failUnobserved = r.failOn.includes("unobserved-required");
  // The first five blocked findings of each rule, gathered in one pass over the findings.
  const blockedOf = new Map<string, Finding[]>();
  for (const f of r.findings) {
    if (f.verdict !== "blocked-required" || f.rule === null) continue;
    const list = blockedOf.get(f.rule) ?? [];
    if (list.length < 5) list.push(f);
    blockedOf.set(f.rule, list);
  }
  const ruleCases = rules.map((c) => {
    const name = `${c.rule}: ${c.from} -> ${c.to} ${c.services.join(", ")}`;
    // The name stays stable for dashboards' history; the message says when the rule is the ruleset's reading.
    const inferred = c.inferred ? `; the rule is inferred, not stated by the document: ${c.inferredReason ?? ""}` : "";
    let body = "";
    if (c.blocked > 0) {
      const ex = (blockedOf.get(c.rule) ?? []).map((f) => `${f.src} -> ${f.dst} ${f.protocol}/${f.port ?? f.icmpType} x${f.count}: ${stoppedBy(f, f.dst)} (${f.evidence.join("; ")})`);
      body = `<failure type="blocked-required" message="${x(`${c.blocked} record(s) blocked${inferred}`)}">${x(ex.join("\n"))}</failure>`;
    } else if (c.status === "unobserved") {
      body = failUnobserved ? `<failure type="unobserved-required" message="${x(`no traffic seen for a required rule${inferred}`)}"/>` : `<skipped message="${x(`not observed in the inputs${inferred}`)}"/>`;
    } else if (c.status === "no-hosts") {
      body = `<skipped message="the inventory has no host for one side"/>`;
    }
    return `    <testcase classname="${x(`portmatrix.${r.ruleset.id}.rules`)}" name="${x(name)}">${body}</testcase>`;
  });
  const violations = r.findings.filter((f) => failsOn(r.failOn, f));
  const violationCases = violations.map((f) => {
    const flow = f.port !== null ? `${f.protocol}/${f.port}` : `${f.protocol} type ${f.icmpType ?? "unknown"}`;
    const name = `${f.verdict}: ${f.srcRole ?? f.src} -> ${f.dstRole ?? f.dst} ${flow} (${f.src} -> ${f.dst})`;
    const who = stoppedBy(f, f.dst);
    const rule = f.rule ? ` (rule ${f.rule}${f.ruleInferred === true ? ", inferred" : ""}: ${f.ruleSource ?? ""})` : "";
    const msg = `${f.verdict}${rule}, ${f.count} record(s)${who ? `, ${f.blockedBy}: ${who}` : ""}, evidence: ${f.evidence.join("; ")}`;
    return `    <testcase classname="${x(`portmatrix.${r.ruleset.id}.violations`)}" name="${x(name)}"><failure type="${x(f.verdict)}" message="${x(msg)}"/></testcase>`;
  });
  // One test case says whether the run checked what it read: a dashboard must not show green when not.
  const fatal = r.checked.problems.filter((p) => p.fatal);
  const checkedCase = `    <testcase classname="${x(`portmatrix.${r.ruleset.id}.checked`)}" name="${x(`inputs checked: ${checkedSummary(r.checked)}`)}">${fatal.length ? `<failure type="not-checked" message="${x(`not a complete check: ${notCheckedReasons(r)}`)}">${x(fatal.map((p) => p.message).join("\n"))}</failure>` : ""}</testcase>`;
  const ruleFailures = rules.filter((c) => c.blocked > 0 || (failUnobserved && c.status === "unobserved")).length;
  const ruleSkipped = rules.filter((c) => c.blocked === 0 && (c.status === "no-hosts" || (!failUnobserved && c.status === "unobserved"))).length;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="portmatrix ${x(r.ruleset.id)}" tests="${1 + rules.length + violations.length}" failures="${(fatal.length ? 1 : 0) + ruleFailures + violations.length}">
  <testsuite name="inputs" tests="1" failures="${fatal.length ? 1 : 0}">
${checkedCase}
  </testsuite>
  <testsuite name="required rules" tests="${rules.length}" failures="${ruleFailures}" skipped="${ruleSkipped}" timestamp="${x(r.generatedAt.replace(/\.\d+Z$/, ""))}">
${ruleCases.join("\n")}
  </testsuite>
  <testsuite name="violations" tests="${violations.length}" failures="${violations.length}">
${violationCases.join("\n")}
  </testsuite>
</testsuites>
`;
}
