// A floor of the scan-like capture's whole job (issue 18, bench/README.md "Floors of the scan-like
// capture"), not part of portmatrix: the least work a design with the flow tracker inside the
// WebAssembly module must do per packet. File chunks are read by JS straight into this module's memory;
// the module walks the records, decodes each frame to its connection key and counts the distinct keys
// in an open-addressing table held in its own memory. No per-packet call crosses to JS, no batch is
// written, no state is kept per connection: what is left is the record walk, the decode to the key, and
// one hash probe per packet.
//
// It decodes what assembly/pcap.ts decodes and skips what it skips (every branch that decides between
// an event and a skip is that file's, the stores of the batch are left out), and counts what the JS
// count stage of bench/floor-pcap.mjs counts: the canonical key (family, protocol, the two endpoints as
// an unordered pair; an ICMP or ICMPv6 packet's endpoints are (source, type) and (destination, 0)).
// test/bench/floor-count.test.ts compares the two on every capture of fixtures/ and the corpus and on
// generated ones. Built by bench/floor-count.mjs on first use, not by `npm run build`.
//
// Tables (laid out and zeroed by JS): IPv4 keys in 16-byte slots (two words: the A side's address,
// port, protocol and a used mark; the B side's address and port), IPv6 keys in 40-byte slots (the two
// addresses, then ports, protocol and the used mark), each a power of two of slots probed linearly.

// ---- layout and state ----
let v4Table: usize = 0;
/** Bytes per IPv4 slot: 16 (the key alone), or more to hold per-connection state after the key. */
let v4Stride: usize = 16;
let v4Mask: u64 = 0;
let v4Shift: u64 = 0;
let v4Limit: i32 = 0;
let v6Table: usize = 0;
let v6Mask: u64 = 0;
let v6Shift: u64 = 0;
let v6Limit: i32 = 0;
let v4Count: i32 = 0;
let v6Count: i32 = 0;
let events: f64 = 0;
let v4Events: f64 = 0;
let tooFull: bool = false;

let le: bool = true;
let linkType: i32 = 0;
let maxRecord: u32 = 262144;
let stopped: bool = false;

// The key of the frame being decoded (set by the decode functions, read by count()).
let fam: i32 = 0;
let proto: i32 = 0;
let srcAt: usize = 0;
let dstAt: usize = 0;
let sport: u32 = 0;
let dport: u32 = 0;
/** Upper-layer offset found by walkIpv6Extensions. */
let upper: usize = 0;

/**
 * Tables of 2^v4Bits and 2^v6Bits slots at the given offsets (zeroed), each refusing to fill beyond
 * 3/4 (then `full()`: the table was sized too small, no count is given), and a queue of QUEUE entries
 * of 24 bytes at `queue`. An IPv4 slot of `stride` bytes (a multiple of 16) beyond 16 holds the least
 * state a tracker could keep, a packet count updated on every packet: what holding state per
 * connection in the table costs (the memory it takes and writes), with the same count.
 */
export function setup(v4At: usize, v4Bits: i32, v6At: usize, v6Bits: i32, queue: usize, stride: usize): void {
  v4Stride = stride;
  queueAt = queue;
  queued = 0;
  v4Table = v4At;
  v4Shift = <u64>(64 - v4Bits);
  v4Mask = (<u64>1 << <u64>v4Bits) - 1;
  v4Limit = <i32>((<u64>3 << <u64>v4Bits) >> 2);
  v6Table = v6At;
  v6Shift = <u64>(64 - v6Bits);
  v6Mask = (<u64>1 << <u64>v6Bits) - 1;
  v6Limit = <i32>((<u64>3 << <u64>v6Bits) >> 2);
  v4Count = 0; v6Count = 0; events = 0; v4Events = 0; tooFull = false;
}

/** The file header as JS read it (classic.ts readFileHeader). */
export function start(littleEndian: bool, link: i32, maxRec: u32): void {
  le = littleEndian;
  linkType = link;
  maxRecord = maxRec;
  stopped = false;
}

/** The count, once every queued key is in its table. */
export function connections(): i32 {
  drain4();
  return v4Count + v6Count;
}
export function ipv6Connections(): i32 { return v6Count; }
export function packets(): f64 { return events; }
export function ipv4Packets(): f64 { return v4Events; }
/** The packet counts held in the IPv4 slots' state, summed (each IPv4 packet once, when stride > 16). */
export function stateTotal(): f64 {
  drain4();
  let t: f64 = 0;
  const n = <usize>(v4Mask + 1);
  for (let i: usize = 0; i < n; i++) t += <f64>load<u32>(v4Table + i * v4Stride, 16);
  return t;
}
export function full(): bool {
  drain4();
  return tooFull;
}
export function touchedWords(): u64 { return touched; }
export function isStopped(): bool { return stopped; }

// ---- byte reads ----
@inline function u8at(p: usize): i32 { return <i32>load<u8>(p); }
@inline function u16at(p: usize): i32 { return <i32>bswap<u16>(load<u16>(p)); }
@inline function u32at(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
@inline function u32leat(p: usize): u32 { return load<u32>(p); }

// ---- the count ----
const K1: u64 = 0x9e3779b97f4a7c15;
const K2: u64 = 0xff51afd7ed558ccd;

/**
 * IPv4 keys wait in a queue of QUEUE (key, slot) entries: when it is full, one tight loop reads the home
 * slot of each (independent loads: the memory system fetches them at once, where a probe right after
 * each decode would wait for one random read of the table at a time; WebAssembly has no prefetch), then
 * the probes run on cached lines. A key is the same whether it waits or not, so the count is.
 */
const QUEUE: i32 = 32;
let queueAt: usize = 0;
let queued: i32 = 0;
/** The touched words, kept so that the touching loads are not optimised away. */
let touched: u64 = 0;

/**
 * IPv4: side (address, port) as one 48-bit number, the smaller is A (any order that depends on the
 * unordered pair alone gives the same count as the JS stage's). Slot word 0: A << 16 | protocol << 8 | 1
 * (never 0: the empty slot), word 1: B.
 */
@inline function queue4(): void {
  let a = (<u64>load<u32>(srcAt) << 16) | <u64>sport;
  let b = (<u64>load<u32>(dstAt) << 16) | <u64>dport;
  if (a > b) { const t = a; a = b; b = t; }
  const w0 = (a << 16) | (<u64>proto << 8) | 1;
  const q = queueAt + <usize>queued * 24;
  store<u64>(q, w0);
  store<u64>(q, b, 8);
  store<u64>(q, ((w0 ^ (b * K1)) * K2) >> v4Shift, 16);
  if (++queued == QUEUE) drain4();
}

function drain4(): void {
  const n = <usize>queued;
  let t: u64 = 0;
  for (let i: usize = 0; i < n; i++) t ^= load<u64>(v4Table + <usize>load<u64>(queueAt + i * 24, 16) * v4Stride);
  touched ^= t;
  for (let i: usize = 0; i < n; i++) {
    const q = queueAt + i * 24;
    probe4(load<u64>(q), load<u64>(q, 8), load<u64>(q, 16));
  }
  queued = 0;
}

@inline function probe4(w0: u64, b: u64, s: u64): void {
  for (;;) {
    const p = v4Table + <usize>s * v4Stride;
    const x = load<u64>(p);
    if (x == w0) {
      if (load<u64>(p, 8) == b) {
        if (v4Stride > 16) store<u32>(p, load<u32>(p, 16) + 1, 16);
        return;
      }
    } else if (x == 0) {
      // Never filled beyond the limit, so that a probe always meets an empty slot.
      if (v4Count >= v4Limit) { tooFull = true; return; }
      store<u64>(p, w0);
      store<u64>(p, b, 8);
      if (v4Stride > 16) store<u32>(p, 1, 16);
      v4Count++;
      return;
    }
    s = (s + 1) & v4Mask;
  }
}

/** IPv6: the two addresses as two words each, the smaller (address, port) is A. */
function count6(): void {
  let a0 = load<u64>(srcAt);
  let a1 = load<u64>(srcAt, 8);
  let b0 = load<u64>(dstAt);
  let b1 = load<u64>(dstAt, 8);
  let pa = <u64>sport;
  let pb = <u64>dport;
  if (a0 > b0 || (a0 == b0 && (a1 > b1 || (a1 == b1 && pa > pb)))) {
    let t = a0; a0 = b0; b0 = t;
    t = a1; a1 = b1; b1 = t;
    t = pa; pa = pb; pb = t;
  }
  const meta = (pa << 32) | (pb << 16) | (<u64>proto << 8) | 1;
  let s = ((((a0 ^ (a1 * K1)) * K2) ^ ((b0 ^ (b1 * K1)) * K1) ^ meta) * K2) >> v6Shift;
  for (;;) {
    const p = v6Table + <usize>s * 40;
    const m = load<u64>(p, 32);
    if (m == 0) {
      if (v6Count >= v6Limit) { tooFull = true; return; }
      store<u64>(p, a0); store<u64>(p, a1, 8); store<u64>(p, b0, 16); store<u64>(p, b1, 24); store<u64>(p, meta, 32);
      v6Count++;
      return;
    }
    if (m == meta && load<u64>(p) == a0 && load<u64>(p, 8) == a1 && load<u64>(p, 16) == b0 && load<u64>(p, 24) == b1) return;
    s = (s + 1) & v6Mask;
  }
}

// ---- decode, as assembly/pcap.ts: true for an event, false for a skip ----
const PROTO_ICMP: i32 = 1;
const PROTO_TCP: i32 = 6;
const PROTO_UDP: i32 = 17;
const PROTO_ICMPV6: i32 = 58;

/** pcap.ts decodeTransport: TCP and UDP need their ports, ICMP its type and code; others are skipped. */
@inline function transport(o: usize, end: usize, p: i32): bool {
  const n = <i64>end - <i64>o;
  if (p == PROTO_TCP || p == PROTO_UDP) {
    if (n < 4) return false;
    proto = p;
    sport = <u32>u16at(o);
    dport = <u32>u16at(o + 2);
    return true;
  }
  if (p == PROTO_ICMP || p == PROTO_ICMPV6) {
    if (n < 2) return false;
    proto = p;
    sport = <u32>u8at(o);
    dport = 0;
    return true;
  }
  return false;
}

const IPV6_HOP_BY_HOP: i32 = 0;
const IPV6_ROUTING: i32 = 43;
const IPV6_FRAGMENT: i32 = 44;
const IPV6_DEST_OPTS: i32 = 60;
const IPV6_NO_NEXT: i32 = 59;
const IP_AH: i32 = 51;

/** pcap.ts walkIpv6Extensions: the upper protocol (and `upper`), or -1 for a skip. */
function ipv6Extensions(o: usize, end: usize, nh: i32): i32 {
  for (;;) {
    if (nh == IPV6_HOP_BY_HOP || nh == IPV6_ROUTING || nh == IPV6_DEST_OPTS) {
      if (end - o < 2) return -1;
      const len = <usize>((u8at(o + 1) + 1) * 8);
      if (end - o < len) return -1;
      nh = u8at(o);
      o += len;
    } else if (nh == IP_AH) {
      if (end - o < 2) return -1;
      const len = <usize>((u8at(o + 1) + 2) * 4);
      if (end - o < len) return -1;
      nh = u8at(o);
      o += len;
    } else if (nh == IPV6_FRAGMENT) {
      if (end - o < 8) return -1;
      if ((u16at(o + 2) >>> 3) != 0) return -1;
      nh = u8at(o);
      o += 8;
    } else if (nh == IPV6_NO_NEXT) {
      return -1;
    } else {
      upper = o;
      return nh;
    }
  }
  return unreachable();
}

function ipv4(o: usize, end: usize): bool {
  if (end - o < 20) return false;
  const hlen = <usize>((u8at(o) & 0x0f) * 4);
  if (hlen < 20) return false;
  const total = <usize>u16at(o + 2);
  if (total != 0 && total < hlen) return false;
  if (end - o < hlen) return false;
  if ((u16at(o + 6) & 0x1fff) != 0) return false;
  const wireEnd = total == 0 ? end : o + total;
  const capEnd = wireEnd < end ? wireEnd : end;
  let p = u8at(o + 9);
  let l4 = o + hlen;
  while (p == IP_AH) {
    if (capEnd - l4 < 2) return false;
    const len = <usize>((u8at(l4 + 1) + 2) * 4);
    if (capEnd - l4 < len) return false;
    p = u8at(l4);
    l4 += len;
  }
  fam = 4;
  srcAt = o + 12;
  dstAt = o + 16;
  return transport(l4, capEnd, p);
}

function ipv6(o: usize, end: usize): bool {
  if (end - o < 40) return false;
  const plen = <usize>u16at(o + 4);
  const wireEnd = plen == 0 ? end : o + 40 + plen;
  const capEnd = wireEnd < end ? wireEnd : end;
  const r = ipv6Extensions(o + 40, capEnd, u8at(o + 6));
  if (r < 0) return false;
  fam = 6;
  srcAt = o + 8;
  dstAt = o + 24;
  return transport(upper, capEnd, r);
}

@inline function ip(o: usize, end: usize): bool {
  if (end - o < 1) return false;
  const version = u8at(o) >>> 4;
  if (version == 4) return ipv4(o, end);
  if (version == 6) return ipv6(o, end);
  return false;
}

function ethertype(o: usize, end: usize, type: i32): bool {
  for (;;) {
    if (type == 0x0800 || type == 0x86dd) return ip(o, end);
    if (type == 0x8100 || type == 0x88a8 || type == 0x9100 || type == 0x9200) {
      if (end - o < 4) return false;
      type = u16at(o + 2);
      o += 4;
      continue;
    }
    if (type < 0x0600) {
      if (
        end - o >= 8 &&
        u8at(o) == 0xaa && u8at(o + 1) == 0xaa && u8at(o + 2) == 0x03 &&
        u8at(o + 3) == 0 && u8at(o + 4) == 0 && u8at(o + 5) == 0
      ) {
        type = u16at(o + 6);
        o += 8;
        if (type < 0x0600) return false;
        continue;
      }
      return false;
    }
    return false;
  }
  return unreachable();
}

@inline function isIpFamily(af: u32): bool {
  return af == 2 || af == 24 || af == 28 || af == 30;
}

function frame(o: usize, end: usize): bool {
  switch (linkType) {
    case 1:
      if (end - o < 14) return false;
      return ethertype(o + 14, end, u16at(o + 12));
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
      return ip(o, end);
    case 113:
      if (end - o < 16) return false;
      return ethertype(o + 16, end, u16at(o + 14));
    case 276:
      if (end - o < 20) return false;
      return ethertype(o + 20, end, u16at(o));
    case 0: {
      if (end - o < 4) return false;
      const a = u32leat(o);
      const b = u32at(o);
      return isIpFamily(a < b ? a : b) && ip(o + 4, end);
    }
    case 108:
      if (end - o < 4) return false;
      return isIpFamily(u32at(o)) && ip(o + 4, end);
    default:
      return false;
  }
}

// ---- records ----
/**
 * Walk the whole records in [ptr, ptr + len): decode and count each. Returns the bytes consumed; what
 * is left (less than one record) JS keeps before its next chunk. An incl_len beyond the largest record
 * stops the walk for good (classic.ts: "bad-record-length").
 */
export function walk(ptr: usize, len: i32): i32 {
  if (stopped) return 0;
  const end = ptr + <usize>len;
  let p = ptr;
  const max = maxRecord;
  const little = le;
  while (end - p >= 16) {
    const incl = little ? load<u32>(p + 8) : bswap<u32>(load<u32>(p + 8));
    if (incl > max) {
      stopped = true;
      break;
    }
    const next = p + 16 + <usize>incl;
    if (next > end) break;
    if (frame(p + 16, next)) {
      events++;
      if (fam == 4) {
        v4Events++;
        queue4();
      }
      else count6();
    }
    p = next;
  }
  return <i32>(p - ptr);
}
