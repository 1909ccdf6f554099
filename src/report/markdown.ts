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

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const violations = r.findings.filter((f) => failsOn(r.failOn, f));
  // Not a complete check still says what the inputs read showed: the violations are real.
  const found = violations.length > 0 ? `; **${r.totals.violations} violation(s)** in what was read` : "";
  const result = r.exitCode === 2 ? `**not a complete check** (${m(notCheckedReasons(r))})${found}` : violations.length > 0 ? `**${r.totals.violations} violation(s)**` : "no violations";
  out.push(`### portmatrix: ${m(r.ruleset.title)}`, "");
  const onInferred = (r.totals.violationsOnInferredRules ?? 0) > 0 ? ` ${r.totals.violationsOnInferredRules} of them rest on inferred rules (not stated by the document).` : "";
  const only = r.ruleset.documentedOnly === true ? " (documented rules only)" : "";
  out.push(`Result: ${result} (fail-on: ${m(r.failOn.join(", "))}).${onInferred} Ruleset \`${m(r.ruleset.id)}\`${only}, scenarios: ${m(r.ruleset.scenarios.join(", ") || "all")}; ${r.totals.records.read} records read, ${r.totals.records.used} used, ${r.totals.records.skipped} skipped.`, "");
  out.push(`Checked: ${m(checkedSummary(r.checked))}.`, "");
  if (r.checked.problems.length > 0) out.push(...r.checked.problems.map((p) => `- ${p.fatal ? "✗" : "•"} ${m(p.message)}${p.fatal ? "" : " (accepted: --allow-empty)"}`), "");
  out.push(`| ${VERDICT_ORDER.map((v) => m(v)).join(" | ")} |`, `|${VERDICT_ORDER.map(() => "---:").join("|")}|`, `| ${VERDICT_ORDER.map((v) => r.summary[v]).join(" | ")} |`, "");
  if (violations.length > 0) {
    out.push("| verdict | source | destination | protocol/port | rule | count | stopped by | evidence |", "|---|---|---|---|---|---:|---|---|");
    for (const f of violations.slice(0, MAX_ROWS)) {
      const src = `${m(f.src)} (${m(f.srcRole ?? "not in inventory")})`;
      const dst = `${m(f.dst)} (${m(f.dstRole ?? "not in inventory")})`;
      out.push(`| ${m(f.verdict)} | ${src} | ${dst} | ${m(flow(f))} | ${f.rule ? m(f.rule) + (f.ruleInferred === true ? " (inferred)" : "") : "–"} | ${f.count} | ${f.blockedBy ? m(f.blockedBy) : "–"} | ${m(f.evidence.join("; "))} |`);
    }
    if (violations.length > MAX_ROWS) out.push("", `… and ${violations.length - MAX_ROWS} more violation(s): see the JSON or HTML report.`);
    out.push("");
  }
  const unobserved = r.coverage.filter((c) => c.status === "unobserved");
  const required = r.coverage.filter((c) => c.requirement === "required");
  const guessed = unobserved.filter((c) => c.inferred).length;
  const readings = required.filter((c) => c.status === "not-observed").length;
  out.push(`Coverage: ${required.filter((c) => c.allowed + c.blocked > 0).length} of ${required.length} required rules observed; ${unobserved.length} unobserved-required${guessed > 0 ? ` (${guessed} of them on inferred rules)` : ""}${readings > 0 ? `; ${readings} other reading(s) of the same statements not asked for` : ""}.`);
  if (unobserved.length > 0) out.push("", `<details><summary>unobserved required rules</summary>`, "", ...unobserved.map((c) => `- \`${m(c.rule)}\`${c.inferred ? " (inferred)" : ""}: ${m(c.from)} → ${m(c.to)} ${m(c.services.join(", "))}`), "", "</details>");
  out.push("", "Inputs: " + r.inputs.map((i) => `${m(i.path)} (${m(i.format)}: ${i.records.read} read, ${i.records.used} used, ${i.records.skipped} skipped${i.error ? `; error: ${m(i.error)}` : ""})`).join("; "));
  return out.join("\n") + "\n";
}
