/**
 * Every file portmatrix reads whole (the inventory, a ruleset file, a saved JSON report given to
 * --baseline, `diff` or `why`) is read here: with a size cap, and never with a read that can wait
 * forever. The loaders that parse them are synchronous, so a FIFO (`-i <(make-inventory)`) is read
 * beforehand, asynchronously, by `preloadConfig`, and kept; a regular file is read when it is asked for.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { InputError } from "../errors.js";
import { openPath, type RawOptions } from "./raw.js";

export type ConfigKind = "inventory" | "ruleset" | "report";

const MiB = 1024 * 1024;
/** Far above any real one (a 100,000-host inventory is ~5 MiB), far below what would exhaust memory. */
export const CONFIG_LIMITS: Record<ConfigKind, number> = { inventory: 64 * MiB, ruleset: 16 * MiB, report: 256 * MiB };

const KIND_TEXT: Record<ConfigKind, string> = { inventory: "inventory", ruleset: "ruleset", report: "report" };

/** Texts (or the error reading them gave) of config files that are not regular files, read in advance, by kind and path. */
const preloaded = new Map<string, string | InputError>();
const key = (kind: ConfigKind, path: string) => `${kind}:${path}`;

function tooLarge(path: string, kind: ConfigKind, size: string): InputError {
  return new InputError(`${size} is larger than the ${CONFIG_LIMITS[kind] / MiB} MiB limit for a${kind === "inventory" ? "n" : ""} ${KIND_TEXT[kind]}; is this the right file?`, { file: path });
}

function notAFile(path: string, kind: ConfigKind, what: string): InputError {
  return new InputError(`cannot read ${KIND_TEXT[kind]}: it is ${what}, not a file`, { file: path });
}

/**
 * Read the config files that are not regular files (FIFOs, process substitution `<(...)`) now, while
 * the event loop runs (a signal still ends the process), so that the synchronous loaders find them.
 * Devices and sockets are refused. Paths that do not exist are left to the loaders' own messages.
 */
export async function preloadConfig(files: readonly (readonly [string | undefined, ConfigKind])[], o: RawOptions = {}): Promise<void> {
  for (const [path, kind] of files) {
    if (path === undefined || preloaded.has(key(kind, path))) continue;
    let st;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (st.isFile() || st.isDirectory()) continue;
    if (!st.isFIFO()) {
      preloaded.set(key(kind, path), notAFile(path, kind, st.isCharacterDevice() ? "a character device" : st.isBlockDevice() ? "a block device" : "a socket"));
      continue;
    }
    preloaded.set(key(kind, path), await readFifo(path, kind, o).catch((e: unknown) => (e instanceof InputError ? e : new InputError(String(e), { file: path }))));
  }
}

async function readFifo(path: string, kind: ConfigKind, o: RawOptions): Promise<string> {
  const src = await openPath(path, o);
  const parts: Buffer[] = [];
  let len = 0;
  try {
    for (let c = await src.next(); c !== null; c = await src.next()) {
      len += c.length;
      if (len > CONFIG_LIMITS[kind]) throw tooLarge(path, kind, `more than ${len} bytes`);
      parts.push(Buffer.from(c));
    }
  } finally {
    await src.close();
  }
  return Buffer.concat(parts).toString("utf8");
}

/** What `preloadConfig` read (keyed by kind and path), to hand to a worker thread that loads the same setup. */
export function preloadedTexts(): [string, string][] {
  return [...preloaded].filter((e): e is [string, string] => typeof e[1] === "string");
}

/** Texts read elsewhere (a worker thread is given its main thread's). */
export function primeConfig(texts: readonly (readonly [string, string])[]): void {
  for (const [p, t] of texts) preloaded.set(p, t);
}

/**
 * The text of a config file, as UTF-8. A regular file is read up to its cap; anything else must have
 * been preloaded (opening it here uses O_NONBLOCK, so even a FIFO that appeared since never blocks).
 */
export function readConfigText(path: string, kind: ConfigKind): string {
  const pre = preloaded.get(key(kind, path));
  if (pre instanceof InputError) throw pre;
  if (pre !== undefined) return pre;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new InputError(`cannot read ${KIND_TEXT[kind]} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: path });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`cannot read ${KIND_TEXT[kind]} (EISDIR)`, { file: path });
    if (!st.isFile()) throw notAFile(path, kind, st.isFIFO() ? "a FIFO that was not read in advance" : st.isCharacterDevice() ? "a character device" : "not a regular file");
    const cap = CONFIG_LIMITS[kind];
    if (st.size > cap) throw tooLarge(path, kind, `${st.size} bytes`);
    // One byte more than the cap: a file that grew past it since fstat is caught too.
    const buf = Buffer.allocUnsafe(Math.min(st.size, cap) + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, n);
    if (n > cap) throw tooLarge(path, kind, `more than ${cap} bytes`);
    return buf.toString("utf8", 0, n);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${KIND_TEXT[kind]} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: path });
  } finally {
    closeSync(fd);
  }
}

/**
 * The first `n` bytes of a regular file (to recognise a saved report among `why`'s inputs), or
 * undefined for anything that is not a readable regular file.
 */
export function readFileStart(path: string, n: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(n);
    return buf.toString("utf8", 0, readSync(fd, buf, 0, n, 0));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
