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

/** The date part ("YYYY-MM-DDT") of the day last written, as bytes, for `writeIsoTime`. */
let cachedPrefixBytes = new Uint8Array(0);
let cachedBytesDay = NaN;

/**
 * `"YYYY-MM-DDTHH:MM:SS.` of recent seconds, 21 bytes each, in a direct-mapped cache by second: the
 * findings of a large report share seconds (a scan, a day's log), and two times are written per finding.
 */
const SECOND_SLOTS = 4096;
const secondOf = new Float64Array(SECOND_SLOTS).fill(Number.NaN);
const secondText = new Uint8Array(SECOND_SLOTS * 21);

function fillSecond(slot: number, sec: number): void {
  const day = Math.floor(sec / 86_400);
  if (day !== cachedBytesDay) {
    cachedBytesDay = day;
    cachedPrefixBytes = Buffer.from(new Date(day * DAY_MS).toISOString().slice(0, 11), "latin1");
  }
  let r = sec - day * 86_400;
  const h = Math.floor(r / 3600);
  r -= h * 3600;
  const m = Math.floor(r / 60);
  const s = r - m * 60;
  const o = slot * 21;
  secondText[o] = 34;
  secondText.set(cachedPrefixBytes, o + 1);
  secondText[o + 12] = 48 + Math.floor(h / 10);
  secondText[o + 13] = 48 + (h % 10);
  secondText[o + 14] = 58;
  secondText[o + 15] = 48 + Math.floor(m / 10);
  secondText[o + 16] = 48 + (m % 10);
  secondText[o + 17] = 58;
  secondText[o + 18] = 48 + Math.floor(s / 10);
  secondText[o + 19] = 48 + (s % 10);
  secondText[o + 20] = 46;
  secondOf[slot] = sec;
}

/** The time as JSON: the quoted ISO text as `isoTime` gives it, or null. No string is made. */
export function writeIsoTime(w: JsonBytes, ms: number): void {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_TIME_MS) { w.ascii("null"); return; }
  if (ms < 0 || ms >= YEAR_10000_MS) { w.ascii(`"${new Date(ms).toISOString()}"`); return; }
  const t = Math.trunc(ms);
  const sec = Math.floor(t / 1000);
  const slot = sec & (SECOND_SLOTS - 1);
  if (secondOf[slot] !== sec) fillSecond(slot, sec);
  const r = t - sec * 1000;
  w.room(26);
  const b = w.buf;
  let p = w.pos;
  for (let i = slot * 21, end = i + 21; i < end; i++) b[p++] = secondText[i]!;
  b[p++] = 48 + Math.floor(r / 100);
  b[p++] = 48 + (Math.floor(r / 10) % 10);
  b[p++] = 48 + (r % 10);
  b[p++] = 90;
  b[p++] = 34;
  w.pos = p;
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
