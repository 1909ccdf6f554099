import type { FindingTable } from "../match/aggregate.js";
import { ALL_VERDICTS, UNOBSERVED_REQUIRED, VERDICTS, ruleCovers, type Matcher, type Verdict } from "../match/matcher.js";
import type { Rule, Ruleset } from "../model/ruleset.js";
import type { Inventory } from "../model/inventory.js";
import { formatAddr } from "../net/addr.js";
import { ACTION_NAMES, BLOCKED_BY_NAMES, isBinaryFormat, protocolName } from "../net/proto.js";
import { describeFlows } from "./rules-table.js";
import { inventoryDigest, rulesDigest } from "../model/digest.js";
import { assessChecked, fatalProblems } from "./checked.js";
import { failsOn, type FailOn } from "./fail-on.js";
import { isoTime, writeIsoTime } from "./iso-time.js";
import { JsonBytes, encode, encodeJson } from "./json-bytes.js";
import { REPORT_SCHEMA, type CoverageEntry, type Finding, type InputReport, type ProtocolName, type Report } from "./types.js";

export const VERSION = "0.1.0";

/** Order in which people read verdicts: what breaks the product first. */
export const VERDICT_ORDER: readonly Verdict[] = [
  "blocked-required", "allowed-unexpected", "unobserved-required", "inconclusive", "unclassified", "blocked-unexpected", "allowed-required",
];

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

export function prepareReport(x: BuildInput): PreparedReport {
  const { table, matcher, ruleset } = x;
  const roles = matcher.roles;
  const n = table.size;
  const summary = Object.fromEntries(ALL_VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  // Findings per (verdict, who stopped it), for the violations --fail-on counts.
  const findingsOf = new Map<string, number>();
  const perRule = new Map<string, { allowed: number; blocked: number }>();
  const count = table.count, srcSet = table.srcSet, dstSet = table.dstSet, firstSrcPort = table.firstSrcPort;

  // Per finding, the parts the order and the text depend on, as integers: strings that repeat (role
  // names, protocols, addresses, services, evidence) are made once and shared. Report building has to
  // stay cheap when an archive yields hundreds of thousands of findings.
  const rules: (Rule | undefined)[] = new Array(n);
  const srcRoles: (string | null)[] = new Array(n);
  const dstRoles: (string | null)[] = new Array(n);
  const rank = new Map(VERDICT_ORDER.map((v, k) => [v, k] as const));
  const verdictRank = VERDICTS.map((v) => rank.get(v) ?? 99);
  const setNames = new Map<number, string | null>();
  const roleName = (set: number, ruleRole: string | undefined): string | null => {
    if (set === 0) return null;
    if (ruleRole !== undefined) return ruleRole;
    let name = setNames.get(set);
    if (name === undefined) {
      name = roles.setRoleIds(set).join("+") || null;
      setNames.set(set, name);
    }
    return name;
  };
  for (let e = 0; e < n; e++) {
    const m = table.keyWord(e, 0);
    const proto = (m >>> 16) & 255;
    const port = table.keyWord(e, 1) | 0;
    const verdict = VERDICTS[m & 15]!;
    const rule = matcher.findRule(srcSet[e]!, dstSet[e]!, proto, port, firstSrcPort[e]!);
    rules[e] = rule;
    srcRoles[e] = roleName(srcSet[e]!, rule?.from);
    dstRoles[e] = roleName(dstSet[e]!, rule?.to);
    const c = count[e]!;
    summary[verdict] += c;
    const fk = `${verdict}:${(m >>> 24) & 3}`;
    findingsOf.set(fk, (findingsOf.get(fk) ?? 0) + 1);
    if (rule && (verdict === "allowed-required" || verdict === "blocked-required")) {
      const pr = perRule.get(rule.id) ?? { allowed: 0, blocked: 0 };
      if (verdict === "allowed-required") pr.allowed += c;
      else pr.blocked += c;
      perRule.set(rule.id, pr);
    }
  }

  // The order people read: verdict, source role, destination role, protocol, port, source address,
  // destination address (family first, then the words as unsigned numbers), action. Strings are ranked
  // once (ordinal compare, a missing role as "~"), so the sort compares integers only.
  const rankOf = (values: Iterable<string>): Map<string, number> =>
    new Map([...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((v, k) => [v, k] as const));
  const roleRank = rankOf([...srcRoles, ...dstRoles].map((r) => r ?? "~"));
  const protoRank = rankOf(Array.from({ length: 256 }, (_, p) => protocolName(p)));
  const actionRank = rankOf(ACTION_NAMES.map((a) => a ?? "unknown"));
  // Primary key (verdict, roles, protocol, port) packed into one exact float when the ranks fit (52
  // bits), else compared part by part; addresses as the first word, the other words only on a tie (IPv6).
  const nRoles = roleRank.size;
  const packed = nRoles <= 4096;
  const primary = new Float64Array(n);
  const parts = packed ? undefined : new Int32Array(n * 4);
  const srcW0 = new Float64Array(n);
  const dstW0 = new Float64Array(n);
  const act = new Uint8Array(n);
  for (let e = 0; e < n; e++) {
    const m = table.keyWord(e, 0);
    const vr = verdictRank[m & 15]!;
    const sr = roleRank.get(srcRoles[e] ?? "~")!;
    const dr = roleRank.get(dstRoles[e] ?? "~")!;
    const pr = protoRank.get(protocolName((m >>> 16) & 255))!;
    const pt = (table.keyWord(e, 1) | 0) + 1; // -1 (no port) .. 65535
    if (parts) {
      primary[e] = pt;
      parts[e * 4] = vr; parts[e * 4 + 1] = sr; parts[e * 4 + 2] = dr; parts[e * 4 + 3] = pr;
    } else {
      primary[e] = (((vr * 4096 + sr) * 4096 + dr) * 256 + pr) * 65537 + pt;
    }
    // IPv4 before IPv6, then the words as unsigned numbers.
    const v6 = ((m >>> 8) & 255) === 6 ? 4294967296 : 0;
    srcW0[e] = v6 + table.keyWord(e, 2);
    dstW0[e] = v6 + table.keyWord(e, 6);
    // Action, then who stopped it (network, destination, unknown).
    act[e] = actionRank.get(ACTION_NAMES[(m >>> 4) & 15] ?? "unknown")! * 4 + ((m >>> 24) & 3);
  }
  const restWords = (a: number, b: number, from: number): number => {
    for (let j = from; j < from + 3; j++) {
      const wa = table.keyWord(a, j), wb = table.keyWord(b, j);
      if (wa !== wb) return wa < wb ? -1 : 1;
    }
    return 0;
  };
  const order = Array.from({ length: n }, (_, e) => e);
  order.sort((a, b) => {
    let d: number;
    if (parts) {
      const pa = a * 4, pb = b * 4;
      d = parts[pa]! - parts[pb]! || parts[pa + 1]! - parts[pb + 1]! || parts[pa + 2]! - parts[pb + 2]! || parts[pa + 3]! - parts[pb + 3]!;
      if (d !== 0) return d;
    }
    d = primary[a]! - primary[b]!;
    if (d !== 0) return d;
    d = srcW0[a]! - srcW0[b]!;
    if (d !== 0) return d;
    if (srcW0[a]! >= 4294967296) { d = restWords(a, b, 3); if (d !== 0) return d; }
    d = dstW0[a]! - dstW0[b]!;
    if (d !== 0) return d;
    if (dstW0[a]! >= 4294967296) { d = restWords(a, b, 7); if (d !== 0) return d; }
    return act[a]! - act[b]!;
  });

  // From here on finding k is the k-th in report order, read from records laid out in that order.
  const t = table.inOrder(order);
  const sRules = order.map((e) => rules[e]);
  const sSrcRoles = order.map((e) => srcRoles[e]!);
  const sDstRoles = order.map((e) => dstRoles[e]!);
  const serviceById = new Map(ruleset.services.map((s) => [s.id, s] as const));
  const servicesCache = new Map<string, string[]>();
  // Lists shared by many findings are frozen: a change to one finding's list must not reach the others.
  const noServices = Object.freeze([]) as unknown as string[];
  const coveringServices = (rule: Rule | undefined, proto: number, port: number): string[] => {
    if (!rule) return noServices;
    // The covering services depend only on (rule, protocol, port): computed once per combination.
    const key = `${rule.index}|${proto}|${port}`;
    let services = servicesCache.get(key);
    if (services === undefined) {
      services = rule.services.filter((sid) => {
        const svc = serviceById.get(sid);
        return svc?.ports.some((p) => p.proto === proto && p.ranges.some(([a, b]) => port >= a && port <= b));
      });
      Object.freeze(services);
      servicesCache.set(key, services);
    }
    return services;
  };
  const v4Text = new Map<number, string>();
  const v4Name = new Map<number, string | null>();
  const words = new Uint32Array(4);
  const addrText = (e: number, fam: number, w: number): string => {
    if (fam === 4) {
      const a = t.keyWord(e, w);
      let text = v4Text.get(a);
      if (text === undefined) { text = formatAddr(4, [a], 0); v4Text.set(a, text); }
      return text;
    }
    for (let j = 0; j < 4; j++) words[j] = t.keyWord(e, w + j);
    return formatAddr(fam, words, 0);
  };
  const hostName = (e: number, fam: number, w: number): string | null => {
    if (fam === 4) {
      const a = t.keyWord(e, w);
      let name = v4Name.get(a);
      if (name === undefined) { name = roles.hostName(4, [a], 0) ?? null; v4Name.set(a, name); }
      return name;
    }
    for (let j = 0; j < 4; j++) words[j] = t.keyWord(e, w + j);
    return roles.hostName(fam, words, 0) ?? null;
  };
  const evidenceCache = new Map<number, string[]>();
  const evidenceList = (e: number): string[] => {
    const key = t.evidenceKey(e);
    let list = evidenceCache.get(key);
    if (list === undefined) {
      list = t.evidenceOf(e);
      if (key >= 0) evidenceCache.set(key, Object.freeze(list) as string[]);
    }
    return list;
  };
  const binaryInput = x.inputs.map((i) => isBinaryFormat(i.format));

  const exampleInput = x.inputs.map((i) => i.path);
  const finding = (k: number): Finding => {
    const e = k;
    const m = t.keyWord(e, 0);
    const fam = (m >>> 8) & 255;
    const proto = (m >>> 16) & 255;
    const port = t.keyWord(e, 1) | 0;
    const rule = sRules[e];
    const isIcmp = proto === 1 || proto === 58;
    const inputIdx = t.input[e]!;
    const example: Finding["example"] = { input: exampleInput[inputIdx] ?? "?" };
    // A SQL engine reading CSV or JSON gives no record position: the example names the input only.
    const position = t.position[e]!;
    if (Number.isNaN(position)) { /* input only */ } else if (binaryInput[inputIdx] === true) {
      example.offset = position;
      const frame = t.frame[e]! >>> 0;
      if (frame > 0) example.frame = frame;
    } else example.line = position;
    return {
      verdict: VERDICTS[m & 15]! as Finding["verdict"],
      action: ACTION_NAMES[(m >>> 4) & 15] ?? "unknown",
      blockedBy: BLOCKED_BY_NAMES[(m >>> 24) & 3] ?? null,
      src: addrText(e, fam, 2),
      dst: addrText(e, fam, 6),
      srcName: hostName(e, fam, 2),
      dstName: hostName(e, fam, 6),
      srcRole: sSrcRoles[e]!,
      dstRole: sDstRoles[e]!,
      protocol: protocolName(proto) as ProtocolName,
      port: isIcmp || port < 0 ? null : port,
      // An ICMP record that named no type is reported with icmpType null ("type unknown").
      icmpType: isIcmp && port >= 0 ? port : null,
      services: coveringServices(rule, proto, port),
      rule: rule?.id ?? null,
      ruleRequirement: rule?.requirement ?? null,
      ruleSource: rule?.source ?? null,
      ruleInferred: rule ? rule.inferred : null,
      ruleInferredReason: rule?.inferredReason ?? null,
      count: t.count[e]!,
      firstSeen: isoTime(t.first[e]!),
      lastSeen: isoTime(t.last[e]!),
      evidence: evidenceList(e),
      example,
    };
  };

  // The same finding written as JSON bytes, field by field in the object's order: every repeated
  // value (addresses, names, roles, rules, service and evidence lists, input) is encoded once.
  const K = (t: string) => encode(t);
  const kVerdict = VERDICTS.map((v) => K(`{"verdict":${JSON.stringify(v)},"action":`));
  const kAction = Array.from({ length: 16 }, (_, a) => K(`${JSON.stringify(ACTION_NAMES[a] ?? "unknown")},"blockedBy":`));
  const kBlockedBy = BLOCKED_BY_NAMES.map((b) => K(`${JSON.stringify(b)},"src":`));
  const kDst = K(',"dst":'), kSrcName = K(',"srcName":'), kDstName = K(',"dstName":'), kSrcRole = K(',"srcRole":');
  const kDstRole = K(',"dstRole":'), kPort = K(',"port":'), kIcmpType = K(',"icmpType":'), kServices = K(',"services":');
  const kCount = K(',"count":'), kFirst = K(',"firstSeen":'), kLast = K(',"lastSeen":'), kEvidence = K(',"evidence":');
  const kNull = K("null"), kEnd = K("}}"), kFrame = K(',"frame":');
  const kProtocol = Array.from({ length: 256 }, (_, p) => K(`,"protocol":${JSON.stringify(protocolName(p))}`));
  const kRule = new Map<Rule | undefined, Uint8Array>();
  const ruleBytes = (rule: Rule | undefined): Uint8Array => {
    let b = kRule.get(rule);
    if (b === undefined) {
      b = K(`,"rule":${JSON.stringify(rule?.id ?? null)},"ruleRequirement":${JSON.stringify(rule?.requirement ?? null)},"ruleSource":${JSON.stringify(rule?.source ?? null)}` +
        `,"ruleInferred":${JSON.stringify(rule ? rule.inferred : null)},"ruleInferredReason":${JSON.stringify(rule?.inferredReason ?? null)}`);
      kRule.set(rule, b);
    }
    return b;
  };
  const kExample = x.inputs.map((i, n) => K(`,"example":{"input":${JSON.stringify(i.path)},"${binaryInput[n] === true ? "offset" : "line"}":`));
  const kExampleOnly = x.inputs.map((i) => K(`,"example":{"input":${JSON.stringify(i.path)}}}`));
  const kRole = new Map<string | null, Uint8Array>();
  const roleBytes = (r: string | null): Uint8Array => {
    let b = kRole.get(r);
    if (b === undefined) { b = encodeJson(r); kRole.set(r, b); }
    return b;
  };
  const kList = new Map<string[], Uint8Array>();
  const listBytes = (list: string[]): Uint8Array => {
    let b = kList.get(list);
    if (b === undefined) { b = encodeJson(list); kList.set(list, b); }
    return b;
  };
  const quote = new Uint8Array([34]);
  const addrBytes = (w: JsonBytes, e: number, fam: number, word: number): void => {
    if (fam !== 4) { w.bytes(encodeJson(addrText(e, fam, word))); return; }
    // Dotted quad straight from the word: no lookup, no string.
    const a = t.keyWord(e, word);
    w.bytes(quote);
    w.uint(a >>> 24); w.ascii(".");
    w.uint((a >>> 16) & 255); w.ascii(".");
    w.uint((a >>> 8) & 255); w.ascii(".");
    w.uint(a & 255);
    w.bytes(quote);
  };
  const hasNames = roles.hasNames;
  const kName = new Map<string, Uint8Array>();
  const nameBytes = (w: JsonBytes, e: number, fam: number, word: number): void => {
    const name = !hasNames ? null : fam === 4 ? roles.hostNameV4(t.keyWord(e, word)) ?? null : hostName(e, fam, word);
    if (name === null) { w.bytes(kNull); return; }
    let b = kName.get(name);
    if (b === undefined) { b = encodeJson(name); kName.set(name, b); }
    w.bytes(b);
  };
  const kEvidenceList = new Map<number, Uint8Array>();
  const writeFinding = (k: number, w: JsonBytes): void => {
    const e = k;
    const m = t.keyWord(e, 0);
    const fam = (m >>> 8) & 255;
    const proto = (m >>> 16) & 255;
    const port = t.keyWord(e, 1) | 0;
    const rule = sRules[e];
    const isIcmp = proto === 1 || proto === 58;
    const inputIdx = t.input[e]!;
    w.bytes(kVerdict[m & 15]!);
    w.bytes(kAction[(m >>> 4) & 15]!);
    w.bytes(kBlockedBy[(m >>> 24) & 3]!);
    addrBytes(w, e, fam, 2);
    w.bytes(kDst);
    addrBytes(w, e, fam, 6);
    w.bytes(kSrcName);
    nameBytes(w, e, fam, 2);
    w.bytes(kDstName);
    nameBytes(w, e, fam, 6);
    w.bytes(kSrcRole);
    w.bytes(roleBytes(sSrcRoles[e]!));
    w.bytes(kDstRole);
    w.bytes(roleBytes(sDstRoles[e]!));
    w.bytes(kProtocol[proto]!);
    w.bytes(kPort);
    if (isIcmp || port < 0) w.bytes(kNull); else w.uint(port);
    w.bytes(kIcmpType);
    if (isIcmp && port >= 0) w.number(port); else w.bytes(kNull);
    w.bytes(kServices);
    w.bytes(listBytes(coveringServices(rule, proto, port)));
    w.bytes(ruleBytes(rule));
    w.bytes(kCount);
    w.number(t.count[e]!);
    w.bytes(kFirst);
    writeIsoTime(w, t.first[e]!);
    w.bytes(kLast);
    writeIsoTime(w, t.last[e]!);
    w.bytes(kEvidence);
    const evKey = t.evidenceKey(e);
    let ev = evKey >= 0 ? kEvidenceList.get(evKey) : undefined;
    if (ev === undefined) {
      ev = encodeJson(t.evidenceOf(e));
      if (evKey >= 0) kEvidenceList.set(evKey, ev);
    }
    w.bytes(ev);
    const position = t.position[e]!;
    if (Number.isNaN(position)) {
      w.bytes(kExampleOnly[inputIdx] ?? K(`,"example":{"input":"?"}}`));
    } else {
      w.bytes(kExample[inputIdx] ?? K(`,"example":{"input":"?","${binaryInput[inputIdx] === true ? "offset" : "line"}":`));
      w.number(position);
      const frame = binaryInput[inputIdx] === true ? t.frame[e]! >>> 0 : 0;
      if (frame > 0) {
        w.bytes(kFrame);
        w.number(frame);
      }
      w.bytes(kEnd);
    }
  };
  const findingJson = (k: number): string => {
    const w = new JsonBytes(1024);
    writeFinding(k, w);
    return w.take().toString("utf8");
  };

  // Inventory entries per role, counted once (not once per rule: rules times entries is quadratic).
  const hostsPerRole = new Map<string, number>();
  for (const en of x.inventory.entries) for (const role of new Set(en.roles)) hostsPerRole.set(role, (hostsPerRole.get(role) ?? 0) + 1);
  const hostsWith = (role: string) => hostsPerRole.get(role) ?? 0;
  const readings = readingsOf(x.activeRules);
  const trafficOn = (id: string) => { const s = perRule.get(id); return s !== undefined && s.allowed + s.blocked > 0; };
  const coverage: CoverageEntry[] = x.activeRules.map((r) => {
    const seen = perRule.get(r.id) ?? { allowed: 0, blocked: 0 };
    const others = (readings.get(r.alternativeOf ?? r.id) ?? []).filter((id) => id !== r.id);
    const fromHosts = hostsWith(r.from);
    const toHosts = hostsWith(r.to);
    let status: CoverageEntry["status"];
    if (seen.allowed > 0 && seen.blocked > 0) status = "allowed-and-blocked";
    else if (seen.allowed > 0) status = "allowed";
    else if (seen.blocked > 0) status = "blocked";
    else if (fromHosts === 0 || toHosts === 0) status = "no-hosts";
    // Of several readings of one statement, coverage asks for one: the counted one while none saw traffic.
    else if (r.requirement !== "required" || r.alternativeOf !== undefined || others.some(trafficOn)) status = "not-observed";
    else status = "unobserved";
    return {
      rule: r.id, from: r.from, to: r.to, services: r.services, requirement: r.requirement, scenarios: r.scenarios,
      inferred: r.inferred, inferredReason: r.inferredReason ?? null, source: r.source, fromHosts, toHosts,
      allowed: seen.allowed, blocked: seen.blocked, status, alternatives: others,
    };
  });
  summary[UNOBSERVED_REQUIRED] = coverage.filter((c) => c.status === "unobserved").length;

  const inputs: InputReport[] = x.inputs.map((r, idx) => {
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
      events: table.eventsOf(idx),
    };
    const notes = r.stats.notesObject?.();
    if (notes !== undefined && Object.keys(notes).length > 0) report.notes = notes;
    return report;
  });

  let violations = x.failOn.includes(UNOBSERVED_REQUIRED) ? summary[UNOBSERVED_REQUIRED] : 0;
  for (const [fk, c] of findingsOf) {
    const [verdict, by] = fk.split(":");
    if (failsOn(x.failOn, { verdict: verdict!, blockedBy: BLOCKED_BY_NAMES[Number(by)] ?? null })) violations += c;
  }
  // How much of the verdict is the ruleset's reading rather than the document: counted like `violations`.
  let violationsOnInferredRules = x.failOn.includes(UNOBSERVED_REQUIRED) ? coverage.filter((c) => c.status === "unobserved" && c.inferred).length : 0;
  for (let e = 0; e < n; e++) {
    if (rules[e]?.inferred !== true) continue;
    const m = table.keyWord(e, 0);
    if (failsOn(x.failOn, { verdict: VERDICTS[m & 15]!, blockedBy: BLOCKED_BY_NAMES[(m >>> 24) & 3] ?? null })) violationsOnInferredRules++;
  }
  let unclassified = 0;
  for (const [fk, c] of findingsOf) if (fk.split(":")[0] === "unclassified") unclassified += c;
  const checked = assessChecked({ inputs, findings: n, findingsClassified: n - unclassified, allowEmpty: x.allowEmpty === true });
  const exitCode: Report["exitCode"] = fatalProblems(checked).length > 0 ? 2 : violations > 0 ? 1 : 0;
  const records = inputs.reduce((a, i) => ({ read: a.read + i.records.read, used: a.used + i.records.used, skipped: a.skipped + i.records.skipped }), { read: 0, used: 0, skipped: 0 });

  const identity = reportIdentity({ ...x, inventory: x.inventoryAsGiven ?? x.inventory });
  const skeleton: Report = {
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
  return { skeleton, length: n, finding, findingJson, writeFinding };
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

/**
 * Readings of one statement (`alternative_of`), by the id of the reading coverage counts: that rule
 * first, then its alternatives, as far as they are active.
 */
function readingsOf(rules: readonly Rule[]): Map<string, string[]> {
  const active = new Set(rules.map((r) => r.id));
  const out = new Map<string, string[]>();
  for (const r of rules) {
    if (r.alternativeOf === undefined || !active.has(r.alternativeOf)) continue;
    const list = out.get(r.alternativeOf) ?? [r.alternativeOf];
    list.push(r.id);
    out.set(r.alternativeOf, list);
  }
  return out;
}
