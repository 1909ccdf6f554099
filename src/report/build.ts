import type { FindingTable } from "../match/aggregate.js";
import { ALL_VERDICTS, UNOBSERVED_REQUIRED, VERDICTS, ruleCovers, type Matcher, type Verdict } from "../match/matcher.js";
import type { Rule, Ruleset } from "../model/ruleset.js";
import type { Inventory } from "../model/inventory.js";
import { formatAddr } from "../net/addr.js";
import { ACTION_NAMES, protocolName } from "../net/proto.js";
import { describeFlows } from "./rules-table.js";
import { REPORT_SCHEMA, type CoverageEntry, type Finding, type InputReport, type ProtocolName, type Report } from "./types.js";

export const VERSION = "0.1.0";

/** Order in which people read verdicts: what breaks the product first. */
export const VERDICT_ORDER: readonly Verdict[] = [
  "blocked-required", "allowed-unexpected", "unobserved-required", "inconclusive", "unclassified", "blocked-unexpected", "allowed-required",
];

export const DEFAULT_FAIL_ON: readonly Verdict[] = ["blocked-required", "allowed-unexpected"];

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
  };
}

export interface BuildInput {
  table: FindingTable;
  matcher: Matcher;
  ruleset: Ruleset;
  activeRules: readonly Rule[];
  scenarios: readonly string[];
  inventory: Inventory;
  inputs: readonly InputSummary[];
  failOn: readonly Verdict[];
  now?: Date;
}

/** ISO 8601 text, cached for the last instant seen (findings of one burst share their times). */
let lastIsoMs = NaN;
let lastIso = "";
function iso(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

export function buildReport(x: BuildInput): Report {
  const { table, matcher, ruleset } = x;
  const roles = matcher.roles;
  const findings: Finding[] = [];
  const summary = Object.fromEntries(ALL_VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  const perRule = new Map<string, { allowed: number; blocked: number }>();

  const sortKeys: { s: Uint32Array; d: Uint32Array }[] = [];
  const servicesCache = new Map<string, string[]>();
  const serviceById = new Map(ruleset.services.map((s) => [s.id, s] as const));
  for (let e = 0; e < table.size; e++) {
    const k = table.keyOf(e);
    // Family first (IPv4 before IPv6), then the address words, as unsigned numbers.
    const sk = new Uint32Array(5);
    sk[0] = k.family; sk.set(k.src, 1);
    const dk = new Uint32Array(5);
    dk[0] = k.family; dk.set(k.dst, 1);
    sortKeys.push({ s: sk, d: dk });
    const verdict = VERDICTS[k.verdict]!;
    const srcSet = table.srcSet[e]!;
    const dstSet = table.dstSet[e]!;
    const rule = matcher.findRule(srcSet, dstSet, k.proto, k.port, table.firstSrcPort[e]!);
    const isIcmp = k.proto === 1 || k.proto === 58;
    const roleName = (set: number, ruleRole: string | undefined) =>
      set === 0 ? null : ruleRole ?? (roles.setRoleIds(set).join("+") || null);
    const count = table.count[e]!;
    summary[verdict] += count;
    if (rule && (verdict === "allowed-required" || verdict === "blocked-required")) {
      const c = perRule.get(rule.id) ?? { allowed: 0, blocked: 0 };
      if (verdict === "allowed-required") c.allowed += count;
      else c.blocked += count;
      perRule.set(rule.id, c);
    }
    // The covering services depend only on (rule, protocol, port): computed once per combination.
    const svcKey = rule ? `${rule.index}|${k.proto}|${k.port}` : "";
    let services = rule ? servicesCache.get(svcKey) : [];
    if (services === undefined && rule) {
      services = rule.services.filter((sid) => {
        const svc = serviceById.get(sid);
        return svc?.ports.some((p) => p.proto === k.proto && p.ranges.some(([a, b]) => k.port >= a && k.port <= b));
      });
      servicesCache.set(svcKey, services);
    }
    const inputIdx = table.input[e]!;
    const input = x.inputs[inputIdx];
    const textual = input ? !["pcap", "pcapng"].includes(input.format) : true;
    const example: Finding["example"] = { input: input?.path ?? "?" };
    if (textual) example.line = table.position[e]!;
    else example.offset = table.position[e]!;
    findings.push({
      verdict,
      action: ACTION_NAMES[k.action] ?? "unknown",
      src: formatAddr(k.family, k.src, 0),
      dst: formatAddr(k.family, k.dst, 0),
      srcName: roles.hostName(k.family, k.src, 0) ?? null,
      dstName: roles.hostName(k.family, k.dst, 0) ?? null,
      srcRole: roleName(srcSet, rule?.from),
      dstRole: roleName(dstSet, rule?.to),
      protocol: protocolName(k.proto) as ProtocolName,
      port: isIcmp || k.port < 0 ? null : k.port,
      icmpType: isIcmp ? k.port : null,
      services: [...(services ?? [])],
      rule: rule?.id ?? null,
      ruleRequirement: rule?.requirement ?? null,
      ruleSource: rule?.source ?? null,
      count,
      firstSeen: iso(table.first[e]!),
      lastSeen: iso(table.last[e]!),
      evidence: table.evidenceOf(e),
      example,
    });
  }

  // Sort once on precomputed keys (ordinal string compares, numeric addresses): report building must
  // stay cheap when a large archive yields hundreds of thousands of findings.
  const rank = new Map(VERDICT_ORDER.map((v, n) => [v, n] as const));
  const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const cmpWords = (a: Uint32Array, b: Uint32Array) => {
    for (let k = 0; k < 5; k++) if (a[k] !== b[k]) return a[k]! < b[k]! ? -1 : 1;
    return 0;
  };
  const order = findings.map((f, n) => ({ f, n, r: rank.get(f.verdict) ?? 99, sr: f.srcRole ?? "~", dr: f.dstRole ?? "~", pt: f.port ?? f.icmpType ?? -1, sk: sortKeys[n]!.s, dk: sortKeys[n]!.d }));
  order.sort((a, b) =>
    a.r - b.r || cmpStr(a.sr, b.sr) || cmpStr(a.dr, b.dr) || cmpStr(a.f.protocol, b.f.protocol) || a.pt - b.pt ||
    cmpWords(a.sk, b.sk) || cmpWords(a.dk, b.dk) || cmpStr(a.f.action, b.f.action));
  findings.length = 0;
  for (const o of order) findings.push(o.f);

  const hostsWith = (role: string) => x.inventory.entries.filter((en) => en.roles.includes(role)).length;
  const coverage: CoverageEntry[] = x.activeRules.map((r) => {
    const seen = perRule.get(r.id) ?? { allowed: 0, blocked: 0 };
    const fromHosts = hostsWith(r.from);
    const toHosts = hostsWith(r.to);
    let status: CoverageEntry["status"];
    if (seen.allowed > 0 && seen.blocked > 0) status = "allowed-and-blocked";
    else if (seen.allowed > 0) status = "allowed";
    else if (seen.blocked > 0) status = "blocked";
    else if (fromHosts === 0 || toHosts === 0) status = "no-hosts";
    else status = r.requirement === "required" ? "unobserved" : "not-observed";
    return {
      rule: r.id, from: r.from, to: r.to, services: r.services, requirement: r.requirement, scenarios: r.scenarios,
      inferred: r.inferred, source: r.source, fromHosts, toHosts, allowed: seen.allowed, blocked: seen.blocked, status,
    };
  });
  summary[UNOBSERVED_REQUIRED] = coverage.filter((c) => c.status === "unobserved").length;

  const inputs: InputReport[] = x.inputs.map((r) => {
    const binary = r.format === "pcap" || r.format === "pcapng";
    return {
      path: r.path,
      format: r.format,
      compressed: r.compressed,
      records: { read: r.stats.read, used: r.stats.used, skipped: r.stats.skipped },
      skippedByReason: r.stats.skippedObject(),
      skippedSamples: r.stats.samples.map((s) => {
        const o: InputReport["skippedSamples"][number] = binary ? { offset: s.position, reason: s.reason } : { line: s.position, reason: s.reason };
        if (s.text !== undefined) o.text = s.text;
        return o;
      }),
      error: r.error ?? null,
    };
  });

  const violations = x.failOn.reduce((n, v) => n + (v === UNOBSERVED_REQUIRED ? summary[v] : findings.filter((f) => f.verdict === v).length), 0);
  const exitCode: Report["exitCode"] = x.inputs.some((i) => i.error !== undefined) ? 2 : violations > 0 ? 1 : 0;
  const records = inputs.reduce((a, i) => ({ read: a.read + i.records.read, used: a.used + i.records.used, skipped: a.skipped + i.records.skipped }), { read: 0, used: 0, skipped: 0 });

  return {
    schema: REPORT_SCHEMA,
    generator: { name: "portmatrix", version: VERSION },
    generatedAt: (x.now ?? new Date()).toISOString(),
    ruleset: {
      id: ruleset.id,
      title: ruleset.title,
      file: ruleset.file,
      scenarios: [...x.scenarios],
      variables: Object.fromEntries(ruleset.variables.map((v) => [v.name, { value: v.value, origin: v.origin }])),
      roles: ruleset.roles.map((r) => ({ id: r.id, title: r.title })),
      rules: x.activeRules.map((r) => ({
        id: r.id, from: r.from, to: r.to, services: r.services, ports: describeFlows(r), requirement: r.requirement,
        condition: r.condition ?? null, purpose: r.purpose, source: r.source, inferred: r.inferred, line: r.line, column: r.column,
      })),
    },
    inventory: { file: x.inventory.file, entries: x.inventory.entries.length },
    summary,
    totals: { records, findings: findings.length, violations },
    failOn: [...x.failOn],
    exitCode,
    findings,
    coverage,
    inputs,
  };
}

export { ruleCovers };
