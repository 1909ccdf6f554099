/**
 * `portmatrix why HOST`: the help-desk view. Every rule that involves the host's roles, what the
 * inputs show for it, what to do, and the likely cause: the first blocked required flow in time order,
 * with the rules that depend on it or fall back to it.
 */
import { formatAddr, parseAddr } from "../net/addr.js";
import { UsageError } from "../errors.js";
import type { CheckSetup } from "./check.js";
import type { Rule } from "../model/ruleset.js";
import type { Finding, Report } from "../report/types.js";
import { escapeTerminal } from "../report/escape.js";

export type RuleStatus = "blocked" | "allowed" | "inconclusive" | "not observed";

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
  /** Inventory entries of the other role (address or prefix, with name). */
  peers: string[];
  status: RuleStatus;
  /** What the inputs show, one line each. */
  observations: string[];
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
  /** Traffic of this host that no rule expects. */
  unexpected: string[];
  verdict: { cause: string | null; text: string; dependents: string[] };
  /**
   * How much the answer rests on (set when inputs were given), in the README's words: records used and
   * inputs, the flows they held (and those with both ends in the inventory), the findings those flows
   * make, and what was not checked.
   */
  checked?: { records: number; inputs: number; flows: number; flowsClassified: number; findings: number; findingsClassified: number; problems: string[] };
}

/** HOST as an address or an inventory host name. */
export function resolveHost(setup: CheckSetup, host: string): { address: string; family: 4 | 6; words: Uint32Array; name: string | null } {
  const words = new Uint32Array(4);
  const fam = parseAddr(host, words);
  if (fam !== 0) {
    return { address: formatAddr(fam, words, 0), family: fam, words, name: setup.matcher.roles.hostName(fam, words, 0) ?? null };
  }
  const named = setup.inventory.entries.find((e) => e.name === host);
  if (!named) {
    const names = [...new Set(setup.inventory.entries.map((e) => e.name).filter((n): n is string => n !== undefined))];
    throw new UsageError(`"${host}" is neither an address nor a host name in ${setup.inventory.file}${names.length ? `; names there: ${names.slice(0, 12).join(", ")}` : " (it names no hosts)"}`);
  }
  const w = Uint32Array.from(named.words);
  return { address: formatAddr(named.family, w, 0), family: named.family, words: w, name: host };
}

/** A finding's count in the README's words: the flows it stands for. */
function flowCount(n: number): string {
  return `${n} flow${n === 1 ? "" : "s"}`;
}

function flowText(f: Finding): string {
  return f.port !== null ? `${f.protocol.toUpperCase()} ${f.port}` : f.icmpType !== null ? `${f.protocol.toUpperCase()} type ${f.icmpType}` : f.protocol === "icmp" || f.protocol === "icmpv6" ? `${f.protocol.toUpperCase()} type unknown` : f.protocol.toUpperCase();
}

/**
 * What to do about one blocked required flow, by who stopped it (the finding's `blockedBy`). A report
 * written before attribution existed has none: it is advised as unknown, not guessed from its text.
 */
function adviceFor(f: Finding, peerRole: string, peer: string): string {
  const seen = f.evidence.length ? ` (seen: ${f.evidence[0]})` : "";
  switch (f.blockedBy) {
    case "destination":
      return `${flowText(f)} to ${peerRole} ${peer} was refused by ${f.dst} itself: is the service running and listening there, and does that host's own firewall let ${f.src} in?${seen}`;
    case "network":
      return `open ${flowText(f)} from ${f.src} to ${peerRole} ${peer} on the firewall in between: it was stopped on the way${seen}`;
    default:
      return `${flowText(f)} from ${f.src} to ${peerRole} ${peer} was stopped, but not enough was seen to tell where: check the firewalls in between and that the service runs on ${f.dst}${seen}`;
  }
}

export function explain(setup: CheckSetup, host: string, report: Report | undefined, inputs: readonly string[]): WhyResult {
  const h = resolveHost(setup, host);
  const roles = setup.matcher.roles.setRoleIds(setup.matcher.roles.lookup(h.family, h.words, 0));
  if (roles.length === 0) {
    throw new UsageError(`${h.address} is not in the inventory ${setup.inventory.file}: its roles are unknown, so no rule applies; add it under its role`);
  }
  const findings = report?.findings ?? [];
  const peersOf = (role: string) => setup.inventory.entries.filter((e) => e.roles.includes(role)).map((e) => {
    const a = formatAddr(e.family, Uint32Array.from(e.words), 0);
    const p = e.prefixLength === (e.family === 4 ? 32 : 128) ? a : `${a}/${e.prefixLength}`;
    return e.name ? `${e.name} ${p}` : p;
  }).filter((p) => !p.endsWith(` ${h.address}`) && p !== h.address);

  const rules: WhyRule[] = [];
  const consider = (r: Rule, direction: "out" | "in") => {
    const byTime = (a: Finding, b: Finding) => ((a.firstSeen ?? "\uffff") < (b.firstSeen ?? "\uffff") ? -1 : (a.firstSeen ?? "\uffff") > (b.firstSeen ?? "\uffff") ? 1 : 0);
    const mine = findings.filter((f) => f.rule === r.id && (direction === "out" ? f.src === h.address : f.dst === h.address)).sort(byTime);
    const blocked = mine.filter((f) => f.verdict === "blocked-required");
    const allowed = mine.filter((f) => f.verdict === "allowed-required");
    const unknown = mine.filter((f) => f.verdict === "inconclusive");
    const status: RuleStatus = blocked.length ? "blocked" : allowed.length ? "allowed" : unknown.length ? "inconclusive" : "not observed";
    const observations = mine.map((f) => `${f.verdict === "blocked-required" ? `blocked${f.blockedBy ? ` (${f.blockedBy})` : ""}` : f.verdict === "allowed-required" ? "allowed" : f.verdict}: ${flowText(f)} ${f.src} -> ${f.dst} ${flowCount(f.count)}${f.evidence.length ? ` (${f.evidence.join("; ")})` : ""}${f.firstSeen ? ` first ${f.firstSeen}` : ""}`);
    const advice: string[] = [];
    for (const f of blocked) advice.push(adviceFor(f, direction === "out" ? r.to : r.from, direction === "out" ? f.dst : f.src));
    if (status === "not observed" && inputs.length > 0) advice.push(`no traffic for this rule in the inputs: capture while the client tries (${r.purpose})`);
    const firstBlocked = blocked.map((f) => f.firstSeen).filter((t): t is string => t !== null).sort()[0] ?? (blocked.length ? null : null);
    rules.push({
      rule: r.id, direction, from: r.from, to: r.to, services: r.services,
      ports: r.flows.map((fl) => `${fl.proto === 6 ? "tcp" : fl.proto === 17 ? "udp" : fl.proto === 1 ? "icmp" : "icmpv6"} ${fl.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ")}`).join("; "),
      requirement: r.requirement, condition: r.condition ?? null, source: r.source, inferred: r.inferred, inferredReason: r.inferredReason ?? null,
      peers: peersOf(direction === "out" ? r.to : r.from), status, observations, advice,
      firstBlocked: blocked.length ? firstBlocked ?? "" : null, dependsOn: r.dependsOn,
    });
  };
  for (const r of setup.rules) {
    if (roles.includes(r.from)) consider(r, "out");
    if (roles.includes(r.to) && !(roles.includes(r.from) && r.from === r.to)) consider(r, "in");
  }

  const unexpected = findings
    .filter((f) => f.verdict === "allowed-unexpected" && (f.src === h.address || f.dst === h.address))
    .map((f) => `allowed but in no rule: ${flowText(f)} ${f.src} -> ${f.dst} ${flowCount(f.count)}`);

  // The likely cause: the first blocked required flow in time order (records without time last).
  const blockedRules = rules.filter((r) => r.status === "blocked").sort((a, b) => {
    const ta = a.firstBlocked || "\uffff";
    const tb = b.firstBlocked || "\uffff";
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  });
  let verdict: WhyResult["verdict"];
  if (blockedRules.length === 0) {
    const notSeen = rules.filter((r) => r.status === "not observed" && r.requirement === "required").length;
    verdict = {
      cause: null,
      dependents: [],
      text: findings.length === 0 && inputs.length === 0
        ? `no inputs given: these are the flows ${h.address} needs; check them with a capture, a firewall log or \`portmatrix probe --as ${roles[0]}\``
        : `no blocked required flow for ${h.address} in the inputs${notSeen ? `; ${notSeen} required rule(s) not observed` : ""}${unexpected.length ? `; ${unexpected.length} unexpected flow(s) allowed` : ""}`,
    };
  } else {
    const cause = blockedRules[0]!;
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
    verdict = { cause: cause.rule, dependents, text: parts.join("; ") };
  }
  return { host, address: h.address, name: h.name, roles, scenarios: setup.scenarios, documentedOnly: setup.documentedOnly, inputs: [...inputs], rules, unexpected, verdict };
}

/** The text view. Every line is escaped whole (escapeTerminal): no value can break or forge a line. */
export function renderWhy(w: WhyResult): string {
  const out: string[] = [];
  out.push(`${w.host}${w.name && w.name !== w.host ? ` (${w.name})` : ""}${w.address !== w.host ? ` = ${w.address}` : ""}: roles ${w.roles.join(", ")}; scenarios: ${w.scenarios.join(", ") || "all"}${w.documentedOnly ? "; documented rules only" : ""}`);
  out.push("");
  const mark: Record<RuleStatus, string> = { blocked: "✗", allowed: "✓", inconclusive: "?", "not observed": "○" };
  for (const dir of ["out", "in"] as const) {
    const list = w.rules.filter((r) => r.direction === dir);
    if (!list.length) continue;
    out.push(dir === "out" ? "As a source:" : "As a destination:");
    for (const r of list) {
      const peerRole = dir === "out" ? r.to : r.from;
      out.push(`  ${mark[r.status]} ${r.status.padEnd(12)} ${r.rule}: ${dir === "out" ? "->" : "<-"} ${peerRole} ${r.ports}${r.requirement === "conditional" ? " (conditional)" : ""}${r.inferred ? " (inferred)" : ""}`);
      if (r.peers.length) out.push(`      peers: ${r.peers.slice(0, 6).join(", ")}${r.peers.length > 6 ? `, ... (${r.peers.length})` : ""}`);
      for (const o of r.observations.slice(0, 4)) out.push(`      ${o}`);
      if (r.inferred && r.status === "blocked") out.push(`      inferred, not stated by the document: ${r.inferredReason ?? ""}`);
      for (const a of r.advice) out.push(`      → ${a}`);
    }
    out.push("");
  }
  for (const u of w.unexpected.slice(0, 10)) out.push(`  ⚠ ${u}`);
  if (w.unexpected.length) out.push("");
  if (w.checked) {
    const c = w.checked;
    const n = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
    out.push(`Checked: ${n(c.records, "record")} from ${n(c.inputs, "input")}; ${n(c.flows, "flow")}, ${c.flowsClassified} classified (both ends in the inventory); ${n(c.findings, "finding")}`);
    for (const p of c.problems) out.push(`    ✗ ${p}`);
    if (c.problems.length > 0) out.push("    (the answer below rests only on what was checked)");
  }
  out.push(`Verdict: ${w.verdict.text}`);
  return out.map(escapeTerminal).join("\n") + "\n";
}
