import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { runInputs } from "../../src/pipeline/run.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { openInput } from "../../src/source/inputs.js";
import { utf16Source, detectUtf16 } from "../../src/source/encoding.js";
import type { ByteSource } from "../../src/source/raw.js";
import { tmpFiles } from "../helpers/tmp.js";

const DIR = "fixtures/encodings";

async function run(path: string) {
  const [r] = await runInputs([path], { decode: defaultDecodeOptions(), sink: () => undefined });
  return r!;
}

/** Every fixture of fixtures/encodings (made by bzip2, xz, zstd, gzip and iconv, see its README). */
const TABLE: [file: string, layers: string[], format: string, read: number, used: number][] = [
  ["kern.log.gz", ["gzip"], "netfilter", 18, 18],
  ["kern.log.gz.gz", ["gzip", "gzip"], "netfilter", 18, 18],
  ["kern2.log.gz", ["gzip"], "netfilter", 36, 36],
  ["kern.log.bz2", ["bzip2"], "netfilter", 18, 18],
  ["kern2.log.bz2", ["bzip2"], "netfilter", 36, 36],
  ["kern.log.xz", ["xz"], "netfilter", 18, 18],
  ["kern2.log.xz", ["xz"], "netfilter", 36, 36],
  ["kern.log.zst", ["zstd"], "netfilter", 18, 18],
  ["kern2.log.zst", ["zstd"], "netfilter", 36, 36],
  ["kern.utf16le.log", ["utf-16le"], "netfilter", 18, 18],
  ["kern.utf16be.log", ["utf-16be"], "netfilter", 18, 18],
  ["kern.utf16bom.log", ["utf-16le"], "netfilter", 18, 18],
  ["kern.utf16bebom.log", ["utf-16be"], "netfilter", 18, 18],
  ["kern.cr.log", ["cr-line-ends"], "netfilter", 18, 18],
  ["pfirewall.utf16bom-crlf.log", ["utf-16le"], "windows-firewall", 19, 13],
];

describe("inputs compressed or encoded by the real tools read as the original", () => {
  for (const [file, layers, format, read, used] of TABLE) {
    it(`${file}: ${layers.join(" > ")} -> ${format}, ${read} read, ${used} used`, async () => {
      const o = await openInput(join(DIR, file));
      expect(o.layers).toEqual(layers);
      await o.close();
      const r = await run(join(DIR, file));
      expect(r.error).toBeUndefined();
      expect(r.format).toBe(format);
      expect([r.stats.read, r.stats.used]).toEqual([read, used]);
    });
  }

  it("names UTF-32 and says how to convert it, on one line", async () => {
    const r = await run(join(DIR, "kern.utf32.log"));
    expect(r.error).toMatch(/kern\.utf32\.log: .*UTF-32 text.*iconv -f UTF-32 -t UTF-8/);
    expect(r.error).not.toContain("\n");
  });

  it("names archives it does not read, with the command that unpacks them", async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
    const tar = Buffer.alloc(1024);
    tar.write("kern.log", 0);
    tar.write("ustar", 257);
    const d = tmpFiles({ "a.zip": zip, "a.tar": tar });
    expect((await run(join(d, "a.zip"))).error).toMatch(/a\.zip: a zip archive: extract it first \(`unzip -p FILE/);
    expect((await run(join(d, "a.tar"))).error).toMatch(/a\.tar: a tar archive: extract its files first/);
  });
});

/** A source giving `data` in pieces of `size` bytes. */
function pieces(data: Buffer, size: number): ByteSource {
  let at = 0;
  return {
    async next() {
      if (at >= data.length) return null;
      const c = data.subarray(at, at + size);
      at += size;
      return Buffer.from(c);
    },
    noReuse() {},
    async close() {},
  };
}

async function drain(src: ByteSource): Promise<string> {
  const parts: Buffer[] = [];
  for (let c = await src.next(); c !== null; c = await src.next()) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString("utf8");
}

describe("UTF-16 to UTF-8, cut at every chunk size", () => {
  // Surrogate pairs (U+1F525), two-byte and three-byte UTF-8 characters, CRLF.
  const text = "#Fields: date time action\r\nné 日本 \u{1F525} end\r\n".repeat(3);
  for (const [enc, bytes] of [
    ["utf-16le", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])],
    ["utf-16be", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()])],
  ] as const) {
    it(`${enc}: the same text for every chunk size from 1 to 9 bytes`, async () => {
      expect(detectUtf16(bytes)).toBe(enc);
      for (let size = 1; size <= 9; size++) expect(await drain(utf16Source(pieces(bytes, size), enc)), `chunk ${size}`).toBe(text);
    });
  }

  it("agrees with iconv on the committed fixture", () => {
    const want = execFileSync("iconv", ["-f", "UTF-16", "-t", "UTF-8", join(DIR, "kern.utf16bom.log")]).toString("utf8");
    expect(want).toBe(readFileSync("fixtures/kcps/kern.log", "utf8"));
  });

  it("does not take ASCII, or text with a few zero bytes, for UTF-16", () => {
    expect(detectUtf16(readFileSync("fixtures/kcps/kern.log"))).toBeUndefined();
    const sparse = Buffer.from("a".repeat(300));
    sparse[11] = 0;
    expect(detectUtf16(sparse)).toBeUndefined();
  });
});

describe("damaged zstd, xz and bzip2 files: the records before the fault count, the fault is named", () => {
  const made: Record<string, Buffer> = {};
  for (const ext of ["bz2", "xz", "zst"]) {
    const whole = readFileSync(join(DIR, `kern2.log.${ext}`));
    made[`cut.${ext}`] = whole.subarray(0, whole.length - 40);
    made[`junk.${ext}`] = Buffer.concat([whole, Buffer.from("garbage!")]);
  }
  const dir = tmpFiles(made);
  const cases: [file: string, read: number | "some", error: RegExp][] = [
    ["cut.bz2", "some", /cut\.bz2: byte offset \d+: truncated bzip2 data/],
    ["junk.bz2", 36, /junk\.bz2: byte offset \d+: corrupt bzip2 data \(No magic number found\) after 9760 decompressed bytes/],
    ["cut.xz", "some", /cut\.xz: byte offset \d+: truncated xz data/],
    ["junk.xz", 36, /junk\.xz: byte offset \d+: truncated xz data, or data after it that is not xz \(after 9760 decompressed bytes\)/],
    ["cut.zst", "some", /cut\.zst: byte offset \d+: truncated zstd data/],
    ["junk.zst", 36, /junk\.zst: byte offset \d+: corrupt zstd data \(invalid zstd data\) after 9760 decompressed bytes/],
  ];
  for (const [file, read, error] of cases) {
    it(`${file}: ${read} read, then ${error.source.split(": ").slice(-1)[0]}`, async () => {
      const r = await run(join(dir, file));
      expect(r.error).toMatch(error);
      if (read === "some") expect(r.stats.read).toBeGreaterThanOrEqual(18);
      else expect(r.stats.read).toBe(read);
      expect(r.stats.read).toBe(r.stats.used + r.stats.skipped);
    });
  }
});
