/**
 * Regular files read straight into a consumer's buffer (raw.ts `nextInto`, inputs.ts, pipeline/run.ts
 * chunksOf): synchronous positional reads on the main thread into the WebAssembly pcap decoder's chunk
 * area. The async read path stays for everything else (FIFOs, standard input, compressed and re-encoded
 * inputs, decoders without a buffer of their own); both must give the same bytes, the same errors at
 * the same offsets, and the same events.
 */
import { describe, expect, it } from "vitest";
import { closeSync, openSync, truncateSync, writeSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { openInput } from "../../src/source/inputs.js";
import { CHUNK, openPath, streamSource } from "../../src/source/raw.js";
import { Readable } from "node:stream";
import { runInputs } from "../../src/pipeline/run.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import type { EventBatch } from "../../src/decode/batch.js";
import { pcapWasmModule } from "../../src/decode/pcap/wasm.js";
import { flowCapture } from "../helpers/flow-captures.js";
import { tmpFiles } from "../helpers/tmp.js";

/** A file of `size` bytes, each byte its offset's low 8 bits (so a chunk out of place shows). */
function patterned(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + (i >>> 12)) & 0xff;
  return b;
}

/** Every chunk of `path` after the head, by `nextInto` into one buffer; each copied, with whether it was read into the buffer. */
async function readInto(path: string, into = Buffer.alloc(CHUNK)): Promise<{ head: Buffer; chunks: Buffer[]; direct: boolean[] }> {
  const o = await openInput(path);
  expect(o.nextInto).toBeDefined();
  const chunks: Buffer[] = [];
  const direct: boolean[] = [];
  try {
    for (let c = await o.nextInto!(into); c !== null; c = await o.nextInto!(into)) {
      chunks.push(Buffer.from(c));
      direct.push(c.buffer === into.buffer && c.byteOffset === into.byteOffset);
    }
  } finally {
    await o.close();
  }
  return { head: o.head, chunks, direct };
}

/** A file of `chunks` chunks of zeros with no blocks behind them (read at once, from the page cache or not). */
function sparseFile(chunks: number): string {
  const path = join(tmpFiles({}), "sparse.bin");
  closeSync(openSync(path, "w"));
  truncateSync(path, chunks * CHUNK);
  return path;
}

describe("a regular file read straight into the consumer's buffer", () => {
  it("gives the same bytes as the async path, the chunks after the read-ahead one read into the buffer", async () => {
    const content = patterned(5 * CHUNK + 12345);
    const path = join(tmpFiles({ "f.bin": content }), "f.bin");
    const { head, chunks, direct } = await readInto(path);
    expect(Buffer.concat([head, ...chunks]).equals(content)).toBe(true);
    // The head's chunk started a read-ahead, which comes first; every later chunk is a direct read.
    expect(direct).toEqual([false, true, true, true, true]);
    const o = await openInput(path);
    const parts: Buffer[] = [o.head];
    for await (const c of o.rest) parts.push(Buffer.from(c));
    await o.close();
    expect(Buffer.concat(parts).equals(content)).toBe(true);
  });

  it("reads into a buffer smaller than a chunk, and a file of less than one chunk", async () => {
    const content = patterned(3 * CHUNK + 77);
    const path = join(tmpFiles({ "f.bin": content }), "f.bin");
    const r = await readInto(path, Buffer.alloc(4096 + 3));
    expect(Buffer.concat([r.head, ...r.chunks]).equals(content)).toBe(true);
    expect(r.chunks.slice(1).every((c) => c.length <= 4099)).toBe(true);
    const small = patterned(70_000);
    const p2 = join(tmpFiles({ "s.bin": small }), "s.bin");
    const s = await readInto(p2);
    expect(Buffer.concat([s.head, ...s.chunks]).equals(small)).toBe(true);
  });

  it("names the offset when the file is cut short between two direct reads, as the async path words it", async () => {
    const content = patterned(3 * CHUNK + 5);
    const path = join(tmpFiles({ "rotating.log": content }), "rotating.log");
    const o = await openInput(path);
    const into = Buffer.alloc(CHUNK);
    const first = await o.nextInto!(into); // the read-ahead's chunk
    const second = await o.nextInto!(into); // a direct read
    expect(o.head.length + first!.length + second!.length).toBe(3 * CHUNK);
    truncateSync(path, 100);
    await expect(o.nextInto!(into)).rejects.toThrow(
      `rotating.log: byte offset ${3 * CHUNK}: the file was truncated while it was read: it had ${content.length} bytes when opened, and now ends at 100; the 5 bytes after this offset were not read`,
    );
    // Nothing more after the error.
    expect(await o.nextInto!(into)).toBeNull();
    await o.close();
  });

  it("reads what was appended while it was read (a log still being written)", async () => {
    const content = patterned(2 * CHUNK + 10);
    const path = join(tmpFiles({ "growing.log": content }), "growing.log");
    const o = await openInput(path);
    const into = Buffer.alloc(CHUNK);
    const parts: Buffer[] = [o.head];
    const more = patterned(CHUNK + 999);
    let appended = false;
    for (let c = await o.nextInto!(into); c !== null; c = await o.nextInto!(into)) {
      parts.push(Buffer.from(c));
      if (!appended) {
        const fd = openSync(path, "a");
        writeSync(fd, more);
        closeSync(fd);
        appended = true;
      }
    }
    await o.close();
    expect(Buffer.concat(parts).equals(Buffer.concat([content, more]))).toBe(true);
  });

  it("words a read error as the async path does", async () => {
    // /proc/self/mem is a regular file whose read at offset 0 fails (EIO).
    const a = await openPath("/proc/self/mem");
    await expect(a.nextInto!(Buffer.alloc(4096))).rejects.toThrow("/proc/self/mem: cannot read (EIO)");
    await a.close();
    const b = await openPath("/proc/self/mem");
    await expect(b.next()).rejects.toThrow("/proc/self/mem: cannot read (EIO)");
    await b.close();
  });

  it("lets the event loop run between direct reads (a signal or a timer is not held up to the end of the file)", async () => {
    const o = await openInput(sparseFile(64));
    const into = Buffer.alloc(CHUNK);
    let reads = 0;
    let firedAt = -1;
    process.once("SIGUSR2", () => { firedAt = reads; });
    process.kill(process.pid, "SIGUSR2");
    for (let c = await o.nextInto!(into); c !== null; c = await o.nextInto!(into)) reads++;
    await o.close();
    expect(reads).toBe(63);
    // Handled at the first turn of the loop, 16 reads in (or the next, if the signal came late).
    expect(firedAt).toBeGreaterThanOrEqual(0);
    expect(firedAt).toBeLessThanOrEqual(32);
  });

  it("lets the event loop run within a few reads when the consumer is slow on each chunk (a scan-like capture)", async () => {
    const o = await openInput(sparseFile(20));
    const into = Buffer.alloc(CHUNK);
    let reads = 0;
    let firedAt = -1;
    process.once("SIGUSR2", () => { firedAt = reads; });
    for (let c = await o.nextInto!(into); c !== null; c = await o.nextInto!(into)) {
      reads++;
      // Sent once the reads are direct (the first chunk, the read-ahead's, came through the event loop).
      if (reads === 2) process.kill(process.pid, "SIGUSR2");
      // ~25 ms of decoding and tracking per chunk, as a scan-like capture costs on a busy machine.
      const until = performance.now() + 25;
      while (performance.now() < until);
    }
    await o.close();
    expect(reads).toBe(19);
    // Not 16 reads (400 ms) later: the first read after the time budget lets the loop run.
    expect(firedAt).toBeGreaterThanOrEqual(2);
    expect(firedAt).toBeLessThanOrEqual(4);
  });

  it("is not offered for a FIFO, standard input, or a compressed file", async () => {
    const dir = tmpFiles({ "f.gz": gzipSync(patterned(3 * CHUNK)) });
    const gz = await openInput(join(dir, "f.gz"));
    expect(gz.nextInto).toBeUndefined();
    await gz.close();
    const fifo = join(dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    const writer = setTimeout(() => {
      const fd = openSync(fifo, "r+");
      // Less than a pipe's buffer: this process is also the reader.
      writeSync(fd, patterned(10_000));
      closeSync(fd);
    }, 50);
    const f = await openInput(fifo, { fifoWriterTimeoutMs: 5000 });
    clearTimeout(writer);
    expect(f.nextInto).toBeUndefined();
    await f.close();
    // Standard input is read as a stream (raw.ts streamSource), whatever it is.
    const stdin = streamSource(Readable.from([patterned(10)]));
    expect(stdin.nextInto).toBeUndefined();
    await stdin.close();
  });
});

describe.runIf(pcapWasmModule() !== undefined)("a capture read straight into the WebAssembly decoder's chunk area", () => {
  /** The connections and stats of `path` read with the pcap decoder `decoder` (env PORTMATRIX_PCAP_DECODER). */
  async function connections(path: string, decoder: "js" | "wasm"): Promise<{ rows: unknown[]; stats: unknown; error?: string }> {
    const before = process.env.PORTMATRIX_PCAP_DECODER;
    process.env.PORTMATRIX_PCAP_DECODER = decoder;
    const rows: unknown[] = [];
    try {
      const sink = (b: EventBatch) => {
        for (let i = 0; i < b.length; i++) {
          rows.push([b.family[i], ...b.src.subarray(i * 4, i * 4 + 4), ...b.dst.subarray(i * 4, i * 4 + 4), b.proto[i], b.srcPort[i], b.dstPort[i], b.action[i], b.time[i], b.position[i], b.frame[i], b.labels.get(b.history[i]!)]);
        }
      };
      const [r] = await runInputs([path], { decode: defaultDecodeOptions(), sink });
      return { rows, stats: { ...r!.stats, onSkip: undefined }, ...(r!.error === undefined ? {} : { error: r!.error }) };
    } finally {
      if (before === undefined) delete process.env.PORTMATRIX_PCAP_DECODER;
      else process.env.PORTMATRIX_PCAP_DECODER = before;
    }
  }

  it("gives the connections and counts the JS decoder's async path gives, whole and cut mid-record", async () => {
    let data = flowCapture(18, 1);
    for (let n = 20_000; data.length < 3 * CHUNK + 1000; n *= 2) data = flowCapture(18, n);
    const dir = tmpFiles({ "whole.pcap": data, "cut.pcap": data.subarray(0, data.length - 7) });
    for (const name of ["whole.pcap", "cut.pcap"]) {
      const path = join(dir, name);
      const w = await connections(path, "wasm");
      const j = await connections(path, "js");
      expect(w.rows.length).toBeGreaterThan(1000);
      expect(w).toEqual(j);
    }
  });
});
