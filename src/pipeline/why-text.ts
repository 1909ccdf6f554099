/** The text view of `portmatrix why` (the JSON view is the WhyResult itself). */
import type { RuleStatus, WhyObservation, WhyResult, WhyRule } from "./why.js";
import { escapeTerminal } from "../report/escape.js";

export interface WhyTextOptions {
  /** Every observation, advice and attempt instead of the first few of each. */
  all?: boolean;
}

/** Lines of one list shown before "... and N more (--all)". */
export const WHY_SHOWN = 5;

const MARK: Record<RuleStatus, string> = { blocked: "✗", allowed: "✓", inconclusive: "?", "not observed": "○" };

/** "3 blocked, 2 allowed" for the observations left out. */
function hiddenKinds(hidden: readonly WhyObservation[]): string {
  const n = { blocked: 0, inconclusive: 0, allowed: 0 };
  for (const o of hidden) n[o.status]++;
  return (["blocked", "inconclusive", "allowed"] as const).filter((k) => n[k] > 0).map((k) => `${n[k]} ${k}`).join(", ");
}

/** The first `shown` lines of a list, then one line saying how many more there are and how to see them. */
function capped<T>(list: readonly T[], shown: number, line: (t: T) => string, more: (hidden: readonly T[]) => string): string[] {
  const out = list.slice(0, shown).map(line);
  if (list.length > shown) out.push(more(list.slice(shown)));
  return out;
}

function ruleLines(r: WhyRule, shown: number): string[] {
  const peerRole = r.direction === "out" ? r.to : r.from;
  const out = [`  ${MARK[r.status]} ${r.status.padEnd(12)} ${r.rule}: ${r.direction === "out" ? "->" : "<-"} ${peerRole} ${r.ports}${r.requirement === "conditional" ? " (conditional)" : ""}${r.inferred ? " (inferred)" : ""}`];
  if (r.peers.length) out.push(`      peers: ${r.peers.slice(0, 6).join(", ")}${r.peers.length > 6 ? `, and ${r.peers.length - 6} more` : ""}`);
  out.push(...capped(r.observations, shown, (o) => `      ${o.text}`, (h) => `      ... and ${h.length} more (${hiddenKinds(h)}; --all shows them)`));
  if (r.inferred && r.status === "blocked") out.push(`      inferred, not stated by the document: ${r.inferredReason ?? ""}`);
  out.push(...capped(r.advice, shown, (a) => `      → ${a}`, (h) => `      → ... and ${h.length} more (--all)`));
  return out;
}

/** The text view. Every line is escaped whole (escapeTerminal): no value can break or forge a line. */
export function renderWhy(w: WhyResult, o: WhyTextOptions = {}): string {
  const shown = o.all ? Infinity : WHY_SHOWN;
  const out: string[] = [];
  out.push(`${w.host}${w.name && w.name !== w.host ? ` (${w.name})` : ""}${w.address !== w.host ? ` = ${w.address}` : ""}: roles ${w.roles.join(", ")}; scenarios: ${w.scenarios.join(", ") || "all"}${w.documentedOnly ? "; documented rules only" : ""}`);
  out.push("");
  for (const dir of ["out", "in"] as const) {
    const list = w.rules.filter((r) => r.direction === dir);
    if (!list.length) continue;
    out.push(dir === "out" ? "As a source:" : "As a destination:");
    for (const r of list) out.push(...ruleLines(r, shown));
    out.push("");
  }
  if (w.blockedUnlisted.length) {
    out.push(`Tried by ${w.address} and blocked, with no rule to check it against:`);
    out.push(...capped(w.blockedUnlisted, shown, (u) => `  ✗ ${u}`, (h) => `  ... and ${h.length} more (--all)`));
    out.push("");
  }
  if (w.blockedTowards.length) {
    out.push(`Tried towards ${w.address} by other hosts and blocked, with no rule to check it against:`);
    out.push(...capped(w.blockedTowards, shown, (u) => `  ✗ ${u}`, (h) => `  ... and ${h.length} more (--all)`));
    out.push("");
  }
  if (w.unexpected.length) {
    out.push(`Allowed for ${w.address}, and not in the matrix:`);
    out.push(...capped(w.unexpected, shown, (u) => `  ⚠ ${u}`, (h) => `  ... and ${h.length} more (--all)`));
    out.push("");
  }
  if (w.checked) {
    const c = w.checked;
    const n = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
    out.push(`Checked: ${n(c.records, "record")} from ${n(c.inputs, "input")}; ${n(c.flows, "flow")}, ${c.flowsClassified} classified (both ends in the inventory); ${n(c.findings, "finding")}`);
    for (const p of c.problems) out.push(`    ✗ ${p}`);
    if (c.problems.length > 0) out.push("    (the answer below rests only on what was checked)");
  }
  out.push(`Verdict: ${w.verdict.text}`);
  return out.map(escapeTerminal).join("\n") + "\n";
}
