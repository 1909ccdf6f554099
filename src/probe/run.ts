/**
 * `portmatrix probe`: try every port the matrix gives a role, from this machine, and report the
 * outcomes exactly as `check` reports traffic. Each attempt becomes one event of an EventBatch (src =
 * the socket's local address, action = what the attempt showed, label = the evidence text); the
 * machine's source addresses are added to the inventory under the role for this run; then the
 * matcher, FindingTable and buildReport of `check` do the rest.
 */
import { randomInt } from "node:crypto";
import { networkInterfaces } from "node:os";
import { setMaxListeners } from "node:events";
import type { CheckSetup } from "../pipeline/check.js";
import type { Inventory, InventoryEntry } from "../model/inventory.js";
import type { Range } from "../model/ports.js";
import { RoleLookup } from "../match/roles.js";
import { Matcher, classifyBatch, createClassified } from "../match/matcher.js";
import type { FailOn } from "../report/fail-on.js";
import { FindingTable } from "../match/aggregate.js";
import { buildReport } from "../report/build.js";
import { PROBE_FORMAT, type Report } from "../report/types.js";
import { InputStats } from "../decode/stats.js";
import { BLOCKED_BY_UNKNOWN, NONE, PROTO_TCP, PROTO_UDP, TCP_SYN, commit, createBatch, reserve } from "../decode/batch.js";
import { parseAddr } from "../net/addr.js";
import { UsageError } from "../errors.js";
import { planProbe, type ProbePlan, type ProbeTarget } from "./plan.js";
import { pingAttempt, sourceAddressFor, tcpAttempt, udpAttempt, type AttemptOptions, type Outcome } from "./attempt.js";
import { udpRequestFor, type UdpProtocol } from "./requests/index.js";

export interface ProbeOptions {
  /** The role this machine plays (--as). */
  role: string;
  timeoutMs: number;
  concurrency: number;
  maxTimeMs: number;
  /** Port ranges wider than this are listed as not probed instead of swept. */
  maxRange: number;
  failOn: FailOn[];
  /** UDP ports to ask with a protocol other than their well-known one's ("none": an empty datagram). */
  udpRequests?: ReadonlyMap<number, UdpProtocol | "none">;
  /** The ping command, or null when there is none (ICMP is then inconclusive). */
  ping: string | null;
  /** Told after each attempt (for a progress line). */
  onAttempt?: (done: number, total: number) => void;
  now?: Date;
  /** Accept a probe that tried nothing (`--allow-empty`). */
  allowEmpty?: boolean;
}

export interface ProbeResult {
  report: Report;
  plan: ProbePlan;
  /** This machine's source addresses, as used. */
  sources: string[];
  /** Things a person should know (on stderr): what was not probed, addresses counted as the role. */
  notes: string[];
}

/** Input name and format of the probe's one input in the report. */
export const PROBE_INPUT = PROBE_FORMAT;

type Timed = Outcome & { time: number };

function pickPort(ranges: readonly Range[]): number {
  // Unprivileged ports first: a privileged source port needs root, and no client uses one.
  let pool = ranges.map(([a, b]) => [Math.max(a, 1024), b] as const).filter(([a, b]) => a <= b);
  if (pool.length === 0) pool = ranges.map(([a, b]) => [Math.max(a, 1), b] as const).filter(([a, b]) => a <= b);
  const total = pool.reduce((n, [a, b]) => n + b - a + 1, 0);
  if (total === 0) return 0;
  let k = randomInt(total);
  for (const [a, b] of pool) {
    if (k <= b - a) return a + k;
    k -= b - a + 1;
  }
  return 0;
}

async function attempt(t: ProbeTarget, o: ProbeOptions, signal: AbortSignal): Promise<Outcome> {
  const once = (localPort?: number): Promise<Outcome> => {
    const ao: AttemptOptions = { timeoutMs: o.timeoutMs, signal };
    if (localPort !== undefined && localPort > 0) ao.localPort = localPort;
    if (t.proto === PROTO_TCP) return tcpAttempt(t.dst, t.port, ao);
    if (t.proto === PROTO_UDP) return udpAttempt(t.dst, t.family, t.port, udpRequestFor(t.port, o.udpRequests), ao);
    return pingAttempt(o.ping, t.dst, t.family, ao);
  };
  if (t.sourcePorts === null || (t.proto !== PROTO_TCP && t.proto !== PROTO_UDP)) return once();
  // The rule allows only some client ports (a firewall may check them too): send from one of them.
  let last: Outcome | undefined;
  for (let i = 0; i < 8; i++) {
    last = await once(pickPort(t.sourcePorts));
    if (last.bindError !== "EADDRINUSE") break;
  }
  if (last!.bindError === undefined) return last!;
  const allowed = t.sourcePorts.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ");
  return { ...last!, evidence: `probe: cannot bind a source port in ${allowed}, as the rule requires (${last!.bindError})` };
}

/** An address to stand for this machine when no socket got a local address (no route at all). */
function fallbackSource(family: 4 | 6): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (!a.internal && a.family === (family === 4 ? "IPv4" : "IPv6") && !a.address.startsWith("fe80:")) return a.address;
    }
  }
  return family === 4 ? "127.0.0.1" : "::1";
}

function sameAddress(e: InventoryEntry, family: 4 | 6, words: Uint32Array): boolean {
  return e.family === family && e.prefixLength === (family === 4 ? 32 : 128) && e.words.every((w, k) => w === words[k]);
}

/**
 * The inventory with this machine's source addresses holding the role: an address listed on its own
 * gains the role; one whose prefix already gives it the role stays as it is; any other is added as a
 * host with the role and the roles its prefix gives it. `added`: the addresses that did not hold it.
 */
export function withSources(inv: Inventory, lookup: RoleLookup, role: string, sources: readonly string[]): { inventory: Inventory; added: string[] } {
  const entries: InventoryEntry[] = inv.entries.map((e) => ({ ...e, roles: [...e.roles] }));
  const added: string[] = [];
  for (const a of sources) {
    const words = new Uint32Array(4);
    const family = parseAddr(a, words);
    if (family === 0) continue;
    const exact = entries.find((e) => sameAddress(e, family, words));
    if (exact) {
      if (!exact.roles.includes(role)) { exact.roles.push(role); added.push(a); }
      continue;
    }
    const inherited = lookup.setRoleIds(lookup.lookup(family, words, 0));
    if (inherited.includes(role)) continue; // a prefix of the role holds it already
    added.push(a);
    entries.push({ family, words: [words[0]!, words[1]!, words[2]!, words[3]!], prefixLength: family === 4 ? 32 : 128, roles: [role, ...inherited], text: a, line: 0, column: 0 });
  }
  return { inventory: { ...inv, entries }, added };
}

export async function runProbe(setup: CheckSetup, o: ProbeOptions): Promise<ProbeResult> {
  const roleIds = setup.matcher.roles.roleIds;
  if (!roleIds.includes(o.role)) {
    throw new UsageError(`--as ${o.role}: unknown role for ruleset ${setup.ruleset.id}; known roles: ${roleIds.join(", ")}`);
  }
  const plan = planProbe(setup.rules, setup.inventory, o.role, o.maxRange);
  if (plan.rules.length === 0) {
    const sources = [...new Set(setup.rules.map((r) => r.from))];
    const scen = setup.scenarios.length > 0 ? ` in scenario ${setup.scenarios.join(", ")}` : "";
    throw new UsageError(`--as ${o.role}: no active rule${scen} starts at this role; roles that have rules: ${sources.join(", ")}`);
  }

  const n = plan.targets.length;
  const outcomes: Timed[] = new Array<Timed>(n);
  const ac = new AbortController();
  // Every attempt in flight listens for the deadline (ping's execFile adds one more).
  setMaxListeners(2 * o.concurrency + 10, ac.signal);
  const deadline = setTimeout(() => ac.abort(), o.maxTimeMs);
  let next = 0;
  let finished = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const time = Date.now();
      const out = await attempt(plan.targets[i]!, o, ac.signal);
      outcomes[i] = { ...out, time };
      o.onAttempt?.(++finished, n);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(Math.max(1, o.concurrency), n) }, worker));
  } finally {
    clearTimeout(deadline);
  }

  // The source of each attempt: the socket's own address, else the one the routing table picks.
  const routed = new Map<string, string>();
  const sourceOf = async (t: ProbeTarget, out: Outcome): Promise<string> => {
    if (out.localAddress !== undefined && parseAddr(out.localAddress, new Uint32Array(4)) === t.family) return out.localAddress;
    let s = routed.get(t.dst);
    if (s === undefined) {
      s = (await sourceAddressFor(t.dst, t.family)) ?? fallbackSource(t.family);
      routed.set(t.dst, s);
    }
    return s;
  };
  const batch = createBatch(Math.max(1, n));
  const stats = new InputStats();
  const sources: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = plan.targets[i]!;
    const out = outcomes[i]!;
    const src = await sourceOf(t, out);
    if (!sources.includes(src)) sources.push(src);
    const j = reserve(batch);
    batch.family[j] = t.family;
    parseAddr(src, batch.src, j * 4);
    parseAddr(t.dst, batch.dst, j * 4);
    batch.proto[j] = t.proto;
    if (t.proto === PROTO_TCP || t.proto === PROTO_UDP) {
      batch.srcPort[j] = out.localPort ?? NONE;
      batch.dstPort[j] = t.port;
      // An attempt is the opening packet of its flow (keeps the matcher from reading it as a reply).
      if (t.proto === PROTO_TCP) batch.tcpFlags[j] = TCP_SYN;
    } else {
      batch.icmpType[j] = t.port;
      batch.icmpCode[j] = 0;
    }
    batch.action[j] = out.action;
    batch.blockedBy[j] = out.blockedBy ?? BLOCKED_BY_UNKNOWN;
    batch.time[j] = out.time;
    batch.position[j] = i + 1;
    batch.label[j] = batch.labels.intern(out.evidence);
    commit(batch);
    stats.use();
  }
  plan.notProbed.forEach((np, k) => stats.skip(np.reason, n + k + 1, np.text));

  const { inventory, added } = withSources(setup.inventory, setup.matcher.roles, o.role, sources);
  const matcher = new Matcher(setup.rules, new RoleLookup(roleIds, inventory));
  const classified = createClassified(batch.capacity);
  classifyBatch(matcher, batch, classified);
  const table = new FindingTable();
  table.addBatch(batch, classified, 0);
  const build: Parameters<typeof buildReport>[0] = {
    table,
    matcher,
    ruleset: setup.ruleset,
    activeRules: plan.rules,
    scenarios: setup.scenarios,
    documentedOnly: setup.documentedOnly,
    inventory,
    inventoryAsGiven: setup.inventory,
    inputs: [{ path: PROBE_INPUT, format: PROBE_INPUT, compressed: false, stats }],
    failOn: o.failOn,
  };
  if (o.now) build.now = o.now;
  if (o.allowEmpty) build.allowEmpty = true;
  const notes = [
    ...plan.notProbed.map((np) => np.text),
    ...added.map((a) => `this machine's address ${a} is not listed under ${o.role} in ${setup.inventory.file}; counted as ${o.role} for this run`),
  ];
  return { report: buildReport(build), plan, sources, notes };
}
