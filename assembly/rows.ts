// What the log row readers (assembly/netfilter.ts, wfw.ts, csv.ts) share: how a run reports where and
// why it stopped (read by src/decode/log/wasm-rows.ts), the day cache, and the address parsers (dotted
// IPv4, the plain forms of IPv6).

import { pFamily, pSrc, pDst, pProto, pSrcPort, pDstPort, pIcmpType, pIcmpCode, pTcpFlags, pAction, pTime, pPosition, pFrame, pLabel, pBlockedBy, pTtl, pIface, pTcpSeq, pHistory, pCount, pPayload, pInnerProto, pInnerSrc, pInnerDst, pInnerSrcPort, pInnerDstPort } from "./batch";

/** Why the last run stopped: at the chunk's end, the batch full, a line left to the JS reference, a new day. */
export const STOP_END: i32 = 0;
export const STOP_FULL: i32 = 1;
export const STOP_LINE: i32 = 2;
export const STOP_DAY: i32 = 3;
let stopReason: i32 = 0;
let stopPos: i32 = 0;
let batchLength: i32 = 0;
export function stoppedBecause(): i32 { return stopReason; }
export function stoppedAt(): i32 { return stopPos; }
export function lengthAfter(): i32 { return batchLength; }

// ---- the day cache (syslog-time.ts dayStart: Date.UTC runs in JS) ----
// A stamp of a day other than dayKey stops the run (STOP_DAY) with the day asked for; JS computes the
// day's start and hands it back with setDay, and the run goes on from the same line.
export let dayKey: i32 = -1;
export let dayMs: f64 = 0;
let askedYear: i32 = 0;
let askedMonth: i32 = 0;
let askedDay: i32 = 0;
export function setDay(key: i32, ms: f64): void { dayKey = key; dayMs = ms; }
export function dayYear(): i32 { return askedYear; }
export function dayMonth(): i32 { return askedMonth; }
export function dayOfMonth(): i32 { return askedDay; }
/** The day a stamp names (month from 0), for JS to compute its start. */
export function askDay(year: i32, month0: i32, day: i32): void { askedYear = year; askedMonth = month0; askedDay = day; }
export function forgetDay(): void { dayKey = -1; }

/** Ends a run: why, the offset of the first line not taken, and the batch's length after it. */
export function stopAt(why: i32, pos: i32, len: i32): void {
  stopReason = why;
  stopPos = pos;
  batchLength = len;
}

/** net/addr.ts parseIPv4Bytes: dotted IPv4 (no leading zeros, parts <= 255), else -1. */
export function ipv4(s: usize, e: usize): i64 {
  let value: i64 = 0;
  let part: i32 = 0;
  let digits: i32 = 0;
  let dots: i32 = 0;
  for (let i = s; i < e; i++) {
    const c = <i32>load<u8>(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part == 0) return -1;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c == 46) {
      if (digits == 0 || ++dots > 3) return -1;
      value = value * 256 + <i64>part;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots != 3 || digits == 0) return -1;
  return value * 256 + <i64>part;
}

// ---- IPv6 (text-bytes.ts parseIPv6Bytes) ----
/** The words of the last address address() or ipv6() read, as net/addr.ts writes them (IPv6 group 2k in word k's high half). */
export let aw0: u32 = 0;
export let aw1: u32 = 0;
export let aw2: u32 = 0;
export let aw3: u32 = 0;

/**
 * An address column or value as the readers' `address` reads it (parseIPv4Bytes, then parseIPv6Bytes):
 * 4 or 6 with its words in aw0-3, or 0 for anything the reference must read (or refuse) itself.
 */
export function address(s: usize, e: usize): i32 {
  const v4 = ipv4(s, e);
  if (v4 >= 0) { aw0 = <u32>v4; aw1 = 0; aw2 = 0; aw3 = 0; return 4; }
  return ipv6(s, e) ? 6 : 0;
}

@inline function hexDigit(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/**
 * text-bytes.ts parseIPv6Bytes's reading of the plain forms (hex groups of one to four digits, at most one
 * "::"), into aw0-3: true where it reads them from the bytes, false wherever it would hand the text to
 * net/addr.ts parseIPv6 instead (an IPv4 tail, a zone, anything malformed): those are the reference's.
 * The groups are shifted into two 128-bit registers (hi:lo), those before the "::" and those after it.
 */
export function ipv6(s: usize, e: usize): bool {
  const len = <i32>(e - s);
  if (len < 2 || len > 45) return false;
  let bHi: u64 = 0, bLo: u64 = 0, aHi: u64 = 0, aLo: u64 = 0;
  let n: i32 = 0;
  let gap: i32 = -1;
  let i = s;
  if (load<u8>(i) == 58) {
    if (load<u8>(i + 1) != 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < e) {
    let v: i32 = 0;
    let d: i32 = 0;
    while (i < e) {
      const h = hexDigit(<i32>load<u8>(i));
      if (h < 0) break;
      v = v * 16 + h;
      d++;
      i++;
    }
    if (d == 0 || d > 4 || n == 8) return false;
    if (gap < 0) { bHi = (bHi << 16) | (bLo >> 48); bLo = (bLo << 16) | <u64>v; }
    else { aHi = (aHi << 16) | (aLo >> 48); aLo = (aLo << 16) | <u64>v; }
    n++;
    if (i == e) break;
    if (load<u8>(i) != 58) return false;
    if (i + 1 < e && load<u8>(i + 1) == 58) {
      if (gap >= 0) return false;
      gap = n;
      i += 2;
    } else {
      i++;
      if (i == e) return false;
    }
  }
  if (gap < 0 ? n != 8 : n > 7) return false;
  if (gap > 0) {
    // The groups before the "::" go to the top: shift them by the groups after them (8 - gap).
    const k = <u64>((8 - gap) * 16);
    if (k >= 64) { bHi = bLo << (k - 64); bLo = 0; }
    else { bHi = (bHi << k) | (bLo >> (64 - k)); bLo = bLo << k; }
  }
  const hi = bHi | aHi, lo = bLo | aLo;
  aw0 = <u32>(hi >> 32); aw1 = <u32>hi; aw2 = <u32>(lo >> 32); aw3 = <u32>lo;
  return true;
}

/**
 * Write row `x` of the batch: the slot as reserve() leaves it (no frame, TTL, interface, sequence,
 * history, payload or inner packet; a count of 1), then the line's own fields, as the JS readers'
 * `line` functions write them (src/decode/log/*.ts), addresses as four words each (address()'s aw0-aw3).
 * One writer for the three readers, so a column added to the batch
 * (batch.ts) has one place here to be written.
 */
@inline export function storeRow(
  x: usize, family: i32, s0: u32, s1: u32, s2: u32, s3: u32, d0: u32, d1: u32, d2: u32, d3: u32, proto: i32, sp: i32, dp: i32,
  icmpType: i32, icmpCode: i32, flags: i32, action: i32, time: f64, position: f64, label: i32, blocked: i32,
): void {
  const w = x << 4;
  store<u8>(pFamily + x, <u8>family);
  store<u32>(pSrc + w, s0); store<u32>(pSrc + w + 4, s1); store<u32>(pSrc + w + 8, s2); store<u32>(pSrc + w + 12, s3);
  store<u32>(pDst + w, d0); store<u32>(pDst + w + 4, d1); store<u32>(pDst + w + 8, d2); store<u32>(pDst + w + 12, d3);
  store<u8>(pProto + x, <u8>proto);
  store<i32>(pSrcPort + (x << 2), sp);
  store<i32>(pDstPort + (x << 2), dp);
  store<i16>(pIcmpType + (x << 1), <i16>icmpType);
  store<i16>(pIcmpCode + (x << 1), <i16>icmpCode);
  store<i16>(pTcpFlags + (x << 1), <i16>flags);
  store<u8>(pAction + x, <u8>action);
  store<f64>(pTime + (x << 3), time);
  store<f64>(pPosition + (x << 3), position);
  store<u32>(pFrame + (x << 2), 0);
  store<i32>(pLabel + (x << 2), label);
  store<u8>(pBlockedBy + x, <u8>blocked);
  store<i16>(pTtl + (x << 1), -1);
  store<i32>(pIface + (x << 2), 0);
  store<u32>(pTcpSeq + (x << 2), 0);
  store<i32>(pHistory + (x << 2), -1);
  store<u32>(pCount + (x << 2), 1);
  store<i32>(pPayload + (x << 2), -1);
  store<u8>(pInnerProto + x, 0);
  store<u32>(pInnerSrc + w, 0); store<u32>(pInnerSrc + w + 4, 0); store<u32>(pInnerSrc + w + 8, 0); store<u32>(pInnerSrc + w + 12, 0);
  store<u32>(pInnerDst + w, 0); store<u32>(pInnerDst + w + 4, 0); store<u32>(pInnerDst + w + 8, 0); store<u32>(pInnerDst + w + 12, 0);
  store<i32>(pInnerSrcPort + (x << 2), -1);
  store<i32>(pInnerDstPort + (x << 2), -1);
}
