import { readdirSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { InputError } from "../errors.js";

export const STDIN = "-";
const CHUNK = 1 << 20;

/**
 * Expand the command line's inputs: files as given, directories recursively (sorted, hidden entries
 * skipped), "-" for standard input. A missing path is an InputError naming it.
 */
export function expandInputs(args: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw new InputError(`cannot read directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: dir });
    }
    for (const n of names) {
      if (n.startsWith(".")) continue;
      const p = join(dir, n);
      const st = statSync(p, { throwIfNoEntry: false });
      // A broken symbolic link is still an input the user gave us: it is reported, not dropped.
      if (!st) { out.push(p); continue; }
      if (st.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  for (const a of args) {
    if (a === STDIN) { out.push(a); continue; }
    const st = statSync(a, { throwIfNoEntry: false });
    if (!st) throw new InputError("no such file or directory", { file: a });
    if (st.isDirectory()) walk(a);
    else out.push(a);
  }
  return out;
}

export interface OpenedInput {
  path: string;
  compressed: boolean;
  /** The first bytes of the decompressed content (for format detection), already consumed from `rest`. */
  head: Buffer;
  /**
   * The remaining decompressed chunks. A chunk of an uncompressed file is only valid until the next
   * one is asked for (its buffer is reused): a consumer copies what it keeps, as decoders do.
   */
  rest: AsyncIterable<Buffer>;
  /** Compressed bytes read so far (for progress). */
  rawBytes(): number;
  /** Release the file (also done when `rest` is read to its end or abandoned). */
  close(): Promise<void>;
}

const HEAD_BYTES = 64 * 1024;

function wrapError(path: string, e: unknown, compressed: boolean, produced: number): InputError {
  const err = e as NodeJS.ErrnoException;
  if (compressed && (err.code === "Z_BUF_ERROR" || /unexpected end of file/i.test(err.message ?? ""))) {
    return new InputError(`truncated gzip: the compressed stream ends early (after ${produced} decompressed bytes); expected a complete .gz file`, { file: path });
  }
  if (compressed && typeof err.code === "string" && err.code.startsWith("Z_")) {
    return new InputError(`corrupt gzip data (${err.code}: ${err.message}) after ${produced} decompressed bytes`, { file: path });
  }
  if (err.code === "EISDIR") return new InputError("is a directory", { file: path });
  if (err.code === "ENOENT") return new InputError("no such file", { file: path });
  if (err.code === "EACCES") return new InputError("permission denied", { file: path });
  return new InputError(`cannot read (${err.code ?? err.message})`, { file: path });
}

/**
 * Raw bytes of an input, chunk by chunk. A file is read with positional reads into two buffers that take
 * turns (`reuse`): the next read runs in the thread pool while the caller works on the current chunk, and
 * no buffer is allocated per chunk. Without `reuse` (the chunks go to gunzip, which may hold them) every
 * chunk is a buffer of its own. Standard input is read as a stream.
 */
interface RawSource {
  next(): Promise<Buffer | null>;
  /** From now on every chunk is a fresh buffer. */
  noReuse(): void;
  close(): Promise<void>;
}

function streamSource(raw: Readable): RawSource {
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    async next() {
      const r = await it.next();
      return r.done ? null : (r.value as Buffer);
    },
    noReuse() {},
    async close() {
      await it.return?.();
    },
  };
}

async function fileSource(path: string): Promise<RawSource> {
  const fh = await open(path, "r");
  const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  let turn = 0;
  let reuse = true;
  let closed = false;
  let eof = false;
  const read = (): Promise<Buffer | null> => {
    const buf = reuse ? bufs[turn]! : Buffer.allocUnsafe(CHUNK);
    turn ^= 1;
    return fh.read(buf, 0, CHUNK, null).then((r) => (r.bytesRead === 0 ? null : buf.subarray(0, r.bytesRead)));
  };
  let ahead: Promise<Buffer | null> | undefined;
  return {
    async next() {
      if (eof || closed) return null;
      const p = ahead ?? read();
      ahead = undefined;
      const chunk = await p;
      if (chunk === null) { eof = true; return null; }
      // Read the next chunk while this one is being decoded.
      if (chunk.length === CHUNK) {
        ahead = read();
        // A failed read-ahead is reported when its chunk is asked for, not before.
        ahead.catch(() => undefined);
      }
      return chunk;
    },
    noReuse() {
      reuse = false;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (ahead) await ahead.catch(() => undefined);
      await fh.close();
    },
  };
}

/**
 * Open an input and read its head. Gzip is recognised by its magic bytes (RFC 1952: 1f 8b), not by
 * the name, and decompressed transparently. Errors carry the path; a truncated gzip says so.
 */
export async function openInput(path: string): Promise<OpenedInput> {
  let src: RawSource;
  try {
    src = path === STDIN ? streamSource(process.stdin) : await fileSource(path);
  } catch (e) {
    throw wrapError(path, e, false, 0);
  }
  let rawBytes = 0;
  const nextRaw = async (): Promise<Buffer | null> => {
    const c = await src.next();
    if (c) rawBytes += c.length;
    return c;
  };
  // Peek at the first raw bytes to recognise gzip.
  let first: Buffer;
  try {
    first = (await nextRaw()) ?? Buffer.alloc(0);
  } catch (e) {
    await src.close().catch(() => undefined);
    throw wrapError(path, e, false, 0);
  }
  const compressed = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  if (compressed) {
    // gunzip may hold on to the chunks it is given: the first one and every later one are kept apart.
    src.noReuse();
    first = Buffer.from(first);
  }

  async function* rawChunks(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    while (true) {
      const c = await nextRaw();
      if (c === null) return;
      yield c;
    }
  }

  let produced = 0;
  async function* decompressed(): AsyncGenerator<Buffer> {
    try {
      if (!compressed) {
        try {
          for await (const c of rawChunks()) { produced += c.length; yield c; }
        } catch (e) {
          throw wrapError(path, e, false, produced);
        }
        return;
      }
      const gunzip = createGunzip({ chunkSize: CHUNK });
      const feeder = (async () => {
        try {
          for await (const c of rawChunks()) {
            if (!gunzip.write(c)) await new Promise<void>((res) => gunzip.once("drain", () => res()));
          }
          gunzip.end();
        } catch (e) {
          gunzip.destroy(e as Error);
        }
      })();
      try {
        for await (const c of gunzip) { produced += (c as Buffer).length; yield c as Buffer; }
      } catch (e) {
        throw wrapError(path, e, true, produced);
      } finally {
        await feeder;
      }
    } finally {
      await src.close();
    }
  }

  const iter = decompressed()[Symbol.asyncIterator]();
  const headParts: Buffer[] = [];
  let headLen = 0;
  let done = false;
  try {
    while (headLen < HEAD_BYTES) {
      const r = await iter.next();
      if (r.done) { done = true; break; }
      // The head outlives the buffer the chunk was read into: keep a copy.
      headParts.push(Buffer.from(r.value));
      headLen += r.value.length;
    }
  } catch (e) {
    await src.close().catch(() => undefined);
    throw e;
  }
  const head = headParts.length === 1 ? headParts[0]! : Buffer.concat(headParts);
  async function* rest(): AsyncGenerator<Buffer> {
    if (done) return;
    while (true) {
      const r = await iter.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return {
    path,
    compressed,
    head,
    rest: rest(),
    rawBytes: () => rawBytes,
    close: async () => {
      await iter.return?.(undefined);
      await src.close();
    },
  };
}
