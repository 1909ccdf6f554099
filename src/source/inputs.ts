import { createReadStream, readdirSync, statSync } from "node:fs";
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
  /** The remaining decompressed chunks. */
  rest: AsyncIterable<Buffer>;
  /** Compressed bytes read so far (for progress). */
  rawBytes(): number;
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
 * Open an input and read its head. Gzip is recognised by its magic bytes (RFC 1952: 1f 8b), not by
 * the name, and decompressed transparently. Errors carry the path; a truncated gzip says so.
 */
export async function openInput(path: string): Promise<OpenedInput> {
  const raw: Readable = path === STDIN ? process.stdin : createReadStream(path, { highWaterMark: CHUNK });
  let rawBytes = 0;
  raw.on("data", (c: Buffer) => { rawBytes += c.length; });
  const rawIter = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  // Peek at the first raw bytes to recognise gzip.
  let first: Buffer;
  try {
    const r = await rawIter.next();
    first = r.done ? Buffer.alloc(0) : (r.value as Buffer);
  } catch (e) {
    throw wrapError(path, e, false, 0);
  }
  const compressed = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;

  async function* rawChunks(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    while (true) {
      const r = await rawIter.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  }

  let produced = 0;
  async function* decompressed(): AsyncGenerator<Buffer> {
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
  }

  const iter = decompressed()[Symbol.asyncIterator]();
  const headParts: Buffer[] = [];
  let headLen = 0;
  let done = false;
  while (headLen < HEAD_BYTES) {
    const r = await iter.next();
    if (r.done) { done = true; break; }
    headParts.push(r.value);
    headLen += r.value.length;
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
  return { path, compressed, head, rest: rest(), rawBytes: () => rawBytes };
}
