// The classic pcap record walker and frame decoder in WebAssembly (issue 18), compiled by
// scripts/build-wasm.mjs to dist/wasm/pcap.wasm. It is a port of the JS reference path:
// src/decode/pcap/framer.ts + classic.ts (records), src/decode/pcap/packets.ts (BatchWriter),
// src/decode/link/*.ts, src/decode/ip/*.ts (frames). Every branch and every bounds check follows
// the JS code line for line; test/decode/pcap/wasm-diff.test.ts runs both on every corpus capture
// and on mutated ones and requires the same events and the same accounting. Change both together.
//
// Memory is imported and laid out by the JS side (src/wasm/pcap-wasm.ts): the batch's typed arrays,
// the skip list, one carry area and the chunk area all at fixed offsets, so the EventBatch the flow
// tracker reads is a set of views over this memory and nothing is copied out per event.

import { setBatchLayout, capacity, pFamily, pSrc, pDst, pProto, pSrcPort, pDstPort, pIcmpType, pIcmpCode, pTcpFlags, pAction, pTime, pPosition, pFrame, pLabel, pBlockedBy, pTtl, pIface, pTcpSeq, pHistory, pCount, pPayload, pInnerProto, pInnerSrc, pInnerDst, pInnerSrcPort, pInnerDstPort } from "./batch";

// ---- layout (set once by init) ----
let pSkipCode: usize = 0;
let pSkipPos: usize = 0;
let skipCapacity: i32 = 0;
let pCarry: usize = 0;
let carryCapacity: i32 = 0;

// ---- state ----
/** Committed events in the batch. */
let count: i32 = 0;
/** Skips recorded since JS last drained them. */
let skips: i32 = 0;
let le: bool = true;
let fractionPerMs: f64 = 1000;
let linkType: i32 = 0;
let maxRecord: u32 = 262144;
let frames: u32 = 0;
let base: f64 = 0;
let carryLen: i32 = 0;
let carryPos: f64 = 0;
let stopped: bool = false;
let stoppedAt: f64 = 0;
/** The chunk being walked: [chunkPtr, chunkPtr + chunkLen), `off` bytes of it consumed. */
let chunkPtr: usize = 0;
let chunkLen: i32 = 0;
let off: i32 = 0;
/** Upper-layer offset found by walkIpv6Extensions (the JS packs it into its return value). */
let upper: usize = 0;

// walk() results
const DONE: i32 = 0;
const BATCH_FULL: i32 = 1;
const SKIPS_FULL: i32 = 2;

// Skip codes: those of src/decode/ip/skip.ts, and two of the container's own (negative).
const DECODED: i64 = 0;
const SKIP_TRUNCATED_LINK: i64 = 1;
const SKIP_LLC: i64 = 2;
const SKIP_TRUNCATED_IP: i64 = 3;
const SKIP_IP_BAD_VERSION: i64 = 4;
const SKIP_IP_BAD_HEADER_LENGTH: i64 = 5;
const SKIP_IP_FRAGMENT: i64 = 6;
const SKIP_IP_NO_NEXT_HEADER: i64 = 7;
const SKIP_TRUNCATED_L4: i64 = 8;
const SKIP_IP_PROTO: i64 = 0x100;
const SKIP_ETHERTYPE: i64 = 0x10000;
const SKIP_LINK_TYPE: i64 = 0x100000;
const SKIP_LOOPBACK_AF: i64 = 0x200000000;
/** "bad-record-length" (classic.ts unitLength). */
const SKIP_BAD_RECORD_LENGTH: i64 = -1;
/** "truncated-record" (classic.ts finish). */
const SKIP_TRUNCATED_RECORD: i64 = -2;

const NONE: i32 = -1;

export function init(
  cap: i32, family: usize, src: usize, dst: usize, proto: usize, srcPort: usize, dstPort: usize,
  icmpType: usize, icmpCode: usize, tcpFlags: usize, action: usize, time: usize, position: usize,
  frame: usize, label: usize, blockedBy: usize, ttl: usize, iface: usize, tcpSeq: usize,
  history: usize, cnt: usize, payload: usize, innerProto: usize, innerSrc: usize, innerDst: usize,
  innerSrcPort: usize, innerDstPort: usize, skipCode: usize, skipPos: usize, skipCap: i32,
  carry: usize, carryCap: i32,
): void {
  setBatchLayout(cap, family, src, dst, proto, srcPort, dstPort, icmpType, icmpCode, tcpFlags, action, time,
    position, frame, label, blockedBy, ttl, iface, tcpSeq, history, cnt, payload, innerProto, innerSrc, innerDst,
    innerSrcPort, innerDstPort);
  pSkipCode = skipCode; pSkipPos = skipPos; skipCapacity = skipCap; pCarry = carry;
  carryCapacity = carryCap;
}

/** The file header as JS read it (classic.ts readFileHeader); `position` is where records start. */
export function start(littleEndian: bool, nanosecond: bool, link: i32, maxRec: u32, position: f64): void {
  le = littleEndian;
  fractionPerMs = nanosecond ? 1e6 : 1e3;
  linkType = link;
  maxRecord = maxRec;
  base = position;
  frames = 0; count = 0; skips = 0; carryLen = 0; carryPos = 0; stopped = false; stoppedAt = 0;
  chunkLen = 0; off = 0;
}

export function eventCount(): i32 { return count; }
export function resetBatch(): void { count = 0; }
export function skipCount(): i32 { return skips; }
export function resetSkips(): void { skips = 0; }
export function isStopped(): bool { return stopped; }
export function stoppedPosition(): f64 { return stoppedAt; }
export function pendingLength(): i32 { return carryLen; }
export function pendingPosition(): f64 { return carryPos; }

// ---- byte reads (src/decode/ip/bytes.ts) ----
@inline function u8at(p: usize): i32 { return <i32>load<u8>(p); }
@inline function u16at(p: usize): i32 { return (<i32>load<u8>(p) << 8) | <i32>load<u8>(p + 1); }
@inline function u32at(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
@inline function u32leat(p: usize): u32 { return load<u32>(p); }

function addSkip(code: i64, position: f64): void {
  const k = <usize>skips;
  store<f64>(pSkipCode + (k << 3), <f64>code);
  store<f64>(pSkipPos + (k << 3), position);
  skips++;
}

// ---- the batch (src/decode/batch.ts reserve) ----
function reserve(i: i32): void {
  const s = <usize>i;
  const w = s << 4;
  store<u8>(pFamily + s, 0);
  memory.fill(pSrc + w, 0, 16);
  memory.fill(pDst + w, 0, 16);
  store<u8>(pProto + s, 0);
  store<i32>(pSrcPort + (s << 2), NONE);
  store<i32>(pDstPort + (s << 2), NONE);
  store<i16>(pIcmpType + (s << 1), <i16>NONE);
  store<i16>(pIcmpCode + (s << 1), <i16>NONE);
  store<i16>(pTcpFlags + (s << 1), <i16>NONE);
  store<u8>(pAction + s, 0);
  store<f64>(pTime + (s << 3), NaN);
  store<f64>(pPosition + (s << 3), 0);
  store<u32>(pFrame + (s << 2), 0);
  store<i32>(pLabel + (s << 2), -1);
  store<u8>(pBlockedBy + s, 0);
  store<i16>(pTtl + (s << 1), <i16>NONE);
  store<i32>(pIface + (s << 2), 0);
  store<u32>(pTcpSeq + (s << 2), 0);
  store<i32>(pHistory + (s << 2), -1);
  store<u32>(pCount + (s << 2), 1);
  store<i32>(pPayload + (s << 2), NONE);
  store<u8>(pInnerProto + s, 0);
  memory.fill(pInnerSrc + w, 0, 16);
  memory.fill(pInnerDst + w, 0, 16);
  store<i32>(pInnerSrcPort + (s << 2), NONE);
  store<i32>(pInnerDstPort + (s << 2), NONE);
}

// ---- transport (src/decode/ip/transport.ts) ----
const PROTO_ICMP: i32 = 1;
const PROTO_TCP: i32 = 6;
const PROTO_UDP: i32 = 17;
const PROTO_ICMPV6: i32 = 58;
const PROTO_SCTP: i32 = 132;

@inline function isIcmpError(type: i32): bool {
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}
@inline function isIcmpv6Error(type: i32): bool {
  return type >= 1 && type <= 4;
}

function decodeTransport(o: usize, end: usize, wireLength: i32, proto: i32, s: usize): i64 {
  const n = <i32>(end - o);
  switch (proto) {
    case PROTO_TCP: {
      if (n < 4) return SKIP_TRUNCATED_L4;
      store<u8>(pProto + s, <u8>proto);
      store<i32>(pSrcPort + (s << 2), u16at(o));
      store<i32>(pDstPort + (s << 2), u16at(o + 2));
      if (n >= 8) store<u32>(pTcpSeq + (s << 2), u32at(o + 4));
      if (n >= 14) store<i16>(pTcpFlags + (s << 1), <i16>u8at(o + 13));
      if (n >= 13) {
        const hlen = (u8at(o + 12) >>> 4) * 4;
        if (hlen >= 20 && hlen <= wireLength) store<i32>(pPayload + (s << 2), wireLength - hlen);
      }
      return DECODED;
    }
    case PROTO_UDP: {
      if (n < 4) return SKIP_TRUNCATED_L4;
      store<u8>(pProto + s, <u8>proto);
      store<i32>(pSrcPort + (s << 2), u16at(o));
      store<i32>(pDstPort + (s << 2), u16at(o + 2));
      if (wireLength >= 8) {
        const ulen = n >= 6 ? u16at(o + 4) : 0;
        store<i32>(pPayload + (s << 2), ulen >= 8 && ulen <= wireLength ? ulen - 8 : wireLength - 8);
      }
      return DECODED;
    }
    case PROTO_ICMP:
    case PROTO_ICMPV6: {
      if (n < 2) return SKIP_TRUNCATED_L4;
      const type = u8at(o);
      store<u8>(pProto + s, <u8>proto);
      store<i16>(pIcmpType + (s << 1), <i16>type);
      store<i16>(pIcmpCode + (s << 1), <i16>u8at(o + 1));
      if (proto == PROTO_ICMP ? isIcmpError(type) : isIcmpv6Error(type)) {
        decodeQuote(o + 8, end, proto == PROTO_ICMP ? 4 : 6, s);
      }
      return DECODED;
    }
    default:
      return SKIP_IP_PROTO + <i64>proto;
  }
}

/** The quoted datagram of an ICMP error (transport.ts decodeQuote); never skips the error. */
function decodeQuote(o: usize, end: usize, version: i32, s: usize): void {
  // `end - off < 1` in JS, where off may lie past end (an error cut inside its first 8 bytes).
  if (<i64>end - <i64>o < 1 || (u8at(o) >>> 4) != version) return;
  const w = s << 4;
  let l4: usize;
  let proto: i32;
  if (version == 4) {
    if (end - o < 20) return;
    const hlen = <usize>((u8at(o) & 0x0f) * 4);
    if (hlen < 20 || end - o < hlen) return;
    store<u32>(pInnerSrc + w, u32at(o + 12));
    store<u32>(pInnerDst + w, u32at(o + 16));
    proto = u8at(o + 9);
    store<u8>(pInnerProto + s, <u8>proto);
    if ((u16at(o + 6) & 0x1fff) != 0) return;
    l4 = o + hlen;
  } else {
    if (end - o < 40) return;
    const r = walkIpv6Extensions(o + 40, end, u8at(o + 6));
    if (r < 0) return;
    for (let k: usize = 0; k < 4; k++) {
      store<u32>(pInnerSrc + w + (k << 2), u32at(o + 8 + 4 * k));
      store<u32>(pInnerDst + w + (k << 2), u32at(o + 24 + 4 * k));
    }
    proto = <i32>r;
    l4 = upper;
    store<u8>(pInnerProto + s, <u8>proto);
  }
  if ((proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP) && <i64>end - <i64>l4 >= 4) {
    store<i32>(pInnerSrcPort + (s << 2), u16at(l4));
    store<i32>(pInnerDstPort + (s << 2), u16at(l4 + 2));
  } else {
    store<i32>(pInnerSrcPort + (s << 2), NONE);
    store<i32>(pInnerDstPort + (s << 2), NONE);
  }
}

// ---- IP (src/decode/ip/ip.ts, ipv4.ts, ipv6.ts, ext.ts) ----
const IPV6_HOP_BY_HOP: i32 = 0;
const IPV6_ROUTING: i32 = 43;
const IPV6_FRAGMENT: i32 = 44;
const IPV6_DEST_OPTS: i32 = 60;
const IPV6_NO_NEXT: i32 = 59;
const IP_AH: i32 = 51;

/** Returns the upper protocol (and sets `upper`), or -skipCode. */
function walkIpv6Extensions(o: usize, end: usize, nh: i32): i64 {
  for (;;) {
    switch (nh) {
      case IPV6_HOP_BY_HOP:
      case IPV6_ROUTING:
      case IPV6_DEST_OPTS: {
        if (end - o < 2) return -SKIP_TRUNCATED_IP;
        const len = <usize>((u8at(o + 1) + 1) * 8);
        if (end - o < len) return -SKIP_TRUNCATED_IP;
        nh = u8at(o);
        o += len;
        break;
      }
      case IP_AH: {
        if (end - o < 2) return -SKIP_TRUNCATED_IP;
        const len = <usize>((u8at(o + 1) + 2) * 4);
        if (end - o < len) return -SKIP_TRUNCATED_IP;
        nh = u8at(o);
        o += len;
        break;
      }
      case IPV6_FRAGMENT: {
        if (end - o < 8) return -SKIP_TRUNCATED_IP;
        if ((u16at(o + 2) >>> 3) != 0) return -SKIP_IP_FRAGMENT;
        nh = u8at(o);
        o += 8;
        break;
      }
      case IPV6_NO_NEXT:
        return -SKIP_IP_NO_NEXT_HEADER;
      default:
        upper = o;
        return <i64>nh;
    }
  }
  return unreachable(); // the loop only returns; asc's flow analysis does not see it
}

function decodeIp(o: usize, end: usize, s: usize): i64 {
  if (end - o < 1) return SKIP_TRUNCATED_IP;
  const version = u8at(o) >>> 4;
  if (version == 4) return decodeIpv4(o, end, s);
  if (version == 6) return decodeIpv6(o, end, s);
  return SKIP_IP_BAD_VERSION;
}

function decodeIpv4(o: usize, end: usize, s: usize): i64 {
  if (end - o < 20) return SKIP_TRUNCATED_IP;
  const hlen = <usize>((u8at(o) & 0x0f) * 4);
  if (hlen < 20) return SKIP_IP_BAD_HEADER_LENGTH;
  const total = <usize>u16at(o + 2);
  if (total != 0 && total < hlen) return SKIP_IP_BAD_HEADER_LENGTH;
  if (end - o < hlen) return SKIP_TRUNCATED_IP;
  const wireEnd = total == 0 ? end : o + total;
  const w = s << 4;
  store<u8>(pFamily + s, 4);
  store<u32>(pSrc + w, u32at(o + 12));
  store<u32>(pDst + w, u32at(o + 16));
  store<i16>(pTtl + (s << 1), <i16>u8at(o + 8));
  if ((u16at(o + 6) & 0x1fff) != 0) return SKIP_IP_FRAGMENT;
  const capEnd = wireEnd < end ? wireEnd : end;
  let proto = u8at(o + 9);
  let l4 = o + hlen;
  while (proto == IP_AH) {
    if (capEnd - l4 < 2) return SKIP_TRUNCATED_IP;
    const len = <usize>((u8at(l4 + 1) + 2) * 4);
    if (capEnd - l4 < len) return SKIP_TRUNCATED_IP;
    proto = u8at(l4);
    l4 += len;
  }
  return decodeTransport(l4, capEnd, <i32>(wireEnd - l4), proto, s);
}

function decodeIpv6(o: usize, end: usize, s: usize): i64 {
  if (end - o < 40) return SKIP_TRUNCATED_IP;
  const w = s << 4;
  store<u8>(pFamily + s, 6);
  store<i16>(pTtl + (s << 1), <i16>u8at(o + 7));
  for (let k: usize = 0; k < 4; k++) {
    store<u32>(pSrc + w + (k << 2), u32at(o + 8 + 4 * k));
    store<u32>(pDst + w + (k << 2), u32at(o + 24 + 4 * k));
  }
  const plen = <usize>u16at(o + 4);
  const wireEnd = plen == 0 ? end : o + 40 + plen;
  const capEnd = wireEnd < end ? wireEnd : end;
  const r = walkIpv6Extensions(o + 40, capEnd, u8at(o + 6));
  if (r < 0) return -r;
  const l4 = upper;
  return decodeTransport(l4, capEnd, <i32>(wireEnd - l4), <i32>r, s);
}

// ---- link (src/decode/link/*.ts) ----
const ETHERTYPE_IPV4: i32 = 0x0800;
const ETHERTYPE_IPV6: i32 = 0x86dd;
const ETHERTYPE_VLAN: i32 = 0x8100;
const ETHERTYPE_QINQ: i32 = 0x88a8;
const ETHERTYPE_QINQ_OLD: i32 = 0x9100;
const ETHERTYPE_QINQ_OLD2: i32 = 0x9200;

function decodeEthertype(o: usize, end: usize, type: i32, s: usize): i64 {
  for (;;) {
    if (type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6) return decodeIp(o, end, s);
    if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD || type == ETHERTYPE_QINQ_OLD2) {
      if (end - o < 4) return SKIP_TRUNCATED_LINK;
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
        if (type < 0x0600) return SKIP_LLC;
        continue;
      }
      return SKIP_LLC;
    }
    return SKIP_ETHERTYPE + <i64>type;
  }
  return unreachable(); // as above
}

@inline function isIpFamily(af: u32): bool {
  return af == 2 || af == 24 || af == 28 || af == 30;
}

function decodeFrame(o: usize, end: usize, s: usize): i64 {
  switch (linkType) {
    case 1: // LINKTYPE_ETHERNET
      if (end - o < 14) return SKIP_TRUNCATED_LINK;
      return decodeEthertype(o + 14, end, u16at(o + 12), s);
    case 101: // LINKTYPE_RAW, DLT_RAW 12 and 14, LINKTYPE_IPV4, LINKTYPE_IPV6
    case 12:
    case 14:
    case 228:
    case 229:
      return decodeIp(o, end, s);
    case 113: // LINKTYPE_LINUX_SLL
      if (end - o < 16) return SKIP_TRUNCATED_LINK;
      return decodeEthertype(o + 16, end, u16at(o + 14), s);
    case 276: { // LINKTYPE_LINUX_SLL2
      if (end - o < 20) return SKIP_TRUNCATED_LINK;
      const p = pIface + (s << 2);
      store<i32>(p, (load<i32>(p) & 0xffff) | (<i32>(u32at(o + 4) & 0x7fff) << 16));
      return decodeEthertype(o + 20, end, u16at(o), s);
    }
    case 0: { // LINKTYPE_NULL: the AF in the capturing host's byte order
      if (end - o < 4) return SKIP_TRUNCATED_LINK;
      const a = u32leat(o);
      const b = u32at(o);
      const af = a < b ? a : b;
      return isIpFamily(af) ? decodeIp(o + 4, end, s) : SKIP_LOOPBACK_AF + <i64>af;
    }
    case 108: { // LINKTYPE_LOOP
      if (end - o < 4) return SKIP_TRUNCATED_LINK;
      const af = u32at(o);
      return isIpFamily(af) ? decodeIp(o + 4, end, s) : SKIP_LOOPBACK_AF + <i64>af;
    }
    default:
      return SKIP_LINK_TYPE + <i64>linkType;
  }
}

// ---- records (classic.ts, framer.ts) ----
@inline function rd32(p: usize): u32 { return le ? u32leat(p) : u32at(p); }

/** classic.ts unitLength: -1 (after recording the skip) for an absurd incl_len. */
function unitLength(p: usize, position: f64): i64 {
  const incl = rd32(p + 8);
  if (incl > maxRecord) {
    addSkip(SKIP_BAD_RECORD_LENGTH, position);
    return -1;
  }
  return 16 + <i64>incl;
}

/** One whole record at `p`, `total` bytes long; false when the batch is full (nothing done). */
function unit(p: usize, total: usize, position: f64): bool {
  if (count >= capacity) return false;
  const sec = rd32(p);
  const frac = rd32(p + 4);
  const time = <f64>sec * 1000 + <f64>frac / fractionPerMs;
  const s = <usize>count;
  reserve(count);
  store<f64>(pTime + (s << 3), time);
  store<f64>(pPosition + (s << 3), position);
  frames++;
  store<u32>(pFrame + (s << 2), frames);
  store<i32>(pIface + (s << 2), 0);
  const code = decodeFrame(p + 16, p + total, s);
  if (code == DECODED) count++;
  else addSkip(code, position);
  return true;
}

function stop(position: f64): void {
  stopped = true;
  stoppedAt = position;
  carryLen = 0;
}

/** Room for what one step may record: a record's skip. */
@inline function skipsFull(): bool { return skips >= skipCapacity; }

/** Start walking a chunk of `len` bytes at `ptr`. */
export function begin(ptr: usize, len: i32): void {
  chunkPtr = ptr;
  chunkLen = len;
  off = 0;
}

/**
 * Walk the current chunk (framer.ts feed): DONE when it is consumed (a tail kept in the carry area),
 * BATCH_FULL or SKIPS_FULL when JS must drain first and call walk() again, which goes on where it was.
 */
export function walk(): i32 {
  const n = chunkLen;
  if (!stopped && carryLen > 0) {
    const r = fillCarry();
    if (r != DONE) return r;
  }
  while (!stopped) {
    if (skipsFull()) return SKIPS_FULL;
    const rest = n - off;
    if (rest < 16) break;
    const position = base + <f64>off;
    const p = chunkPtr + <usize>off;
    const total = unitLength(p, position);
    if (total < 0) {
      stop(position);
      break;
    }
    if (<i64>rest < total) break;
    if (!unit(p, <usize>total, position)) return BATCH_FULL;
    off += <i32>total;
  }
  if (!stopped && off < n) {
    carryPos = base + <f64>off;
    memory.copy(pCarry, chunkPtr + <usize>off, <usize>(n - off));
    carryLen = n - off;
  }
  base += <f64>n;
  off = n;
  chunkLen = 0;
  return DONE;
}

/** framer.ts fillCarry: complete the carried record from the chunk's start. Safe to call again. */
function fillCarry(): i32 {
  const n = chunkLen;
  if (carryLen < 16) {
    const take = min(16 - carryLen, n - off);
    memory.copy(pCarry + <usize>carryLen, chunkPtr + <usize>off, <usize>take);
    carryLen += take;
    off += take;
    if (carryLen < 16) return DONE;
  }
  if (skipsFull()) return SKIPS_FULL;
  const total = unitLength(pCarry, carryPos);
  if (total < 0) {
    stop(carryPos);
    off = n;
    return DONE;
  }
  if (total > <i64>carryCapacity) unreachable(); // JS sizes the carry for the largest record
  const take = <i32>min<i64>(total - <i64>carryLen, <i64>(n - off));
  memory.copy(pCarry + <usize>carryLen, chunkPtr + <usize>off, <usize>take);
  carryLen += take;
  off += take;
  if (<i64>carryLen < total) return DONE;
  if (!unit(pCarry, <usize>total, carryPos)) return BATCH_FULL;
  carryLen = 0;
  return DONE;
}

/** classic.ts finish: a partial record left is one "truncated-record" skip. */
export function finish(): void {
  if (stopped || carryLen == 0) return;
  addSkip(SKIP_TRUNCATED_RECORD, carryPos);
  carryLen = 0;
}
