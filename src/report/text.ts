import { PROBE_FORMAT, type Finding, type InputReport, type Report } from "./types.js";
import { VERDICT_ORDER } from "./build.js";
import { escapeTerminal } from "./escape.js";
import { checkedSummary, notCheckedReasons } from "./checked.js";
import { failsOn, namesVerdict } from "./fail-on.js";
import { stoppedBy, stoppedByText } from "./attribution.js";
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
  if (f.protocol === "icmp" || f.protocol === "icmpv6") return `${safe(f.protocol)} type unknown`;
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

/** "3 flows": every count in the report says what it counts (README "Words"). */
export function counted(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** How a finding compares with the --baseline, as a mark before its addresses ("" when unchanged or no baseline). */
function baselineTag(f: Finding): string {
  if (f.baseline === "new") return "[new] ";
  if (f.baseline === "changed") return `[changed, was ${safe((f.baselineBefore ?? []).join(", ") || "?")}] `;
  return "";
}

/** "1 new, 1 changed" ("" for none). */
function marksText(n: number, c: number): string {
  return [n ? `${n} new` : "", c ? `${c} changed` : ""].filter(Boolean).join(", ");
}

/** Findings of one role pair and service: the first `maxHosts` to show (new and changed first), and counts. */
interface GroupDigest {
  /** New and changed findings, and the others, each kept up to maxHosts (at least one), in report order. */
  marked: Finding[];
  others: Finding[];
  length: number;
  flows: number;
  new: number;
  changed: number;
}

/** One verdict's findings, digested in one pass: only what its section prints is kept. */
interface VerdictDigest {
  length: number;
  flows: number;
  new: number;
  changed: number;
  stopped: Record<"network" | "destination" | "unknown", number>;
  /** By role pair and service, in the order of their first finding. */
  groups: Map<string, GroupDigest>;
}

/**
 * Every verdict's digest, from the findings read once in report order: a report of 200,000 findings is
 * rendered without an array of them (the CLI reads them one at a time from the finding table).
 */
function digestFindings(findings: Iterable<Finding>, maxHosts: number): Map<string, VerdictDigest> {
  const out = new Map<string, VerdictDigest>();
  for (const f of findings) {
    let d = out.get(f.verdict);
    if (d === undefined) {
      d = { length: 0, flows: 0, new: 0, changed: 0, stopped: { network: 0, destination: 0, unknown: 0 }, groups: new Map() };
      out.set(f.verdict, d);
    }
    const isNew = f.baseline === "new", isChanged = f.baseline === "changed";
    d.length++;
    d.flows += f.count;
    if (isNew) d.new++;
    if (isChanged) d.changed++;
    if (f.blockedBy) d.stopped[f.blockedBy]++;
    const key = `${f.srcRole ?? "?"}\u0000${f.dstRole ?? "?"}\u0000${flowName(f)}`;
    let g = d.groups.get(key);
    if (g === undefined) {
      g = { marked: [], others: [], length: 0, flows: 0, new: 0, changed: 0 };
      d.groups.set(key, g);
    }
    g.length++;
    g.flows += f.count;
    if (isNew) g.new++;
    if (isChanged) g.changed++;
    const keep = isNew || isChanged ? g.marked : g.others;
    // At least one: the group's line is written from its first finding.
    if (keep.length < Math.max(1, maxHosts)) keep.push(f);
  }
  return out;
}

/** One verdict's section: its heading, then each group with its first findings. */
function verdictSection(r: Report, v: string, d: VerdictDigest, maxHosts: number, c: (v: string, s: string) => string): string[] {
  const out: string[] = [];
  const by = stoppedByText(d.stopped);
  const marks = marksText(d.new, d.changed);
  out.push(c(v, `${namesVerdict(r.failOn, v) ? "✗" : "•"} ${v}`) + `: ${counted(d.length, "finding")}${marks ? ` (${marks})` : ""}, ${counted(d.flows, "flow")} (${VIOLATION_HINT[v]}${by ? `; ${by}` : ""})`);
  for (const g of d.groups.values()) {
    // With a baseline, new and changed findings first (a stable order otherwise).
    const kept = [...g.marked, ...g.others];
    const shown = kept.slice(0, maxHosts);
    const f0 = kept[0]!;
    const svc = f0.services.length > 0 ? ` (${safe(f0.services.join(", "))})` : "";
    const rule = f0.rule ? `  rule ${safe(f0.rule)}${f0.ruleInferred === true ? " (inferred)" : ""}` : "";
    out.push(`    ${safe(f0.srcRole ?? "(not in inventory)")} -> ${safe(f0.dstRole ?? "(not in inventory)")}  ${flowName(f0)}${svc}${rule}  ${counted(g.length, "finding")}, ${counted(g.flows, "flow")}`);
    for (const f of shown) {
      const ev = f.evidence.length > 0 ? `  [${f.evidence.map(safe).join("; ")}]` : "";
      const where = safe(exampleWhere(f.example));
      const who = stoppedBy(f, f.dst);
      out.push(`        ${baselineTag(f)}${host(f.src, f.srcName)} -> ${host(f.dst, f.dstName)}  ${counted(f.count, "flow")}${who ? `  ${safe(who)}` : ""}${ev}  first at ${where}`);
    }
    if (g.length > maxHosts) {
      const shownNew = shown.filter((f) => f.baseline === "new").length, shownChanged = shown.filter((f) => f.baseline === "changed").length;
      const marksHidden = marksText(g.new - shownNew, g.changed - shownChanged);
      out.push(`        ... and ${counted(g.length - maxHosts, "more finding")}${marksHidden ? ` (${marksHidden})` : ""}`);
    }
    if (f0.ruleSource && (v === "blocked-required")) out.push(`        source: ${safe(f0.ruleSource)}`);
    // A verdict that rests on the ruleset's reading, not on the document, says so and why.
    if (f0.ruleInferred === true && v === "blocked-required") out.push(`        inferred, not stated by the document: ${safe(f0.ruleInferredReason ?? "")}`);
  }
  out.push("");
  return out;
}

/** "Baseline: old.json; 1 new, 1 changed, 11 unchanged findings; 3 findings that failed there fail no more" */
function baselineLine(r: Report): string | undefined {
  const b = r.baseline;
  if (!b) return undefined;
  const gone = (b.absent?.length ?? 0) + (b.absentRules?.length ?? 0);
  return `Baseline: ${safe(b.file)}; findings: ${b.new} new, ${b.changed} changed, ${b.unchanged} unchanged, ${b.resolved} gone` +
    (gone > 0 ? `; ${counted(gone, "violation")} of the baseline ${gone === 1 ? "fails" : "fail"} no more` : "");
}

/** A summary a person reads in five seconds: violations first, grouped by role pair and service. */
/**
 * Which command made the report, from its inputs: a probe's report has the probe's attempts as its one
 * input; `collect` names its inputs by the sockets it listened on (collect/collector.ts).
 */
export function reportCommand(r: Pick<Report, "inputs">): "probe" | "collect" | "check" {
  if (r.inputs.length === 0) return "check";
  if (r.inputs.every((i) => i.format === PROBE_FORMAT)) return "probe";
  if (r.inputs.every((i) => /^(udp|tcp):\/\//.test(i.path))) return "collect";
  return "check";
}

/** The text report; `findings` (each once, in report order) stand for `r.findings` when given. */
export function renderText(r: Report, o: TextOptions, findings: Iterable<Finding> = r.findings): string {
  const c = (v: string, s: string) => (o.color ? `${COLORS[v] ?? ""}${s}\x1b[0m` : s);
  const bold = (s: string) => (o.color ? `\x1b[1m${s}\x1b[0m` : s);
  const maxHosts = o.maxHosts ?? 3;
  const out: string[] = [];
  const scen = r.ruleset.scenarios.length > 0 ? r.ruleset.scenarios.join(", ") : "all";
  const only = r.ruleset.documentedOnly === true ? "; documented rules only" : "";
  const command = `portmatrix ${reportCommand(r)}`;
  out.push(`${bold(command)}  ruleset ${safe(r.ruleset.id)} (scenarios: ${safe(scen)}${only})  inventory ${safe(r.inventory.file)} (${r.inventory.entries} entries)`);
  const base = baselineLine(r);
  if (base) out.push(base);
  out.push("");

  const shown = VERDICT_ORDER.filter((v) => v !== "unobserved-required" && (o.all || !["allowed-required", "blocked-unexpected"].includes(v)));
  const digests = digestFindings(findings, maxHosts);
  for (const v of shown) {
    const d = digests.get(v);
    if (d !== undefined && d.length > 0) out.push(...verdictSection(r, v, d, maxHosts, c));
  }
  const quiet = ["allowed-required", "blocked-unexpected"].filter((v) => !shown.includes(v as never));
  const quietParts = quiet.map((v) => `${counted(digests.get(v)?.length ?? 0, `${v} finding`)} (${counted(r.summary[v as keyof typeof r.summary], "flow")})`).join(", ");
  if (quietParts) out.push(`Also: ${quietParts} (shown with --all).`);

  const unobserved = r.coverage.filter((x) => x.status === "unobserved");
  const required = r.coverage.filter((x) => x.requirement === "required");
  const observed = required.filter((x) => x.allowed + x.blocked > 0);
  const guessed = unobserved.filter((x) => x.inferred).length;
  const guessedNote = guessed > 0 ? `; ${guessed} of them rest on inferred rules` : "";
  // A required rule left "not-observed" is another reading of a statement that coverage counts once.
  const readings = required.filter((x) => x.status === "not-observed").length;
  const readingsNote = readings > 0 ? `; ${counted(readings, "other reading")} of the same statements not asked for` : "";
  out.push(`Coverage: ${observed.length} of ${required.length} required rules observed; ${c("unobserved-required", `${unobserved.length} unobserved-required`)} (hosts on both sides, no traffic${guessedNote})${readingsNote}`);
  // With a baseline, the rules that became unobserved come first: they are what fails the run.
  const fresh = (x: (typeof unobserved)[number]) => (x.baseline === undefined || x.baseline === "unchanged" ? 1 : 0);
  const listed = r.baseline ? [...unobserved].sort((a, b) => fresh(a) - fresh(b)) : unobserved;
  for (const u of listed.slice(0, o.all ? listed.length : 5)) {
    const mark = r.baseline && fresh(u) === 0 ? "[new] " : "";
    out.push(`    ${mark}${safe(u.rule)}: ${safe(u.from)} -> ${safe(u.to)} ${safe(u.services.join(", "))}${u.inferred ? " (inferred)" : ""}`);
  }
  if (!o.all && unobserved.length > 5) out.push(`    ... and ${unobserved.length - 5} more (--all, or --format json)`);
  out.push("");

  out.push("Inputs:");
  for (const i of r.inputs) {
    out.push(`    ${inputLine(i)}`);
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
 * "7 violations", or with a baseline "2 new of 7 violations": what fails the run among all there are
 * (totals.violations counts only new and changed ones then).
 */
function violationsText(r: Report): string {
  const v = r.totals.violations;
  if (!r.baseline) return counted(v, "violation");
  return `${v} new of ${counted(r.baseline.allViolations ?? v, "violation")}`;
}

/** "(1 new finding, 1 changed verdict; 5 unchanged since old.json)": what the new violations are. */
function baselineBreakdown(r: Report): string {
  const b = r.baseline!;
  const failing = r.findings.filter((f) => failsOn(r.failOn, f));
  const parts = [
    counted(failing.filter((f) => f.baseline === "new").length, "new finding"),
    counted(failing.filter((f) => f.baseline === "changed").length, "changed verdict"),
  ];
  if (r.failOn.includes("unobserved-required")) {
    parts.push(counted(r.coverage.filter((x) => x.status === "unobserved" && x.baseline !== "unchanged").length, "newly unobserved rule"));
  }
  const unchanged = (b.allViolations ?? r.totals.violations) - r.totals.violations;
  return ` (${parts.join(", ")}; ${unchanged} unchanged since ${safe(b.file)})`;
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
    const any = v > 0 || (r.baseline?.allViolations ?? 0) > 0;
    return `Result: not a complete check (${notCheckedReasons(r)})${any ? `; ${violationsText(r)} in what was read` : ""} (exit 2)`;
  }
  if (r.baseline) {
    return v > 0
      ? `Result: ${violationsText(r)}${baselineBreakdown(r)}${onInferred(r)} (fail-on: ${failOn}) (exit 1)`
      : `Result: no new violations; ${r.baseline.allViolations ?? 0} unchanged since ${safe(r.baseline.file)} (fail-on: ${failOn}) (exit 0)`;
  }
  return v > 0 ? `Result: ${counted(v, "violation")}${onInferred(r)} (fail-on: ${failOn}) (exit 1)` : `Result: no violations (fail-on: ${failOn}) (exit 0)`;
}

/**
 * One input's accounting in the README's words: records read = used + skipped (by reason); for
 * records that hold several flows, the flows read, used and skipped; then the flows the matcher saw
 * and how many had both ends in the inventory. A capture's records are packets, its flows connections.
 */
export function inputLine(i: InputReport): string {
  const skipped = Object.entries(i.skippedByReason).map(([k, n]) => `${safe(k)} ${n}`).join(", ");
  const fmt = `${safe(i.format)}${i.compressed ? ", compressed" : ""}`;
  const capture = i.format === "pcap" || i.format === "pcapng";
  const records = `${counted(i.records.read, "record")}${capture ? " (packets)" : ""} read, ${i.records.used} used, ${i.records.skipped} skipped${skipped ? ` (${skipped})` : ""}`;
  const multi = flowsText(i);
  const flows = multi
    ? `${multi}; ${i.events.classified} of ${counted(i.events.total, "flow")} classified`
    : `; ${counted(i.events.total, "flow")}${capture ? " (connections)" : ""}, ${i.events.classified} classified`;
  return `${safe(i.path)} (${fmt}): ${records}${flows}`;
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
