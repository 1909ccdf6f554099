/**
 * The classic pcap decoder with its record walk and frame decode in WebAssembly (issue 18): the
 * AssemblyScript port in assembly/pcap.ts, built to dist/wasm/pcap.wasm by `npm run build`.
 *
 * It is a drop-in for createPcapDecoder (classic.ts), which stays the reference implementation and
 * the fallback: the same file-header checks and errors (this file reads the header with classic.ts's
 * own function), the same events in the same batches, the same skips with the same reasons, byte
 * offsets and order (test/decode/pcap/wasm-diff.test.ts runs both on every capture of the corpus and
 * on mutated ones). The batch the flow tracker reads is a set of typed-array views over the module's
 * memory, so nothing is copied out per event; a chunk is copied in once, unless it was read straight
 * into `chunkArea()` (see `directBuffers`).
 */
import { LabelTable, type EventBatch, DEFAULT_BATCH_CAPACITY } from "../batch.js";
import { skipReason } from "../ip/skip.js";
import { forcedEngine, moduleMissing } from "../engine-switch.js";
import { InputStats } from "../stats.js";
import { InputError } from "../../errors.js";
import { pcapMaxRecord, readPcapFileHeader, truncatedHeaderError, PCAP_FILE_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH } from "./classic.js";
import type { CaptureDecoder, CaptureDecoderOptions } from "./packets.js";
import type { ReadAreas } from "../../source/read-ring.js";
import { WebAssembly, compileModule, copyIntoMemory, modulePaths, sharedMemory, type WasmModule, type WasmMemory } from "../wasm-api.js";


/** The exports of assembly/pcap.ts. */
interface PcapCore {
  init(...layout: number[]): void;
  start(littleEndian: number, nanosecond: number, linkType: number, maxRecord: number, position: number): void;
  begin(ptr: number, len: number): void;
  walk(): number;
  finish(): void;
  eventCount(): number;
  resetBatch(): void;
  skipCount(): number;
  resetSkips(): void;
  isStopped(): number;
  stoppedPosition(): number;
}

const BATCH_FULL = 1;
const SKIPS_FULL = 2;
/** The module's own skip codes (assembly/pcap.ts): the record layer's reasons. */
const CONTAINER_SKIPS: ReadonlyMap<number, string> = new Map([[-1, "bad-record-length"], [-2, "truncated-record"]]);
/** Skips held before JS counts them (a walk step records at most one). */
const SKIP_CAPACITY = 1024;
/** Bytes walked per step: the source's chunk size (src/source/raw.ts CHUNK). */
export const WASM_CHUNK = 1 << 20;
/**
 * Areas of WASM_CHUNK bytes a worker thread reads a large capture into (src/source/read-ring.ts), beside
 * the chunk area: the main thread decodes one while the worker fills the others. Pages of the memory
 * are only committed once written, so an instance that reads no large file does not pay for them.
 */
export const READ_AREAS = 4;

/** Where `npm run build` puts the module, seen from this file in dist/decode/pcap/, dist/bundle/ or src/decode/pcap/. */
const PATHS = modulePaths(import.meta.url, ["../../wasm/pcap.wasm", "../wasm/pcap.wasm", "../../../dist/wasm/pcap.wasm"]);

/**
 * The compiled module, or undefined when it was not built or cannot be compiled (a damaged or foreign
 * file): the JS decoder, the reference, is used then. The module only makes reading faster, so a
 * damaged copy of it must not stop a check.
 */
export function pcapWasmModule(): WasmModule | undefined {
  return compileModule(PATHS).module;
}

/**
 * Which pcap decoder a run uses: PORTMATRIX_PCAP_DECODER=js or =wasm forces one (tests, bench);
 * otherwise WebAssembly when the module is there.
 */
export function pcapDecoderKind(env: NodeJS.ProcessEnv = process.env): "js" | "wasm" {
  const forced = forcedEngine("PORTMATRIX_PCAP_DECODER", env);
  if (forced === "js") return "js";
  if (forced === "wasm") {
    if (pcapWasmModule() === undefined) throw moduleMissing("PORTMATRIX_PCAP_DECODER", "dist/wasm/pcap.wasm", compileModule(PATHS).unusable);
    return "wasm";
  }
  return pcapWasmModule() === undefined ? "js" : "wasm";
}

/** One instance's memory: the batch arrays, the skip list, the carry area and the chunk area. */
class Layout {
  private next = 64;
  take(bytes: number): number {
    const at = this.next;
    this.next = (at + bytes + 7) & ~7;
    return at;
  }
  get size(): number {
    return this.next;
  }
}

/** An instance of the module with its own memory, laid out for one batch capacity and carry size. */
interface Instance {
  core: PcapCore;
  memory: WasmMemory;
  /** Where the layout ends (a tracker sharing the memory lays its tables out above). */
  top: number;
  /** Its memory was given to a flow tracker (shareMemory): not kept for the next input. */
  shared: boolean;
  capacity: number;
  carryCap: number;
  at: Record<(typeof BATCH_FIELDS)[number], number>;
  skipCodeAt: number;
  skipPosAt: number;
  chunkAt: number;
  /** The read areas (READ_AREAS of them, WASM_CHUNK bytes each). */
  readAt: number[];
}

/** The batch arrays in the order init() takes them, with their element size and words per event. */
const BATCH_FIELDS = [
  "family", "src", "dst", "proto", "srcPort", "dstPort", "icmpType", "icmpCode", "tcpFlags", "action", "time",
  "position", "frame", "label", "blockedBy", "ttl", "iface", "tcpSeq", "history", "count", "payloadLength",
  "innerProto", "innerSrc", "innerDst", "innerSrcPort", "innerDstPort",
] as const;
const FIELD_BYTES: Record<(typeof BATCH_FIELDS)[number], number> = {
  family: 1, src: 16, dst: 16, proto: 1, srcPort: 4, dstPort: 4, icmpType: 2, icmpCode: 2, tcpFlags: 2, action: 1,
  time: 8, position: 8, frame: 4, label: 4, blockedBy: 1, ttl: 2, iface: 4, tcpSeq: 4, history: 4, count: 4,
  payloadLength: 4, innerProto: 1, innerSrc: 16, innerDst: 16, innerSrcPort: 4, innerDstPort: 4,
};

/**
 * Instances of decoders that ended, for the next input: making one (its memory zeroed, the module
 * instantiated) costs milliseconds, which a directory of many small captures would pay per file.
 */
const idle: Instance[] = [];
const MAX_IDLE = 4;

function acquire(mod: WasmModule, capacity: number, carryCap: number): Instance {
  const k = idle.findIndex((i) => i.capacity === capacity && i.carryCap >= carryCap);
  if (k >= 0) return idle.splice(k, 1)[0]!;
  const l = new Layout();
  const at = {} as Instance["at"];
  for (const f of BATCH_FIELDS) at[f] = l.take(capacity * FIELD_BYTES[f]);
  const skipCodeAt = l.take(SKIP_CAPACITY * 8);
  const skipPosAt = l.take(SKIP_CAPACITY * 8);
  const carryAt = l.take(carryCap);
  const chunkAt = l.take(WASM_CHUNK);
  const readAt = Array.from({ length: READ_AREAS }, () => l.take(WASM_CHUNK));
  const memory = sharedMemory(Math.ceil(l.size / 65536));
  const core = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as PcapCore;
  core.init(capacity, ...BATCH_FIELDS.map((f) => at[f]), skipCodeAt, skipPosAt, SKIP_CAPACITY, carryAt, carryCap);
  return { core, memory, top: l.size, shared: false, capacity, carryCap, at, skipCodeAt, skipPosAt, chunkAt, readAt };
}

function release(i: Instance): void {
  // A shared memory holds a tracker's tables above the layout, and has grown with them.
  if (!i.shared && idle.length < MAX_IDLE) idle.push(i);
}

/**
 * The decoder's memory, offered to the flow tracker's module (src/flow/wasm-tracker.ts): its instance
 * imports the same memory and reads `batch`'s columns where they are, so no packet is copied from one
 * module to the other (bench/README.md, "Realistic capture, fourth round").
 */
export interface SharedBatchMemory {
  memory: WasmMemory;
  /** Where the decoder's layout ends: the tracker's tables go above it. */
  top: number;
  /** The batch the decoder emits, and the address of each of its columns in `memory`. */
  batch: EventBatch;
  at: Readonly<Record<(typeof BATCH_FIELDS)[number], number>>;
  /** Make the decoder's views (`batch`'s columns among them) again: the tracker grew the memory. */
  refresh(): void;
}

/** A classic pcap decoder over the WebAssembly core; same contract as createPcapDecoder. */
export function createWasmPcapDecoder(
  file?: string,
  options: CaptureDecoderOptions = {},
): CaptureDecoder & { chunkArea(): Buffer | undefined; readAreas(): ReadAreas | undefined; shareMemory(): SharedBatchMemory | undefined } {
  const mod = pcapWasmModule();
  if (mod === undefined) throw new Error("dist/wasm/pcap.wasm was not built (npm run build)");
  const capacity = options.batchCapacity ?? DEFAULT_BATCH_CAPACITY;
  const stats = new InputStats();
  const head = Buffer.alloc(PCAP_FILE_HEADER_LENGTH);
  let headLen = 0;
  let headFailed = false;
  let finished = false;
  let core: PcapCore | undefined;
  let batch: EventBatch | undefined;
  let skipCode: Float64Array | undefined;
  let skipPos: Float64Array | undefined;
  let mem: Uint8Array | undefined;
  let chunkAt = 0;
  let inst: Instance | undefined;
  let endedStoppedAt: number | undefined;
  let released = false;

  /** Made once the header says how long a record may be (the carry area holds one). */
  function instantiate(maxRecord: number): PcapCore {
    inst = acquire(mod!, capacity, maxRecord + PCAP_RECORD_HEADER_LENGTH);
    views();
    return inst.core;
  }

  /** The batch's columns, the skip list and the chunk area, as views of the memory (again after it grew). */
  function views(): void {
    const { memory, at } = inst!;
    const buf = memory.buffer;
    const u8 = (o: number, n = 1) => new Uint8Array(buf, o, capacity * n);
    const u32 = (o: number, n = 1) => new Uint32Array(buf, o, capacity * n);
    const i32 = (o: number) => new Int32Array(buf, o, capacity);
    const i16 = (o: number) => new Int16Array(buf, o, capacity);
    const f64 = (o: number) => new Float64Array(buf, o, capacity);
    const cols = {
      family: u8(at.family), src: u32(at.src, 4), dst: u32(at.dst, 4), proto: u8(at.proto),
      srcPort: i32(at.srcPort), dstPort: i32(at.dstPort), icmpType: i16(at.icmpType), icmpCode: i16(at.icmpCode),
      tcpFlags: i16(at.tcpFlags), action: u8(at.action), time: f64(at.time), position: f64(at.position),
      frame: u32(at.frame), label: i32(at.label), blockedBy: u8(at.blockedBy), ttl: i16(at.ttl), iface: i32(at.iface),
      tcpSeq: u32(at.tcpSeq), history: i32(at.history), count: u32(at.count), payloadLength: i32(at.payloadLength),
      innerProto: u8(at.innerProto), innerSrc: u32(at.innerSrc, 4), innerDst: u32(at.innerDst, 4),
      innerSrcPort: i32(at.innerSrcPort), innerDstPort: i32(at.innerDstPort),
    };
    // The same batch object throughout: a tracker holding it while the memory grows sees the new views.
    if (batch === undefined) batch = { capacity, length: 0, ...cols, labels: new LabelTable() };
    else Object.assign(batch, cols);
    skipCode = new Float64Array(buf, inst!.skipCodeAt, SKIP_CAPACITY);
    skipPos = new Float64Array(buf, inst!.skipPosAt, SKIP_CAPACITY);
    mem = new Uint8Array(buf);
    chunkAt = inst!.chunkAt;
  }

  /** Count the skips recorded so far, in order (the order InputStats keeps its samples in). */
  function drainSkips(c: PcapCore): void {
    const n = c.skipCount();
    for (let k = 0; k < n; k++) {
      const code = skipCode![k]!;
      stats.skip(CONTAINER_SKIPS.get(code) ?? skipReason(code), skipPos![k]!);
    }
    c.resetSkips();
  }

  function flush(c: PcapCore, emit: (b: EventBatch) => void): void {
    const n = c.eventCount();
    if (n === 0) return;
    stats.read += n;
    stats.used += n;
    stats.flowsRead += n;
    stats.flowsUsed += n;
    const b = batch!;
    b.length = n;
    emit(b);
    b.length = 0;
    c.resetBatch();
  }

  /** Walk `len` bytes already at `ptr` in the module's memory. */
  function walk(c: PcapCore, ptr: number, len: number, emit: (b: EventBatch) => void): void {
    c.begin(ptr, len);
    for (;;) {
      const r = c.walk();
      drainSkips(c);
      if (r === BATCH_FULL) flush(c, emit);
      else if (r !== SKIPS_FULL) return;
    }
  }

  /** Whether `data` is the chunk area or a read area of the memory (after a growth, of the memory's new buffer). */
  function inPlace(data: Buffer): boolean {
    if (!(data.buffer instanceof SharedArrayBuffer)) return false;
    if (inst!.memory.buffer !== mem!.buffer) views();
    return data.buffer === mem!.buffer && (data.byteOffset === chunkAt || inst!.readAt.includes(data.byteOffset));
  }

  function feed(c: PcapCore, data: Buffer, emit: (b: EventBatch) => void): void {
    if (inPlace(data)) {
      walk(c, data.byteOffset, data.length, emit);
      return;
    }
    for (let o = 0; o < data.length; o += WASM_CHUNK) {
      const piece = data.subarray(o, Math.min(o + WASM_CHUNK, data.length));
      copyIntoMemory(mem!, chunkAt, piece);
      walk(c, chunkAt, piece.length, emit);
    }
  }

  return {
    format: "pcap",
    stats,
    get stoppedAt() {
      if (released) return endedStoppedAt;
      return core !== undefined && core.isStopped() ? core.stoppedPosition() : undefined;
    },
    /** A view of the chunk area: a source that reads into it (at most its length) saves the copy. */
    chunkArea() {
      return mem === undefined || released ? undefined : Buffer.from(mem.buffer, chunkAt, WASM_CHUNK);
    },
    readAreas() {
      if (inst === undefined || released) return undefined;
      const memory = inst.memory;
      return { buffer: () => memory.buffer as unknown as SharedArrayBuffer, at: inst.readAt, size: WASM_CHUNK };
    },
    shareMemory() {
      if (inst === undefined || released) return undefined;
      inst.shared = true;
      return { memory: inst.memory, top: inst.top, batch: batch!, at: inst.at, refresh: views };
    },
    push(chunk, emit) {
      stats.bytes += chunk.length;
      let data = chunk;
      if (core === undefined) {
        if (headFailed) return;
        const take = Math.min(PCAP_FILE_HEADER_LENGTH - headLen, data.length);
        data.copy(head, headLen, 0, take);
        headLen += take;
        data = data.subarray(take);
        if (headLen < PCAP_FILE_HEADER_LENGTH) return;
        let h;
        try {
          h = readPcapFileHeader(head, 0, file);
        } catch (e) {
          headFailed = true;
          throw e;
        }
        try {
          core = instantiate(pcapMaxRecord(h.snaplen));
        } catch (e) {
          // Not the file's fault (the header was read whole): a memory limit (ulimit -v) below what
          // WebAssembly reserves. One line naming the way round it, and not "truncated header" at the end.
          headFailed = true;
          throw new InputError(`cannot make the WebAssembly pcap decoder's memory (${e instanceof Error ? e.message : String(e)}); a limit on this process's address space (ulimit -v) may be below what WebAssembly reserves: PORTMATRIX_PCAP_DECODER=js reads the capture without it`, file === undefined ? {} : { file });
        }
        core.start(h.littleEndian ? 1 : 0, h.nanosecond ? 1 : 0, h.linkType, pcapMaxRecord(h.snaplen), PCAP_FILE_HEADER_LENGTH);
      }
      feed(core, data, emit);
    },
    end(emit) {
      if (finished) return;
      finished = true;
      if (core === undefined) {
        if (!headFailed && headLen > 0) throw truncatedHeaderError(headLen, file);
        return;
      }
      core.finish();
      drainSkips(core);
      flush(core, emit);
      // The instance goes to the next decoder: what is asked after the end is kept here.
      endedStoppedAt = core.isStopped() ? core.stoppedPosition() : undefined;
      released = true;
      release(inst!);
    },
  };
}
