import type { Rule } from "../model/ruleset.js";
import type { RoleLookup } from "./roles.js";
import {
  ACTION_ALLOWED, ACTION_BLOCKED, NONE, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_SYN,
  type EventBatch,
} from "../decode/batch.js";

/** Verdict codes (index into VERDICTS). */
export const V_ALLOWED_REQUIRED = 0;
export const V_BLOCKED_REQUIRED = 1;
export const V_ALLOWED_UNEXPECTED = 2;
export const V_BLOCKED_UNEXPECTED = 3;
export const V_UNCLASSIFIED = 4;
export const V_INCONCLUSIVE = 5;
export const VERDICTS = [
  "allowed-required", "blocked-required", "allowed-unexpected", "blocked-unexpected", "unclassified", "inconclusive",
] as const;
/** Coverage verdict: a required rule with hosts on both sides and no traffic seen. */
export const UNOBSERVED_REQUIRED = "unobserved-required";
export type Verdict = (typeof VERDICTS)[number] | typeof UNOBSERVED_REQUIRED;
export const ALL_VERDICTS: readonly Verdict[] = [...VERDICTS, UNOBSERVED_REQUIRED];

const BITSET_WORDS = 65536 / 32;

/** Protocol slot in the cell table; -1 for protocols no rule can name. */
export function protoSlot(proto: number): number {
  switch (proto) {
    case PROTO_TCP: return 0;
    case PROTO_UDP: return 1;
    case PROTO_ICMP: return 2;
    case PROTO_ICMPV6: return 3;
    default: return -1;
  }
}
const SLOTS = 4;

/**
 * All rules of one (source role, destination role, protocol): two 65,536-bit port bitsets, shared
 * between cells with the same ports, so never written after construction.
 */
interface Cell {
  /** Ports opened by a rule with no source-port condition. */
  open: Uint32Array;
  /** Ports opened only for some source ports: check `constrained` rules' sourcePorts. */
  limited: Uint32Array;
  rules: Rule[];
}

/**
 * Set ports lo..hi: the partial words at the ends bit by bit, the whole words between at once. A bit at
 * a time, a ruleset's 1024-65535 ranges were 4-5 ms of a 1-packet run's set-up (not yet optimised code).
 */
export function setRange(bits: Uint32Array, lo: number, hi: number): void {
  let p = lo;
  for (; p <= hi && (p & 31) !== 0; p++) bits[p >>> 5]! |= 1 << (p & 31);
  for (; p + 31 <= hi; p += 32) bits[p >>> 5] = 0xffffffff;
  for (; p <= hi; p++) bits[p >>> 5]! |= 1 << (p & 31);
}

function testBit(bits: Uint32Array, p: number): boolean {
  return (bits[p >>> 5]! & (1 << (p & 31))) !== 0;
}

/**
 * The compiled matrix: per (source role set, destination role set, protocol) the union of the cells of
 * every role pair, built the first time that combination is seen. Classifying an event is then a
 * couple of array reads and a bit test.
 */
export class Matcher {
  readonly rules: readonly Rule[];
  readonly roles: RoleLookup;
  private readonly nRoles: number;
  /** Cells that some rule opens, by cellKey. */
  private readonly cells = new Map<number, Cell>();
  /** Combined cells per (srcSet, dstSet, slot); undefined = not built, null = nothing open. */
  private readonly combined = new Map<number, Cell | null>();

  constructor(rules: readonly Rule[], roles: RoleLookup) {
    this.rules = rules;
    this.roles = roles;
    this.nSets = roles.sets.length;
    this.direct = this.nSets * this.nSets * SLOTS <= 1 << 16 ? new Array<Cell | null | undefined>(this.nSets * this.nSets * SLOTS) : undefined;
    this.nRoles = roles.roleIds.length;
    // A role's index by id in one Map, and only the cells a rule opens: time and memory grow with the
    // rules, not with the square of the roles (a 100,000-role ruleset would need 4e10 slots).
    const roleIndex = new Map(roles.roleIds.map((id, i) => [id, i] as const));
    const ranges = new Map<number, { open: (readonly [number, number])[]; limited: (readonly [number, number])[]; rules: Rule[] }>();
    for (const rule of rules) {
      const f = roleIndex.get(rule.from);
      const t = roleIndex.get(rule.to);
      if (f === undefined || t === undefined) continue;
      for (const flow of rule.flows) {
        const slot = protoSlot(flow.proto);
        if (slot < 0) continue;
        const k = this.cellKey(f, t, slot);
        let c = ranges.get(k);
        if (!c) {
          c = { open: [], limited: [], rules: [] };
          ranges.set(k, c);
        }
        (rule.sourcePorts ? c.limited : c.open).push(...flow.ranges);
        if (!c.rules.includes(rule)) c.rules.push(rule);
      }
    }
    // Cells with the same ports share one read-only bitset (8 KiB each): a ruleset of many role pairs
    // that open the same service costs one bitset, not one per pair.
    const bitsets = new Map<string, Uint32Array>();
    const bitsetOf = (list: (readonly [number, number])[]): Uint32Array => {
      const key = list.map(([lo, hi]) => `${lo}-${hi}`).sort().join(",");
      let bits = bitsets.get(key);
      if (!bits) {
        bits = new Uint32Array(BITSET_WORDS);
        for (const [lo, hi] of list) setRange(bits, lo, hi);
        bitsets.set(key, bits);
      }
      return bits;
    };
    for (const [k, c] of ranges) this.cells.set(k, { open: bitsetOf(c.open), limited: bitsetOf(c.limited), rules: c.rules });
  }

  /** Key of the cell (source role, destination role, protocol slot); exact in a double up to 2^24 roles. */
  private cellKey(from: number, to: number, slot: number): number {
    return (from * this.nRoles + to) * SLOTS + slot;
  }

  /**
   * The combined cells again as a flat array indexed by (srcSet, dstSet, slot) when there are few role
   * sets (the usual case): an array read per event instead of a Map lookup.
   */
  private readonly direct: (Cell | null | undefined)[] | undefined;
  private readonly nSets: number;

  private cellFor(srcSet: number, dstSet: number, slot: number): Cell | null {
    const direct = this.direct;
    if (direct !== undefined && srcSet < this.nSets && dstSet < this.nSets) {
      const d = (srcSet * this.nSets + dstSet) * SLOTS + slot;
      let cell = direct[d];
      if (cell === undefined) {
        cell = this.combinedCell(srcSet, dstSet, slot);
        direct[d] = cell;
      }
      return cell;
    }
    return this.combinedCell(srcSet, dstSet, slot);
  }

  private combinedCell(srcSet: number, dstSet: number, slot: number): Cell | null {
    const key = (srcSet * 65536 + dstSet) * SLOTS + slot;
    const hit = this.combined.get(key);
    if (hit !== undefined) return hit;
    const parts: Cell[] = [];
    for (const s of this.roles.sets[srcSet] ?? []) {
      for (const d of this.roles.sets[dstSet] ?? []) {
        const c = this.cells.get(this.cellKey(s, d, slot));
        if (c) parts.push(c);
      }
    }
    let out: Cell | null = null;
    if (parts.length === 1) out = parts[0]!;
    else if (parts.length > 1) {
      out = { open: new Uint32Array(BITSET_WORDS), limited: new Uint32Array(BITSET_WORDS), rules: [] };
      for (const p of parts) {
        for (let w = 0; w < BITSET_WORDS; w++) {
          out.open[w]! |= p.open[w]!;
          out.limited[w]! |= p.limited[w]!;
        }
        for (const r of p.rules) if (!out.rules.includes(r)) out.rules.push(r);
      }
    }
    this.combined.set(key, out);
    return out;
  }

  /** Is (proto, port) from srcPort expected between these role sets? `port` is the ICMP type for ICMP. */
  expected(srcSet: number, dstSet: number, proto: number, port: number, srcPort: number): boolean {
    if (srcSet === 0 || dstSet === 0 || port < 0) return false;
    const slot = protoSlot(proto);
    if (slot < 0) return false;
    const cell = this.cellFor(srcSet, dstSet, slot);
    if (cell === null) return false;
    if (testBit(cell.open, port)) return true;
    if (!testBit(cell.limited, port)) return false;
    return this.limitedMatch(cell, proto, port, srcPort) !== undefined;
  }

  private limitedMatch(cell: Cell, proto: number, port: number, srcPort: number): Rule | undefined {
    for (const r of cell.rules) {
      if (!r.sourcePorts) continue;
      if (srcPort >= 0 && !r.sourcePorts.some(([a, b]) => srcPort >= a && srcPort <= b)) continue;
      if (ruleCovers(r, proto, port)) return r;
    }
    return undefined;
  }

  /** The rule that makes the flow expected (cold path: called once per new finding). */
  findRule(srcSet: number, dstSet: number, proto: number, port: number, srcPort: number): Rule | undefined {
    const slot = protoSlot(proto);
    if (slot < 0 || srcSet === 0 || dstSet === 0) return undefined;
    if (port < 0) {
      // ICMP of unknown type: only a pair that opens every type has a rule for it (see icmpUnknownClass).
      if ((slot !== 2 && slot !== 3) || this.icmpUnknownClass(srcSet, dstSet, proto) !== ICMP_ALL) return undefined;
      const cell = this.cellFor(srcSet, dstSet, slot)!;
      return cell.rules.find((r) => r.flows.some((f) => f.proto === proto));
    }
    const cell = this.cellFor(srcSet, dstSet, slot);
    if (!cell) return undefined;
    for (const r of cell.rules) if (!r.sourcePorts && ruleCovers(r, proto, port)) return r;
    return this.limitedMatch(cell, proto, port, srcPort);
  }

  /**
   * findRule for many lookups (report building: one per finding, 200,000 in a scan): the same answers,
   * from a per-cell table of the first rule without a source-port condition that opens each port, built
   * once a cell has had `after` lookups (64 KiB or 128 KiB of memory each, so not for the cells of a few
   * findings). Each lookup is then an array read; the ports no such rule opens go on to the rules with a
   * source-port condition, in order, as findRule does.
   */
  ruleFinder(after = RULE_INDEX_AFTER): RuleFinder {
    const indexes = new Map<Cell, { hits: number; first: Uint8Array | Uint16Array | undefined; limited: boolean }>();
    return {
      find: (srcSet, dstSet, proto, port, srcPort) => {
        const slot = protoSlot(proto);
        // ICMP of unknown type (port -1) and the pairs without a cell: findRule's own short paths.
        if (slot < 0 || srcSet === 0 || dstSet === 0 || port < 0) return this.findRule(srcSet, dstSet, proto, port, srcPort);
        const cell = this.cellFor(srcSet, dstSet, slot);
        if (cell === null) return undefined;
        let ix = indexes.get(cell);
        if (ix === undefined) {
          ix = { hits: 0, first: undefined, limited: cell.rules.some((r) => !!r.sourcePorts) };
          indexes.set(cell, ix);
        }
        if (ix.first === undefined) {
          if (ix.hits++ < after) return this.findRule(srcSet, dstSet, proto, port, srcPort);
          ix.first = firstRuleByPort(cell.rules, proto);
        }
        const k = ix.first[port]!;
        if (k !== 0) return cell.rules[k - 1];
        return ix.limited ? this.limitedMatch(cell, proto, port, srcPort) : undefined;
      },
    };
  }

  /**
   * How many ICMP types (0-255) the pair opens for `proto`, as ICMP_NONE, ICMP_SOME or ICMP_ALL: what a
   * record that names no type can be judged by. An ICMP rule has no source-port condition that could
   * hold for some records only (ICMP has no ports), so `open` and `limited` count alike.
   */
  icmpUnknownClass(srcSet: number, dstSet: number, proto: number): number {
    const slot = protoSlot(proto);
    if ((slot !== 2 && slot !== 3) || srcSet === 0 || dstSet === 0) return ICMP_NONE;
    const cell = this.cellFor(srcSet, dstSet, slot);
    if (cell === null) return ICMP_NONE;
    let any = false;
    let all = true;
    for (let w = 0; w < 256 / 32; w++) {
      const bits = (cell.open[w]! | cell.limited[w]!) >>> 0;
      if (bits !== 0) any = true;
      if (bits !== 0xffffffff) all = false;
    }
    return all ? ICMP_ALL : any ? ICMP_SOME : ICMP_NONE;
  }

  /**
   * The combined cell of (srcSet, dstSet, slot) as `expected` reads it (null: nothing open), for copying
   * into the WebAssembly classification (src/match/classify-wasm.ts): its two port bitsets (read-only,
   * shared) and, for each of its rules with a source-port condition, in order, the source ports and the
   * port ranges it opens for the slot's protocol (what limitedMatch tests). Both sets must be non-zero.
   */
  cellBits(srcSet: number, dstSet: number, slot: number): CellBits | null {
    const cell = this.cellFor(srcSet, dstSet, slot);
    if (cell === null) return null;
    const proto = SLOT_PROTOS[slot]!;
    const limitedRules = cell.rules
      .filter((r) => r.sourcePorts)
      .map((r) => ({ sourcePorts: r.sourcePorts!, ranges: r.flows.filter((f) => f.proto === proto).flatMap((f) => f.ranges) }));
    return { open: cell.open, limited: cell.limited, limitedRules };
  }

  /** Whether the combined cells are held in a flat array by (srcSet, dstSet, slot) (few role sets: the usual case). */
  get directCells(): boolean {
    return this.direct !== undefined;
  }

  /** Number of role sets of the lookup (set 0, "not in the inventory", included). */
  get setCount(): number {
    return this.nSets;
  }

  /**
   * The ports a (source role set, destination role set, protocol slot) opens, as the compiled cells hold
   * them: `open` ranges for any source port, and per rule with a source-port condition its ranges and
   * source ports. `expected(s, d, proto, p, sp)` is exactly "p in open, or p in some limited rule's ranges
   * and (sp < 0 or sp in its sourcePorts)". For compiling the matrix into SQL (src/engine).
   */
  cellPorts(srcSet: number, dstSet: number, slot: number): CellPorts | null {
    if (srcSet === 0 || dstSet === 0) return null;
    const cell = this.cellFor(srcSet, dstSet, slot);
    if (cell === null) return null;
    const proto = SLOT_PROTOS[slot]!;
    const limited = cell.rules
      .filter((r) => r.sourcePorts)
      .map((r) => ({ ranges: r.flows.filter((f) => f.proto === proto).flatMap((f) => f.ranges), sourcePorts: r.sourcePorts! }))
      .filter((l) => l.ranges.length > 0);
    return { open: bitRanges(cell.open), limited };
  }
}

/** Matcher.ruleFinder: findRule's answers for many lookups. */
export interface RuleFinder {
  find(srcSet: number, dstSet: number, proto: number, port: number, srcPort: number): Rule | undefined;
}

/** Lookups of one cell before ruleFinder builds its port table (a table costs about as much as ~1,000 lookups). */
const RULE_INDEX_AFTER = 512;

/**
 * Per port (or ICMP type), 1 + the index in `rules` of the first rule with no source-port condition
 * that opens it for `proto`, 0 for none: the rules' ranges filled from the last rule to the first, so
 * that the first one's fill is the one left (as findRule's scan in order finds it).
 */
function firstRuleByPort(rules: readonly Rule[], proto: number): Uint8Array | Uint16Array {
  const first = rules.length < 255 ? new Uint8Array(65536) : new Uint16Array(65536);
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.sourcePorts) continue;
    for (const f of r.flows) if (f.proto === proto) for (const [a, b] of f.ranges) first.fill(i + 1, a, b + 1);
  }
  return first;
}

/** icmpUnknownClass: the pair opens no ICMP type, some, or every one. */
export const ICMP_NONE = 0;
export const ICMP_SOME = 1;
export const ICMP_ALL = 2;

/** Protocol of each cell slot (the inverse of protoSlot). */
export const SLOT_PROTOS: readonly number[] = [PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6];

export interface CellPorts {
  open: [number, number][];
  limited: { ranges: readonly (readonly [number, number])[]; sourcePorts: readonly (readonly [number, number])[] }[];
}

/** Matcher.cellBits. */
export interface CellBits {
  open: Uint32Array;
  limited: Uint32Array;
  limitedRules: { sourcePorts: readonly (readonly [number, number])[]; ranges: readonly (readonly [number, number])[] }[];
}

/** The set bits of a 65,536-bit port bitset as sorted inclusive ranges. */
function bitRanges(bits: Uint32Array): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let w = 0; w < BITSET_WORDS; w++) {
    const word = bits[w]! >>> 0;
    // Whole words that continue the current state are skipped: most of a port bitset is empty.
    if (word === 0 && start < 0) continue;
    if (word === 0xffffffff && start >= 0) continue;
    for (let k = 0; k < 32; k++) {
      const p = w * 32 + k;
      const on = (word & (1 << k)) !== 0;
      if (on && start < 0) start = p;
      else if (!on && start >= 0) { out.push([start, p - 1]); start = -1; }
    }
  }
  if (start >= 0) out.push([start, 65535]);
  return out;
}

/**
 * The verdict of an ICMP record that names no type (VPC flow logs, many firewall logs), from the pair's
 * icmpUnknownClass. A pair that opens every type or none decides it; when it opens only some, the record
 * may be either, and the verdict is the one that fails the default gate (allowed: allowed-unexpected,
 * blocked: blocked-required) so that a guess never makes a run green (docs/report-format.md).
 */
export function icmpUnknownVerdict(cls: number, action: number): number {
  if (action === ACTION_ALLOWED) return cls === ICMP_ALL ? V_ALLOWED_REQUIRED : V_ALLOWED_UNEXPECTED;
  return cls === ICMP_NONE ? V_BLOCKED_UNEXPECTED : V_BLOCKED_REQUIRED;
}

export function ruleCovers(r: Rule, proto: number, port: number): boolean {
  for (const f of r.flows) {
    if (f.proto !== proto) continue;
    for (const [a, b] of f.ranges) if (port >= a && port <= b) return true;
  }
  return false;
}

/** The "port" an event is matched on: destination port, or the ICMP type. */
export function matchPort(proto: number, dstPort: number, icmpType: number): number {
  return proto === PROTO_ICMP || proto === PROTO_ICMPV6 ? icmpType : dstPort;
}

/**
 * Per-event result of classification, written into reusable arrays.
 * `reversed[i]` = 1 when the record is the answer side of a flow (SYN-ACK, echo reply, a reply from a
 * service port) and the flow runs dst -> src.
 */
export interface Classified {
  verdict: Uint8Array;
  reversed: Uint8Array;
  srcSet: Int32Array;
  dstSet: Int32Array;
}

export function createClassified(capacity: number): Classified {
  return {
    verdict: new Uint8Array(capacity),
    reversed: new Uint8Array(capacity),
    srcSet: new Int32Array(capacity),
    dstSet: new Int32Array(capacity),
  };
}

/** Below this a port is a service port (IANA system ports). */
const SYSTEM_PORTS = 1024;

/**
 * Classify every event of a batch: orient it (a reply is not a new flow), look up roles, test the bitset.
 * Integer work only; no allocation.
 */
export function classifyBatch(m: Matcher, b: EventBatch, out: Classified): void {
  const roles = m.roles;
  for (let i = 0; i < b.length; i++) {
    const fam = b.family[i]!;
    const w = i * 4;
    const s = roles.lookup(fam, b.src, w);
    const d = roles.lookup(fam, b.dst, w);
    const proto = b.proto[i]!;
    let sport = b.srcPort[i]!;
    let dport = b.dstPort[i]!;
    let rev = 0;

    if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      const t = b.icmpType[i]!;
      // Echo reply (RFC 792 type 0; RFC 4443 type 129) answers an echo request the other way.
      if ((proto === PROTO_ICMP && t === 0) || (proto === PROTO_ICMPV6 && t === 129)) rev = 1;
      dport = rev ? (proto === PROTO_ICMP ? 8 : 128) : t;
      sport = NONE;
    } else {
      const flags = b.tcpFlags[i]!;
      if (proto === PROTO_TCP && flags !== NONE && (flags & TCP_SYN) !== 0) {
        rev = (flags & TCP_ACK) !== 0 ? 1 : 0;
      } else if (sport >= 0 && dport >= 0) {
        // Midstream TCP or UDP: the side that is a service port in the matrix is the responder.
        if (m.expected(s, d, proto, dport, sport)) rev = 0;
        else if (m.expected(d, s, proto, sport, dport)) rev = 1;
        else if (sport < SYSTEM_PORTS && dport >= SYSTEM_PORTS) rev = 1;
      }
      if (rev) { const tmp = sport; sport = dport; dport = tmp; }
    }
    const fs = rev ? d : s;
    const fd = rev ? s : d;
    out.reversed[i] = rev;
    out.srcSet[i] = fs;
    out.dstSet[i] = fd;

    const action = b.action[i]!;
    let v: number;
    if (fs === 0 || fd === 0) v = V_UNCLASSIFIED;
    else if (action !== ACTION_ALLOWED && action !== ACTION_BLOCKED) v = V_INCONCLUSIVE;
    else if (dport === NONE && (proto === PROTO_ICMP || proto === PROTO_ICMPV6)) v = icmpUnknownVerdict(m.icmpUnknownClass(fs, fd, proto), action);
    else {
      const exp = m.expected(fs, fd, proto, dport, sport);
      if (action === ACTION_ALLOWED) v = exp ? V_ALLOWED_REQUIRED : V_ALLOWED_UNEXPECTED;
      else v = exp ? V_BLOCKED_REQUIRED : V_BLOCKED_UNEXPECTED;
    }
    out.verdict[i] = v;
  }
}

export { PROTO_TCP, PROTO_UDP };
