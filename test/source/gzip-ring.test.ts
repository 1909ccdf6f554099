import { describe, it, expect, afterEach } from "vitest";
import { gzipSync } from "node:zlib";
import { fstatSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { gunzipSource } from "../../src/source/gzip.js";
import { RING_MIN_BYTES, useRing, type RingOptions } from "../../src/source/gzip-ring.js";
import { openPath } from "../../src/source/raw.js";
import { openInput } from "../../src/source/inputs.js";
import { runInputs } from "../../src/pipeline/run.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { UsageError } from "../../src/errors.js";
import { tmpFiles } from "../helpers/tmp.js";
import { drain, gzipFaultCases, kernLog as log, pieces } from "../helpers/gzip-cases.js";

/**
 * The gzip ring (a worker thread inflating a large regular .gz file into a SharedArrayBuffer) against
 * our own framing on the main thread, the reference: the same bytes and the same error, whatever the
 * sizes of the raw reads and of the slots.
 */

const saved = process.env.PORTMATRIX_GZIP;
afterEach(() => {
  if (saved === undefined) delete process.env.PORTMATRIX_GZIP;
  else process.env.PORTMATRIX_GZIP = saved;
});

const w = { path: "x.gz", layer: "gzip" };

/**
 * `file` read as a regular file is, through the ring or the main thread's path (`mode`), with a count of
 * readings again and of raw bytes the worker read.
 */
async function throughPath(mode: "ring" | "stream", file: string, ring: RingOptions = {}, o: { fd?: number; noReuse?: boolean } = {}) {
  process.env.PORTMATRIX_GZIP = mode;
  const src = await openPath(file);
  let again = 0;
  let counted = 0;
  const gz = gunzipSource(src, w, () => { again++; return src.again!(); }, { fd: o.fd ?? src.file!.fd, size: src.file!.size, reached: (at) => { counted = Math.max(counted, at); } }, ring);
  if (o.noReuse) gz.noReuse();
  const r = await drain(gz);
  return { ...r, again, counted };
}

describe("gzip ring: the same bytes and errors as our framing", () => {
  const cases = gzipFaultCases();
  const files: Record<string, Buffer> = {};
  cases.forEach(([, data], i) => { files[`case-${i}.gz`] = data; });
  const dir = tmpFiles(files);
  const rings: RingOptions[] = [{}, { rawChunk: 65_536, slotSize: 4096, slots: 2 }, { rawChunk: 7, slotSize: 1000, slots: 3 }, { rawChunk: 4093, slotSize: 1 << 20, slots: 1 }];

  cases.forEach(([name, data, clean], i) => {
    it(`${name}: the same chunks and the same error as the main thread's path over the same file`, async () => {
      const want = await throughPath("stream", join(dir, `case-${i}.gz`));
      const got = await throughPath("ring", join(dir, `case-${i}.gz`));
      expect(got.error).toBe(want.error);
      expect(got.out.equals(want.out)).toBe(true);
      expect(got.chunks.map((c) => c.length)).toEqual(want.chunks.map((c) => c.length));
      expect(got.again).toBe(want.again);
    });
    for (const ring of rings) {
      it(`${name}, ${JSON.stringify(ring)}: the same bytes and the same error`, async () => {
        // The reference: the main thread's path (zlib's gunzip, then our framing at a fault, itself held
        // to our framing alone in gzip.test.ts) over the same raw pieces, with the slot size as its zlib
        // output chunk, and 1 MiB pieces when read again (as the regular file is).
        let wantAgain = 0;
        const want = await drain(gunzipSource(pieces(data, ring.rawChunk ?? 1 << 20), w, () => { wantAgain++; return pieces(data, 1 << 20); }, undefined, ring));
        if (!clean) expect(wantAgain).toBe(1);
        const got = await throughPath("ring", join(dir, `case-${i}.gz`), ring);
        expect(got.error).toBe(want.error);
        if (name === "damaged deflate data" && ring.rawChunk === 7) {
          // zlib's error falls inside a raw chunk: the stream drops the output it had buffered when it
          // fails, which depends on how far its consumer had read; the ring gives out every chunk cut
          // before the fault. The same error (and the whole output compared at the real sizes above).
          expect(got.out.length).toBeGreaterThanOrEqual(want.out.length);
          expect(got.out.subarray(0, want.out.length).equals(want.out)).toBe(true);
        } else {
          expect(got.out.length).toBe(want.out.length);
          expect(got.out.equals(want.out)).toBe(true);
        }
        if (clean || name.startsWith("a header CRC")) expect(want.error).toBeUndefined();
        else expect(want.error).toMatch(/^InputError: x\.gz: byte offset \d+: /);
        // The worker reads a clean file whole; at a fault the file is read once more, on the main thread.
        expect(got.again).toBe(clean ? 0 : 1);
        if (clean) expect(got.counted).toBe(data.length);
        // The chunks are the ring's slots (views of shared memory), not buffers of the main thread's zlib.
        if (clean) expect(got.chunks[0]!.buffer).toBeInstanceOf(SharedArrayBuffer);
      });
    }
  });

  it("a file cut short after it was opened (copytruncate): the same error as the main thread's path", async () => {
    // Cut at the end of its first member: what is left is a whole gzip file, and only the size the file
    // had when it was opened says that it is not the file that was given.
    const first = gzipSync(log(20_000));
    const data = Buffer.concat([first, gzipSync(log(100))]);
    const results = [];
    for (const mode of ["stream", "ring"] as const) {
      const file = join(dir, `cut-later-${mode}.gz`);
      writeFileSync(file, data);
      process.env.PORTMATRIX_GZIP = mode;
      const src = await openPath(file);
      truncateSync(file, first.length);
      results.push(await drain(gunzipSource(src, w, () => src.again!(), { ...src.file!, reached: () => undefined })));
    }
    const named = (e: string | undefined) => e?.replace(/cut-later-(ring|stream)/, "F");
    expect(named(results[1]!.error)).toBe(named(results[0]!.error));
    expect(results[1]!.out.equals(results[0]!.out)).toBe(true);
    expect(results[0]!.error).toMatch(new RegExp(`the file was truncated while it was read: it had ${data.length} bytes when opened, and now ends at ${first.length}`));
    expect(results[0]!.out.length).toBe(log(20_000).length);
  });

  it("a descriptor the worker cannot read: nothing from the worker, the whole file read again on the main thread", async () => {
    const i = cases.findIndex(([name]) => name === "three members");
    const want = await drain(gunzipSource(pieces(cases[i]![1], 65_536), w));
    const got = await throughPath("ring", join(dir, `case-${i}.gz`), {}, { fd: 1 << 30 });
    expect(got.error).toBeUndefined();
    expect(got.out.equals(want.out)).toBe(true);
    expect(got.again).toBe(1);
  });

  it("chunks are views of the ring's slots, valid until the next is asked for; after noReuse, copies the consumer may keep", async () => {
    const i = cases.findIndex(([name]) => name === "three members");
    const want = await drain(gunzipSource(pieces(cases[i]![1], 65_536), w));
    const ring = { slotSize: 4096, slots: 2 };
    const kept = await throughPath("ring", join(dir, `case-${i}.gz`), ring, { noReuse: true });
    expect(Buffer.concat(kept.chunks).equals(want.out)).toBe(true);
    expect(kept.chunks[0]!.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    // Kept without copying, the views show what the worker later wrote into their slots.
    const views = await throughPath("ring", join(dir, `case-${i}.gz`), ring);
    expect(views.out.equals(want.out)).toBe(true);
    expect(Buffer.concat(views.chunks).equals(want.out)).toBe(false);
  });

  it("closed after its first chunk: the worker stops before the descriptor is closed", async () => {
    process.env.PORTMATRIX_GZIP = "ring";
    const src = await openPath(join(dir, "case-0.gz"));
    const fd = src.file!.fd;
    const gz = gunzipSource(src, w, () => src.again!(), { ...src.file!, reached: () => undefined }, { slotSize: 4096, slots: 2 });
    expect((await gz.next())!.length).toBe(4096);
    await gz.close();
    expect(() => fstatSync(fd)).toThrow(/EBADF/);
  });
});

describe("gzip ring: which files take it", () => {
  it("by size (16 MiB and more), or as PORTMATRIX_GZIP says", () => {
    expect(useRing(RING_MIN_BYTES, {})).toBe(true);
    expect(useRing(RING_MIN_BYTES - 1, {})).toBe(false);
    expect(useRing(1, { PORTMATRIX_GZIP: "ring" })).toBe(true);
    expect(useRing(RING_MIN_BYTES, { PORTMATRIX_GZIP: "stream" })).toBe(false);
    expect(() => useRing(1, { PORTMATRIX_GZIP: "worker" })).toThrow(UsageError);
  });

  it("a whole run over a damaged file: the same records, skips and error as the main thread's path", async () => {
    const data = gzipSync(log(30_000));
    const dir = tmpFiles({ "bad.gz": Buffer.concat([data.subarray(0, data.length - 8), Buffer.from([1, 2, 3, 4]), data.subarray(data.length - 4)]), "ok.gz": data });
    const runOne = async (mode: string, f: string) => {
      process.env.PORTMATRIX_GZIP = mode;
      const [r] = await runInputs([join(dir, f)], { decode: defaultDecodeOptions(), sink: () => undefined });
      return { stats: r!.stats, error: r!.error };
    };
    for (const f of ["bad.gz", "ok.gz"]) {
      const ring = await runOne("ring", f);
      expect(ring).toEqual(await runOne("stream", f));
      expect(ring.stats.read).toBe(30_000);
    }
    expect((await runOne("ring", "bad.gz")).error).toMatch(/bad\.gz: byte offset \d+: gzip member 1 fails its check/);
  });

  it("the raw bytes counted for the progress line end at the file's size, as on the main thread's path (the source's first chunk, which the worker reads again, once)", async () => {
    // Hex text compresses to about half: a file of several raw chunks.
    const dir = tmpFiles({ "hex.gz": gzipSync(Buffer.from(randomBytes(3 << 20).toString("hex"))) });
    const file = join(dir, "hex.gz");
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(3 << 20);
    for (const mode of ["ring", "stream"]) {
      process.env.PORTMATRIX_GZIP = mode;
      const o = await openInput(file);
      const seen: number[] = [];
      for await (const c of o.rest) { expect(c.length).toBeGreaterThan(0); seen.push(o.rawBytes()); }
      await o.close();
      expect(o.rawBytes(), mode).toBe(size);
      expect(seen.every((n, i) => i === 0 || n >= seen[i - 1]!), mode).toBe(true);
    }
  });

  it("gzip inside gzip: the outer layer through the ring, the inner one through our framing, copied", async () => {
    const text = log(20_000);
    const dir = tmpFiles({});
    const file = join(dir, "nested.gz");
    writeFileSync(file, gzipSync(gzipSync(text)));
    process.env.PORTMATRIX_GZIP = "ring";
    const o = await openInput(file);
    const out = [o.head];
    for await (const c of o.rest) out.push(Buffer.from(c));
    expect(o.layers).toEqual(["gzip", "gzip"]);
    expect(Buffer.concat(out).equals(text)).toBe(true);
  });
});
