/**
 * What the WebAssembly fast-path tests of the log readers share (netfilter-wasm, windows-firewall-wasm and
 * csv-wasm .test.ts): a decoder run over data in chunks of a given size, recording every event (each
 * field of the batch), every batch boundary and every skip in order, and the input accounting, so that a
 * fast path and its JS reference can be compared with one toEqual.
 */
import { readdirSync, statSync } from "node:fs";
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
