/**
 * A large regular .gz file inflated in a worker thread (gzip-ring-worker.cts) into a ring of slots in a
 * SharedArrayBuffer, which the main thread takes synchronously (Atomics.load, Atomics.wait when a slot
 * is not ready yet): no message and no turn of the main thread's event loop per chunk. On the main
 * thread's own zlib stream each 1 MiB of output costs a loop turn (~0.2 ms) to collect from the thread
 * pool; a worker posting its output back (bench/README.md, "gzip in a worker thread") paid the same turn
 * per message. Here the worker's loop pays them, beside the main thread.
 *
 * A chunk given out is a view of its slot, valid until the next chunk is asked for (the contract of
 * ByteSource); after `noReuse` each is copied. The worker names no fault: at anything else than a clean
 * end it stops, and the caller reads the file again through our own framing from its first byte,
 * skipping what was given out (as it does after zlib's gunzip on the main thread). A worker whose script
 * fails (missing from the build, a bug) is an error of its own, never hidden behind the slower path.
 */
import type { Worker } from "node:worker_threads";
import { UsageError } from "../errors.js";
import { turn, workerScript } from "./threads.js";
import { CHUNK } from "./raw.js";

/** A regular file as the outermost layer: its open descriptor, its size when opened, and progress. */
export interface GzipFile {
  fd: number;
  size: number;
  /**
   * The worker has read the file up to this offset (for the progress display: the file is not read
   * through the source). An offset, not an amount: the source already read the first chunk, which the
   * worker reads again.
   */
  reached(offset: number): void;
}

/** Files smaller than this keep the main thread's path: a worker costs ~60 ms before its first byte (bench/README.md, "gzip, fourth round"). */
export const RING_MIN_BYTES = 16 << 20;

/** Sizes (tests use small ones, to cut raw reads and slots everywhere). */
export interface RingOptions {
  rawChunk?: number;
  slots?: number;
  slotSize?: number;
}

/**
 * Whether a file of `size` bytes goes through the ring: PORTMATRIX_GZIP=ring or =stream force a path
 * (tests, benches); else by size.
 */
export function useRing(size: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.PORTMATRIX_GZIP;
  if (v === "ring") return true;
  if (v === "stream") return false;
  if (v !== undefined && v !== "") throw new UsageError(`PORTMATRIX_GZIP=${JSON.stringify(v)}: expected ring or stream (or unset, to let portmatrix choose)`);
  return size >= RING_MIN_BYTES;
}

/** Control words (Int32), then one length per slot, then the slots. */
const AT = { produced: 0, consumed: 1, state: 2, cancel: 3, rawKib: 4, ctlInts: 8, lens: 32, data: 0 };
const STATES = { whole: 1, stopped: 2 };

/** The event loop (signals, the worker's exit) runs at least this often while chunks are taken (as raw.ts's direct reads). */
const TURN_MS = 10;
const CHUNKS_PER_TURN = 16;

/** The compiled worker, also when this module runs from the TypeScript sources (tests): dist/ has it. */
const workerUrl = (): URL => workerScript(import.meta.url, "gzip-ring-worker.cjs");

/**
 * The file's content as the worker inflates it; ends in "whole" when zlib read every byte and ended
 * cleanly, else with how many bytes were given out before the worker stopped (or died).
 */
export async function* ringInflate(file: GzipFile, copy: () => boolean, o: RingOptions = {}): AsyncGenerator<Buffer, number | "whole"> {
  const slots = o.slots ?? 4;
  const slotSize = o.slotSize ?? CHUNK;
  const at = { ...AT, data: 64 + 4 * slots };
  at.data = Math.ceil(at.data / 64) * 64;
  const sab = new SharedArrayBuffer(at.data + slots * slotSize);
  const ctl = new Int32Array(sab, 0, at.ctlInts);
  const lens = new Int32Array(sab, at.lens, slots);
  const { Worker: WorkerClass } = await import("node:worker_threads");
  const worker: Worker = new WorkerClass(workerUrl(), {
    workerData: { sab, fd: file.fd, size: file.size, rawChunk: o.rawChunk ?? CHUNK, slots, slotSize, at, states: STATES },
  });
  let exited = false;
  /** The worker's script failed (missing from the build, a bug): not a fault of the input, so not hidden. */
  let failure: Error | undefined;
  worker.on("error", (e) => { failure ??= e; exited = true; });
  worker.on("exit", () => { exited = true; });
  worker.unref();
  let given = 0;
  const progress = (offset: number) => file.reached(Math.min(offset, file.size));
  let lastTurn = Date.now();
  let sinceTurn = 0;
  try {
    for (let c = 0; ; c++) {
      // Wait for slot c, the end, or the worker's death; letting the loop run every TURN_MS.
      for (;;) {
        if (Atomics.load(ctl, at.produced) > c) break;
        const state = Atomics.load(ctl, at.state);
        if (state !== 0) {
          if (Atomics.load(ctl, at.produced) > c) break;
          if (state !== STATES.whole) return given;
          progress(file.size);
          return "whole";
        }
        if (failure) throw failure;
        if (exited) return given;
        const left = TURN_MS - (Date.now() - lastTurn);
        if (left <= 0) {
          await turn();
          lastTurn = Date.now();
          sinceTurn = 0;
          continue;
        }
        Atomics.wait(ctl, at.produced, c, left);
      }
      progress(Atomics.load(ctl, at.rawKib) * 1024);
      const slot = c % slots;
      const len = lens[slot]!;
      const view = Buffer.from(sab, at.data + slot * slotSize, len);
      given += len;
      yield copy() ? Buffer.from(view) : view;
      // The consumer asked for the next chunk: this slot is free.
      Atomics.store(ctl, at.consumed, c + 1);
      Atomics.notify(ctl, at.consumed);
      if (++sinceTurn >= CHUNKS_PER_TURN || Date.now() - lastTurn >= TURN_MS) {
        await turn();
        lastTurn = Date.now();
        sinceTurn = 0;
      }
    }
  } finally {
    // The worker stops before the caller may close the descriptor it reads.
    Atomics.store(ctl, at.cancel, 1);
    Atomics.notify(ctl, at.consumed);
    await worker.terminate();
  }
}
