/**
 * JUnit XML for CI dashboards. A <failure> is exactly what fails the run: the failures add up to the
 * run's violations (`totals.violations`), plus one when the run was not a complete check, so the
 * dashboard's count and the exit status agree.
 *
 * - suite "violations": one test case per finding whose verdict --fail-on names (named by verdict, role
 *   pair, flow and addresses, stable across runs for the dashboard's history). It fails, unless a
 *   --baseline has it unchanged: then it is skipped ("failed in the baseline too"). A failing finding of
 *   the baseline that fails no more is a passing test case of the same name.
 * - suite "required rules": one test case per required rule. An unobserved rule fails when
 *   unobserved-required is in --fail-on (and the baseline did not have it unobserved already), else it
 *   is skipped; a rule whose traffic was blocked is skipped with the blocked flows in its text (its
 *   findings are judged, and fail, in the violations suite: failing it here too would count them twice).
 * - suite "inputs": one test case that fails when the run was not a complete check.
 */
import type { CoverageEntry, Finding, Report } from "./types.js";
import { escapeXml as x } from "./escape.js";
import { checkedSummary, notCheckedReasons } from "./checked.js";
import { failsOn } from "./fail-on.js";
import { stoppedBy } from "./attribution.js";

const flows = (n: number) => `${n} flow${n === 1 ? "" : "s"}`;

interface Case {
  xml: string;
  failed: boolean;
  skipped: boolean;
}

function testcase(classname: string, name: string, body: string, state: Omit<Case, "xml">): Case {
  return { xml: `    <testcase classname="${x(classname)}" name="${x(name)}">${body}</testcase>`, ...state };
}

function flowName(f: Finding): string {
  return f.port !== null ? `${f.protocol}/${f.port}` : `${f.protocol} type ${f.icmpType ?? "?"}`;
}

/** The test case name of a failing finding: the same in every run, so a dashboard follows its history. */
function violationName(f: Finding): string {
  return `${f.verdict}: ${f.srcRole ?? f.src} -> ${f.dstRole ?? f.dst} ${flowName(f)} (${f.src} -> ${f.dst})`;
}

function violationCase(r: Report, f: Finding): Case {
  const who = stoppedBy(f, f.dst);
  const rule = f.rule ? ` (rule ${f.rule}${f.ruleInferred === true ? ", inferred" : ""}: ${f.ruleSource ?? ""})` : "";
  const msg = `${f.verdict}${rule}, ${flows(f.count)}${who ? `, ${f.blockedBy}: ${who}` : ""}, evidence: ${f.evidence.join("; ")}`;
  const classname = `portmatrix.${r.ruleset.id}.violations`;
  if (f.baseline === "unchanged") {
    return testcase(classname, violationName(f), `<skipped message="${x(`unchanged since the baseline ${r.baseline?.file ?? ""}: it failed there too, so it does not fail this run; ${msg}`)}"/>`, { failed: false, skipped: true });
  }
  const was = f.baseline === "changed" ? `; changed, was ${(f.baselineBefore ?? []).join(", ")}` : f.baseline === "new" ? "; new since the baseline" : "";
  return testcase(classname, violationName(f), `<failure type="${x(f.verdict)}" message="${x(msg + was)}"/>`, { failed: true, skipped: false });
}

/** A failing finding of the baseline that fails no more: the same test case, passing. */
function absentCase(r: Report, f: Finding): Case {
  return testcase(`portmatrix.${r.ruleset.id}.violations`, violationName(f), `<system-out>${x(`failed in the baseline ${r.baseline?.file ?? ""} (${flows(f.count)} then); fails no more`)}</system-out>`, { failed: false, skipped: false });
}

function ruleCase(r: Report, c: CoverageEntry, blocked: readonly Finding[]): Case {
  const name = `${c.rule}: ${c.from} -> ${c.to} ${c.services.join(", ")}`;
  const classname = `portmatrix.${r.ruleset.id}.rules`;
  // The name stays stable for dashboards' history; the message says when the rule is the ruleset's reading.
  const inferred = c.inferred ? `; the rule is inferred, not stated by the document: ${c.inferredReason ?? ""}` : "";
  const skip = (message: string, text = "") => testcase(classname, name, `<skipped message="${x(message + inferred)}"${text ? `>${x(text)}</skipped>` : "/>"}`, { failed: false, skipped: true });
  if (c.blocked > 0) {
    const failing = blocked.filter((f) => failsOn(r.failOn, f)).length;
    const where = failing > 0 ? `each failing finding is a test case of the violations suite` : `not a violation under --fail-on ${r.failOn.join(",") || "none"}`;
    const ex = blocked.slice(0, 5).map((f) => `${f.src} -> ${f.dst} ${flowName(f)} ${flows(f.count)}: ${stoppedBy(f, f.dst)} (${f.evidence.join("; ")})`);
    return skip(`blocked: ${flows(c.blocked)} in ${blocked.length} finding${blocked.length === 1 ? "" : "s"}; ${where}`, ex.join("\n"));
  }
  if (c.status === "unobserved") {
    if (!r.failOn.includes("unobserved-required")) return skip("not observed in the inputs");
    if (c.baseline === "unchanged") return skip(`not observed, as in the baseline ${r.baseline?.file ?? ""}: it does not fail this run`);
    return testcase(classname, name, `<failure type="unobserved-required" message="${x(`no traffic seen for a required rule${inferred}`)}"/>`, { failed: true, skipped: false });
  }
  if (c.status === "no-hosts") return skip("the inventory has no host for one side");
  return testcase(classname, name, "", { failed: false, skipped: false });
}

function suite(name: string, cases: readonly Case[], extra = ""): string {
  const failures = cases.filter((c) => c.failed).length;
  const skipped = cases.filter((c) => c.skipped).length;
  return `  <testsuite name="${x(name)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}"${extra}>\n${cases.map((c) => c.xml).join("\n")}${cases.length ? "\n" : ""}  </testsuite>`;
}

export function renderJunit(r: Report): string {
  const blockedOf = new Map<string, Finding[]>();
  for (const f of r.findings) {
    if (f.verdict !== "blocked-required" || f.rule === null) continue;
    const list = blockedOf.get(f.rule);
    if (list) list.push(f);
    else blockedOf.set(f.rule, [f]);
  }
  const ruleCases = r.coverage.filter((c) => c.requirement === "required").map((c) => ruleCase(r, c, blockedOf.get(c.rule) ?? []));
  const violationCases = [...r.findings.filter((f) => failsOn(r.failOn, f)).map((f) => violationCase(r, f)), ...(r.baseline?.absent ?? []).map((f) => absentCase(r, f))];
  // One test case says whether the run checked what it read: a dashboard must not show green when not.
  const fatal = r.checked.problems.filter((p) => p.fatal);
  const checkedCase = testcase(`portmatrix.${r.ruleset.id}.checked`, `inputs checked: ${checkedSummary(r.checked)}`,
    fatal.length ? `<failure type="not-checked" message="${x(`not a complete check: ${notCheckedReasons(r)}`)}">${x(fatal.map((p) => p.message).join("\n"))}</failure>` : "",
    { failed: fatal.length > 0, skipped: false });
  const all = [checkedCase, ...ruleCases, ...violationCases];
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="portmatrix ${x(r.ruleset.id)}" tests="${all.length}" failures="${all.filter((c) => c.failed).length}" skipped="${all.filter((c) => c.skipped).length}">
${suite("inputs", [checkedCase])}
${suite("required rules", ruleCases, ` timestamp="${x(r.generatedAt.replace(/\.\d+Z$/, ""))}"`)}
${suite("violations", violationCases)}
</testsuites>
`;
}
