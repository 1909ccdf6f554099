/**
 * The worker thread of the read ring (src/source/read-ring.ts): it reads a large regular file through the
 * descriptor the main thread opened (positional reads, never reopened by name) straight into the areas of
 * a WebAssembly memory shared with the main thread (the pcap decoder's), one after the other, while the
 * main thread decodes the area before. The kernel's copy from the page cache, most of a large capture's
 * reading, runs on this thread instead of the decoder's.
 *
 * It names no fault: at a read error it stops, and the main thread reads the same offset itself, which
 * gives the error exactly as it always did; at the end of the file (a read of 0 bytes) it publishes an
 * empty area and stops, and the main thread's own read there checks for a file cut short. A CommonJS
 * script that loads two of Node's modules and nothing else, so that it starts fast.
 */
import fs = require("node:fs");
import threads = require("node:worker_threads");

/** What the main thread gives (read-ring.ts, `ReadRing.start`'s workerData). */
interface Setup {
  /** The shared memory the areas are in, and the control words (CTL in read-ring.ts). */
  memory: SharedArrayBuffer;
  control: SharedArrayBuffer;
  fd: number;
  areas: number[];
  areaSize: number;
  ctl: { ready: number; go: number; produced: number; consumed: number; stopped: number; cancel: number; ints: number; start: number; lens: number };
}

const s = threads.workerData as Setup;
const { ctl: at } = s;
const ctl = new Int32Array(s.control, 0, at.ints);
const start = new Float64Array(s.control, at.start, 1);
const lens = new Int32Array(s.control, at.lens, s.areas.length);
const areas = s.areas.map((o) => new Uint8Array(s.memory, o, s.areaSize));

const cancelled = () => Atomics.load(ctl, at.cancel) !== 0;

/** Wait until `word` is no longer `value`, or the ring is cancelled; false if cancelled. */
function waitWhile(word: number, value: number): boolean {
  for (;;) {
    if (cancelled()) return false;
    if (Atomics.load(ctl, word) !== value) return true;
    Atomics.wait(ctl, word, value, 100);
  }
}

/** Wait until area k is free (the main thread asked for the chunk after the one it last held there). */
function room(k: number): boolean {
  for (;;) {
    if (cancelled()) return false;
    const consumed = Atomics.load(ctl, at.consumed);
    if (k - consumed < areas.length) return true;
    Atomics.wait(ctl, at.consumed, consumed, 100);
  }
}

function run(): void {
  Atomics.store(ctl, at.ready, 1);
  Atomics.notify(ctl, at.ready);
  if (!waitWhile(at.go, 0)) return;
  let pos = start[0]!;
  for (let k = 0; ; k++) {
    if (!room(k)) return;
    const slot = k % areas.length;
    let n: number;
    try {
      n = fs.readSync(s.fd, areas[slot]!, 0, s.areaSize, pos);
    } catch {
      Atomics.store(ctl, at.stopped, 1);
      Atomics.notify(ctl, at.produced);
      return;
    }
    lens[slot] = n;
    Atomics.store(ctl, at.produced, k + 1);
    Atomics.notify(ctl, at.produced);
    if (n === 0) return;
    pos += n;
  }
}

run();
