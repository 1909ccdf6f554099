/**
 * gzip (RFC 1952), read member by member with our own framing around zlib's raw inflate.
 *
 * Node's Gunzip reads concatenated members itself, but on bytes after the last member it either stops
 * silently (zero bytes) or fails with an error that throws away up to a megabyte of output it had
 * already inflated. Framing the members here lets every byte before a fault be delivered and the fault
 * be named with its offset: a member cut short, a bad CRC, or data after the last member.
 */
import type * as Zlib from "node:zlib";
import { InputError } from "../errors.js";
import { CHUNK, type ByteSource } from "./raw.js";
import { ringInflate, useRing, type GzipFile, type RingOptions } from "./gzip-ring.js";

const FTEXT = 1, FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;
/** A member header longer than this (file name or comment) is taken for damage. */
const MAX_HEADER = 1 << 20;

export function isGzip(b: Buffer): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/**
 * Length of the member header at the start of `b` (RFC 1952 section 2.3), "more" when `b` ends inside
 * it, or what is wrong with it.
 */
export function gzipHeaderLength(b: Buffer): number | "more" | { error: string } {
  if ((b.length >= 1 && b[0] !== 0x1f) || (b.length >= 2 && b[1] !== 0x8b)) {
    return { error: `not a gzip member (starts with bytes ${b.subarray(0, 4).toString("hex")})` };
  }
  if (b.length < 10) return "more";
  if (b[2] !== 8) return { error: `unknown gzip compression method ${b[2]} (only 8, deflate, exists)` };
  const flg = b[3]!;
  if (flg & 0xe0) return { error: `reserved gzip header flags set (0x${flg.toString(16)})` };
  void FTEXT;
  let p = 10;
  if (flg & FEXTRA) {
    if (b.length < p + 2) return "more";
    p += 2 + b.readUInt16LE(p);
    if (b.length < p) return "more";
  }
  for (const f of [FNAME, FCOMMENT]) {
    if (!(flg & f)) continue;
    const z = b.indexOf(0, p);
    if (z < 0) return b.length > MAX_HEADER ? { error: "gzip header name or comment longer than 1 MiB" } : "more";
    p = z + 1;
  }
  if (flg & FHCRC) p += 2;
  return b.length < p ? "more" : p;
}

type Crc32 = (b: Uint8Array, prev: number) => number;

let zlibModule: Promise<{ zlib: typeof Zlib; crc32: Crc32 }> | undefined;
/** node:zlib, loaded with the first gzip input: a run without one (most short runs) does not load it. */
const loadZlib = () => (zlibModule ??= import("node:zlib").then((zlib) => ({ zlib, crc32: crc32Of(zlib) })));

/** CRC-32 of RFC 1952 section 8 (zlib.crc32 where Node has it: 20.15 and later). */
const crc32Of = (zlib: typeof Zlib): Crc32 =>
  typeof (zlib as { crc32?: unknown }).crc32 === "function"
    ? (b, prev) => (zlib as unknown as { crc32: (b: Uint8Array, v: number) => number }).crc32(b, prev)
    : (() => {
      const table = new Int32Array(256);
      for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        table[n] = c;
      }
      return (b: Uint8Array, prev: number) => {
        let c = ~prev;
        for (let i = 0; i < b.length; i++) c = table[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
        return ~c >>> 0;
      };
    })();

type Wake = () => void;

/**
 * Inflate one member's deflate data, pulling raw chunks from `pull` (the first is `first`). Yields the
 * output; returns the raw bytes after the deflate data (the member trailer and what follows). One chunk
 * is written at a time and its callback awaited, so the inflater's `bytesWritten` tells exactly where
 * the deflate data ended; output is read as the consumer asks for it (zlib pauses when it is not).
 *
 * zlib calls a chunk's callback when the read of its last output leaves less than a high-water mark
 * buffered, so the next raw chunk is pulled and written then, before that last output is given out: the
 * thread pool inflates the next chunk while the consumer decodes the end of this one, instead of both
 * waiting for each other at each raw chunk (bench/README.md, "gzip, third round"). Nothing else changes:
 * a chunk is written only after zlib took the one before whole, and a read error of the next chunk is
 * thrown after the output before it was given out (and after a zlib error of this one, if any).
 */
async function* inflateBody(inf: Zlib.InflateRaw | Zlib.Gunzip, first: Buffer, pull: () => Promise<Buffer | null>): AsyncGenerator<Buffer, Buffer> {
  let wake: Wake | undefined;
  const signal = () => { const w = wake; wake = undefined; w?.(); };
  let failure: Error | undefined;
  let ended = false;
  inf.on("readable", signal);
  inf.on("end", () => { ended = true; signal(); });
  inf.on("error", (e) => { failure ??= e; signal(); });
  const waitEvent = () => new Promise<void>((res) => { wake = res; });
  /** Raw bytes written so far, and whether zlib has called back for the last chunk written. */
  let fed = 0;
  let written = false;
  /** The raw chunk written last, and whether the raw input ended (`inf.end()` called). */
  let current: Buffer | null = null;
  let inputEnded = false;
  /** The bytes zlib left of `current` (the deflate data ended inside it), or a read error of `pull`. */
  let rest: Buffer | undefined;
  let readError: { e: unknown } | undefined;
  const write = (c: Buffer | null): void => {
    current = c;
    if (c === null) { inputEnded = true; inf.end(); return; }
    written = false;
    inf.write(c, (e) => { if (e) failure ??= e; written = true; signal(); });
    fed += c.length;
  };
  /** zlib took `current` whole, or stopped inside it: the next chunk, or the bytes after the data. */
  const next = async (): Promise<void> => {
    const unused = fed - inf.bytesWritten;
    if (unused > 0) { rest = current!.subarray(current!.length - unused); return; }
    let c: Buffer | null;
    try {
      c = await pull();
    } catch (e) {
      readError = { e };
      return;
    }
    write(c);
  };
  try {
    write(first.length > 0 ? first : await pull());
    while (true) {
      const out = inf.read() as Buffer | null;
      if (written && !inputEnded && rest === undefined && readError === undefined && failure === undefined) await next();
      if (out) { yield out; continue; }
      if (failure) throw failure;
      if (rest !== undefined) return rest;
      if (readError !== undefined) throw readError.e;
      if (inputEnded && ended) return Buffer.alloc(0);
      await waitEvent();
    }
  } finally {
    inf.destroy();
  }
}

/** Where a gzip layer is in its input, for messages. */
interface Where { path: string; layer: string }

function gzError(w: Where, message: string, offset: number): InputError {
  return new InputError(message, { file: w.path, offset });
}

/**
 * The decompressed content of a gzip stream of one or more members (`cat a.gz b.gz` is one valid
 * file). Data after the last member is an error naming its offset, raised after every byte before it
 * was delivered: it may be a damaged member whose records would otherwise be lost without a word.
 *
 * With `again` (a regular file: the same bytes again from the first), zlib reads the members and checks
 * their CRC-32 and size itself, in the thread pool beside the decoder; the CRC-32 computed here cost the
 * main thread ~0.2 s of a 500 MB file (bench/README.md, "gzip, second round"). At anything else than a
 * clean end (a zlib error, bytes zlib left unread) the input is read again from its first byte through
 * our own framing, which skips the bytes already given out and names the fault exactly as it always did.
 *
 * With `file` too (the open regular file), a large file is inflated by a worker thread into a ring of
 * shared memory that this thread takes without a loop turn per chunk (gzip-ring.ts), cut into the same
 * chunks as zlib's stream here, and read again here at a fault in the same way. `ring` sets its sizes
 * (tests), and the slot size is then the stream's output chunk size too.
 */
export function gunzipSource(src: ByteSource, w: Where, again?: () => ByteSource, file?: GzipFile, ring?: RingOptions): ByteSource {
  src.noReuse();
  let reread: ByteSource | undefined;
  /** Chunks of the ring are views of its slots until a consumer says it keeps them. */
  let copying = false;
  async function* content(): AsyncGenerator<Buffer> {
    if (again === undefined) return yield* framed(src, w);
    const given = file !== undefined && useRing(file.size)
      ? yield* checkedInWorker(src, file, () => copying, ring)
      : yield* checkedByZlib((await loadZlib()).zlib, src, ring?.slotSize ?? CHUNK);
    if (given === "whole") return;
    reread = again();
    let skip = given;
    for await (const c of framed(reread, w)) {
      if (skip >= c.length) { skip -= c.length; continue; }
      yield skip > 0 ? c.subarray(skip) : c;
      skip = 0;
    }
  }
  const it = content();
  return {
    async next() {
      const r = await it.next();
      return r.done ? null : r.value;
    },
    noReuse() {
      copying = true;
    },
    async close() {
      await it.return(undefined);
      await reread?.close();
      await src.close();
    },
  };
}

/**
 * The input's members as zlib's gunzip reads them (member after member, each checked against its
 * trailer by zlib), ending in "whole" when zlib took every byte and ended cleanly; at anything else,
 * how many bytes were given out before it. A read error of the input is thrown as it is.
 */
async function* checkedByZlib(zlib: typeof Zlib, src: ByteSource, chunkSize: number): AsyncGenerator<Buffer, number | "whole"> {
  const first = await src.next();
  // Our framing names what is wrong with a first header (zlib reads some headers we call damaged).
  if (first === null || typeof gzipHeaderLength(first) !== "number") return 0;
  let given = 0;
  const body = inflateBody(zlib.createGunzip({ chunkSize }), first, () => src.next());
  try {
    for (let r = await body.next(); ; r = await body.next()) {
      // Bytes zlib did not take: zero padding, or data it did not read as a member.
      if (r.done) return r.value.length === 0 ? "whole" : given;
      given += r.value.length;
      yield r.value;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    return given;
  } finally {
    await body.return(Buffer.alloc(0));
  }
}

/**
 * As `checkedByZlib`, with zlib's gunzip in a worker thread that reads the file itself (gzip-ring.ts);
 * `src` gives only the first chunk, whose header our framing checks first, as there.
 */
async function* checkedInWorker(src: ByteSource, file: GzipFile, copy: () => boolean, ring?: RingOptions): AsyncGenerator<Buffer, number | "whole"> {
  const first = await src.next();
  if (first === null || typeof gzipHeaderLength(first) !== "number") return 0;
  return yield* ringInflate(file, copy, ring);
}

/** The members of `src` through our own framing and CRC-32 (the reference; the path of every error). */
function framed(src: ByteSource, w: Where): AsyncGenerator<Buffer> {
  src.noReuse();
  /** Raw bytes taken from `src` so far, and bytes of them not yet used (`held`). */
  let taken = 0;
  let held: Buffer = Buffer.alloc(0);
  const pull = async (): Promise<Buffer | null> => {
    const c = await src.next();
    if (c) taken += c.length;
    return c;
  };
  /** `held` extended to at least `n` bytes, or less at the end of the input. */
  const fill = async (n: number): Promise<void> => {
    while (held.length < n) {
      const c = await pull();
      if (c === null) return;
      held = held.length === 0 ? c : Buffer.concat([held, c]);
    }
  };
  const offsetOfHeld = () => taken - held.length;

  /** Take the next member's header off `held` (the caller has seen there are bytes left). */
  const header = async (member: number): Promise<void> => {
    const start = offsetOfHeld();
    let hl: ReturnType<typeof gzipHeaderLength>;
    for (let want = 10; ; want = held.length + 1) {
      await fill(want);
      hl = gzipHeaderLength(held);
      if (hl !== "more" || held.length < want) break;
    }
    if (hl === "more") throw gzError(w, `truncated ${w.layer}: member ${member} ends inside its header; expected a complete .gz file`, start);
    if (typeof hl === "number") {
      held = held.subarray(hl);
      return;
    }
    if (member === 1) throw gzError(w, hl.error, start);
    const what = held.every((x) => x === 0) ? "zero bytes" : `data that is not gzip (starts with bytes ${held.subarray(0, 4).toString("hex")})`;
    throw gzError(w, `${what} after the last ${w.layer} member; the ${member - 1} member(s) before it were read whole (to read it anyway: \`zcat FILE | portmatrix ... -\`)`, start);
  };

  /** A zlib error inside member `member`, after `size` bytes of it, as the input's error. */
  const bodyError = (e: unknown, member: number, size: number): unknown => {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "Z_BUF_ERROR" || /unexpected end of file/i.test(err.message ?? "")) {
      return gzError(w, `truncated ${w.layer}: member ${member} ends early (after ${size} decompressed bytes of it); expected a complete .gz file`, taken);
    }
    if (typeof err.code === "string" && err.code.startsWith("Z_")) {
      return gzError(w, `corrupt ${w.layer} data in member ${member} (${err.message}) after ${size} decompressed bytes of it`, taken);
    }
    return e;
  };

  /** Check and take off the member's trailer (RFC 1952 2.3.1: CRC32, ISIZE = size mod 2^32). */
  const trailer = async (member: number, crc: number, size: number): Promise<void> => {
    await fill(8);
    if (held.length < 8) throw gzError(w, `truncated ${w.layer}: member ${member} lacks its 8-byte trailer (CRC and size); its ${size} bytes were read`, offsetOfHeld());
    const wantCrc = held.readUInt32LE(0);
    const wantSize = held.readUInt32LE(4);
    if (wantCrc !== crc >>> 0 || wantSize !== size % 2 ** 32) {
      throw gzError(w, `${w.layer} member ${member} fails its check (CRC-32 ${(crc >>> 0).toString(16)}, size ${size}; the trailer says ${wantCrc.toString(16)}, ${wantSize}): the data is damaged`, offsetOfHeld());
    }
    held = held.subarray(8);
  };

  async function* members(): AsyncGenerator<Buffer> {
    const { zlib, crc32 } = await loadZlib();
    for (let member = 1; ; member++) {
      await header(member);
      const inflating = inflateBody(zlib.createInflateRaw({ chunkSize: CHUNK }), held, pull);
      held = Buffer.alloc(0);
      let crc = 0;
      let size = 0;
      try {
        for (let r = await inflating.next(); ; r = await inflating.next()) {
          if (r.done) { held = r.value; break; }
          crc = crc32(r.value, crc);
          size += r.value.length;
          yield r.value;
        }
      } catch (e) {
        throw bodyError(e, member, size);
      }
      await trailer(member, crc, size);
      await fill(1);
      if (held.length === 0) return;
    }
  }
  return members();
}
