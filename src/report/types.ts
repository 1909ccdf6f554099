/**
 * The JSON report: the single source every renderer reads. Versioned by `schema`; documented in
 * docs/report-format.md and published as docs/report.schema.json (a test keeps them in step).
 */
import type { Verdict } from "../match/matcher.js";
import type { InputEvents } from "../match/aggregate.js";
import type { BlockedBy } from "../net/proto.js";
import type { FailOn } from "./fail-on.js";

export type { BlockedBy, InputEvents };

export const REPORT_SCHEMA = "portmatrix/report/v1";

/** The input format (and path) of a `portmatrix probe` report's one input: its records are the probe's attempts. */
export const PROBE_FORMAT = "probe";

export type ProtocolName = "tcp" | "udp" | "icmp" | "icmpv6" | `ip-proto-${number}`;

export interface Finding {
  verdict: Exclude<Verdict, "unobserved-required">;
  /** What the source said: allowed, blocked or unknown. */
  action: "allowed" | "blocked" | "unknown";
  /**
   * Blocked findings: who stopped the flow. `network`: something in the path (a firewall's log line,
   * an ICMP error from a router, a RST whose TTL is not the destination's); `destination`: the
   * destination host itself (its RST or ICMP error with its own TTL, its own host firewall's log);
   * `unknown`: silence, or not enough packets to tell. null when not blocked. docs/outcomes.md.
   * (Absent in reports written before it existed.)
   */
  blockedBy: BlockedBy | null;
  src: string;
  dst: string;
  /** Inventory host names, when the inventory gives them. */
  srcName: string | null;
  dstName: string | null;
  /** The role the flow was matched as (the rule's role when a rule matched; the host's roles joined by "+" otherwise; null when not in the inventory). */
  srcRole: string | null;
  dstRole: string | null;
  protocol: ProtocolName;
  /** Destination port; null for ICMP and protocols without ports. */
  port: number | null;
  /** ICMP/ICMPv6 type, null otherwise. */
  icmpType: number | null;
  /** Service ids of the matched rule that cover this port (empty when no rule matched). */
  services: string[];
  /** The rule that expects this flow, or null. */
  rule: string | null;
  ruleRequirement: "required" | "conditional" | null;
  /** The seed row or note the rule comes from. */
  ruleSource: string | null;
  /**
   * True when the rule is marked inferred: the document does not state this flow, so the verdict rests
   * on the ruleset's reading of it (`ruleInferredReason` says why it is believed). Null when no rule matched.
   */
  ruleInferred: boolean | null;
  ruleInferredReason: string | null;
  /** The flows this finding stands for (README "Words": a log record's flow, a capture's connection). */
  count: number;
  /** ISO 8601, null when the input has no absolute time. */
  firstSeen: string | null;
  lastSeen: string | null;
  /** What shows the outcome: log prefixes/actions, for captures rst / icmp-3-13 / unanswered ... */
  evidence: string[];
  /**
   * Where the first record of this finding is: input path and line (text), or for a capture the byte
   * offset of its first packet's record and that packet's frame number as Wireshark shows it (1-based).
   */
  example: { input: string; line?: number; offset?: number; frame?: number };
  /**
   * With --baseline: `new` when the baseline has no finding of this flow (source, destination,
   * protocol, port or ICMP type), `changed` when it has the flow with other verdicts (`baselineBefore`
   * says which), `unchanged` when it has it with this verdict. Only new and changed findings fail the run.
   */
  baseline?: BaselineMark;
  /** With --baseline, a changed finding: the verdicts (with who stopped it, `blocked-required:network`) the flow had in the baseline. */
  baselineBefore?: string[];
}

export type BaselineMark = "new" | "changed" | "unchanged";

export interface RuleInfo {
  id: string;
  from: string;
  to: string;
  services: string[];
  /** "tcp 135, 593, 49152-65535; udp 53" */
  ports: string;
  requirement: "required" | "conditional";
  condition: string | null;
  purpose: string;
  source: string;
  inferred: boolean;
  /** Why an inferred rule is believed; null for a rule the document states. */
  inferredReason: string | null;
  /** Where the rule is written in the ruleset file (1-based). */
  line: number;
  column: number;
}

export interface CoverageEntry {
  rule: string;
  from: string;
  to: string;
  services: string[];
  requirement: "required" | "conditional";
  scenarios: string[];
  inferred: boolean;
  /** Why an inferred rule is believed; null for a rule the document states. */
  inferredReason: string | null;
  source: string;
  /** Inventory entries holding each side's role. */
  fromHosts: number;
  toHosts: number;
  allowed: number;
  blocked: number;
  /**
   * allowed / blocked / allowed-and-blocked: traffic was seen; unobserved: required, hosts on both sides,
   * nothing seen (the `unobserved-required` verdict); not-observed: nothing seen and nothing asked: a
   * conditional rule, or one reading of a statement whose other reading is the one coverage counts or
   * saw traffic (see `alternatives`); no-hosts: the inventory has no host for one side.
   */
  status: "allowed" | "blocked" | "allowed-and-blocked" | "unobserved" | "not-observed" | "no-hosts";
  /** The other readings of the same document statement (`alternative_of` in the ruleset); empty for most rules. */
  alternatives?: string[];
  /**
   * With --baseline: `unchanged` when the baseline's coverage gave the rule the same status, `changed`
   * when another, `new` when the baseline did not have the rule. An unobserved rule fails the run (with
   * unobserved-required in --fail-on) only when it is not unchanged.
   */
  baseline?: BaselineMark;
}

export interface InputReport {
  path: string;
  format: string;
  compressed: boolean;
  records: { read: number; used: number; skipped: number };
  skippedByReason: Record<string, number>;
  /**
   * Flows beside records (src/decode/stats.ts): read = used + skipped. A record that holds several
   * flows (Azure flow tuples, Check Point dropped packets, JSON lines of several entries) counts each;
   * a record that is one flow counts one when used.
   */
  flows: { read: number; used: number; skipped: number; skippedByReason: Record<string, number> };
  /** The first few skipped records: line (text) or offset (binary), reason, start of the text. */
  skippedSamples: { line?: number; offset?: number; reason: string; text?: string }[];
  /** What was read besides records (flow exports: datagrams, templates, template misses, enterprise fields), when any. */
  notes?: Record<string, number>;
  error: string | null;
  /** What the matcher saw of this input (added in v1 later: older reports lack it). */
  events: InputEvents;
}

/** Why a run is not a complete check (see src/report/checked.ts for the rules). */
export interface CheckProblem {
  code: "input-error" | "no-records" | "no-classified-flows" | "inventory-matches-nothing" | "no-decided-flows";
  /** The input it concerns, or null for the run as a whole. */
  input: string | null;
  /** True when it makes the exit status 2 (`--allow-empty` accepts no-records, no-classified-flows and no-decided-flows). */
  fatal: boolean;
  message: string;
}

/** How much the run checked, and what makes it not a check (added in v1 later: older reports lack it). */
export interface Checked {
  inputs: number;
  /** Inputs of which at least one record was used. */
  inputsUsed: number;
  /** Records used, all inputs. */
  records: number;
  /** Flows given to the matcher (a record's flow, a capture's connection), and those with both ends in the inventory. */
  events: number;
  eventsClassified: number;
  /** Findings, and findings whose verdict is not `unclassified`. */
  findings: number;
  findingsClassified: number;
  /** The same numbers as `findings` and `findingsClassified`: their first names, kept for readers of v1 reports. */
  flows: number;
  flowsClassified: number;
  allowEmpty: boolean;
  problems: CheckProblem[];
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generator: { name: "portmatrix"; version: string };
  generatedAt: string;
  ruleset: {
    id: string;
    title: string;
    file: string;
    /** The ruleset's own `version` (null when it states none). */
    version: number | null;
    /**
     * What identifies the ruleset, for comparing reports (src/model/digest.ts): `sha256` of the ruleset
     * as written; `rulesSha256` of the rules in play after scenarios, variables and --documented-only.
     * (Absent in reports written before they existed.)
     */
    sha256: string;
    rulesSha256: string;
    scenarios: string[];
    /** True with --documented-only: inferred rules were left out, only what the document states was checked. */
    documentedOnly: boolean;
    variables: Record<string, { value: number | string; origin: string }>;
    roles: { id: string; title: string }[];
    /** The rules in play, with where each is written (for SARIF and the HTML matrix). */
    rules: RuleInfo[];
  };
  /** `sha256`: the inventory's address-to-role mapping (names left out; src/model/digest.ts). Absent in older reports. */
  inventory: { file: string; entries: number; sha256: string };
  /** Flows per verdict (the findings' `count` summed); for unobserved-required, the number of rules. */
  summary: Record<Verdict, number>;
  totals: {
    records: { read: number; used: number; skipped: number };
    findings: number;
    violations: number;
    /** Of `violations`, those that rest on a rule marked inferred (a finding's rule, or an unobserved rule). */
    violationsOnInferredRules: number;
  };
  /** Verdicts (or `blocked-required:network` and the like) that count as violations; see report/fail-on.ts. */
  failOn: FailOn[];
  /** 0 no violation, 1 violations (per failOn), 2 an input could not be read or the run checked nothing (see `checked.problems`). */
  exitCode: 0 | 1 | 2;
  /** What was checked, and the problems that make the status 2. */
  checked: Checked;
  findings: Finding[];
  coverage: CoverageEntry[];
  inputs: InputReport[];
  /** With --baseline: the previous report and how this run compares (violations then count only new and changed findings). */
  baseline?: BaselineSummary;
}

export interface BaselineSummary {
  file: string;
  /** Findings of this run by their `baseline` mark. */
  new: number;
  changed: number;
  unchanged: number;
  /** Findings of the baseline whose flow this run does not see at all. */
  resolved: number;
  /** The violations this run would count without the baseline (`totals.violations` counts only new and changed ones). */
  allViolations: number;
  /**
   * Findings of the baseline that fail under this run's --fail-on and whose flow fails no more: gone, or
   * now with a verdict that does not fail (SARIF `baselineState: absent`).
   */
  absent: Finding[];
  /** With unobserved-required in --fail-on: rules the baseline had unobserved that this run observed or no longer has. */
  absentRules: string[];
}
