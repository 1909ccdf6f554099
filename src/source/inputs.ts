import { readdirSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { keepDirectory, keepFile, type PathFilter } from "./glob.js";
import { InputError } from "../errors.js";
import { openPath, prepend, streamSource, type ByteSource, type RawOptions } from "./raw.js";
import type { ReadRing } from "./read-ring.js";
import { decompressSource, detectCompression } from "./compress.js";
import { crSource, crToLf, detectUtf16, isCrOnly, utf16Source } from "./encoding.js";
import { DETECT_BYTES, detectBinary } from "./detect.js";

export const STDIN = "-";

/**
 * Expand the command line's inputs: files as given, directories recursively (sorted, hidden entries
 * skipped), "-" for standard input. A missing path is an InputError naming it. An entry that cannot
 * even be looked at (a symbolic link loop, a link to nothing, a link back to a directory being walked)
 * stays in the list: opening it reports what it is, and the other inputs are still read.
 *
 * `filter` (--include, --exclude) applies to what a directory holds, each entry matched by its path
 * below the directory given and by its name; a file named on the command line is always read.
 */
export function expandInputs(args: readonly string[], filter?: PathFilter): string[] {
  const out: string[] = [];
  /** Directories on the path from the argument down (device:inode), to see a link that leads back up. */
  const ancestors = new Set<string>();
  const walk = (dir: string, id: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw new InputError(`cannot read directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: dir });
    }
    ancestors.add(id);
    for (const n of names) {
      if (n.startsWith(".")) continue;
      const p = join(dir, n);
      const r = rel ? `${rel}/${n}` : n;
      let st: Stats | undefined;
      try {
        st = statSync(p);
      } catch {
        st = undefined;
      }
      if (st?.isDirectory()) {
        if (filter && !keepDirectory(filter, r, n)) continue;
        const sub = `${st.dev}:${st.ino}`;
        // A symbolic link to a directory above: following it would never end.
        if (ancestors.has(sub)) out.push(p);
        else walk(p, sub, r);
      } else if (!filter || keepFile(filter, r, n)) {
        out.push(p);
      }
    }
    ancestors.delete(id);
  };
  for (const a of args) {
    if (a === STDIN) { out.push(a); continue; }
    let st: Stats | undefined;
    try {
      st = statSync(a);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new InputError("no such file or directory", { file: a });
    }
    if (st?.isDirectory()) walk(a, `${st.dev}:${st.ino}`, "");
    else out.push(a);
  }
  return out;
}

export interface OpenedInput {
  path: string;
  compressed: boolean;
  /** The layers taken off, outermost first: "gzip", "utf-16le", "cr-line-ends" (empty for plain UTF-8). */
  layers: string[];
  /** The first bytes of the decoded content (for format detection), already consumed from `rest`. */
  head: Buffer;
  /**
   * The remaining decoded chunks. A chunk of an uncompressed file is only valid until the next one is
   * asked for (its buffer is reused): a consumer copies what it keeps, as decoders do. An error met
   * while the head was read is thrown here, after the head: what came before it is still decoded.
   */
  rest: AsyncIterable<Buffer>;
  /**
   * Present for a file read as it is on disk (no compression or encoding taken off): the next chunk of
   * `rest`, read straight into `into` where the source can (raw.ts `nextInto`); null at the end. A
   * consumer takes chunks from `rest` or from this, not from both.
   */
  nextInto?: (into: Buffer, ring?: ReadRing) => Promise<Buffer | null>;
  /** Raw (on-disk) bytes read so far (for progress). */
  rawBytes(): number;
  /** Release the file (also done when `rest` is read to its end or abandoned). */
  close(): Promise<void>;
}

export interface OpenOptions extends RawOptions {}

/** Bytes looked at to recognise a compression or an encoding (a tar header's magic is at 257). */
const PEEK_BYTES = 512;
/** gzip inside gzip inside ...: more layers than this is taken for a mistake, not a log. */
const MAX_LAYERS = 4;

/**
 * The first `n` bytes of `src` (fewer at its end), copied, and a source that gives them again before
 * the rest. An error met while peeking is given after the bytes that came before it.
 */
async function peek(src: ByteSource, n: number): Promise<{ head: Buffer; src: ByteSource; after: ByteSource; error?: unknown }> {
  const parts: Buffer[] = [];
  let len = 0;
  let error: unknown;
  let ended = false;
  try {
    while (len < n) {
      const c = await src.next();
      if (c === null) { ended = true; break; }
      parts.push(Buffer.from(c));
      len += c.length;
    }
  } catch (e) {
    error = e;
  }
  const head = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const after: ByteSource = {
    async next() {
      if (error !== undefined) { const e = error; error = undefined; ended = true; throw e; }
      if (ended) return null;
      return src.next();
    },
    async nextInto(into, ring) {
      if (error !== undefined || ended) return after.next();
      return src.nextInto ? src.nextInto(into, ring) : src.next();
    },
    noReuse: () => src.noReuse(),
    close: () => src.close(),
  };
  const out = prepend(head, after);
  return error === undefined ? { head, src: out, after } : { head, src: out, after, error };
}

const layerName = (layers: readonly string[], c: string) => (layers.length === 0 ? c : `${c} (inside ${layers[layers.length - 1]})`);

/**
 * Open an input and read its head. Compression (gzip, zstd, xz, bzip2, also nested) is recognised by
 * magic bytes, never by the name, and taken off; UTF-16 text becomes UTF-8 and CR-only line ends
 * become LF. Errors carry the path and, inside the content, the byte offset.
 */
export async function openInput(path: string, o: OpenOptions = {}): Promise<OpenedInput> {
  const raw = path === STDIN ? streamSource(process.stdin) : await openPath(path, o);
  let rawBytes = 0;
  let src: ByteSource = {
    async next() {
      const c = await raw.next();
      if (c) rawBytes += c.length;
      return c;
    },
    async nextInto(into, ring) {
      const c = await (raw.nextInto ? raw.nextInto(into, ring) : raw.next());
      if (c) rawBytes += c.length;
      return c;
    },
    noReuse: () => raw.noReuse(),
    close: () => raw.close(),
  };
  const layers: string[] = [];
  try {
    for (;;) {
      const p = await peek(src, PEEK_BYTES);
      src = p.src;
      const c = detectCompression(p.head);
      if (c === undefined) break;
      if (layers.length >= MAX_LAYERS) throw new InputError(`compressed more than ${MAX_LAYERS} times over (${[...layers, c].join(" > ")}); not read`, { file: path });
      // The outermost layer of a regular file can be read again from its first byte (gzip's checked path).
      const again = layers.length === 0 && raw.again ? () => raw.again!() : undefined;
      // ... and read by a worker thread through its descriptor (gzip-ring.ts), which says how far it read
      // (from the first byte again: what the source read already is not counted twice).
      const file = layers.length === 0 && raw.file ? { ...raw.file, reached: (at: number) => { if (at > rawBytes) rawBytes = at; } } : undefined;
      src = decompressSource(c, src, path, layerName(layers, c), again, file);
      layers.push(c);
    }
    const p = await peek(src, PEEK_BYTES);
    src = p.src;
    const enc = detectUtf16(p.head);
    if (enc) {
      src = utf16Source(src, enc);
      layers.push(enc);
    }
  } catch (e) {
    await src.close().catch(() => undefined);
    throw e;
  }
  const h = await peek(src, DETECT_BYTES);
  // The head is kept here; `after` goes on from its end.
  src = h.after;
  let head = h.head;
  if (head.length === 0 && h.error !== undefined) {
    await src.close().catch(() => undefined);
    throw h.error;
  }
  // The first DETECT_BYTES only, as detection: a file's head is longer than standard input's.
  if (isCrOnly(head.subarray(0, DETECT_BYTES)) && detectBinary(head) === undefined) {
    head = crToLf(head);
    src = crSource(src);
    layers.push("cr-line-ends");
  }
  const rest = src;
  async function* restChunks(): AsyncGenerator<Buffer> {
    try {
      for (let c = await rest.next(); c !== null; c = await rest.next()) yield c;
    } finally {
      await rest.close();
    }
  }
  const opened: OpenedInput = {
    path,
    compressed: layers.some((l) => l === "gzip" || l === "bzip2" || l === "xz" || l === "zstd"),
    layers,
    head,
    rest: restChunks(),
    rawBytes: () => rawBytes,
    close: () => rest.close(),
  };
  if (layers.length === 0 && raw.nextInto) opened.nextInto = (into, ring) => rest.nextInto!(into, ring);
  return opened;
}
