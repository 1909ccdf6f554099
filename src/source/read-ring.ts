/**
 * A large regular file read by a worker thread (read-ring-worker.cts) straight into areas of the
 * WebAssembly pcap decoder's memory, which is shared (src/decode/pcap/wasm.ts `readAreas`): the main
 * thread decodes one area while the worker reads the next. Reading a file already in the page cache is
 * the kernel's copy, ~0.25 s of the main thread's time for a 0.87 GB capture, as much as decoding and
 * tracking it; here it runs beside them (bench/README.md, "Reading in a worker thread").
 *
 * The ring never decides what the file says. Until the worker is running (~20-60 ms after it is started)
 * the file source reads for itself, as it always did, and the worker starts at the offset the source has
 * reached then. At a read error the worker stops, and at the end of the file it publishes an empty area
 * and stops: in both cases the source reads that offset again itself, which gives the same error, or
 * the same check for a file cut short, with the same offset as without the ring. A worker whose script
 * fails (missing from the build, a bug) is an error of its own, never hidden behind the slower path.
 */
import type { Worker } from "node:worker_threads";
import { UsageError } from "../errors.js";
import { turn, workerScript } from "./threads.js";

/** Where a worker may read into: areas of a shared memory, each `size` bytes. */
export interface ReadAreas {
  /** The memory's buffer (after the memory grew, a new object over the same bytes: the old stays valid). */
  buffer(): SharedArrayBuffer;
  at: readonly number[];
  size: number;
}

/**
 * Files with fewer bytes left than this are read by the main thread alone: the worker's start costs
 * 20-60 ms of the other core, which a smaller file's reading would not repay.
 */
export const READ_RING_MIN_BYTES = 64 << 20;

/** Whether `left` bytes still to read go through the ring: PORTMATRIX_READ=ring or =direct force a path. */
export function useReadRing(left: number, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.PORTMATRIX_READ;
  if (v === "ring") return true;
  if (v === "direct") return false;
  if (v !== undefined && v !== "") throw new UsageError(`PORTMATRIX_READ=${JSON.stringify(v)}: expected ring or direct (or unset, to let portmatrix choose)`);
  return left >= READ_RING_MIN_BYTES;
}

/** The control words (Int32 indexes), the start offset (a Float64 at byte `start`), the lengths (Int32s from byte `lens`). */
const CTL = { ready: 0, go: 1, produced: 2, consumed: 3, stopped: 4, cancel: 5, ints: 8, start: 32, lens: 64 };

/**
 * Unforced, the main thread stops waiting for the worker (the source reads the rest itself) once it has
 * waited more than this long in all and for more than a quarter of the time since the worker began: on
 * an idle machine the worker keeps about level with the decoder (the kernel's copy runs at ~4 GB/s; a
 * realistic capture is decoded and tracked at ~3.5), so the main thread waits a few per cent of the
 * time, for a long file too; where other processes take both cores the two threads wait on each other's
 * turns, and a run took 1.4 s against 0.9 s read on the main thread.
 */
const GIVE_UP_MS = 30;
const GIVE_UP_SHARE = 0.25;

/** Whether `waited` ms of waiting for the worker in `elapsed` ms since it began are too much (GIVE_UP_MS, GIVE_UP_SHARE). */
export function tooSlow(waited: number, elapsed: number): boolean {
  return waited > GIVE_UP_MS && waited > GIVE_UP_SHARE * elapsed;
}

/** The event loop (signals, the worker's exit) runs at least this often while the main thread waits for an area. */
const TURN_MS = 10;

/** The compiled worker, also when this module runs from the TypeScript sources (tests): dist/ has it. */
const workerUrl = (): URL => workerScript(import.meta.url, "read-ring-worker.cjs");

type State = "idle" | "starting" | "reading" | "done";

/** One file's ring, made by the consumer that owns the areas (src/pipeline/run.ts), used by the file source. */
export class ReadRing {
  private state: State = "idle";
  private worker: Worker | undefined;
  private readonly control = new SharedArrayBuffer(CTL.lens + 4 * 64);
  private readonly ctl = new Int32Array(this.control, 0, CTL.ints);
  private readonly lens: Int32Array;
  /** The chunk the next `take` gives. */
  private next = 0;
  private exited = false;
  /** The worker's script failed: not a fault of the input, so not hidden. */
  private failure: Error | undefined;
  /** Milliseconds the main thread has waited for the worker's areas, and whether it may give up (not forced). */
  private waited = 0;
  private mayGiveUp = true;
  /** When the worker began reading. */
  private goAt = 0;
  /** Whether the main thread gave up waiting for the worker (tests). */
  gaveUp = false;

  /** @param script the worker's script (tests give one that reads slowly); the built one by default */
  constructor(private readonly areas: ReadAreas, private readonly env: NodeJS.ProcessEnv = process.env, private readonly script: URL = workerUrl()) {
    this.lens = new Int32Array(this.control, CTL.lens, areas.at.length);
  }

  /** Whether the worker has taken over the reading (tests). */
  get reading(): boolean {
    return this.state === "reading";
  }

  /**
   * The chunk at offset `pos` of the open file `fd`, of which `left` bytes remain of its size when
   * opened: a view of an area the worker read it into, or null when the caller reads it itself (the
   * worker is not running yet, or no longer: the end, an error, or a file too small to be worth it).
   */
  async take(fd: number, pos: number, left: number): Promise<Buffer | null> {
    if (this.state === "idle") {
      if (!useReadRing(left, this.env)) {
        this.state = "done";
        return null;
      }
      await this.start(fd);
    }
    if (this.state === "starting") {
      // Forced (PORTMATRIX_READ=ring: tests, benches), the worker reads all that is left; else it takes
      // over once it runs, and the source reads meanwhile.
      this.mayGiveUp = this.env.PORTMATRIX_READ !== "ring";
      if (!(await this.ready(!this.mayGiveUp))) return this.exited ? this.finish() : null;
      new Float64Array(this.control, CTL.start, 1)[0] = pos;
      Atomics.store(this.ctl, CTL.go, 1);
      Atomics.notify(this.ctl, CTL.go);
      this.goAt = Date.now();
      this.state = "reading";
    }
    if (this.state !== "reading") return null;
    return this.give();
  }

  private async start(fd: number): Promise<void> {
    const { Worker: WorkerClass } = await import("node:worker_threads");
    const a = this.areas;
    let worker: Worker;
    try {
      worker = new WorkerClass(this.script, {
        workerData: { memory: a.buffer(), control: this.control, fd, areas: [...a.at], areaSize: a.size, ctl: CTL },
      });
    } catch (e) {
      // No thread to be had (a limit on threads or processes: EAGAIN): unforced, the source reads on by
      // itself, as it would have without the ring. Anything else (a bad script path) is a bug: loud.
      if ((e as NodeJS.ErrnoException).code === "ERR_WORKER_INIT_FAILED" && this.env.PORTMATRIX_READ !== "ring") {
        this.state = "done";
        return;
      }
      throw e;
    }
    worker.on("error", (e) => { this.failure ??= e; this.exited = true; });
    worker.on("exit", () => { this.exited = true; });
    worker.unref();
    this.worker = worker;
    this.state = "starting";
  }

  /** Whether the worker runs (waiting for it if `wait`, until it runs or dies). */
  private async ready(wait: boolean): Promise<boolean> {
    let lastTurn = Date.now();
    for (;;) {
      if (this.failure) throw this.failure;
      if (Atomics.load(this.ctl, CTL.ready) !== 0) return true;
      if (this.exited || !wait) return false;
      const left = TURN_MS - (Date.now() - lastTurn);
      if (left <= 0) {
        await turn();
        lastTurn = Date.now();
        continue;
      }
      Atomics.wait(this.ctl, CTL.ready, 0, left);
    }
  }

  /** Chunk `next`, once the worker published it; null at the worker's end (the caller reads on from there). */
  private async give(): Promise<Buffer | null> {
    const c = this.next;
    // Chunks before c were used (the caller asked for this one): their areas are free.
    Atomics.store(this.ctl, CTL.consumed, c);
    Atomics.notify(this.ctl, CTL.consumed);
    let lastTurn = Date.now();
    const since = lastTurn;
    while (Atomics.load(this.ctl, CTL.produced) <= c) {
      if (this.failure) throw this.failure;
      if (Atomics.load(this.ctl, CTL.stopped) !== 0 && Atomics.load(this.ctl, CTL.produced) <= c) return this.finish();
      if (this.exited) return this.finish();
      if (this.mayGiveUp && tooSlow(this.waited + (Date.now() - since), Date.now() - this.goAt)) return this.giveUp();
      const left = TURN_MS - (Date.now() - lastTurn);
      if (left <= 0) {
        await turn();
        lastTurn = Date.now();
        continue;
      }
      Atomics.wait(this.ctl, CTL.produced, c, left);
    }
    this.waited += Date.now() - since;
    const slot = c % this.areas.at.length;
    const n = this.lens[slot]!;
    if (n === 0) return this.finish();
    this.next = c + 1;
    return Buffer.from(this.areas.buffer(), this.areas.at[slot]!, n);
  }

  /**
   * The main thread reads the rest itself: the worker is told to stop (what it read ahead is not used,
   * and it writes only into areas nothing reads until `stop` has waited for it).
   */
  private giveUp(): null {
    Atomics.store(this.ctl, CTL.cancel, 1);
    Atomics.notify(this.ctl, CTL.consumed);
    this.gaveUp = true;
    return this.finish();
  }

  /** The worker has nothing more to give: it stopped or ended, and writes no more. */
  private finish(): null {
    this.state = "done";
    return null;
  }

  /**
   * Stop the worker (it writes no more into the areas once this resolves); also after the end. A worker
   * whose script failed is an error here too, if nothing asked for a chunk after it failed.
   */
  async stop(): Promise<void> {
    this.state = "done";
    const w = this.worker;
    if (w === undefined) return;
    this.worker = undefined;
    Atomics.store(this.ctl, CTL.cancel, 1);
    Atomics.notify(this.ctl, CTL.go);
    Atomics.notify(this.ctl, CTL.consumed);
    await w.terminate();
    if (this.failure) throw this.failure;
  }

  /** Whether the worker has started running (tests). */
  get running(): boolean {
    return Atomics.load(this.ctl, CTL.ready) !== 0;
  }
}
