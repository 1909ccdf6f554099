/** The report as Markdown, short enough for a pull-request comment: violations first, then coverage. */
import type { Finding, Report } from "./types.js";
import { escapeMarkdown as m } from "./escape.js";
import { VERDICT_ORDER } from "./build.js";
import { checkedSummary, notCheckedReasons } from "./checked.js";
import { failsOn } from "./fail-on.js";

const MAX_ROWS = 30;

function flow(f: Finding): string {
  return f.port !== null ? `${f.protocol}/${f.port}` : f.icmpType !== null ? `${f.protocol} type ${f.icmpType}` : f.protocol;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The result in bold: "5 violations", with a baseline "2 new of 7 violations", or not a complete check. */
function resultText(r: Report): string {
  const v = r.totals.violations;
  const what = r.baseline ? `${v} new of ${plural(r.baseline.allViolations ?? v, "violation")}` : plural(v, "violation");
  if (r.exitCode === 2) return `**not a complete check** (${m(notCheckedReasons(r))})${v > 0 || (r.baseline?.allViolations ?? 0) > 0 ? `; ${what} in what was read` : ""}`;
  if (r.baseline) return v > 0 ? `**${what}**` : `no new violations (${r.baseline.allViolations ?? 0} unchanged)`;
  return v > 0 ? `**${what}**` : "no violations";
}

/** "Baseline `old.json`: findings 1 new, 1 changed, 11 unchanged, 2 gone." */
function baselineText(r: Report): string[] {
  const b = r.baseline;
  if (!b) return [];
  const gone = (b.absent?.length ?? 0) + (b.absentRules?.length ?? 0);
  return [`Baseline \`${m(b.file)}\`: findings ${b.new} new, ${b.changed} changed, ${b.unchanged} unchanged, ${b.resolved} gone${gone > 0 ? `; ${plural(gone, "violation")} of the baseline ${gone === 1 ? "fails" : "fail"} no more` : ""}.`, ""];
}

/** The table of counts per verdict: findings, and the flows they stand for (README "Words"). */
function countsTable(r: Report): string[] {
  const findings = (v: string) => v === "unobserved-required" ? `${r.summary[v]} rules` : String(r.findings.filter((f) => f.verdict === v).length);
  const flows = (v: string) => (v === "unobserved-required" ? "–" : String(r.summary[v as keyof typeof r.summary]));
  return [
    `| | ${VERDICT_ORDER.map((v) => m(v)).join(" | ")} |`, `|---|${VERDICT_ORDER.map(() => "---:").join("|")}|`,
    `| findings | ${VERDICT_ORDER.map(findings).join(" | ")} |`, `| flows | ${VERDICT_ORDER.map(flows).join(" | ")} |`, "",
  ];
}

/** A finding's baseline cell: new, changed (was ...), unchanged. */
function baselineCell(f: Finding): string {
  if (f.baseline === "changed") return `**changed** (was ${m((f.baselineBefore ?? []).join(", "))})`;
  return f.baseline === "new" ? "**new**" : f.baseline ?? "";
}

/** The violations table; with a baseline, new and changed findings first and a column saying which. */
function violationsTable(r: Report, violations: Finding[]): string[] {
  if (violations.length === 0) return [];
  const withBaseline = r.baseline !== undefined;
  const rank = (f: Finding) => (f.baseline === "new" || f.baseline === "changed" ? 0 : 1);
  const rows = withBaseline ? [...violations].sort((a, b) => rank(a) - rank(b)) : violations;
  const out = [
    `| ${withBaseline ? "baseline | " : ""}verdict | source | destination | protocol/port | rule | flows | stopped by | evidence |`,
    `|${withBaseline ? "---|" : ""}---|---|---|---|---|---:|---|---|`,
  ];
  for (const f of rows.slice(0, MAX_ROWS)) {
    const src = `${m(f.src)} (${m(f.srcRole ?? "not in inventory")})`;
    const dst = `${m(f.dst)} (${m(f.dstRole ?? "not in inventory")})`;
    out.push(`| ${withBaseline ? `${baselineCell(f)} | ` : ""}${m(f.verdict)} | ${src} | ${dst} | ${m(flow(f))} | ${f.rule ? m(f.rule) + (f.ruleInferred === true ? " (inferred)" : "") : "–"} | ${f.count} | ${f.blockedBy ? m(f.blockedBy) : "–"} | ${m(f.evidence.join("; "))} |`);
  }
  if (rows.length > MAX_ROWS) {
    const hidden = rows.slice(MAX_ROWS);
    const fresh = hidden.filter((f) => rank(f) === 0).length;
    out.push("", `… and ${plural(hidden.length, "more failing finding")}${withBaseline ? ` (${fresh} new or changed)` : ""}: see the JSON or HTML report.`);
  }
  out.push("");
  return out;
}

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const violations = r.findings.filter((f) => failsOn(r.failOn, f));
  out.push(`### portmatrix: ${m(r.ruleset.title)}`, "");
  const onInferred = (r.totals.violationsOnInferredRules ?? 0) > 0 ? ` ${r.totals.violationsOnInferredRules} of them rest on inferred rules (not stated by the document).` : "";
  const only = r.ruleset.documentedOnly === true ? " (documented rules only)" : "";
  out.push(`Result: ${resultText(r)} (fail-on: ${m(r.failOn.join(", "))}).${onInferred} Ruleset \`${m(r.ruleset.id)}\`${only}, scenarios: ${m(r.ruleset.scenarios.join(", ") || "all")}; ${r.totals.records.read} records read, ${r.totals.records.used} used, ${r.totals.records.skipped} skipped.`, "");
  out.push(...baselineText(r));
  out.push(`Checked: ${m(checkedSummary(r.checked))}.`, "");
  if (r.checked.problems.length > 0) out.push(...r.checked.problems.map((p) => `- ${p.fatal ? "✗" : "•"} ${m(p.message)}${p.fatal ? "" : " (accepted: --allow-empty)"}`), "");
  out.push(...countsTable(r));
  out.push(...violationsTable(r, violations));
  const unobserved = r.coverage.filter((c) => c.status === "unobserved");
  const required = r.coverage.filter((c) => c.requirement === "required");
  const guessed = unobserved.filter((c) => c.inferred).length;
  const readings = required.filter((c) => c.status === "not-observed").length;
  out.push(`Coverage: ${required.filter((c) => c.allowed + c.blocked > 0).length} of ${required.length} required rules observed; ${unobserved.length} unobserved-required${guessed > 0 ? ` (${guessed} of them on inferred rules)` : ""}${readings > 0 ? `; ${plural(readings, "other reading")} of the same statements not asked for` : ""}.`);
  const freshMark = (c: (typeof unobserved)[number]) => (r.baseline && c.baseline !== "unchanged" ? " **new**" : "");
  if (unobserved.length > 0) out.push("", `<details><summary>unobserved required rules</summary>`, "", ...unobserved.map((c) => `- \`${m(c.rule)}\`${c.inferred ? " (inferred)" : ""}${freshMark(c)}: ${m(c.from)} → ${m(c.to)} ${m(c.services.join(", "))}`), "", "</details>");
  out.push("", "Inputs: " + r.inputs.map((i) => `${m(i.path)} (${m(i.format)}: ${i.records.read} records read, ${i.records.used} used, ${i.records.skipped} skipped; ${plural(i.events.total, "flow")}${i.error ? `; error: ${m(i.error)}` : ""})`).join("; "));
  return out.join("\n") + "\n";
}
