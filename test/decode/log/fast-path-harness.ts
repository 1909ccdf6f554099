/**
 * What the WebAssembly fast-path tests of the log readers share (netfilter-wasm, windows-firewall-wasm and
 * csv-wasm .test.ts): a decoder run over data in chunks of a given size, recording every event (each
 * field of the batch), every batch boundary and every skip in order, and the input accounting, so that a
 * fast path and its JS reference can be compared with one toEqual.
 */
import { readdirSync, statSync } from "node:fs";
import { expect } from "vitest";
import { join } from "node:path";
import type { EventBatch } from "../../../src/decode/batch.js";
import type { Decoder } from "../../../src/decode/decoder.js";

const FIELDS = [
  "family", "proto", "srcPort", "dstPort", "icmpType", "icmpCode", "tcpFlags", "action", "time", "position", "frame",
  "label", "blockedBy", "ttl", "iface", "tcpSeq", "history", "count", "payloadLength", "innerProto", "innerSrcPort",
  "innerDstPort",
] as const;
const WIDE = ["src", "dst", "innerSrc", "innerDst"] as const;

function eventRow(b: EventBatch, i: number): unknown[] {
  const row: unknown[] = FIELDS.map((f) => b[f][i]);
  for (const f of WIDE) row.push(...b[f].subarray(i * 4, i * 4 + 4));
  row.push(b.labels.get(b.label[i]!), b.labels.get(b.history[i]!));
  return row;
}

export function run(decoder: Decoder, data: Buffer, chunk: number | undefined): unknown {
  const events: unknown[][] = [];
  const log: unknown[] = [];
  decoder.stats.onSkip = (reason, position, text) => log.push([reason, position, text]);
  const emit = (b: EventBatch) => {
    log.push(b.length);
    for (let i = 0; i < b.length; i++) events.push(eventRow(b, i));
  };
  const step = chunk ?? Math.max(data.length, 1);
  for (let o = 0; o < data.length; o += step) decoder.push(Buffer.from(data.subarray(o, Math.min(o + step, data.length))), emit);
  decoder.end(emit);
  const s = decoder.stats;
  return { events, log, read: s.read, used: s.used, bytes: s.bytes, skipped: s.skippedObject(), samples: s.samples, flowsRead: s.flowsRead, flowsUsed: s.flowsUsed };
}

export function logFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...logFiles(p));
    else if (!name.includes("expected")) out.push(p);
  }
  return out;
}

/** Ways to read a log: chunk size (undefined: whole) and batch capacity. */
export type Ways = readonly [number | undefined, number][];

/**
 * The JS reference (`js`) and the fast path (`fast`) agree on `data` read in each way; returns the largest
 * share of rows the fast path took (so a test can also tell that it really took them).
 */
export function expectSameReaders(
  data: Buffer,
  js: (capacity: number) => Decoder,
  fast: (capacity: number) => { decoder: Decoder; fast: { rowsTaken: number } },
  ways: Ways = [[undefined, 8192], [1, 3], [7, 1], [64, 2], [4096, 5]],
): number {
  let share = 0;
  for (const [chunk, capacity] of ways) {
    const a = run(js(capacity), data, chunk);
    const f = fast(capacity);
    const b = run(f.decoder, data, chunk);
    expect(b, `chunk ${chunk ?? "whole"}, batch ${capacity}`).toEqual(a);
    share = Math.max(share, f.fast.rowsTaken / Math.max(1, f.decoder.stats.read));
  }
  return share;
}

export const V6 = ["fd00::1:c3ae", "fd00::2:9", "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "::ffff:10.1.2.3", "::ffff:a01:203", "fe80::1%eth0", "FD00::ABCD", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::1", "1:2:3:4:5:6:7", ":1::", "1:", "0000:0000::0001", "[::1]", "2001:db8:0:0:1::1", "1:2:3:4::5:6:7", "1:2:3:4:5::6:7:8", "g::1", "1:::2"];
/** An IPv6 address, mostly of the plain forms the fast path reads, sometimes any other. */
export const v6 = (rnd: () => number): string => (rnd() < 0.5 ? `fd00::${Math.floor(rnd() * 65536).toString(16)}:${Math.floor(rnd() * 65536).toString(16)}` : V6[Math.floor(rnd() * V6.length)]!);
