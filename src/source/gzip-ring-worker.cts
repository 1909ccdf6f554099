/**
 * The worker thread of the gzip ring (src/source/gzip-ring.ts): it reads a regular .gz file through the
 * descriptor the main thread opened (positional reads, never reopened by name), inflates it with zlib's
 * gunzip (members and their CRC-32 and size checked by zlib) on this thread, straight into the slots of a
 * SharedArrayBuffer ring that the main thread takes without a message or a turn of its loop per chunk.
 *
 * It names no fault: at anything else than a clean end (a zlib error, bytes zlib left unread, a read
 * error, a file shorter than it was) it stops, and the main thread reads the file again through our own
 * framing, which names the fault exactly as it always did. A CommonJS script that loads three of Node's
 * modules and nothing else, so that it starts fast.
 */
import fs = require("node:fs");
import zlib = require("node:zlib");
import threads = require("node:worker_threads");

/** What the main thread gives (RingSetup in gzip-ring.ts). */
interface Setup {
  sab: SharedArrayBuffer;
  fd: number;
  /** The file's size when it was opened. */
  size: number;
  rawChunk: number;
  slots: number;
  slotSize: number;
  /** Indexes into the control words, and where the lengths and the slots start. */
  at: { produced: number; consumed: number; state: number; cancel: number; rawKib: number; ctlInts: number; lens: number; data: number };
  states: { whole: number; stopped: number };
}

const s = threads.workerData as Setup;
const { at } = s;
const ctl = new Int32Array(s.sab, 0, at.ctlInts);
const lens = new Int32Array(s.sab, at.lens, s.slots);
const data = new Uint8Array(s.sab, at.data, s.slots * s.slotSize);

/**
 * Slots published so far, bytes in the slot being filled, the output so far modulo the slot size (where
 * the slot being filled started in it), and whether the end was published.
 */
let published = 0;
let fill = 0;
let phase = 0;
let finished = false;

const cancelled = () => Atomics.load(ctl, at.cancel) !== 0;

/** Wait until slot `published` is free (the main thread asked for the chunk after it); false if cancelled. */
function room(): boolean {
  for (;;) {
    if (cancelled()) return false;
    const consumed = Atomics.load(ctl, at.consumed);
    if (published - consumed < s.slots) return true;
    Atomics.wait(ctl, at.consumed, consumed, 100);
  }
}

function publish(): void {
  lens[published % s.slots] = fill;
  published++;
  phase = (phase + fill) % s.slotSize;
  fill = 0;
  Atomics.store(ctl, at.produced, published);
  Atomics.notify(ctl, at.produced);
}

/**
 * zlib's gunzip handle, driven synchronously as Node's own `gunzipSync` drives it (lib/zlib.js,
 * processChunkSync): `writeSync` inflates straight into a slot, on this thread, with no thread-pool round
 * trip and no buffer of zlib's own (Node's stream made a fresh 1 MiB buffer per output chunk and needed a
 * loop turn to collect each from the pool). The handle's members (multi-member files, CRC-32 and size
 * checks) are the same C++ code as the stream's. Not public API: where a Node lacks it, nothing is
 * inflated here and the main thread reads the file through our own framing.
 */
interface Handle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  onerror: (message: string, errno: number, code: string) => void;
}
const z = zlib.createGunzip() as unknown as { _handle?: Handle; _writeState?: Uint32Array };
const handle = z._handle;
const written = z._writeState;
let failed = false;

function finish(state: number): void {
  if (finished) return;
  finished = true;
  Atomics.store(ctl, at.state, state);
  Atomics.notify(ctl, at.produced);
}

/**
 * Inflate `inLen` bytes of `input` (none with Z_FINISH, at the end) into the ring; the raw bytes zlib
 * left unused (it stopped at the end of the gzip data), or -1 at an error or a cancel.
 *
 * The chunks are cut where Node's gunzip stream on the main thread cuts its output (lib/zlib.js,
 * processCallback): at every multiple of the slot size (its chunkSize) of the whole output, and at the
 * end of each raw chunk's output. So the output given out before a fault, which the main thread's
 * reading again then skips, is exactly what the main thread's path gives out before it; what a zlib
 * error interrupts is dropped there as here.
 */
function inflate(h: Handle, st: Uint32Array, flush: number, input: Uint8Array, inLen: number): number {
  let inOff = 0;
  for (;;) {
    if (fill === 0 && !room()) return -1;
    const space = s.slotSize - phase - fill;
    h.writeSync(flush, input, inOff, inLen, data, (published % s.slots) * s.slotSize + fill, space);
    if (failed) return -1;
    const availOut = st[0]!;
    const availIn = st[1]!;
    fill += space - availOut;
    inOff += inLen - availIn;
    inLen = availIn;
    if (availOut === 0) { publish(); continue; }
    // Output space left over: zlib took all it could of the input.
    if (fill > 0) publish();
    return availIn;
  }
}

function run(): number {
  if (typeof handle?.writeSync !== "function" || !(written instanceof Uint32Array)) return s.states.stopped;
  handle.onerror = () => { failed = true; };
  const raw = Buffer.allocUnsafe(s.rawChunk);
  for (let pos = 0; ;) {
    let n: number;
    try {
      n = fs.readSync(s.fd, raw, 0, raw.length, pos);
    } catch {
      return s.states.stopped;
    }
    if (n === 0) {
      // A file that ends before the size it had when opened is named by the main thread's reading again.
      if (pos < s.size) return s.states.stopped;
      return inflate(handle, written, zlib.constants.Z_FINISH, raw, 0) === 0 ? s.states.whole : s.states.stopped;
    }
    pos += n;
    Atomics.store(ctl, at.rawKib, Math.floor(pos / 1024));
    // Bytes left unused: zero padding or data that is not a member, which our framing names.
    if (inflate(handle, written, zlib.constants.Z_NO_FLUSH, raw, n) !== 0) return s.states.stopped;
  }
}

finish(run());
