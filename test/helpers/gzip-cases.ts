import { readFileSync } from "node:fs";
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import type { ByteSource } from "../../src/source/raw.js";

// What the gzip tests share (test/source/gzip.test.ts, gzip-ring.test.ts): netfilter lines to compress,
// a source in pieces, a reader to the end, and the files of every fault kind both paths are held to.

const LINES = readFileSync("fixtures/kcps/kern.log", "utf8").trimEnd().split("\n");

/** `n` netfilter lines (the lab's 18, over and over). */
export const kernLog = (n: number): Buffer =>
  Buffer.from(Array.from({ length: n }, (_, i) => LINES[i % LINES.length]).join("\n") + "\n");

/** A source giving `data` in pieces of `size` bytes. */
export function pieces(data: Buffer, size: number): ByteSource {
  let at = 0;
  return {
    async next() {
      if (at >= data.length) return null;
      const c = Buffer.from(data.subarray(at, at + size));
      at += size;
      return c;
    },
    noReuse() {},
    async close() {},
  };
}

/** The output and the error of `src`, read to its end (each chunk copied as it comes, and kept as given). */
export async function drain(src: ByteSource): Promise<{ out: Buffer; error: string | undefined; chunks: Buffer[] }> {
  const out: Buffer[] = [];
  const chunks: Buffer[] = [];
  let error: string | undefined;
  try {
    for (let c = await src.next(); c !== null; c = await src.next()) { out.push(Buffer.from(c)); chunks.push(c); }
  } catch (e) {
    error = String(e);
  }
  await src.close();
  return { out: Buffer.concat(out), error, chunks };
}

/** A gzip file: its name, its bytes, whether it is clean. */
export type GzipCase = [name: string, data: Buffer, clean: boolean];

/**
 * gzip files clean and with every fault kind: several members, empty ones, optional header fields,
 * bytes after the last member, cuts in a header, body and trailer, bad CRC-32 and size, damaged deflate
 * data, bad second headers, and a header CRC zlib refuses where our framing does not check it.
 */
export function gzipFaultCases(): GzipCase[] {
  const huge = gzipSync(kernLog(60_000));
  const small = gzipSync(kernLog(100));
  const other = gzipSync(kernLog(20_000));
  const header = gzipSync(Buffer.alloc(0)).subarray(0, 10);
  const cut = (b: Buffer, n: number) => b.subarray(0, n);
  const badCrc = (m: Buffer) => { const c = Buffer.from(m); c[c.length - 6]! ^= 0x55; return c; };
  const badSize = (m: Buffer) => { const c = Buffer.from(m); c[c.length - 2]! ^= 1; return c; };
  const flipped = (m: Buffer, at: number) => { const c = Buffer.from(m); c[at]! ^= 0xff; return c; };
  /** A member whose header says FHCRC with a wrong header CRC: zlib refuses it, our framing does not check it. */
  const badHeaderCrc = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 2, 0, 0, 0, 0, 0, 3, 0, 0]), small.subarray(10)]);
  /** A member with optional header fields (FEXTRA, FNAME, FCOMMENT), built by hand (zlib's gzip writes none). */
  const member = (d: Buffer): Buffer => {
    const head = Buffer.from([0x1f, 0x8b, 8, 4 | 8 | 16, 0, 0, 0, 0, 0, 3, 3, 0, 1, 2, 3, 0x6b, 0x2e, 0x6c, 0, 0x68, 0x69, 0]);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc32(d), 0);
    trailer.writeUInt32LE(d.length, 4);
    return Buffer.concat([head, deflateRawSync(d), trailer]);
  };
  return [
    ["one member", huge, true],
    ["three members", Buffer.concat([huge, small, other]), true],
    ["an empty member first", Buffer.concat([gzipSync(Buffer.alloc(0)), huge]), true],
    ["members with optional header fields, an empty one among them", Buffer.concat([member(kernLog(5000)), small, member(Buffer.alloc(0)), huge]), true],
    ["data after the last member", Buffer.concat([huge, Buffer.from("xyz")]), false],
    ["zero bytes after the last member (padding)", Buffer.concat([huge, Buffer.alloc(700)]), false],
    ["a second member cut inside its header", Buffer.concat([huge, header.subarray(0, 5)]), false],
    ["cut in the body", cut(huge, huge.length >> 1), false],
    ["cut in the trailer", cut(huge, huge.length - 3), false],
    ["a bad CRC after megabytes", badCrc(huge), false],
    ["a bad size", badSize(huge), false],
    ["a bad CRC in the second member", Buffer.concat([other, badCrc(huge)]), false],
    ["damaged deflate data", flipped(huge, huge.length >> 1), false],
    ["reserved flags in a second member", Buffer.concat([huge, flipped(small, 3).fill(0xe0, 3, 4)]), false],
    ["an unknown method in a second member", Buffer.concat([other, Buffer.from(small).fill(7, 2, 3)]), false],
    ["a header CRC zlib refuses and we do not check", Buffer.concat([badHeaderCrc, huge]), false],
  ];
}
