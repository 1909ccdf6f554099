/**
 * The compiled matrix as plain tables, for SQL: everything here is read from the Matcher and the
 * RoleLookup the native path classifies with (one source of truth); nothing is derived from the ruleset
 * or the inventory a second time.
 *
 * - IPv4: the RoleLookup's interval table (sorted starts, role set from each start on), and the same
 *   intervals cut into CIDR blocks for engines without a range join (one equi-join per prefix length).
 * - IPv6: the RoleLookup's prefixes, longest first, as lookup6 tries them.
 * - Ports: for every (source role set, destination role set, protocol slot) the Matcher opens something
 *   for, its `cellPorts`; cells with the same ports share one predicate.
 * - ICMP of unknown type: the Matcher's icmpUnknownClass per cell.
 */
import type { Matcher, CellPorts } from "../match/matcher.js";
import { ICMP_NONE, SLOT_PROTOS } from "../match/matcher.js";
import { icmpNotAFlow } from "../decode/icmp.js";
import { PROTO_ICMP, PROTO_ICMPV6 } from "../decode/batch.js";

/** One CIDR block of IPv4 (value, prefix length) and the role set of every address in it. */
export interface V4Block {
  net: number;
  length: number;
  set: number;
}

/** One IPv6 prefix: the 128-bit network as two unsigned 64-bit halves, its length and role set. */
export interface V6Prefix {
  hi: bigint;
  lo: bigint;
  length: number;
  set: number;
}

/** A port predicate shared by every cell key in `keys`. */
export interface PortPredicate {
  keys: number[];
  ports: CellPorts;
}

export interface MatrixTables {
  /** Role sets, set 0 ("not in the inventory") included: cell key = (src * nSets + dst) * 4 + slot. */
  nSets: number;
  v4Starts: number[];
  v4Sets: number[];
  v6: V6Prefix[];
  predicates: PortPredicate[];
  /** Cell keys (ICMP slots only) whose pair opens every ICMP type / only some of them. */
  icmpAll: number[];
  icmpSome: number[];
  /** ICMP and ICMPv6 types that are no flow of their own (errors, neighbour discovery), with the skip reason. */
  icmpNotFlow: { proto: number; type: number; reason: string }[];
}

export function cellKey(nSets: number, src: number, dst: number, slot: number): number {
  return (src * nSets + dst) * 4 + slot;
}

export function compileTables(m: Matcher): MatrixTables {
  const roles = m.roles;
  const nSets = m.setCount;
  const v4 = roles.v4Table;
  const v6t = roles.v6Table;
  const v6: V6Prefix[] = [];
  for (let i = 0; i < v6t.sets.length; i++) {
    const w = (k: number) => BigInt(v6t.words[i * 4 + k]! >>> 0);
    v6.push({ hi: (w(0) << 32n) | w(1), lo: (w(2) << 32n) | w(3), length: v6t.lengths[i]!, set: v6t.sets[i]! });
  }
  const byPorts = new Map<string, PortPredicate>();
  const icmpAll: number[] = [];
  const icmpSome: number[] = [];
  for (let s = 1; s < nSets; s++) {
    for (let d = 1; d < nSets; d++) {
      for (let slot = 0; slot < 4; slot++) {
        const ports = m.cellPorts(s, d, slot);
        if (ports === null) continue;
        const key = cellKey(nSets, s, d, slot);
        const text = JSON.stringify(ports);
        let p = byPorts.get(text);
        if (!p) {
          p = { keys: [], ports };
          byPorts.set(text, p);
        }
        p.keys.push(key);
        if (slot >= 2) {
          const cls = m.icmpUnknownClass(s, d, SLOT_PROTOS[slot]!);
          if (cls !== ICMP_NONE) (cls === 2 ? icmpAll : icmpSome).push(key);
        }
      }
    }
  }
  const icmpNotFlow: MatrixTables["icmpNotFlow"] = [];
  for (const proto of [PROTO_ICMP, PROTO_ICMPV6]) {
    for (let t = 0; t <= 255; t++) {
      const reason = icmpNotAFlow(proto, t);
      if (reason) icmpNotFlow.push({ proto, type: t, reason });
    }
  }
  return {
    nSets, v4Starts: Array.from(v4.starts), v4Sets: Array.from(v4.sets), v6, predicates: [...byPorts.values()],
    icmpAll, icmpSome, icmpNotFlow,
  };
}

/**
 * The IPv4 intervals as disjoint CIDR blocks (only those with a role set): an address is in at most one
 * block, so one equi-join per prefix length finds its set with no ordering between the joins.
 */
export function v4Blocks(t: MatrixTables): V4Block[] {
  const out: V4Block[] = [];
  for (let i = 0; i < t.v4Starts.length; i++) {
    const set = t.v4Sets[i]!;
    if (set === 0) continue;
    const start = t.v4Starts[i]!;
    const end = i + 1 < t.v4Starts.length ? t.v4Starts[i + 1]! - 1 : 0xffffffff;
    let a = start;
    while (a <= end) {
      // The largest aligned block starting at a that stays within end.
      let size = 1;
      while (size < 2 ** 32 && a % (size * 2) === 0 && a + size * 2 - 1 <= end) size *= 2;
      out.push({ net: a, length: 32 - Math.log2(size), set });
      a += size;
    }
  }
  return out;
}

/** The lookup the blocks describe (tests hold it to RoleLookup.lookup4). */
export function lookupBlocks(blocks: readonly V4Block[], addr: number): number {
  for (const b of blocks) {
    const size = 2 ** (32 - b.length);
    if (addr >= b.net && addr < b.net + size) return b.set;
  }
  return 0;
}

/** The 64-bit mask of the first `bits` bits (0..64). */
export function mask64(bits: number): bigint {
  if (bits <= 0) return 0n;
  if (bits >= 64) return 0xffffffffffffffffn;
  return (0xffffffffffffffffn << BigInt(64 - bits)) & 0xffffffffffffffffn;
}

/**
 * The source ports the matrix can tell apart: the system ports (orientation treats a system port towards
 * a high port as the service's side) and every port range any cell opens or limits a client port to.
 * A TCP/UDP source port outside these (merged, sorted), and not a SYN-ACK's, classifies exactly as any
 * other such port: ef, er and the orientation are the same, so the finding key is too (its first source
 * port aside, which is carried as an aggregate). `rep` is the smallest such port, null when there is none.
 */
export function insignificantSourcePorts(t: MatrixTables): { significant: [number, number][]; rep: number | null } {
  const all: [number, number][] = [[0, 1023]];
  for (const p of t.predicates) {
    all.push(...p.ports.open);
    for (const l of p.ports.limited) all.push(...l.ranges.map(([a, b]) => [a, b] as [number, number]), ...l.sourcePorts.map(([a, b]) => [a, b] as [number, number]));
  }
  all.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of all) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  let rep: number | null = 1024;
  for (const [a, b] of merged) if (rep !== null && a <= rep && rep <= b) rep = b + 1;
  if (rep !== null && rep > 65535) rep = null;
  return { significant: merged, rep };
}
