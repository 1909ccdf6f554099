// The finding table's count in WebAssembly (issue 18, bench/README.md "Counting findings in
// WebAssembly"), compiled by scripts/build-wasm.mjs to dist/wasm/findings.wasm and driven by
// src/match/findings-wasm.ts. It does per event what src/match/aggregate.ts FindingTable.addBatch does
// (the reference, kept in JS; test/match/findings-wasm.test.ts holds the two to the same tables): the
// finding key from the batch and the classification columns (FindingTable.keys), the hash
// (flow/hash-index.ts hashWords), the index probe (HashIndex: open addressing, linear probing, (entry + 1,
// hash) pairs, grown past half full), a new record or the count, first and last folded into it, the
// evidence slots. One call per staged slice of a batch; no call per event crosses to JS.
//
// The records keep FindingTable's layout (32 words, 128 bytes; see aggregate.ts), so the JS side reads
// them through views of this memory unchanged. Change both files together.
//
// Memory (imported; JS lays out the staging area below `heap`): the staged columns of up to `stageCap`
// events, then regions this module takes by bumping `top` (records, index slots, label maps). A region
// outgrown is left behind and a new one taken at the top (as the JS table's `grow` leaves its old
// array to the collector): the memory only ever holds fresh zeroed pages beyond `top`, which is what
// a new record expects of its unused words.

const KEY_WORDS: i32 = 10;
const STRIDE: usize = 128;
const GROUP: i32 = 64;
const LOAD: i32 = 2;
const O_COUNT: usize = 40;
const O_FIRST: usize = 48;
const O_LAST: usize = 56;
const O_EVIDENCE: usize = 64;
const O_SRC_SET: usize = 76;
const O_DST_SET: usize = 80;
const O_FIRST_SRC_PORT: usize = 84;
const O_INPUT: usize = 88;
const O_FRAME: usize = 92;
const O_POSITION: usize = 96;

// ---- the staged columns (EventBatch and Classified columns of one slice, copied by JS) ----
let pFamily: usize = 0;
let pSrc: usize = 0;
let pDst: usize = 0;
let pProto: usize = 0;
let pSrcPort: usize = 0;
let pDstPort: usize = 0;
let pIcmpType: usize = 0;
let pTcpFlags: usize = 0;
let pAction: usize = 0;
let pBlockedBy: usize = 0;
let pTime: usize = 0;
let pPosition: usize = 0;
let pFrame: usize = 0;
let pLabel: usize = 0;
let pCount: usize = 0;
let pVerdict: usize = 0;
let pReversed: usize = 0;
let pSrcSet: usize = 0;
let pDstSet: usize = 0;
/** A group's keys (GROUP * KEY_WORDS words), hashes, source ports and probed entries. */
let pKeys: usize = 0;
let pHash: usize = 0;
let pSport: usize = 0;
let pFound: usize = 0;

let top: usize = 0;

export function init(
  family: usize, src: usize, dst: usize, proto: usize, srcPort: usize, dstPort: usize, icmpType: usize,
  tcpFlags: usize, action: usize, blockedBy: usize, time: usize, position: usize, frame: usize, label: usize, cnt: usize,
  verdict: usize, reversed: usize, srcSet: usize, dstSet: usize, scratch: usize, heap: usize,
): void {
  pFamily = family; pSrc = src; pDst = dst; pProto = proto; pSrcPort = srcPort; pDstPort = dstPort;
  pIcmpType = icmpType; pTcpFlags = tcpFlags; pAction = action; pBlockedBy = blockedBy; pTime = time; pPosition = position;
  pFrame = frame; pLabel = label; pCount = cnt; pVerdict = verdict; pReversed = reversed; pSrcSet = srcSet;
  pDstSet = dstSet;
  pKeys = scratch;
  pHash = pKeys + <usize>(GROUP * KEY_WORDS * 4);
  pSport = pHash + <usize>(GROUP * 4);
  pFound = pSport + <usize>(GROUP * 4);
  top = (heap + 63) & ~<usize>63;
}

/** `bytes` of fresh zeroed memory at the top (64-byte aligned), growing the memory as needed. */
export function take(bytes: usize): usize {
  const at = top;
  top = (at + bytes + 63) & ~<usize>63;
  const have = <usize>memory.size() << 16;
  if (top > have) {
    if (memory.grow(<i32>((top - have + 65535) >> 16)) < 0) unreachable();
  }
  return at;
}

// ---- the records ----
let recAt: usize = 0;
let recCap: i32 = 0;
let size: i32 = 0;
export function recordsAt(): usize { return recAt; }
export function recordsCap(): i32 { return recCap; }
export function recordCount(): i32 { return size; }

/** Room for `cap` records, the held ones copied (FindingTable.grow's step sizes are the caller's). */
export function reserveRecords(cap: i32): void {
  if (cap <= recCap) return;
  const at = take(<usize>cap * STRIDE);
  if (size > 0) memory.copy(at, recAt, <usize>size * STRIDE);
  recAt = at;
  recCap = cap;
}

/** Records the store grows to at its first growth (FindingTable's reservation). */
let reserve: i32 = 0;

function growRecords(): void {
  reserveRecords(recCap < reserve ? reserve : recCap * 2);
}

// ---- the index (HashIndex) ----
let slotsAt: usize = 0;
let mask: i32 = 0;
let keys: i32 = 0;

/** An empty index sized for `expected` keys, as `new HashIndex(KEY_WORDS, STRIDE, expected)`. */
export function setup(expected: i32, reserved: i32): void {
  let n: i32 = 16;
  while (n < expected * LOAD) n *= 2;
  slotsAt = take(<usize>n * 8);
  mask = n - 1;
  keys = 0;
  reserve = reserved;
}

function place(slots: usize, m: i32, e1: i32, hash: i32): void {
  let s = hash & m;
  while (load<i32>(slots + (<usize>s << 3)) != 0) s = (s + 1) & m;
  store<i32>(slots + (<usize>s << 3), e1);
  store<i32>(slots + (<usize>s << 3), hash, 4);
}

function growIndex(): void {
  const n = (mask + 1) * 2;
  const slots = take(<usize>n * 8);
  const m = n - 1;
  for (let s: i32 = 0; s <= mask; s++) {
    const e1 = load<i32>(slotsAt + (<usize>s << 3));
    if (e1 != 0) place(slots, m, e1, load<i32>(slotsAt + (<usize>s << 3), 4));
  }
  slotsAt = slots;
  mask = m;
}

function indexAdd(e: i32, hash: i32): void {
  if ((keys + 1) * LOAD > mask + 1) growIndex();
  place(slotsAt, mask, e + 1, hash);
  keys++;
}

/** flow/hash-index.ts hashWords over KEY_WORDS words at `k`. */
@inline function hashAt(k: usize): i32 {
  let h: u32 = 0x9e3779b9;
  for (let j: usize = 0; j < <usize>KEY_WORDS; j++) {
    h = (h ^ load<u32>(k + (j << 2))) * 0x85ebca6b;
    h ^= h >> 13;
  }
  return <i32>(h ^ (h >> 16));
}

/** HashIndex.find: the entry whose record holds the key at `k`, or -1. */
function find(k: usize, hash: i32): i32 {
  let s = hash & mask;
  while (true) {
    const at = slotsAt + (<usize>s << 3);
    const e1 = load<i32>(at);
    if (e1 == 0) break;
    if (load<i32>(at, 4) == hash) {
      const r = recAt + <usize>(e1 - 1) * STRIDE;
      if (load<u64>(r) == load<u64>(k) && load<u64>(r, 8) == load<u64>(k, 8) && load<u64>(r, 16) == load<u64>(k, 16)
        && load<u64>(r, 24) == load<u64>(k, 24) && load<u64>(r, 32) == load<u64>(k, 32)) return e1 - 1;
    }
    s = (s + 1) & mask;
  }
  return -1;
}

let wasNew: bool = false;
export function isNew(): bool { return wasNew; }

/** FindingTable.lookup: the record of the key at `k`, or a new one (key, empty evidence) when new. */
function lookup(k: usize, hash: i32): i32 {
  let e = find(k, hash);
  if (e >= 0) { wasNew = false; return e; }
  if (size >= recCap) growRecords();
  e = size++;
  indexAdd(e, hash);
  const r = recAt + <usize>e * STRIDE;
  memory.copy(r, k, <usize>(KEY_WORDS * 4));
  store<i32>(r + O_EVIDENCE, -1);
  store<i32>(r + O_EVIDENCE, -1, 4);
  store<i32>(r + O_EVIDENCE, -1, 8);
  wasNew = true;
  return e;
}

/** Where JS writes a key for `lookupKey` (the group's first key slot). */
export function keyAt(): usize { return pKeys; }

/** FindingTable.lookup of the key JS wrote at keyAt() (merge, addFinding: once per finding, not per event). */
export function lookupKey(): i32 {
  return lookup(pKeys, hashAt(pKeys));
}

/** The index of the `n` records JS copied in (a table that started in JS, FindingTable.fromData's loop). */
export function indexRecords(n: i32): void {
  size = n;
  for (let e: i32 = 0; e < n; e++) indexAdd(e, hashAt(recAt + <usize>e * STRIDE));
}

// ---- counting ----
let classified: i32 = 0;
let oneEnd: i32 = 0;
/** Of the last countEnds: events with both ends known, with one end known. */
export function classifiedCount(): i32 { return classified; }
export function oneEndCount(): i32 { return oneEnd; }

/** FindingTable.addBatch's per-input accounting of the `n` staged events. */
export function countEnds(n: i32): void {
  let cl: i32 = 0, one: i32 = 0;
  for (let i: i32 = 0; i < n; i++) {
    const s = load<i32>(pSrcSet + (<usize>i << 2)), d = load<i32>(pDstSet + (<usize>i << 2));
    if (s != 0 && d != 0) cl++;
    else if (s != 0 || d != 0) one++;
  }
  classified = cl; oneEnd = one;
}

/** aggregate.ts addEvidence: keep `ev` in the first free slot unless a slot holds it. */
@inline function addEvidence(o: usize, ev: i32): void {
  for (let s: usize = 0; s < 3; s++) {
    const cur = load<i32>(o + (s << 2));
    if (cur == ev) return;
    if (cur == -1) { store<i32>(o + (s << 2), ev); return; }
  }
}

/** FindingTable.keys for staged events [from, to): keys, hashes and source ports into the group scratch. */
function groupKeys(from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const j = <usize>(i - from);
    const x = <usize>i;
    const k = pKeys + j * <usize>(KEY_WORDS * 4);
    const rev = load<u8>(pReversed + x) != 0;
    const proto = <i32>load<u8>(pProto + x);
    let port: i32;
    let sport: i32;
    if (proto == 1 || proto == 58) {
      port = rev ? (proto == 1 ? 8 : 128) : <i32>load<i16>(pIcmpType + (x << 1));
      sport = -1;
    } else {
      const sp = load<i32>(pSrcPort + (x << 2)), dp = load<i32>(pDstPort + (x << 2));
      port = rev ? sp : dp;
      sport = rev ? dp : sp;
    }
    const action = <i32>load<u8>(pAction + x);
    const code = <i32>load<u8>(pBlockedBy + x);
    // net/proto.ts effectiveBlockedBy: who stopped it counts only for a blocked record, a firewall's by default.
    const blocked = action != 2 ? 0 : code == 0 ? 1 : code;
    store<i32>(k, <i32>load<u8>(pVerdict + x) | (action << 4) | (<i32>load<u8>(pFamily + x) << 8) | (proto << 16) | (blocked << 24));
    store<i32>(k, port, 4);
    const sa = (rev ? pDst : pSrc) + (x << 4);
    const da = (rev ? pSrc : pDst) + (x << 4);
    store<u64>(k, load<u64>(sa), 8); store<u64>(k, load<u64>(sa, 8), 16);
    store<u64>(k, load<u64>(da), 24); store<u64>(k, load<u64>(da, 8), 32);
    store<i32>(pHash + (j << 2), hashAt(k));
    store<i32>(pSport + (j << 2), sport);
  }
}

/**
 * HashIndex.prefetch: the group's home slots and the records their stored hashes name, loaded as
 * independent reads before any probe depends on them (with hundreds of thousands of findings each probe
 * is otherwise a chain of cache misses; WebAssembly has no prefetch instruction).
 */
let sink: i32 = 0;
function warm(n: i32): void {
  for (let j: i32 = 0; j < n; j++) {
    const hash = load<i32>(pHash + (<usize>j << 2));
    let s = hash & mask;
    let e1 = load<i32>(slotsAt + (<usize>s << 3));
    while (e1 != 0 && load<i32>(slotsAt + (<usize>s << 3), 4) != hash) {
      s = (s + 1) & mask;
      e1 = load<i32>(slotsAt + (<usize>s << 3));
    }
    store<i32>(pFound + (<usize>j << 2), e1 - 1);
  }
  let acc: i32 = 0;
  for (let j: i32 = 0; j < n; j++) {
    const e = load<i32>(pFound + (<usize>j << 2));
    if (e >= 0) {
      const r = recAt + <usize>e * STRIDE;
      acc += load<i32>(r) + load<i32>(r, 64);
    }
  }
  sink += acc;
}
export function warmSink(): i32 { return sink; }

/**
 * FindingTable.addBatch for staged events [from, n) of input `input`, whose label map (label id ->
 * global evidence id, -2 until first seen) is at `map`. JS gives every label of the slice its id
 * before the call (FindingTable.evidenceId, which alone knows the labels' text, in the reference's
 * first-use order), so this returns n; it stops at an event whose label has none rather than count it
 * without its evidence.
 */
export function add(from: i32, n: i32, input: i32, map: usize): i32 {
  for (let g = from; g < n; g += GROUP) {
    const gEnd = min(n, g + GROUP);
    groupKeys(g, gEnd);
    warm(gEnd - g);
    for (let i = g; i < gEnd; i++) {
      const j = <usize>(i - g);
      const x = <usize>i;
      const label = load<i32>(pLabel + (x << 2));
      let ev: i32 = -1;
      if (label >= 0) {
        ev = load<i32>(map + (<usize>label << 2));
        if (ev == -2) return i;
      }
      const t = load<f64>(pTime + (x << 3));
      const k = pKeys + j * <usize>(KEY_WORDS * 4);
      const e = lookup(k, load<i32>(pHash + (j << 2)));
      const r = recAt + <usize>e * STRIDE;
      const c = <f64>load<u32>(pCount + (x << 2));
      if (wasNew) {
        store<f64>(r + O_COUNT, c);
        store<f64>(r + O_FIRST, t);
        store<f64>(r + O_LAST, t);
        store<i32>(r + O_SRC_SET, load<i32>(pSrcSet + (x << 2)));
        store<i32>(r + O_DST_SET, load<i32>(pDstSet + (x << 2)));
        store<i32>(r + O_FIRST_SRC_PORT, load<i32>(pSport + (j << 2)));
        store<i32>(r + O_INPUT, input);
        store<f64>(r + O_POSITION, load<f64>(pPosition + (x << 3)));
        store<u32>(r + O_FRAME, load<u32>(pFrame + (x << 2)));
        store<i32>(r + O_EVIDENCE, ev);
      } else {
        store<f64>(r + O_COUNT, load<f64>(r + O_COUNT) + c);
        // A NaN first or last (no time) is replaced by any time, a time never by NaN (aggregate.ts).
        const first = load<f64>(r + O_FIRST);
        if (t < first || first != first) store<f64>(r + O_FIRST, t);
        const last = load<f64>(r + O_LAST);
        if (t > last || last != last) store<f64>(r + O_LAST, t);
        if (ev >= 0) addEvidence(r + O_EVIDENCE, ev);
      }
    }
  }
  return n;
}

/** Where a label map of `n` entries fits (taken anew when outgrown; JS copies each input's map in and out). */
let mapAt: usize = 0;
let mapCap: i32 = 0;
export function labelArea(n: i32): usize {
  if (n > mapCap) {
    mapCap = max(n, max(64, mapCap * 2));
    mapAt = take(<usize>mapCap * 4);
  }
  return mapAt;
}

// ---- classification (src/match/matcher.ts classifyBatch, the reference, kept in JS) ----
// What classifyBatch writes per event (verdict, reversed, source and destination role sets) into the
// staged Classified columns, from the staged batch columns: the role set of each address (RoleLookup's
// IPv4 interval table by binary search, its IPv6 prefixes longest first), the orientation (echo reply,
// SYN-ACK, midstream by the matrix and the system ports), then the verdict by the port bitsets
// (Matcher.expected, limitedMatch, icmpUnknownClass). test/match/classify-wasm.test.ts holds the two to
// the same columns. Change both together.
//
// The tables are JS's, copied in (src/match/classify-wasm.ts): the role tables once, and each
// (source set, destination set, protocol slot)'s combined cell the first time an event needs it, as
// Matcher.cellFor builds it: `classify` stops at an event whose cell is not there yet and says which
// (`neededCell`); JS writes it and calls again from that event. A cell descriptor (i32 words): the
// byte offsets of its `open` and `limited` bitsets (65,536 bits each), its ICMP class (ICMP_NONE,
// SOME, ALL), the number of rules with a source-port condition, then per such rule its source-port
// ranges and its port ranges for the slot's protocol, each as a count and (lo, hi) pairs.

let v4Starts: usize = 0;
let v4Sets: usize = 0;
let n4: i32 = 0;
let v6Words: usize = 0;
let v6Lengths: usize = 0;
let v6Sets: usize = 0;
let n6: i32 = 0;
let nSets: i32 = 0;
/** Per (srcSet * nSets + dstSet) * 4 + slot: 0 not built yet, 1 nothing open, else a cell descriptor's offset. */
let cellTable: usize = 0;
/** The cell the last `classify` stopped for, -1 when it did not stop. */
let needed: i32 = -1;
export function neededCell(): i32 { return needed; }

/** The role tables (RoleLookup.v4Table, v6Table; lengths and sets as i32) and an empty cell table. */
export function setMatcher(starts: usize, sets4: usize, count4: i32, words6: usize, lengths6: usize, sets6: usize, count6: i32, sets: i32, cells: usize): void {
  v4Starts = starts; v4Sets = sets4; n4 = count4;
  v6Words = words6; v6Lengths = lengths6; v6Sets = sets6; n6 = count6;
  nSets = sets; cellTable = cells;
}

/** RoleLookup.lookup4: the last interval start <= addr, set 0 before the first. */
function lookup4(addr: u32): i32 {
  let hi = n4 - 1;
  if (hi < 0 || addr < load<u32>(v4Starts)) return 0;
  let lo: i32 = 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (load<u32>(v4Starts + (<usize>mid << 2)) <= addr) lo = mid;
    else hi = mid - 1;
  }
  return load<i32>(v4Sets + (<usize>lo << 2));
}

/** RoleLookup.lookup6: the first (longest) prefix that holds the address at `a`. */
function lookup6(a: usize): i32 {
  for (let i: i32 = 0; i < n6; i++) {
    const len = load<i32>(v6Lengths + (<usize>i << 2));
    let ok = true;
    for (let k: i32 = 0; k < 4 && ok; k++) {
      const bits = len - 32 * k;
      if (bits <= 0) break;
      const m: u32 = bits >= 32 ? 0xffffffff : 0xffffffff << <u32>(32 - bits);
      if ((load<u32>(a + (<usize>k << 2)) & m) != load<u32>(v6Words + (<usize>(i * 4 + k) << 2))) ok = false;
    }
    if (ok) return load<i32>(v6Sets + (<usize>i << 2));
  }
  return 0;
}

@inline function lookupRole(fam: i32, a: usize): i32 {
  return fam == 4 ? lookup4(load<u32>(a)) : fam == 6 ? lookup6(a) : 0;
}

/** matcher.ts protoSlot. */
@inline function protoSlot(proto: i32): i32 {
  return proto == 6 ? 0 : proto == 17 ? 1 : proto == 1 ? 2 : proto == 58 ? 3 : -1;
}

/** The cell descriptor of (s, d, slot), 0 for nothing open; 0 with `needed` set when JS has not written it. */
function cellOf(s: i32, d: i32, slot: i32): usize {
  const c = (s * nSets + d) * 4 + slot;
  const v = load<u32>(cellTable + (<usize>c << 2));
  if (v == 0) { needed = c; return 0; }
  return v == 1 ? 0 : <usize>v;
}

@inline function testBit(bits: usize, p: i32): bool {
  return (load<u32>(bits + (<usize>(p >>> 5) << 2)) & (<u32>1 << <u32>(p & 31))) != 0;
}

/** Matcher.limitedMatch: a rule with a source-port condition that holds for `sport` opens `port`. */
function limitedMatch(cell: usize, port: i32, sport: i32): bool {
  const n = load<i32>(cell, 12);
  let p = cell + 16;
  for (let r: i32 = 0; r < n; r++) {
    const nSrc = load<i32>(p);
    p += 4;
    let srcOk = sport < 0;
    for (let j: i32 = 0; j < nSrc; j++) {
      if (sport >= load<i32>(p) && sport <= load<i32>(p, 4)) srcOk = true;
      p += 8;
    }
    const nPorts = load<i32>(p);
    p += 4;
    let covers = false;
    for (let j: i32 = 0; j < nPorts; j++) {
      if (port >= load<i32>(p) && port <= load<i32>(p, 4)) covers = true;
      p += 8;
    }
    if (srcOk && covers) return true;
  }
  return false;
}

/** Matcher.expected (check `needed` after it: a cell not yet written reads as nothing open). */
function expected(s: i32, d: i32, proto: i32, port: i32, sport: i32): bool {
  if (s == 0 || d == 0 || port < 0) return false;
  const slot = protoSlot(proto);
  if (slot < 0) return false;
  const cell = cellOf(s, d, slot);
  // A port past 65535 is past both bitsets: the JS bit test reads undefined there, never set.
  if (cell == 0 || port > 65535) return false;
  if (testBit(<usize>load<u32>(cell), port)) return true;
  if (!testBit(<usize>load<u32>(cell, 4), port)) return false;
  return limitedMatch(cell, port, sport);
}

/** Matcher.icmpUnknownClass (check `needed` after it). */
function icmpClass(s: i32, d: i32, proto: i32): i32 {
  const slot = protoSlot(proto);
  if ((slot != 2 && slot != 3) || s == 0 || d == 0) return 0;
  const cell = cellOf(s, d, slot);
  return cell == 0 ? 0 : load<i32>(cell, 8);
}

/**
 * classifyBatch for staged events [from, n): the Classified columns of each. Returns n, or the event
 * whose classification needs a cell JS has not written yet (`neededCell`), nothing of it written.
 */
export function classify(from: i32, n: i32): i32 {
  needed = -1;
  for (let i = from; i < n; i++) {
    const x = <usize>i;
    const fam = <i32>load<u8>(pFamily + x);
    const s = lookupRole(fam, pSrc + (x << 4));
    const d = lookupRole(fam, pDst + (x << 4));
    const proto = <i32>load<u8>(pProto + x);
    let sport = load<i32>(pSrcPort + (x << 2));
    let dport = load<i32>(pDstPort + (x << 2));
    let rev: i32 = 0;
    // Midstream: the verdict's test is one of the two orientation tests already made (their answers
    // kept: -1 not made).
    let known: i32 = -1;
    if (proto == 1 || proto == 58) {
      const t = <i32>load<i16>(pIcmpType + (x << 1));
      // Echo reply (RFC 792 type 0; RFC 4443 type 129) answers an echo request the other way.
      if ((proto == 1 && t == 0) || (proto == 58 && t == 129)) rev = 1;
      dport = rev ? (proto == 1 ? 8 : 128) : t;
      sport = -1;
    } else {
      const flags = <i32>load<i16>(pTcpFlags + (x << 1));
      if (proto == 6 && flags != -1 && (flags & 2) != 0) {
        rev = (flags & 0x10) != 0 ? 1 : 0;
      } else if (sport >= 0 && dport >= 0) {
        // Midstream TCP or UDP: the side that is a service port in the matrix is the responder.
        // Both tests are made here (the second only when the first fails): whichever orientation is
        // chosen, the verdict's expected() is one of them, so `known` is its answer.
        if (expected(s, d, proto, dport, sport)) { rev = 0; known = 1; }
        else if (needed >= 0) return i;
        else if (expected(d, s, proto, sport, dport)) { rev = 1; known = 1; }
        else if (needed >= 0) return i;
        else {
          known = 0;
          if (sport < 1024 && dport >= 1024) rev = 1;
        }
      }
      if (rev) { const tmp = sport; sport = dport; dport = tmp; }
    }
    const fs = rev ? d : s;
    const fd = rev ? s : d;
    const action = <i32>load<u8>(pAction + x);
    let v: i32;
    if (fs == 0 || fd == 0) v = 4;
    else if (action != 1 && action != 2) v = 5;
    else if (dport == -1 && (proto == 1 || proto == 58)) {
      // matcher.ts icmpUnknownVerdict: a guess never makes a run green.
      const cls = icmpClass(fs, fd, proto);
      if (needed >= 0) return i;
      v = action == 1 ? (cls == 2 ? 0 : 2) : (cls == 0 ? 3 : 1);
    } else {
      const exp = known >= 0 ? known != 0 : expected(fs, fd, proto, dport, sport);
      if (needed >= 0) return i;
      v = action == 1 ? (exp ? 0 : 2) : (exp ? 1 : 3);
    }
    store<u8>(pReversed + x, <u8>rev);
    store<i32>(pSrcSet + (x << 2), fs);
    store<i32>(pDstSet + (x << 2), fd);
    store<u8>(pVerdict + x, <u8>v);
  }
  return n;
}
