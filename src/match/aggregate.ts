import { NONE, PROTO_ICMP, PROTO_ICMPV6, type EventBatch } from "../decode/batch.js";
import { effectiveBlockedBy } from "../net/proto.js";
import { classifyBatch, type Classified, type Matcher } from "./matcher.js";
import { ModuleClassifier } from "./classify-wasm.js";
import { HashIndex, RESERVED_RECORDS, hashWords } from "../flow/hash-index.js";
import { FindingsCore, STAGE, classifyInModule, findingsModule, moduleAfter } from "./findings-wasm.js";

const KEY_WORDS = 10;
/** Events whose table memory is touched ahead of counting them (HashIndex.prefetch). */
const GROUP = 64;
const EVIDENCE_SLOTS = 3;

/**
 * One finding is one record of STRIDE 32-bit words (128 bytes, two cache lines) in a single buffer,
 * so that counting an event touches the index and one record instead of a dozen parallel arrays.
 * The first line holds what every event reads or writes (key, count, first, last); the second what
 * only a new finding or new evidence writes. Float64 fields are given as indices into the Float64Array
 * view of the same buffer (record e starts at e * F_STRIDE there).
 */
const STRIDE = 32;
const F_STRIDE = STRIDE / 2;
const I_KEY = 0;
const F_COUNT = 5; // words 10-11
const F_FIRST = 6; // words 12-13
const F_LAST = 7; // words 14-15
const I_EVIDENCE = 16; // 16, 17, 18
const I_SRC_SET = 19;
const I_DST_SET = 20;
const I_FIRST_SRC_PORT = 21;
const I_INPUT = 22;
/** The first record's frame number (captures; EventBatch.frame), unsigned. */
const I_FRAME = 23;
const F_POSITION = 12; // words 24-25

/**
 * What a FindingTable holds, as plain data that crosses a worker boundary (`records` is transferable):
 * `size` records of the layout above, and the evidence strings they reference.
 */
export interface FindingTableData {
  size: number;
  records: Int32Array<ArrayBuffer>;
  evidenceText: string[];
  /** Per input index: [events, classified, one end known] (see FindingTable.eventsOf). */
  inputEvents: [number, number, number][];
}

/** What the matcher saw of one input: a run that classified none of it checked nothing there. */
export interface InputEvents {
  /** Flow records given to the matcher (a log record's flow; for captures, a connection). */
  total: number;
  /** Of those, with both ends in the inventory (any verdict but unclassified). */
  classified: number;
  /** Of those, with exactly one end in the inventory. */
  oneEnd: number;
}

/** One finding as an engine counted it: the key, the totals, the first occurrence, up to 3 labels. */
export interface AggregatedFinding {
  verdict: number;
  action: number;
  family: number;
  proto: number;
  /** Who stopped it, as aggregated (effectiveBlockedBy: BLOCKED_BY_UNSET unless blocked). */
  blockedBy: number;
  port: number;
  /** Four 32-bit words each, as in EventBatch. */
  src: ArrayLike<number>;
  dst: ArrayLike<number>;
  count: number;
  first: number;
  last: number;
  srcSet: number;
  dstSet: number;
  firstSrcPort: number;
  input: number;
  position: number;
  /** The first record's frame number in a capture (0: none). */
  frame?: number;
  evidence: readonly string[];
}

/**
 * Findings keyed by (verdict, action, family, protocol, port, source, destination), counted in one
 * typed-array record store found through the shared hash index (flow/hash-index.ts): integer keys, no
 * object or string per event. Strings (the evidence labels) are mapped to ids once per input label, not per event.
 */
/** Records a finding table allocates before its first growth. */
const FIRST_RECORDS = 4096;

export class FindingTable {
  size = 0;
  private cap: number;
  private iv: Int32Array;
  private fv: Float64Array;
  private index: HashIndex;
  /** Global evidence strings, referenced by the evidence slots. */
  readonly evidenceText: string[] = [];
  private readonly evidenceIds = new Map<string, number>();
  /** Per input: its label id -> global evidence id, -2 until first seen (grown on demand). */
  private readonly labelMaps: Int32Array[] = [];
  private readonly scratch = new Int32Array(KEY_WORDS);
  /** Column views made on demand for report building (see `columnsOf`). */
  private columns: Columns | undefined = undefined;

  /** Records the store grows to at its first growth (see the constructor). */
  private readonly reserve: number;
  /**
   * The WebAssembly count (findings-wasm.ts) once this table moved into it: then the records and the
   * index live in the module's memory, `iv` and `fv` are views of them, and `index` is unused.
   */
  private core: FindingsCore | undefined = undefined;
  /** Events after which addBatch moves the table into the module (read at the first addBatch). */
  private moduleAfter: number | undefined;
  private eventsAdded = 0;

  /**
   * Room for `initial` records, of which only `allocated` are allocated until more are needed: a run
   * of a few findings (a 1-packet check) then never allocates the 32 MiB reservation, whose external
   * memory alone made V8 run three scavenges and a full collection ("external memory pressure") in
   * a short run; a large run copies FIRST_RECORDS records once and then has the whole reservation.
   */
  constructor(initial = RESERVED_RECORDS, allocated = FIRST_RECORDS, opts: { moduleAfter?: number } = {}) {
    this.moduleAfter = opts.moduleAfter;
    let cap = 16;
    while (cap < initial) cap *= 2;
    this.reserve = cap;
    this.cap = Math.min(cap, Math.max(16, allocated));
    this.iv = new Int32Array(this.cap * STRIDE);
    this.fv = new Float64Array(this.iv.buffer);
    this.index = new HashIndex(KEY_WORDS, STRIDE, cap);
  }

  /** The reservation at the first growth, then twice the records (the index grows by itself and never moves one). */
  private grow(): void {
    const cap = this.cap < this.reserve ? this.reserve : this.cap * 2;
    const iv = new Int32Array(cap * STRIDE);
    iv.set(this.iv);
    this.iv = iv;
    this.fv = new Float64Array(iv.buffer);
    this.cap = cap;
  }

  private evidenceId(text: string): number {
    let g = this.evidenceIds.get(text);
    if (g === undefined) {
      g = this.evidenceText.length;
      this.evidenceText.push(text);
      this.evidenceIds.set(text, g);
    }
    return g;
  }

  /** The label map of an input, covering label ids below `n`. */
  private labelMap(inputIdx: number, n: number): Int32Array {
    let map = this.labelMaps[inputIdx];
    if (!map || map.length < n) {
      const bigger = new Int32Array(Math.max(16, n * 2)).fill(-2);
      if (map) bigger.set(map);
      map = bigger;
      this.labelMaps[inputIdx] = map;
    }
    return map;
  }

  /**
   * The record of key `k`, or a new record (count 0, first/last NaN, no evidence, `input`/`position`
   * unset) when the key is new; `isNew` tells which.
   */
  private lookup(k: Int32Array, ko: number, hash: number): number {
    if (this.core) return this.lookupInModule(this.core, k, ko);
    let e = this.index.find(this.iv, k, ko, hash);
    if (e >= 0) {
      this.isNew = false;
      return e;
    }
    if (this.size >= this.cap) this.grow();
    e = this.size++;
    this.index.add(e, hash);
    const o = e * STRIDE;
    const riv = this.iv;
    for (let j = 0; j < KEY_WORDS; j++) riv[o + j] = k[ko + j]!;
    riv[o + I_EVIDENCE] = -1;
    riv[o + I_EVIDENCE + 1] = -1;
    riv[o + I_EVIDENCE + 2] = -1;
    this.isNew = true;
    return e;
  }
  private isNew = false;

  /** lookup in the module's index and records (the hash is the module's own, the same function). */
  private lookupInModule(core: FindingsCore, k: Int32Array, ko: number): number {
    core.key().set(k.subarray(ko, ko + KEY_WORDS));
    const e = core.x.lookupKey();
    this.isNew = core.x.isNew() !== 0;
    this.size = e >= this.size ? e + 1 : this.size;
    this.syncViews(core);
    return e;
  }

  /** `iv` and `fv` over the module's records, anew when it grew its memory or moved them. */
  private syncViews(core: FindingsCore): void {
    const at = core.x.recordsAt();
    if (this.iv.buffer !== core.buffer || this.iv.byteOffset !== at || this.cap !== core.x.recordsCap()) {
      this.iv = core.records();
      this.fv = new Float64Array(this.iv.buffer, this.iv.byteOffset, this.iv.length / 2);
      this.cap = core.x.recordsCap();
    }
  }

  /**
   * Move the records into a module instance and index them there (once, when the table has been given
   * enough events to repay it): the records keep their numbers and layout.
   */
  private toModule(): void {
    const mod = findingsModule();
    if (!mod) { this.moduleAfter = Infinity; return; }
    let core: FindingsCore;
    try {
      core = new FindingsCore(mod, this.reserve);
    } catch (e) {
      // An instance that cannot be made (its memory refused, say): the table stays in JS, whole; only
      // a table asked to count in the module from its first event (PORTMATRIX_FINDINGS=wasm) fails.
      if (this.moduleAfter === 0) throw e;
      this.moduleAfter = Infinity;
      return;
    }
    core.x.reserveRecords(this.cap);
    core.records().set(this.iv.subarray(0, this.size * STRIDE));
    core.x.indexRecords(this.size);
    this.core = core;
    this.index = new HashIndex(KEY_WORDS, STRIDE, 16);
    this.syncViews(core);
  }

  /**
   * addBatch's count in the module, in staged slices. The labels first seen in a slice get their
   * evidence ids here first, in event order (the reference's order of first use; only JS knows their
   * text), so the module finds every label it meets in the map.
   */
  private addBatchInModule(core: FindingsCore, b: EventBatch, c: Classified | ModuleClassifier, inputIdx: number): void {
    const labels = b.labels.values;
    const map = this.labelMap(inputIdx, labels.length);
    const counts = this.eventCounts(inputIdx);
    counts[0] += b.length;
    for (let from = 0; from < b.length; from += STAGE) {
      const n = Math.min(STAGE, b.length - from);
      for (let i = from; i < from + n; i++) {
        const label = b.label[i]!;
        if (label >= 0 && map[label] === -2) map[label] = this.evidenceId(labels[label]!);
      }
      if (c instanceof ModuleClassifier) {
        core.stageBatch(b, from, from + n);
        c.classify(n);
      } else core.stage(b, c, from, from + n);
      const mapAt = core.labelMap(labels.length).byteOffset;
      new Int32Array(core.buffer, mapAt, labels.length).set(map.subarray(0, labels.length));
      core.x.countEnds(n);
      counts[1] += core.x.classifiedCount();
      counts[2] += core.x.oneEndCount();
      if (core.x.add(0, n, inputIdx, mapAt) !== n) throw new Error("FindingTable: the module met a label without an evidence id");
    }
    this.size = core.x.recordCount();
    this.syncViews(core);
  }

  /** Per input index: events, classified, one end known (grown on demand). */
  private readonly inputEvents: [number, number, number][] = [];

  private eventCounts(inputIdx: number): [number, number, number] {
    while (this.inputEvents.length <= inputIdx) this.inputEvents.push([0, 0, 0]);
    return this.inputEvents[inputIdx]!;
  }

  /** Events an engine or a partial result counted for input `inputIdx` (as addBatch counts them). */
  addInputEvents(inputIdx: number, total: number, classified: number, oneEnd: number): void {
    const counts = this.eventCounts(inputIdx);
    counts[0] += total;
    counts[1] += classified;
    counts[2] += oneEnd;
  }

  /** How many of input `inputIdx`'s events the matcher saw, and how many it could classify. */
  eventsOf(inputIdx: number): InputEvents {
    const [total, classified, oneEnd] = this.inputEvents[inputIdx] ?? [0, 0, 0];
    return { total, classified, oneEnd };
  }

  /**
   * Classify every event of a batch with `m` and add it: in the module when the table counts there
   * (classify-wasm.ts, unless PORTMATRIX_CLASSIFY=js), else classifyBatch into `c` (room for the batch)
   * and addBatch.
   */
  addEvents(b: EventBatch, m: Matcher, c: Classified, inputIdx: number): void {
    this.beforeAdd(b);
    const core = this.core;
    const cl = core ? this.moduleClassifier(core, m) : undefined;
    if (core && cl) {
      this.addBatchInModule(core, b, cl, inputIdx);
      return;
    }
    classifyBatch(m, b, c);
    if (core) this.addBatchInModule(core, b, c, inputIdx);
    else this.addBatchInJs(b, c, inputIdx);
  }

  /** The module classifier of `m` (one a table; anew for another matcher), undefined when JS classifies. */
  private moduleClassifier(core: FindingsCore, m: Matcher): ModuleClassifier | undefined {
    if (this.classifier !== undefined && this.classifier.matcher === m) return this.classifier;
    this.classifyHere ??= classifyInModule();
    if (!this.classifyHere) return undefined;
    this.classifier = ModuleClassifier.create(core, m);
    return this.classifier;
  }
  /** Read at the first addEvents in the module (PORTMATRIX_CLASSIFY). */
  private classifyHere: boolean | undefined = undefined;
  private classifier: ModuleClassifier | undefined = undefined;

  /** Add every event of a classified batch. */
  addBatch(b: EventBatch, c: Classified, inputIdx: number): void {
    this.beforeAdd(b);
    if (this.core) this.addBatchInModule(this.core, b, c, inputIdx);
    else this.addBatchInJs(b, c, inputIdx);
  }

  /** Before a batch is added: the table moves into the module once it has been given enough events. */
  private beforeAdd(b: EventBatch): void {
    this.columns = undefined;
    if (!this.core) {
      if (this.moduleAfter === undefined) {
        this.moduleAfter = moduleAfter();
        // The JS index then holds a few thousand keys before the move: one sized for the reservation
        // would have them spread over its 4 MiB, a page each.
        if (this.moduleAfter <= FIRST_RECORDS && this.size === 0) this.index = new HashIndex(KEY_WORDS, STRIDE, FIRST_RECORDS);
      }
      this.eventsAdded += b.length;
      if (this.eventsAdded >= this.moduleAfter) this.toModule();
    }
  }

  /** addBatch in JS: the reference of the module's count. */
  private addBatchInJs(b: EventBatch, c: Classified, inputIdx: number): void {
    let classified = 0;
    let oneEnd = 0;
    for (let i = 0; i < b.length; i++) {
      const s = c.srcSet[i]!, d = c.dstSet[i]!;
      if (s !== 0 && d !== 0) classified++;
      else if (s !== 0 || d !== 0) oneEnd++;
    }
    const counts = this.eventCounts(inputIdx);
    counts[0] += b.length;
    counts[1] += classified;
    counts[2] += oneEnd;
    const labels = b.labels.values;
    const map = this.labelMap(inputIdx, labels.length);
    for (let g = 0; g < b.length; g += GROUP) {
      const gEnd = Math.min(b.length, g + GROUP);
      this.keys(b, c, g, gEnd);
      this.groupFound.set(this.groupHash);
      this.warmSink = this.index.prefetch(this.iv, this.groupFound, gEnd - g);
      for (let i = g; i < gEnd; i++) {
        const j = i - g;
        const label = b.label[i]!;
        let ev = -1;
        if (label >= 0) {
          ev = map[label]!;
          if (ev === -2) {
            ev = this.evidenceId(labels[label]!);
            map[label] = ev;
          }
        }
        const t = b.time[i]!;
        const e = this.lookup(this.groupKeys, j * KEY_WORDS, this.groupHash[j]!);
        const iv = this.iv;
        const fv = this.fv;
        const o = e * STRIDE;
        const fo = e * F_STRIDE;
        if (this.isNew) {
          fv[fo + F_COUNT] = b.count[i]!;
          fv[fo + F_FIRST] = t;
          fv[fo + F_LAST] = t;
          iv[o + I_SRC_SET] = c.srcSet[i]!;
          iv[o + I_DST_SET] = c.dstSet[i]!;
          iv[o + I_FIRST_SRC_PORT] = this.groupSport[j]!;
          iv[o + I_INPUT] = inputIdx;
          fv[fo + F_POSITION] = b.position[i]!;
          iv[o + I_FRAME] = b.frame[i]! | 0;
          iv[o + I_EVIDENCE] = ev;
        } else {
          fv[fo + F_COUNT] = fv[fo + F_COUNT]! + b.count[i]!;
          const first = fv[fo + F_FIRST]!;
          if (t < first || first !== first) fv[fo + F_FIRST] = t;
          const last = fv[fo + F_LAST]!;
          if (t > last || last !== last) fv[fo + F_LAST] = t;
          if (ev >= 0) addEvidence(iv, o + I_EVIDENCE, ev);
        }
      }
    }
  }

  /** The finding keys (and source ports) of events [from, to) into the group scratch. */
  private keys(b: EventBatch, c: Classified, from: number, to: number): void {
    const k = this.groupKeys;
    for (let i = from; i < to; i++) {
      const j = i - from;
      const ko = j * KEY_WORDS;
      const rev = c.reversed[i]!;
      const proto = b.proto[i]!;
      let port: number;
      let sport: number;
      if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
        port = rev ? (proto === PROTO_ICMP ? 8 : 128) : b.icmpType[i]!;
        sport = NONE;
      } else {
        port = rev ? b.srcPort[i]! : b.dstPort[i]!;
        sport = rev ? b.dstPort[i]! : b.srcPort[i]!;
      }
      // A flow whose records say different things about who stopped it gives one finding per
      // attribution, as a flow both allowed and blocked gives one per action.
      const action = b.action[i]!;
      k[ko] = c.verdict[i]! | (action << 4) | (b.family[i]! << 8) | (proto << 16) | (effectiveBlockedBy(action, b.blockedBy[i]!) << 24);
      k[ko + 1] = port;
      const w = i * 4;
      const sa = rev ? b.dst : b.src;
      const da = rev ? b.src : b.dst;
      k[ko + 2] = sa[w]!; k[ko + 3] = sa[w + 1]!; k[ko + 4] = sa[w + 2]!; k[ko + 5] = sa[w + 3]!;
      k[ko + 6] = da[w]!; k[ko + 7] = da[w + 1]!; k[ko + 8] = da[w + 2]!; k[ko + 9] = da[w + 3]!;
      this.groupHash[j] = hashAt(k, ko);
      this.groupSport[j] = sport;
    }
  }

  private readonly groupKeys = new Int32Array(GROUP * KEY_WORDS);
  private readonly groupHash = new Int32Array(GROUP);
  private readonly groupSport = new Int32Array(GROUP);
  /** The group's hashes, overwritten by the prefetch with the records found (see HashIndex.prefetch). */
  private readonly groupFound = new Int32Array(GROUP);
  /** Keeps the warming loads from being optimised away. */
  warmSink = 0;

  /**
   * Add another table's findings (a worker's, for later inputs) as if its events had been added here
   * after this table's own: new keys are appended in the other table's order, counts add up, first and
   * last seen widen, the first occurrence (input, position, frame, roles, source port) stays this table's, and
   * evidence fills free slots in the other table's order. Merging per-input tables in input order
   * therefore gives exactly the table a single pass over all inputs gives.
   */
  merge(other: FindingTableData): void {
    this.columns = undefined;
    other.inputEvents.forEach(([n, cl, one], idx) => {
      const counts = this.eventCounts(idx);
      counts[0] += n;
      counts[1] += cl;
      counts[2] += one;
    });
    const src = other.records;
    const srcF = new Float64Array(src.buffer, src.byteOffset, src.length / 2);
    const evMap = other.evidenceText.map((t) => this.evidenceId(t));
    const k = this.scratch;
    for (let x = 0; x < other.size; x++) {
      const so = x * STRIDE;
      const sfo = x * F_STRIDE;
      for (let j = 0; j < KEY_WORDS; j++) k[j] = src[so + j]!;
      const e = this.lookup(k, 0, hashAt(k, 0));
      const iv = this.iv;
      const fv = this.fv;
      const o = e * STRIDE;
      const fo = e * F_STRIDE;
      if (this.isNew) {
        fv[fo + F_COUNT] = srcF[sfo + F_COUNT]!;
        fv[fo + F_FIRST] = srcF[sfo + F_FIRST]!;
        fv[fo + F_LAST] = srcF[sfo + F_LAST]!;
        iv[o + I_SRC_SET] = src[so + I_SRC_SET]!;
        iv[o + I_DST_SET] = src[so + I_DST_SET]!;
        iv[o + I_FIRST_SRC_PORT] = src[so + I_FIRST_SRC_PORT]!;
        iv[o + I_INPUT] = src[so + I_INPUT]!;
        fv[fo + F_POSITION] = srcF[sfo + F_POSITION]!;
        iv[o + I_FRAME] = src[so + I_FRAME]!;
        for (let s = 0; s < EVIDENCE_SLOTS; s++) {
          const g = src[so + I_EVIDENCE + s]!;
          iv[o + I_EVIDENCE + s] = g < 0 ? -1 : evMap[g]!;
        }
      } else {
        fv[fo + F_COUNT] = fv[fo + F_COUNT]! + srcF[sfo + F_COUNT]!;
        // first/last fold as addBatch does: a NaN is replaced by any later time, a time never by NaN.
        const t1 = srcF[sfo + F_FIRST]!;
        const first = fv[fo + F_FIRST]!;
        if (t1 < first || first !== first) fv[fo + F_FIRST] = t1;
        const t2 = srcF[sfo + F_LAST]!;
        const last = fv[fo + F_LAST]!;
        if (t2 > last || last !== last) fv[fo + F_LAST] = t2;
        for (let s = 0; s < EVIDENCE_SLOTS; s++) {
          const g = src[so + I_EVIDENCE + s]!;
          if (g >= 0) addEvidence(iv, o + I_EVIDENCE, evMap[g]!);
        }
      }
    }
  }

  /**
   * Add one finding counted elsewhere (a SQL engine's result row, src/engine/results.ts), as merge does:
   * a new key takes the first occurrence given, an existing one adds the count, widens first/last and
   * fills free evidence slots.
   */
  addFinding(f: AggregatedFinding): void {
    this.columns = undefined;
    const k = this.scratch;
    k[0] = f.verdict | (f.action << 4) | (f.family << 8) | (f.proto << 16) | (f.blockedBy << 24);
    k[1] = f.port;
    for (let j = 0; j < 4; j++) { k[2 + j] = f.src[j]! | 0; k[6 + j] = f.dst[j]! | 0; }
    const e = this.lookup(k, 0, hashAt(k, 0));
    const iv = this.iv;
    const fv = this.fv;
    const o = e * STRIDE;
    const fo = e * F_STRIDE;
    if (this.isNew) {
      fv[fo + F_COUNT] = f.count;
      fv[fo + F_FIRST] = f.first;
      fv[fo + F_LAST] = f.last;
      iv[o + I_SRC_SET] = f.srcSet;
      iv[o + I_DST_SET] = f.dstSet;
      iv[o + I_FIRST_SRC_PORT] = f.firstSrcPort;
      iv[o + I_INPUT] = f.input;
      iv[o + I_FRAME] = (f.frame ?? 0) | 0;
      fv[fo + F_POSITION] = f.position;
    } else {
      fv[fo + F_COUNT] = fv[fo + F_COUNT]! + f.count;
      const first = fv[fo + F_FIRST]!;
      if (f.first < first || first !== first) fv[fo + F_FIRST] = f.first;
      const last = fv[fo + F_LAST]!;
      if (f.last > last || last !== last) fv[fo + F_LAST] = f.last;
    }
    for (const text of f.evidence) addEvidence(iv, o + I_EVIDENCE, this.evidenceId(text));
  }

  /** A table holding exactly `data`'s findings (as made by `toData`), in its order. */
  static fromData(data: FindingTableData): FindingTable {
    const t = new FindingTable(Math.max(16, data.size), data.size);
    t.iv.set(data.records.subarray(0, data.size * STRIDE));
    t.size = data.size;
    // A loop, not push(...array): a spread of 100k+ strings overflows the call stack.
    for (const text of data.evidenceText) t.evidenceText.push(text);
    data.evidenceText.forEach((text, g) => t.evidenceIds.set(text, g));
    for (const counts of data.inputEvents) t.inputEvents.push([...counts]);
    for (let e = 0; e < t.size; e++) t.index.add(e, hashAt(t.iv, e * STRIDE));
    return t;
  }

  /**
   * A read-only copy whose finding k is this table's finding order[k]: report building walks the
   * findings in report order, and reading them from records laid out in that order is sequential
   * instead of a cache miss per field. Only the read accessors (keyWord, the columns, evidence) are
   * meant for the copy; it has no index.
   */
  inOrder(order: ArrayLike<number>): FindingTable {
    const t = new FindingTable(16);
    const n = order.length;
    const iv = new Int32Array(Math.max(16, n) * STRIDE);
    const src = this.iv;
    let sink = 0;
    for (let g = 0; g < n; g += GROUP) {
      const gEnd = Math.min(n, g + GROUP);
      // The group's records are read in an order unrelated to memory: both lines of each are loaded
      // first as independent reads that overlap, then copied from cache.
      for (let k = g; k < gEnd; k++) sink += src[order[k]! * STRIDE]! + src[order[k]! * STRIDE + 16]!;
      for (let k = g; k < gEnd; k++) {
        const so = order[k]! * STRIDE;
        const o = k * STRIDE;
        for (let j = 0; j < STRIDE; j++) iv[o + j] = src[so + j]!;
      }
    }
    this.warmSink = sink;
    t.iv = iv;
    t.fv = new Float64Array(iv.buffer);
    t.cap = Math.max(16, n);
    t.size = n;
    for (const text of this.evidenceText) t.evidenceText.push(text);
    return t;
  }

  /** This table as transferable data (a copy of the used records). */
  toData(): FindingTableData {
    return {
      size: this.size, records: this.iv.slice(0, this.size * STRIDE), evidenceText: [...this.evidenceText],
      inputEvents: this.inputEvents.map((c) => [...c]),
    };
  }

  /**
   * Every column of every finding, built in one pass over the records once after aggregation (report
   * building reads these by index): one pass reads each record once, a pass per column read them all
   * again for each.
   */
  private columnsOf(): Columns {
    if (this.columns) return this.columns;
    const n = this.size;
    const c: Columns = {
      count: new Float64Array(n), first: new Float64Array(n), last: new Float64Array(n), position: new Float64Array(n),
      srcSet: new Int32Array(n), dstSet: new Int32Array(n), firstSrcPort: new Int32Array(n), input: new Int32Array(n), frame: new Int32Array(n),
    };
    const iv = this.iv;
    const fv = this.fv;
    for (let e = 0; e < n; e++) {
      const o = e * STRIDE;
      const fo = e * F_STRIDE;
      c.count[e] = fv[fo + F_COUNT]!;
      c.first[e] = fv[fo + F_FIRST]!;
      c.last[e] = fv[fo + F_LAST]!;
      c.position[e] = fv[fo + F_POSITION]!;
      c.srcSet[e] = iv[o + I_SRC_SET]!;
      c.dstSet[e] = iv[o + I_DST_SET]!;
      c.firstSrcPort[e] = iv[o + I_FIRST_SRC_PORT]!;
      c.input[e] = iv[o + I_INPUT]!;
      c.frame[e] = iv[o + I_FRAME]!;
    }
    this.columns = c;
    return c;
  }

  /**
   * Finding e's source and destination role sets, first source port and count, read in its record: for
   * a pass over every finding in table order (report step "rules"), which then needs no column copy.
   */
  srcSetOf(e: number): number { return this.iv[e * STRIDE + I_SRC_SET]!; }
  dstSetOf(e: number): number { return this.iv[e * STRIDE + I_DST_SET]!; }
  firstSrcPortOf(e: number): number { return this.iv[e * STRIDE + I_FIRST_SRC_PORT]!; }
  countOf(e: number): number { return this.fv[e * F_STRIDE + F_COUNT]!; }

  firstOf(e: number): number { return this.fv[e * F_STRIDE + F_FIRST]!; }
  lastOf(e: number): number { return this.fv[e * F_STRIDE + F_LAST]!; }
  positionOf(e: number): number { return this.fv[e * F_STRIDE + F_POSITION]!; }
  inputOf(e: number): number { return this.iv[e * STRIDE + I_INPUT]!; }
  /** The first record's frame number as stored (int32): read with `>>> 0`. */
  frameOf(e: number): number { return this.iv[e * STRIDE + I_FRAME]!; }
  /**
   * The records as 64-bit floats, and where finding e's first and last times are in them: for a writer
   * that reads the times itself (report/iso-time.ts writeKeyTimeAt) rather than being passed them, since
   * a double passed to a call that is not inlined is boxed, a heap number per call. A view of the
   * records as they are now: valid until the table next grows.
   */
  floatWords(): Float64Array { return this.fv; }
  firstAt(e: number): number { return e * F_STRIDE + F_FIRST; }
  lastAt(e: number): number { return e * F_STRIDE + F_LAST; }
  /** Global evidence id in slot `s` (0-2) of finding e, -1 for none. */
  evidenceIdOf(e: number, s: number): number { return this.iv[e * STRIDE + I_EVIDENCE + s]!; }

  /**
   * Loads both cache lines of the records order[from .. to-1] as independent reads that the processor
   * overlaps, so that reading them one after the other soon after finds them in cache (the JSON writer
   * reads the findings in report order, an order unrelated to memory). Returns a number made of the
   * reads, for the caller to keep (so that the loads are not dropped).
   */
  warm(order: Int32Array, from: number, to: number): number {
    const iv = this.iv;
    let sink = 0;
    for (let k = from; k < to; k++) {
      const o = order[k]! * STRIDE;
      sink = (sink + iv[o]! + iv[o + 16]!) | 0;
    }
    return sink;
  }

  get count(): Float64Array { return this.columnsOf().count; }
  get first(): Float64Array { return this.columnsOf().first; }
  get last(): Float64Array { return this.columnsOf().last; }
  get position(): Float64Array { return this.columnsOf().position; }
  get srcSet(): Int32Array { return this.columnsOf().srcSet; }
  get dstSet(): Int32Array { return this.columnsOf().dstSet; }
  get firstSrcPort(): Int32Array { return this.columnsOf().firstSrcPort; }
  get input(): Int32Array { return this.columnsOf().input; }
  /** Frame numbers as stored (int32): read with `>>> 0`. */
  get frame(): Int32Array { return this.columnsOf().frame; }

  /**
   * Word `j` (0-9) of finding `e`'s key, unsigned, without allocating: 0 is verdict | action << 4 |
   * family << 8 | protocol << 16 | blockedBy << 24 (BLOCKED_BY_*), 1 the port (as int32: -1 for none), 2-5 the source address, 6-9 the
   * destination (four words each, most significant first). For report building over many findings.
   */
  keyWord(e: number, j: number): number {
    return this.iv[e * STRIDE + I_KEY + j]! >>> 0;
  }

  /** Read back one finding's key. */
  keyOf(e: number): { verdict: number; action: number; family: number; proto: number; blockedBy: number; port: number; src: Uint32Array; dst: Uint32Array } {
    const o = e * STRIDE + I_KEY;
    const m = this.iv[o]!;
    const src = new Uint32Array(4);
    const dst = new Uint32Array(4);
    for (let j = 0; j < 4; j++) {
      src[j] = this.iv[o + 2 + j]!;
      dst[j] = this.iv[o + 6 + j]!;
    }
    return {
      verdict: m & 15,
      action: (m >>> 4) & 15,
      family: (m >>> 8) & 255,
      proto: (m >>> 16) & 255,
      blockedBy: (m >>> 24) & 3,
      port: this.iv[o + 1]!,
      src,
      dst,
    };
  }

  /**
   * Every finding's key words in place, unsigned: word j (0-9, as keyWord numbers them) of finding e is
   * words[e * stride + j]. A view of the records, not a copy (report building reads the addresses
   * from it: a copy of 200,000 findings' eight address words was 6.4 MB of fresh memory).
   */
  keyWords(): { words: Uint32Array; stride: number } {
    return { words: new Uint32Array(this.iv.buffer, this.iv.byteOffset, this.size * STRIDE), stride: STRIDE };
  }

  /** One number naming finding `e`'s evidence slots (equal numbers, equal evidence lists). */
  evidenceKey(e: number): number {
    const o = e * STRIDE + I_EVIDENCE;
    const a = this.iv[o]! + 1, b = this.iv[o + 1]! + 1, c = this.iv[o + 2]! + 1;
    // Exact while every id is below 2^17 - 1; past that (a log with that many distinct labels) the
    // finding gets a key of its own, which no other finding shares.
    if (a >= 131072 || b >= 131072 || c >= 131072) return -(e + 1);
    return (a * 131072 + b) * 131072 + c;
  }

  evidenceOf(e: number): string[] {
    const out: string[] = [];
    for (let s = 0; s < EVIDENCE_SLOTS; s++) {
      const g = this.iv[e * STRIDE + I_EVIDENCE + s]!;
      if (g >= 0) out.push(this.evidenceText[g]!);
    }
    return out;
  }
}

/** The per-finding columns report building reads (FindingTable's getters). */
export interface Columns {
  count: Float64Array;
  first: Float64Array;
  last: Float64Array;
  position: Float64Array;
  srcSet: Int32Array;
  dstSet: Int32Array;
  firstSrcPort: Int32Array;
  input: Int32Array;
  frame: Int32Array;
}

/** Keep `ev` in the first free evidence slot unless a slot holds it already. */
function addEvidence(iv: Int32Array, o: number, ev: number): void {
  for (let s = 0; s < EVIDENCE_SLOTS; s++) {
    const cur = iv[o + s]!;
    if (cur === ev) return;
    if (cur === -1) { iv[o + s] = ev; return; }
  }
}

function hashAt(k: Int32Array, o: number): number {
  return hashWords(k, o, KEY_WORDS);
}
