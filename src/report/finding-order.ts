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
const VERDICT_RANK = Int32Array.from({ length: 16 }, (_, code) => { const k = VERDICT_ORDER.indexOf(VERDICTS[code]!); return k < 0 ? 7 : k; });
const PROTO_RANK = ranks(Array.from({ length: 256 }, (_, p) => protocolName(p)));
const ACTION_RANK = ranks(Array.from({ length: 16 }, (_, a) => ACTION_NAMES[a] ?? "unknown"));
/** Largest range of one counting pass: its counts stay within the processor's nearer caches. */
const PASS_RANGE = 1 << 17;

/**
 * Step "rank": the passes of the sort (`passRange` 1 only for tests: then every key with more than one
 * value is a pass of its own). The keys, least significant first: action rank * 4 + who stopped it; the
 * destination address's low and high halves, then the source's; port + 1 (0: none);
 * protocol rank; destination role rank; source role rank; verdict rank. An address's halves are of its
 * word (IPv4) or of its rank among the IPv6 addresses (`rankV6`). Each key is an array in table order,
 * all made in one read of the records; `mergePasses` makes them passes.
 */
export function sortKeys(f: FindingFacts, passRange = PASS_RANGE): SortKeys {
  const n = f.n, addr = f.addr, stride = f.addrStride;
  const roleRank = ranks(f.roleNames.map((r) => r ?? "~"));
  const roles = Math.max(1, roleRank.length);
  const verdict = new Int32Array(n), srcRole = new Int32Array(n), dstRole = new Int32Array(n);
  const proto = new Int32Array(n), port = new Int32Array(n), act = new Int32Array(n);
  const srcLo = new Int32Array(n), srcHi = new Int32Array(n), dstLo = new Int32Array(n), dstHi = new Int32Array(n);
  const v6: number[] = [];
  // One read of each record (its first line holds the key words).
  for (let e = 0; e < n; e++) {
    const o = e * stride;
    const m = addr[o]!;
    verdict[e] = VERDICT_RANK[m & 15]!;
    srcRole[e] = roleRank[f.srcRole[e]!]!;
    dstRole[e] = roleRank[f.dstRole[e]!]!;
    proto[e] = PROTO_RANK[(m >>> 16) & 255]!;
    port[e] = (addr[o + 1]! | 0) + 1;
    act[e] = ACTION_RANK[(m >>> 4) & 15]! * 4 + ((m >>> 24) & 3);
    if (((m >>> 8) & 255) === 6) v6.push(e);
    const src = addr[o + ADDR_BASE]!, dst = addr[o + ADDR_BASE + 4]!;
    srcLo[e] = src & 0xffff;
    srcHi[e] = src >>> 16;
    dstLo[e] = dst & 0xffff;
    dstHi[e] = dst >>> 16;
  }
  if (v6.length > 0) {
    rankV6(f, v6, ADDR_BASE, srcLo, srcHi);
    rankV6(f, v6, ADDR_BASE + 4, dstLo, dstHi);
  }
  const hiRange = v6.length > 0 ? 131072 : 65536;
  const keys: [Int32Array, number][] = [[act, 64], [dstLo, 65536], [dstHi, hiRange], [srcLo, 65536], [srcHi, hiRange], [port, 65537], [proto, 256],
    [dstRole, roles], [srcRole, roles], [verdict, 8]];
  return { passes: mergePasses(keys, passRange) };
}

/**
 * The IPv6 findings' addresses (the four words from `at` in their records) as the low and high halves of
 * their rank among these addresses, the family bit above the high half: IPv6 after every IPv4 address.
 * They are few: copied out of the records (which are far apart) and ranked there with a comparator.
 */
function rankV6(f: FindingFacts, v6: readonly number[], at: number, lo: Int32Array, hi: Int32Array): void {
  const addr = f.addr, stride = f.addrStride, m = v6.length;
  const words = new Uint32Array(m * 4);
  for (let i = 0; i < m; i++) for (let j = 0; j < 4; j++) words[i * 4 + j] = addr[v6[i]! * stride + at + j]!;
  v6Words = words;
  const byAddr = Array.from({ length: m }, (_, i) => i).sort(compareV6);
  let rank = 0;
  for (let k = 0; k < m; k++) {
    if (k > 0 && compareV6(byAddr[k - 1]!, byAddr[k]!) !== 0) rank++;
    const e = v6[byAddr[k]!]!;
    lo[e] = rank & 0xffff;
    hi[e] = 65536 + (rank >>> 16);
  }
  v6Words = new Uint32Array(0);
}

/** The addresses rankV6 compares (four words each). */
let v6Words = new Uint32Array(0);

/** rankV6's comparator, one function for every call (a closure per call was a new call target each time). */
function compareV6(a: number, b: number): number {
  const w = v6Words;
  for (let j = 0; j < 4; j++) {
    const wa = w[a * 4 + j]!, wb = w[b * 4 + j]!;
    if (wa !== wb) return wa < wb ? -1 : 1;
  }
  return 0;
}

/**
 * The keys (least significant first, each with its range) as passes: each key renumbered in place to
 * the values present (order kept), and consecutive keys merged into the first one's array while the
 * product of their counts of values stays within `passRange`; a key with one value is left out.
 */
function mergePasses(keys: readonly [Int32Array, number][], passRange: number): [Int32Array, number][] {
  const passes: [Int32Array, number][] = [];
  const scratch = new Int32Array(Math.max(1, ...keys.map(([, range]) => range)) + 1);
  for (const [key, range] of keys) {
    const count = denseRanks(key, range, scratch);
    if (count <= 1) continue;
    const last = passes[passes.length - 1];
    if (last !== undefined && last[1] * count <= passRange) {
      mergeInto(last[0], key, last[1]);
      last[1] *= count;
    } else passes.push([key, count]);
  }
  return passes;
}

/**
 * Renumbers key's values (0 .. range-1) to their rank among the values present; returns how many there
 * are. Nothing is rewritten when every value below the largest is present (each is its own rank). Each
 * loop is a function of its own: a loop compiled on stack is entered again at the next call, and a later
 * loop of the same function, with no type feedback when that code was made, bailed out of it each time.
 */
function denseRanks(key: Int32Array, range: number, scratch: Int32Array): number {
  scratch.fill(0, 0, range);
  markValues(key, scratch);
  const d = numberValues(scratch, range);
  if (d > 1 && scratch[range]! !== d - 1) renumber(key, scratch);
  return d;
}

/** scratch[v] = 1 for each value v of key. */
function markValues(key: Int32Array, scratch: Int32Array): void {
  for (let e = 0, n = key.length; e < n; e++) scratch[key[e]!] = 1;
}

/** Each marked value of 0 .. range-1 numbered in order; returns how many; scratch[range] = the largest marked (-1: none). */
function numberValues(scratch: Int32Array, range: number): number {
  let d = 0, top = -1;
  for (let v = 0; v < range; v++) if (scratch[v] === 1) { scratch[v] = d++; top = v; }
  scratch[range] = top;
  return d;
}

function renumber(key: Int32Array, scratch: Int32Array): void {
  for (let e = 0, n = key.length; e < n; e++) key[e] = scratch[key[e]!]!;
}

/** acc (of `range` values) becomes the pair (key more significant, acc less): key * range + acc. */
function mergeInto(acc: Int32Array, key: Int32Array, range: number): void {
  for (let e = 0, n = acc.length; e < n; e++) acc[e] = key[e]! * range + acc[e]!;
}

/** Step "sort": table indices in report order. */
export function reportOrder(f: FindingFacts, k: SortKeys): Int32Array {
  const sorter = new RadixSorter(f.n);
  for (const [key, range] of k.passes) sorter.pass(key, range);
  return sorter.order;
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
    countKeys(order, key, counts);
    // Every key equal: the order stands.
    if (counts[key[order[0]!]! + 1] === n) return;
    sumCounts(counts, range);
    this.order = scatter(order, key, counts, this.spare);
    this.spare = order;
  }
}

// The pass's three loops, a function each (see denseRanks).

/** counts[v + 1] = how many entries have key value v. */
function countKeys(order: Int32Array, key: Int32Array, counts: Int32Array): void {
  for (let k = 0, n = order.length; k < n; k++) { const c = key[order[k]!]! + 1; counts[c] = counts[c]! + 1; }
}

/** counts[v] = how many entries have key values below v. */
function sumCounts(counts: Int32Array, range: number): void {
  for (let v = 1; v <= range; v++) counts[v] = counts[v]! + counts[v - 1]!;
}

/** `order` stably by key into `out`, which is returned. */
function scatter(order: Int32Array, key: Int32Array, counts: Int32Array, out: Int32Array): Int32Array {
  for (let k = 0, n = order.length; k < n; k++) {
    const e = order[k]!;
    const c = key[e]!;
    out[counts[c]!] = e;
    counts[c] = counts[c]! + 1;
  }
  return out;
}
