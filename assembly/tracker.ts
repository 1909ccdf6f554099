// The flow tracker's per-packet path in WebAssembly (issue 18; bench/README.md "The flow tracker in
// WebAssembly"): an AssemblyScript port of FlowTracker's `warm`, `packets`, `open`, `packet`,
// `sampleTtl` and `icmpError` (src/flow/tracker.ts), of the connection store and its hash index
// (conn-table.ts, hash-index.ts), of the history letters (history.ts), of the per-address TTL table
// (ttl-table.ts) and of the senders set (u32-set.ts). The JS tracker stays the reference
// implementation: test/flow/wasm-tracker.test.ts holds the two to the same connections, statistics,
// reclassifications and reports.
//
// The module reads a batch's columns either in the memory of the WebAssembly pcap decoder, which
// its instance then shares (its tables laid out above the decoder's; `readColumns` points the columns
// at the decoder's batch, so nothing is copied), or, for a batch of any other source, from its own
// input area, where JS copies them (~80 bytes a packet); then JS calls `run` once per
// batch. Connection records keep conn-table.ts's layout (STRIDE words, the same field offsets), so
// the JS side reads them through typed-array views of this memory; a sweep (`sweepOut`, below) writes
// the events of the connections it ends, with their outcomes from a memo here, and JS decides the rest
// (decideOutcome, labels). `run` returns to JS at a packet it leaves to JS, in order: an ICMP error (JS copies its
// quoted packet in and calls `icmpError`), an ICMP control message (no flow), and a packet whose
// connection has expired (JS finalises and removes it, then resumes at the same packet).
//
// Growth happens only in `reserve`, called by JS before each batch for the worst case (every packet
// a new connection), so that no call made while JS holds views moves memory. A table that grows is
// copied to fresh memory at the top; the old copy's pages are left (memory never shrinks), as the
// JS tables leave theirs to the collector: the tables follow the connections alive, not the input.
// Record numbers are given as ConnTable gives them (the last freed first, else the next unused), so
// a sweep finalises in the JS tracker's order.

// ---- constants shared with src/flow (conn-table.ts, outcome.ts, history.ts, batch.ts) ----
const STRIDE: i32 = 32;
const REC_BYTES: usize = 128;
/** A cold record (conn-table.ts COLD_STRIDE words): the ICMP error and four of the six sequence numbers. */
const COLD_BYTES: usize = 48;
const KEY_WORDS: i32 = 11;
const I_STATE: usize = 11 * 4;
const I_REQ_COUNT: usize = 12 * 4;
/** The state word's side bit (conn-table.ts S_ORIG_IS_B): the key's B side is the originator. */
const S_ORIG_IS_B: i32 = 4096;
const F_LAST_TIME: usize = 7 * 8;
const F_FIRST_TIME: usize = 8 * 8;
const F_FIRST_REQ_TIME: usize = 9 * 8;
const F_LAST_REQ_TIME: usize = 10 * 8;
const F_POSITION: usize = 11 * 8;
const H_WORD: usize = 24 * 4;
const H_LETTERS: usize = 25 * 4;
/** The originator's SYN and the responder's SYN-ACK sequence numbers (history.ts idx 0 and 3); the other four cold. */
const H_SEQ_SYN: usize = 13 * 4;
const H_SEQ_SYNACK: usize = 31 * 4;
const C_SEQS: usize = 7 * 4;
const I_FRAME: usize = 27 * 4;
const I_TTL_RESP: usize = 28 * 4;
const I_RST_TTL: usize = 29 * 4;
const I_RST_IFACE: usize = 30 * 4;
const C_ICMP: usize = 0;
const C_ICMP_IFACE: usize = 1 * 4;
const C_ICMP_FROM_FAMILY: usize = 2 * 4;
const C_ICMP_FROM: usize = 3 * 4;

const PROTO_ICMP: i32 = 1;
const PROTO_TCP: i32 = 6;
const PROTO_UDP: i32 = 17;
const PROTO_ICMPV6: i32 = 58;
const TCP_FIN: i32 = 1;
const TCP_SYN: i32 = 2;
const TCP_RST: i32 = 4;
const TCP_ACK: i32 = 16;

const S_SYN: i32 = 1;
const S_SYNACK: i32 = 2;
const S_RST_RESP: i32 = 4;
const S_RST_ORIG: i32 = 8;
const S_MIDSTREAM: i32 = 16;
const S_ICMP_ERR: i32 = 32;
const S_RESP_SEEN: i32 = 64;
const S_ORIG_SEEN: i32 = 128;
const S_ICMP_FROM_DST: i32 = 256;
const S_FIN_ORIG: i32 = 512;
const S_FIN_RESP: i32 = 1024;
const S_ACK_ORIG: i32 = 2048;

const HISTORY_FLIPPED: i32 = 1 << 21;
const LEN_SHIFT: i32 = 16;
const LEN_MASK: i32 = 0x1f << 16;
const MAX_LETTERS: i32 = 16;

/** Why `run` stopped before the end (stopReason). */
const STOP_ICMP_ERROR: i32 = 1;
const STOP_ICMP_CONTROL: i32 = 2;
const STOP_EXPIRED: i32 = 3;
/** icmpError's results. */
const ICMP_USED: i32 = 0;
const ICMP_NO_QUOTE: i32 = 1;
const ICMP_EXPIRED: i32 = 3;

/** Packets whose keys are computed and whose slots and records are touched before they are processed. */
const GROUP: i32 = 64;

// ---- memory: the input area (fixed), then the tables (bump-allocated, moved when they grow) ----
let top: usize = 0;
let cap: i32 = 0;
let cFamily: usize = 0;
let cProto: usize = 0;
let cSrc: usize = 0;
let cDst: usize = 0;
let cSrcPort: usize = 0;
let cDstPort: usize = 0;
let cIcmpType: usize = 0;
let cIcmpCode: usize = 0;
let cTcpFlags: usize = 0;
let cTime: usize = 0;
let cPosition: usize = 0;
let cFrame: usize = 0;
let cTtl: usize = 0;
let cIface: usize = 0;
let cTcpSeq: usize = 0;
let cPayload: usize = 0;
/** The quoted packet of the ICMP error being handled: protocol, source, destination, ports (set by JS). */
let qInner: usize = 0;
/** Per packet of a group: key (KEY_WORDS words), hash, source-is-B. */
let gKeys: usize = 0;
let gHash: usize = 0;
let gSide: usize = 0;
let gFound: usize = 0;
/** A key being looked up outside a group (icmpError). */
let kScratch: usize = 0;

let recs: usize = 0;
let colds: usize = 0;
let recCap: i32 = 0;
let cls: usize = 0;
/**
 * Per record, what sweeps read of its last packet's time: a lower bound of the record's F_LAST_TIME,
 * less than a step of its class's timeout below it (see lastTime). A sweep takes a record whose bound
 * says it may have expired to the record itself, whose time decides.
 */
let lastAt: usize = 0;
let freeAt: usize = 0;
let freeCount: i32 = 0;
let used: i32 = 0;
let live: i32 = 0;
/** Bumped whenever a table moves: JS makes its views again. */
let generation: i32 = 0;

let slots: usize = 0;
let slotMask: i32 = 0;
let indexSize: i32 = 0;

let ttlKeys: usize = 0;
let ttlVals: usize = 0;
let ttlMeta: usize = 0;
let ttlCap: i32 = 0;
let ttlSize: i32 = 0;
let ttlSlots: usize = 0;
let ttlMask: i32 = 0;
let ttlK: usize = 0;

let sTable: usize = 0;
let sMask: i32 = 0;
let sSize: i32 = 0;
let sHasZero: bool = false;

// ---- tracker state ----
let now: f64 = -Infinity;
let toTcp: f64 = 0;
let toUdp: f64 = 0;
let toIcmp: f64 = 0;
let dupWindow: f64 = 0;
/** LAST_STEPS / the timeout of each class (NaN for a timeout of 0 or less: every packet's time then written to lastAt). */
let stepsTcp: f64 = NaN;
let stepsUdp: f64 = NaN;
let stepsIcmp: f64 = NaN;
/** Where a last time that lastAt need not hold is written instead (lastTime: a store without a branch). */
let lastScratch: usize = 0;
let connections: i32 = 0;
let peakLive: i32 = 0;
let icmpOnly: i32 = 0;
let stopReason: i32 = 0;
let stopRecord: i32 = -1;
let sink: i32 = 0;

/** Records at the first growth (RESERVED_RECORDS of hash-index.ts: untouched pages cost nothing; tests give fewer). */
let reserved: i32 = 1 << 18;

/** 16 bytes from `src` to `dst` (an address): two loads and stores, where memory.copy is a call out of the module in V8. */
// @ts-ignore: decorator
@inline function copy16(dst: usize, src: usize): void {
  store<i64>(dst, load<i64>(src));
  store<i64>(dst, load<i64>(src, 8), 8);
}

/** `bytes` of fresh memory at the top, 64-aligned (a record's two cache lines are two lines, as the prefetch assumes). */
function take(bytes: usize): usize {
  const at = (top + 63) & ~(<usize>63);
  top = at + bytes;
  const need = <i32>((top + 65535) >>> 16) - memory.size();
  if (need > 0 && memory.grow(need) < 0) unreachable();
  return at;
}

/**
 * Lay out the input area for batches of `capacity` packets and the first tables: `records` records,
 * `reserve` at the first growth, `ttlEntries` TTL entries (a power of two); the idle timeouts (ms).
 */
export function init(capacity: i32, records: i32, reserve: i32, ttlEntries: i32, tcp: f64, udp: f64, icmp: f64, duplicateWindow: f64, base: usize): void {
  reserved = reserve;
  top = base > 1024 ? base : 1024;
  cap = capacity;
  const n = <usize>capacity;
  cFamily = take(n); cProto = take(n); cSrc = take(n * 16); cDst = take(n * 16);
  cSrcPort = take(n * 4); cDstPort = take(n * 4); cIcmpType = take(n * 2); cIcmpCode = take(n * 2);
  cTcpFlags = take(n * 2); cTime = take(n * 8); cPosition = take(n * 8); cFrame = take(n * 4);
  cTtl = take(n * 2); cIface = take(n * 4); cTcpSeq = take(n * 4); cPayload = take(n * 4);
  ownColumns = take(64);
  const o = ownColumns;
  store<usize>(o, cFamily); store<usize>(o, cProto, 4); store<usize>(o, cSrc, 8); store<usize>(o, cDst, 12);
  store<usize>(o, cSrcPort, 16); store<usize>(o, cDstPort, 20); store<usize>(o, cIcmpType, 24); store<usize>(o, cIcmpCode, 28);
  store<usize>(o, cTcpFlags, 32); store<usize>(o, cTime, 36); store<usize>(o, cPosition, 40); store<usize>(o, cFrame, 44);
  store<usize>(o, cTtl, 48); store<usize>(o, cIface, 52); store<usize>(o, cTcpSeq, 56); store<usize>(o, cPayload, 60);
  qInner = take(64);
  gKeys = take(<usize>(GROUP * KEY_WORDS * 4)); gHash = take(<usize>GROUP * 4); gSide = take(<usize>GROUP); gFound = take(<usize>GROUP * 4);
  kScratch = take(<usize>KEY_WORDS * 4);
  ttlK = take(32);
  recCap = records; recs = take(<usize>records * REC_BYTES); colds = take(<usize>records * COLD_BYTES); cls = take(<usize>records);
  lastAt = take(<usize>records * 8); freeAt = take(<usize>records * 4);
  let ns = 16;
  while (ns < records * 2) ns <<= 1;
  slots = take(<usize>ns * 8); slotMask = ns - 1;
  ttlCap = ttlEntries; ttlKeys = take(<usize>ttlEntries * 24); ttlVals = take(<usize>ttlEntries * 4); ttlMeta = take(<usize>ttlEntries);
  ttlSlots = take(<usize>ttlEntries * 16); ttlMask = ttlEntries * 2 - 1;
  sTable = take(1024 * 4); sMask = 1023;
  toTcp = tcp; toUdp = udp; toIcmp = icmp; dupWindow = duplicateWindow;
  stepsTcp = steps(tcp); stepsUdp = steps(udp); stepsIcmp = steps(icmp);
  lastScratch = take(8);
  now = -Infinity;
}

/**
 * The steps of a timeout in which lastAt follows a connection's last time: with 4, a sweep looks into
 * the record of a connection that has not expired only when it was idle for more than 3/4 of its
 * timeout (and then sets lastAt to the record's time, so once between two of its packets at most).
 */
const LAST_STEPS: f64 = 4;

function steps(timeout: f64): f64 {
  return timeout > 0 ? LAST_STEPS / timeout : NaN;
}

/** Where input column k of the module's own input area starts (the order of src/flow/wasm-tracker.ts COLUMNS), 16: the quoted packet. */
export function column(k: i32): usize {
  return k >= 0 && k < 16 ? load<usize>(ownColumns + (<usize>k << 2)) : qInner;
}

/** The input area's column addresses (init), kept while `readColumns` points the columns elsewhere. */
let ownColumns: usize = 0;

/**
 * Read the packets from columns at these addresses (the WebAssembly pcap decoder's batch, in this
 * memory: its instance and this one share it, so JS copies nothing in); `family` 0: this module's own
 * input area again. Types and order as `column`'s.
 */
export function readColumns(family: usize, proto: usize, src: usize, dst: usize, srcPort: usize, dstPort: usize, icmpType: usize, icmpCode: usize,
  tcpFlags: usize, time: usize, position: usize, frame: usize, ttl: usize, iface: usize, tcpSeq: usize, payload: usize): void {
  if (family == 0) {
    const o = ownColumns;
    cFamily = load<usize>(o); cProto = load<usize>(o, 4); cSrc = load<usize>(o, 8); cDst = load<usize>(o, 12);
    cSrcPort = load<usize>(o, 16); cDstPort = load<usize>(o, 20); cIcmpType = load<usize>(o, 24); cIcmpCode = load<usize>(o, 28);
    cTcpFlags = load<usize>(o, 32); cTime = load<usize>(o, 36); cPosition = load<usize>(o, 40); cFrame = load<usize>(o, 44);
    cTtl = load<usize>(o, 48); cIface = load<usize>(o, 52); cTcpSeq = load<usize>(o, 56); cPayload = load<usize>(o, 60);
    return;
  }
  cFamily = family; cProto = proto; cSrc = src; cDst = dst; cSrcPort = srcPort; cDstPort = dstPort; cIcmpType = icmpType; cIcmpCode = icmpCode;
  cTcpFlags = tcpFlags; cTime = time; cPosition = position; cFrame = frame; cTtl = ttl; cIface = iface; cTcpSeq = tcpSeq; cPayload = payload;
}

export function recordsAt(): usize { return recs; }
export function coldAt(): usize { return colds; }
export function recordCapacity(): i32 { return recCap; }
export function tablesGeneration(): i32 { return generation; }
export function liveRecords(): i32 { return live; }
export function connectionCount(): i32 { return connections; }
export function peakLiveCount(): i32 { return peakLive; }
export function icmpOnlyCount(): i32 { return icmpOnly; }
export function currentTime(): f64 { return now; }
export function stoppedFor(): i32 { return stopReason; }
export function stoppedRecord(): i32 { return stopRecord; }
export function warmSink(): i32 { return sink; }

// ---- the hash index (hash-index.ts): slot s is (entry + 1, hash) ----

function hashWords(k: usize, n: i32): i32 {
  let h: i32 = <i32>0x9e3779b9;
  for (let j = 0; j < n; j++) {
    h = (h ^ load<i32>(k + (<usize>j << 2))) * <i32>0x85ebca6b;
    h ^= h >>> 13;
  }
  return h ^ (h >>> 16);
}

/**
 * The index's hash of key k (its KEY_WORDS words): an IPv4 key (family 4 in word 0) by the five words
 * an IPv4 key can differ in (0: family and protocol, 1 and 5: the addresses, 9 and 10: the ports; a
 * batch's IPv4 address has words 1..3 zero), any other key by all its words. A function of the key
 * alone either way; only this module's index sees it (sweeps and finalisation go by record number).
 */
function keyHash(k: usize): i32 {
  const w0 = load<i32>(k);
  if (((w0 >>> 8) & 0xff) != 4) return hashWords(k, KEY_WORDS);
  let h: i32 = (<i32>0x9e3779b9 ^ w0) * <i32>0x85ebca6b;
  h ^= h >>> 13;
  h = (h ^ load<i32>(k, 4)) * <i32>0x85ebca6b;
  h ^= h >>> 13;
  h = (h ^ load<i32>(k, 20)) * <i32>0x85ebca6b;
  h ^= h >>> 13;
  h = (h ^ load<i32>(k, 36)) * <i32>0x85ebca6b;
  h ^= h >>> 13;
  h = (h ^ load<i32>(k, 40)) * <i32>0x85ebca6b;
  h ^= h >>> 13;
  return h ^ (h >>> 16);
}

/** Whether the keys at a and b (KEY_WORDS words each) are equal: five 8-byte and one 4-byte compare, no branch. */
// @ts-ignore: decorator
@inline function sameKey(a: usize, b: usize): bool {
  const x = (load<i64>(a) ^ load<i64>(b)) | (load<i64>(a, 8) ^ load<i64>(b, 8)) | (load<i64>(a, 16) ^ load<i64>(b, 16))
    | (load<i64>(a, 24) ^ load<i64>(b, 24)) | (load<i64>(a, 32) ^ load<i64>(b, 32)) | <i64>(load<i32>(a, 40) ^ load<i32>(b, 40));
  return x == 0;
}

function indexFind(k: usize, h: i32): i32 {
  let s = h & slotMask;
  for (;;) {
    const p = slots + (<usize>s << 3);
    const e1 = load<i32>(p);
    if (e1 == 0) return -1;
    if (load<i32>(p, 4) == h && sameKey(recs + <usize>(e1 - 1) * REC_BYTES, k)) return e1 - 1;
    s = (s + 1) & slotMask;
  }
  return -1;
}

function place(at: usize, mask: i32, e1: i32, h: i32): void {
  let s = h & mask;
  while (load<i32>(at + (<usize>s << 3)) != 0) s = (s + 1) & mask;
  store<i32>(at + (<usize>s << 3), e1);
  store<i32>(at + (<usize>s << 3), h, 4);
}

function indexRemove(e: i32, h: i32): void {
  const mask = slotMask;
  let hole = h & mask;
  while (load<i32>(slots + (<usize>hole << 3)) != e + 1) {
    if (load<i32>(slots + (<usize>hole << 3)) == 0) unreachable();
    hole = (hole + 1) & mask;
  }
  let j = (hole + 1) & mask;
  while (load<i32>(slots + (<usize>j << 3)) != 0) {
    const ideal = load<i32>(slots + (<usize>j << 3), 4) & mask;
    const stays = hole <= j ? ideal > hole && ideal <= j : ideal > hole || ideal <= j;
    if (!stays) {
      store<i64>(slots + (<usize>hole << 3), load<i64>(slots + (<usize>j << 3)));
      hole = j;
    }
    j = (j + 1) & mask;
  }
  store<i32>(slots + (<usize>hole << 3), 0);
  indexSize--;
}

// ---- growth (only here: see the file's head) ----

/** Room for `n` more connections, TTL entries and senders without growing during the next calls. */
export function reserve(n: i32): void {
  if (used + n > recCap) growRecords(used + n);
  if ((indexSize + n) * 2 > slotMask + 1) growIndex(indexSize + n);
  if (ttlSize + n > ttlCap) growTtl(ttlSize + n);
  if ((sSize + 2 * n) * 2 > sMask + 1) growSenders(sSize + 2 * n);
}

function growRecords(need: i32): void {
  let c = recCap < reserved ? reserved : recCap * 2;
  while (c < need) c *= 2;
  const r = take(<usize>c * REC_BYTES);
  memory.copy(r, recs, <usize>used * REC_BYTES);
  const cr = take(<usize>c * COLD_BYTES);
  memory.copy(cr, colds, <usize>used * COLD_BYTES);
  const c2 = take(<usize>c);
  memory.copy(c2, cls, <usize>used);
  const l = take(<usize>c * 8);
  memory.copy(l, lastAt, <usize>used * 8);
  const f = take(<usize>c * 4);
  memory.copy(f, freeAt, <usize>freeCount * 4);
  recs = r; colds = cr; cls = c2; lastAt = l; freeAt = f; recCap = c;
  generation++;
  // The index is not made for the new capacity here: `reserve` keeps it at twice the entries it may
  // hold after the next call. Made for the 2^18-record reservation it was 4 MiB, whose few thousand
  // used slots (a capture of few connections) each sat on a page of their own, out of cache between
  // batches (bench/README.md, "Realistic capture, second round").
}

function growIndex(need: i32): void {
  let n = (slotMask + 1) * 2;
  while (n < need * 2) n *= 2;
  const at = take(<usize>n * 8);
  const mask = n - 1;
  for (let s = 0; s <= slotMask; s++) {
    const e1 = load<i32>(slots + (<usize>s << 3));
    if (e1 != 0) place(at, mask, e1, load<i32>(slots + (<usize>s << 3), 4));
  }
  slots = at; slotMask = mask;
}

function growTtl(need: i32): void {
  let c = ttlCap * 2;
  while (c < need) c *= 2;
  const k = take(<usize>c * 24);
  memory.copy(k, ttlKeys, <usize>ttlSize * 24);
  const v = take(<usize>c * 4);
  memory.copy(v, ttlVals, <usize>ttlSize * 4);
  const m = take(<usize>c);
  memory.copy(m, ttlMeta, <usize>ttlSize);
  let n = (ttlMask + 1) * 2;
  while (n < c * 2) n *= 2;
  const at = take(<usize>n * 8);
  for (let s = 0; s <= ttlMask; s++) {
    const e1 = load<i32>(ttlSlots + (<usize>s << 3));
    if (e1 != 0) place(at, n - 1, e1, load<i32>(ttlSlots + (<usize>s << 3), 4));
  }
  ttlKeys = k; ttlVals = v; ttlMeta = m; ttlCap = c; ttlSlots = at; ttlMask = n - 1;
}

function growSenders(need: i32): void {
  let n = (sMask + 1) * 2;
  while (n < need * 2) n *= 2;
  const at = take(<usize>n * 4);
  const mask = n - 1;
  for (let s = 0; s <= sMask; s++) {
    const x = load<i32>(sTable + (<usize>s << 2));
    if (x == 0) continue;
    let h = (x ^ (x >>> 16)) & mask;
    while (load<i32>(at + (<usize>h << 2)) != 0) h = (h + 1) & mask;
    store<i32>(at + (<usize>h << 2), x);
  }
  sTable = at; sMask = mask;
}

// ---- the connection store (conn-table.ts) ----

function rec(e: i32): usize {
  return recs + <usize>e * REC_BYTES;
}

function cold(e: i32): usize {
  return colds + <usize>e * COLD_BYTES;
}

function classOfProto(p: i32): u8 {
  return p == PROTO_TCP ? 1 : p == PROTO_UDP ? 2 : 3;
}

function insert(k: usize, h: i32): i32 {
  let e: i32;
  if (freeCount > 0) e = load<i32>(freeAt + (<usize>(--freeCount) << 2));
  else e = used++;
  const o = rec(e);
  copy16(o, k);
  copy16(o + 16, k + 16);
  store<i64>(o + 32, load<i64>(k + 32));
  store<i32>(o + 40, load<i32>(k + 40));
  store<i32>(o + I_STATE, 0);
  store<i32>(o + I_REQ_COUNT, 0);
  store<i32>(o + H_WORD, 0);
  store<i64>(o + H_LETTERS, 0);
  store<i32>(o + I_TTL_RESP, 0);
  store<i32>(o + I_RST_TTL, 0);
  store<i32>(o + I_RST_IFACE, 0);
  store<u8>(cls + <usize>e, classOfProto(load<i32>(k) & 255));
  live++;
  place(slots, slotMask, e + 1, h);
  indexSize++;
  store<f64>(o + F_FIRST_REQ_TIME, NaN);
  store<f64>(o + F_LAST_REQ_TIME, NaN);
  connections++;
  if (live > peakLive) peakLive = live;
  return e;
}

/** Take record e out (JS finalised it): ConnTable.remove. */
export function remove(e: i32): void {
  indexRemove(e, keyHash(rec(e)));
  store<u8>(cls + <usize>e, 0);
  live--;
  store<i32>(freeAt + (<usize>(freeCount++) << 2), e);
}

/** Forget every record (the end of a capture, after each was finalised): ConnTable.clear. */
export function clear(): void {
  if (live * 256 < slotMask + 1) {
    for (let e = 0; e < used; e++) if (load<u8>(cls + <usize>e) != 0) indexRemove(e, keyHash(rec(e)));
  } else {
    memory.fill(slots, 0, <usize>(slotMask + 1) * 8);
    indexSize = 0;
  }
  memory.fill(cls, 0, <usize>used);
  live = 0;
  used = 0;
  freeCount = 0;
}

function setLastTime(o: usize, e: i32, t: f64): void {
  store<f64>(o + F_LAST_TIME, t);
  store<f64>(lastAt + (<usize>e << 3), t);
}

/**
 * A known connection's last time, from `old` to t: in the record always (the per-packet path reads it
 * there, exactly), in lastAt only when t is earlier than `old` or in another step of the timeout
 * (`steps`: stepsTcp...), so that lastAt stays a lower bound of the record's time and less than a step
 * below it. Most packets of a connection then write only the record's line, which the lookup brought
 * into the cache, and not a line of lastAt besides (a random one per packet: 200k connections' lastAt
 * is 1.6 MB). A new record's time is written to both (setLastTime), as icmpError's is.
 */
// @ts-ignore: decorator
@inline function lastTime(o: usize, e: i32, t: f64, old: f64, steps: f64): void {
  store<f64>(o + F_LAST_TIME, t);
  const within = t >= old && Math.floor(t * steps) == Math.floor(old * steps);
  store<f64>(select<usize>(lastScratch, lastAt + (<usize>e << 3), within), t);
}

function expired(o: usize, proto: i32): bool {
  const to = proto == PROTO_TCP ? toTcp : proto == PROTO_UDP ? toUdp : toIcmp;
  return now - load<f64>(o + F_LAST_TIME) > to;
}

/** conn-table.ts canonicalKey: source (sAt, sp), destination (dAt, dp) into k; 1 when the source is side B. */
function canonicalKey(fam: i32, proto: i32, sAt: usize, sp: i32, dAt: usize, dp: i32, k: usize): i32 {
  let cmp = 0;
  for (let j: usize = 0; j < 16 && cmp == 0; j += 4) {
    const a = load<u32>(sAt + j);
    const b = load<u32>(dAt + j);
    cmp = a < b ? -1 : a > b ? 1 : 0;
  }
  if (cmp == 0) cmp = sp - dp;
  store<i32>(k, (fam << 8) | proto);
  // Which way round by selects, not a branch: the two directions of a connection alternate unpredictably.
  const swap = cmp > 0;
  copy16(k + 4, select<usize>(dAt, sAt, swap));
  copy16(k + 20, select<usize>(sAt, dAt, swap));
  store<i32>(k + 36, select<i32>(dp, sp, swap));
  store<i32>(k + 40, select<i32>(sp, dp, swap));
  return <i32>swap;
}

// ---- the senders set (u32-set.ts) and the TTL table (ttl-table.ts) ----

function addrHash(w: usize): u32 {
  let h = (load<i32>(w) ^ 0x5bd1e995) * 0x01000193;
  h = (h ^ load<i32>(w, 4)) * 0x01000193;
  h = (h ^ load<i32>(w, 8)) * 0x01000193;
  return <u32>((h ^ load<i32>(w, 12)) * 0x01000193);
}

function sendersAdd(v: u32): void {
  if (v == 0) { sHasZero = true; return; }
  const x = <i32>v;
  let h = (x ^ (x >>> 16)) & sMask;
  for (;;) {
    const cur = load<i32>(sTable + (<usize>h << 2));
    if (cur == x) return;
    if (cur == 0) break;
    h = (h + 1) & sMask;
  }
  store<i32>(sTable + (<usize>h << 2), x);
  sSize++;
}

/** Whether an address with this hash (addrHash) sent a packet. */
export function sendersHas(v: u32): bool {
  if (v == 0) return sHasZero;
  const x = <i32>v;
  let h = (x ^ (x >>> 16)) & sMask;
  for (;;) {
    const cur = load<i32>(sTable + (<usize>h << 2));
    if (cur == x) return true;
    if (cur == 0) return false;
    h = (h + 1) & sMask;
  }
  return false;
}

function ttlFind(): i32 {
  const h = hashWords(ttlK, 6);
  let s = h & ttlMask;
  for (;;) {
    const p = ttlSlots + (<usize>s << 3);
    const e1 = load<i32>(p);
    if (e1 == 0) return -1;
    if (load<i32>(p, 4) == h) {
      const o = ttlKeys + <usize>(e1 - 1) * 24;
      let j: usize = 0;
      while (j < 24 && load<i32>(o + j) == load<i32>(ttlK + j)) j += 4;
      if (j == 24) return e1 - 1;
    }
    s = (s + 1) & ttlMask;
  }
  return -1;
}

function ttlKey(fam: i32, w: usize, iface: i32): void {
  store<i32>(ttlK, fam);
  copy16(ttlK + 4, w);
  store<i32>(ttlK + 20, iface);
}

function ttlSample(fam: i32, w: usize, iface: i32, ttl: i32): void {
  ttlKey(fam, w, iface);
  let e = ttlFind();
  if (e == -1) {
    e = ttlSize++;
    copy16(ttlKeys + <usize>e * 24, ttlK);
    store<i64>(ttlKeys + <usize>e * 24 + 16, load<i64>(ttlK + 16));
    store<u32>(ttlVals + (<usize>e << 2), 0);
    store<u8>(ttlMeta + <usize>e, 0);
    place(ttlSlots, ttlMask, e + 1, hashWords(ttlK, 6));
  }
  const m = <i32>load<u8>(ttlMeta + <usize>e);
  if (m & 0x80) return;
  const v = load<u32>(ttlVals + (<usize>e << 2));
  for (let j = 0; j < m; j++) if (<i32>((v >>> (<u32>j * 8)) & 0xff) == ttl) return;
  if (m == 4) { store<u8>(ttlMeta + <usize>e, <u8>(m | 0x80)); return; }
  store<u32>(ttlVals + (<usize>e << 2), v | (<u32>ttl << (<u32>m * 8)));
  store<u8>(ttlMeta + <usize>e, <u8>(m + 1));
}

let ttlFoundVals: u32 = 0;
/**
 * The TTLs of (fam, a0..a3, iface): -1 when none (JS: []), else the entry's count of values (| 0x80
 * once it varied); the values are then in ttlValues(), a byte each.
 */
export function ttlLookup(fam: i32, a0: i32, a1: i32, a2: i32, a3: i32, iface: i32): i32 {
  store<i32>(ttlK, fam);
  store<i32>(ttlK, a0, 4); store<i32>(ttlK, a1, 8); store<i32>(ttlK, a2, 12); store<i32>(ttlK, a3, 16);
  store<i32>(ttlK + 20, iface);
  const e = ttlFind();
  if (e == -1) return -1;
  ttlFoundVals = load<u32>(ttlVals + (<usize>e << 2));
  return <i32>load<u8>(ttlMeta + <usize>e);
}
export function ttlValues(): u32 { return ttlFoundVals; }

// ---- history letters (history.ts) ----

function hAdd(o: usize, letter: i32): void {
  const w = load<i32>(o + H_WORD);
  const n = (w & LEN_MASK) >>> LEN_SHIFT;
  if (n >= MAX_LETTERS) return;
  const lw = o + H_LETTERS + (<usize>(n >>> 3) << 2);
  const shift = (n & 7) * 4;
  store<i32>(lw, (load<i32>(lw) & ~(0xf << shift)) | (letter << shift));
  store<i32>(o + H_WORD, (w & ~LEN_MASK) | ((n + 1) << LEN_SHIFT));
}

function hCheck(o: usize, mask: i32, orig: bool, letter: i32): bool {
  const bit = orig ? mask : mask << 8;
  const w = load<i32>(o + H_WORD);
  if (w & bit) return true;
  store<i32>(o + H_WORD, w | bit);
  hAdd(o, orig ? letter + 8 : letter);
  return false;
}

function hRepeating(o: usize, c: usize, mask: i32, orig: bool, letter: i32, k: i32, seq: i32): void {
  const idx: i32 = orig ? k : k + 3;
  const slot = idx == 0 ? o + H_SEQ_SYN : idx == 3 ? o + H_SEQ_SYNACK : c + C_SEQS + (<usize>(idx < 3 ? idx - 1 : idx - 2) << 2);
  if (hCheck(o, mask, orig, letter) && load<i32>(slot) != seq) hAdd(o, orig ? letter + 8 : letter);
  store<i32>(slot, seq);
}

function historyTcp(o: usize, c: usize, orig: bool, flags: i32, seq: i32, len: i32): void {
  const syn = flags & 2, fin = flags & 1, rst = flags & 4, ack = flags & 16;
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst) hCheck(o, 8, orig, 6);
    else hCheck(o, 64, orig, 7);
  } else if (bits == 1) {
    if (syn) hRepeating(o, c, 1, orig, ack ? 1 : 0, 0, seq);
    else if (fin) hRepeating(o, c, 2, orig, 4, 1, seq + (len > 0 ? len : 0));
    else hRepeating(o, c, 4, orig, 5, 2, seq);
  } else if (len > 0) {
    hCheck(o, 16, orig, 3);
  } else if (ack) {
    hCheck(o, 32, orig, 2);
  }
}

// ---- the per-packet path (tracker.ts warm, packets, open, packet, sampleTtl) ----

function isIcmp(p: i32): bool {
  return p == PROTO_ICMP || p == PROTO_ICMPV6;
}
function isIcmpError(p: i32, t: i32): bool {
  return p == PROTO_ICMP ? t == 3 || t == 4 || t == 5 || t == 11 || t == 12 : p == PROTO_ICMPV6 && t >= 1 && t <= 4;
}
function isIcmpControl(p: i32, t: i32): bool {
  if (p == PROTO_ICMP) return t == 9 || t == 10;
  return (t >= 130 && t <= 137) || t == 143;
}
function isEchoRequest(p: i32, t: i32): bool {
  return (p == PROTO_ICMP && t == 8) || (p == PROTO_ICMPV6 && t == 128);
}
function isEchoReply(p: i32, t: i32): bool {
  return (p == PROTO_ICMP && t == 0) || (p == PROTO_ICMPV6 && t == 129);
}

/** Packet i's key and hash into group slot j, its home slot and record touched (FlowTracker.warm). */
function groupKey(i: i32, j: i32): void {
  const proto = <i32>load<u8>(cProto + <usize>i);
  let sp: i32;
  let dp: i32;
  if (isIcmp(proto)) {
    const type = <i32>load<i16>(cIcmpType + (<usize>i << 1));
    if (isIcmpError(proto, type) || isIcmpControl(proto, type)) return;
    sp = isEchoRequest(proto, type) || isEchoReply(proto, type) ? 0 : type;
    dp = 0;
  } else {
    sp = load<i32>(cSrcPort + (<usize>i << 2));
    dp = load<i32>(cDstPort + (<usize>i << 2));
    if (proto != PROTO_TCP) {
      if (sp < 0) sp = 0;
      if (dp < 0) dp = 0;
    }
  }
  const k = gKeys + <usize>(j * KEY_WORDS * 4);
  const w = <usize>i << 4;
  store<u8>(gSide + <usize>j, <u8>canonicalKey(<i32>load<u8>(cFamily + <usize>i), proto, cSrc + w, sp, cDst + w, dp, k));
  store<i32>(gHash + (<usize>j << 2), keyHash(k));
}

/**
 * Touch what the group's packets will read before they are processed (FlowTracker.warm, carried
 * further): independent loads in tight loops overlap, so the work that follows finds its lines
 * cached. WebAssembly has no prefetch: a load retires only once its line is in, so each loop waits
 * for the slowest of its loads, not for each in turn. Packets without a key (ICMP errors and
 * control) touch a stale slot, harmlessly; a touch that guesses wrong (a hash shared by two keys, a
 * connection that turns out expired) costs a load, never a result.
 */
function touch(g: i32, n: i32): void {
  const sl = slots;
  const mask = slotMask;
  let s = 0;
  // 1: each key's home slot.
  for (let j = 0; j < n; j++) s += load<i32>(sl + (<usize>(load<i32>(gHash + (<usize>j << 2)) & mask) << 3));
  // 2: on those lines, the probe chain up to the first entry with the key's hash (the record indexFind
  // compares the key with; only the home slot was followed before, and a key further along its chain
  // then missed the cache in indexFind), and that record's two lines.
  const rs = recs;
  for (let j = 0; j < n; j++) {
    const h = load<i32>(gHash + (<usize>j << 2));
    let p = h & mask;
    let e1 = load<i32>(sl + (<usize>p << 3));
    while (e1 != 0 && load<i32>(sl + (<usize>p << 3), 4) != h) {
      p = (p + 1) & mask;
      e1 = load<i32>(sl + (<usize>p << 3));
    }
    store<i32>(gFound + (<usize>j << 2), e1);
    if (e1 != 0) {
      const o = rs + <usize>(e1 - 1) * REC_BYTES;
      s += load<i32>(o) + load<i32>(o, 64);
    }
  }
  // 3: on the records, now cached: the senders set's slot for a packet that is the first from its side
  // of its connection (packet calls sendersAdd then; a new connection's first packet always is).
  const st = sTable;
  const sm = sMask;
  for (let j = 0; j < n; j++) {
    const e1 = load<i32>(gFound + (<usize>j << 2));
    if (e1 != 0) {
      const state = load<i32>(rs + <usize>(e1 - 1) * REC_BYTES + I_STATE);
      const fromOrig = <i32>load<u8>(gSide + <usize>j) == ((state & S_ORIG_IS_B) != 0 ? 1 : 0);
      if (state & (fromOrig ? S_ORIG_SEEN : S_RESP_SEEN)) continue;
    }
    const x = <i32>addrHash(cSrc + (<usize>(g + j) << 4));
    s += load<i32>(st + (<usize>((x ^ (x >>> 16)) & sm) << 2));
  }
  sink += s;
}

function open(e: i32, o: usize, j: i32, proto: i32, sp: i32, dp: i32, flags: i32, isReply: bool, i: i32, t: f64): void {
  store<f64>(o + F_FIRST_TIME, t);
  store<f64>(o + F_POSITION, load<f64>(cPosition + (<usize>i << 3)));
  store<u32>(o + I_FRAME, load<u32>(cFrame + (<usize>i << 2)));
  let sender = 1;
  let st0 = 0;
  if (proto == PROTO_TCP) {
    if (flags >= 0 && (flags & TCP_SYN) && !(flags & TCP_ACK)) sender = 1;
    else if (flags >= 0 && (flags & TCP_SYN) && (flags & TCP_ACK)) sender = 0;
    else sender = dp <= sp ? 1 : 0;
    if (flags < 0 || !(flags & TCP_SYN) || (flags & TCP_ACK)) st0 |= S_MIDSTREAM;
  } else if (proto == PROTO_UDP) {
    sender = dp <= sp || dp < 1024 ? 1 : 0;
    if (sender == 0) st0 |= S_MIDSTREAM;
  } else {
    sender = isReply ? 0 : 1;
    if (isReply) st0 |= S_MIDSTREAM;
  }
  const srcIsB = <i32>load<u8>(gSide + <usize>j);
  store<i32>(o + I_STATE, st0 | ((sender ? srcIsB : srcIsB ^ 1) ? S_ORIG_IS_B : 0));
  if (!sender && (proto == PROTO_TCP || proto == PROTO_UDP)) store<i32>(o + H_WORD, HISTORY_FLIPPED);
}

/** One packet (group slot j, input slot i); false when its connection expired (stopRecord). */
function packet(j: i32, i: i32, proto: i32, sp: i32, dp: i32, flags: i32, isRequest: bool, isReply: bool): bool {
  const k = gKeys + <usize>(j * KEY_WORDS * 4);
  const h = load<i32>(gHash + (<usize>j << 2));
  const t = load<f64>(cTime + (<usize>i << 3));
  let e = indexFind(k, h);
  if (e != -1) {
    const o = rec(e);
    const old = load<f64>(o + F_LAST_TIME);
    const tcp = proto == PROTO_TCP;
    const udp = proto == PROTO_UDP;
    // expired(): the same test on the time just read.
    if (now - old > (tcp ? toTcp : udp ? toUdp : toIcmp)) {
      stopRecord = e;
      return false;
    }
    lastTime(o, e, t, old, tcp ? stepsTcp : udp ? stepsUdp : stepsIcmp);
  } else {
    e = insert(k, h);
    open(e, rec(e), j, proto, sp, dp, flags, isReply, i, t);
    setLastTime(rec(e), e, t);
  }
  const o = rec(e);
  let st = load<i32>(o + I_STATE);
  const fromOrig = <i32>load<u8>(gSide + <usize>j) == ((st & S_ORIG_IS_B) != 0 ? 1 : 0);
  const srcAt = cSrc + (<usize>i << 4);
  if (!(st & (fromOrig ? S_ORIG_SEEN : S_RESP_SEEN))) sendersAdd(addrHash(srcAt));
  if (!fromOrig && !(proto == PROTO_TCP && flags >= 0 && (flags & TCP_RST) != 0)) sampleTtl(i, o, srcAt);
  if (proto == PROTO_TCP && flags >= 0) {
    historyTcp(o, cold(e), fromOrig, flags, load<i32>(cTcpSeq + (<usize>i << 2)), load<i32>(cPayload + (<usize>i << 2)));
  } else if (proto == PROTO_UDP) hCheck(o, 16, fromOrig, 3);
  if (fromOrig) {
    st |= S_ORIG_SEEN;
    const requestLike = proto == PROTO_TCP ? flags >= 0 && (flags & TCP_SYN) != 0 && (flags & TCP_ACK) == 0 : proto == PROTO_UDP ? !(st & S_RESP_SEEN) : isRequest;
    if (requestLike && !(st & S_RESP_SEEN)) {
      if (proto == PROTO_TCP) st |= S_SYN;
      const last = load<f64>(o + F_LAST_REQ_TIME);
      if (last != last || t - last > dupWindow) store<i32>(o + I_REQ_COUNT, load<i32>(o + I_REQ_COUNT) + 1);
      const first = load<f64>(o + F_FIRST_REQ_TIME);
      if (first != first) store<f64>(o + F_FIRST_REQ_TIME, t);
      store<f64>(o + F_LAST_REQ_TIME, t);
    }
    if (proto == PROTO_TCP && flags >= 0) {
      if (flags & TCP_RST) st |= S_RST_ORIG;
      if (flags & TCP_FIN) st |= S_FIN_ORIG;
      if ((flags & TCP_ACK) && !(flags & TCP_SYN)) st |= S_ACK_ORIG;
    }
  } else {
    st |= S_RESP_SEEN;
    if (proto == PROTO_TCP && flags >= 0) {
      if ((flags & TCP_SYN) && (flags & TCP_ACK)) st |= S_SYNACK;
      if (flags & TCP_FIN) st |= S_FIN_RESP;
      if (flags & TCP_RST) {
        if (!(st & S_SYNACK) && load<i32>(o + I_RST_TTL) == 0) {
          const ttl = <i32>load<i16>(cTtl + (<usize>i << 1));
          store<i32>(o + I_RST_TTL, ttl < 0 ? 257 : ttl + 1);
          store<i32>(o + I_RST_IFACE, load<i32>(cIface + (<usize>i << 2)));
        }
        st |= S_RST_RESP;
      }
    }
  }
  store<i32>(o + I_STATE, st);
  return true;
}

function sampleTtl(i: i32, o: usize, srcAt: usize): void {
  const ttl = <i32>load<i16>(cTtl + (<usize>i << 1));
  if (ttl < 0) return;
  const iface = load<i32>(cIface + (<usize>i << 2));
  if (load<i32>(o + I_TTL_RESP) == iface + 1) return;
  store<i32>(o + I_TTL_RESP, iface + 1);
  ttlSample(<i32>load<u8>(cFamily + <usize>i), srcAt, iface, ttl);
}

/**
 * Packets [from, to) of the input area, in order. Returns `to` when all were handled, else the packet
 * it stopped at (stoppedFor says why; JS handles it and calls again from there or the next).
 */
export function run(from: i32, to: i32): i32 {
  stopReason = 0;
  for (let g = from; g < to; g += GROUP) {
    const gEnd = min(to, g + GROUP);
    for (let i = g; i < gEnd; i++) groupKey(i, i - g);
    touch(g, gEnd - g);
    for (let i = g; i < gEnd; i++) {
      const t = load<f64>(cTime + (<usize>i << 3));
      if (t > now) now = t;
      const proto = <i32>load<u8>(cProto + <usize>i);
      const j = i - g;
      if (isIcmp(proto)) {
        const type = <i32>load<i16>(cIcmpType + (<usize>i << 1));
        if (isIcmpError(proto, type)) { stopReason = STOP_ICMP_ERROR; return i; }
        if (isIcmpControl(proto, type)) { stopReason = STOP_ICMP_CONTROL; return i; }
        let ok: bool;
        if (!isEchoRequest(proto, type) && !isEchoReply(proto, type)) ok = packet(j, i, proto, type, 0, -1, true, false);
        else {
          const req = isEchoRequest(proto, type);
          ok = packet(j, i, proto, 0, 0, -1, req, !req);
        }
        if (!ok) { stopReason = STOP_EXPIRED; return i; }
        continue;
      }
      let sp = load<i32>(cSrcPort + (<usize>i << 2));
      let dp = load<i32>(cDstPort + (<usize>i << 2));
      let ok: bool;
      if (proto == PROTO_TCP) ok = packet(j, i, proto, sp, dp, <i32>load<i16>(cTcpFlags + (<usize>i << 1)), false, false);
      else ok = packet(j, i, proto, sp < 0 ? 0 : sp, dp < 0 ? 0 : dp, -1, false, false);
      if (!ok) { stopReason = STOP_EXPIRED; return i; }
    }
  }
  return to;
}

/**
 * The ICMP error at input slot i, its quoted packet in the quote area (protocol, source, destination,
 * source port, destination port): tracker.ts icmpError. ICMP_USED, ICMP_NO_QUOTE, or ICMP_EXPIRED
 * (stoppedRecord: JS finalises and removes it, then calls again).
 */
export function icmpError(i: i32): i32 {
  const innerProto = load<i32>(qInner);
  if (innerProto == 0) return ICMP_NO_QUOTE;
  const fam = <i32>load<u8>(cFamily + <usize>i);
  let sp = load<i32>(qInner, 36);
  let dp = load<i32>(qInner, 40);
  if (innerProto != PROTO_TCP && innerProto != PROTO_UDP) { sp = 0; dp = 0; }
  const k = kScratch;
  const innerSrcIsB = canonicalKey(fam, innerProto, qInner + 4, sp < 0 ? 0 : sp, qInner + 20, dp < 0 ? 0 : dp, k);
  const h = keyHash(k);
  let e = indexFind(k, h);
  const t = load<f64>(cTime + (<usize>i << 3));
  if (e != -1 && expired(rec(e), innerProto)) {
    stopRecord = e;
    return ICMP_EXPIRED;
  }
  if (e == -1) {
    e = insert(k, h);
    const o = rec(e);
    store<f64>(o + F_FIRST_TIME, t);
    store<f64>(o + F_POSITION, load<f64>(cPosition + (<usize>i << 3)));
    store<u32>(o + I_FRAME, load<u32>(cFrame + (<usize>i << 2)));
    if (innerSrcIsB) store<i32>(o + I_STATE, S_ORIG_IS_B);
    icmpOnly++;
  }
  const o = rec(e);
  setLastTime(o, e, t);
  if (innerSrcIsB != ((load<i32>(o + I_STATE) & S_ORIG_IS_B) != 0 ? 1 : 0)) return ICMP_USED;
  let st = load<i32>(o + I_STATE) | S_ICMP_ERR;
  const ttl = <i32>load<i16>(cTtl + (<usize>i << 1));
  const type = <i32>load<i16>(cIcmpType + (<usize>i << 1));
  const code = <i32>load<i16>(cIcmpCode + (<usize>i << 1));
  const c = cold(e);
  store<i32>(c + C_ICMP, (type & 0xff) | ((code & 0xff) << 8) | ((ttl < 0 ? 256 : ttl) << 16));
  store<i32>(c + C_ICMP_IFACE, load<i32>(cIface + (<usize>i << 2)));
  const srcAt = cSrc + (<usize>i << 4);
  copy16(c + C_ICMP_FROM, srcAt);
  store<i32>(c + C_ICMP_FROM_FAMILY, fam);
  let same = true;
  for (let j: usize = 0; j < 16; j += 4) if (load<u32>(srcAt + j) != load<u32>(qInner + 20 + j)) same = false;
  if (same) st |= S_ICMP_FROM_DST;
  else st &= ~S_ICMP_FROM_DST;
  store<i32>(o + I_STATE, st);
  return ICMP_USED;
}

// ---- finalise of memoised connections (FlowTracker.finalise, bench/README.md "Finalise in the module") ----
//
// Most connections' outcomes depend on their protocol class, state bits and history alone (tracker.ts
// `memoisable`), and repeat a few thousand combinations. A sweep here writes the finished-connection
// event of every connection it ends into an output area (the columns finalise writes; JS copies them
// into its batch, 4096 at a time), with its outcome when that is in the memo; the others (misses) are
// listed, and JS decides them in their place, in order: decideOutcome, the labels, then `remember`
// puts the outcome here. The memo holds the label numbers JS interned, so an event written here is the
// one JS would have written, and labels are interned in the order JS's own finalise interns them.

/** Memo entries at most (tracker.ts MEMO_SIZE). */
const MEMO_ENTRIES: i32 = 65536;
/** The largest memo table (slots; entries at most half of them): 131072 unless initFinalise was given fewer (tests). */
let memoMaxSlots: i32 = 131072;
/** A memo slot: history letter words (2), meta (length, `^`, state, protocol class, used bit), label, history label, action. */
const MEMO_BYTES: usize = 32;
const MEMO_USED: i32 = 1 << 30;

let outCap: i32 = 0;
let outN: i32 = 0;
let oFamily: usize = 0;
let oProto: usize = 0;
let oSrc: usize = 0;
let oDst: usize = 0;
let oSrcPort: usize = 0;
let oDstPort: usize = 0;
let oIcmpType: usize = 0;
let oTcpFlags: usize = 0;
let oAction: usize = 0;
let oTime: usize = 0;
let oPosition: usize = 0;
let oFrame: usize = 0;
let oLabel: usize = 0;
let oHistory: usize = 0;
let oBlockedBy: usize = 0;
/** The misses of the last sweepOut: output slot and record of each, in order. */
let oMissAt: usize = 0;
let oMissRecord: usize = 0;
let missN: i32 = 0;
/** Where each output column starts, in the order of `outColumn`. */
let outColumns: usize = 0;

let memo: usize = 0;
let memoMask: i32 = 0;
let memoSize: i32 = 0;
/** Times the memo was emptied full (tests). */
let memoEmptied: i32 = 0;
/** The memo key of the connection last looked at (memoKeyOf). */
let mk0: i32 = 0;
let mk1: i32 = 0;
let mk2: i32 = 0;

/**
 * The output area for `capacity` events and a first memo of `memoSlots` slots, growing to `maxSlots`
 * (powers of two; tests give few, so that the output area fills and the memo is emptied); after `init`.
 */
export function initFinalise(capacity: i32, memoSlots: i32, maxSlots: i32): void {
  outCap = capacity;
  memoMaxSlots = maxSlots;
  const n = <usize>capacity;
  oFamily = take(n); oProto = take(n); oSrc = take(n * 16); oDst = take(n * 16); oSrcPort = take(n * 4); oDstPort = take(n * 4);
  oIcmpType = take(n * 2); oTcpFlags = take(n * 2); oAction = take(n); oTime = take(n * 8); oPosition = take(n * 8);
  oFrame = take(n * 4); oLabel = take(n * 4); oHistory = take(n * 4); oMissAt = take(n * 4); oMissRecord = take(n * 4);
  oBlockedBy = take(n);
  memoFound = take(12);
  outColumns = take(68);
  const c = outColumns;
  store<usize>(c, oFamily); store<usize>(c, oProto, 4); store<usize>(c, oSrc, 8); store<usize>(c, oDst, 12);
  store<usize>(c, oSrcPort, 16); store<usize>(c, oDstPort, 20); store<usize>(c, oIcmpType, 24); store<usize>(c, oTcpFlags, 28);
  store<usize>(c, oAction, 32); store<usize>(c, oTime, 36); store<usize>(c, oPosition, 40); store<usize>(c, oFrame, 44);
  store<usize>(c, oLabel, 48); store<usize>(c, oHistory, 52); store<usize>(c, oMissAt, 56); store<usize>(c, oMissRecord, 60);
  store<usize>(c, oBlockedBy, 64);
  memo = take(<usize>memoSlots * MEMO_BYTES);
  memoMask = memoSlots - 1;
  memoSize = 0;
}

/** Where output column k starts (the order of src/flow/wasm-tracker.ts OUT_COLUMNS). */
export function outColumn(k: i32): usize {
  return load<usize>(outColumns + (<usize>k << 2));
}

/** Events written by the last `sweepOut`. */
export function outCount(): i32 { return outN; }
/** Misses of the last `sweepOut`. */
export function missCount(): i32 { return missN; }
export function memoEntries(): i32 { return memoSize; }
export function memoSlots(): i32 { return memoMask + 1; }
export function memoEmptiedCount(): i32 { return memoEmptied; }

/** tracker.ts memoisable: the outcome follows from the protocol, state bits and history alone. */
function memoisable(proto: i32, st: i32): bool {
  if (st & S_ICMP_ERR) return false;
  if (proto == PROTO_TCP) return (st & S_SYNACK) != 0 || (st & S_SYN) == 0;
  return ((st & S_RESP_SEEN) != 0 && (st & S_ORIG_SEEN) != 0) || (st & S_MIDSTREAM) != 0;
}

/**
 * The memo key of the record at `o` (state bits `st`, without the side bit) into mk0..mk2: what
 * tracker.ts's key says (historyKey, historyTail, the state's low 12 bits, the protocol class TCP, UDP
 * or other), exactly, as three words.
 */
function memoKeyOf(o: usize, proto: i32, st: i32): void {
  const pc = proto == PROTO_TCP ? 0 : proto == PROTO_UDP ? 1 : 2;
  let hist = 0;
  if (pc < 2) {
    const w = load<i32>(o + H_WORD);
    hist = ((w & LEN_MASK) >>> LEN_SHIFT) | ((w & HISTORY_FLIPPED) != 0 ? 32 : 0);
    mk0 = load<i32>(o + H_LETTERS);
    mk1 = load<i32>(o + H_LETTERS + 4);
  } else {
    mk0 = 0;
    mk1 = 0;
  }
  mk2 = MEMO_USED | hist | ((st & 4095) << 6) | (pc << 18);
}

/** The memo slot holding key mk0..mk2, or the empty slot where it would go. */
function memoSlot(): usize {
  let h = mk0 * <i32>0x9e3779b1 ^ mk1 * <i32>0x85ebca77 ^ mk2 * <i32>0xc2b2ae3d;
  h ^= h >>> 15;
  let s = h & memoMask;
  let at = memo + <usize>s * MEMO_BYTES;
  let m = load<i32>(at, 8);
  while (m != 0 && (m != mk2 || load<i32>(at) != mk0 || load<i32>(at, 4) != mk1)) {
    s = (s + 1) & memoMask;
    at = memo + <usize>s * MEMO_BYTES;
    m = load<i32>(at, 8);
  }
  return at;
}

/**
 * Room for `k` more memo entries without growing during the next sweep (growth only between calls, as
 * `reserve`): the table doubles up to memoMaxSlots, entries kept. A table that is full past that is
 * emptied by `remember` instead (as tracker.ts forgets its memo at MEMO_SIZE).
 */
export function memoRoom(k: i32): void {
  let need = memoSize + k;
  if (need > MEMO_ENTRIES) need = MEMO_ENTRIES;
  let n = memoMask + 1;
  if (need * 2 <= n || n >= memoMaxSlots) return;
  while (n < need * 2 && n < memoMaxSlots) n <<= 1;
  const old = memo;
  const oldSlots = memoMask + 1;
  memo = take(<usize>n * MEMO_BYTES);
  memoMask = n - 1;
  for (let s = 0; s < oldSlots; s++) {
    const from = old + <usize>s * MEMO_BYTES;
    if (load<i32>(from, 8) == 0) continue;
    mk0 = load<i32>(from); mk1 = load<i32>(from, 4); mk2 = load<i32>(from, 8);
    const to = memoSlot();
    store<i64>(to, load<i64>(from)); store<i64>(to, load<i64>(from, 8), 8); store<i64>(to, load<i64>(from, 16), 16);
  }
}

/**
 * JS decided record e's outcome (finalise): a memoisable one (the caller checked, with its side bit
 * and label limits) is kept for the connections like it. A full table is emptied first.
 */
export function remember(e: i32, label: i32, history: i32, action: i32): void {
  const o = rec(e);
  const st = load<i32>(o + I_STATE) & ~S_ORIG_IS_B;
  memoKeyOf(o, load<i32>(o) & 255, st);
  if ((memoSize + 1) * 2 > memoMask + 1) {
    memory.fill(memo, 0, <usize>(memoMask + 1) * MEMO_BYTES);
    memoSize = 0;
    memoEmptied++;
  }
  const at = memoSlot();
  if (load<i32>(at, 8) == 0) memoSize++;
  store<i32>(at, mk0); store<i32>(at, mk1, 4); store<i32>(at, mk2, 8);
  store<i32>(at, label, 12); store<i32>(at, history, 16); store<i32>(at, action, 20);
}

/**
 * Record e as its finished-connection event in output slot outN: finalise's columns (the rest are
 * reserve's neutral values, which JS fills); the outcome (action, labels) from the memo, or, when it is
 * not there, the slot and record listed as a miss for JS to decide.
 */
function emitRow(e: i32, memoise: bool): void {
  const o = rec(e);
  const k0 = load<u32>(o);
  const proto = <i32>(k0 & 255);
  const stored = load<i32>(o + I_STATE);
  const st = stored & ~S_ORIG_IS_B;
  const i = <usize>outN;
  outN++;
  const bIsOrig = (stored & S_ORIG_IS_B) != 0;
  store<u8>(oFamily + i, <u8>(k0 >>> 8));
  store<u8>(oProto + i, <u8>proto);
  copy16(oSrc + (i << 4), bIsOrig ? o + 20 : o + 4);
  copy16(oDst + (i << 4), bIsOrig ? o + 4 : o + 20);
  const pa = load<i32>(o, 36);
  const pb = load<i32>(o, 40);
  const origPort = bIsOrig ? pb : pa;
  const respPort = bIsOrig ? pa : pb;
  if (proto == PROTO_TCP || proto == PROTO_UDP) {
    store<i32>(oSrcPort + (i << 2), origPort);
    store<i32>(oDstPort + (i << 2), respPort);
    // A known originator is passed on as a SYN (tracker.ts finalise).
    store<i16>(oTcpFlags + (i << 1), <i16>(proto == PROTO_TCP && (st & S_MIDSTREAM) == 0 ? TCP_SYN : -1));
    store<i16>(oIcmpType + (i << 1), -1);
  } else {
    store<i32>(oSrcPort + (i << 2), -1);
    store<i32>(oDstPort + (i << 2), -1);
    store<i16>(oTcpFlags + (i << 1), -1);
    // Echo connections are keyed with ports 0; other types carry the type in the source port slot.
    store<i16>(oIcmpType + (i << 1), <i16>(origPort == 0 && respPort == 0 ? (proto == PROTO_ICMP ? 8 : 128) : origPort));
  }
  store<f64>(oTime + (i << 3), load<f64>(o + F_FIRST_TIME));
  store<f64>(oPosition + (i << 3), load<f64>(o + F_POSITION));
  store<u32>(oFrame + (i << 2), load<u32>(o + I_FRAME));
  if (memoise && memoised(o, proto, st, i)) return;
  store<i32>(oMissAt + (<usize>missN << 2), <i32>i);
  store<i32>(oMissRecord + (<usize>missN << 2), e);
  missN++;
}

/** The outcome of the record at `o` from the memo into output slot i, when it is there and memoisable. */
function memoised(o: usize, proto: i32, st: i32, i: usize): bool {
  if (!memoisable(proto, st)) return false;
  memoKeyOf(o, proto, st);
  const at = memoSlot();
  if (load<i32>(at, 8) == 0) return false;
  store<u8>(oAction + i, <u8>load<i32>(at, 20));
  store<i32>(oLabel + (i << 2), load<i32>(at, 12));
  store<i32>(oHistory + (i << 2), load<i32>(at, 16));
  store<u8>(oBlockedBy + i, 0);
  return true;
}

/** The outcome memoLookup found: label, history label, action. */
let memoFound: usize = 0;

/**
 * Record e's outcome in the memo (a connection JS finalises itself: one expired on lookup): 1 when it
 * is there, its label, history label and action then at `memoFoundAt`.
 */
export function memoLookup(e: i32): bool {
  const o = rec(e);
  const proto = <i32>(load<u32>(o) & 255);
  const st = load<i32>(o + I_STATE) & ~S_ORIG_IS_B;
  if (!memoisable(proto, st)) return false;
  memoKeyOf(o, proto, st);
  const at = memoSlot();
  if (load<i32>(at, 8) == 0) return false;
  store<i64>(memoFound, load<i64>(at, 12));
  store<i32>(memoFound, load<i32>(at, 20), 8);
  return true;
}
export function memoFoundAt(): usize { return memoFound; }

/**
 * Miss m of the last sweepOut looked up again (JS decides the misses in order, and one decided may
 * have put the outcome of a later one in the memo): 1 when its outcome is now in its output slot.
 */
export function memoHit(m: i32): bool {
  const e = load<i32>(oMissRecord + (<usize>m << 2));
  const o = rec(e);
  const proto = <i32>(load<u32>(o) & 255);
  return memoised(o, proto, load<i32>(o + I_STATE) & ~S_ORIG_IS_B, <usize>load<i32>(oMissAt + (<usize>m << 2)));
}

/**
 * A sweep (FlowTracker.sweep) from record `from`: each record it finalises (any live one when `all`,
 * else one idle past its class's timeout, FlowTracker.expiredClass), in order, written to the output area
 * (emitRow) and, unless `all`, removed (a removed record keeps its words until a later `run` gives it
 * out again, so JS reads the misses' records after this call). `memoise` 0: every outcome is a miss.
 * Returns -1 at the end, else the record at which the output area was full, not yet finalised. The
 * output area and the miss list start empty at each call.
 */
export function sweepOut(from: i32, all: bool, memoise: bool): i32 {
  outN = 0;
  missN = 0;
  for (let e = from; e < used; e++) {
    const c = <i32>load<u8>(cls + <usize>e);
    if (c == 0) continue;
    if (!all) {
      const to = c == 1 ? toTcp : c == 2 ? toUdp : toIcmp;
      if (!(now - load<f64>(lastAt + (<usize>e << 3)) > to)) continue;
      // lastAt is a lower bound (lastTime): the record's own time decides, and lastAt takes it.
      const last = load<f64>(rec(e) + F_LAST_TIME);
      if (!(now - last > to)) {
        store<f64>(lastAt + (<usize>e << 3), last);
        continue;
      }
    }
    if (outN >= outCap) return e;
    emitRow(e, memoise);
    if (!all) remove(e);
  }
  return -1;
}
