/**
 * The finding table's count in WebAssembly (issue 18; bench/README.md "Counting findings in
 * WebAssembly"): assembly/findings.ts, built to dist/wasm/findings.wasm by `npm run build`, holds a
 * FindingTable's records and index in its memory and counts a classified batch into them in one call,
 * where the JS reference (aggregate.ts addBatch) spent ~0.5 s of CPU per 2M log lines. FindingTable
 * moves its records into the module once it has been given MODULE_AFTER events (a short run never
 * loads it) and reads them through views of the module's memory, so everything that reads the table
 * is unchanged. PORTMATRIX_FINDINGS=js keeps the JS count, =wasm takes the module from the first
 * event (tests, bench); test/match/findings-wasm.test.ts holds the two to the same tables and reports.
 */
import { existsSync } from "node:fs";
import type { EventBatch } from "../decode/batch.js";
import type { Classified } from "./matcher.js";
import { forcedEngine, moduleMissing } from "../decode/engine-switch.js";
import { UsageError } from "../errors.js";
import { WebAssembly, compileModule, moduleLookedFor, modulePaths, type WasmModule, type WasmMemory } from "../decode/wasm-api.js";


/** assembly/findings.ts's exports. */
interface FindingsExports {
  init(...layout: number[]): void;
  setup(expected: number, reserved: number): void;
  reserveRecords(cap: number): void;
  recordsAt(): number;
  recordsCap(): number;
  recordCount(): number;
  keyAt(): number;
  lookupKey(): number;
  isNew(): number;
  indexRecords(n: number): void;
  countEnds(n: number): void;
  classifiedCount(): number;
  oneEndCount(): number;
  add(from: number, n: number, input: number, map: number): number;
  labelArea(n: number): number;
  take(bytes: number): number;
  setMatcher(starts: number, sets4: number, count4: number, words6: number, lengths6: number, sets6: number, count6: number, sets: number, cells: number): void;
  classify(from: number, n: number): number;
  neededCell(): number;
}

/** Events staged per call: a larger batch is counted in slices of this many. */
const STAGE = 8192;
/**
 * Events after which a table counts in the module: the batch that brings its events to this many is
 * counted there. A 1-packet check never loads it, and the JS table never outgrows its first 4,096
 * records (growing them to the reservation, then moving them, touched 6-10 MiB of memory left behind).
 * A capture's connections come in batches of exactly this many (tracker.ts): the first is counted in
 * the module, not in JS code not yet optimised (22 ms of the scan-like capture's JS count and
 * classification of its first 4,096 connections).
 */
export const MODULE_AFTER = 4096;

/** Where `npm run build` puts the module, seen from dist/match/, dist/bundle/ or src/match/. */
const PATHS = modulePaths(import.meta.url, ["../wasm/findings.wasm", "../../dist/wasm/findings.wasm"]);

/**
 * dist/wasm/findings.wasm compiled, or undefined when it was not built or cannot be compiled (a
 * damaged or foreign file): the JS count, the reference, is used then. The module only makes the
 * count faster, so a damaged copy of it must not stop a check.
 */
export function findingsModule(): WasmModule | undefined {
  return compileModule(PATHS).module;
}

/** Whether the module has been compiled in this process (a short run must not: test/match/findings-wasm-lazy.test.ts). */
export function findingsModuleCompiled(): boolean {
  return moduleLookedFor(PATHS);
}

/**
 * Events after which a table counts in the module: PORTMATRIX_FINDINGS=js never, =wasm from the first
 * (an error when the module was not built or cannot be compiled), otherwise MODULE_AFTER when its file
 * is there.
 */
export function moduleAfter(env: NodeJS.ProcessEnv = process.env): number {
  const forced = forcedEngine("PORTMATRIX_FINDINGS", env);
  const classify = forcedEngine("PORTMATRIX_CLASSIFY", env);
  if (forced === "js") {
    if (classify === "wasm") throw new UsageError("PORTMATRIX_CLASSIFY=wasm classifies in the finding table's module, which PORTMATRIX_FINDINGS=js turns off");
    return Infinity;
  }
  // Left to `auto`, the file is only looked for here and compiled when a table moves (FindingTable
  // toModule, which stays in JS if it cannot be compiled): a short run neither reads nor compiles it.
  if (forced !== "wasm" && classify !== "wasm") return PATHS.some((p) => existsSync(p)) ? MODULE_AFTER : Infinity;
  const name = forced === "wasm" ? "PORTMATRIX_FINDINGS" : "PORTMATRIX_CLASSIFY";
  if (findingsModule() === undefined) throw moduleMissing(name, "dist/wasm/findings.wasm", compileModule(PATHS).unusable);
  return 0;
}

/**
 * Whether a table in the module classifies its events there too (src/match/classify-wasm.ts):
 * PORTMATRIX_CLASSIFY=js never (classifyBatch in JS, the reference), otherwise yes (with =wasm the
 * table is in the module from the first event: moduleAfter).
 */
export function classifyInModule(env: NodeJS.ProcessEnv = process.env): boolean {
  return forcedEngine("PORTMATRIX_CLASSIFY", env) !== "js";
}

const COLUMNS = [
  ["family", 1], ["src", 16], ["dst", 16], ["proto", 1], ["srcPort", 4], ["dstPort", 4], ["icmpType", 2],
  ["tcpFlags", 2], ["action", 1], ["blockedBy", 1], ["time", 8], ["position", 8], ["frame", 4], ["label", 4], ["count", 4],
  ["verdict", 1], ["reversed", 1], ["srcSet", 4], ["dstSet", 4],
] as const;
type Column = (typeof COLUMNS)[number][0];
/** The group scratch of assembly/findings.ts: 64 keys of 10 words, then three words per key. */
const SCRATCH_BYTES = 64 * 40 + 3 * 64 * 4;

/**
 * Bytes the module's memory has from the start beyond the staging area: the records and index at the
 * reservation, the records' first region and the label maps. Growing the memory detaches its old
 * ArrayBuffer, and the first detached buffer of a process invalidates V8's "no buffer was ever detached"
 * protector: from then on every optimised typed-array access in the process checks for detachment
 * (the decoders', the matcher's, the report's). Pages never written cost nothing (the system maps
 * them zeroed on first touch), so a table up to the reservation never grows the memory.
 */
function upFront(reserve: number): number {
  let slots = 16;
  while (slots < reserve * 2) slots *= 2;
  return reserve * 128 + slots * 8 + 4096 * 128 + (1 << 20) + CLASSIFY_ROOM;
}

/**
 * Room for the classification's tables (classify-wasm.ts): the role tables, the cell table (up to
 * 2^16 cells, 256 KiB) and the cells' bitsets (8 KiB each). Untouched when the module does not classify.
 */
const CLASSIFY_ROOM = 4 << 20;

/** One table's module instance: its memory, the staging area for a slice of a batch, the calls. */
export class FindingsCore {
  private readonly memory: WasmMemory;
  readonly x: FindingsExports;
  private readonly at = {} as Record<Column, number>;

  /** A module whose index is sized for `reserve` keys and whose records grow to `reserve` first (FindingTable's). */
  constructor(mod: WasmModule, reserve: number) {
    let next = 64;
    const take = (bytes: number) => { const at = next; next = (at + bytes + 63) & ~63; return at; };
    for (const [f, bytes] of COLUMNS) this.at[f] = take(STAGE * bytes);
    const scratch = take(SCRATCH_BYTES);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil((next + upFront(reserve)) / 65536) });
    this.x = new WebAssembly.Instance(mod, { env: { memory: this.memory } }).exports as unknown as FindingsExports;
    this.x.init(...COLUMNS.map(([f]) => this.at[f]), scratch, next);
    this.x.setup(reserve, reserve);
  }

  get buffer(): ArrayBuffer { return this.memory.buffer; }

  /** The records' words as the module holds them now (a new view after it grew or moved them). */
  records(): Int32Array {
    return new Int32Array(this.memory.buffer, this.x.recordsAt(), this.x.recordsCap() * 32);
  }

  /** Copy events [from, to) of the batch and its classification into the staging area. */
  stage(b: EventBatch, c: Classified, from: number, to: number): void {
    this.stageBatch(b, from, to);
    const buf = this.memory.buffer;
    const n = to - from;
    const at = this.at;
    new Uint8Array(buf, at.verdict, n).set(c.verdict.subarray(from, to));
    new Uint8Array(buf, at.reversed, n).set(c.reversed.subarray(from, to));
    new Int32Array(buf, at.srcSet, n).set(c.srcSet.subarray(from, to));
    new Int32Array(buf, at.dstSet, n).set(c.dstSet.subarray(from, to));
  }

  /** Copy events [from, to) of the batch into the staging area (the module classifies them: classify-wasm.ts). */
  stageBatch(b: EventBatch, from: number, to: number): void {
    const buf = this.memory.buffer;
    const n = to - from;
    const at = this.at;
    new Uint8Array(buf, at.family, n).set(b.family.subarray(from, to));
    new Uint32Array(buf, at.src, n * 4).set(b.src.subarray(from * 4, to * 4));
    new Uint32Array(buf, at.dst, n * 4).set(b.dst.subarray(from * 4, to * 4));
    new Uint8Array(buf, at.proto, n).set(b.proto.subarray(from, to));
    new Int32Array(buf, at.srcPort, n).set(b.srcPort.subarray(from, to));
    new Int32Array(buf, at.dstPort, n).set(b.dstPort.subarray(from, to));
    new Int16Array(buf, at.icmpType, n).set(b.icmpType.subarray(from, to));
    new Int16Array(buf, at.tcpFlags, n).set(b.tcpFlags.subarray(from, to));
    new Uint8Array(buf, at.action, n).set(b.action.subarray(from, to));
    new Uint8Array(buf, at.blockedBy, n).set(b.blockedBy.subarray(from, to));
    new Float64Array(buf, at.time, n).set(b.time.subarray(from, to));
    new Float64Array(buf, at.position, n).set(b.position.subarray(from, to));
    new Uint32Array(buf, at.frame, n).set(b.frame.subarray(from, to));
    new Int32Array(buf, at.label, n).set(b.label.subarray(from, to));
    new Uint32Array(buf, at.count, n).set(b.count.subarray(from, to));
  }

  /** The staged classification columns of `n` events, as views of the module's memory (tests). */
  stagedClassified(n: number): Classified {
    const buf = this.memory.buffer;
    const at = this.at;
    return {
      verdict: new Uint8Array(buf, at.verdict, n),
      reversed: new Uint8Array(buf, at.reversed, n),
      srcSet: new Int32Array(buf, at.srcSet, n),
      dstSet: new Int32Array(buf, at.dstSet, n),
    };
  }

  /** The words at keyAt() (a key for lookupKey). */
  key(): Int32Array {
    return new Int32Array(this.memory.buffer, this.x.keyAt(), 10);
  }

  /** The label map area for `n` labels. */
  labelMap(n: number): Int32Array {
    const at = this.x.labelArea(n);
    return new Int32Array(this.memory.buffer, at, n);
  }
}

export { STAGE };
