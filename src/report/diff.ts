/**
 * Comparing two reports: a finding is identified by its flow (source, destination, protocol, port);
 * it is new when the flow was not in the old report, changed when the flow was there with other
 * verdicts. `--baseline` uses this to fail only on what is new or changed; `portmatrix diff` prints it.
 */
import type { CoverageEntry, Finding, Report } from "./types.js";
import { escapeTerminal } from "./escape.js";
import { failsOn } from "./fail-on.js";

export function flowKey(f: Pick<Finding, "src" | "dst" | "protocol" | "port" | "icmpType">): string {
  return `${f.src}|${f.dst}|${f.protocol}|${f.port ?? ""}|${f.icmpType ?? ""}`;
}

export interface ReportDiff {
  added: Finding[];
  changed: { finding: Finding; before: string[] }[];
  resolved: Finding[];
  unchanged: number;
  coverage: { rule: string; before: CoverageEntry["status"] | "absent"; after: CoverageEntry["status"] | "absent" }[];
}

/**
 * A finding's verdict with who stopped it ("blocked-required:network"): a flow the firewall stopped
 * last week and the destination refuses today has changed. A report written before `blockedBy`
 * existed gives the verdict alone, which any attribution of the same verdict matches.
 */
function stateOf(f: Finding): string {
  return f.blockedBy ? `${f.verdict}:${f.blockedBy}` : f.verdict;
}

export function diffReports(before: Report, after: Report): ReportDiff {
  const old = new Map<string, Set<string>>();
  for (const f of before.findings) {
    const k = flowKey(f);
    old.set(k, (old.get(k) ?? new Set()).add(stateOf(f)));
  }
  const now = new Map<string, Set<string>>();
  for (const f of after.findings) {
    const k = flowKey(f);
    now.set(k, (now.get(k) ?? new Set()).add(stateOf(f)));
  }
  const d: ReportDiff = { added: [], changed: [], resolved: [], unchanged: 0, coverage: [] };
  for (const f of after.findings) {
    const prev = old.get(flowKey(f));
    if (!prev) d.added.push(f);
    else if (!prev.has(stateOf(f)) && !prev.has(f.verdict)) d.changed.push({ finding: f, before: [...prev].sort() });
    else d.unchanged++;
  }
  for (const f of before.findings) {
    const cur = now.get(flowKey(f));
    if (!cur || !cur.has(f.verdict)) {
      if (!cur) d.resolved.push(f);
    }
  }
  const oldCov = new Map(before.coverage.map((c) => [c.rule, c.status] as const));
  const newCov = new Map(after.coverage.map((c) => [c.rule, c.status] as const));
  for (const rule of new Set([...oldCov.keys(), ...newCov.keys()])) {
    const b = oldCov.get(rule) ?? "absent";
    const a = newCov.get(rule) ?? "absent";
    if (a !== b) d.coverage.push({ rule, before: b, after: a });
  }
  return d;
}

/** Apply a baseline: mark each finding and count as violations only new or changed ones. */
export function applyBaseline(r: Report, baseline: Report, baselineFile: string): Report {
  const d = diffReports(baseline, r);
  const isNew = new Set(d.added);
  const isChanged = new Set(d.changed.map((c) => c.finding));
  for (const f of r.findings) f.baseline = isNew.has(f) ? "new" : isChanged.has(f) ? "changed" : "unchanged";
  const counted = r.findings.filter((f) => f.baseline !== "unchanged" && failsOn(r.failOn, f));
  let violations = counted.length;
  let onInferred = counted.filter((f) => f.ruleInferred === true).length;
  if (r.failOn.includes("unobserved-required")) {
    const wasUnobserved = new Set(baseline.coverage.filter((c) => c.status === "unobserved").map((c) => c.rule));
    const fresh = r.coverage.filter((c) => c.status === "unobserved" && !wasUnobserved.has(c.rule));
    violations += fresh.length;
    onInferred += fresh.filter((c) => c.inferred).length;
  }
  r.baseline = { file: baselineFile, new: d.added.length, changed: d.changed.length, unchanged: d.unchanged, resolved: d.resolved.length };
  r.totals.violations = violations;
  r.totals.violationsOnInferredRules = onInferred;
  if (r.exitCode !== 2) r.exitCode = violations > 0 ? 1 : 0;
  return r;
}

function flow(f: Finding): string {
  return f.port !== null ? `${f.protocol}/${f.port}` : f.icmpType !== null ? `${f.protocol} type ${f.icmpType}` : f.protocol === "icmp" || f.protocol === "icmpv6" ? `${f.protocol} type unknown` : f.protocol;
}
function line(f: Finding): string {
  return `${stateOf(f)}  ${f.srcRole ?? "?"} -> ${f.dstRole ?? "?"}  ${flow(f)}  ${f.src} -> ${f.dst}${f.rule ? `  rule ${f.rule}` : ""}  x${f.count}`;
}

/** The diff as a reviewer reads it. */
export function renderDiff(d: ReportDiff, failOn: readonly string[]): string {
  const out: string[] = [];
  const mark = (f: Finding) => (failsOn(failOn, f) ? "✗" : "•");
  out.push(`New findings: ${d.added.length}`);
  for (const f of d.added) out.push(`  ${mark(f)} + ${line(f)}`);
  out.push(`Changed verdicts: ${d.changed.length}`);
  for (const c of d.changed) out.push(`  ${mark(c.finding)} ~ ${line(c.finding)}  (was ${c.before.join(", ")})`);
  out.push(`Gone: ${d.resolved.length}`);
  for (const f of d.resolved) out.push(`    - ${line(f)}`);
  out.push(`Coverage changes: ${d.coverage.length}`);
  for (const c of d.coverage) out.push(`    ${c.rule}: ${c.before} -> ${c.after}`);
  out.push(`Unchanged: ${d.unchanged}`);
  // Saved reports can be edited by anyone: every line is escaped whole, so no value breaks or forges one.
  return out.map(escapeTerminal).join("\n") + "\n";
}
