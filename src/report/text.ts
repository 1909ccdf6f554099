import { PROBE_FORMAT, type Finding, type InputReport, type Report } from "./types.js";
import { VERDICT_ORDER } from "./build.js";
import { escapeTerminal } from "./escape.js";
import { checkedSummary, notCheckedReasons } from "./checked.js";
import { namesVerdict } from "./fail-on.js";
import { stoppedBy, stoppedByCounts } from "./attribution.js";
import { exampleWhere } from "./example.js";

export interface TextOptions {
  color: boolean;
  /** Rows per group before "... and N more". */
  maxHosts?: number;
  /** Show allowed-required and blocked-unexpected groups too (they are summarised otherwise). */
  all?: boolean;
}

/**
 * Every value interpolated into a line goes through `safe`: a control character, a line break or a bidi
 * override from a log, a file name, the inventory or a ruleset must not reach the terminal or start a
 * line of its own (test/report/text-hostile.test.ts replaces every string of a report to check it).
 */
const safe = escapeTerminal;

const COLORS: Record<string, string> = {
  "blocked-required": "\x1b[31;1m",
  "allowed-unexpected": "\x1b[33;1m",
  "unobserved-required": "\x1b[35m",
  inconclusive: "\x1b[36m",
  unclassified: "\x1b[2m",
  "blocked-unexpected": "\x1b[32m",
  "allowed-required": "\x1b[32m",
};

function flowName(f: Pick<Finding, "protocol" | "port" | "icmpType">): string {
  if (f.port !== null) return `${safe(f.protocol)}/${f.port}`;
  if (f.icmpType !== null) return `${safe(f.protocol)} type ${f.icmpType}`;
  return safe(f.protocol);
}

function host(addr: string, name: string | null): string {
  return name ? `${safe(name)} (${safe(addr)})` : safe(addr);
}

const VIOLATION_HINT: Record<string, string> = {
  "blocked-required": "required, but it does not get through",
  "allowed-unexpected": "the firewall is wider than the spec",
  "unobserved-required": "required, hosts on both sides, no traffic seen",
  inconclusive: "outcome unknown",
  unclassified: "an endpoint is not in the inventory",
  "blocked-unexpected": "blocked and not in the matrix (as it should be)",
  "allowed-required": "allowed as the matrix requires",
};

/** ", 2 of them on inferred rules" when some violations rest on the ruleset's reading, not the document. */
function onInferred(r: Report): string {
  const n = r.totals.violationsOnInferredRules ?? 0;
  return n > 0 ? `, ${n} of them on inferred rules` : "";
}

/** A summary a person reads in five seconds: violations first, grouped by role pair and service. */
export function renderText(r: Report, o: TextOptions): string {
  const c = (v: string, s: string) => (o.color ? `${COLORS[v] ?? ""}${s}\x1b[0m` : s);
  const bold = (s: string) => (o.color ? `\x1b[1m${s}\x1b[0m` : s);
  const maxHosts = o.maxHosts ?? 3;
  const out: string[] = [];
  const scen = r.ruleset.scenarios.length > 0 ? r.ruleset.scenarios.join(", ") : "all";
  const only = r.ruleset.documentedOnly === true ? "; documented rules only" : "";
  // A probe's report has the probe's attempts as its one input: it says which command made it.
  const command = r.inputs.length > 0 && r.inputs.every((i) => i.format === PROBE_FORMAT) ? "portmatrix probe" : "portmatrix check";
  out.push(`${bold(command)}  ruleset ${safe(r.ruleset.id)} (scenarios: ${safe(scen)}${only})  inventory ${safe(r.inventory.file)} (${r.inventory.entries} entries)`);
  out.push("");


  const shown = VERDICT_ORDER.filter((v) => v !== "unobserved-required" && (o.all || !["allowed-required", "blocked-unexpected"].includes(v)));
  for (const v of shown) {
    const fs = r.findings.filter((f) => f.verdict === v);
    if (fs.length === 0) continue;
    // Group by role pair and service.
    const groups = new Map<string, Finding[]>();
    for (const f of fs) {
      const key = `${f.srcRole ?? "?"}\u0000${f.dstRole ?? "?"}\u0000${flowName(f)}`;
      const g = groups.get(key);
      if (g) g.push(f);
      else groups.set(key, [f]);
    }
    const events = fs.reduce((n, f) => n + f.count, 0);
    const by = stoppedByCounts(fs);
    out.push(c(v, `${namesVerdict(r.failOn, v) ? "✗" : "•"} ${v}`) + `: ${groups.size} flow${groups.size === 1 ? "" : "s"}, ${events} record${events === 1 ? "" : "s"} (${VIOLATION_HINT[v]}${by ? `; ${by}` : ""})`);
    for (const g of groups.values()) {
      const f0 = g[0]!;
      const count = g.reduce((n, f) => n + f.count, 0);
      const svc = f0.services.length > 0 ? ` (${safe(f0.services.join(", "))})` : "";
      const rule = f0.rule ? `  rule ${safe(f0.rule)}${f0.ruleInferred === true ? " (inferred)" : ""}` : "";
      out.push(`    ${safe(f0.srcRole ?? "(not in inventory)")} -> ${safe(f0.dstRole ?? "(not in inventory)")}  ${flowName(f0)}${svc}${rule}  ×${count}`);
      for (const f of g.slice(0, maxHosts)) {
        const ev = f.evidence.length > 0 ? `  [${f.evidence.map(safe).join("; ")}]` : "";
        const where = safe(exampleWhere(f.example));
        const who = stoppedBy(f, f.dst);
        out.push(`        ${host(f.src, f.srcName)} -> ${host(f.dst, f.dstName)}  ×${f.count}${who ? `  ${safe(who)}` : ""}${ev}  first at ${where}`);
      }
      if (g.length > maxHosts) out.push(`        ... and ${g.length - maxHosts} more host pair${g.length - maxHosts === 1 ? "" : "s"}`);
      if (f0.ruleSource && (v === "blocked-required")) out.push(`        source: ${safe(f0.ruleSource)}`);
      // A verdict that rests on the ruleset's reading, not on the document, says so and why.
      if (f0.ruleInferred === true && v === "blocked-required") out.push(`        inferred, not stated by the document: ${safe(f0.ruleInferredReason ?? "")}`);
    }
    out.push("");
  }
  const quiet = ["allowed-required", "blocked-unexpected"].filter((v) => !shown.includes(v as never));
  const quietParts = quiet.map((v) => `${r.summary[v as keyof typeof r.summary]} ${v}`).join(", ");
  if (quietParts) out.push(`Also: ${quietParts} record(s) (shown with --all).`);

  const unobserved = r.coverage.filter((x) => x.status === "unobserved");
  const required = r.coverage.filter((x) => x.requirement === "required");
  const observed = required.filter((x) => x.allowed + x.blocked > 0);
  const guessed = unobserved.filter((x) => x.inferred).length;
  const guessedNote = guessed > 0 ? `; ${guessed} of them rest on inferred rules` : "";
  // A required rule left "not-observed" is another reading of a statement that coverage counts once.
  const readings = required.filter((x) => x.status === "not-observed").length;
  const readingsNote = readings > 0 ? `; ${readings} other reading(s) of the same statements not asked for` : "";
  out.push(`Coverage: ${observed.length} of ${required.length} required rules observed; ${c("unobserved-required", `${unobserved.length} unobserved-required`)} (hosts on both sides, no traffic${guessedNote})${readingsNote}`);
  for (const u of unobserved.slice(0, o.all ? unobserved.length : 5)) {
    out.push(`    ${safe(u.rule)}: ${safe(u.from)} -> ${safe(u.to)} ${safe(u.services.join(", "))}${u.inferred ? " (inferred)" : ""}`);
  }
  if (!o.all && unobserved.length > 5) out.push(`    ... and ${unobserved.length - 5} more (--all, or --format json)`);
  out.push("");

  out.push("Inputs:");
  for (const i of r.inputs) {
    const skipped = Object.entries(i.skippedByReason).map(([k, n]) => `${safe(k)} ${n}`).join(", ");
    const fmt = `${safe(i.format)}${i.compressed ? ", compressed" : ""}`;
    out.push(`    ${safe(i.path)} (${fmt}): ${i.records.read} read, ${i.records.used} used, ${i.records.skipped} skipped${skipped ? ` (${skipped})` : ""}${flowsText(i)}; ${i.events.classified} of ${i.events.total} classified`);
    if (i.error) out.push(`        error: ${safe(i.error)}`);
  }
  out.push("");
  out.push(`Checked: ${checkedSummary(r.checked)}`);
  for (const p of r.checked.problems) {
    out.push(`    ${p.fatal ? c("blocked-required", "✗") : "•"} ${safe(p.message)}${p.fatal ? "" : " (accepted: --allow-empty)"}`);
  }
  out.push("");
  out.push(bold(resultLine(r)));
  return out.join("\n") + "\n";
}

/**
 * The one line that sums the run up: the violations (also when an input could not be read: what was
 * read is still checked and counted), what fails, and the exit status. `check -o` and `probe -o` print
 * it on stderr.
 */
export function resultLine(r: Report): string {
  const failOn = safe(r.failOn.join(", "));
  const v = r.totals.violations;
  if (r.exitCode === 2) {
    return `Result: not a complete check (${notCheckedReasons(r)})${v > 0 ? `; ${v} violation${v === 1 ? "" : "s"} in what was read` : ""} (exit 2)`;
  }
  return v > 0 ? `Result: ${v} violation${v === 1 ? "" : "s"}${onInferred(r)} (fail-on: ${failOn}) (exit 1)` : `Result: no violations (fail-on: ${failOn}) (exit 0)`;
}

/**
 * "; flows: 5 read, 2 used, 3 skipped (bad-flow-tuple 3)" when records held several flows (the flow
 * count then differs from the records used), else nothing.
 */
export function flowsText(i: InputReport): string {
  const f = i.flows;
  if (f.read === i.records.used && f.skipped === 0) return "";
  const reasons = Object.entries(f.skippedByReason).map(([k, n]) => `${safe(k)} ${n}`).join(", ");
  return `; flows: ${f.read} read, ${f.used} used, ${f.skipped} skipped${reasons ? ` (${reasons})` : ""}`;
}
