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

/** Per-finding sort keys, small integers, in table order, with the number of values each can take. */
export interface SortKeys {
  /** Verdict, source role, destination role and protocol ranks as one number, when they fit in one pass; else apart. */
  readonly groups: readonly (readonly [Int32Array, number])[];
  /** Port + 1: 0 (none) .. 65536. */
  readonly port: Int32Array;
  /** Action rank * 4 + who stopped it. */
  readonly act: Int32Array;
  /** Whether any finding is IPv6 (then addresses are ranked within their family). */
  readonly anyV6: boolean;
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

/** Step "rank": the integer keys (`passRange` lower only for tests of the unmerged passes). */
export function sortKeys(f: FindingFacts, passRange = PASS_RANGE): SortKeys {
  const n = f.n, head = f.head;
  const roleRank = ranks(f.roleNames.map((r) => r ?? "~"));
  const roles = Math.max(1, roleRank.length);
  // Protocol ranks renumbered to those present, so that the group key stays small.
  const protoDense = new Int32Array(256).fill(-1);
  for (let e = 0; e < n; e++) protoDense[PROTO_RANK[(head[e]! >>> 16) & 255]!] = 0;
  let protos = 0;
  for (let r = 0; r < 256; r++) if (protoDense[r] === 0) protoDense[r] = protos++;
  protos = Math.max(1, protos);
  const verdict = new Int32Array(n), srcRole = new Int32Array(n), dstRole = new Int32Array(n);
  const proto = new Int32Array(n), port = new Int32Array(n), act = new Int32Array(n);
  let anyV6 = false;
  for (let e = 0; e < n; e++) {
    const m = head[e]!;
    verdict[e] = VERDICT_RANK[m & 15] ?? 7;
    srcRole[e] = roleRank[f.srcRole[e]!]!;
    dstRole[e] = roleRank[f.dstRole[e]!]!;
    proto[e] = protoDense[PROTO_RANK[(m >>> 16) & 255]!]!;
    port[e] = f.port[e]! + 1;
    act[e] = ACTION_RANK[(m >>> 4) & 15]! * 4 + ((m >>> 24) & 3);
    if (((m >>> 8) & 255) === 6) anyV6 = true;
  }
  let groups: [Int32Array, number][] = [[proto, protos], [dstRole, roles], [srcRole, roles], [verdict, 8]];
  if (8 * roles * roles * protos <= passRange) {
    const group = verdict; // reused: verdict is read before it is overwritten
    for (let e = 0; e < n; e++) group[e] = ((verdict[e]! * roles + srcRole[e]!) * roles + dstRole[e]!) * protos + proto[e]!;
    groups = [[group, 8 * roles * roles * protos]];
  }
  return { groups, port, act, anyV6 };
}

/**
 * Step "sort": table indices in report order. With `dead`, every Int32Array of f.n entries it no longer
 * needs (the keys of `k`, the address keys, the sorter's spare) is pushed there for the next step to
 * write into: on this VM a page of fresh memory costs 15-40 us to fault in, more than filling it.
 */
export function reportOrder(f: FindingFacts, k: SortKeys, dead?: Int32Array[]): Int32Array {
  const sorter = new RadixSorter(f.n);
  const used = new Set<Int32Array>([k.act, k.port]);
  // Least significant first.
  sorter.pass(k.act, 12);
  for (const side of [4, 0]) for (const [key, range] of addressKeys(f, side, k.anyV6)) { sorter.pass(key, range); used.add(key); }
  sorter.pass(k.port, 65537);
  for (const [key, range] of k.groups) { sorter.pass(key, range); used.add(key); }
  if (dead) {
    used.add(sorter.spareArray);
    used.delete(sorter.order);
    for (const a of used) if (a.length === f.n) dead.push(a);
  }
  return sorter.order;
}

/**
 * An address (key words 2-5 or 6-9, `side` 0 or 4) as sort keys, least significant first: the low and
 * high 16 bits of a number that orders the addresses of one family, the family above them when there
 * is IPv6. An IPv4 address is its word; an IPv6 address, the rank of its four words among the IPv6
 * addresses (they are few, and are ranked with a comparator).
 */
function addressKeys(f: FindingFacts, side: number, anyV6: boolean): [Int32Array, number][] {
  const n = f.n, head = f.head, addr = f.addr, stride = f.addrStride, at = ADDR_BASE + side;
  const lo = new Int32Array(n), hi = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    const w = addr[e * stride + at]!;
    lo[e] = w & 0xffff;
    hi[e] = w >>> 16;
  }
  if (!anyV6) return [[lo, 65536], [hi, 65536]];
  const v6: number[] = [];
  for (let e = 0; e < n; e++) if (((head[e]! >>> 8) & 255) === 6) v6.push(e);
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
    const e = v6[i]!;
    lo[e] = rank & 0xffff;
    // The family bit above the high half: IPv6 after every IPv4 address.
    hi[e] = 65536 + (rank >>> 16);
  }
  return [[lo, 65536], [hi, 131072]];
}

/** Stable counting-sort passes over an index array, least significant key first. */
class RadixSorter {
  order: Int32Array;
  private spare: Int32Array;

  /** The array the passes write into, not the order: free once sorting is done. */
  get spareArray(): Int32Array {
    return this.spare;
  }
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
