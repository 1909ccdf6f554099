import { describe, it, expect } from "vitest";
import { constants, crc32, deflateRawSync, gunzipSync, gzipSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { runInputs } from "../../src/pipeline/run.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { openInput } from "../../src/source/inputs.js";
import { gunzipSource, gzipHeaderLength } from "../../src/source/gzip.js";
import type { ByteSource } from "../../src/source/raw.js";
import { InputError } from "../../src/errors.js";
import { tmpFiles } from "../helpers/tmp.js";
import { drain, gzipFaultCases, kernLog as log, pieces } from "../helpers/gzip-cases.js";


async function run(path: string, inputFormat?: string) {
  const opts: Parameters<typeof runInputs>[1] = { decode: defaultDecodeOptions(), sink: () => undefined };
  if (inputFormat) opts.inputFormat = inputFormat;
  // A run that hangs (the old gunzip feeder waiting for a "drain" that never came) fails here, in time.
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error("the run did not finish within 20 s")), 20_000); });
  try {
    const [r] = await Promise.race([runInputs([path], opts), hang]);
    return r!;
  } finally {
    clearTimeout(timer);
  }
}

const big = gzipSync(log(30_000));
const small = gzipSync(log(100));
const header = gzipSync(Buffer.alloc(0)).subarray(0, 10);

describe("gzip: every record before a fault is counted, and the fault is named with its offset", () => {
  const files: Record<string, Buffer> = {
    "big-trailing.gz": Buffer.concat([big, Buffer.from("xyz")]),
    "small-trailing.gz": Buffer.concat([small, Buffer.from("x")]),
    "small-zeros.gz": Buffer.concat([small, Buffer.alloc(512)]),
    "small-header-only.gz": Buffer.concat([small, header.subarray(0, 5)]),
    "two-members.gz": Buffer.concat([small, big]),
    "cut-in-trailer.gz": small.subarray(0, small.length - 3),
    "cut-in-body.gz": big.subarray(0, big.length >> 1),
    "bad-crc.gz": Buffer.concat([small.subarray(0, small.length - 8), Buffer.from([1, 2, 3, 4]), small.subarray(small.length - 4)]),
    "empty-member-then-data.gz": Buffer.concat([gzipSync(Buffer.alloc(0)), small]),
  };
  const dir = tmpFiles(files);
  const table: [file: string, read: number, error: RegExp | undefined][] = [
    ["big-trailing.gz", 30_000, new RegExp(`byte offset ${big.length}: data that is not gzip \\(starts with bytes 78797a\\) after the last gzip member; the 1 member\\(s\\) before it were read whole`)],
    ["small-trailing.gz", 100, new RegExp(`byte offset ${small.length}: data that is not gzip`)],
    ["small-zeros.gz", 100, new RegExp(`byte offset ${small.length}: zero bytes after the last gzip member`)],
    ["small-header-only.gz", 100, /truncated gzip: member 2 ends inside its header/],
    ["two-members.gz", 30_100, undefined],
    ["cut-in-trailer.gz", 100, /truncated gzip: member 1 lacks its 8-byte trailer/],
    ["cut-in-body.gz", -1, /truncated gzip: member 1 ends early/],
    ["bad-crc.gz", 100, /gzip member 1 fails its check .*the data is damaged/],
    ["empty-member-then-data.gz", 100, undefined],
  ];
  for (const [file, read, error] of table) {
    it(`${file}: ${read < 0 ? "what came before" : read} read, ${error ? "an error" : "no error"}`, async () => {
      const r = await run(join(dir, file));
      if (read >= 0) expect(r.stats.read).toBe(read);
      else expect(r.stats.read).toBeGreaterThan(1000);
      expect(r.stats.used).toBe(r.stats.read - r.stats.skipped);
      if (error) {
        expect(r.error).toMatch(error);
        expect(r.error).toContain(file);
        expect(r.error).not.toContain("\n");
      } else {
        expect(r.error).toBeUndefined();
      }
    });
  }

  it("with --input-format forced, the same (the old feeder hung here and the run ended with no output)", async () => {
    const r = await run(join(dir, "big-trailing.gz"), "netfilter");
    expect(r.stats.read).toBe(30_000);
    expect(r.error).toMatch(/data that is not gzip/);
  });

  it("reads a gzip member header with every optional field (RFC 1952 2.3)", () => {
    const h = Buffer.from([0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3, 2, 0, 0xaa, 0xbb, 0x61, 0, 0x62, 0, 0x12, 0x34]);
    expect(gzipHeaderLength(h)).toBe(h.length);
    for (let n = 0; n < h.length; n++) expect(gzipHeaderLength(h.subarray(0, n)), `cut at ${n}`).toBe("more");
    expect(gzipHeaderLength(Buffer.from("xyz"))).toEqual({ error: expect.stringMatching(/not a gzip member/) });
    expect(gzipHeaderLength(Buffer.from([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3]))).toEqual({ error: expect.stringMatching(/compression method 7/) });
  });
});

describe("gzip: backpressure", () => {
  it("reads compressed bytes only as fast as the decompressed ones are taken", async () => {
    // 32 MB of hex digits, ~18 MB compressed: an eager feeder reads all of it while the consumer waits.
    const text = Buffer.from(randomBytes(16 * 1024 * 1024).toString("hex"));
    const dir = tmpFiles({ "hex.gz": gzipSync(text, { level: 1 }) });
    const o = await openInput(join(dir, "hex.gz"));
    const it = o.rest[Symbol.asyncIterator]();
    const first = await it.next();
    await new Promise((r) => setTimeout(r, 300));
    const rawAfterPause = o.rawBytes();
    let out = o.head.length + (first.done ? 0 : first.value.length);
    for (let r = await it.next(); !r.done; r = await it.next()) out += r.value.length;
    await o.close();
    expect(out).toBe(text.length);
    // Taking one chunk and stopping leaves most of the compressed file unread.
    expect(o.rawBytes()).toBeGreaterThan(16 * 1024 * 1024);
    expect(rawAfterPause).toBeLessThan(6 * 1024 * 1024);
  });
});

describe("gzip: framing does not depend on where the raw bytes are cut", () => {
  /** A member with every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC), built by hand. */
  const member = (data: Buffer): Buffer => {
    const head = Buffer.from([0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3, 3, 0, 1, 2, 3, 0x6b, 0x2e, 0x6c, 0, 0x68, 0x69, 0, 0, 0]);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(data), 0);
    trailer.writeUInt32LE(data.length, 4);
    return Buffer.concat([head, deflateRawSync(data), trailer]);
  };
  const a = log(40);
  const b = log(7);
  const file = Buffer.concat([member(a), gzipSync(b), member(Buffer.alloc(0)), member(a)]);
  const want = Buffer.concat([a, b, a]);

  for (const size of [1, 2, 3, 7, 10, 64, 4096]) {
    it(`three members and an empty one, raw chunks of ${size} bytes`, async () => {
      const out: Buffer[] = [];
      const src = gunzipSource(pieces(file, size), { path: "x.gz", layer: "gzip" });
      for (let c = await src.next(); c !== null; c = await src.next()) out.push(Buffer.from(c));
      expect(Buffer.concat(out).equals(want)).toBe(true);
    });
    it(`junk after the last member is named at its offset, raw chunks of ${size} bytes`, async () => {
      const src = gunzipSource(pieces(Buffer.concat([file, Buffer.from("junk")]), size), { path: "x.gz", layer: "gzip" });
      let n = 0;
      await expect((async () => { for (let c = await src.next(); c !== null; c = await src.next()) n += c.length; })())
        .rejects.toThrow(new RegExp(`x\\.gz: byte offset ${file.length}: data that is not gzip \\(starts with bytes 6a756e6b\\)`));
      expect(n).toBe(want.length);
    });
  }
});


describe("gzip checked by zlib (a regular file) against our own framing (the reference)", () => {
  const cases = gzipFaultCases();



  for (const [name, data, clean] of cases) {
    for (const size of [1 << 20, 65_536, 7]) {
      it(`${name}, raw chunks of ${size} bytes: the same bytes and the same error`, async () => {
        const w = { path: "x.gz", layer: "gzip" };
        const want = await drain(gunzipSource(pieces(data, size), w));
        let again = 0;
        const got = await drain(gunzipSource(pieces(data, size), w, () => { again++; return pieces(data, size); }));
        expect(got.error).toBe(want.error);
        expect(got.out.length).toBe(want.out.length);
        expect(got.out.equals(want.out)).toBe(true);
        if (clean) expect(want.error).toBeUndefined();
        else if (name.startsWith("a header CRC")) expect(want.error).toBeUndefined();
        else expect(want.error).toMatch(/^InputError: x\.gz: byte offset \d+: /);
        // zlib reads a whole file itself; at a fault the file is read once more (a first chunk of 7 bytes
        // holds no whole header: our framing reads it from the start).
        if (size !== 7) expect(again).toBe(clean ? 0 : 1);
      });
    }
  }
});

describe("gzip: the next raw chunk is written while the consumer still has output of this one to take", () => {
  // Each raw chunk inflates to a few 1 MiB outputs. zlib calls back for a chunk as the consumer reads its
  // last output, and that is when the next chunk must be pulled and written (so the thread pool inflates
  // it while the consumer decodes that last output), not after the consumer came back for more.
  const text = log(60_000);
  const data = gzipSync(text);
  const size = Math.ceil(data.length / 4);
  /** Bytes zlib can inflate from the first `n` raw bytes. */
  const inflatable = (n: number) => gunzipSync(data.subarray(0, n), { finishFlush: constants.Z_SYNC_FLUSH }).length;

  for (const path of ["our framing", "zlib's members (a regular file)"]) {
    it(`${path}: each raw chunk after the first is pulled before the output of the ones before it was all given out`, async () => {
      let delivered = 0;
      /** Output bytes given out when each raw chunk was asked for. */
      const atPull: number[] = [];
      const src = pieces(data, size);
      const counted: ByteSource = { next: () => { atPull.push(delivered); return src.next(); }, noReuse() {}, async close() {} };
      const w = { path: "x.gz", layer: "gzip" };
      const gz = path === "our framing" ? gunzipSource(counted, w) : gunzipSource(counted, w, () => { throw new Error("read again"); });
      const out: Buffer[] = [];
      for (let c = await gz.next(); c !== null; c = await gz.next()) { out.push(Buffer.from(c)); delivered += c.length; }
      await gz.close();
      expect(Buffer.concat(out).equals(text)).toBe(true);
      const chunks = Math.ceil(data.length / size);
      expect(chunks).toBeGreaterThanOrEqual(3);
      // The pulls of chunks 2..n and of the end (null; our framing asks for it when it reads the trailer).
      expect(atPull.length).toBe(chunks + 1);
      for (let k = 1; k < chunks; k++) {
        const before = inflatable(Math.min(k * size, data.length));
        expect(before).toBeGreaterThan(2 << 20);
        expect(atPull[k], `pull ${k + 1}`).toBeLessThan(before);
      }
    });
  }

  for (const path of ["our framing", "zlib's members (a regular file)"]) {
    it(`${path}: a read error of the third raw chunk comes after every output of the first two was given out`, async () => {
      let pulls = 0;
      const src = pieces(data, size);
      const failing: ByteSource = {
        next: () => (++pulls === 3 ? Promise.reject(new InputError("cannot read (EIO)", { file: "x.gz" })) : src.next()),
        noReuse() {}, async close() {},
      };
      const w = { path: "x.gz", layer: "gzip" };
      const gz = path === "our framing" ? gunzipSource(failing, w) : gunzipSource(failing, w, () => { throw new Error("read again"); });
      let delivered = 0;
      await expect((async () => { for (let c = await gz.next(); c !== null; c = await gz.next()) delivered += c.length; })())
        .rejects.toThrow("x.gz: cannot read (EIO)");
      await gz.close();
      expect(delivered).toBe(inflatable(2 * size));
    });
  }
});
