/**
 * What the HTML page shows of the findings, gathered in one pass with bounded memory: findings are
 * folded into groups (verdict, role pair, rule and service), each group keeps its first few findings
 * as rows and only counts the rest, and a section keeps its first few groups and only counts the
 * rest. However many findings a report has, the page holds at most `groups x rows` of them, and the
 * findings themselves may come from a generator that never holds them all (see htmlChunks).
 */
import type { BlockedBy, Finding } from "./types.js";

/**
 * How much of a section the page shows. 50 groups of 20 violations keep the page under about 1.5 MB
 * (measured in test/report/html-size.test.ts) and a person scrolling; the CSV and JSON reports hold every
 * finding, and the page says how many it left out.
 */
export interface SectionLimits {
  groups: number;
  rowsPerGroup: number;
}
export const VIOLATION_LIMITS: SectionLimits = { groups: 50, rowsPerGroup: 20 };
export const OTHER_LIMITS: SectionLimits = { groups: 30, rowsPerGroup: 10 };

/** Flow labels a group lists in its heading ("tcp/135, tcp/593"); more are counted. */
const MAX_FLOW_LABELS = 6;

export interface Group {
  verdict: Finding["verdict"];
  srcRole: string | null;
  dstRole: string | null;
  /** The rule's fields, from the group's first finding (the rule is part of the group's key). */
  rule: string | null;
  ruleRequirement: Finding["ruleRequirement"];
  ruleSource: string | null;
  ruleInferred: boolean;
  ruleInferredReason: string | null;
  /** The services the findings' port belongs to, or the protocol/port when no rule matched. */
  service: string;
  /** The first distinct protocol/port labels in report order, and how many more there were. */
  flows: string[];
  moreFlows: number;
  lastFlow: string;
  findings: number;
  records: number;
  /** The first findings, shown as rows; the others only counted. */
  rows: Finding[];
  moreFindings: number;
  moreRecords: number;
  stoppedBy: Record<BlockedBy, number>;
  baseline: { new: number; changed: number; unchanged: number };
  first: string | null;
  last: string | null;
}

/** "tcp/445", "icmp type 8", "ip-proto-47". */
export function flowLabel(f: Pick<Finding, "protocol" | "port" | "icmpType">): string {
  return f.port !== null ? `${f.protocol}/${f.port}` : f.icmpType !== null ? `${f.protocol} type ${f.icmpType}` : f.protocol;
}

function groupKey(f: Finding): string {
  const service = f.services.length > 0 ? f.services.join(",") : flowLabel(f);
  return `${f.verdict}\u0000${f.srcRole ?? ""}\u0000${f.dstRole ?? ""}\u0000${f.rule ?? ""}\u0000${service}`;
}

function newGroup(f: Finding): Group {
  return {
    verdict: f.verdict, srcRole: f.srcRole, dstRole: f.dstRole,
    rule: f.rule, ruleRequirement: f.ruleRequirement, ruleSource: f.ruleSource,
    ruleInferred: f.ruleInferred === true, ruleInferredReason: f.ruleInferredReason ?? null,
    service: f.services.length > 0 ? f.services.join(", ") : flowLabel(f),
    flows: [], moreFlows: 0, lastFlow: "", findings: 0, records: 0, rows: [], moreFindings: 0, moreRecords: 0,
    stoppedBy: { network: 0, destination: 0, unknown: 0 },
    baseline: { new: 0, changed: 0, unchanged: 0 },
    first: null, last: null,
  };
}

/** ISO 8601 times of one format compare as text. */
function earlier(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : b < a ? b : a;
}
function later(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : b > a ? b : a;
}

/** One section of the page (violations, or the other findings): its groups, bounded. */
export class Section {
  readonly groups = new Map<string, Group>();
  findings = 0;
  records = 0;
  /** Findings in groups beyond the first `limits.groups`, only counted. */
  moreFindings = 0;
  moreRecords = 0;
  /** With --baseline: the section's findings by their mark. */
  readonly baseline = { new: 0, changed: 0, unchanged: 0 };

  constructor(readonly limits: SectionLimits) {}

  add(f: Finding): void {
    this.findings++;
    this.records += f.count;
    if (f.baseline) this.baseline[f.baseline]++;
    const key = groupKey(f);
    let g = this.groups.get(key);
    if (g === undefined) {
      if (this.groups.size >= this.limits.groups) {
        this.moreFindings++;
        this.moreRecords += f.count;
        return;
      }
      g = newGroup(f);
      this.groups.set(key, g);
    }
    addToGroup(g, f, this.limits.rowsPerGroup);
  }
}

function addToGroup(g: Group, f: Finding, rowsPerGroup: number): void {
  g.findings++;
  g.records += f.count;
  if (g.rows.length < rowsPerGroup) g.rows.push(f);
  else { g.moreFindings++; g.moreRecords += f.count; }
  // Findings come sorted by protocol and port within a role pair, so a new label is a new flow.
  const label = flowLabel(f);
  if (label !== g.lastFlow) {
    if (g.flows.length < MAX_FLOW_LABELS) g.flows.push(label);
    else g.moreFlows++;
    g.lastFlow = label;
  }
  if (f.blockedBy) g.stoppedBy[f.blockedBy]++;
  if (f.baseline) g.baseline[f.baseline]++;
  g.first = earlier(g.first, f.firstSeen);
  g.last = later(g.last, f.lastSeen);
}

/** Roles a matrix is drawn for at most: nobody reads 10,000 cells, and 100,000 roles would make 10^10. */
export const MATRIX_MAX_ROLES = 60;

/** What the one pass over the findings gathers for the page. */
export interface Gathered {
  /** Findings that fail the run (with --baseline: new or changed ones). */
  violations: Section;
  /** With --baseline: findings --fail-on names that are unchanged since the baseline (they do not fail the run). */
  accepted: Section;
  others: Section;
  /** Findings and records per verdict. */
  perVerdict: Map<string, { findings: number; records: number }>;
  /** Allowed-unexpected findings and records per role pair ("from\0to"), for the matrix. */
  unexpectedByPair: Map<string, { findings: number; records: number }>;
  /** The roles in play: of the rules in play, and of hosts in unexpected traffic between inventory roles. */
  roles: Set<string>;
}

/** Findings gathered between two empty pieces of gatherInSteps. */
const STEP = 4096;

/**
 * One pass over the findings, in report order, keeping only bounded state. `rolesInPlay` are the roles of
 * the rules in play (they are in the matrix whatever the traffic). A generator that yields "" every
 * STEP findings and returns what it gathered: the page's writer awaits between pieces.
 */
export function* gatherInSteps(findings: Iterable<Finding>, isViolation: (f: Finding) => boolean, fails: (f: Finding) => boolean, rolesInPlay: Iterable<string>): Generator<string, Gathered> {
  const g: Gathered = {
    violations: new Section(VIOLATION_LIMITS), accepted: new Section(OTHER_LIMITS), others: new Section(OTHER_LIMITS),
    perVerdict: new Map(), unexpectedByPair: new Map(), roles: new Set(rolesInPlay),
  };
  let k = 0;
  for (const f of findings) {
    if (isViolation(f)) g.violations.add(f);
    else if (fails(f)) g.accepted.add(f);
    else g.others.add(f);
    const v = g.perVerdict.get(f.verdict) ?? { findings: 0, records: 0 };
    v.findings++;
    v.records += f.count;
    g.perVerdict.set(f.verdict, v);
    if (f.verdict === "allowed-unexpected" && f.srcRole && f.dstRole) tallyUnexpected(g, f);
    if (++k % STEP === 0) yield "";
  }
  return g;
}

/**
 * Counts an allowed-unexpected finding in the cells of each of its roles (a host may hold several:
 * "a+b"). Roles are few (the ruleset's and the inventory's); role pairs are counted while the matrix
 * would be drawn (MATRIX_MAX_ROLES), so the map stays bounded.
 */
function tallyUnexpected(g: Gathered, f: Finding): void {
  for (const s of f.srcRole!.split("+")) {
    for (const d of f.dstRole!.split("+")) {
      g.roles.add(s);
      g.roles.add(d);
      if (g.roles.size > MATRIX_MAX_ROLES) { g.unexpectedByPair.clear(); continue; }
      const k = `${s}\u0000${d}`;
      const c = g.unexpectedByPair.get(k) ?? { findings: 0, records: 0 };
      c.findings++;
      c.records += f.count;
      g.unexpectedByPair.set(k, c);
    }
  }
}
