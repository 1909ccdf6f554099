/**
 * One self-contained HTML file: no external fetch (a Content-Security-Policy forbids it), readable
 * offline and from an email attachment, every status shown by symbol and word as well as colour.
 * All text from inputs goes through escapeHtml.
 *
 * Made for a person reading an audit: it fits the window, the violations come first, grouped by verdict,
 * role pair, rule and service with the address pairs folded under each group, and long sections fold.
 * Its size and the memory to write it are bounded whatever the number of findings: one pass over the
 * findings keeps at most the rows the page shows (html-groups.ts), and the findings may come from a
 * generator that makes each one when it is read.
 */
import type { Finding, Report } from "./types.js";
import { escapeHtml as h } from "./escape.js";
import { VERDICT_ORDER } from "./build.js";
import { checkedSummary, notCheckedReasons } from "./checked.js";
import { failsOn, namesVerdict } from "./fail-on.js";
import { OTHER_LIMITS, VIOLATION_LIMITS, gatherInSteps, type Gathered } from "./html-groups.js";
import { SYMBOL, findingsAndFlows, num, plural, sectionGroups, text, unobservedBlock, OPEN_GROUPS_UP_TO } from "./html-findings.js";
import { coverageTable, inputsTable, matrixTable } from "./html-tables.js";
import { HTML_SCRIPT, HTML_STYLE } from "./html-assets.js";

export function renderHtml(r: Report, findings: Iterable<Finding> = r.findings): string {
  return [...htmlChunks(r, findings)].join("");
}

/** The violation count of the page: the failing findings, and the unobserved required rules when they fail. */
interface ViolationCount { findings: number; records: number; rules: number; total: number }

/**
 * The page in pieces. `findings` are read once, in report order; by default the report's own, but a
 * generator over a prepared report (build.ts `eachFinding`) keeps only what the page shows in memory.
 */
export function* htmlChunks(r: Report, findings: Iterable<Finding> = r.findings): Generator<string> {
  const fails = (f: Finding) => failsOn(r.failOn, f);
  // With --baseline, a failing finding unchanged since the baseline does not fail the run (report/diff.ts).
  const isViolation = (f: Finding) => fails(f) && f.baseline !== "unchanged";
  const rolesInPlay = new Set<string>();
  for (const c of r.coverage) { rolesInPlay.add(c.from); rolesInPlay.add(c.to); }
  // Gathering yields empty pieces as it goes, so that a writer lets a signal be handled meanwhile.
  const g = yield* gatherInSteps(findings, isViolation, fails, rolesInPlay);
  const unobserved = r.coverage.filter((c) => c.status === "unobserved");
  const rulesFail = r.failOn.includes("unobserved-required");
  // With a baseline, only rules not unobserved in it count (applyBaseline); the report keeps their number only.
  const rules = !rulesFail ? 0 : r.baseline ? Math.max(0, Math.min(unobserved.length, r.totals.violations - g.violations.findings)) : unobserved.length;
  const v: ViolationCount = { findings: g.violations.findings, records: g.violations.records, rules, total: g.violations.findings + rules };

  yield head(r);
  yield summary(r, g);
  yield `<details class="section" id="violations" open><summary><h2>${h(violationHeading(v))}</h2></summary>\n`;
  if (v.total === 0 && !(rulesFail && unobserved.length > 0)) yield "<p>None.</p>\n";
  else {
    yield `<p class="dim">Grouped by verdict, role pair, rule and service${g.violations.groups.size > OPEN_GROUPS_UP_TO ? "; open a group to see its address pairs" : ""}.</p>\n`;
    yield* sectionGroups(g.violations, "violation", r.baseline !== undefined);
    if (rulesFail && unobserved.length > 0) yield unobservedBlock(unobserved, rules, g.violations.groups.size < OPEN_GROUPS_UP_TO);
  }
  yield "</details>\n";
  if (r.baseline && g.accepted.findings > 0) {
    yield `<details class="section" id="accepted"><summary><h2>Accepted by the baseline: ${h(findingsAndFlows(g.accepted.findings, "finding", g.accepted.records))}</h2></summary>\n`;
    yield `<p class="dim">These findings fail --fail-on, but each was in the baseline <code>${h(r.baseline.file)}</code> with the same verdict, so they do not fail this run.</p>\n`;
    yield* sectionGroups(g.accepted, "finding", true);
    yield "</details>\n";
  }
  yield matrixSection(r, g);
  yield coverageSection(r);
  yield `<details class="section" id="findings"><summary><h2>Other findings: ${h(findingsAndFlows(g.others.findings, "finding", g.others.records))}</h2></summary>\n`;
  yield `<p class="dim">Findings whose verdict does not fail the run (fail-on: ${h(r.failOn.join(", ") || "none")}).</p>\n`;
  yield* sectionGroups(g.others, "finding", r.baseline !== undefined);
  yield "</details>\n";
  yield inputsSection(r);
  yield `<script>${HTML_SCRIPT}</script>\n</body></html>\n`;
}

function violationHeading(v: ViolationCount): string {
  if (v.total === 0) return "No violations";
  const found = findingsAndFlows(v.findings, "finding", v.records);
  const never = `${plural(v.rules, "required rule")} never observed`;
  if (v.rules === 0) return findingsAndFlows(v.findings, "violation", v.records);
  return `${plural(v.total, "violation")}: ${v.findings > 0 ? `${found} and ${never}` : never}`;
}

/** "5 violations", with a baseline "(3 new, 1 changed since the baseline; ...)". */
function violationsText(r: Report, g?: Gathered): string {
  const n = r.totals.violations;
  let count = n > 0 ? plural(n, "violation") : "no violations";
  if (r.baseline && g) {
    const b = g.violations.baseline;
    const accepted = g.accepted.findings > 0 ? `; ${num(g.accepted.findings)} unchanged ${g.accepted.findings === 1 ? "one" : "ones"} accepted` : "";
    count += ` (${num(b.new)} new, ${num(b.changed)} changed since the baseline${accepted})`;
  }
  return count;
}

/** The result in bold, and when the run was not a complete check, the violations in what it read after it. */
function resultLine(r: Report, g?: Gathered): [string, string] {
  if (r.exitCode === 2) return [`not a complete check (${notCheckedReasons(r)})`, `; ${violationsText(r, g)} in what was read`];
  return [violationsText(r, g), ""];
}

/** Problems listed at most (one per input at worst: an archive of empty files). */
const MAX_PROBLEMS = 100;

function problemsList(r: Report): string {
  const ps = r.checked.problems;
  if (ps.length === 0) return "";
  const items = ps.slice(0, MAX_PROBLEMS).map((p) => `<li class="${p.fatal ? "bad" : "none"}">${p.fatal ? "✗" : "•"} ${text(p.message, 600)}${p.fatal ? "" : " (accepted: --allow-empty)"}</li>`);
  if (ps.length > MAX_PROBLEMS) items.push(`<li class="more">${num(ps.length - MAX_PROBLEMS)} more: see the JSON report (checked.problems)</li>`);
  return `<ul id="problems">${items.join("")}</ul>\n`;
}

function head(r: Report): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>portmatrix: ${h(r.ruleset.id)}: ${h(resultLine(r)[0])}</title>
<style>${HTML_STYLE}</style></head>
<body>
`;
}

function summary(r: Report, g: Gathered): string {
  const onInferred = (r.totals.violationsOnInferredRules ?? 0) > 0
    ? `, ${num(r.totals.violationsOnInferredRules)} of them on <span class="tag inferred">inferred</span> rules (not stated by the document)`
    : "";
  const b = r.baseline;
  const baseline = b
    ? `<p id="baseline">Compared with the baseline <code>${h(b.file)}</code>: ${num(b.new)} new, ${num(b.changed)} changed and ${num(b.unchanged)} unchanged findings, ${num(b.resolved)} gone. ` +
      `Only a new or changed finding fails the run; those unchanged since the baseline are listed apart, under "Accepted by the baseline".</p>\n`
    : "";
  const t = r.totals;
  const [result, after] = resultLine(r, g);
  const sections = [g.violations, g.accepted, g.others];
  const all = sections.reduce((a, s) => a + s.findings, 0);
  const left = sections.reduce((a, s) => a + s.moreFindings + [...s.groups.values()].reduce((x, gr) => x + gr.moreFindings, 0), 0);
  const leftNote = left > 0
    ? `<p class="dim" id="left-out">This page shows ${plural(all - left, "finding")} of ${num(all)} (at most ${VIOLATION_LIMITS.groups} groups of ${VIOLATION_LIMITS.rowsPerGroup} violations, and ${OTHER_LIMITS.groups} groups of ${OTHER_LIMITS.rowsPerGroup} for the other findings) and says under each group what it leaves out; the filter searches what the page shows. The CSV and JSON reports hold every finding.</p>\n`
    : "";
  return `<h1>portmatrix: ${h(r.ruleset.title)}</h1>
<p class="dim">Ruleset <code>${h(r.ruleset.id)}</code> (${h(r.ruleset.file)})${r.ruleset.documentedOnly === true ? ", documented rules only" : ""}, scenarios: ${h(r.ruleset.scenarios.join(", ") || "all")}; inventory ${h(r.inventory.file)} (${r.inventory.entries} entries); generated ${h(r.generatedAt)} by portmatrix ${h(r.generator.version)}.</p>
<p id="result"><b>Result: ${h(result)}</b>${h(after)}${onInferred} (fail-on: ${h(r.failOn.join(", ") || "none")}; exit ${r.exitCode}).</p>
${baseline}<p id="checked">Checked: ${h(checkedSummary(r.checked))}.</p>
${problemsList(r)}<p id="accounting">${plural(t.records.read, "record")} read: ${num(t.records.used)} used, ${num(t.records.skipped)} skipped; ${plural(t.findings, "finding")} (distinct flows, each with one verdict).</p>
<ul class="chips">${chips(r, g)}</ul>
<details class="glossary"><summary>What the numbers mean</summary><p class="dim">A <b>record</b> is what an input holds, as read: a log line, a flow-log record, a capture's packet. A <b>flow</b> is one attempt to connect as the matcher sees it: a log record's flow, or a capture's connection. A <b>finding</b> is one distinct flow with one verdict (source, destination, protocol, port or ICMP type, and for a blocked flow who stopped it); it stands for one or more flows. A <b>violation</b> is a finding whose verdict fails the run (--fail-on)${r.failOn.includes("unobserved-required") ? ", or a required rule never observed" : ""}${r.baseline ? ", and with a baseline only a new or changed one" : ""}.</p></details>
${leftNote}<p><label for="filter">Filter rows: </label><input id="filter" type="search" placeholder="address, role, port, rule, verdict…" autocomplete="off"> <span id="filter-count" class="dim"></span></p>
`;
}

function chips(r: Report, g: Gathered): string {
  return VERDICT_ORDER.map((verdict) => {
    const n = verdict === "unobserved-required"
      ? plural(r.summary[verdict], "rule")
      : findingsAndFlows(g.perVerdict.get(verdict)?.findings ?? 0, "finding", g.perVerdict.get(verdict)?.records ?? 0);
    const fails = namesVerdict(r.failOn, verdict);
    return `<li class="chip v-${h(verdict)}${fails ? " fails" : ""}"${fails ? ` title="fails the run (--fail-on)"` : ""}><span class="sym">${SYMBOL[verdict]}</span> ${h(verdict)}: <b>${n}</b></li>`;
  }).join("");
}

function matrixSection(r: Report, g: Gathered): string {
  return `<details class="section" id="matrix" open><summary><h2>Role matrix</h2></summary>
<p class="dim">Each cell lists the services the ruleset requires from the row's role to the column's role and what the inputs show: ✓ allowed seen, ✗ blocked seen, ○ not observed, ⚠ unexpected traffic allowed between these roles. <span class="tag inferred">inferred</span> marks a rule the document does not state (hover for the reason).</p>
${matrixTable(r, g.roles, g.unexpectedByPair)}
</details>
`;
}

function coverageSection(r: Report): string {
  const required = r.coverage.filter((c) => c.requirement === "required");
  const observed = required.filter((c) => c.allowed + c.blocked > 0).length;
  const unobserved = r.coverage.filter((c) => c.status === "unobserved");
  const inferred = unobserved.filter((c) => c.inferred).length;
  // As text.ts and markdown.ts say it: readings of one row that coverage counts once.
  const readings = required.filter((c) => c.status === "not-observed").length;
  return `<details class="section" id="coverage"><summary><h2>Coverage: ${num(observed)} of ${plural(required.length, "required rule")} observed; ${num(unobserved.length)} unobserved-required${inferred > 0 ? ` (${num(inferred)} on inferred rules)` : ""}${readings > 0 ? `; ${plural(readings, "other reading")} of the same rows not asked for` : ""}</h2></summary>
${coverageTable(r.coverage)}
</details>
`;
}

function inputsSection(r: Report): string {
  const failed = r.inputs.filter((i) => i.error).length;
  const open = failed > 0 || r.inputs.length <= 10;
  return `<details class="section" id="inputs"${open ? " open" : ""}><summary><h2>Inputs: ${plural(r.inputs.length, "input")}, ${plural(r.totals.records.read, "record")} read${failed > 0 ? `, ${num(failed)} could not be read` : ""}</h2></summary>
${inputsTable(r.inputs)}
</details>
`;
}
