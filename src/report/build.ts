import type { FindingTable } from "../match/aggregate.js";
import { ALL_VERDICTS, UNOBSERVED_REQUIRED, VERDICTS, ruleCovers, type Matcher, type Verdict } from "../match/matcher.js";
import type { Rule, Ruleset } from "../model/ruleset.js";
import type { Inventory } from "../model/inventory.js";
import { BLOCKED_BY_NAMES, isBinaryFormat } from "../net/proto.js";
import { describeFlows } from "./rules-table.js";
import { inventoryDigest, rulesDigest } from "../model/digest.js";
import { assessChecked, fatalProblems } from "./checked.js";
import { failsOn, type FailOn } from "./fail-on.js";
import { JsonBytes } from "./json-bytes.js";
import { VERDICT_BY_CELLS, findingFacts, flowsPerRule, type FindingFacts } from "./finding-facts.js";
import { reportOrder, sortKeys } from "./finding-order.js";
import { coverageOf } from "./coverage.js";
import { findingView } from "./finding-view.js";
import { VERDICT_ORDER } from "./verdict-order.js";
import { REPORT_SCHEMA, type CoverageEntry, type Finding, type InputReport, type Report } from "./types.js";

export const VERSION = "0.1.0";

export { VERDICT_ORDER };

export const DEFAULT_FAIL_ON: readonly FailOn[] = ["blocked-required", "allowed-unexpected"];

/** What the report needs to know of an input (pipeline/run.ts InputResult fits). */
export interface InputSummary {
  path: string;
  format: string;
  compressed: boolean;
  error?: string;
  stats: {
    read: number;
    used: number;
    readonly skipped: number;
    samples: readonly { position: number; reason: string; text?: string }[];
    skippedObject(): Record<string, number>;
    flowsRead: number;
    flowsUsed: number;
    readonly flowsSkipped: number;
    flowsSkippedObject(): Record<string, number>;
    /** What was read besides records (see InputStats.notes); absent or empty for most inputs. */
    notesObject?(): Record<string, number>;
  };
}

export interface BuildInput {
  table: FindingTable;
  matcher: Matcher;
  ruleset: Ruleset;
  activeRules: readonly Rule[];
  scenarios: readonly string[];
  /** --documented-only: inferred rules are not in `activeRules` (recorded in the report). */
  documentedOnly?: boolean;
  inventory: Inventory;
  /**
   * The inventory as the user gave it, when `inventory` adds to it (a probe counts this machine under
   * its role): the report's identity names this one, so that `why` reads the probe's report with it.
   */
  inventoryAsGiven?: Inventory;
  inputs: readonly InputSummary[];
  failOn: readonly FailOn[];
  now?: Date;
  /** Accept inputs that contribute nothing (`--allow-empty`; see checked.ts). */
  allowEmpty?: boolean;
}

/**
 * A report ready to be written: everything but the findings as objects (`skeleton.findings` is empty),
 * and each finding, in report order, either as an object or directly as its JSON text. A report of
 * hundreds of thousands of findings is written as JSON straight from here (see `jsonReportChunks`),
 * without holding an object per finding.
 */
export interface PreparedReport {
  readonly skeleton: Report;
  readonly length: number;
  /** The k-th finding in report order. */
  finding(k: number): Finding;
  /** Exactly `JSON.stringify(finding(k))`, made without the object. */
  findingJson(k: number): string;
  /** The same JSON text, as UTF-8 bytes appended to `w`. */
  writeFinding(k: number, w: JsonBytes): void;
  /** Findings from `from` on, comma-separated as in the report's array, until `w` holds `until` bytes; the next k. */
  writeFindings(from: number, w: JsonBytes, until: number): number;
  /** The steps of building it, in order, with their times. */
  readonly steps: readonly ReportStep[];
}

/** The JSON report, every finding an object: what every renderer reads. */
export function buildReport(x: BuildInput): Report {
  return materialise(prepareReport(x));
}

/** The prepared report with every finding made an object (the skeleton, filled in). */
export function materialise(p: PreparedReport): Report {
  const findings: Finding[] = new Array(p.length);
  for (let k = 0; k < p.length; k++) findings[k] = p.finding(k);
  p.skeleton.findings = findings;
  return p.skeleton;
}

/** As materialise, awaiting `pause()` every 4,096 findings (the CLI lets a signal be handled there). */
export async function materialiseInSteps(p: PreparedReport, pause: () => Promise<void>): Promise<Report> {
  const findings: Finding[] = new Array(p.length);
  for (let k = 0; k < p.length; k++) {
    findings[k] = p.finding(k);
    if ((k & 4095) === 4095) await pause();
  }
  p.skeleton.findings = findings;
  return p.skeleton;
}

/** Each finding of a prepared report in order, made when it is read and dropped after (no array of them). */
export function* eachFinding(p: PreparedReport): Generator<Finding> {
  for (let k = 0; k < p.length; k++) yield p.finding(k);
}

/** One named step of report building and how long it took (bench/decode-match.mjs prints them). */
export interface ReportStep {
  name: string;
  ms: number;
}

/**
 * The report of a finding table, in named steps: "rules" (each finding's rule and roles, the counts),
 * "rank" (integer sort keys), "sort" (the report order), "coverage", "totals" (inputs, violations, what
 * was checked, the report around the findings), "findings" (the reader of finding k in report order,
 * as an object or as JSON bytes). Each step's time is kept in `steps`.
 */
export function prepareReport(x: BuildInput): PreparedReport {
  const steps: ReportStep[] = [];
  // process.hrtime, not performance.now: the global `performance` loads node:perf_hooks and its nine
  // modules (~1 ms of a 1-packet run) the first time it is read.
  const step = <T>(name: string, f: () => T): T => {
    const t0 = process.hrtime();
    const out = f();
    const [s, ns] = process.hrtime(t0);
    steps.push({ name, ms: s * 1e3 + ns / 1e6 });
    return out;
  };
  const facts = step("rules", () => findingFacts(x.table, x.matcher));
  const keys = step("rank", () => sortKeys(facts));
  const order = step("sort", () => reportOrder(facts, keys));
  const coverage = step("coverage", () => coverageOf(x.activeRules, x.inventory, flowsPerRule(facts)));
  const skeleton = step("totals", () => reportSkeleton(x, facts, coverage));
  const view = step("findings", () => findingView({ table: x.table, facts, order, ruleset: x.ruleset, roles: x.matcher.roles, inputs: x.inputs }));
  const findingJson = (k: number): string => {
    const w = new JsonBytes(1024);
    view.writeFinding(k, w);
    return w.take().toString("utf8");
  };
  return { skeleton, length: facts.n, finding: view.finding, findingJson, writeFinding: view.writeFinding, writeFindings: view.writeFindings, steps };
}

/** Step "totals": the report around its findings (`findings` left empty), from the counts of "rules". */
function reportSkeleton(x: BuildInput, facts: FindingFacts, coverage: CoverageEntry[]): Report {
  const { ruleset } = x;
  const n = facts.n;
  const summary = Object.fromEntries(ALL_VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  VERDICTS.forEach((v, code) => { summary[v] += facts.flowsByVerdict[code]!; });
  summary[UNOBSERVED_REQUIRED] = coverage.filter((c) => c.status === "unobserved").length;
  const inputs = inputReports(x);

  // Violations per (verdict, who stopped it), and of them those on inferred rules.
  const unobservedFails = x.failOn.includes(UNOBSERVED_REQUIRED);
  let violations = unobservedFails ? summary[UNOBSERVED_REQUIRED] : 0;
  let violationsOnInferredRules = unobservedFails ? coverage.filter((c) => c.status === "unobserved" && c.inferred).length : 0;
  let unclassified = 0;
  for (let cell = 0; cell < VERDICT_BY_CELLS; cell++) {
    const found = facts.findingsByVerdictBy[cell]!;
    const verdict = VERDICTS[cell >> 2];
    if (found === 0 || verdict === undefined) continue;
    if (verdict === "unclassified") unclassified += found;
    if (failsOn(x.failOn, { verdict, blockedBy: BLOCKED_BY_NAMES[cell & 3] ?? null })) {
      violations += found;
      violationsOnInferredRules += facts.inferredByVerdictBy[cell]!;
    }
  }
  const flowsClassified = ALL_VERDICTS.reduce((a, v) => (v === "unclassified" || v === UNOBSERVED_REQUIRED ? a : a + summary[v]), 0);
  const checked = assessChecked({
    inputs, findings: n, findingsClassified: n - unclassified, flowsClassified, flowsInconclusive: summary.inconclusive, allowEmpty: x.allowEmpty === true,
  });
  const exitCode: Report["exitCode"] = fatalProblems(checked).length > 0 ? 2 : violations > 0 ? 1 : 0;
  const records = inputs.reduce((a, i) => ({ read: a.read + i.records.read, used: a.used + i.records.used, skipped: a.skipped + i.records.skipped }), { read: 0, used: 0, skipped: 0 });

  const identity = reportIdentity({ ...x, inventory: x.inventoryAsGiven ?? x.inventory });
  return {
    schema: REPORT_SCHEMA,
    generator: { name: "portmatrix", version: VERSION },
    generatedAt: (x.now ?? new Date()).toISOString(),
    ruleset: {
      id: ruleset.id,
      title: ruleset.title,
      file: ruleset.file,
      version: identity.ruleset.version,
      sha256: identity.ruleset.sha256,
      rulesSha256: identity.ruleset.rulesSha256,
      scenarios: identity.ruleset.scenarios,
      documentedOnly: identity.ruleset.documentedOnly,
      variables: identity.ruleset.variables,
      roles: ruleset.roles.map((r) => ({ id: r.id, title: r.title })),
      rules: x.activeRules.map((r) => ({
        id: r.id, from: r.from, to: r.to, services: r.services, ports: describeFlows(r), requirement: r.requirement,
        condition: r.condition ?? null, purpose: r.purpose, source: r.source, inferred: r.inferred,
        inferredReason: r.inferredReason ?? null, line: r.line, column: r.column,
      })),
    },
    inventory: identity.inventory,
    summary,
    totals: { records, findings: n, violations, violationsOnInferredRules },
    failOn: [...x.failOn],
    exitCode,
    checked,
    findings: [],
    coverage,
    inputs,
  };
}

/** Each input's accounting as the report gives it. */
function inputReports(x: BuildInput): InputReport[] {
  return x.inputs.map((r, idx) => {
    const binary = isBinaryFormat(r.format);
    const report: InputReport = {
      path: r.path,
      format: r.format,
      compressed: r.compressed,
      records: { read: r.stats.read, used: r.stats.used, skipped: r.stats.skipped },
      skippedByReason: r.stats.skippedObject(),
      flows: { read: r.stats.flowsRead, used: r.stats.flowsUsed, skipped: r.stats.flowsSkipped, skippedByReason: r.stats.flowsSkippedObject() },
      skippedSamples: r.stats.samples.map((s) => {
        const o: InputReport["skippedSamples"][number] = binary ? { offset: s.position, reason: s.reason } : { line: s.position, reason: s.reason };
        if (s.text !== undefined) o.text = s.text;
        return o;
      }),
      error: r.error ?? null,
      events: x.table.eventsOf(idx),
    };
    const notes = r.stats.notesObject?.();
    if (notes !== undefined && Object.keys(notes).length > 0) report.notes = notes;
    return report;
  });
}

/** What a report was made with, as `diff`, `why` and `--baseline` compare it (report/identity.ts). */
export type ReportIdentity = {
  ruleset: Pick<Report["ruleset"], "id" | "version" | "sha256" | "rulesSha256" | "scenarios" | "documentedOnly" | "variables">;
  inventory: Report["inventory"];
};

export function reportIdentity(x: Pick<BuildInput, "ruleset" | "activeRules" | "scenarios" | "documentedOnly" | "inventory">): ReportIdentity {
  const { ruleset } = x;
  return {
    ruleset: {
      id: ruleset.id,
      version: ruleset.version ?? null,
      sha256: ruleset.sha256,
      rulesSha256: rulesDigest(x.activeRules),
      scenarios: [...x.scenarios],
      documentedOnly: x.documentedOnly === true,
      variables: Object.fromEntries(ruleset.variables.map((v) => [v.name, { value: v.value, origin: v.origin }])),
    },
    inventory: { file: x.inventory.file, entries: x.inventory.entries.length, sha256: inventoryDigest(x.inventory.entries) },
  };
}

export { ruleCovers };
