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
  const hiRange = 131072;
  const verdict = new Int32Array(n), srcRole = new Int32Array(n), dstRole = new Int32Array(n);
  const proto = new Int32Array(n), port = new Int32Array(n), act = new Int32Array(n);
  const srcLo = new Int32Array(n), srcHi = new Int32Array(n), dstLo = new Int32Array(n), dstHi = new Int32Array(n);
  // Which values each key takes, marked as the keys are made (1: present), so that renumbering a key
  // needs no pass of its own to find them. An IPv6 address's halves are marked once ranked.
  const seenVerdict = new Uint8Array(8), seenSrcRole = new Uint8Array(roles), seenDstRole = new Uint8Array(roles);
  const seenProto = new Uint8Array(256), seenPort = new Uint8Array(65537), seenAct = new Uint8Array(64);
  const seenSrcLo = new Uint8Array(65536), seenSrcHi = new Uint8Array(hiRange), seenDstLo = new Uint8Array(65536), seenDstHi = new Uint8Array(hiRange);
  const v6: number[] = [];
  // One read of each record (its first line holds the key words).
  for (let e = 0; e < n; e++) {
    const o = e * stride;
    const m = addr[o]!;
    const vr = VERDICT_RANK[m & 15]!, sr = roleRank[f.srcRole[e]!]!, dr = roleRank[f.dstRole[e]!]!;
    const pr = PROTO_RANK[(m >>> 16) & 255]!, po = (addr[o + 1]! | 0) + 1, ac = ACTION_RANK[(m >>> 4) & 15]! * 4 + ((m >>> 24) & 3);
    verdict[e] = vr; seenVerdict[vr] = 1;
    srcRole[e] = sr; seenSrcRole[sr] = 1;
    dstRole[e] = dr; seenDstRole[dr] = 1;
    proto[e] = pr; seenProto[pr] = 1;
    port[e] = po; seenPort[po] = 1;
    act[e] = ac; seenAct[ac] = 1;
    if (((m >>> 8) & 255) === 6) { v6.push(e); continue; }
    const src = addr[o + ADDR_BASE]!, dst = addr[o + ADDR_BASE + 4]!;
    const sl = src & 0xffff, sh = src >>> 16, dl = dst & 0xffff, dh = dst >>> 16;
    srcLo[e] = sl; seenSrcLo[sl] = 1;
    srcHi[e] = sh; seenSrcHi[sh] = 1;
    dstLo[e] = dl; seenDstLo[dl] = 1;
    dstHi[e] = dh; seenDstHi[dh] = 1;
  }
  if (v6.length > 0) {
    rankV6(f, v6, ADDR_BASE, srcLo, srcHi, seenSrcLo, seenSrcHi);
    rankV6(f, v6, ADDR_BASE + 4, dstLo, dstHi, seenDstLo, seenDstHi);
  }
  const keys: [Int32Array, number, Uint8Array][] = [[act, 64, seenAct], [dstLo, 65536, seenDstLo], [dstHi, hiRange, seenDstHi],
    [srcLo, 65536, seenSrcLo], [srcHi, hiRange, seenSrcHi], [port, 65537, seenPort], [proto, 256, seenProto],
    [dstRole, roles, seenDstRole], [srcRole, roles, seenSrcRole], [verdict, 8, seenVerdict]];
  return { passes: mergePasses(keys, passRange) };
}

/**
 * The IPv6 findings' addresses (the four words from `at` in their records) as the low and high halves of
 * their rank among these addresses, the family bit above the high half: IPv6 after every IPv4 address;
 * the halves given are marked in `seenLo` and `seenHi`. The addresses are put in order by the same
 * counting passes as the findings (a 16-bit half of an address each, least significant first): a
 * comparator sort cost less to run but more to compile than it ran, in a job that runs it once.
 */
function rankV6(f: FindingFacts, v6: readonly number[], at: number, lo: Int32Array, hi: Int32Array, seenLo: Uint8Array, seenHi: Uint8Array): void {
  const addr = f.addr, stride = f.addrStride, m = v6.length;
  const sorter = new RadixSorter(m);
  const half = new Int32Array(m);
  for (let j = 7; j >= 0; j--) {
    const o = at + (j >> 1), shift = (j & 1) === 1 ? 0 : 16;
    for (let i = 0; i < m; i++) half[i] = (addr[v6[i]! * stride + o]! >>> shift) & 0xffff;
    sorter.pass(half, 65536);
  }
  const byAddr = sorter.order;
  let rank = 0;
  for (let k = 0; k < m; k++) {
    const e = v6[byAddr[k]!]!;
    if (k > 0) {
      const p = v6[byAddr[k - 1]!]! * stride + at, q = e * stride + at;
      if (addr[p] !== addr[q] || addr[p + 1] !== addr[q + 1] || addr[p + 2] !== addr[q + 2] || addr[p + 3] !== addr[q + 3]) rank++;
    }
    lo[e] = rank & 0xffff;
    hi[e] = 65536 + (rank >>> 16);
    seenLo[rank & 0xffff] = 1;
    seenHi[65536 + (rank >>> 16)] = 1;
  }
}

/**
 * The keys (least significant first, each with its range and the values it takes marked) as passes:
 * each key renumbered in place to the values present (order kept), and consecutive keys merged into
 * the first one's array while the product of their counts of values stays within `passRange`; a key
 * with one value is left out.
 */
function mergePasses(keys: readonly [Int32Array, number, Uint8Array][], passRange: number): [Int32Array, number][] {
  const passes: [Int32Array, number][] = [];
  const scratch = new Int32Array(Math.max(1, ...keys.map(([, range]) => range)));
  for (const [key, range, seen] of keys) {
    const count = denseRanks(key, range, seen, scratch);
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
 * Renumbers key's values (0 .. range-1; those present marked in `seen`) to their rank among the values
 * present; returns how many there are. Nothing is rewritten when every value below the largest is
 * present (each value is its own rank).
 */
function denseRanks(key: Int32Array, range: number, seen: Uint8Array, scratch: Int32Array): number {
  let d = 0, top = -1;
  for (let v = 0; v < range; v++) if (seen[v] === 1) { scratch[v] = d++; top = v; }
  if (d > 1 && top !== d - 1) for (let e = 0, n = key.length; e < n; e++) key[e] = scratch[key[e]!]!;
  return d;
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
