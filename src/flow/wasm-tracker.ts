/**
 * The flow tracker's per-packet path in WebAssembly (issue 18): the AssemblyScript port in
 * assembly/tracker.ts, built to dist/wasm/tracker.wasm by `npm run build`, driven by FlowTracker
 * (tracker.ts). The module's sweeps also finalise the connections they end (`sweepOut`): each event
 * written to an output area, its outcome from the module's memo; FlowTracker copies the area into its
 * batch and decides the misses in their slots (decideOutcome, the labels), and handles the rare packets
 * the module hands back (ICMP errors' quotes, ICMP control messages, a connection expired before its
 * key is reused, which it finalises itself).
 *
 * The module keeps the connection records in conn-table.ts's layout, so this class gives FlowTracker
 * the same views ConnTable gives it (`iv`, `uv`, `fv`; `cv` the cold records), over the module's
 * memory. The module grows its tables only in `reserve` (called by `load`, before each batch), after
 * which the views are made again: no view is held across a growth. Given the WebAssembly pcap
 * decoder's memory (SharedBatchMemory), the module lives in it and reads the decoder's batches in
 * place; a growth then also makes the decoder remake its views (`refresh`).
 *
 * Used where the packets come from the WebAssembly classic pcap decoder (createConnectionDecoder),
 * unless PORTMATRIX_TRACKER=js; the JS tracker stays the reference (test/flow/wasm-tracker.test.ts).
 */
import { neutralConnectionRest, type EventBatch } from "../decode/batch.js";

/** Where a connection's outcome is written (finalise): an EventBatch, or the module's output area. */
export type OutcomeColumns = Pick<EventBatch, "action" | "blockedBy" | "label" | "history" | "dst">;
import type { FlowTimeouts } from "./tracker.js";
import { RESERVED_RECORDS } from "./hash-index.js";
import { forcedEngine, moduleMissing } from "../decode/engine-switch.js";
import { WebAssembly, compileModule, modulePaths, sharedMemory, type WasmModule, type WasmMemory } from "../decode/wasm-api.js";
import type { SharedBatchMemory } from "../decode/pcap/wasm.js";


/** The exports of assembly/tracker.ts. */
interface TrackerExports {
  init(capacity: number, records: number, reserve: number, ttlEntries: number, tcp: number, udp: number, icmp: number, duplicateWindow: number, base: number): void;
  column(k: number): number;
  readColumns(...at: number[]): void;
  recordsAt(): number;
  coldAt(): number;
  recordCapacity(): number;
  tablesGeneration(): number;
  liveRecords(): number;
  connectionCount(): number;
  peakLiveCount(): number;
  icmpOnlyCount(): number;
  currentTime(): number;
  stoppedFor(): number;
  stoppedRecord(): number;
  reserve(n: number): void;
  run(from: number, to: number): number;
  icmpError(i: number): number;
  remove(e: number): void;
  clear(): void;
  sendersHas(v: number): number;
  ttlLookup(fam: number, a0: number, a1: number, a2: number, a3: number, iface: number): number;
  ttlValues(): number;
  initFinalise(capacity: number, memoSlots: number, maxSlots: number): void;
  outColumn(k: number): number;
  outCount(): number;
  missCount(): number;
  memoHit(m: number): number;
  memoLookup(e: number): number;
  memoFoundAt(): number;
  memoEntries(): number;
  memoSlots(): number;
  memoEmptiedCount(): number;
  memoRoom(k: number): void;
  remember(e: number, label: number, history: number, action: number): void;
  sweepOut(from: number, all: number, memoise: number): number;
}

/** Why `run` stopped (assembly/tracker.ts STOP_*), and icmpError's results. */
export const STOP_ICMP_ERROR = 1;
export const STOP_ICMP_CONTROL = 2;
export const STOP_EXPIRED = 3;
export const ICMP_NO_QUOTE = 1;
export const ICMP_EXPIRED = 3;

/** Packets copied in per call (the WebAssembly pcap decoder's batch: one call per batch). */
const CAPACITY = 8192;
/**
 * Records before the first growth: two batches' worth, so that a capture of fewer connections than one
 * batch of packets never grows to the 2^18-record reservation (44 MiB with the cold records), whose
 * external memory made V8 run a full collection of 15-35 ms while the last connections were finalised
 * (bench/README.md, "Realistic capture, second round"). Untouched records cost no memory.
 */
const FIRST_RECORDS = 2 * CAPACITY;
/** The input columns in the order of assembly/tracker.ts `column` and `readColumns`. */
const COLUMNS = [
  "family", "proto", "src", "dst", "srcPort", "dstPort", "icmpType", "icmpCode", "tcpFlags", "time", "position", "frame",
  "ttl", "iface", "tcpSeq", "payloadLength",
] as const;
/** Finished connections the module's output area holds (one `sweepOut` call's worth). */
const OUT_CAPACITY = 4096;
/** Most memory `headroom` adds at a growth (64 MiB). */
const HEADROOM_MAX = 64 << 20;
/** Memo slots at first, and at most (entries at most half of them: tracker.ts MEMO_SIZE). */
const MEMO_FIRST_SLOTS = 1024;
const MEMO_MAX_SLOTS = 131072;
/** The module's stored words per record and per cold record (conn-table.ts STRIDE, COLD_STRIDE). */
const STRIDE = 32;
const COLD_STRIDE = 12;

/** Where `npm run build` puts the module, seen from this file in dist/flow/, dist/bundle/ or src/flow/. */
const PATHS = modulePaths(import.meta.url, ["../wasm/tracker.wasm", "../../dist/wasm/tracker.wasm"]);

/**
 * The compiled module, or undefined when it was not built or cannot be compiled (a damaged or
 * foreign file): the JS tracker, the reference, is used then, as when it was not built. The module
 * only makes the run faster, so a damaged copy of it must not stop a check.
 */
export function trackerWasmModule(): WasmModule | undefined {
  return compileModule(PATHS).module;
}

/**
 * Which tracker a capture read by the WebAssembly pcap decoder uses: PORTMATRIX_TRACKER=js or =wasm
 * forces one (tests, bench); otherwise "auto": the module, when it was built, for a capture of more
 * than one batch (FlowTracker decides at its first batch: a short capture is not worth compiling and
 * instantiating the module for, see bench/README.md).
 */
export function trackerEngine(env: NodeJS.ProcessEnv = process.env): "js" | "wasm" | "auto" {
  const forced = forcedEngine("PORTMATRIX_TRACKER", env);
  if (forced === "js") return "js";
  if (forced === "wasm") {
    if (trackerWasmModule() === undefined) throw moduleMissing("PORTMATRIX_TRACKER", "dist/wasm/tracker.wasm", compileModule(PATHS).unusable);
    return "wasm";
  }
  // Nothing is read or compiled here: a capture of one batch never needs the module (FlowTracker.start).
  return "auto";
}

/** One tracker's module instance: its input area, and its records seen as ConnTable's. */
export class WasmTrackerCore {
  private readonly x: TrackerExports;
  private readonly memory: WasmMemory;
  private buf: ArrayBuffer;
  private generation = -1;
  iv = new Int32Array(0);
  uv = new Uint32Array(0);
  fv = new Float64Array(0);
  cv = new Int32Array(0);
  private quote = new Int32Array(0);
  /** The output area: the finished connections of the last `sweepOut`, in EventBatch's column types. */
  private outs: {
    family: Uint8Array; proto: Uint8Array; src: Uint32Array; dst: Uint32Array; srcPort: Int32Array; dstPort: Int32Array;
    icmpType: Int16Array; tcpFlags: Int16Array; action: Uint8Array; time: Float64Array; position: Float64Array; frame: Uint32Array;
    label: Int32Array; history: Int32Array; missAt: Int32Array; missRecord: Int32Array; blockedBy: Uint8Array;
  } | undefined;
  private readonly outCapacity: number;
  /** What memoLookup found: label, history label, action. */
  private found = new Int32Array(0);
  private cols: {
    family: Uint8Array; proto: Uint8Array; src: Uint32Array; dst: Uint32Array; srcPort: Int32Array; dstPort: Int32Array;
    icmpType: Int16Array; icmpCode: Int16Array; tcpFlags: Int16Array; time: Float64Array; position: Float64Array; frame: Uint32Array;
    ttl: Int16Array; iface: Int32Array; tcpSeq: Uint32Array; payloadLength: Int32Array;
  } | undefined;
  readonly capacity = CAPACITY;
  /** Whether `run` reads the decoder's columns in place (shared) or the input area (own): see `load`. */
  private reading: "own" | "shared" = "own";

  /**
   * @param reserve records at the first growth (RESERVED_RECORDS); a test gives a few, so that the
   *                tables grow, with their contents, while a capture is read
   * @param shared  the WebAssembly pcap decoder's memory: the module's tables go in it, above the
   *                decoder's, and its batches are read where they are, not copied in (`load`)
   */
  constructor(timeouts: FlowTimeouts, reserve = RESERVED_RECORDS, private readonly shared?: SharedBatchMemory) {
    const mod = trackerWasmModule();
    if (mod === undefined) throw new Error("dist/wasm/tracker.wasm was not built (npm run build)");
    this.memory = shared?.memory ?? sharedMemory(1);
    this.x = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as TrackerExports;
    // TTL entries: 1024 as ttl-table.ts, fewer (a power of two) with a small reservation.
    let ttlEntries = 16;
    while (ttlEntries < 1024 && ttlEntries < reserve) ttlEntries *= 2;
    this.x.init(CAPACITY, Math.min(FIRST_RECORDS, reserve), reserve, ttlEntries, timeouts.tcp, timeouts.udp, timeouts.icmp, timeouts.duplicateWindow, shared?.top ?? 0);
    // The output area and the memo: as the TTL table, smaller with a small reservation (tests), so that
    // a sweep fills the area and the memo is emptied and learnt again.
    const small = reserve < RESERVED_RECORDS;
    this.outCapacity = small ? 5 : OUT_CAPACITY;
    this.x.initFinalise(this.outCapacity, small ? 4 : MEMO_FIRST_SLOTS, small ? 16 : MEMO_MAX_SLOTS);
    // The decoder's views, if init grew the memory they are views of.
    if (shared !== undefined && this.memory.buffer !== shared.batch.family.buffer) shared.refresh();
    this.buf = this.memory.buffer;
    this.sizedTo = this.buf.byteLength;
    this.views();
  }

  /** Whether the module shares the decoder's memory (tests). */
  get sharesMemory(): boolean {
    return this.shared !== undefined;
  }

  /** The views of the input area and the records, made again when memory or the tables moved. */
  private views(): void {
    const x = this.x;
    if (this.memory.buffer === this.buf && x.tablesGeneration() === this.generation && this.cols !== undefined) return;
    const buf = (this.buf = this.memory.buffer);
    this.generation = x.tablesGeneration();
    const n = CAPACITY;
    const c = (k: number) => x.column(k);
    this.cols = {
      family: new Uint8Array(buf, c(0), n), proto: new Uint8Array(buf, c(1), n), src: new Uint32Array(buf, c(2), n * 4),
      dst: new Uint32Array(buf, c(3), n * 4), srcPort: new Int32Array(buf, c(4), n), dstPort: new Int32Array(buf, c(5), n),
      icmpType: new Int16Array(buf, c(6), n), icmpCode: new Int16Array(buf, c(7), n), tcpFlags: new Int16Array(buf, c(8), n),
      time: new Float64Array(buf, c(9), n), position: new Float64Array(buf, c(10), n), frame: new Uint32Array(buf, c(11), n),
      ttl: new Int16Array(buf, c(12), n), iface: new Int32Array(buf, c(13), n), tcpSeq: new Uint32Array(buf, c(14), n),
      payloadLength: new Int32Array(buf, c(15), n),
    };
    this.quote = new Int32Array(buf, c(16), 16);
    const m = this.outCapacity;
    const oc = (k: number) => x.outColumn(k);
    this.outs = {
      family: new Uint8Array(buf, oc(0), m), proto: new Uint8Array(buf, oc(1), m), src: new Uint32Array(buf, oc(2), m * 4),
      dst: new Uint32Array(buf, oc(3), m * 4), srcPort: new Int32Array(buf, oc(4), m), dstPort: new Int32Array(buf, oc(5), m),
      icmpType: new Int16Array(buf, oc(6), m), tcpFlags: new Int16Array(buf, oc(7), m), action: new Uint8Array(buf, oc(8), m),
      time: new Float64Array(buf, oc(9), m), position: new Float64Array(buf, oc(10), m), frame: new Uint32Array(buf, oc(11), m),
      label: new Int32Array(buf, oc(12), m), history: new Int32Array(buf, oc(13), m),
      missAt: new Int32Array(buf, oc(14), m), missRecord: new Int32Array(buf, oc(15), m), blockedBy: new Uint8Array(buf, oc(16), m),
    };
    this.found = new Int32Array(buf, x.memoFoundAt(), 3);
    const cap = x.recordCapacity();
    this.iv = new Int32Array(buf, x.recordsAt(), cap * STRIDE);
    this.uv = new Uint32Array(buf, x.recordsAt(), cap * STRIDE);
    this.fv = new Float64Array(buf, x.recordsAt(), (cap * STRIDE) / 2);
    this.cv = new Int32Array(buf, x.coldAt(), cap * COLD_STRIDE);
  }

  /**
   * Packets [from, from + n) of `b` made ready for `run`, room made for n new connections; where they
   * are for `run`: `from` itself when `b` is the batch of the decoder whose memory the module shares
   * (nothing copied, any n), else 0, the input area they were copied to (n <= capacity).
   */
  load(b: EventBatch, from: number, n: number): number {
    const shared = this.shared;
    this.x.reserve(n);
    this.headroom();
    if (shared !== undefined && this.memory.buffer !== shared.batch.family.buffer) shared.refresh();
    this.views();
    if (shared !== undefined && b === shared.batch) {
      if (this.reading === "own") {
        this.x.readColumns(...COLUMNS.map((c) => shared.at[c]));
        this.reading = "shared";
      }
      return from;
    }
    if (this.reading === "shared") {
      this.x.readColumns(0, ...COLUMNS.slice(1).map(() => 0));
      this.reading = "own";
    }
    const c = this.cols!;
    const to = from + n;
    c.family.set(b.family.subarray(from, to));
    c.proto.set(b.proto.subarray(from, to));
    c.src.set(b.src.subarray(from * 4, to * 4));
    c.dst.set(b.dst.subarray(from * 4, to * 4));
    c.srcPort.set(b.srcPort.subarray(from, to));
    c.dstPort.set(b.dstPort.subarray(from, to));
    c.icmpType.set(b.icmpType.subarray(from, to));
    c.icmpCode.set(b.icmpCode.subarray(from, to));
    c.tcpFlags.set(b.tcpFlags.subarray(from, to));
    c.time.set(b.time.subarray(from, to));
    c.position.set(b.position.subarray(from, to));
    c.frame.set(b.frame.subarray(from, to));
    c.ttl.set(b.ttl.subarray(from, to));
    c.iface.set(b.iface.subarray(from, to));
    c.tcpSeq.set(b.tcpSeq.subarray(from, to));
    c.payloadLength.set(b.payloadLength.subarray(from, to));
    return 0;
  }

  /** How many packets of a batch one `load` takes: any number when the batch is read in place. */
  sliceOf(b: EventBatch): number {
    return this.shared !== undefined && b === this.shared.batch ? b.length : CAPACITY;
  }

  /** Packets [from, to) of the input area; the packet it stopped at (see `stoppedFor`), or `to`. */
  run(from: number, to: number): number {
    return this.x.run(from, to);
  }

  get stoppedFor(): number {
    return this.x.stoppedFor();
  }

  get stoppedRecord(): number {
    return this.x.stoppedRecord();
  }

  /** The ICMP error at input slot i, event k of `b` (its quoted packet copied in): 0 used, ICMP_NO_QUOTE, ICMP_EXPIRED. */
  icmpError(b: EventBatch, k: number, i: number): number {
    const q = this.quote;
    q[0] = b.innerProto[k]!;
    for (let j = 0; j < 4; j++) {
      q[1 + j] = b.innerSrc[k * 4 + j]!;
      q[5 + j] = b.innerDst[k * 4 + j]!;
    }
    q[9] = b.innerSrcPort[k]!;
    q[10] = b.innerDstPort[k]!;
    return this.x.icmpError(i);
  }

  get now(): number {
    return this.x.currentTime();
  }
  get connections(): number {
    return this.x.connectionCount();
  }
  get peakLive(): number {
    return this.x.peakLiveCount();
  }
  get icmpOnly(): number {
    return this.x.icmpOnlyCount();
  }

  // ConnTable's part that FlowTracker's finalise uses.
  get liveCount(): number {
    return this.x.liveRecords();
  }
  remove(e: number): void {
    this.x.remove(e);
  }
  clear(): void {
    this.x.clear();
  }

  /**
   * After a call that may grow the memory (`reserve`, `memoRoom`): when it grew, it is given a quarter
   * more (at most HEADROOM_MAX), which the module's later tables take without growing it again. Each
   * growth makes a new ArrayBuffer of the whole memory, which V8 counts as new external memory until a
   * full collection finds the old one detached: on the scan-like capture the module grew the memory 5
   * times by 1-4 MiB after its 56 MiB reservation, and V8 ran a full collection for each ("external
   * memory pressure", 4-12 ms each at a 7 MiB heap). Pages never written cost nothing; a memory that
   * cannot grow further is left as it is (the module grows it when it needs to, as before).
   */
  private headroom(): void {
    const bytes = this.memory.buffer.byteLength;
    if (bytes === this.sizedTo) return;
    if (this.sizedTo !== 0) {
      try {
        this.memory.grow(Math.ceil(Math.min(bytes / 4, HEADROOM_MAX) / 65536));
      } catch {
        // At the memory's maximum: no headroom.
      }
    }
    this.sizedTo = this.memory.buffer.byteLength;
  }
  /** The memory's size after the last `headroom` (0: not yet seen, when the constructor sets it). */
  private sizedTo = 0;

  /**
   * Before each `sweepOut`: room in the memo for the outcomes JS may decide in one call's output (the
   * memo grows only here, between calls, as the tables in `reserve`), and the views made again if
   * memory moved.
   */
  prepareSweep(): void {
    this.x.memoRoom(this.outCapacity);
    this.headroom();
    const shared = this.shared;
    if (shared !== undefined && this.memory.buffer !== shared.batch.family.buffer) shared.refresh();
    this.views();
  }

  /**
   * A sweep from record `from` (FlowTracker.sweep): the connections it ends written to the output area
   * (`copyOut`), their outcome from the memo or listed as a miss (`missAt`, `missRecord`), and removed
   * unless `all`; -1 at the end, else the record where the output area was full.
   */
  sweepOut(from: number, all: boolean, memoise: boolean): number {
    return this.x.sweepOut(from, all ? 1 : 0, memoise ? 1 : 0);
  }

  /** The output area's outcome columns (and destinations, for finalise's facts), where JS decides the misses. */
  get outcomes(): OutcomeColumns {
    return this.outs!;
  }

  /**
   * Record e's outcome in the module's memo, as (label * 2^26 + history label) * 4 + action (tracker.ts's
   * memo values), or -1 when it is not there.
   */
  memoOf(e: number): number {
    if (this.x.memoLookup(e) === 0) return -1;
    const f = this.found;
    return (f[0]! * 67108864 + f[1]!) * 4 + f[2]!;
  }

  /** Miss m looked up in the memo again; true when its outcome is now in its output slot. */
  memoHit(m: number): boolean {
    return this.x.memoHit(m) !== 0;
  }

  /** Misses of the last `sweepOut`: how many, and the output slot and record of miss m. */
  get missCount(): number {
    return this.x.missCount();
  }
  missAt(m: number): number {
    return this.outs!.missAt[m]!;
  }
  missRecord(m: number): number {
    return this.outs!.missRecord[m]!;
  }

  /** Finished connections the last `sweepOut` wrote. */
  get outCount(): number {
    return this.x.outCount();
  }

  /** The memo's entries and slots, and how often it was emptied full (tests). */
  get memo(): { entries: number; slots: number; emptied: number } {
    return { entries: this.x.memoEntries(), slots: this.x.memoSlots(), emptied: this.x.memoEmptiedCount() };
  }

  /** Record e's outcome, decided in JS (a memoisable one), kept for the connections like it. */
  remember(e: number, label: number, history: number, action: number): void {
    this.x.remember(e, label, history, action);
  }

  /**
   * The output area's events from `from` on appended to `out`, as many as it has room for, with
   * `reserve`'s neutral values in the columns finalise does not write; how many. The misses must have
   * been decided (their outcomes written to `outcomes`).
   */
  copyOut(from: number, out: EventBatch): number {
    const n = Math.min(this.x.outCount() - from, out.capacity - out.length);
    const o = this.outs!;
    const at = out.length;
    const to = from + n;
    const end = at + n;
    out.family.set(o.family.subarray(from, to), at);
    out.proto.set(o.proto.subarray(from, to), at);
    out.src.set(o.src.subarray(from * 4, to * 4), at * 4);
    out.dst.set(o.dst.subarray(from * 4, to * 4), at * 4);
    out.srcPort.set(o.srcPort.subarray(from, to), at);
    out.dstPort.set(o.dstPort.subarray(from, to), at);
    out.icmpType.set(o.icmpType.subarray(from, to), at);
    out.tcpFlags.set(o.tcpFlags.subarray(from, to), at);
    out.action.set(o.action.subarray(from, to), at);
    out.time.set(o.time.subarray(from, to), at);
    out.position.set(o.position.subarray(from, to), at);
    out.frame.set(o.frame.subarray(from, to), at);
    out.label.set(o.label.subarray(from, to), at);
    out.history.set(o.history.subarray(from, to), at);
    out.blockedBy.set(o.blockedBy.subarray(from, to), at);
    neutralConnectionRest(out, at, end);
    out.length = end;
    return n;
  }

  /** U32Set.has over the module's senders set. */
  has(v: number): boolean {
    return this.x.sendersHas(v) !== 0;
  }

  /** TtlTable.ttlsOf over the module's TTL table. */
  ttlsOf(fam: number, w: ArrayLike<number>, o: number, iface: number): number[] | null {
    const m = this.x.ttlLookup(fam, w[o]! | 0, w[o + 1]! | 0, w[o + 2]! | 0, w[o + 3]! | 0, iface);
    if (m === -1) return [];
    if (m & 0x80) return null;
    const v = this.x.ttlValues() >>> 0;
    const out: number[] = [];
    for (let j = 0; j < m; j++) out.push((v >>> (j * 8)) & 0xff);
    return out.sort((a, b) => a - b);
  }
}
