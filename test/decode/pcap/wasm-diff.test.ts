/**
 * The WebAssembly pcap decoder (src/decode/pcap/wasm.ts, assembly/pcap.ts) against the JS reference
 * (classic.ts): on every classic pcap of the corpus and of fixtures/, fed whole and in odd chunk sizes,
 * with a tiny batch (the flush points), and on mutated copies, both must give the same events (every
 * field of the batch), the same batches, the same accounting (read, used, skips by reason, samples,
 * every skip's offset in order, stoppedAt), the same error, and the same connections out of the flow
 * tracker with its reclassifications.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { EventBatch } from "../../../src/decode/batch.js";
import type { Decoder } from "../../../src/decode/decoder.js";
import { createPcapDecoder, pcapFormat } from "../../../src/decode/pcap/classic.js";
import { createWasmPcapDecoder, pcapDecoderKind, pcapWasmModule } from "../../../src/decode/pcap/wasm.js";
import { createConnectionDecoder } from "../../../src/flow/capture-decoder.js";
import { corpusDir, describeNeeding, needCorpus, REPO_ROOT } from "../../helpers/need.js";
import { mutate, prng } from "./mutate.js";
import { pcapFiles } from "../../helpers/pcap-files.js";

/** Every array of the batch, slot by slot: nothing a consumer could read is left out. */
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

interface Outcome {
  events: unknown[][];
  /** Each batch handed over and each skip counted, in the order they happened. */
  log: unknown[];
  stats: unknown;
  error: string | undefined;
}

function run(decoder: Decoder & { stoppedAt?: number | undefined }, data: Buffer, chunk: number | undefined): Outcome {
  const events: unknown[][] = [];
  const log: unknown[] = [];
  decoder.stats.onSkip = (reason, position) => log.push([reason, position]);
  const emit = (b: EventBatch) => {
    log.push(b.length);
    for (let i = 0; i < b.length; i++) events.push(eventRow(b, i));
  };
  const step = chunk ?? Math.max(data.length, 1);
  let error: string | undefined;
  try {
    for (let o = 0; o < data.length; o += step) decoder.push(data.subarray(o, Math.min(o + step, data.length)), emit);
    decoder.end(emit);
  } catch (e) {
    error = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  }
  const s = decoder.stats;
  const stats = {
    read: s.read, used: s.used, bytes: s.bytes, skipped: s.skippedObject(), samples: s.samples,
    flowsRead: s.flowsRead, flowsUsed: s.flowsUsed, stoppedAt: decoder.stoppedAt,
  };
  return { events, log, stats, error };
}

type Make = (capacity: number) => Decoder & { stoppedAt?: number | undefined };
const js: Make = (batchCapacity) => createPcapDecoder("f.pcap", { batchCapacity });
const wasm: Make = (batchCapacity) => createWasmPcapDecoder("f.pcap", { batchCapacity });
/** Packets through the flow tracker, as `check` reads a capture. */
const connections = (make: Make): Make => (c) => {
  const packets = make(c);
  return Object.assign(createConnectionDecoder(packets), { get stoppedAt() { return (packets as { stoppedAt?: number }).stoppedAt; } });
};

/** Both decoders agree on `data` read in each way. */
function expectSame(data: Buffer, ways: readonly [number | undefined, number][] = [[undefined, 8192], [7, 3], [4096, 1]]): void {
  for (const [chunk, capacity] of ways) {
    const a = run(js(capacity), data, chunk);
    const b = run(wasm(capacity), data, chunk);
    expect(b, `chunk ${chunk ?? "whole"}, batch ${capacity}`).toEqual(a);
  }
  for (const capacity of [8192, 2]) {
    const a = run(connections(js)(capacity), data, undefined);
    const b = run(connections(wasm)(capacity), data, undefined);
    expect(b, `through the flow tracker, batch ${capacity}`).toEqual(a);
  }
}


const FIXTURE_PCAPS = pcapFiles(join(REPO_ROOT, "fixtures"));

describe("the WebAssembly pcap decoder", () => {
  it("was built by npm run build, and is what a pcap is read with unless told otherwise", () => {
    expect(pcapWasmModule()).toBeDefined();
    expect(pcapDecoderKind({})).toBe("wasm");
    expect(pcapDecoderKind({ PORTMATRIX_PCAP_DECODER: "js" })).toBe("js");
    expect(pcapDecoderKind({ PORTMATRIX_PCAP_DECODER: "wasm" })).toBe("wasm");
    // The format record (what check, why and events use) follows the choice.
    const made = (env: string | undefined) => {
      const old = process.env.PORTMATRIX_PCAP_DECODER;
      if (env === undefined) delete process.env.PORTMATRIX_PCAP_DECODER;
      else process.env.PORTMATRIX_PCAP_DECODER = env;
      try {
        return "chunkArea" in pcapFormat.create({} as never, "f.pcap");
      } finally {
        if (old === undefined) delete process.env.PORTMATRIX_PCAP_DECODER;
        else process.env.PORTMATRIX_PCAP_DECODER = old;
      }
    };
    expect(made(undefined)).toBe(true);
    expect(made("js")).toBe(false);
  });

  it("finds classic pcap fixtures to compare on", () => {
    expect(FIXTURE_PCAPS.length).toBeGreaterThan(40);
  });

  for (const p of FIXTURE_PCAPS) {
    it(`gives what the JS decoder gives: ${relative(REPO_ROOT, p)}`, () => {
      const data = readFileSync(p);
      expectSame(data, [[undefined, 8192], [1, 2], [7, 3], [4096, 1]]);
    });
  }

  it("gives what the JS decoder gives on mutated and cut captures", () => {
    const rnd = prng(18);
    const seeds = FIXTURE_PCAPS.filter((_, k) => k % 3 === 0);
    for (const p of seeds) {
      const data = readFileSync(p);
      for (let k = 0; k < 25; k++) {
        // Mostly damage past the file header (records and frames); sometimes in it.
        const bad = mutate(data, rnd, rnd() < 0.1 ? 0 : 24);
        expectSame(bad, [[undefined, 8192], [13, 2]]);
      }
    }
  }, 120_000);

  it("gives the same when each chunk is read straight into its memory (chunkArea)", () => {
    for (const p of FIXTURE_PCAPS.filter((_, k) => k % 4 === 0)) {
      const data = readFileSync(p);
      for (const chunk of [5, 100, 4096]) {
        const d = createWasmPcapDecoder("f.pcap", { batchCapacity: 3 });
        const direct: Decoder = {
          format: d.format,
          stats: d.stats,
          // What a source reading into the module's memory does: the bytes land in chunkArea(), which
          // exists once the file header has been read.
          push(c, emit) {
            const area = d.chunkArea();
            if (area === undefined) return d.push(c, emit);
            c.copy(area, 0);
            d.push(area.subarray(0, c.length), emit);
          },
          end: (emit) => d.end(emit),
        };
        expect(run(direct, data, chunk), `${relative(REPO_ROOT, p)} chunk ${chunk}`).toEqual(run(js(3), data, chunk));
      }
    }
  });

  it("gives what the JS decoder gives on headers cut short and absurd record lengths", () => {
    const data = readFileSync(FIXTURE_PCAPS.find((p) => p.endsWith("dns_tcp.pcap"))!);
    for (let cut = 0; cut <= 60; cut++) expectSame(data.subarray(0, cut));
    const absurd = Buffer.from(data);
    absurd.writeUInt32LE(0x7fffffff, 24 + 8);
    expectSame(absurd);
    const bigSnap = Buffer.from(data);
    bigSnap.writeUInt32LE(1 << 20, 16);
    expectSame(bigSnap);
  });
});

describeNeeding([needCorpus], "the WebAssembly pcap decoder on the shared corpus", () => {
  const dir = join(corpusDir()!, "pcap");
  const files = pcapFiles(dir);
  it("finds the corpus captures", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const p of files) {
    it(`gives what the JS decoder gives: corpus/${relative(dir, p)}`, () => {
      expectSame(readFileSync(p));
    });
  }
});
