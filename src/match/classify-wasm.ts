/**
 * Classification in WebAssembly (issue 18; bench/README.md "Classification in WebAssembly"): a finding
 * table in its module (findings-wasm.ts) classifies the staged events there too (assembly/findings.ts
 * `classify`: role lookup, orientation, bitset match) and counts them without the classified columns
 * crossing to JS. The reference is classifyBatch (matcher.ts), kept in JS: it classifies everything
 * before the table moves into the module, with PORTMATRIX_CLASSIFY=js, and for a matcher whose cells
 * are not held in a flat table (more than 128 role sets). test/match/classify-wasm.test.ts holds the two
 * to the same columns.
 *
 * This writes the matcher's tables into the module's memory: RoleLookup's IPv4 intervals and IPv6
 * prefixes once, and each combined cell (bitsets shared by identity, ICMP class, the rules with a
 * source-port condition) the first time the module asks for it, built by Matcher.cellBits as
 * Matcher.cellFor builds it for the JS path.
 */
import type { FindingsCore } from "./findings-wasm.js";
import { SLOT_PROTOS, type Matcher } from "./matcher.js";

const SLOTS = 4;

/** Events classified in a module in this thread (tests: a run meant to classify there did). */
let classifiedHere = 0;
export function moduleClassifiedEvents(): number {
  return classifiedHere;
}
/** Cell table value of a cell that opens nothing (0: not written yet; else a descriptor's byte offset). */
const NOTHING_OPEN = 1;

export class ModuleClassifier {
  readonly matcher: Matcher;
  private readonly core: FindingsCore;
  private readonly nSets: number;
  private readonly cellTable: number;
  /** Each bitset's offset in the module's memory, by identity (Matcher shares them between cells). */
  private readonly bitsets = new Map<Uint32Array, number>();

  /** The classifier of `m` in `core`'s module, or undefined when the module cannot hold its cells (see `fits`). */
  static create(core: FindingsCore, m: Matcher): ModuleClassifier | undefined {
    return ModuleClassifier.fits(m) ? new ModuleClassifier(core, m) : undefined;
  }

  /** Whether the module classifies for `m`: its cells by (srcSet, dstSet, slot) in a flat table, as the JS matcher's. */
  static fits(m: Matcher): boolean {
    return m.directCells;
  }

  private constructor(core: FindingsCore, m: Matcher) {
    this.core = core;
    this.matcher = m;
    this.nSets = m.setCount;
    const x = core.x;
    const v4 = m.roles.v4Table;
    const v6 = m.roles.v6Table;
    const n4 = v4.starts.length;
    const n6 = v6.sets.length;
    // Each region taken before any is written: taking one may grow the memory (a new buffer).
    const starts = x.take(n4 * 4);
    const sets4 = x.take(n4 * 4);
    const words6 = x.take(n6 * 16);
    const lengths6 = x.take(n6 * 4);
    const sets6 = x.take(n6 * 4);
    this.cellTable = x.take(this.nSets * this.nSets * SLOTS * 4);
    const buf = core.buffer;
    // The interval starts are whole numbers in 0..2^32-1 (RoleLookup never emits one past it).
    new Uint32Array(buf, starts, n4).set(v4.starts);
    new Int32Array(buf, sets4, n4).set(v4.sets);
    new Uint32Array(buf, words6, n6 * 4).set(v6.words);
    new Int32Array(buf, lengths6, n6).set(v6.lengths);
    new Int32Array(buf, sets6, n6).set(v6.sets);
    x.setMatcher(starts, sets4, n4, words6, lengths6, sets6, n6, this.nSets, this.cellTable);
  }

  /** Classify the `n` staged events into the staged Classified columns, writing the cells they need first. */
  classify(n: number): void {
    const x = this.core.x;
    let i = 0;
    while ((i = x.classify(i, n)) < n) this.writeCell(x.neededCell());
    classifiedHere += n;
  }

  /** Cell `c` of the cell table ((srcSet * nSets + dstSet) * SLOTS + slot) into the module. */
  private writeCell(c: number): void {
    const slot = c % SLOTS;
    const pair = (c - slot) / SLOTS;
    const d = pair % this.nSets;
    const s = (pair - d) / this.nSets;
    const cell = this.matcher.cellBits(s, d, slot);
    if (cell === null) {
      new Uint32Array(this.core.buffer, this.cellTable + c * 4, 1)[0] = NOTHING_OPEN;
      return;
    }
    const open = this.bitsetAt(cell.open);
    const limited = this.bitsetAt(cell.limited);
    const words: number[] = [open, limited, slot >= 2 ? this.matcher.icmpUnknownClass(s, d, SLOT_PROTOS[slot]!) : 0, cell.limitedRules.length];
    for (const r of cell.limitedRules) {
      words.push(r.sourcePorts.length);
      for (const [lo, hi] of r.sourcePorts) words.push(lo, hi);
      words.push(r.ranges.length);
      for (const [lo, hi] of r.ranges) words.push(lo, hi);
    }
    const at = this.core.x.take(words.length * 4);
    const buf = this.core.buffer;
    new Int32Array(buf, at, words.length).set(words);
    new Uint32Array(buf, this.cellTable + c * 4, 1)[0] = at;
  }

  private bitsetAt(bits: Uint32Array): number {
    let at = this.bitsets.get(bits);
    if (at === undefined) {
      at = this.core.x.take(bits.byteLength);
      new Uint32Array(this.core.buffer, at, bits.length).set(bits);
      this.bitsets.set(bits, at);
    }
    return at;
  }
}
