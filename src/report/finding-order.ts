/**
 * Report steps "rank" and "sort": the order people read findings in. Verdict (VERDICT_ORDER), source
 * role, destination role, protocol name, port (or ICMP type; none first), source address, destination
 * address (IPv4 before IPv6, then the words as unsigned numbers), action name, who stopped it. Strings
 * are ranked once (ordinal compare; no role sorts as "~"), so the sort sees small integers only, and it
 * is a stable least-significant-digit radix sort over typed arrays: no comparator call per pair, and
 * equal keys keep the table's order (as the stable comparator sort it replaces did).
 */
import { VERDICTS } from "../match/matcher.js";
import { ACTION_NAMES, protocolName } from "../net/proto.js";
import { ADDR_BASE, type FindingFacts } from "./finding-facts.js";
import { VERDICT_ORDER } from "./verdict-order.js";

/**
 * The radix sort's passes, least significant first: each an array of small integers in table order and
 * the number of values it takes. A pass is several sort keys merged into one number: each key is
 * first renumbered to the values present (its dense rank, order kept), and consecutive keys share a
 * pass while the product of their counts of values stays within one pass's range. Sorting stably by
 * the merged number is sorting by its keys one after the other; a key with one value is left out.
 */
export interface SortKeys {
  readonly passes: readonly (readonly [Int32Array, number])[];
}

const ordinal = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Rank of each value among `values` by ordinal compare; equal strings share a rank. */
function ranks(values: readonly string[]): Int32Array {
  const sorted = [...new Set(values)].sort(ordinal);
  const at = new Map(sorted.map((v, k) => [v, k] as const));
  return Int32Array.from(values, (v) => at.get(v)!);
}

/** VERDICT_ORDER's place of each verdict code; 7 (last) for none. */
const VERDICT_RANK = VERDICTS.map((v) => { const k = VERDICT_ORDER.indexOf(v); return k < 0 ? 7 : k; });
const PROTO_RANK = ranks(Array.from({ length: 256 }, (_, p) => protocolName(p)));
const ACTION_RANK = ranks(Array.from({ length: 16 }, (_, a) => ACTION_NAMES[a] ?? "unknown"));
/** Largest range of one counting pass: its counts stay within the processor's nearer caches. */
const PASS_RANGE = 1 << 17;

/**
 * The sort keys, least significant first: action rank * 4 + who stopped it; the destination address's
 * low and high halves, then the source's (see `addressRanks`); port + 1 (0: none); protocol rank;
 * destination role rank; source role rank; verdict rank.
 */
const KEYS = 10;
const K_ACT = 0, K_DST = 1, K_SRC = 3, K_PORT = 5, K_PROTO = 6, K_DST_ROLE = 7, K_SRC_ROLE = 8, K_VERDICT = 9;

/** What the key values of a finding are read from. */
interface KeySource {
  readonly f: FindingFacts;
  readonly roleRank: Int32Array;
  /** Per entry, the rank of its IPv6 source and destination among the IPv6 addresses (when any). */
  readonly v6Rank: Int32Array | undefined;
}

/** Finding e's ten key values into `out`. */
function keyValues(x: KeySource, e: number, out: Int32Array): void {
  const f = x.f, m = f.head[e]!;
  out[K_ACT] = ACTION_RANK[(m >>> 4) & 15]! * 4 + ((m >>> 24) & 3);
  if (((m >>> 8) & 255) === 6) {
    v6Key(x.v6Rank!, e * 2 + 1, out, K_DST);
    v6Key(x.v6Rank!, e * 2, out, K_SRC);
  } else {
    const o = e * f.addrStride + ADDR_BASE;
    const dst = f.addr[o + 4]!, src = f.addr[o]!;
    out[K_DST] = dst & 0xffff;
    out[K_DST + 1] = dst >>> 16;
    out[K_SRC] = src & 0xffff;
    out[K_SRC + 1] = src >>> 16;
  }
  out[K_PORT] = f.port[e]! + 1;
  out[K_PROTO] = PROTO_RANK[(m >>> 16) & 255]!;
  out[K_DST_ROLE] = x.roleRank[f.dstRole[e]!]!;
  out[K_SRC_ROLE] = x.roleRank[f.srcRole[e]!]!;
  out[K_VERDICT] = VERDICT_RANK[m & 15] ?? 7;
}

/** An IPv6 address's two keys from its rank: the family bit above the high half (IPv6 after every IPv4 address). */
function v6Key(rank: Int32Array, at: number, out: Int32Array, k: number): void {
  const r = rank[at]!;
  out[k] = r & 0xffff;
  out[k + 1] = 65536 + (r >>> 16);
}

/** The number of values each key can take, as keyValues gives them. */
function keyRanges(roles: number): number[] {
  return [64, 65536, 131072, 65536, 131072, 65537, 256, roles, roles, 8];
}

/**
 * Step "rank": the passes of the sort (`passRange` 1 only for tests: then every key with more than
 * one value is a pass of its own). Two reads of the findings: which values each key takes, then each
 * pass's number; no array per key.
 */
export function sortKeys(f: FindingFacts, passRange = PASS_RANGE): SortKeys {
  const roleRank = ranks(f.roleNames.map((r) => r ?? "~"));
  const x: KeySource = { f, roleRank, v6Rank: addressRanks(f) };
  const ranges = keyRanges(Math.max(1, roleRank.length));
  const present = new Int32Array(ranges.reduce((a, r) => a + r, 0));
  const base = new Int32Array(KEYS);
  for (let j = 1; j < KEYS; j++) base[j] = base[j - 1]! + ranges[j - 1]!;
  markPresent(x, present, base);
  // Each key's values renumbered to those present; then, per pass, multiplied by the counts of the
  // less significant keys in it, so that a pass's number is the sum of its keys' entries.
  const counts = Array.from({ length: KEYS }, (_, j) => denseRanks(present, base[j]!, ranges[j]!));
  const passOf = new Int32Array(KEYS).fill(-1);
  const passRanges: number[] = [];
  for (let j = 0; j < KEYS; j++) {
    const c = counts[j]!;
    if (c <= 1) continue;
    const p = passRanges.length - 1;
    const mult = p >= 0 && passRanges[p]! * c <= passRange ? passRanges[p]! : 0;
    if (mult > 0) { passOf[j] = p; passRanges[p] = mult * c; } else { passOf[j] = passRanges.length; passRanges.push(c); }
    if (mult > 1) for (let v = base[j]!, end = v + ranges[j]!; v < end; v++) present[v] = present[v]! * mult;
  }
  const keys = passRanges.map(() => new Int32Array(f.n));
  composePasses(x, present, base, passOf, keys);
  return { passes: keys.map((key, p) => [key, passRanges[p]!] as const) };
}

/** Sets present[base[j] + value] to 1 for every value key j takes. */
function markPresent(x: KeySource, present: Int32Array, base: Int32Array): void {
  const v = new Int32Array(KEYS);
  for (let e = 0, n = x.f.n; e < n; e++) {
    keyValues(x, e, v);
    for (let j = 0; j < KEYS; j++) present[base[j]! + v[j]!] = 1;
  }
}

/** Each pass's number of each finding: the sum of its keys' entries in `table`. */
function composePasses(x: KeySource, table: Int32Array, base: Int32Array, passOf: Int32Array, keys: Int32Array[]): void {
  const v = new Int32Array(KEYS);
  for (let e = 0, n = x.f.n; e < n; e++) {
    keyValues(x, e, v);
    for (let j = 0; j < KEYS; j++) {
      const p = passOf[j]!;
      if (p >= 0) keys[p]![e] = keys[p]![e]! + table[base[j]! + v[j]!]!;
    }
  }
}

/** The marks (1) of the values present in present[from .. from+range-1] become their dense ranks; returns how many there are. */
function denseRanks(present: Int32Array, from: number, range: number): number {
  let d = 0;
  for (let v = from, end = from + range; v < end; v++) if (present[v] === 1) present[v] = d++;
  return d;
}

/** Step "sort": table indices in report order. */
export function reportOrder(f: FindingFacts, k: SortKeys): Int32Array {
  const sorter = new RadixSorter(f.n);
  for (const [key, range] of k.passes) sorter.pass(key, range);
  return sorter.order;
}

/**
 * Each IPv6 finding's source and destination (entry e's at e * 2 and e * 2 + 1) as its rank among the
 * IPv6 addresses of that side, ranked with a comparator (they are few); undefined when there are none.
 */
function addressRanks(f: FindingFacts): Int32Array | undefined {
  const n = f.n, head = f.head, addr = f.addr, stride = f.addrStride;
  const v6: number[] = [];
  for (let e = 0; e < n; e++) if (((head[e]! >>> 8) & 255) === 6) v6.push(e);
  if (v6.length === 0) return undefined;
  const out = new Int32Array(n * 2);
  for (const side of [0, 1]) {
    const at = ADDR_BASE + side * 4;
    const cmp = (a: number, b: number): number => {
      for (let j = 0; j < 4; j++) {
        const wa = addr[a * stride + at + j]!, wb = addr[b * stride + at + j]!;
        if (wa !== wb) return wa < wb ? -1 : 1;
      }
      return 0;
    };
    v6.sort(cmp);
    let rank = 0;
    for (let i = 0; i < v6.length; i++) {
      if (i > 0 && cmp(v6[i - 1]!, v6[i]!) !== 0) rank++;
      out[v6[i]! * 2 + side] = rank;
    }
  }
  return out;
}

/** Stable counting-sort passes over an index array, least significant key first. */
class RadixSorter {
  order: Int32Array;
  private spare: Int32Array;

  private counts = new Int32Array(0);

  constructor(readonly n: number) {
    this.order = new Int32Array(n);
    for (let e = 0; e < n; e++) this.order[e] = e;
    this.spare = new Int32Array(n);
  }

  /** Reorder by `key` (indexed by table entry, values 0 .. range-1), keeping the order of equal keys. */
  pass(key: Int32Array, range: number): void {
    const n = this.n;
    if (n < 2) return;
    if (this.counts.length < range + 1) this.counts = new Int32Array(range + 1);
    const counts = this.counts;
    counts.fill(0, 0, range + 1);
    const order = this.order;
    for (let k = 0; k < n; k++) { const c = key[order[k]!]! + 1; counts[c] = counts[c]! + 1; }
    // Every key equal: the order stands.
    if (counts[key[order[0]!]! + 1] === n) return;
    for (let v = 1; v <= range; v++) counts[v] = counts[v]! + counts[v - 1]!;
    const out = this.spare;
    for (let k = 0; k < n; k++) {
      const e = order[k]!;
      const c = key[e]!;
      out[counts[c]!] = e;
      counts[c] = counts[c]! + 1;
    }
    this.spare = order;
    this.order = out;
  }
}
