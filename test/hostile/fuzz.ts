/**
 * Mutation fuzzing of every decoder, seeded from the real fixtures. For each input: no exception but
 * an InputError, read = used + skipped by reason, and decoding finishes within a bound proportional to
 * the input's size. Used by fuzz.test.ts (a short budget in the test suite) and by `npm run fuzz`.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decoderFor, detectFormat, knownFormats } from "../../src/pipeline/formats.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { InputError } from "../../src/errors.js";
import type { EventBatch } from "../../src/decode/batch.js";

export interface Seed { path: string; format: string; bytes: Buffer }

function walk(dir: string, out: string[]): void {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.size > 0 && st.size < 512 * 1024 && !/\.(md|json|jsonl|csv\.oracle|txt|sh|py|yaml)$/i.test(n) && !n.endsWith(".tshark.csv")) out.push(p);
  }
}

/** Every fixture file whose format is detected, grouped so each format has seeds. */
export function seeds(): Seed[] {
  const files: string[] = [];
  for (const d of ["fixtures/pcap", "fixtures/logs", "fixtures/kcps", "fixtures/lab/captures"]) walk(d, files);
  const out: Seed[] = [];
  for (const path of files) {
    let bytes = readFileSync(path);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) { try { bytes = gunzipSync(bytes); } catch { continue; } }
    const format = detectFormat(bytes.subarray(0, 64 * 1024));
    if (format && knownFormats().includes(format)) out.push({ path, format, bytes });
  }
  return out;
}

/** The PRNG the decoder tests already use (mulberry32). */
export { prng as rng } from "../decode/pcap/mutate.js";

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x22, 0x2c, 0x3d, 0x5b, 0x1b];

/** Mutate bytes: flips, interesting bytes, 32-bit length-field smashes, slice deletes/duplicates, truncation. */
export function mutate(input: Buffer, r: () => number): Buffer {
  let b = Buffer.from(input);
  const n = 1 + Math.floor(r() * 8);
  for (let k = 0; k < n && b.length > 0; k++) {
    const at = Math.floor(r() * b.length);
    switch (Math.floor(r() * 7)) {
      case 0: b[at] = b[at]! ^ (1 << Math.floor(r() * 8)); break;
      case 1: b[at] = INTERESTING[Math.floor(r() * INTERESTING.length)]!; break;
      case 2: if (at + 4 <= b.length) b.writeUInt32LE([0, 0xffffffff, 0x7fffffff, 0x10000, 65535, 12, 3][Math.floor(r() * 7)]!, at); break;
      case 3: { const len = Math.floor(r() * 64); b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + len))]); break; }
      case 4: { const len = Math.floor(r() * 64); b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]); break; }
      case 5: b = b.subarray(0, at); break;
      default: { const junk = Buffer.alloc(1 + Math.floor(r() * 16)); for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(r() * 256); b = Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]); }
    }
  }
  return b;
}

export interface FuzzOutcome {
  read: number;
  used: number;
  skipped: number;
  error?: string;
  /** Wall-clock milliseconds (reported, never judged: a loaded machine stretches them). */
  ms: number;
  /** CPU milliseconds (user + system) this process spent decoding: what the time bound judges. */
  cpuMs: number;
}

/** Decode `bytes` as `format`, fed in chunks of `chunk` bytes. Throws on anything but an InputError. */
export function decodeOnce(format: string, bytes: Buffer, chunk: number): FuzzOutcome {
  const d = decoderFor(format, defaultDecodeOptions(Date.UTC(2026, 10, 23)), "fuzz")!;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let events = 0;
  const emit = (b: EventBatch) => { events += b.length; };
  let error: string | undefined;
  try {
    for (let off = 0; off < bytes.length; off += chunk) d.push(bytes.subarray(off, Math.min(bytes.length, off + chunk)), emit);
    d.end(emit);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    error = e.message;
  }
  void events;
  const s = d.stats;
  const cpu = process.cpuUsage(cpu0);
  return { read: s.read, used: s.used, skipped: s.skipped, ...(error !== undefined ? { error } : {}), ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * CPU milliseconds an input of this size may take before it counts as a hang: a decoder that loops or
 * goes quadratic blows far past it, while the linear decoders use a few percent of it. CPU time, not
 * wall time, so that other processes on a busy machine cannot make a sound input look slow.
 */
export function timeBound(size: number): number {
  return 250 + size / 500;
}
