/**
 * A large regular file read by a worker thread into areas of a shared memory (src/source/read-ring.ts,
 * read-ring-worker.cts, raw.ts `nextInto` with a ring, pipeline/run.ts chunksOf): the same bytes, the
 * same errors at the offsets where reading stopped, and the same events as the main thread's own reads;
 * the worker takes over where the source had reached, and writes nothing once stopped.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { closeSync, truncateSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { openPath, type ByteSource } from "../../src/source/raw.js";
import { READ_RING_MIN_BYTES, ReadRing, tooSlow, useReadRing, type ReadAreas } from "../../src/source/read-ring.js";
import { runInputs } from "../../src/pipeline/run.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import type { EventBatch } from "../../src/decode/batch.js";
import { pcapWasmModule } from "../../src/decode/pcap/wasm.js";
import { flowCapture } from "../helpers/flow-captures.js";
import { tmpFiles } from "../helpers/tmp.js";

const AREA = 64 * 1024;
const FORCED = { PORTMATRIX_READ: "ring" };

/** A file of `size` bytes, each byte from its offset (so a chunk out of place shows). */
function patterned(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + (i >>> 12)) & 0xff;
  return b;
}

/** Four areas of AREA bytes in a SharedArrayBuffer, after 128 bytes of something else. */
function areas(): ReadAreas & { sab: SharedArrayBuffer } {
  const sab = new SharedArrayBuffer(128 + 4 * AREA);
  return { sab, buffer: () => sab, at: [128, 128 + AREA, 128 + 2 * AREA, 128 + 3 * AREA], size: AREA };
}

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/** Wait (up to 5 s) until the ring's worker runs. */
async function running(ring: ReadRing): Promise<void> {
  for (let i = 0; i < 500 && !ring.running; i++) await sleep(10);
  expect(ring.running).toBe(true);
}

let rings: ReadRing[] = [];
afterEach(async () => {
  for (const r of rings) await r.stop().catch(() => undefined);
  rings = [];
});
function ringOver(a: ReadAreas, env: NodeJS.ProcessEnv): ReadRing {
  const r = new ReadRing(a, env);
  rings.push(r);
  return r;
}

/** The chunks of `src` by nextInto with `ring`, each copied, with whether it was a view of an area. */
async function drain(src: ByteSource, into: Buffer, ring: ReadRing, a: ReturnType<typeof areas>, parts: Buffer[], inArea: boolean[], slowMs = 0): Promise<void> {
  for (let c = await src.nextInto!(into, ring); c !== null; c = await src.nextInto!(into, ring)) {
    // A slow consumer: the worker must not fill the area it holds meanwhile.
    if (slowMs > 0) await sleep(slowMs);
    parts.push(Buffer.from(c));
    inArea.push(c.buffer === a.sab && a.at.includes(c.byteOffset));
  }
}

describe("the read ring over a regular file", () => {
  it("forced, reads all of a file into the areas, in order; by size, leaves a small file to the source", async () => {
    const content = patterned(3 * 1024 * 1024 + 4321);
    const path = join(tmpFiles({ "f.bin": content }), "f.bin");
    const a = areas();
    const into = Buffer.alloc(AREA);
    const ring = ringOver(a, FORCED);
    const src = await openPath(path);
    const parts: Buffer[] = [];
    const inArea: boolean[] = [];
    await drain(src, into, ring, a, parts, inArea, 2);
    await src.close();
    expect(Buffer.concat(parts).equals(content)).toBe(true);
    expect(inArea.length).toBeGreaterThan(40);
    expect(inArea.every(Boolean)).toBe(true);

    const small = ringOver(a, { PORTMATRIX_READ: "" });
    const src2 = await openPath(path);
    const p2: Buffer[] = [];
    const a2: boolean[] = [];
    await drain(src2, into, small, a, p2, a2);
    await src2.close();
    expect(Buffer.concat(p2).equals(content)).toBe(true);
    expect(a2.some(Boolean)).toBe(false);
    expect(small.running).toBe(false);
  });

  it("starts at the offset the source had reached by itself", async () => {
    const content = patterned(2 * 1024 * 1024 + 99);
    const path = join(tmpFiles({ "f.bin": content }), "f.bin");
    const a = areas();
    // Forced (the unforced ring gives up on a worker slowed by a busy machine: the next test).
    const ring = ringOver(a, FORCED);
    const src = await openPath(path);
    const into = Buffer.alloc(AREA);
    const parts: Buffer[] = [];
    const inArea: boolean[] = [];
    // Three chunks read by the source before the ring is offered (as while a worker starts).
    for (let k = 0; k < 3; k++) {
      const c = await src.nextInto!(into);
      parts.push(Buffer.from(c!));
      inArea.push(c!.buffer === a.sab);
    }
    await drain(src, into, ring, a, parts, inArea);
    await src.close();
    expect(Buffer.concat(parts).equals(content)).toBe(true);
    expect(inArea.slice(0, 3)).toEqual([false, false, false]);
    expect(inArea.slice(3).every(Boolean)).toBe(true);
  });

  it("a file cut short while the worker reads it: the source's own error, at the offset reading stopped", async () => {
    const content = patterned(2 * 1024 * 1024 + 5);
    const path = join(tmpFiles({ "rotating.log": content }), "rotating.log");
    const a = areas();
    const ring = ringOver(a, FORCED);
    const src = await openPath(path);
    const into = Buffer.alloc(AREA);
    let given = 0;
    for (let k = 0; k < 4; k++) given += (await src.nextInto!(into, ring))!.length;
    expect(ring.reading).toBe(true);
    truncateSync(path, 100);
    let error: Error | undefined;
    try {
      for (let c = await src.nextInto!(into, ring); c !== null; c = await src.nextInto!(into, ring)) given += c.length;
    } catch (e) {
      error = e as Error;
    }
    // The areas the worker had filled before the cut are given; then the source reads and finds the end.
    expect(error?.message).toContain(
      `rotating.log: byte offset ${given}: the file was truncated while it was read: it had ${content.length} bytes when opened, and now ends at 100; the ${content.length - given} bytes after this offset were not read`,
    );
    expect(given).toBeLessThan(content.length);
    await src.close();
  });

  it("a read error in the worker is left to the source, which words it as it always did", async () => {
    const content = patterned(2 * 1024 * 1024);
    const path = join(tmpFiles({ "f.bin": content }), "f.bin");
    const a = areas();
    const ring = ringOver(a, FORCED);
    const src = await openPath(path);
    const into = Buffer.alloc(AREA);
    await src.nextInto!(into, ring);
    await src.nextInto!(into, ring);
    expect(ring.reading).toBe(true);
    // The descriptor closed under both: the worker's next read fails (EBADF), and so does the source's.
    closeSync(src.file!.fd);
    await expect(drain(src, into, ring, a, [], [])).rejects.toThrow(`${path}: cannot read (EBADF)`);
    // Not closed again: the descriptor's number may be another file's by now.
  });

  it("once stopped, the worker writes nothing more into the areas, and the source reads the rest itself", async () => {
    const content = patterned(3 * 1024 * 1024 + 17);
    const path = join(tmpFiles({ "f.bin": content }), "f.bin");
    const a = areas();
    const ring = ringOver(a, FORCED);
    const src = await openPath(path);
    const into = Buffer.alloc(AREA);
    const parts: Buffer[] = [];
    for (let k = 0; k < 5; k++) parts.push(Buffer.from((await src.nextInto!(into, ring))!));
    expect(ring.reading).toBe(true);
    await ring.stop();
    const view = new Uint8Array(a.sab, a.at[0]!, 4 * AREA);
    view.fill(0xaa);
    await sleep(100);
    expect(view.every((b) => b === 0xaa)).toBe(true);
    const inArea: boolean[] = [];
    await drain(src, into, ring, a, parts, inArea);
    await src.close();
    expect(inArea.some(Boolean)).toBe(false);
    expect(Buffer.concat(parts).equals(content)).toBe(true);
  });

  it("unforced, the main thread reads the rest itself once it has waited 30 ms for a slow worker", async () => {
    const content = patterned(2 * 1024 * 1024 + 3);
    const dir = tmpFiles({ "f.bin": content });
    // The built worker, each of its reads 50 ms late (as when other processes hold both cores).
    const slow = join(dir, "slow-worker.cjs");
    writeFileSync(slow, `const fs = require("node:fs"); const read = fs.readSync;
fs.readSync = (...a) => { const until = Date.now() + 50; while (Date.now() < until); return read(...a); };
require(${JSON.stringify(fileURLToPath(new URL("../../dist/source/read-ring-worker.cjs", import.meta.url)))});\n`);
    const a = areas();
    for (const [env, gaveUp] of [[{ PORTMATRIX_READ: "" }, true], [FORCED, false]] as const) {
      const ring = new ReadRing(a, env, pathToFileURL(slow));
      rings.push(ring);
      const take = ring.take.bind(ring);
      vi.spyOn(ring, "take").mockImplementation((fd, pos, left) => take(fd, pos, left + READ_RING_MIN_BYTES));
      const src = await openPath(join(dir, "f.bin"));
      const into = Buffer.alloc(AREA);
      const parts: Buffer[] = [];
      const inArea: boolean[] = [];
      await src.nextInto!(into, ring).then((c) => parts.push(Buffer.from(c!)));
      await running(ring);
      await drain(src, into, ring, a, parts, inArea);
      await src.close();
      expect(Buffer.concat(parts).equals(content)).toBe(true);
      expect(ring.gaveUp).toBe(gaveUp);
      // Given up, the source read every chunk; forced, the worker read them.
      expect(inArea.some(Boolean)).toBe(!gaveUp);
    }
  });

  it("gives up on the worker only after 30 ms of waiting that are also over a quarter of its time", () => {
    // [waited, elapsed since the worker began, give up]
    const table: [number, number, boolean][] = [
      [20, 20, false], // the first area of a run: under 30 ms
      [30, 30, false],
      [31, 40, true], // a worker that cannot keep up from the start (a busy machine)
      [40, 1000, false], // a long file read at about the decoder's pace: a few per cent of waiting
      [251, 1000, true],
      [250, 1000, false],
    ];
    for (const [waited, elapsed, want] of table) expect(tooSlow(waited, elapsed), `${waited} of ${elapsed} ms`).toBe(want);
  });

  it("is used by size, or as PORTMATRIX_READ says; another value is a usage error", () => {
    expect(useReadRing(READ_RING_MIN_BYTES, {})).toBe(true);
    expect(useReadRing(READ_RING_MIN_BYTES - 1, {})).toBe(false);
    expect(useReadRing(1, FORCED)).toBe(true);
    expect(useReadRing(READ_RING_MIN_BYTES * 10, { PORTMATRIX_READ: "direct" })).toBe(false);
    expect(() => useReadRing(1, { PORTMATRIX_READ: "worker" })).toThrow('PORTMATRIX_READ="worker": expected ring or direct (or unset, to let portmatrix choose)');
  });
});

describe.runIf(pcapWasmModule() !== undefined)("a capture read by the ring into the WebAssembly decoder's read areas", () => {
  /** The connections and stats of `path` with PORTMATRIX_READ=`read`; how many chunks came from the ring. */
  async function connections(path: string, read: "ring" | "direct"): Promise<{ rows: unknown[]; stats: unknown; error?: string; fromRing: number }> {
    const before = process.env.PORTMATRIX_READ;
    process.env.PORTMATRIX_READ = read;
    const rows: unknown[] = [];
    let fromRing = 0;
    const take = ReadRing.prototype.take;
    const spy = vi.spyOn(ReadRing.prototype, "take").mockImplementation(async function (this: ReadRing, fd, pos, left) {
      const c = await take.call(this, fd, pos, left);
      if (c !== null) fromRing++;
      return c;
    });
    try {
      const sink = (b: EventBatch) => {
        for (let i = 0; i < b.length; i++) {
          rows.push([b.family[i], ...b.src.subarray(i * 4, i * 4 + 4), ...b.dst.subarray(i * 4, i * 4 + 4), b.proto[i], b.srcPort[i], b.dstPort[i], b.action[i], b.time[i], b.position[i], b.frame[i], b.labels.get(b.history[i]!)]);
        }
      };
      const [r] = await runInputs([path], { decode: defaultDecodeOptions(), sink });
      return { rows, stats: { ...r!.stats, onSkip: undefined }, ...(r!.error === undefined ? {} : { error: r!.error }), fromRing };
    } finally {
      spy.mockRestore();
      if (before === undefined) delete process.env.PORTMATRIX_READ;
      else process.env.PORTMATRIX_READ = before;
    }
  }

  it("gives the connections and counts of the main thread's reads, whole and cut mid-record", async () => {
    let data = flowCapture(18, 1);
    for (let n = 20_000; data.length < 5 * 1024 * 1024 + 1000; n *= 2) data = flowCapture(18, n);
    const dir = tmpFiles({ "whole.pcap": data, "cut.pcap": data.subarray(0, data.length - 7) });
    for (const name of ["whole.pcap", "cut.pcap"]) {
      const path = join(dir, name);
      const r = await connections(path, "ring");
      const d = await connections(path, "direct");
      expect(r.rows.length).toBeGreaterThan(1000);
      // All chunks after the head's (the first MiB) and the first direct read came from the ring.
      expect(r.fromRing).toBeGreaterThanOrEqual(3);
      expect(d.fromRing).toBe(0);
      expect({ ...r, fromRing: 0 }).toEqual({ ...d, fromRing: 0 });
    }
  });
});
