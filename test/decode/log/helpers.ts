import { expect } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { EventBatch } from "../../../src/decode/batch.js";
import type { Decoder } from "../../../src/decode/decoder.js";
import type { SkipSample } from "../../../src/decode/stats.js";
import { defaultDecodeOptions, type DecodeOptions } from "../../../src/decode/log/options.js";
import { eventJson, type EventJson } from "../../../src/pipeline/events.js";

/** The chunk sizes every text fixture is also fed in (undefined: the whole input in one push). */
export const CHUNK_SIZES: readonly (number | undefined)[] = [undefined, 1, 2, 3, 7, 64, 1000];

/** A fixed "now" so RFC 3164 stamps (which carry no year) decode the same on every day of the year. */
export const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

export function options(over: Partial<DecodeOptions> = {}): DecodeOptions {
  return { ...defaultDecodeOptions(NOW), ...over };
}

/** What a decoder's InputStats said, as plain data. */
export interface PlainStats {
  read: number;
  used: number;
  skipped: Record<string, number>;
  samples: SkipSample[];
  /** Flows beside records (src/decode/stats.ts). */
  flows: { read: number; used: number; skipped: Record<string, number> };
}

export interface LogRun {
  events: EventJson[];
  stats: PlainStats;
  error: unknown;
}

/**
 * Feed `data` to a fresh decoder in chunks of `chunkSize` bytes (whole when undefined), end it, and
 * return every event as `portmatrix events` prints it, plus the accounting. The decoder reuses its
 * batch after `emit` returns, so events are copied out at once.
 */
export function decode(make: () => Decoder, data: Uint8Array, chunkSize?: number, input = "test"): LogRun {
  const decoder = make();
  const events: EventJson[] = [];
  const emit = (b: EventBatch): void => {
    for (let i = 0; i < b.length; i++) events.push(eventJson(b, i, input, decoder.format));
  };
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const step = chunkSize ?? Math.max(buf.length, 1);
  let error: unknown = undefined;
  try {
    for (let off = 0; off < buf.length; off += step) {
      // A copy per chunk: a decoder must not keep a reference into a chunk it was given.
      decoder.push(Buffer.from(buf.subarray(off, Math.min(off + step, buf.length))), emit);
    }
    decoder.end(emit);
  } catch (e) {
    error = e;
  }
  const s = decoder.stats;
  return {
    events,
    stats: {
      read: s.read, used: s.used, skipped: s.skippedObject(), samples: s.samples.map((x) => ({ ...x })),
      flows: { read: s.flowsRead, used: s.flowsUsed, skipped: s.flowsSkippedObject() },
    },
    error,
  };
}

/** Decode at every chunk size; returns the whole-input run after checking that every other run equals it. */
export function decodeAtEveryChunkSize(make: () => Decoder, data: Uint8Array): { whole: LogRun; mismatches: string[] } {
  const whole = decode(make, data);
  const mismatches: string[] = [];
  for (const size of CHUNK_SIZES) {
    if (size === undefined) continue;
    const run = decode(make, data, size);
    if (JSON.stringify(run.events) !== JSON.stringify(whole.events)) mismatches.push(`events differ at chunk size ${size}`);
    if (JSON.stringify(run.stats) !== JSON.stringify(whole.stats)) mismatches.push(`stats differ at chunk size ${size}`);
    if (String(run.error) !== String(whole.error)) mismatches.push(`error differs at chunk size ${size}`);
  }
  return { whole, mismatches };
}

/** read = used + every skip, for records and for flows: the invariants every input keeps. */
export function balanced(stats: PlainStats): boolean {
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  return stats.read === stats.used + sum(stats.skipped) && stats.flows.read === stats.flows.used + sum(stats.flows.skipped);
}

/** Variants of a text fixture that must decode to the same events: CRLF endings, no final newline. */
export function lineEndingVariants(data: Buffer): { name: string; data: Buffer }[] {
  const lf = data.toString("latin1").replace(/\r\n/g, "\n");
  const withFinal = lf.endsWith("\n") ? lf : `${lf}\n`;
  const out = [
    { name: "LF", data: Buffer.from(withFinal, "latin1") },
    { name: "CRLF", data: Buffer.from(withFinal.replace(/\n/g, "\r\n"), "latin1") },
  ];
  // Without the last line's newline (when the last line is not itself empty: then there is no such line).
  if (!withFinal.endsWith("\n\n")) {
    const noFinal = withFinal.slice(0, -1);
    out.push({ name: "no final newline", data: Buffer.from(noFinal, "latin1") });
    out.push({ name: "CRLF, no final newline", data: Buffer.from(noFinal.replace(/\n/g, "\r\n"), "latin1") });
  }
  return out;
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A fixture's bytes, by path from the repository root. */
export function fixture(path: string): Buffer {
  return readFileSync(ROOT + path);
}

export function fixtureJsonl<T>(path: string): T[] {
  return fixture(path).toString("utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as T);
}

/** Map an ECS-style expected value to ours. */
export function ecsTransport(t: string): string {
  const x = t.toLowerCase();
  if (x === "ipv6-icmp" || x === "icmpv6") return "icmpv6";
  if (x === "esp") return "ip-proto-50";
  if (x === "ah") return "ip-proto-51";
  return x;
}

/** accept/allow -> allowed, drop/deny/reject/block -> blocked (ECS action.name, event.action). */
export function ecsAction(a: string | undefined): "allowed" | "blocked" | undefined {
  if (a === undefined) return undefined;
  const x = a.toLowerCase();
  if (/accept|allow|permit|pass/.test(x)) return "allowed";
  if (/drop|deny|reject|block/.test(x)) return "blocked";
  return undefined;
}

/** IPv6 text as we print it (RFC 5952), for comparing with a source that prints it expanded. */
export function canonicalIp(s: string): string {
  if (!s.includes(":")) return s;
  const [head, tail] = s.split("::") as [string, string | undefined];
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined ? [] : tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill("0"), ...t];
  const g = groups.map((x) => parseInt(x, 16));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

/**
 * One line through a fresh decoder: the event it gave, or the one reason it was skipped. Asserts what
 * every vendor test relies on: one record read, no error, at most one skip reason.
 */
export function decodeOne(make: () => Decoder, line: string): { event?: EventJson; skipped?: string } {
  const run = decode(make, Buffer.from(`${line}\n`));
  expect(run.stats.read).toBe(1);
  expect(run.error).toBeUndefined();
  if (run.events.length === 1) return { event: run.events[0]! };
  const reasons = Object.keys(run.stats.skipped);
  expect(reasons).toHaveLength(1);
  return { skipped: reasons[0]! };
}

/**
 * One record (which may hold several flows) through a fresh decoder: all its events, the first, and the
 * first skip reason. Asserts no error and that the accounting adds up (read = used + skipped).
 */
export function decodeRecord(make: () => Decoder, line: string): { events: EventJson[]; event?: EventJson; skipped?: string } {
  const run = decode(make, Buffer.from(`${line.replace(/\n+$/, "")}\n`));
  expect(run.error).toBeUndefined();
  expect(balanced(run.stats)).toBe(true);
  const reasons = Object.keys(run.stats.skipped);
  const out: { events: EventJson[]; event?: EventJson; skipped?: string } = { events: run.events };
  if (run.events.length > 0) out.event = run.events[0]!;
  if (reasons.length > 0) out.skipped = reasons[0]!;
  return out;
}

/** The 5-tuple, action and evidence of an event, as vendor tests compare them. */
export function flowOf(e: EventJson) {
  return { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action, evidence: e.evidence };
}
