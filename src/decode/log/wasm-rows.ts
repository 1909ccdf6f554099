/**
 * The log readers' WebAssembly fast paths (issue 18): a module (assembly/wfw.ts for Windows Firewall,
 * assembly/netfilter.ts for netfilter, assembly/csv.ts for CSV, built to dist/wasm/ by `npm run build`) takes the ordinary lines of
 * a chunk and writes their events straight into the batch, which lives in the module's memory. Every other
 * line stops it and goes to the JS reader (the format's `line`), which also teaches it the words it may
 * take (action words, protocols, log prefixes) from the lines it used. So skips, labels and errors are the
 * reference's own, and a missing module just means the reference reads every line
 * (PORTMATRIX_LOG_DECODER=js forces that; test/decode/log/*-wasm.test.ts hold each pair to the same events
 * and accounting). This file holds what the formats share: loading, the batch and chunk layout, the run
 * loop. Each module exports the same run interface (RowCore).
 */
import { LabelTable, type EventBatch } from "../batch.js";
import type { InputStats } from "../stats.js";
import { utcDay } from "./syslog-time.js";
import { forcedEngine, moduleMissing } from "../engine-switch.js";
import { WebAssembly, compileModule, copyIntoMemory, modulePaths, type WasmModule } from "../wasm-api.js";


/** What every row module exports (assembly/wfw.ts, assembly/netfilter.ts). */
export interface RowCore {
  init(...layout: number[]): void;
  setDay(key: number, ms: number): void;
  dayYear(): number;
  dayMonth(): number;
  dayOfMonth(): number;
  run(pos: number, end: number, lineNo: number, length: number): number;
  stoppedBecause(): number;
  stoppedAt(): number;
  lengthAfter(): number;
}
const STOP_DAY = 3;
/** Bytes of a chunk read per copy; the source's chunks (src/source/raw.ts) are 1 MiB. */
const CHUNK = 1 << 20;

export type RowModuleName = "wfw" | "netfilter" | "csv";
const ROW_MODULES: readonly RowModuleName[] = ["wfw", "netfilter", "csv"];
/** Where `npm run build` puts module `name`, seen from dist/decode/log/, dist/bundle/ or src/decode/log/. */
function pathsOf(name: RowModuleName): string[] {
  return modulePaths(import.meta.url, [`../../wasm/${name}.wasm`, `../wasm/${name}.wasm`, `../../../dist/wasm/${name}.wasm`]);
}

/**
 * The compiled module `name` (dist/wasm/<name>.wasm), or undefined when it was not built or cannot be
 * compiled (a damaged or foreign file): the JS readers, the reference, are used then. The modules only
 * make reading faster, so a damaged copy must not stop a check.
 */
export function rowModule(name: RowModuleName): WasmModule | undefined {
  return compileModule(pathsOf(name)).module;
}

/**
 * Whether the log readers use their WebAssembly fast paths: PORTMATRIX_LOG_DECODER=js or =wasm forces
 * it (tests, bench); otherwise they do when the modules were built.
 */
export function logDecoderKind(env: NodeJS.ProcessEnv = process.env): "js" | "wasm" {
  const forced = forcedEngine("PORTMATRIX_LOG_DECODER", env);
  if (forced === "js") return "js";
  const built = rowModule("wfw") !== undefined && rowModule("netfilter") !== undefined && rowModule("csv") !== undefined;
  if (forced === "wasm") {
    if (!built) throw moduleMissing("PORTMATRIX_LOG_DECODER", "dist/wasm/{wfw,netfilter,csv}.wasm", ROW_MODULES.map((m) => compileModule(pathsOf(m)).unusable).filter(Boolean).join("; "));
    return "wasm";
  }
  return built ? "wasm" : "js";
}

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
 * One reader's instance of a row module: its memory holds the batch, the chunk copy and `extra` bytes
 * the module lays out itself (tokens, learnt words); `init` gets the batch arrays' offsets, then the
 * extra area's, then `initArgs`.
 */
export class RowFastPath<Core extends RowCore> {
  readonly batch: EventBatch;
  protected readonly core: Core;
  protected readonly mem: Uint8Array;
  private readonly chunkAt: number;
  /** The buffer whose bytes [copiedFrom, copiedFrom + copiedLen) are in the chunk area. */
  private copied: Buffer | undefined = undefined;
  private copiedFrom = 0;
  private copiedLen = 0;
  bulkEnd = 0;
  /** Rows this path took (the reference read the others). */
  rowsTaken = 0;

  constructor(mod: WasmModule, capacity: number, extra: number, initArgs: readonly number[]) {
    let next = 64;
    const take = (bytes: number) => { const at = next; next = (at + bytes + 7) & ~7; return at; };
    const at = {} as Record<(typeof BATCH_FIELDS)[number], number>;
    for (const f of BATCH_FIELDS) at[f] = take(capacity * FIELD_BYTES[f]);
    const extraAt = take(extra);
    // 16 bytes more: the module reads a line 16 bytes at a time, also past its end.
    this.chunkAt = take(CHUNK + 16);
    const memory = new WebAssembly.Memory({ initial: Math.ceil(next / 65536) });
    this.core = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as Core;
    this.core.init(capacity, ...BATCH_FIELDS.map((f) => at[f]), extraAt, ...initArgs);
    const buf = memory.buffer;
    this.mem = new Uint8Array(buf);
    const u8 = (o: number, n = 1) => new Uint8Array(buf, o, capacity * n);
    const u32 = (o: number, n = 1) => new Uint32Array(buf, o, capacity * n);
    const i32 = (o: number) => new Int32Array(buf, o, capacity);
    const i16 = (o: number) => new Int16Array(buf, o, capacity);
    const f64 = (o: number) => new Float64Array(buf, o, capacity);
    this.batch = {
      capacity, length: 0,
      family: u8(at.family), src: u32(at.src, 4), dst: u32(at.dst, 4), proto: u8(at.proto),
      srcPort: i32(at.srcPort), dstPort: i32(at.dstPort), icmpType: i16(at.icmpType), icmpCode: i16(at.icmpCode),
      tcpFlags: i16(at.tcpFlags), action: u8(at.action), time: f64(at.time), position: f64(at.position),
      frame: u32(at.frame), label: i32(at.label), blockedBy: u8(at.blockedBy), ttl: i16(at.ttl), iface: i32(at.iface),
      tcpSeq: u32(at.tcpSeq), history: i32(at.history), count: u32(at.count), payloadLength: i32(at.payloadLength),
      innerProto: u8(at.innerProto), innerSrc: u32(at.innerSrc, 4), innerDst: u32(at.innerDst, 4),
      innerSrcPort: i32(at.innerSrcPort), innerDstPort: i32(at.innerDstPort),
      labels: new LabelTable(),
    };
  }

  /** The chunk's bytes may have changed (LineFormat.newBytes). */
  forget(): void {
    this.copied = undefined;
  }

  /** Write `b[s, e)` at `at` in the module's memory (a word to teach it). */
  protected put(b: Buffer, s: number, e: number, at: number): void {
    this.mem.set(b.subarray(s, e), at);
  }

  /** LineFormat.bulk for the rows of `buf` from `pos` (the first is line `lineNo`). */
  bulk(buf: Buffer, pos: number, lineNo: number, batch: EventBatch, stats: InputStats): number {
    if (batch !== this.batch) return 0;
    // The chunk area holds a window of the buffer; a line that runs past its end starts the next window.
    if (buf !== this.copied || pos < this.copiedFrom || (pos > this.copiedFrom && this.copiedFrom + this.copiedLen < buf.length)) {
      const n = Math.min(CHUNK, buf.length - pos);
      copyIntoMemory(this.mem, this.chunkAt, buf.subarray(pos, pos + n));
      this.copied = buf;
      this.copiedFrom = pos;
      this.copiedLen = n;
    }
    const core = this.core;
    const delta = this.chunkAt - this.copiedFrom;
    let taken = 0;
    let p = pos;
    let dayAskedAt = -1;
    for (;;) {
      const n = core.run(p + delta, this.copiedFrom + this.copiedLen + delta, lineNo + taken, batch.length);
      taken += n;
      p = core.stoppedAt() - delta;
      batch.length = core.lengthAfter();
      if (core.stoppedBecause() !== STOP_DAY) break;
      // A day not seen before: its start as the reference computes it (syslog-time.ts), then on. Asked
      // again at the same line, the module and this side disagree on the day's key: the line is left to
      // the reference (as any line the module does not take), never a loop.
      if (p === dayAskedAt) break;
      dayAskedAt = p;
      const y = core.dayYear(), m = core.dayMonth(), d = core.dayOfMonth();
      core.setDay((y * 16 + m) * 64 + d, utcDay(y, m, d));
    }
    this.rowsTaken += taken;
    stats.read += taken;
    stats.used += taken;
    stats.flowsRead += taken;
    stats.flowsUsed += taken;
    this.bulkEnd = p;
    return taken;
  }
}

/** The exports of a module that learns action and protocol words (assembly/wfw.ts, assembly/csv.ts). */
export interface WordRowCore extends RowCore {
  learnAction(len: number, labelId: number, actionCode: number): number;
  learnProto(len: number, proto: number): number;
  nextWordAt(k: number): number;
}
/** Words per table and bytes per word of the Windows Firewall and CSV modules (their setWordStore calls). */
export const ROW_WORDS = 16;
export const ROW_WORD_BYTES = 32;

/**
 * A fast path whose module learns two tables of words from the reference (0: action words, 1: protocol
 * words), each taught once and only from a line the reference used, so label order and skips stay the
 * reference's.
 */
export class WordRowFastPath<Core extends WordRowCore> extends RowFastPath<Core> {
  /** Words taught so far (JS-side copies, so a word is taught once). */
  private readonly actions: Buffer[] = [];
  private readonly protos: Buffer[] = [];

  /** An action word `b[s, e)` the reference turned into this label and action (a line it used). */
  learnAction(b: Buffer, s: number, e: number, labelId: number, action: number): void {
    if (knownWord(this.actions, b, s, e) || this.actions.length >= ROW_WORDS || e - s > ROW_WORD_BYTES) return;
    this.put(b, s, e, this.core.nextWordAt(0));
    if (this.core.learnAction(e - s, labelId, action)) this.actions.push(Buffer.from(b.subarray(s, e)));
  }

  /** A protocol word `b[s, e)` the reference read as TCP or UDP, or as ICMP between IPv4 addresses (a line it used). */
  learnProto(b: Buffer, s: number, e: number, proto: number): void {
    if (knownWord(this.protos, b, s, e) || this.protos.length >= ROW_WORDS || e - s > ROW_WORD_BYTES) return;
    this.put(b, s, e, this.core.nextWordAt(1));
    if (this.core.learnProto(e - s, proto)) this.protos.push(Buffer.from(b.subarray(s, e)));
  }
}

/** Whether `list` holds the bytes b[s, e). */
export function knownWord(list: readonly Buffer[], b: Buffer, s: number, e: number): boolean {
  for (const w of list) if (w.length === e - s && w.equals(b.subarray(s, e))) return true;
  return false;
}
