/**
 * Timestamps at the start of log lines, read from bytes without creating strings.
 * Forms: RFC 3164 "Mmm dd HH:MM:SS" (no year: `year` is assumed), RFC 3339 / ISO 8601
 * "2026-11-23T09:12:01.123456+09:00" (also with a space instead of "T"), and an optional "<PRI>"
 * and RFC 5424 version "1 " before either. All times without a zone are taken as UTC.
 */

function digits(b: Uint8Array, i: number, n: number, end: number): number {
  if (i + n > end) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = b[i + k]!;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Month 0-11 of a three-letter English month name at `i` (any case), or -1. */
function month3(b: Uint8Array, i: number, end: number): number {
  if (i + 3 > end) return -1;
  const a = b[i]! | 0x20, c = b[i + 1]! | 0x20, d = b[i + 2]! | 0x20;
  switch ((a << 16) | (c << 8) | d) {
    case 0x6a616e: return 0; // jan
    case 0x666562: return 1; // feb
    case 0x6d6172: return 2; // mar
    case 0x617072: return 3; // apr
    case 0x6d6179: return 4; // may
    case 0x6a756e: return 5; // jun
    case 0x6a756c: return 6; // jul
    case 0x617567: return 7; // aug
    case 0x736570: return 8; // sep
    case 0x6f6374: return 9; // oct
    case 0x6e6f76: return 10; // nov
    case 0x646563: return 11; // dec
    default: return -1;
  }
}

/**
 * Date.UTC(year, month, day) for the last date asked: log lines come in time order, so consecutive
 * lines share a day and the calendar arithmetic runs once per day, not per line. Date.UTC(y, m, d, hh,
 * mm, ss) is that day's value plus hh * 3600000 + mm * 60000 + ss * 1000 (ECMA-262 MakeTime, MakeDate),
 * whatever the ranges of hh, mm and ss.
 */
let dayKey = -1;
let dayMs = 0;
export function utcDay(year: number, month: number, day: number): number {
  return dayStart(year, month, day);
}
function dayStart(year: number, month: number, day: number): number {
  const key = (year * 16 + month) * 64 + day;
  if (key !== dayKey) {
    dayMs = Date.UTC(year, month, day);
    dayKey = key;
  }
  return dayMs;
}

/** Where the stamp read by the last `scanTime` ends (see TimeResult.next). */
export const scanned = { next: 0 };

export interface TimeResult {
  /** ms since epoch, NaN when none. */
  time: number;
  /** Offset just after the timestamp (and the space after it), or `start` when none. */
  next: number;
}

/** Offset after a syslog "<PRI>" (RFC 5424 section 6.2.1, RFC 3164 section 4.1.1) at `start`, or `start`. */
export function priorityEnd(b: Uint8Array, start: number, end: number): number {
  if (start < end && b[start] === 60) {
    let j = start + 1;
    while (j < end && j < start + 5 && b[j]! >= 48 && b[j]! <= 57) j++;
    if (j < end && b[j] === 62 && j > start + 1) return j + 1;
  }
  return start;
}

/**
 * Offset after an RFC 5424 "VERSION SP" (a non-zero digit and a space, then a digit of the timestamp or
 * "-" for a nil timestamp) at `i`, or `i` when there is none (RFC 3164 and bare stamps).
 */
export function versionEnd(b: Uint8Array, i: number, end: number): number {
  if (i + 2 < end && b[i]! >= 49 && b[i]! <= 57 && b[i + 1] === 32 && ((b[i + 2]! >= 48 && b[i + 2]! <= 57) || b[i + 2] === 45)) {
    return i + 2;
  }
  return i;
}

/** Skip "<PRI>" and an RFC 5424 version digit. Returns the offset after them. */
export function skipPriority(b: Uint8Array, start: number, end: number): number {
  return versionEnd(b, priorityEnd(b, start, end), end);
}

/**
 * RFC 5424 section 6: after the TIMESTAMP come HOSTNAME APP-NAME PROCID MSGID, each a word or "-", then
 * STRUCTURED-DATA ("-" or one or more "[id key="value" ...]" elements, where a value may hold an escaped
 * "\]" or "\""), then SP and the MSG, which may open with a UTF-8 byte order mark.
 * `i` is the offset just after the timestamp and its space. Returns the offset of MSG, or -1 when the
 * header is not well formed.
 */
export function rfc5424MessageStart(b: Uint8Array, i: number, end: number): number {
  let p = i;
  for (let field = 0; field < 4; field++) {
    const s = p;
    while (p < end && b[p] !== 32) p++;
    if (p === s || p >= end) return -1;
    p++;
  }
  if (b[p] === 45) {
    p++;
  } else {
    if (b[p] !== 91) return -1;
    while (p < end && b[p] === 91) {
      let quoted = false;
      p++;
      while (p < end) {
        const c = b[p]!;
        if (c === 92 && quoted) { p += 2; continue; }
        if (c === 34) quoted = !quoted;
        else if (c === 93 && !quoted) break;
        p++;
      }
      if (p >= end) return -1;
      p++;
    }
  }
  if (p < end && b[p] === 32) p++;
  if (p + 2 < end && b[p] === 0xef && b[p + 1] === 0xbb && b[p + 2] === 0xbf) p += 3;
  return p;
}

/**
 * Read a timestamp at `start` (after any priority). `year` is used for RFC 3164 stamps; `nowMs` picks the
 * previous year for a stamp that would otherwise lie more than a day in the future (logs written in
 * December read in January).
 */
export function readTime(b: Uint8Array, start: number, end: number, year: number, nowMs: number): TimeResult {
  const time = scanTime(b, start, end, year, nowMs);
  return { time, next: scanned.next };
}

/** `readTime` without the result object: returns the time (NaN when none) and sets `scanned.next`. */
export function scanTime(b: Uint8Array, start: number, end: number, year: number, nowMs: number): number {
  const i = start;
  // ISO 8601: YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+hh:mm|-hh:mm]
  if (b[i + 4] === 45) {
    const y = digits(b, i, 4, end);
    if (y >= 0) {
      const t = isoTime(b, i, end, y);
      if (t === t) return t;
    }
  }
  // RFC 3164: "Mmm dd HH:MM:SS " (day may be space-padded)
  const m = month3(b, i, end);
  if (m >= 0 && b[i + 3] === 32) {
    let j = i + 4;
    if (b[j] === 32) j++;
    let d = digits(b, j, 2, end);
    if (d < 0) { d = digits(b, j, 1, end); j += 1; } else j += 2;
    const hh = digits(b, j + 1, 2, end);
    const mm = digits(b, j + 4, 2, end);
    const ss = digits(b, j + 7, 2, end);
    if (d >= 1 && d <= 31 && b[j] === 32 && hh >= 0 && mm >= 0 && ss >= 0 && b[j + 3] === 58 && b[j + 6] === 58) {
      const tod = hh * 3600000 + mm * 60000 + ss * 1000;
      let t = dayStart(year, m, d) + tod;
      if (t > nowMs + 86400000) t = Date.UTC(year - 1, m, d) + tod;
      let k = j + 9;
      // Optional fraction ("Nov 23 09:12:01.123") as some syslog daemons write.
      if (k < end && b[k] === 46) {
        k++;
        let scale = 100;
        while (k < end && b[k]! >= 48 && b[k]! <= 57) { t += (b[k]! - 48) * scale; scale /= 10; k++; }
      }
      if (k < end && b[k] === 32) k++;
      scanned.next = k;
      return t;
    }
  }
  scanned.next = start;
  return NaN;
}

/** The rest of an ISO 8601 stamp whose year `y` is at `i`; NaN when it is not one. Sets `scanned.next`. */
function isoTime(b: Uint8Array, i: number, end: number, y: number): number {
  const mo = digits(b, i + 5, 2, end);
  const d = digits(b, i + 8, 2, end);
  const sep = b[i + 10];
  const hh = digits(b, i + 11, 2, end);
  const mm = digits(b, i + 14, 2, end);
  const ss = digits(b, i + 17, 2, end);
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && (sep === 84 || sep === 32) && hh >= 0 && hh < 24 && mm >= 0 && mm < 60 && ss >= 0 && ss <= 60 && b[i + 7] === 45 && b[i + 13] === 58 && b[i + 16] === 58)) {
    return NaN;
  }
  let j = i + 19;
  let frac = 0;
  if (j < end && (b[j] === 46 || b[j] === 44)) {
    j++;
    let scale = 100;
    while (j < end && b[j]! >= 48 && b[j]! <= 57) {
      frac += (b[j]! - 48) * scale;
      scale /= 10;
      j++;
    }
  }
  let offsetMin = 0;
  if (j < end && (b[j] === 90 || b[j] === 122)) j++;
  else if (j < end && (b[j] === 43 || b[j] === 45)) {
    // "+09:00", "+0900" or "+09".
    const oh = digits(b, j + 1, 2, end);
    const colon = b[j + 3] === 58;
    const om = digits(b, j + (colon ? 4 : 3), 2, end);
    if (oh >= 0 && oh < 24) {
      offsetMin = (oh * 60 + (om >= 0 ? om : 0)) * (b[j] === 43 ? 1 : -1);
      j += om >= 0 ? (colon ? 6 : 5) : 3;
    }
  }
  const t = dayStart(y, mo - 1, d) + (hh * 3600000 + mm * 60000 + ss * 1000) + frac - offsetMin * 60000;
  if (j < end && b[j] === 32) j++;
  scanned.next = j;
  return t;
}
