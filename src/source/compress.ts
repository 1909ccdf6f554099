/**
 * Compressed inputs: recognised by magic bytes (never by name), decompressed where Node or a
 * maintained npm package can (gzip: Node's zlib; zstd: fzstd; xz: xz-decompress; bzip2: unbzip2-stream,
 * each loaded only when such a file is met), and named with the command that unpacks them otherwise.
 */
import { InputError } from "../errors.js";
import type { ByteSource } from "./raw.js";
import { gunzipSource, isGzip } from "./gzip.js";
import type { GzipFile } from "./gzip-ring.js";

export type Compression = "gzip" | "bzip2" | "xz" | "zstd";

interface Magic { name: string; bytes: number[]; at?: number }

/** Readable layers, by their magic numbers (RFC 1952; bzip2 "BZh1".."BZh9"; xz 1.2.0 section 2.1.1.1; RFC 8878 3.1.1). */
export function detectCompression(head: Buffer): Compression | undefined {
  if (isGzip(head)) return "gzip";
  if (head.length >= 4 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3]! >= 0x31 && head[3]! <= 0x39) return "bzip2";
  if (starts(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  if (starts(head, [0x28, 0xb5, 0x2f, 0xfd])) return "zstd";
  // A zstd skippable frame (magic 0x184D2A50..5F, little-endian) may lead a zstd file.
  if (head.length >= 4 && (head[0]! & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return "zstd";
  return undefined;
}

/** Containers and compressions we do not read, with what to do instead. */
const OTHER: (Magic & { hint: string })[] = [
  { name: "a zip archive", bytes: [0x50, 0x4b, 0x03, 0x04], hint: "extract it first (`unzip -p FILE | portmatrix ... -`)" },
  { name: "a 7-Zip archive", bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], hint: "extract it first (`7z x -so FILE | portmatrix ... -`)" },
  { name: "LZ4-compressed", bytes: [0x04, 0x22, 0x4d, 0x18], hint: "decompress it first (`lz4 -dc FILE | portmatrix ... -`)" },
  { name: "compress(1)-compressed (.Z)", bytes: [0x1f, 0x9d], hint: "decompress it first (`zcat FILE | portmatrix ... -`)" },
  { name: "a tar archive", bytes: [0x75, 0x73, 0x74, 0x61, 0x72], at: 257, hint: "extract its files first (`tar -xOf FILE | portmatrix ... -`, or extract into a directory and give the directory)" },
];

function starts(b: Buffer, m: readonly number[], at = 0): boolean {
  if (b.length < at + m.length) return false;
  for (let i = 0; i < m.length; i++) if (b[at + i] !== m[i]) return false;
  return true;
}

/** "a zip archive: extract it first (...)" for content we recognise but do not read. */
export function describeContainer(head: Buffer): string | undefined {
  for (const o of OTHER) if (starts(head, o.bytes, o.at)) return `${o.name}: ${o.hint}`;
  return undefined;
}

/**
 * The decompressed content of `src`, compressed with `c`. `layer` names it in messages ("gzip", "gzip
 * inside gzip"); `again` gives `src`'s bytes again from the first, and `file` the open file (an outermost
 * layer of a regular file).
 */
export function decompressSource(c: Compression, src: ByteSource, path: string, layer: string, again?: () => ByteSource, file?: GzipFile): ByteSource {
  switch (c) {
    case "gzip": return gunzipSource(src, { path, layer }, again, file);
    case "zstd": return pushSource(src, path, layer, zstdCore);
    case "bzip2": return pushSource(src, path, layer, bzip2Core);
    case "xz": return xzSource(src, path, layer);
  }
}

/** A push-style decompressor: `push` and `end` return output produced so far; both throw on bad data. */
interface PushCore {
  push(chunk: Uint8Array): Uint8Array[];
  end(): Uint8Array[];
  /** An error reported beside output (after the output of the same call is given out). */
  failure?(): Error | undefined;
}

/**
 * Raw chunks are fed in slices of 64 KiB so that a highly compressed chunk cannot unpack into more than
 * a few megabytes at once. Output made before an error is given out before the error.
 */
const SLICE = 64 * 1024;

function pushSource(src: ByteSource, path: string, layer: string, make: () => Promise<PushCore>): ByteSource {
  let core: PushCore | undefined;
  let queue: Uint8Array[] = [];
  /** A decompressor error, thrown once the output made before it has been given out. */
  let pending: unknown;
  let raw: Buffer | null = null;
  let rawPos = 0;
  let taken = 0;
  let produced = 0;
  let done = false;
  const fail = (e: unknown): InputError => {
    const msg = (e as Error).message ?? String(e);
    const truncated = /unexpected EOF|ended prematurely|Cannot read properties of undefined/i.test(msg);
    return new InputError(`${truncated ? `truncated ${layer} data (after ${produced} decompressed bytes); expected a complete file` : `corrupt ${layer} data (${msg}) after ${produced} decompressed bytes`}`, { file: path, offset: taken });
  };
  return {
    async next() {
      core ??= await make();
      while (true) {
        const out = queue.shift();
        if (out) { produced += out.length; return Buffer.from(out.buffer, out.byteOffset, out.length); }
        if (pending !== undefined) { const e = pending; pending = undefined; done = true; throw fail(e); }
        if (done) return null;
        if (raw === null || rawPos >= raw.length) {
          raw = await src.next();
          rawPos = 0;
          if (raw === null) {
            try { queue = core.end(); } catch (e) { pending = e; }
            const f = core.failure?.();
            if (f && pending === undefined) pending = f;
            done = true;
            continue;
          }
        }
        const slice = raw.subarray(rawPos, rawPos + SLICE);
        rawPos += slice.length;
        taken += slice.length;
        try { queue = core.push(slice); } catch (e) { pending = e; }
        const f = core.failure?.();
        if (f && pending === undefined) pending = f;
      }
    },
    noReuse() {},
    close: () => src.close(),
  };
}

async function zstdCore(): Promise<PushCore> {
  const { Decompress } = await import("fzstd");
  let out: Uint8Array[] = [];
  const d = new Decompress((chunk) => { out.push(chunk); });
  const take = () => { const o = out; out = []; return o; };
  return {
    push(chunk) {
      // fzstd may keep a reference to the chunk until the next push: give it its own copy.
      d.push(Uint8Array.from(chunk));
      return take();
    },
    end() {
      d.push(new Uint8Array(0), true);
      return take();
    },
  };
}

async function bzip2Core(): Promise<PushCore> {
  const { default: unbzip2 } = await import("unbzip2-stream");
  const s = unbzip2();
  let out: Uint8Array[] = [];
  let error: Error | undefined;
  s.on("data", (c: Buffer) => { out.push(c); });
  s.on("error", (e: Error) => { error ??= e; });
  const take = () => { const o = out; out = []; return o; };
  let ended = false;
  return {
    failure: () => error,
    push(chunk) {
      if (error) return take();
      // unbzip2-stream queues the buffers it is given and reads them later: a copy of its own.
      s.write(Buffer.from(chunk));
      return take();
    },
    end() {
      if (!ended && !error) { ended = true; s.end(); }
      return take();
    },
  };
}

/** xz-embedded's return codes (xz.h enum xz_ret). */
const XZ_ERRORS: Record<string, string> = {
  "2": "unsupported integrity check",
  "3": "out of memory",
  "4": "memory limit",
  "5": "not an xz stream",
  "6": "unsupported xz options",
  "7": "corrupt xz data",
  // xz-embedded says "no progress" both for a stream cut short and for bytes after it that are not xz.
  "8": "truncated xz data, or data after it that is not xz",
};

/**
 * xz through xz-decompress (xz-embedded compiled to WebAssembly), whose interface is a web
 * ReadableStream: fed from `src` on demand, so it decompresses only as fast as the decoder reads.
 */
function xzSource(src: ByteSource, path: string, layer: string): ByteSource {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let taken = 0;
  let produced = 0;
  let srcEnded = false;
  let finished = false;
  const start = async () => {
    const mod = await import("xz-decompress");
    const XzReadableStream = (mod as unknown as { XzReadableStream?: typeof mod.XzReadableStream; default?: typeof mod }).XzReadableStream
      ?? (mod as unknown as { default: typeof mod }).default.XzReadableStream;
    const input = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const c = await src.next();
        if (c === null) { srcEnded = true; controller.close(); return; }
        taken += c.length;
        controller.enqueue(Uint8Array.from(c));
      },
    });
    return new XzReadableStream(input).getReader();
  };
  return {
    async next() {
      if (finished) return null;
      reader ??= await start();
      let r: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
      try {
        r = await reader.read();
      } catch (e) {
        finished = true;
        const msg = (e as Error).message ?? String(e);
        const code = /error code (\d+)/.exec(msg)?.[1];
        // The package reads past the end of its input when the input stops early (a TypeError there).
        const what = code !== undefined ? XZ_ERRORS[code] ?? `xz error ${code}` : srcEnded ? "truncated xz data" : msg;
        throw new InputError(`${what}${layer === "xz" ? "" : ` (${layer})`} (after ${produced} decompressed bytes); expected a complete .xz file`, { file: path, offset: taken });
      }
      if (r.done) { finished = true; return null; }
      produced += r.value.length;
      return Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
    },
    noReuse() {},
    async close() {
      finished = true;
      // Cancelling releases the package's decoder lock, which a second xz input would wait on forever.
      await reader?.cancel().catch(() => undefined);
      await src.close();
    },
  };
}
