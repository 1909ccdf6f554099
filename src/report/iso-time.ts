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
/** A slot's bytes: the 21 of its text, then 3 unused (so that putSeenAt copies it as six aligned words). */
const SECOND_BYTES = 24;
const secondText = new Uint8Array(SECOND_SLOTS * SECOND_BYTES);
const secondView = new DataView(secondText.buffer);

/** The slot of second `sec` in the table of seconds' texts, filled when it held another second. */
function slotOf(sec: number): number {
  const slot = sec & (SECOND_SLOTS - 1);
  if (secondOf[slot] !== sec) fillSecond(slot, sec);
  return slot;
}

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
  const o = slot * SECOND_BYTES;
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

/** Where writeIsoTime puts its time for putIsoTimeAt. */
const ONE_TIME = new Float64Array(1);

/** The time as JSON: the quoted ISO text as `isoTime` gives it, or null. No string is made. */
export function writeIsoTime(w: JsonBytes, ms: number): void {
  w.room(MAX_TIME_JSON);
  ONE_TIME[0] = ms;
  const p = putIsoTimeAt(w.buf, w.pos, ONE_TIME, 0);
  if (p >= 0) w.pos = p;
  else writeIsoTimeRare(w, ms);
}

/** Bytes of the longest time `putIsoTimeAt` writes: `"YYYY-MM-DDTHH:MM:SS.mmmZ"`. */
const MAX_TIME_JSON = 26;

/**
 * `key` and the time `f64[i]` as JSON, e.g. `,"firstSeen":"2026-11-01T00:13:12.000Z"`. The time is read
 * here, not passed in: a double passed to a call that is not inlined is boxed (a heap number per call),
 * and the report writes two times for each of its findings.
 */
export function writeKeyTimeAt(w: JsonBytes, key: Uint8Array, f64: Float64Array, i: number): void {
  const n = key.length;
  w.room(n + MAX_TIME_JSON);
  const b = w.buf;
  let p = w.pos;
  for (let j = 0; j < n; j++) b[p++] = key[j]!;
  const end = putIsoTimeAt(b, p, f64, i);
  if (end >= 0) { w.pos = end; return; }
  w.pos = p;
  writeIsoTimeRare(w, f64[i]!);
}

/**
 * `,"firstSeen":..,"lastSeen":..` of a finding whose times are f64[first] and f64[last], room for both
 * made at once (the large JSON report's one call for its two times).
 */
export function writeSeenAt(w: JsonBytes, f64: Float64Array, first: number, last: number): void {
  w.room(FIRST_SEEN.length + LAST_SEEN.length + 2 * MAX_TIME_JSON);
  const b = w.buf;
  const p = putKeyTimeAt(b, putKeyTimeAt(b, w.pos, FIRST_SEEN, f64, first), LAST_SEEN, f64, last);
  if (p >= 0) { w.pos = p; return; }
  writeKeyTimeAt(w, FIRST_SEEN, f64, first);
  writeKeyTimeAt(w, LAST_SEEN, f64, last);
}

/**
 * `,"firstSeen":..,"lastSeen":..` at b[p..] (78 bytes of room made by the caller) when both times are
 * in years 1970-9999: returns the position after them, or -1 (the bytes written meant to be
 * overwritten) when either is not; writeSeenAt writes every time. The keys and each time's second are
 * copied four bytes a store (a DataView over b, little-endian whatever the platform's order): a key's
 * last word and a second's last word run over into bytes that the next part then writes.
 */
export function putSeenAt(b: Uint8Array, p: number, f64: Float64Array, first: number, last: number): number {
  if (b !== viewed) { viewed = b; view = new DataView(b.buffer, b.byteOffset, b.byteLength); }
  const dv = view;
  dv.setInt32(p, FIRST_WORDS[0]!, true);
  dv.setInt32(p + 4, FIRST_WORDS[1]!, true);
  dv.setInt32(p + 8, FIRST_WORDS[2]!, true);
  dv.setInt32(p + 12, FIRST_WORDS[3]!, true);
  const q = putTimeWords(b, dv, p + 13, f64, first);
  if (q < 0) return -1;
  dv.setInt32(q, LAST_WORDS[0]!, true);
  dv.setInt32(q + 4, LAST_WORDS[1]!, true);
  dv.setInt32(q + 8, LAST_WORDS[2]!, true);
  return putTimeWords(b, dv, q + 12, f64, last);
}

/** The output buffer putSeenAt last wrote in, and a DataView of it. */
let viewed: Uint8Array = new Uint8Array(0);
let view = new DataView(viewed.buffer);

/** What putIsoTimeAt writes, with the second's 21 bytes copied as six words from secondText (24 bytes, 3 rewritten). */
function putTimeWords(b: Uint8Array, dv: DataView, p: number, f64: Float64Array, i: number): number {
  const ms = f64[i]!;
  if (!(ms >= 0 && ms < YEAR_10000_MS)) return -1;
  const t = Math.trunc(ms);
  const sec = Math.floor(t / 1000);
  const slot = slotOf(sec);
  const r = (t - sec * 1000) | 0;
  const o = slot * SECOND_BYTES;
  dv.setInt32(p, secondView.getInt32(o, true), true);
  dv.setInt32(p + 4, secondView.getInt32(o + 4, true), true);
  dv.setInt32(p + 8, secondView.getInt32(o + 8, true), true);
  dv.setInt32(p + 12, secondView.getInt32(o + 12, true), true);
  dv.setInt32(p + 16, secondView.getInt32(o + 16, true), true);
  dv.setInt32(p + 20, secondView.getInt32(o + 20, true), true);
  const hundreds = (r / 100) | 0, tens = (r / 10) | 0;
  b[p + 21] = 48 + hundreds;
  b[p + 22] = 48 + tens - hundreds * 10;
  b[p + 23] = 48 + r - tens * 10;
  b[p + 24] = 90;
  b[p + 25] = 34;
  return p + 26;
}

const FIRST_SEEN = Buffer.from(',"firstSeen":', "latin1");
const LAST_SEEN = Buffer.from(',"lastSeen":', "latin1");
/** The keys as little-endian words, the last one padded with zeros (written over by the time after it). */
const keyWords = (key: Uint8Array): Int32Array => {
  const padded = new Uint8Array(Math.ceil(key.length / 4) * 4);
  padded.set(key);
  const dv = new DataView(padded.buffer);
  return Int32Array.from({ length: padded.length / 4 }, (_, j) => dv.getInt32(4 * j, true));
};
const FIRST_WORDS = keyWords(FIRST_SEEN);
const LAST_WORDS = keyWords(LAST_SEEN);

/** putIsoTimeAt after `key`; -1 (nothing meant to be kept) when p is -1 or the time is not one it writes. */
function putKeyTimeAt(b: Uint8Array, p: number, key: Uint8Array, f64: Float64Array, i: number): number {
  if (p < 0) return -1;
  for (let j = 0, n = key.length; j < n; j++) b[p++] = key[j]!;
  return putIsoTimeAt(b, p, f64, i);
}

/**
 * Writes the quoted ISO text of the time f64[i], when in years 1970-9999, at b[p..] (26 bytes of room
 * made by the caller) and returns the position after it; returns -1 and writes nothing for any other time.
 */
function putIsoTimeAt(b: Uint8Array, p: number, f64: Float64Array, i: number): number {
  const ms = f64[i]!;
  if (!(ms >= 0 && ms < YEAR_10000_MS)) return -1;
  const t = Math.trunc(ms);
  const sec = Math.floor(t / 1000);
  const slot = slotOf(sec);
  // The milliseconds as an int32: integer division, where doubles took a floating-point remainder each.
  const r = (t - sec * 1000) | 0;
  for (let j = slot * SECOND_BYTES, end = j + 21; j < end; j++) b[p++] = secondText[j]!;
  const hundreds = (r / 100) | 0, tens = (r / 10) | 0;
  b[p++] = 48 + hundreds;
  b[p++] = 48 + tens - hundreds * 10;
  b[p++] = 48 + r - tens * 10;
  b[p++] = 90;
  b[p++] = 34;
  return p;
}

/** The times putIsoTimeAt does not write: null for no time, Date's text before 1970 and from year 10000. */
function writeIsoTimeRare(w: JsonBytes, ms: number): void {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_TIME_MS) w.ascii("null");
  else w.ascii(`"${new Date(ms).toISOString()}"`);
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
