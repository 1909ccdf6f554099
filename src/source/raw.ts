/**
 * Bytes of one input as they are on disk (or in the pipe), chunk by chunk, before any decompression.
 *
 * Nothing here may block a thread forever: a FIFO is opened with O_NONBLOCK (a blocking open of a FIFO
 * with no writer holds a thread-pool thread, and then even process.exit() waits for it), devices are
 * refused, and a regular file is checked for having been cut short while it was read.
 */
import { close, constants, fstat, fstatSync, lstat, open, read, readSync, realpath, type Stats } from "node:fs";
import type { Readable } from "node:stream";
import { InputError } from "../errors.js";
import type { ReadRing } from "./read-ring.js";
import { turn } from "./threads.js";

export const CHUNK = 1 << 20;

/** How long a FIFO given as an input may go without a writer (documented in the README). */
export const FIFO_WRITER_TIMEOUT_MS = 10_000;

/** A pull source of raw chunks. A chunk is valid until the next call to `next` (buffers are reused). */
export interface ByteSource {
  next(): Promise<Buffer | null>;
  /**
   * The next chunk, read straight into `into` where the source can (a regular file, read with a
   * synchronous positional read: no thread-pool round trip and no copy for a consumer that owns
   * `into`, such as the WebAssembly pcap decoder's chunk area); else what `next` gives. Sources that
   * cannot read into a buffer (FIFOs, standard input) leave it out, and a consumer calls `next`.
   * Given a `ring` (the consumer's areas of a shared memory), a large regular file is read from then on by
   * the ring's worker thread, and a chunk is a view of one of those areas (read-ring.ts).
   */
  nextInto?(into: Buffer, ring?: ReadRing): Promise<Buffer | null>;
  /** From now on every chunk is a fresh buffer (a consumer such as zlib may keep them). */
  noReuse(): void;
  close(): Promise<void>;
  /**
   * Regular files only: the same bytes again from the first, as a new source over the same open file
   * (never reopened by name, which may by then be another file). Closing it leaves the file open; the
   * first source's `close` closes it.
   */
  again?(): ByteSource;
  /**
   * Regular files only, the source `openPath` gave: the open descriptor and the size when opened, for a
   * reader in another thread (gzip-ring.ts), which reads with positional reads and never closes it.
   */
  file?: { fd: number; size: number };
}

export interface RawOptions {
  /** Override FIFO_WRITER_TIMEOUT_MS (tests). */
  fifoWriterTimeoutMs?: number;
}

/** Standard input (`-`) as a stream: pipes, files and terminals, as Node gives them. */
export function streamSource(raw: Readable): ByteSource {
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

/**
 * The three calls of an open file this module makes, over node:fs's callback functions (the same
 * thread-pool calls, errors and codes as node:fs/promises' FileHandle): loading node:fs/promises, with
 * the directory, watcher and readline modules behind it, was ~2 ms of a 1-packet run.
 */
interface OpenFile {
  fd: number;
  read(buf: Buffer, offset: number, length: number, position: number | null): Promise<number>;
  /** The same read, on this thread (regular files only: it returns as soon as the page cache or the disk does). */
  readNow(buf: Buffer, offset: number, length: number, position: number): number;
  stat(): Promise<Stats>;
  statNow(): Stats;
  close(): Promise<void>;
}

function openFile(path: string, flags: number): Promise<OpenFile> {
  return new Promise((res, rej) => open(path, flags, (e, fd) => (e ? rej(e) : res(fileOf(fd)))));
}

function fileOf(fd: number): OpenFile {
  return {
    fd,
    read: (buf, offset, length, position) => new Promise((res, rej) => read(fd, buf, offset, length, position, (e, n) => (e ? rej(e) : res(n)))),
    readNow: (buf, offset, length, position) => readSync(fd, buf, offset, length, position),
    stat: () => new Promise((res, rej) => fstat(fd, (e, st) => (e ? rej(e) : res(st)))),
    statNow: () => fstatSync(fd),
    close: () => new Promise((res, rej) => close(fd, (e) => (e ? rej(e) : res()))),
  };
}

/** The error for an errno from opening or reading `path`. */
export function fsError(path: string, e: unknown): InputError {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof InputError) return e;
  switch (err.code) {
    case "ENOENT": return new InputError("no such file (or a symbolic link to nothing)", { file: path });
    case "EACCES": case "EPERM": return new InputError("permission denied", { file: path });
    case "ELOOP": return new InputError("symbolic link loop (ELOOP): the link leads back to itself; not read", { file: path });
    case "ENXIO": return new InputError("is a socket or a device with nothing behind it, not a file; not read", { file: path });
    case "EISDIR": return new InputError("is a directory", { file: path });
    default: return new InputError(`cannot read (${err.code ?? err.message})`, { file: path });
  }
}

/**
 * Open an input path. Regular files are read with positional reads; FIFOs (named pipes, and
 * `/dev/fd/N` of a shell's `<(...)`) are polled without blocking; devices, sockets and directories are
 * refused with an error naming what they are.
 */
export async function openPath(path: string, o: RawOptions = {}): Promise<ByteSource> {
  let fh: OpenFile;
  try {
    fh = await openFile(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw fsError(path, e);
  }
  try {
    const st = await fh.stat();
    if (st.isFile()) return fileSource(path, fh, st.size);
    if (st.isFIFO()) return fifoSource(path, fh, o.fifoWriterTimeoutMs ?? FIFO_WRITER_TIMEOUT_MS);
    if (st.isDirectory()) throw await directoryError(path);
    const what = st.isCharacterDevice() ? "a character device" : st.isBlockDevice() ? "a block device" : st.isSocket() ? "a socket" : "not a regular file";
    throw new InputError(`is ${what}, not a log file; not read (to read a device, give its output on standard input: \`... - < ${path}\`)`, { file: path });
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw fsError(path, e);
  }
}

/** A directory among the inputs after expansion is a symbolic link back to a directory being read. */
async function directoryError(path: string): Promise<InputError> {
  const link = await new Promise<boolean>((res) => lstat(path, (e, s) => res(!e && s.isSymbolicLink())));
  if (!link) return new InputError("is a directory", { file: path });
  const target = await new Promise<string>((res) => realpath(path, (e, t) => res(e ? "?" : t)));
  return new InputError(`symbolic link to the directory ${target}, which contains it: a directory cycle, not followed`, { file: path });
}

/**
 * The event loop (signals, timers) is let run after this many direct reads in a row (~16 MiB: a few ms
 * of reading, ~12 ms with a realistic capture's decoding between them), or sooner, once this many
 * milliseconds have passed since it last ran: the consumer works on each chunk between two reads, and a
 * scan-like capture's decoding and tracking is ~10 ms a chunk, so 16 chunks held Ctrl-C or SIGTERM for
 * 100-225 ms where the async path took 15-40 ms.
 */
const DIRECT_READS_PER_TURN = 16;
const DIRECT_MS_PER_TURN = 10;


/**
 * A regular file, read with positional reads into two buffers that take turns: the next read runs in the
 * thread pool while the caller works on the current chunk. A caller that asks for chunks `nextInto` its
 * own buffer gets synchronous reads from then on (no read-ahead: see bench/README.md, "Realistic capture,
 * second round"). At the end, a file that now ends before the size it had when it was opened was
 * truncated while it was read (logrotate's copytruncate, a disk full): that is an error naming the
 * offset, never a complete input.
 */
function fileSource(path: string, fh: OpenFile, sizeAtOpen: number, ownsFile = true): ByteSource {
  const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  let turnBuf = 0;
  let reuse = true;
  let closed = false;
  let eof = false;
  /** Set by the first `nextInto`: no more read-ahead. */
  let direct = false;
  let directReads = 0;
  // Date.now, not performance.now: the global `performance` loads node:perf_hooks and nine more modules
  // (~1 ms of a short run) when first read; milliseconds are fine enough for DIRECT_MS_PER_TURN.
  let lastTurn = Date.now();
  /** Offset of the next read. */
  let pos = 0;
  const read = (): Promise<Buffer | null> => {
    const buf = reuse ? bufs[turnBuf]! : Buffer.allocUnsafe(CHUNK);
    turnBuf ^= 1;
    const at = pos;
    return fh.read(buf, 0, CHUNK, at).then((n) => (n === 0 ? null : buf.subarray(0, n)));
  };
  let ahead: Promise<Buffer | null> | undefined;
  const truncated = (now: number) =>
    new InputError(`the file was truncated while it was read: it had ${sizeAtOpen} bytes when opened, and now ends at ${now}; the ${sizeAtOpen - pos} bytes after this offset were not read`, { file: path, offset: pos });
  const atEnd = async () => {
    eof = true;
    if (pos < sizeAtOpen) throw truncated((await fh.stat()).size);
  };
  const src: ByteSource = {
    async next() {
      if (eof || closed) return null;
      const p = ahead ?? read();
      ahead = undefined;
      let chunk: Buffer | null;
      try {
        chunk = await p;
      } catch (e) {
        throw fsError(path, e);
      }
      if (chunk === null) { await atEnd(); return null; }
      pos += chunk.length;
      // Read the next chunk while this one is being decoded.
      if (chunk.length === CHUNK && !direct) {
        ahead = read();
        // A failed read-ahead is reported when its chunk is asked for, not before.
        ahead.catch(() => undefined);
      }
      return chunk;
    },
    async nextInto(into, ring) {
      direct = true;
      // A read-ahead already under way gives its chunk first, in order.
      if (ahead !== undefined || eof || closed) return src.next();
      if (++directReads % DIRECT_READS_PER_TURN === 0 || Date.now() - lastTurn >= DIRECT_MS_PER_TURN) {
        directReads = 0;
        await turn();
        lastTurn = Date.now();
      }
      if (closed) return null;
      if (ring !== undefined) {
        // The ring's worker reads from `pos` on once it runs; until then, and after its end, this does.
        const c = await ring.take(fh.fd, pos, sizeAtOpen - pos);
        if (c !== null) {
          pos += c.length;
          return c;
        }
        if (closed) return null;
      }
      let n: number;
      try {
        n = fh.readNow(into, 0, into.length, pos);
      } catch (e) {
        throw fsError(path, e);
      }
      if (n === 0) {
        eof = true;
        if (pos < sizeAtOpen) {
          let now: number;
          try {
            now = fh.statNow().size;
          } catch (e) {
            throw fsError(path, e);
          }
          throw truncated(now);
        }
        return null;
      }
      pos += n;
      return into.subarray(0, n);
    },
    noReuse() {
      reuse = false;
    },
    again: () => fileSource(path, fh, sizeAtOpen, false),
    file: { fd: fh.fd, size: sizeAtOpen },
    async close() {
      if (closed) return;
      closed = true;
      if (ahead) await ahead.catch(() => undefined);
      if (ownsFile) await fh.close();
    },
  };
  return src;
}

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/**
 * A FIFO opened with O_NONBLOCK: a read returns EAGAIN while a writer is connected but silent, and 0 at
 * the end of input, and also while no writer has connected yet. Until a writer shows itself (data or
 * EAGAIN), 0 means "nobody there yet", and after `writerTimeoutMs` of that the input is an error. Every
 * read returns at once, so no thread waits on the pipe and a signal ends the process at any time.
 */
function fifoSource(path: string, fh: OpenFile, writerTimeoutMs: number): ByteSource {
  let writerSeen = false;
  let closed = false;
  let eof = false;
  const started = Date.now();
  return {
    async next() {
      let idle = 1;
      // A fresh buffer per chunk handed out (pipes deliver at most 64 KiB at a time); polls reuse it.
      const buf = Buffer.allocUnsafe(256 * 1024);
      while (!eof && !closed) {
        let n: number;
        try {
          n = await fh.read(buf, 0, buf.length, null);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw fsError(path, e);
          writerSeen = true;
          await sleep(idle);
          idle = Math.min(idle * 2, 50);
          continue;
        }
        if (n > 0) { writerSeen = true; return buf.subarray(0, n); }
        if (writerSeen) { eof = true; break; }
        if (Date.now() - started > writerTimeoutMs) {
          throw new InputError(`is a FIFO (named pipe) and no program wrote to it within ${Math.round(writerTimeoutMs / 1000)} s; start the writer first, or give the data on standard input with \`-\``, { file: path });
        }
        await sleep(idle);
        idle = Math.min(idle * 2, 50);
      }
      return null;
    },
    noReuse() {},
    async close() {
      if (closed) return;
      closed = true;
      await fh.close();
    },
  };
}

/** A source that gives `first` before the rest of `src` (bytes read to recognise the content). */
export function prepend(first: Buffer, src: ByteSource): ByteSource {
  let pending: Buffer | null = first.length > 0 ? first : null;
  return {
    async next() {
      if (pending) { const p = pending; pending = null; return p; }
      return src.next();
    },
    async nextInto(into, ring) {
      if (pending) { const p = pending; pending = null; return p; }
      return src.nextInto ? src.nextInto(into, ring) : src.next();
    },
    noReuse: () => src.noReuse(),
    close: () => src.close(),
  };
}
