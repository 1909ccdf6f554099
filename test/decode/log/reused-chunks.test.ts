import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createNetfilterDecoder } from "../../../src/decode/log/netfilter.js";
import { createWindowsFirewallDecoder } from "../../../src/decode/log/windows-firewall.js";
import { createCsvDecoder } from "../../../src/decode/log/csv.js";
import type { Decoder } from "../../../src/decode/decoder.js";
import type { EventBatch } from "../../../src/decode/batch.js";
import { eventJson } from "../../../src/pipeline/events.js";
import { decode, options } from "./helpers.js";

/**
 * The file source reads every chunk into one of two buffers that take turns, so a decoder sees the same
 * Buffer object again with other bytes in it. Nothing a decoder remembers about a buffer's bytes (a
 * search result, a word view) may outlive the chunk.
 */
function decodeReusing(make: () => Decoder, data: Buffer, chunk: number) {
  const d = make();
  const events: unknown[] = [];
  const emit = (b: EventBatch) => { for (let i = 0; i < b.length; i++) events.push(eventJson(b, i, "test", d.format)); };
  const bufs = [Buffer.alloc(chunk), Buffer.alloc(chunk)];
  let turn = 0;
  for (let off = 0; off < data.length; off += chunk) {
    const buf = bufs[turn]!;
    turn ^= 1;
    const n = data.copy(buf, 0, off, Math.min(off + chunk, data.length));
    d.push(buf.subarray(0, n), emit);
    // What the decoder was handed is overwritten before the next push, as the file source does.
    buf.fill(0x20);
  }
  d.end(emit);
  return { events, read: d.stats.read, skipped: d.stats.skippedObject() };
}

const files = (dir: string) => readdirSync(dir).filter((f) => !f.endsWith(".json") && !f.endsWith(".md")).map((f) => join(dir, f));

describe("decoders read a source that reuses its buffers", () => {
  const cases: [string, () => Decoder, string[]][] = [
    ["netfilter", () => createNetfilterDecoder(options()), ["fixtures/kcps/kern.log", "fixtures/kcps/journal-short.log", ...files("fixtures/logs/netfilter/handmade")]],
    ["windows-firewall", () => createWindowsFirewallDecoder(options()), files("fixtures/logs/windows-firewall/plaso")],
    ["csv", () => createCsvDecoder(options()), files("fixtures/logs/csv/handmade")],
  ];
  for (const [name, make, paths] of cases) {
    it(`${name}: the same events and accounting as from fresh buffers`, () => {
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) {
        const data = readFileSync(p);
        const fresh = decode(make, data);
        for (const chunk of [5, 64, 333, 4096]) {
          const reused = decodeReusing(make, data, chunk);
          expect(reused.events, `${p} at ${chunk}`).toEqual(fresh.events);
          expect(reused.skipped, `${p} at ${chunk}`).toEqual(fresh.stats.skipped);
        }
      }
    });
  }
});
