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

/**
 * Apply a baseline: mark each finding (and each rule's coverage) new, changed or unchanged, count as
 * violations only the new and changed ones, and list what failed in the baseline and fails no more.
 */
export function applyBaseline(r: Report, baseline: Report, baselineFile: string): Report {
  const d = diffReports(baseline, r);
  const isNew = new Set(d.added);
  const before = new Map(d.changed.map((c) => [c.finding, c.before] as const));
  for (const f of r.findings) {
    const was = before.get(f);
    f.baseline = isNew.has(f) ? "new" : was ? "changed" : "unchanged";
    if (was) f.baselineBefore = was;
  }
  const oldCoverage = new Map(baseline.coverage.map((c) => [c.rule, c.status] as const));
  for (const c of r.coverage) {
    const was = oldCoverage.get(c.rule);
    c.baseline = was === undefined ? "new" : was === c.status ? "unchanged" : "changed";
  }
  const failing = r.findings.filter((f) => failsOn(r.failOn, f));
  const unobserved = r.failOn.includes("unobserved-required") ? r.coverage.filter((c) => c.status === "unobserved") : [];
  const counted = failing.filter((f) => f.baseline !== "unchanged");
  const fresh = unobserved.filter((c) => c.baseline !== "unchanged");
  r.baseline = {
    file: baselineFile, new: d.added.length, changed: d.changed.length, unchanged: d.unchanged, resolved: d.resolved.length,
    allViolations: failing.length + unobserved.length,
    absent: absentFindings(baseline, failing, r.failOn),
    absentRules: r.failOn.includes("unobserved-required")
      ? baseline.coverage.filter((c) => c.status === "unobserved" && !unobserved.some((u) => u.rule === c.rule)).map((c) => c.rule)
      : [],
  };
  r.totals.violations = counted.length + fresh.length;
  r.totals.violationsOnInferredRules = counted.filter((f) => f.ruleInferred === true).length + fresh.filter((c) => c.inferred).length;
  if (r.exitCode !== 2) r.exitCode = r.totals.violations > 0 ? 1 : 0;
  return r;
}

/**
 * The baseline's findings that fail under `failOn` and have no failing successor in this run: no
 * failing finding of the same flow with the same verdict, and none that changed from it. A report
 * written before `blockedBy` existed is matched by verdict alone.
 */
function absentFindings(baseline: Report, failingNow: readonly Finding[], failOn: readonly string[]): Finding[] {
  const now = new Map<string, Finding[]>();
  for (const f of failingNow) {
    const k = flowKey(f);
    const list = now.get(k);
    if (list) list.push(f);
    else now.set(k, [f]);
  }
  const gone = baseline.findings.filter((old) => {
    if (!failsOn(failOn, old)) return false;
    const state = stateOf(old);
    return !(now.get(flowKey(old)) ?? []).some((f) => f.baseline === "changed" || stateOf(f) === state || f.verdict === state);
  });
  // As this report's own findings: a baseline's marks against its own baseline do not carry over, and a
  // report written before attribution existed says who stopped it as null.
  return gone.map(({ baseline: _mark, baselineBefore: _before, ...f }) => ({ ...f, blockedBy: f.blockedBy ?? null }));
}

function flow(f: Finding): string {
  return f.port !== null ? `${f.protocol}/${f.port}` : f.icmpType !== null ? `${f.protocol} type ${f.icmpType}` : f.protocol;
}
function line(f: Finding): string {
  return `${stateOf(f)}  ${f.srcRole ?? "?"} -> ${f.dstRole ?? "?"}  ${flow(f)}  ${f.src} -> ${f.dst}${f.rule ? `  rule ${f.rule}` : ""}  ${f.count} flow${f.count === 1 ? "" : "s"}`;
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
