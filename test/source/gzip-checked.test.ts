import { describe, it, expect, vi, beforeEach } from "vitest";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openInput } from "../../src/source/inputs.js";
import { tmpFiles } from "../helpers/tmp.js";

/** Which of zlib's gzip paths a read took: gunzip (zlib checks the members) or our framing (raw inflate, our CRC-32). */
const calls = vi.hoisted(() => ({ gunzip: 0, inflateRaw: 0, crc32: 0 }));
vi.mock("node:zlib", async (importOriginal) => {
  const z = await importOriginal<typeof import("node:zlib")>();
  const count = <F extends (...a: never[]) => unknown>(k: keyof typeof calls, f: F) => ((...a: Parameters<F>) => { calls[k]++; return f(...a); }) as F;
  return { ...z, default: z, createGunzip: count("gunzip", z.createGunzip), createInflateRaw: count("inflateRaw", z.createInflateRaw), crc32: count("crc32", z.crc32) };
});

const text = Buffer.from(readFileSync("fixtures/kcps/kern.log", "utf8").repeat(2000));
const dir = tmpFiles({
  "a.gz": gzipSync(text),
  "a-junk.gz": Buffer.concat([gzipSync(text), Buffer.from("junk")]),
  "nested.gz": gzipSync(gzipSync(text)),
});

async function readAll(name: string): Promise<{ bytes: number; error?: string }> {
  const o = await openInput(join(dir, name));
  let bytes = o.head.length;
  try {
    for await (const c of o.rest) bytes += c.length;
  } catch (e) {
    return { bytes, error: String(e) };
  }
  return { bytes };
}

describe("which path reads a .gz input", () => {
  beforeEach(() => { calls.gunzip = calls.inflateRaw = calls.crc32 = 0; });

  it("a regular file: zlib's gunzip checks the member; no CRC-32 on the main thread", async () => {
    expect(await readAll("a.gz")).toEqual({ bytes: text.length });
    expect(calls).toEqual({ gunzip: 1, inflateRaw: 0, crc32: 0 });
  });

  it("a regular file with junk after it: read again through our framing, which names the junk", async () => {
    const r = await readAll("a-junk.gz");
    expect(r.bytes).toBe(text.length);
    expect(r.error).toMatch(/a-junk\.gz: byte offset \d+: data that is not gzip \(starts with bytes 6a756e6b\) after the last gzip member/);
    expect(calls.gunzip).toBe(1);
    expect(calls.inflateRaw).toBe(1);
    expect(calls.crc32).toBeGreaterThan(0);
  });

  it("gzip inside gzip: the outer layer through zlib's gunzip, the inner one (not re-readable) through our framing", async () => {
    expect(await readAll("nested.gz")).toEqual({ bytes: text.length });
    expect(calls.gunzip).toBe(1);
    expect(calls.inflateRaw).toBe(1);
  });
});
