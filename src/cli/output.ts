/**
 * Writing the reports asked for with `-o`, and nothing else.
 *
 * - A regular file (new, or the one a symlink points to) is written whole or not at all: to
 *   `.NAME.PID.tmp` beside it, synced, then renamed over it, keeping the old file's mode. A symlink
 *   stays a symlink; its target is replaced.
 * - A character device (/dev/null, a terminal) or a FIFO is written through, never replaced; /dev/stdout,
 *   /dev/stderr and /dev/fd/N are the process's own descriptors. A block device or a socket is refused.
 * - A path that is an input, the inventory, the ruleset or the baseline (the same file by device and
 *   inode, or by real path) is refused before anything is read.
 * - Temporary files are removed on every exit portmatrix can see (errors, SIGINT, SIGTERM, SIGHUP); one
 *   left by a process that could not clean up (kill -9, a crash) is removed by the next run writing the
 *   same report: `.NAME.PID.tmp` beside NAME whose PID no longer runs.
 */
import {
  closeSync, constants, fchmodSync, fstatSync, fsyncSync, lstatSync, openSync, readdirSync, readlinkSync, realpathSync,
  renameSync, statSync, unlinkSync, writeSync, type Stats,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError, errnoText } from "../errors.js";
import { escapeTerminal } from "../report/escape.js";

/** Where `-o PATH` writes. */
export type OutputTarget =
  | { kind: "fd"; path: string; fd: number }
  | { kind: "device"; path: string; target: string; fifo: boolean }
  | { kind: "file"; path: string; target: string; mode: number | undefined };

/** The process's own descriptors by name (Linux: /dev/stdout is a link to /proc/self/fd/1). */
const FD_PATH = /^\/(?:dev\/(?:stdout|stderr|fd\/(\d+))|proc\/self\/fd\/(\d+))$/;
const MAX_LINKS = 40; // as Linux's own limit on symbolic links in one lookup (ELOOP)

function fdOf(path: string): number | undefined {
  const m = FD_PATH.exec(path);
  if (!m) return undefined;
  return path === "/dev/stdout" ? 1 : path === "/dev/stderr" ? 2 : Number(m[1] ?? m[2]);
}

function cannot(path: string, why: string): UsageError {
  return new UsageError(`cannot write ${path}: ${why}`);
}

/** A file that does not exist yet, named by its directory's real path when there is one. */
function newFile(path: string, p: string): OutputTarget {
  let dir = dirname(p);
  try { dir = realpathSync(dir); } catch { /* reported when the file is created */ }
  return { kind: "file", path, target: join(dir, basename(p)), mode: undefined };
}

/** What writing to `path` means, following symlinks one at a time (a dangling link names a new file). */
export function resolveOutput(path: string): OutputTarget {
  let p = resolve(path);
  for (let hops = 0; ; hops++) {
    const fd = fdOf(p);
    if (fd !== undefined) return { kind: "fd", path, fd };
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return newFile(path, p);
      throw cannot(path, errnoText(e));
    }
    if (st.isSymbolicLink()) {
      if (hops >= MAX_LINKS) throw cannot(path, "ELOOP (too many levels of symbolic links)");
      p = resolve(dirname(p), readlinkSync(p));
      continue;
    }
    if (st.isFile()) return { kind: "file", path, target: p, mode: st.mode & 0o7777 };
    if (st.isCharacterDevice() || st.isFIFO()) return { kind: "device", path, target: p, fifo: st.isFIFO() };
    if (st.isDirectory()) throw cannot(path, "it is a directory");
    if (st.isBlockDevice()) throw cannot(path, "it is a block device (a disk); refusing to write a report onto it");
    throw cannot(path, "it is a socket; a report goes to a file, a character device or a FIFO");
  }
}

/** A file the run reads, which no output may overwrite. */
export interface ReadFile {
  path: string;
  /** "an input", "the inventory", "the ruleset", "the baseline" */
  what: string;
}

function identity(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

/** Device:inode and real path of a regular file the run reads ("-": standard input, when it is a file). */
function readIdentity(f: ReadFile): { id?: string; real?: string } {
  try {
    const st = f.path === "-" ? fstatSync(0) : statSync(f.path);
    if (!st.isFile()) return {};
    return f.path === "-" ? { id: identity(st) } : { id: identity(st), real: realpathSync(f.path) };
  } catch {
    return {}; // a file that cannot be read cannot be overwritten by mistake either
  }
}

/**
 * Refuse, before anything is read, outputs that would overwrite a file the run reads, and an output
 * named twice. Only regular files are compared: writing to /dev/null or a terminal damages nothing.
 */
export function checkOutputs(outputs: readonly string[], reads: readonly ReadFile[], flag = "--output"): void {
  const known = reads.map((f) => ({ f, ...readIdentity(f) }));
  const seen = new Map<string, string>();
  for (const path of outputs) {
    const t = resolveOutput(path);
    const key = t.kind === "fd" ? `fd:${t.fd}` : t.target;
    const twice = seen.get(key);
    if (twice !== undefined) throw new UsageError(`${flag} ${path}: the same file as ${flag} ${twice}; name each report once`);
    seen.set(key, path);
    if (t.kind !== "file") continue;
    let id: string | undefined;
    try { id = identity(statSync(t.target)); } catch { /* a new file */ }
    const hit = known.find((k) => (id !== undefined && k.id === id) || k.real === t.target);
    if (hit) throw new UsageError(`${flag} ${path}: it is ${hit.f.what} (${hit.f.path}); refusing to overwrite a file this run reads`);
  }
}

/** What an interruption has to report and to clean up. */
const state = { temps: new Set<string>(), planned: [] as string[], written: [] as string[] };

/** The reports this run is about to write, in order (for the message if it is interrupted). */
export function planReports(paths: readonly string[]): void {
  state.planned = [...paths];
  state.written = [];
}

function removeTemps(): void {
  for (const t of state.temps) {
    try { unlinkSync(t); } catch { /* already gone */ }
  }
  state.temps.clear();
}

/** What an interruption leaves behind, in words that are true at the moment it is said. */
export function interruptionText(signal: string): string {
  const names = (l: readonly string[]) => l.map(escapeTerminal).join(", ");
  const { planned, written } = state;
  if (written.length === 0) return `interrupted (${signal}); no report written`;
  const rest = planned.filter((p) => !written.includes(p));
  if (rest.length === 0) return `interrupted (${signal}) after every report was written (${names(written)})`;
  return `interrupted (${signal}) while writing reports; written: ${names(written)}; not written: ${names(rest)}`;
}

const SIGNAL_STATUS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
let guarded = false;
/**
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP end the run at once, status 128 + the signal's number: the temporary
 * file being written is removed and the message says which reports were written before (reports are
 * renamed into place only when complete). Any other way out removes temporary files too.
 */
export function guardInterrupt(stderr: (s: string) => void): void {
  if (guarded) return;
  guarded = true;
  process.on("exit", removeTemps);
  for (const signal of Object.keys(SIGNAL_STATUS) as (keyof typeof SIGNAL_STATUS)[]) {
    const handler = () => {
      removeTemps();
      stderr(`portmatrix: ${interruptionText(signal)}\n`);
      process.exit(SIGNAL_STATUS[signal]);
    };
    signalHandlers.push([signal, handler]);
    process.once(signal, handler);
  }
}

const signalHandlers: [string, () => void][] = [];

/**
 * For a command that takes signals as requests (`collect`: SIGHUP writes the report, SIGINT and SIGTERM
 * write the last one and end): the guard above steps aside. Temporary files are still removed at exit,
 * and reports are still written whole or not at all.
 */
export function releaseInterruptGuard(): void {
  for (const [signal, handler] of signalHandlers.splice(0)) process.removeListener(signal, handler);
}

/** Let the event loop run once: a signal that arrived during synchronous work is handled here. */
export function settle(): Promise<void> {
  return new Promise((res) => setImmediate(res));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // runs, as another user
  }
}

/** Remove `.NAME.PID.tmp` files beside `target` left by processes that no longer run (or by this one). */
export function removeStaleTemps(target: string): void {
  const dir = dirname(target);
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(target))}\\.(\\d+)\\.tmp$`);
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    const m = pattern.exec(n);
    if (!m) continue;
    const p = join(dir, n);
    const pid = Number(m[1]);
    if (state.temps.has(p) || (pid !== process.pid && alive(pid))) continue;
    try {
      const st = lstatSync(p);
      if (st.isFile() || st.isSymbolicLink()) unlinkSync(p);
    } catch { /* gone, or not ours to remove */ }
  }
}

const SLICE = 1 << 20;

/** The data as byte chunks of about 1 MiB (a string is cut between UTF-16 code units of one character never). */
function* byteChunks(data: string | Iterable<string | Uint8Array>): Generator<Uint8Array> {
  for (const chunk of typeof data === "string" ? [data] : data) {
    if (typeof chunk !== "string") { yield chunk; continue; }
    for (let i = 0; i < chunk.length;) {
      let end = Math.min(chunk.length, i + SLICE);
      const last = chunk.charCodeAt(end - 1);
      if (end < chunk.length && last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair whole
      yield Buffer.from(chunk.slice(i, end), "utf8");
      i = end;
    }
  }
}

/** How long a FIFO given to -o may wait for its reader. */
export const FIFO_WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/** Write all of `b` to `fd`; a non-blocking pipe that is full is waited for, a signal can end the wait. */
async function writeAll(fd: number, b: Uint8Array): Promise<void> {
  for (let off = 0; off < b.length;) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      await sleep(2);
    }
  }
}

/** Write every chunk, letting the event loop run between chunks (a signal is handled within one). */
async function writeChunks(fd: number, data: string | Iterable<string | Uint8Array>, fail: (e: unknown) => never): Promise<void> {
  const chunks = byteChunks(data);
  for (;;) {
    // A chunk that fails to render throws its own error, not "cannot write".
    const next = chunks.next();
    if (next.done) return;
    try {
      await writeAll(fd, next.value);
    } catch (e) {
      fail(e);
    }
    await settle();
  }
}

async function writeThrough(t: Extract<OutputTarget, { kind: "device" }>, data: string | Iterable<string | Uint8Array>): Promise<void> {
  const fail = (e: unknown): never => { throw cannot(t.path, errnoText(e)); };
  let fd: number | undefined;
  // Never O_CREAT or O_TRUNC: the device or FIFO stays what it is. A FIFO is opened without blocking
  // (a blocked open ignores signals), and a reader is waited for up to FIFO_WAIT_MS.
  for (const start = Date.now(); fd === undefined;) {
    try {
      fd = openSync(t.target, constants.O_WRONLY | constants.O_NOCTTY | (t.fifo ? constants.O_NONBLOCK : 0));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENXIO" || !t.fifo) return fail(e);
      if (Date.now() - start >= FIFO_WAIT_MS) throw cannot(t.path, `it is a FIFO that no process opened for reading within ${FIFO_WAIT_MS / 1000} s`);
      await sleep(50);
    }
  }
  try {
    await writeChunks(fd, data, fail);
  } finally {
    try { closeSync(fd); } catch { /* the first error is the one to report */ }
  }
}

async function writeAtomic(t: Extract<OutputTarget, { kind: "file" }>, data: string | Iterable<string | Uint8Array>): Promise<void> {
  const fail = (e: unknown): never => { throw cannot(t.path, errnoText(e)); };
  removeStaleTemps(t.target);
  const tmp = join(dirname(t.target), `.${basename(t.target)}.${process.pid}.tmp`);
  let fd = -1;
  state.temps.add(tmp);
  try {
    try {
      // O_EXCL: never through a link someone placed at the temporary name.
      fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, t.mode ?? 0o666);
      if (t.mode !== undefined) fchmodSync(fd, t.mode);
    } catch (e) {
      fail(e);
    }
    await writeChunks(fd, data, fail);
    try {
      fsyncSync(fd);
      const open = fd;
      fd = -1;
      closeSync(open);
      renameSync(tmp, t.target);
    } catch (e) {
      fail(e);
    }
    state.temps.delete(tmp);
  } finally {
    if (fd >= 0) {
      try { closeSync(fd); } catch { /* the first error is the one to report */ }
    }
    if (state.temps.delete(tmp)) {
      try { unlinkSync(tmp); } catch { /* never created */ }
    }
  }
}

/**
 * Write one report to `path` as the rules above say. Errors name the path; a chunk that fails to render
 * throws its own error. The written path is recorded for an interruption's message. Each chunk is
 * written before the next is asked for, so chunks may share memory (jsonReportChunks `reuse`).
 */
export async function writeReport(path: string, data: string | Iterable<string | Uint8Array>): Promise<void> {
  const t = resolveOutput(path);
  if (t.kind === "fd") await writeChunks(t.fd, data, (e): never => { throw cannot(path, errnoText(e)); });
  else if (t.kind === "device") await writeThrough(t, data);
  else await writeAtomic(t, data);
  state.written.push(path);
}
