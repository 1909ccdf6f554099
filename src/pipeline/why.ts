/**
 * `portmatrix why HOST`: the help-desk view. Every rule that involves the host's roles, what the
 * inputs show for it (blocked first, then in time order), what to do, the attempts of the host that no
 * rule lists, and the likely cause: the first blocked required flow in time order, with the rules that
 * depend on it or fall back to it.
 */
import { formatAddr, parseAddr } from "../net/addr.js";
import { UsageError } from "../errors.js";
import { didYouMean } from "../model/suggest.js";
import { ruleCovers } from "../match/matcher.js";
import { protocolNumber } from "../decode/batch.js";
import { exampleWhere } from "../report/example.js";
import { failsOn } from "../report/fail-on.js";
import type { CheckSetup } from "./check.js";
import type { Rule } from "../model/ruleset.js";
import type { Finding, Report } from "../report/types.js";

export type RuleStatus = "blocked" | "allowed" | "inconclusive" | "not observed";

/** What the inputs show for a rule: one finding of the host's traffic. */
export interface WhyObservation {
  status: "blocked" | "allowed" | "inconclusive";
  /** Blocked: who stopped it (docs/outcomes.md); null otherwise or in reports made before attribution. */
  blockedBy: Finding["blockedBy"];
  /** One line: protocol, port, addresses, count, evidence, first time and where (frame for captures). */
  text: string;
  firstSeen: string | null;
}

export interface WhyRule {
  rule: string;
  /** "out": the host is the rule's source; "in": its destination. */
  direction: "out" | "in";
  from: string;
  to: string;
  services: string[];
  ports: string;
  requirement: "required" | "conditional";
  condition: string | null;
  source: string;
  /** The document does not state this flow: the rule is the ruleset's reading (`inferredReason` says why). */
  inferred: boolean;
  inferredReason: string | null;
  /** Inventory entries of the other role (address or prefix, with name); empty when it has none. */
  peers: string[];
  status: RuleStatus;
  /** Every finding of this rule and host: blocked first, then inconclusive, then allowed; each in time order. */
  observations: WhyObservation[];
  /** What to do: one line per blocked observation (same order), or for a rule with nothing to check it against. */
  advice: string[];
  /** Earliest time a blocked record was seen (ISO), for the verdict's time order. */
  firstBlocked: string | null;
  dependsOn: string[];
}

export interface WhyResult {
  host: string;
  address: string;
  name: string | null;
  roles: string[];
  scenarios: string[];
  /** --documented-only: rules marked inferred were left out. */
  documentedOnly: boolean;
  inputs: string[];
  rules: WhyRule[];
  /** Traffic of this host (either direction) that no rule expects and that was allowed. */
  unexpected: string[];
  /**
   * Attempts from this host that no rule lists and that were blocked (blocked-unexpected), and blocked
   * attempts to addresses the inventory does not hold: what the host tried that the matrix does not know.
   */
  blockedUnlisted: string[];
  /** Attempts by other hosts towards this one that were blocked (refused by it or stopped on the way) and that no rule lists. */
  blockedTowards: string[];
  verdict: { cause: string | null; text: string; dependents: string[] };
  /**
   * How much the answer rests on (set when inputs were given), in the README's words: records used and
   * inputs, the flows they held (and those with both ends in the inventory), the findings those flows
   * make, and what was not checked.
   */
  checked?: { records: number; inputs: number; flows: number; flowsClassified: number; findings: number; findingsClassified: number; problems: string[] };
  /** The verdicts that make the exit status 1 (--fail-on), and whether this host's findings meet one. */
  failOn: string[];
  fails: boolean;
}

export interface ResolvedHost {
  address: string;
  family: 4 | 6;
  words: Uint32Array;
  name: string | null;
}

/**
 * HOST as an address, or an inventory host name: exactly as written, else ignoring case (Windows and
 * DNS names are case-insensitive: `CLIENT01` is `client01`), else an error that names the near misses.
 */
export function resolveHost(setup: CheckSetup, host: string): ResolvedHost {
  const words = new Uint32Array(4);
  const fam = parseAddr(host, words);
  if (fam !== 0) {
    return { address: formatAddr(fam, words, 0), family: fam, words, name: setup.matcher.roles.hostName(fam, words, 0) ?? null };
  }
  // Names of entries under roles:, and of hosts: (which may name an address inside a listed prefix).
  const named = [
    ...setup.inventory.entries.filter((e) => e.name !== undefined).map((e) => ({ name: e.name!, family: e.family, words: e.words })),
    ...setup.inventory.hosts,
  ];
  let hits = named.filter((e) => e.name === host);
  if (hits.length === 0) hits = named.filter((e) => e.name.toLowerCase() === host.toLowerCase());
  const names = [...new Set(named.map((e) => e.name))];
  if (hits.length === 0) {
    const hint = didYouMean(host, names) || (names.length ? `; names there: ${names.slice(0, 12).join(", ")}${names.length > 12 ? `, ... (${names.length})` : ""}` : " (it names no hosts)");
    throw new UsageError(`"${host}" is neither an address nor a host name in ${setup.inventory.file}${hint}`);
  }
  const distinct = [...new Set(hits.map((e) => e.name))];
  if (distinct.length > 1) {
    throw new UsageError(`"${host}" matches several host names in ${setup.inventory.file} that differ only in case: ${distinct.join(", ")}; give one exactly`);
  }
  const e = hits[0]!;
  const w = Uint32Array.from(e.words);
  return { address: formatAddr(e.family, w, 0), family: e.family, words: w, name: e.name };
}

/** A finding's count in the README's words: the flows it stands for. */
function flowCount(n: number): string {
  return `${n} flow${n === 1 ? "" : "s"}`;
}

function flowText(f: Finding): string {
  return f.port !== null ? `${f.protocol.toUpperCase()} ${f.port}` : f.icmpType !== null ? `${f.protocol.toUpperCase()} type ${f.icmpType}` : f.protocol === "icmp" || f.protocol === "icmpv6" ? `${f.protocol.toUpperCase()} type unknown` : f.protocol.toUpperCase();
}

/** "TCP 445 10.1.2.3 -> 10.0.0.10 3 flows (evidence) first <time> at kern.log:12" */
function findingLine(f: Finding): string {
  const ev = f.evidence.length ? ` (${f.evidence.join("; ")})` : "";
  const when = f.firstSeen ? ` first ${f.firstSeen}` : "";
  return `${flowText(f)} ${f.src} -> ${f.dst} ${flowCount(f.count)}${ev}${when} at ${exampleWhere(f.example)}`;
}

const STATUS_RANK = { blocked: 0, inconclusive: 1, allowed: 2 } as const;
const NO_TIME = "\uffff";

/** Blocked before inconclusive before allowed (what matters first); then by first time, records without time last. */
function byImportance(a: WhyObservation, b: WhyObservation): number {
  const r = STATUS_RANK[a.status] - STATUS_RANK[b.status];
  if (r !== 0) return r;
  const ta = a.firstSeen ?? NO_TIME;
  const tb = b.firstSeen ?? NO_TIME;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

function observationOf(f: Finding): WhyObservation | undefined {
  const status = f.verdict === "blocked-required" ? "blocked" : f.verdict === "allowed-required" ? "allowed" : f.verdict === "inconclusive" ? "inconclusive" : undefined;
  if (!status) return undefined;
  const head = status === "blocked" ? `blocked${f.blockedBy ? ` (${f.blockedBy})` : ""}` : status;
  return { status, blockedBy: f.blockedBy ?? null, text: `${head}: ${findingLine(f)}`, firstSeen: f.firstSeen };
}

/**
 * What to do about one blocked required flow, by who stopped it (the finding's `blockedBy`). A report
 * written before attribution existed has none: it is advised as unknown, not guessed from its text.
 * The flow is named from its source to its destination and the destination's role (`toRole`, the
 * rule's), whichever end the host asked about is: naming the asked-about host's peer as the
 * destination sent the reader to the client for a server's refusal.
 */
function adviceFor(f: Finding, toRole: string): string {
  const seen = f.evidence.length ? ` (seen: ${f.evidence[0]})` : "";
  const route = `from ${f.src} to ${toRole} ${f.dst}`;
  switch (f.blockedBy) {
    case "destination":
      return `${flowText(f)} ${route} was refused by ${f.dst} itself: is the service running and listening there, and does that host's own firewall let ${f.src} in?${seen}`;
    case "network":
      return `open ${flowText(f)} ${route} on the firewall in between: it was stopped on the way${seen}`;
    default:
      return `${flowText(f)} ${route} was stopped, but not enough was seen to tell where: check the firewalls in between and that the service runs on ${f.dst}${seen}`;
  }
}

/** A finding's protocol and port as the matcher keys them (ICMP: the type), for ruleCovers. */
function coveredBy(r: Rule, f: Finding): boolean {
  const proto = protocolNumber(f.protocol.replace(/^ip-proto-/, ""));
  const port = f.port ?? f.icmpType;
  return proto !== undefined && port !== null && ruleCovers(r, proto, port);
}

interface Context {
  setup: CheckSetup;
  host: ResolvedHost;
  /** The host's roles: a peer role it holds itself needs "other" in the advice. */
  roles: readonly string[];
  findings: readonly Finding[];
  inputs: readonly string[];
}

/** Inventory entries holding `role`, as "name address/prefix", without the host itself. */
function peersOf(x: Context, role: string): string[] {
  return x.setup.inventory.entries.filter((e) => e.roles.includes(role)).map((e) => {
    const a = formatAddr(e.family, Uint32Array.from(e.words), 0);
    const p = e.prefixLength === (e.family === 4 ? 32 : 128) ? a : `${a}/${e.prefixLength}`;
    return e.name ? `${e.name} ${p}` : p;
  }).filter((p) => !p.endsWith(` ${x.host.address}`) && p !== x.host.address);
}

/**
 * Advice for a rule with nothing blocked: without a host of the peer role in the inventory no traffic
 * can ever match the rule (it would be `unclassified`), so the inventory is what to fix first; traffic
 * of the host to an address the inventory lacks, on the rule's ports, may be that peer.
 */
function adviceWithoutBlock(x: Context, r: Rule, direction: "out" | "in", peers: readonly string[], status: RuleStatus): string[] {
  const peerRole = direction === "out" ? r.to : r.from;
  if (peers.length === 0) {
    const unknown = x.findings.filter((f) => f.verdict === "unclassified" && coveredBy(r, f) &&
      (direction === "out" ? f.src === x.host.address && f.dstRole === null : f.dst === x.host.address && f.srcRole === null));
    const peerOf = direction === "out" ? (f: Finding) => f.dst : (f: Finding) => f.src;
    const seen = [...new Set(unknown.map(peerOf))];
    const hint = seen.length ? `; traffic ${direction === "out" ? "to" : "from"} ${seen.slice(0, 3).join(", ")}${seen.length > 3 ? ` and ${seen.length - 3} more` : ""} on this rule's ports was seen but is not in the inventory: is that the ${peerRole} host?` : "";
    const other = x.roles.includes(peerRole) ? "other " : "";
    return [`no ${other}host of role ${peerRole} is in the inventory ${x.setup.inventory.file}: add the ${peerRole} host(s) under "roles: ${peerRole}:" so that traffic for this rule can be checked${hint}`];
  }
  if (status === "not observed" && x.inputs.length > 0) return [`no traffic for this rule in the inputs: capture while the client tries (${r.purpose})`];
  return [];
}

function considerRule(x: Context, r: Rule, direction: "out" | "in"): WhyRule {
  const a = x.host.address;
  const mine = x.findings.filter((f) => f.rule === r.id && (direction === "out" ? f.src === a : f.dst === a));
  const pairs = mine.map((f) => ({ f, o: observationOf(f) })).filter((p): p is { f: Finding; o: WhyObservation } => p.o !== undefined);
  pairs.sort((p, q) => byImportance(p.o, q.o));
  const observations = pairs.map((p) => p.o);
  const blocked = pairs.filter((p) => p.o.status === "blocked").map((p) => p.f);
  const status: RuleStatus = observations[0]?.status ?? "not observed";
  const peerRole = direction === "out" ? r.to : r.from;
  const peers = peersOf(x, peerRole);
  const advice = blocked.length
    ? blocked.map((f) => adviceFor(f, r.to))
    : adviceWithoutBlock(x, r, direction, peers, status);
  const firstBlocked = blocked.length ? blocked.map((f) => f.firstSeen).filter((t): t is string => t !== null).sort()[0] ?? "" : null;
  return {
    rule: r.id, direction, from: r.from, to: r.to, services: r.services,
    ports: r.flows.map((fl) => `${fl.proto === 6 ? "tcp" : fl.proto === 17 ? "udp" : fl.proto === 1 ? "icmp" : "icmpv6"} ${fl.ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(", ")}`).join("; "),
    requirement: r.requirement, condition: r.condition ?? null, source: r.source, inferred: r.inferred, inferredReason: r.inferredReason ?? null,
    peers, status, observations, advice, firstBlocked, dependsOn: r.dependsOn,
  };
}

const byFirstSeen = (a: Finding, b: Finding) => ((a.firstSeen ?? NO_TIME) < (b.firstSeen ?? NO_TIME) ? -1 : (a.firstSeen ?? NO_TIME) > (b.firstSeen ?? NO_TIME) ? 1 : 0);

/** Allowed traffic of the host that no rule expects, and the blocked attempts of the host no rule lists. */
function unlisted(x: Context): { unexpected: string[]; blockedUnlisted: string[]; blockedTowards: string[]; inNoRule: number; notInInventory: number } {
  const a = x.host.address;
  const unexpected = x.findings.filter((f) => f.verdict === "allowed-unexpected" && (f.src === a || f.dst === a)).sort(byFirstSeen)
    .map((f) => `allowed but in no rule: ${findingLine(f)}`);
  const blocked = x.findings
    .filter((f) => f.src === a && (f.verdict === "blocked-unexpected" || f.verdict === "unclassified" && f.action === "blocked"))
    .sort(byFirstSeen);
  const blockedUnlisted = blocked
    .map((f) => `${f.verdict === "unclassified" ? "blocked, to an address not in the inventory" : "blocked, in no rule"}${f.blockedBy ? ` (${f.blockedBy})` : ""}: ${findingLine(f)}`);
  const notInInventory = blocked.filter((f) => f.verdict === "unclassified").length;
  // The server's side of the same story: a client tried a port of this host that the matrix does not list
  // for it, and this host (or a firewall on the way) refused it.
  const blockedTowards = x.findings
    .filter((f) => f.dst === a && f.src !== a && (f.verdict === "blocked-unexpected" || f.verdict === "unclassified" && f.action === "blocked"))
    .sort(byFirstSeen)
    .map((f) => `${f.verdict === "unclassified" ? "blocked, from an address not in the inventory" : "blocked, in no rule"}${f.blockedBy ? ` (${f.blockedBy})` : ""}: ${findingLine(f)}`);
  return { unexpected, blockedUnlisted, blockedTowards, inNoRule: blocked.length - notInInventory, notInInventory };
}

/**
 * The verdict's clause on the blocked attempts no rule covers. Two different fixes: an attempt in no
 * rule may be a flow the ruleset lacks; an attempt to an address the inventory lacks could not be
 * checked at all (its peer has no role), so the inventory is what to complete, not the ruleset.
 */
function attemptsClause(a: string, u: ReturnType<typeof unlisted>): string {
  let out = "";
  if (u.inNoRule) out += `; ${u.inNoRule} blocked attempt(s) from ${a} that the matrix does not list (above): if the product needs one, the ruleset lacks it`;
  if (u.notInInventory) out += `; ${u.notInInventory} blocked attempt(s) from ${a} to addresses not in the inventory (above): if one is a host of the product, add it under its role so that it can be checked`;
  return out;
}

/** The likely cause: the first blocked required flow in time order (records without time last). */
function verdictOf(x: Context, roles: readonly string[], rules: readonly WhyRule[], u: ReturnType<typeof unlisted>): WhyResult["verdict"] {
  const a = x.host.address;
  const attempts = attemptsClause(a, u);
  const blockedRules = rules.filter((r) => r.status === "blocked").sort((p, q) => {
    const tp = p.firstBlocked || NO_TIME;
    const tq = q.firstBlocked || NO_TIME;
    return tp < tq ? -1 : tp > tq ? 1 : 0;
  });
  const cause = blockedRules[0];
  if (!cause) {
    const notSeen = rules.filter((r) => r.status === "not observed" && r.requirement === "required").length;
    const text = x.findings.length === 0 && x.inputs.length === 0
      ? `no inputs given: these are the flows ${a} needs; check them with a capture, a firewall log or \`portmatrix probe --as ${roles[0]}\``
      : `no blocked required flow for ${a} in the inputs${notSeen ? `; ${notSeen} required rule(s) not observed` : ""}${u.unexpected.length ? `; ${u.unexpected.length} allowed-unexpected finding${u.unexpected.length === 1 ? "" : "s"}` : ""}${attempts}`;
    return { cause: null, dependents: [], text };
  }
  const byId = new Map(rules.map((r) => [r.rule, r]));
  const dependents = rules.filter((r) => r.dependsOn.includes(cause.rule)).map((r) => r.rule);
  const parts = [`likely cause: ${cause.rule} (${cause.from} -> ${cause.to} ${cause.services.join(", ")}) is blocked${cause.firstBlocked ? `, first at ${cause.firstBlocked}` : ""}`];
  if (cause.advice[0]) parts.push(cause.advice[0]);
  // The help-desk must know when "required" is the ruleset's reading, not the vendor's word.
  if (cause.inferred) parts.push(`the rule is inferred, not stated by the document (${cause.inferredReason ?? "no reason given"}): confirm the flow is needed before opening it`);
  if (cause.requirement === "conditional" && cause.dependsOn.length > 0) {
    const fallbacks = cause.dependsOn.map((id) => byId.get(id)).filter((r): r is WhyRule => r !== undefined);
    const ok = fallbacks.filter((r) => r.status === "allowed").map((r) => r.rule);
    parts.push(ok.length
      ? `it falls back to ${ok.join(", ")}, which was allowed: this matters only when that is also unreachable (${cause.condition ?? "conditional"})`
      : `it falls back to ${cause.dependsOn.join(", ")}; check those too (${cause.condition ?? "conditional"})`);
  }
  if (dependents.length) parts.push(`rules that depend on it: ${dependents.join(", ")}`);
  if (blockedRules.length > 1) parts.push(`also blocked: ${blockedRules.slice(1).map((r) => r.rule).join(", ")}`);
  return { cause: cause.rule, dependents, text: parts.join("; ") + attempts };
}

/**
 * Whether the host's findings meet `failOn` (as check's --fail-on, limited to the flows of this host);
 * `unobserved-required` counts the host's required rules with peers and no traffic in the inputs. A
 * finding of a rule this ruleset lacks (a saved report of another ruleset, read with --allow-mismatch)
 * appears nowhere in the answer, so it does not decide the exit status either: the answer and its
 * status speak of this ruleset only, and the mismatch warning says why.
 */
function hostFails(x: Context, rules: readonly WhyRule[], failOn: readonly string[]): boolean {
  const a = x.host.address;
  const known = new Set(x.setup.rules.map((r) => r.id));
  if (x.findings.some((f) => (f.src === a || f.dst === a) && (f.rule === null || known.has(f.rule)) && failsOn(failOn, f))) return true;
  return x.inputs.length > 0 && failOn.includes("unobserved-required") &&
    rules.some((r) => r.status === "not observed" && r.requirement === "required" && r.peers.length > 0);
}

export interface ExplainOptions {
  /** Verdicts that make the exit status 1 (default: blocked-required). */
  failOn?: readonly string[];
}

export function explain(setup: CheckSetup, host: string, report: Report | undefined, inputs: readonly string[], o: ExplainOptions = {}): WhyResult {
  const h = resolveHost(setup, host);
  const roles = setup.matcher.roles.setRoleIds(setup.matcher.roles.lookup(h.family, h.words, 0));
  if (roles.length === 0) {
    throw new UsageError(`${h.address} is not in the inventory ${setup.inventory.file}: its roles are unknown, so no rule applies; add it under its role`);
  }
  const x: Context = { setup, host: h, roles, findings: report?.findings ?? [], inputs };
  const rules: WhyRule[] = [];
  for (const r of setup.rules) {
    if (roles.includes(r.from)) rules.push(considerRule(x, r, "out"));
    if (roles.includes(r.to) && !(roles.includes(r.from) && r.from === r.to)) rules.push(considerRule(x, r, "in"));
  }
  const u = unlisted(x);
  const failOn = [...(o.failOn ?? ["blocked-required"])];
  return {
    host, address: h.address, name: h.name, roles, scenarios: setup.scenarios, documentedOnly: setup.documentedOnly, inputs: [...inputs],
    rules, unexpected: u.unexpected, blockedUnlisted: u.blockedUnlisted, blockedTowards: u.blockedTowards, verdict: verdictOf(x, roles, rules, u), failOn, fails: hostFails(x, rules, failOn),
  };
}
