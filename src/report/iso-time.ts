/**
 * ISO 8601 UTC text of a time in milliseconds, exactly as `new Date(ms).toISOString()` writes it, without
 * a Date per call: the date part is made once per day, the time of day from integers and lookup tables.
 * A large report formats two times per finding, so this is on the report's hot path.
 */
import type { JsonBytes } from "./json-bytes.js";

const PAD2 = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, "0"));
const PAD3 = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));
const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: from here on toISOString writes six-digit years. */
const YEAR_10000_MS = 253_402_300_800_000;
/** ECMA-262 time values end at +-8.64e15 ms (+-100,000,000 days); Date throws beyond. */
const MAX_TIME_MS = 8.64e15;

let cachedDay = NaN;
let cachedPrefix = "";

/** The date part ("YYYY-MM-DDT") of a day number since 1970, as bytes, for `writeIsoTime`. */
let cachedPrefixBytes = new Uint8Array(0);
let cachedBytesDay = NaN;

/** The time as JSON: the quoted ISO text as `isoTime` gives it, or null. No string is made. */
export function writeIsoTime(w: JsonBytes, ms: number): void {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_TIME_MS) { w.ascii("null"); return; }
  if (ms < 0 || ms >= YEAR_10000_MS) { w.ascii(`"${new Date(ms).toISOString()}"`); return; }
  const t = Math.trunc(ms);
  const day = Math.floor(t / DAY_MS);
  if (day !== cachedBytesDay) {
    cachedBytesDay = day;
    cachedPrefixBytes = Buffer.from(new Date(day * DAY_MS).toISOString().slice(0, 11), "latin1");
  }
  let r = t - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const s = Math.floor(r / 1000);
  r -= s * 1000;
  w.room(26);
  w.buf[w.pos++] = 34;
  w.bytes(cachedPrefixBytes);
  w.digits2(h);
  w.buf[w.pos++] = 58;
  w.digits2(m);
  w.buf[w.pos++] = 58;
  w.digits2(s);
  const b = w.buf;
  b[w.pos++] = 46;
  b[w.pos++] = 48 + Math.floor(r / 100);
  b[w.pos++] = 48 + (Math.floor(r / 10) % 10);
  b[w.pos++] = 48 + (r % 10);
  b[w.pos++] = 90;
  b[w.pos++] = 34;
}

/**
 * The time as ISO 8601 UTC text with milliseconds; null when it is no time at all: not a finite number,
 * or outside what a date can be (a capture's bogus timestamp resolution can make such a count).
 */
export function isoTime(ms: number): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_TIME_MS) return null;
  if (ms < 0 || ms >= YEAR_10000_MS) return new Date(ms).toISOString(); // rare: the general path
  const t = Math.trunc(ms); // as Date's TimeClip
  const day = Math.floor(t / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let r = t - day * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const s = Math.floor(r / 1000);
  return `${cachedPrefix}${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${PAD3[r - s * 1000]}Z`;
}
