// The CSV reader's fast path in WebAssembly (issue 18), compiled by scripts/build-wasm.mjs to
// dist/wasm/csv.wasm and driven by src/decode/log/csv-wasm.ts. It takes whole lines of a chunk for as
// long as each is a record that the JS reference (src/decode/log/csv.ts, CsvFormat.plainRecord) would use
// as a TCP or UDP event between two dotted IPv4 or plain IPv6 (not IPv4-mapped) addresses, or ICMP (not an error) between IPv4 ones: no quote, plain ASCII, a protocol and action
// word seen before on a record the reference used, a time that is empty, Unix seconds or milliseconds, or
// an ISO 8601 stamp of a day seen before. It writes that event into the batch exactly as the reference
// would, and never skips a line: at any other line it stops and leaves it to the reference, so every skip,
// label and error is the reference's own. test/decode/log/csv-wasm.test.ts holds the two to the same
// events and accounting. Change both together.

import { setBatchLayout, capacity } from "./batch";
import { setWordStore, learnWord, nextWordSlot, findWord, wordValue } from "./words";
import { STOP_END, STOP_FULL, STOP_LINE, STOP_DAY, stopAt, storeRow, address, aw0, aw1, aw2, aw3, dayKey, dayMs, askDay, forgetDay } from "./rows";

// ---- layout (set once by init) ----
/** Field bounds of the current record: (start, end) i32 pairs, MAX_FIELDS of them. */
let pFields: usize = 0;

export function init(
  cap: i32, family: usize, src: usize, dst: usize, proto: usize, srcPort: usize, dstPort: usize,
  icmpType: usize, icmpCode: usize, tcpFlags: usize, action: usize, time: usize, position: usize,
  frame: usize, label: usize, blockedBy: usize, ttl: usize, iface: usize, tcpSeq: usize,
  history: usize, cnt: usize, payload: usize, innerProto: usize, innerSrc: usize, innerDst: usize,
  innerSrcPort: usize, innerDstPort: usize, extra: usize, fieldsOffset: i32,
): void {
  setBatchLayout(cap, family, src, dst, proto, srcPort, dstPort, icmpType, icmpCode, tcpFlags, action, time,
    position, frame, label, blockedBy, ttl, iface, tcpSeq, history, cnt, payload, innerProto, innerSrc, innerDst,
    innerSrcPort, innerDstPort);
  setWordStore(extra, 32, 2); pFields = extra + <usize>fieldsOffset;
  forgetDay(); ready = false;
}

const MAX_LINE_BYTES: i32 = 1 << 20;
/** csv.ts MAX_PLAIN_FIELDS. */
const MAX_FIELDS: i32 = 256;

// ---- the record's columns (CsvFormat.cols; -1 when absent), set once the header is read ----
let ready = false;
let cSrc: i32 = -1;
let cDst: i32 = -1;
let cSport: i32 = -1;
let cDport: i32 = -1;
let cProto: i32 = -1;
let cAction: i32 = -1;
let cTime: i32 = -1;
let cType: i32 = -1;
export function columns(src: i32, dst: i32, sport: i32, dport: i32, proto: i32, action: i32, time: i32, type: i32): void {
  cSrc = src; cDst = dst; cSport = sport; cDport = dport; cProto = proto; cAction = action; cTime = time; cType = type; ready = true;
}

// ---- learnt words: action words (label id, action code) and protocol words (TCP or UDP) ----
export function learnAction(len: i32, labelId: i32, actionCode: i32): bool { return learnWord(0, len, labelId, actionCode); }
export function learnProto(len: i32, proto: i32): bool { return learnWord(1, len, proto, 0); }
/** Where JS writes the bytes of the next action (k = 0) or protocol (k = 1) word to learn. */
export function nextWordAt(k: i32): usize { return nextWordSlot(k); }

// ---- the day cache (assembly/rows.ts) ----
export { setDay, dayYear, dayMonth, dayOfMonth } from "./rows";

// ---- run state ----
export { STOP_END, STOP_FULL, STOP_LINE, STOP_DAY, stoppedBecause, stoppedAt, lengthAfter } from "./rows";

const NL16 = i8x16.splat(10);
const COMMA16 = i8x16.splat(44);
const QUOTE16 = i8x16.splat(34);

@inline function fS(k: i32): usize { return <usize>load<i32>(pFields + <usize>(k << 3)); }
@inline function fE(k: i32): usize { return <usize>load<i32>(pFields + <usize>(k << 3) + 4); }
/** csv.ts isAsciiSpace. */
@inline function isSpace(c: i32): bool { return c == 32 || (c >= 9 && c <= 13); }

/** syslog-time.ts digits: n digits at i (not past end), else -1. */
function digits(i: usize, n: i32, end: usize): i32 {
  if (i + <usize>n > end) return -1;
  let v: i32 = 0;
  for (let k: i32 = 0; k < n; k++) {
    const c = <i32>load<u8>(i + <usize>k) - 48;
    if (<u32>c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** CsvFormat.num: a port of one to five digits, else -1 (also for a field the record lacks). */
function num(k: i32, nf: i32): i32 {
  if (k < 0 || k >= nf) return -1;
  const s = fS(k), e = fE(k);
  if (e - s < 1 || e - s > 5) return -1;
  let v: i32 = 0;
  for (let i = s; i < e; i++) {
    const c = <i32>load<u8>(i) - 48;
    if (<u32>c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

// The time of the last record read by `stamp`; `stampDay` is set when it needs a day JS has not given.
let stampDay = false;

/**
 * CsvFormat.stamp for the forms taken here: Unix seconds or milliseconds (9, 10, 12 or 13 digits), or an
 * ISO 8601 stamp (syslog-time.ts isoTime) of a day seen before. NaN for a form left to the reference.
 */
function stamp(s: usize, e: usize): f64 {
  stampDay = false;
  let de = s;
  while (de < e && load<u8>(de) >= 48 && load<u8>(de) <= 57) de++;
  const d = <i32>(de - s);
  if (de == e && (d == 9 || d == 10 || d == 12 || d == 13)) {
    let v: f64 = 0;
    for (let i = s; i < e; i++) v = v * 10 + <f64>(<i32>load<u8>(i) - 48);
    return d <= 10 ? v * 1000 : v;
  }
  if (load<u8>(s + 4) != 45 || d != 4) return NaN;
  const y = digits(s, 4, e);
  const mo = digits(s + 5, 2, e);
  const da = digits(s + 8, 2, e);
  const sep = s + 10 < e ? <i32>load<u8>(s + 10) : -1;
  const hh = digits(s + 11, 2, e);
  const mm = digits(s + 14, 2, e);
  const ss = digits(s + 17, 2, e);
  if (!(mo >= 1 && mo <= 12 && da >= 1 && da <= 31 && (sep == 84 || sep == 32) && hh >= 0 && hh < 24 && mm >= 0 && mm < 60 && ss >= 0 && ss <= 60 && load<u8>(s + 7) == 45 && load<u8>(s + 13) == 58 && load<u8>(s + 16) == 58)) return NaN;
  let j = s + 19;
  let frac: f64 = 0;
  if (j < e && (load<u8>(j) == 46 || load<u8>(j) == 44)) {
    j++;
    let scale: f64 = 100;
    while (j < e && load<u8>(j) >= 48 && load<u8>(j) <= 57) {
      frac += <f64>(<i32>load<u8>(j) - 48) * scale;
      scale /= 10;
      j++;
    }
  }
  // Only "Z" or no zone here; an offset is the reference's.
  if (j < e && (load<u8>(j) == 90 || load<u8>(j) == 122)) j++;
  else if (j < e && (load<u8>(j) == 43 || load<u8>(j) == 45)) return NaN;
  const key = (y * 16 + (mo - 1)) * 64 + da;
  if (key != dayKey) { askDay(y, mo - 1, da); stampDay = true; return NaN; }
  return dayMs + <f64>(hh * 3600000 + mm * 60000 + ss * 1000) + frac - <f64>0;
}

/**
 * Take the whole lines of [pos, end) from `pos` on (their first line number is `lineNo`), writing events
 * into the batch from slot `length`. Returns the number of lines taken; stoppedAt() is where the first
 * line not taken starts, stoppedBecause() why (no whole line left, batch full, a line for the reference,
 * a day whose start JS must compute: dayYear/dayMonth/dayOfMonth).
 */
export function run(pos: i32, end: i32, lineNo: f64, length: i32): i32 {
  let p = <usize>pos;
  const stop = <usize>end;
  let len = length;
  let taken: i32 = 0;
  let why = STOP_END;
  while (true) {
    if (len >= capacity) { why = STOP_FULL; break; }
    // Fields on commas, the line's end, and whether it holds a quote or a byte above 127: 16 bytes at a time.
    let n: i32 = 0;
    let nl: usize = 0;
    let q = p;
    let fs = p;
    let plain = true;
    while (true) {
      if (q >= stop) break;
      const v = v128.load(q);
      const nlBits = <u32>i8x16.bitmask(i8x16.eq(v, NL16));
      let limit: u32 = 16;
      if (q + 16 > stop) limit = <u32>(stop - q);
      if (nlBits != 0) {
        const k = <u32>ctz(nlBits);
        if (k < limit) limit = k;
      }
      const keep: u32 = limit >= 16 ? 0xffff : (<u32>1 << limit) - 1;
      if (((<u32>i8x16.bitmask(v) | <u32>i8x16.bitmask(i8x16.eq(v, QUOTE16))) & keep) != 0) { plain = false; }
      let commas = <u32>i8x16.bitmask(i8x16.eq(v, COMMA16)) & keep;
      while (commas != 0) {
        const c = q + <usize>ctz(commas);
        commas &= commas - 1;
        if (n < MAX_FIELDS) { store<i32>(pFields + <usize>(n << 3), <i32>fs); store<i32>(pFields + <usize>(n << 3) + 4, <i32>c); }
        n++;
        fs = c + 1;
      }
      if (limit < 16) { nl = q + <usize>limit; break; }
      q += 16;
    }
    if (q >= stop || nl >= stop || load<u8>(nl) != 10) { why = STOP_END; break; }
    why = STOP_LINE;
    if (<i32>(nl - p) > MAX_LINE_BYTES || !plain || !ready) break;
    let e = nl;
    if (e > p && load<u8>(e - 1) == 13) e--;
    if (e == p || load<u8>(p) == 35) break;
    // The last field ends at the line's end (a "\r" before "\n" is no part of it).
    if (n < MAX_FIELDS) { store<i32>(pFields + <usize>(n << 3), <i32>fs); store<i32>(pFields + <usize>(n << 3) + 4, <i32>e); }
    n++;
    if (n > MAX_FIELDS || fs > e) break;
    // Trimmed, as splitPlain trims (a blank record has been the reference's above).
    let blank = true;
    for (let k: i32 = 0; k < n; k++) {
      let s = fS(k), t = fE(k);
      while (s < t && isSpace(<i32>load<u8>(s))) s++;
      while (t > s && isSpace(<i32>load<u8>(t - 1))) t--;
      if (t > s) blank = false;
      store<i32>(pFields + <usize>(k << 3), <i32>s); store<i32>(pFields + <usize>(k << 3) + 4, <i32>t);
    }
    if (blank) break;
    if (cSrc < 0 || cSrc >= n || cDst < 0 || cDst >= n) break;
    // Dotted IPv4 or the plain forms of IPv6 (not IPv4-mapped: the reference reads those as the IPv4
    // host), both of one family; anything else is the reference's.
    const family = address(fS(cSrc), fE(cSrc));
    if (family == 6 && aw0 == 0 && aw1 == 0 && aw2 == 0xffff) break;
    const s0 = aw0, s1 = aw1, s2 = aw2, s3 = aw3;
    if (family == 0 || address(fS(cDst), fE(cDst)) != family) break;
    if (family == 6 && aw0 == 0 && aw1 == 0 && aw2 == 0xffff) break;
    let proto: i32 = 6;
    if (cProto >= 0 && cProto < n && fE(cProto) > fS(cProto)) {
      const pw = findWord(1, fS(cProto), fE(cProto));
      if (pw < 0) break;
      proto = wordValue(pw, 0);
    }
    let sp: i32 = -1;
    let dp: i32 = -1;
    let icmpType: i32 = -1;
    if (proto == 1) {
      if (family != 4) break;
      // ICMP (a word the reference read as ICMP between IPv4 addresses): the type column, or the
      // destination port's when it is empty; unreadable or over 255 is a flow of unknown type; an error
      // type is the reference's.
      icmpType = num(cType >= 0 && cType < n && fE(cType) > fS(cType) ? cType : cDport, n);
      if (icmpType > 255) icmpType = -1;
      if (icmpType == 3 || icmpType == 4 || icmpType == 5 || icmpType == 11 || icmpType == 12) break;
    } else {
      sp = num(cSport, n);
      dp = num(cDport, n);
      if (dp < 0 || dp > 65535 || sp > 65535) break;
    }
    if (cAction < 0 || cAction >= n) break;
    const a = findWord(0, fS(cAction), fE(cAction));
    if (a < 0) break;
    let t: f64 = NaN;
    if (cTime >= 0 && cTime < n && fE(cTime) > fS(cTime)) {
      t = stamp(fS(cTime), fE(cTime));
      if (stampDay) { why = STOP_DAY; break; }
      if (isNaN(t)) break;
    }
    // The row's fields (batch.ts; the JS reader's `line` writes the same).
    storeRow(<usize>len, family, s0, s1, s2, s3, aw0, aw1, aw2, aw3, proto, sp, dp, icmpType, -1, -1, wordValue(a, 1), t, lineNo + <f64>taken, wordValue(a, 0), 0);
    len++;
    taken++;
    p = nl + 1;
    why = STOP_END;
  }
  stopAt(why, <i32>p, len);
  return taken;
}
