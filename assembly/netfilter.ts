// The netfilter LOG line reader's fast path in WebAssembly (issue 18), compiled by scripts/build-wasm.mjs
// to dist/wasm/netfilter.wasm and driven by src/decode/log/netfilter-wasm.ts. It takes whole lines of a
// chunk for as long as each is an ordinary one that the JS reference (src/decode/log/netfilter.ts,
// NetfilterFormat.line) would use as a TCP or UDP event between two addresses (dotted IPv4, or IPv6 in the
// plain forms parseIPv6Bytes reads from bytes), or ICMP: an RFC
// 3164 stamp ("Nov  1 00:00:00", no fraction) of a day seen before, a log prefix seen before on a line the
// reference used, "IN=" at the first "=" of the line; no TYPE= or CODE= on TCP or UDP; for ICMP a TYPE= of
// a type that is a flow (not an error) and a CODE= of 0-255 or none. It writes that event into the
// batch exactly as the reference would, and never skips a line: at any other line it stops and leaves it
// to the reference, so every skip, label and error is the reference's own.
// test/decode/log/netfilter-wasm.test.ts holds the two to the same events and accounting. Change both
// together.

import { setBatchLayout, capacity } from "./batch";
import { setWordStore, learnWord, nextWordSlot, findWord, wordValue } from "./words";
import { STOP_END, STOP_FULL, STOP_LINE, STOP_DAY, stopAt, storeRow, address, aw0, aw1, aw2, aw3, dayKey, dayMs, askDay, forgetDay } from "./rows";

// ---- layout (set once by init) ----
let blockedByDestination: i32 = 0;
/** DecodeOptions.year (RFC 3164 stamps carry none) and the latest time a stamp may give in it. */
let year: i32 = 0;
let latestMs: f64 = 0;

export function init(
  cap: i32, family: usize, src: usize, dst: usize, proto: usize, srcPort: usize, dstPort: usize,
  icmpType: usize, icmpCode: usize, tcpFlags: usize, action: usize, time: usize, position: usize,
  frame: usize, label: usize, blockedBy: usize, ttl: usize, iface: usize, tcpSeq: usize,
  history: usize, cnt: usize, payload: usize, innerProto: usize, innerSrc: usize, innerDst: usize,
  innerSrcPort: usize, innerDstPort: usize, extra: usize, blockedDest: i32, stampYear: i32, latest: f64,
): void {
  setBatchLayout(cap, family, src, dst, proto, srcPort, dstPort, icmpType, icmpCode, tcpFlags, action, time,
    position, frame, label, blockedBy, ttl, iface, tcpSeq, history, cnt, payload, innerProto, innerSrc, innerDst,
    innerSrcPort, innerDstPort);
  setWordStore(extra, 64, 1); blockedByDestination = blockedDest; year = stampYear; latestMs = latest;
  forgetDay();
}

const MAX_LINE_BYTES: i32 = 1 << 20;

// ---- learnt prefixes (bytes -> label id, action) ----
/** Learn the prefix JS just wrote at nextWordAt(). Returns false when the table is full. */
export function learnPrefix(len: i32, labelId: i32, actionCode: i32): bool { return learnWord(0, len, labelId, actionCode); }
export function nextWordAt(): usize { return nextWordSlot(0); }

// ---- the day cache (assembly/rows.ts) ----
export { setDay, dayYear, dayMonth, dayOfMonth } from "./rows";

// ---- run state ----
export { STOP_END, STOP_FULL, STOP_LINE, STOP_DAY, stoppedBecause, stoppedAt, lengthAfter } from "./rows";

const NL16 = i8x16.splat(10);
const SP16 = i8x16.splat(32);
const EQ16 = i8x16.splat(61);

/** netfilter.ts uint: 1 to 9 digits, else -1. */
function uint(s: usize, e: usize): i32 {
  if (s >= e || e - s > 9) return -1;
  let v: i32 = 0;
  for (let i = s; i < e; i++) {
    const c = <i32>load<u8>(i) - 48;
    if (<u32>c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

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

/** syslog-time.ts month3: 0-11 for a three-letter English month name (any case), else -1. */
function month3(i: usize, end: usize): i32 {
  if (i + 3 > end) return -1;
  const a = <i32>load<u8>(i) | 0x20, c = <i32>load<u8>(i + 1) | 0x20, d = <i32>load<u8>(i + 2) | 0x20;
  switch ((a << 16) | (c << 8) | d) {
    case 0x6a616e: return 0;
    case 0x666562: return 1;
    case 0x6d6172: return 2;
    case 0x617072: return 3;
    case 0x6d6179: return 4;
    case 0x6a756e: return 5;
    case 0x6a756c: return 6;
    case 0x617567: return 7;
    case 0x736570: return 8;
    case 0x6f6374: return 9;
    case 0x6e6f76: return 10;
    case 0x646563: return 11;
    default: return -1;
  }
}

/** The first space in [i, e), or e (16 bytes at a time; the memory after a chunk is padded). */
@inline function nextSpace(from: usize, e: usize): usize {
  let i = from;
  while (i < e) {
    const m = <u32>i8x16.bitmask(i8x16.eq(v128.load(i), SP16));
    if (m != 0) {
      const k = i + <usize>ctz(m);
      return k < e ? k : e;
    }
    i += 16;
  }
  return e;
}

/** netfilter.ts protoFrom for TCP, UDP and ICMP (any case); -1 for anything else (the reference's). */
function protoWord(s: usize, e: usize): i32 {
  const c0 = <i32>load<u8>(s) | 0x20, c1 = <i32>load<u8>(s + 1) | 0x20, c2 = <i32>load<u8>(s + 2) | 0x20;
  if (e - s == 3) {
    if (c0 == 116 && c1 == 99 && c2 == 112) return 6;
    if (c0 == 117 && c1 == 100 && c2 == 112) return 17;
  } else if (e - s == 4 && c0 == 105 && c1 == 99 && c2 == 109 && (<i32>load<u8>(s + 3) | 0x20) == 112) return 1;
  return -1;
}

/** Letters a field token the reader looks at opens with (bit k: "A" + k): A C D F P R S T U. */
const TOKEN_LETTERS: u32 = (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 15) | (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20);
const COLON16 = i8x16.splat(58);
const DIGIT0 = i8x16.splat(48);
const DIGIT9 = i8x16.splat(57);
const DOT16 = i8x16.splat(46);

/**
 * NetfilterFormat.line's "kernel:" search: the end of the last "kernel:" that starts at `from` or later
 * and ends by `to`, or -1. Its ":" bytes are found 16 bytes at a time.
 */
function kernelEnd(from: usize, to: usize): isize {
  let found: isize = -1;
  for (let q = from + 6; q < to; q += 16) {
    let m = <u32>i8x16.bitmask(i8x16.eq(v128.load(q), COLON16));
    if (q + 16 > to) m &= (<u32>1 << <u32>(to - q)) - 1;
    while (m != 0) {
      const c = q + <usize>ctz(m);
      m &= m - 1;
      const a = c - 6;
      if (load<u8>(a) == 107 && load<u8>(a + 1) == 101 && load<u8>(a + 2) == 114 && load<u8>(a + 3) == 110 && load<u8>(a + 4) == 101 && load<u8>(a + 5) == 108) found = <isize>c + 1;
    }
  }
  return found;
}

/** The first byte at `from` or later that is no space, digit or dot (16 at a time), or `to`. */
function uptimeEnd(from: usize, to: usize): usize {
  for (let q = from; q < to; q += 16) {
    const v = v128.load(q);
    const ok = v128.or(v128.or(i8x16.eq(v, SP16), i8x16.eq(v, DOT16)), v128.and(i8x16.ge_u(v, DIGIT0), i8x16.le_u(v, DIGIT9)));
    const bad = ~<u32>i8x16.bitmask(ok) & 0xffff;
    if (bad != 0) {
      const u = q + <usize>ctz(bad);
      return u < to ? u : to;
    }
  }
  return to;
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
    // The line's end and its first "=" (from the third byte on, as the reference looks), 16 bytes at a time.
    let q = p;
    let nl: usize = 0;
    let eq: usize = 0;
    let haveEq = false;
    while (true) {
      if (q >= stop) break;
      const v = v128.load(q);
      const nlBits = <u32>i8x16.bitmask(i8x16.eq(v, NL16));
      if (!haveEq) {
        let eqBits = <u32>i8x16.bitmask(i8x16.eq(v, EQ16));
        if (q < p + 2) eqBits &= ~((<u32>1 << <u32>(p + 2 - q)) - 1);
        if (eqBits != 0) { eq = q + <usize>ctz(eqBits); haveEq = true; }
      }
      if (nlBits != 0) { nl = q + <usize>ctz(nlBits); break; }
      q += 16;
    }
    if (q >= stop || nl >= stop) { why = STOP_END; break; }
    why = STOP_LINE;
    if (<i32>(nl - p) > MAX_LINE_BYTES) break;
    let e = nl;
    if (e > p && load<u8>(e - 1) == 13) e--;
    // findFieldsStart: "IN=" at the first "=", its interface word followed by " OUT=".
    if (!haveEq || eq >= e || load<u8>(eq - 1) != 78 || load<u8>(eq - 2) != 73) break;
    const inPos = eq - 2;
    let j = eq + 1;
    while (j < e && load<u8>(j) != 32) j++;
    if (!(j + 5 <= e && load<u8>(j + 1) == 79 && load<u8>(j + 2) == 85 && load<u8>(j + 3) == 84 && load<u8>(j + 4) == 61)) break;
    // The header: no "<PRI>", no RFC 5424 version, an RFC 3164 stamp (scanTime) without a fraction.
    const c0 = <i32>load<u8>(p);
    if (c0 == 60 || (c0 >= 49 && c0 <= 57 && load<u8>(p + 1) == 32)) break;
    if (load<u8>(p + 4) == 45) break;
    const m = month3(p, inPos);
    if (m < 0 || load<u8>(p + 3) != 32) break;
    let k = p + 4;
    if (load<u8>(k) == 32) k++;
    let d = digits(k, 2, inPos);
    if (d < 0) { d = digits(k, 1, inPos); k += 1; } else k += 2;
    const hh = digits(k + 1, 2, inPos);
    const mm = digits(k + 4, 2, inPos);
    const ss = digits(k + 7, 2, inPos);
    if (!(d >= 1 && d <= 31 && load<u8>(k) == 32 && hh >= 0 && mm >= 0 && ss >= 0 && load<u8>(k + 3) == 58 && load<u8>(k + 6) == 58)) break;
    const key = (year * 16 + m) * 64 + d;
    if (key != dayKey) { askDay(year, m, d); why = STOP_DAY; break; }
    const t = dayMs + <f64>(hh * 3600000 + mm * 60000 + ss * 1000);
    if (t > latestMs) break;
    let next = k + 9;
    if (next < inPos && load<u8>(next) == 46) break;
    if (next < inPos && load<u8>(next) == 32) next++;
    // The prefix: after "kernel:" (the last one before IN=), else after the stamp and host. The ":" of
    // each "kernel:" in [next, inPos) is found 16 bytes at a time, and the last one wins.
    const kern = kernelEnd(next, inPos);
    let ps: usize = kern >= 0 ? <usize>kern : next;
    while (ps < inPos && load<u8>(ps) == 32) ps++;
    if (load<u8>(ps) == 91) {
      // The kernel's uptime stamp "[ 1234.567890]": spaces, digits and dots up to "]".
      const u = uptimeEnd(ps + 1, inPos);
      if (u < inPos && load<u8>(u) == 93 && u > ps + 1) { ps = u + 1; while (ps < inPos && load<u8>(ps) == 32) ps++; }
    }
    if (kern < 0) {
      let h = ps;
      while (h < inPos && load<u8>(h) != 32) h++;
      let r = h;
      while (r < inPos && load<u8>(r) == 32) r++;
      if (r < inPos) ps = r;
    }
    const a = findWord(0, ps, inPos);
    if (a < 0) break;
    // inputHook: "IN=<iface> OUT=" with nothing after OUT=.
    let blocked: i32 = 0;
    let h = inPos + 3;
    if (h < e && load<u8>(h) != 32) {
      while (h < e && load<u8>(h) != 32) h++;
      if (h + 5 <= e && load<u8>(h + 1) == 79 && load<u8>(h + 2) == 85 && load<u8>(h + 3) == 84 && load<u8>(h + 4) == 61 && (h + 5 == e || load<u8>(h + 5) == 32)) blocked = blockedByDestination;
    }
    // The fields, token by token, as the reference's switch reads them: token starts (a byte other than a
    // space after a space) 16 bytes at a time, and a token's end looked for only where its value is read.
    let proto: i32 = -1;
    let flags: i32 = 0;
    // The addresses' family (the first one's: a second of another family is the reference's) and words.
    let family: i32 = 0;
    let haveSrc = false, haveDst = false;
    let s0: u32 = 0, s1: u32 = 0, s2: u32 = 0, s3: u32 = 0, d0: u32 = 0, d1: u32 = 0, d2: u32 = 0, d3: u32 = 0;
    let sp: i32 = -1;
    let dp: i32 = -1;
    let type: i32 = -2;
    let code: i32 = -2;
    let refuse = false;
    let prevSpace: u32 = 1;
    for (let q = inPos; q < e && !refuse; q += 16) {
      const spaces = <u32>i8x16.bitmask(i8x16.eq(v128.load(q), SP16));
      let starts = ~spaces & ((spaces << 1) | prevSpace) & 0xffff;
      if (q + 16 > e) starts &= (<u32>1 << <u32>(e - q)) - 1;
      prevSpace = spaces >> 15;
      while (starts != 0) {
        const i = q + <usize>ctz(starts);
        starts &= starts - 1;
        const t0 = <i32>load<u8>(i);
        // Only tokens opening with [ A C D F P R S T U can matter; "[" ends the fields.
        if (<u32>(t0 - 65) > 26) continue;
        if (t0 == 91) { q = e; break; }
        if (((TOKEN_LETTERS >> <u32>(t0 - 65)) & 1) == 0) continue;
        const c1 = <i32>load<u8>(i + 1), c2 = <i32>load<u8>(i + 2), c3 = <i32>load<u8>(i + 3);
        // A three-letter word: the token ends after its third byte.
        const word3 = i + 3 == e || (i + 3 < e && c3 == 32);
        if (t0 == 83 || t0 == 68) {
          if (i + 3 < e && c3 == 61) {
            if ((c1 == 82 && c2 == 67 && t0 == 83) || (c1 == 83 && c2 == 84 && t0 == 68)) {
              const fam = address(i + 4, nextSpace(i + 4, e));
              if (fam == 0 || (family != 0 && fam != family)) { refuse = true; break; }
              family = fam;
              if (t0 == 83) { haveSrc = true; s0 = aw0; s1 = aw1; s2 = aw2; s3 = aw3; }
              else { haveDst = true; d0 = aw0; d1 = aw1; d2 = aw2; d3 = aw3; }
            } else if (c1 == 80 && c2 == 84) {
              const n = uint(i + 4, nextSpace(i + 4, e));
              if (t0 == 83) sp = n; else dp = n;
            }
          } else if (word3 && t0 == 83 && c1 == 89 && c2 == 78) flags |= 0x02;
        } else if (t0 == 80) {
          if (i + 5 < e && load<u8>(i + 5) == 61 && c1 == 82 && c2 == 79 && c3 == 84 && load<u8>(i + 4) == 79) {
            proto = protoWord(i + 6, nextSpace(i + 6, e));
            if (proto < 0) { refuse = true; break; }
          } else if (word3 && c1 == 83 && c2 == 72) flags |= 0x08;
        } else if (t0 == 84) {
          if (i + 4 < e && load<u8>(i + 4) == 61 && c1 == 89 && c2 == 80 && c3 == 69) type = uint(i + 5, nextSpace(i + 5, e));
        } else if (t0 == 67) {
          if (i + 4 < e && load<u8>(i + 4) == 61 && c1 == 79 && c2 == 68 && c3 == 69) code = uint(i + 5, nextSpace(i + 5, e));
        } else if (word3) {
          if (t0 == 65) { if (c1 == 67 && c2 == 75) flags |= 0x10; }
          else if (t0 == 70) { if (c1 == 73 && c2 == 78) flags |= 0x01; }
          else if (t0 == 82) { if (c1 == 83 && c2 == 84) flags |= 0x04; }
          else if (t0 == 85) { if (c1 == 82 && c2 == 71) flags |= 0x20; }
        }
      }
    }
    if (refuse || !haveSrc || !haveDst || proto < 0) break;
    let icmpType: i32 = -1;
    let icmpCode: i32 = -1;
    if (proto == 1) {
      // ICMP: a type that is a flow (decode/icmp.ts icmpNotAFlow), a code of 0-255 or none; a line
      // without TYPE= (a flow of unknown type) is the reference's.
      if (type < 0 || type > 255 || type == 3 || type == 4 || type == 5 || type == 11 || type == 12) break;
      if (code != -2 && (code < 0 || code > 255)) break;
      icmpType = type;
      icmpCode = code == -2 ? -1 : code;
    } else {
      // TCP or UDP: the reference keeps a TYPE= or CODE= it finds there; such lines are its own.
      if (type != -2 || code != -2 || sp < 0 || dp < 0 || sp > 65535 || dp > 65535) break;
    }
    if (proto != 6) flags = -1;
    // The row's fields (batch.ts; the JS reader's `line` writes the same).
    storeRow(<usize>len, family, s0, s1, s2, s3, d0, d1, d2, d3, proto, sp, dp, icmpType, icmpCode, flags, wordValue(a, 1), t, lineNo + <f64>taken, wordValue(a, 0), blocked);
    len++;
    taken++;
    p = nl + 1;
    why = STOP_END;
  }
  stopAt(why, <i32>p, len);
  return taken;
}
