// The Windows Firewall row reader's fast path in WebAssembly (issue 18), compiled by scripts/build-wasm.mjs
// to dist/wasm/wfw.wasm and driven by src/decode/log/windows-firewall-wasm.ts. It takes whole lines of a
// chunk for as long as each is an ordinary row that the JS reference (src/decode/log/windows-firewall.ts,
// WindowsFirewallFormat.line) would use as a TCP or UDP event between two dotted IPv4 or plain IPv6 addresses, or ICMP between IPv4 ones, and
// writes that event into the batch exactly as the reference would. It never skips a line: at any other line (a
// header, a row the reference skips, an ICMP error, IPv6, a time with a fraction, an action or protocol word not
// learnt yet, a new day) it stops and leaves the line to the reference, so every skip, every label and
// every error is the reference's own. test/decode/log/windows-firewall-wasm.test.ts holds the two to the
// same events and accounting. Change both together.
//
// Memory is imported and laid out by the JS side (src/decode/log/wasm-rows.ts): the batch's typed arrays,
// the chunk area, and an extra area for the row's tokens and the learnt words.

import { setBatchLayout, capacity } from "./batch";
import { setWordStore, learnWord, nextWordSlot, findWord, wordValue } from "./words";
import { STOP_END, STOP_FULL, STOP_LINE, STOP_DAY, stopAt, storeRow, address, aw0, aw1, aw2, aw3, dayKey, dayMs, askDay, forgetDay } from "./rows";

// ---- layout (set once by init) ----
/** Token bounds of the current row: (start, end) i32 pairs, MAX_TOKENS of them. */
let pTok: usize = 0;
let blockedByDestination: i32 = 0;

export function init(
  cap: i32, family: usize, src: usize, dst: usize, proto: usize, srcPort: usize, dstPort: usize,
  icmpType: usize, icmpCode: usize, tcpFlags: usize, action: usize, time: usize, position: usize,
  frame: usize, label: usize, blockedBy: usize, ttl: usize, iface: usize, tcpSeq: usize,
  history: usize, cnt: usize, payload: usize, innerProto: usize, innerSrc: usize, innerDst: usize,
  innerSrcPort: usize, innerDstPort: usize, extra: usize, wordsOffset: i32, blockedDest: i32,
): void {
  setBatchLayout(cap, family, src, dst, proto, srcPort, dstPort, icmpType, icmpCode, tcpFlags, action, time,
    position, frame, label, blockedBy, ttl, iface, tcpSeq, history, cnt, payload, innerProto, innerSrc, innerDst,
    innerSrcPort, innerDstPort);
  pTok = extra; setWordStore(extra + <usize>wordsOffset, 32, 2); blockedByDestination = blockedDest;
  forgetDay();
}

// ---- the row's columns (WindowsFirewallFormat.cols; -1 when absent) ----
const MAX_TOKENS: i32 = 64;
/** lines.ts MAX_LINE_BYTES: a longer line is the reference's to skip. */
const MAX_LINE_BYTES: i32 = 1 << 20;
let cDate: i32 = -1;
let cTime: i32 = -1;
let cAction: i32 = -1;
let cProtocol: i32 = -1;
let cSrc: i32 = -1;
let cDst: i32 = -1;
let cSport: i32 = -1;
let cDport: i32 = -1;
let cFlags: i32 = -1;
let cPath: i32 = -1;
let cIcmpType: i32 = -1;
let cIcmpCode: i32 = -1;
/** Tokens a row must have (the "#Fields:" count), or 0 before a "#Fields:" line: then 17 or 18. */
let want: i32 = 0;

export function columns(date: i32, time: i32, action: i32, protocol: i32, src: i32, dst: i32, sport: i32, dport: i32, flags: i32, path: i32, icmpType: i32, icmpCode: i32, fieldCount: i32): void {
  cDate = date; cTime = time; cAction = action; cProtocol = protocol; cSrc = src; cDst = dst;
  cSport = sport; cDport = dport; cFlags = flags; cPath = path; cIcmpType = icmpType; cIcmpCode = icmpCode; want = fieldCount;
}

// ---- learnt words: action words (label id, action code) and protocol words (TCP or UDP) ----
export function learnAction(len: i32, labelId: i32, actionCode: i32): bool { return learnWord(0, len, labelId, actionCode); }
export function learnProto(len: i32, proto: i32): bool { return learnWord(1, len, proto, 0); }
/** Where JS writes the bytes of the next action (k = 0) or protocol (k = 1) word to learn. */
export function nextWordAt(k: i32): usize { return nextWordSlot(k); }

// ---- the day cache (assembly/rows.ts) ----
export { setDay, dayYear, dayMonth, dayOfMonth } from "./rows";

// ---- run state ----
/** Why the last run stopped. */
export { STOP_END, STOP_FULL, STOP_LINE, STOP_DAY, stoppedBecause, stoppedAt, lengthAfter } from "./rows";

const NL16 = i8x16.splat(10);
const SP16 = i8x16.splat(32);
const TAB16 = i8x16.splat(9);

@inline function tokS(k: i32): usize { return <usize>load<i32>(pTok + <usize>(k << 3)); }
@inline function tokE(k: i32): usize { return <usize>load<i32>(pTok + <usize>(k << 3) + 4); }
@inline function isDash(k: i32): bool { return tokE(k) - tokS(k) == 1 && load<u8>(tokS(k)) == 45; }

/** windows-firewall.ts uint: 1 to 9 digits, else -1. */
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

/** A usable column: inside the row and not "-" (WindowsFirewallFormat.at). */
@inline function present(col: i32, n: i32): bool { return col >= 0 && col < n && !isDash(col); }

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
    // One pass over the line, 16 bytes at a time: the tokens (runs of bytes other than space and tab)
    // and the line's end ("\n"), as the reference's line split and token loop give them.
    let n: i32 = 0;
    let nl: usize = 0;
    let q = p;
    let prevSep: u32 = 1;
    let tokStart: usize = 0;
    while (true) {
      if (q >= stop) break;
      const v = v128.load(q);
      let nlBits = <u32>i8x16.bitmask(i8x16.eq(v, NL16));
      let sep = <u32>i8x16.bitmask(v128.or(i8x16.eq(v, SP16), i8x16.eq(v, TAB16)));
      let limit: u32 = 16;
      if (q + 16 > stop) limit = <u32>(stop - q);
      if (nlBits != 0) {
        const k = <u32>ctz(nlBits);
        if (k < limit) limit = k;
      }
      // Bytes from `limit` on are not this line's: as separators they close a token open there.
      if (limit < 16) sep |= (0xffff << limit) & 0xffff;
      const shifted = ((sep << 1) | prevSep) & 0xffff;
      let edges = (sep ^ shifted) & 0xffff;
      while (edges != 0) {
        const k = <usize>ctz(edges);
        edges &= edges - 1;
        if ((sep >> <u32>k) & 1) {
          // A token ends before byte k.
          if (n < MAX_TOKENS) {
            store<i32>(pTok + <usize>(n << 3), <i32>tokStart);
            store<i32>(pTok + <usize>(n << 3) + 4, <i32>(q + k));
          }
          n++;
        } else {
          tokStart = q + k;
        }
      }
      if (limit < 16) { nl = q + <usize>limit; break; }
      prevSep = sep >> 15;
      q += 16;
    }
    if (q >= stop || nl >= stop || load<u8>(nl) != 10) { why = STOP_END; break; }
    why = STOP_LINE;
    if (<i32>(nl - p) > MAX_LINE_BYTES) break;
    if (nl == p || load<u8>(p) == 35 || n == 0 || n > MAX_TOKENS) break;
    if (load<u8>(nl - 1) == 13) {
      // The "\r" of a CRLF line is no part of the row: it ends the last token, or is the whole of it.
      const last = (n - 1) << 3;
      if (load<i32>(pTok + <usize>last) == <i32>(nl - 1)) n--;
      else store<i32>(pTok + <usize>last + 4, <i32>(nl - 1));
    }
    if (want > 0 ? n != want : n < 17 || n > 18) break;
    // "YYYY-MM-DD" "HH:MM:SS" (a fraction of a second is the reference's).
    if (!present(cDate, n) || !present(cTime, n)) break;
    const d0 = tokS(cDate);
    const t0 = tokS(cTime);
    if (tokE(cDate) - d0 != 10 || tokE(cTime) - t0 != 8 || load<u8>(d0 + 4) != 45 || load<u8>(d0 + 7) != 45 || load<u8>(t0 + 2) != 58 || load<u8>(t0 + 5) != 58) break;
    const y = uint(d0, d0 + 4);
    const mo = uint(d0 + 5, d0 + 7);
    const da = uint(d0 + 8, d0 + 10);
    const hh = uint(t0, t0 + 2);
    const mm = uint(t0 + 3, t0 + 5);
    const ss = uint(t0 + 6, t0 + 8);
    if (y < 0 || mo < 1 || mo > 12 || da < 1 || da > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) break;
    const key = (y * 16 + (mo - 1)) * 64 + da;
    if (key != dayKey) { askDay(y, mo - 1, da); why = STOP_DAY; break; }
    if (!present(cAction, n) || !present(cProtocol, n) || !present(cSrc, n) || !present(cDst, n)) break;
    const a = findWord(0, tokS(cAction), tokE(cAction));
    if (a < 0) break;
    const pw = findWord(1, tokS(cProtocol), tokE(cProtocol));
    if (pw < 0) break;
    // Dotted IPv4 or the plain forms of IPv6, both of one family (anything else is the reference's).
    const family = address(tokS(cSrc), tokE(cSrc));
    const s0 = aw0, s1 = aw1, s2 = aw2, s3 = aw3;
    if (family == 0 || address(tokS(cDst), tokE(cDst)) != family) break;
    const proto = wordValue(pw, 0);
    let sp: i32 = -1;
    let dp: i32 = -1;
    let flags: i32 = -1;
    let icmpType: i32 = -1;
    let icmpCode: i32 = -1;
    if (proto == 1) {
      if (family != 4) break;
      // ICMP (a word the reference read as ICMP between IPv4 addresses): "-" or no field is a flow of
      // unknown type; a type over 255 is read as unknown; an error type is the reference's. The code is
      // stored as the reference stores it (into the batch's 16-bit column).
      if (present(cIcmpType, n)) {
        icmpType = uint(tokS(cIcmpType), tokE(cIcmpType));
        if (icmpType > 255) icmpType = -1;
      }
      if (icmpType == 3 || icmpType == 4 || icmpType == 5 || icmpType == 11 || icmpType == 12) break;
      if (present(cIcmpCode, n)) icmpCode = uint(tokS(cIcmpCode), tokE(cIcmpCode));
    } else {
      if (!present(cSport, n) || !present(cDport, n)) break;
      sp = uint(tokS(cSport), tokE(cSport));
      dp = uint(tokS(cDport), tokE(cDport));
      if (sp < 0 || dp < 0 || sp > 65535 || dp > 65535) break;
      if (proto == 6 && present(cFlags, n)) {
        // Letters as Windows writes them: S(YN) A(CK) F(IN) R(ST) P(SH) U(RG).
        flags = 0;
        for (let k = tokS(cFlags); k < tokE(cFlags); k++) {
          const ch = <i32>load<u8>(k) | 0x20;
          if (ch == 115) flags |= 0x02;
          else if (ch == 97) flags |= 0x10;
          else if (ch == 102) flags |= 0x01;
          else if (ch == 114) flags |= 0x04;
          else if (ch == 112) flags |= 0x08;
          else if (ch == 117) flags |= 0x20;
        }
      }
    }
    let blocked: i32 = 0;
    if (present(cPath, n) && tokE(cPath) - tokS(cPath) == 7 && load<u8>(tokS(cPath)) == 82 && load<u8>(tokS(cPath) + 2) == 67) blocked = blockedByDestination;
    // The row's fields (batch.ts; the JS reader's `line` writes the same).
    storeRow(<usize>len, family, s0, s1, s2, s3, aw0, aw1, aw2, aw3, proto, sp, dp, icmpType, icmpCode, flags, wordValue(a, 1), dayMs + <f64>(hh * 3600000 + mm * 60000 + ss * 1000), lineNo + <f64>taken, wordValue(a, 0), blocked);
    len++;
    taken++;
    p = nl + 1;
    why = STOP_END;
  }
  stopAt(why, <i32>p, len);
  return taken;
}
