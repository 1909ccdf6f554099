import { NONE, PROTO_ICMP, PROTO_ICMPV6, type EventBatch } from "../decode/batch.js";
import type { Classified } from "./matcher.js";

const KEY_WORDS = 10;
const EVIDENCE_SLOTS = 3;

/**
 * Findings keyed by (verdict, action, family, protocol, port, source, destination), counted in an
 * open-addressing hash over typed arrays: integer keys, no object or string per event. Strings (the
 * evidence labels) are created only when a key is seen for the first time.
 */
export class FindingTable {
  size = 0;
  private cap: number;
  private keys: Uint32Array;
  private index: Int32Array;
  private mask: number;
  count: Float64Array;
  first: Float64Array;
  last: Float64Array;
  srcSet: Int32Array;
  dstSet: Int32Array;
  firstSrcPort: Int32Array;
  input: Int32Array;
  position: Float64Array;
  evidence: Int32Array;
  /** Global evidence strings, referenced by `evidence`. */
  readonly evidenceText: string[] = [];
  private readonly evidenceIds = new Map<string, number>();
  /** Per input: its label id -> global evidence id (grown on demand). */
  private readonly labelMaps: Int32Array[] = [];

  constructor(initial = 1024) {
    this.cap = initial;
    this.keys = new Uint32Array(initial * KEY_WORDS);
    this.count = new Float64Array(initial);
    this.first = new Float64Array(initial);
    this.last = new Float64Array(initial);
    this.srcSet = new Int32Array(initial);
    this.dstSet = new Int32Array(initial);
    this.firstSrcPort = new Int32Array(initial);
    this.input = new Int32Array(initial);
    this.position = new Float64Array(initial);
    this.evidence = new Int32Array(initial * EVIDENCE_SLOTS);
    const t = initial * 2;
    this.index = new Int32Array(t).fill(-1);
    this.mask = t - 1;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Float64Array | Int32Array | Uint32Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.keys = g(this.keys, cap * KEY_WORDS);
    this.count = g(this.count, cap);
    this.first = g(this.first, cap);
    this.last = g(this.last, cap);
    this.srcSet = g(this.srcSet, cap);
    this.dstSet = g(this.dstSet, cap);
    this.firstSrcPort = g(this.firstSrcPort, cap);
    this.input = g(this.input, cap);
    this.position = g(this.position, cap);
    this.evidence = g(this.evidence, cap * EVIDENCE_SLOTS);
    this.cap = cap;
    const t = cap * 2;
    this.index = new Int32Array(t).fill(-1);
    this.mask = t - 1;
    for (let e = 0; e < this.size; e++) {
      let h = this.hashAt(this.keys, e * KEY_WORDS) & this.mask;
      while (this.index[h] !== -1) h = (h + 1) & this.mask;
      this.index[h] = e;
    }
  }

  private hashAt(k: Uint32Array, o: number): number {
    let h = 0x811c9dc5;
    for (let j = 0; j < KEY_WORDS; j++) {
      h = Math.imul(h ^ k[o + j]!, 0x01000193);
      h ^= h >>> 15;
    }
    return h >>> 0;
  }

  private readonly scratch = new Uint32Array(KEY_WORDS);

  private globalEvidence(inputIdx: number, labels: readonly string[], label: number): number {
    if (label < 0) return -1;
    let map = this.labelMaps[inputIdx];
    if (!map || map.length <= label) {
      const bigger = new Int32Array(Math.max(16, (label + 1) * 2)).fill(-2);
      if (map) bigger.set(map);
      map = bigger;
      this.labelMaps[inputIdx] = map;
    }
    let g = map[label]!;
    if (g === -2) {
      const text = labels[label]!;
      g = this.evidenceIds.get(text) ?? -1;
      if (g < 0) {
        g = this.evidenceText.length;
        this.evidenceText.push(text);
        this.evidenceIds.set(text, g);
      }
      map[label] = g;
    }
    return g;
  }

  /** Add every event of a classified batch. */
  addBatch(b: EventBatch, c: Classified, inputIdx: number): void {
    const k = this.scratch;
    const labels = b.labels.values;
    for (let i = 0; i < b.length; i++) {
      const rev = c.reversed[i]!;
      const proto = b.proto[i]!;
      const icmp = proto === PROTO_ICMP || proto === PROTO_ICMPV6;
      let port: number;
      let sport: number;
      if (icmp) {
        port = rev ? (proto === PROTO_ICMP ? 8 : 128) : b.icmpType[i]!;
        sport = NONE;
      } else {
        port = rev ? b.srcPort[i]! : b.dstPort[i]!;
        sport = rev ? b.dstPort[i]! : b.srcPort[i]!;
      }
      const fam = b.family[i]!;
      k[0] = c.verdict[i]! | (b.action[i]! << 4) | (fam << 8) | (proto << 16);
      k[1] = port >>> 0;
      const w = i * 4;
      const sa = rev ? b.dst : b.src;
      const da = rev ? b.src : b.dst;
      k[2] = sa[w]!; k[3] = sa[w + 1]!; k[4] = sa[w + 2]!; k[5] = sa[w + 3]!;
      k[6] = da[w]!; k[7] = da[w + 1]!; k[8] = da[w + 2]!; k[9] = da[w + 3]!;

      let h = this.hashAt(k, 0) & this.mask;
      let e = this.index[h]!;
      while (e !== -1) {
        const o = e * KEY_WORDS;
        const keys = this.keys;
        if (keys[o] === k[0] && keys[o + 1] === k[1] && keys[o + 2] === k[2] && keys[o + 3] === k[3] &&
            keys[o + 4] === k[4] && keys[o + 5] === k[5] && keys[o + 6] === k[6] && keys[o + 7] === k[7] &&
            keys[o + 8] === k[8] && keys[o + 9] === k[9]) break;
        h = (h + 1) & this.mask;
        e = this.index[h]!;
      }
      const t = b.time[i]!;
      const ev = this.globalEvidence(inputIdx, labels, b.label[i]!);
      if (e === -1) {
        if (this.size >= this.cap) {
          this.grow();
          h = this.hashAt(k, 0) & this.mask;
          while (this.index[h] !== -1) h = (h + 1) & this.mask;
        }
        e = this.size++;
        this.index[h] = e;
        this.keys.set(k, e * KEY_WORDS);
        this.count[e] = 0;
        this.first[e] = t;
        this.last[e] = t;
        this.srcSet[e] = c.srcSet[i]!;
        this.dstSet[e] = c.dstSet[i]!;
        this.firstSrcPort[e] = sport;
        this.input[e] = inputIdx;
        this.position[e] = b.position[i]!;
        const eo = e * EVIDENCE_SLOTS;
        this.evidence[eo] = ev;
        for (let s = 1; s < EVIDENCE_SLOTS; s++) this.evidence[eo + s] = -1;
      } else {
        if (t < this.first[e]! || Number.isNaN(this.first[e]!)) this.first[e] = t;
        if (t > this.last[e]! || Number.isNaN(this.last[e]!)) this.last[e] = t;
        if (ev >= 0) {
          const eo = e * EVIDENCE_SLOTS;
          for (let s = 0; s < EVIDENCE_SLOTS; s++) {
            const cur = this.evidence[eo + s]!;
            if (cur === ev) break;
            if (cur === -1) { this.evidence[eo + s] = ev; break; }
          }
        }
      }
      this.count[e]! += b.count[i]!;
    }
  }

  /** Read back one finding's key. */
  keyOf(e: number): { verdict: number; action: number; family: number; proto: number; port: number; src: Uint32Array; dst: Uint32Array } {
    const o = e * KEY_WORDS;
    const m = this.keys[o]!;
    return {
      verdict: m & 15,
      action: (m >>> 4) & 15,
      family: (m >>> 8) & 255,
      proto: (m >>> 16) & 255,
      port: this.keys[o + 1]! | 0,
      src: this.keys.slice(o + 2, o + 6),
      dst: this.keys.slice(o + 6, o + 10),
    };
  }

  evidenceOf(e: number): string[] {
    const out: string[] = [];
    for (let s = 0; s < EVIDENCE_SLOTS; s++) {
      const g = this.evidence[e * EVIDENCE_SLOTS + s]!;
      if (g >= 0) out.push(this.evidenceText[g]!);
    }
    return out;
  }
}
