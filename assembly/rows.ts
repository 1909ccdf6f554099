// What the log row readers (assembly/netfilter.ts, wfw.ts, csv.ts) share: how a run reports where and
// why it stopped (read by src/decode/log/wasm-rows.ts), the day cache, and the dotted IPv4 parser.

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
