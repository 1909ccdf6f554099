import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { HashIndex, hashWords } from "../../src/flow/hash-index.js";

const KEY = 3;
const STRIDE = 4;

/** A record store as the tables keep one: the key in each record's first KEY words. */
class Store {
  rec = new Int32Array(STRIDE * 16);
  n = 0;
  put(key: readonly number[]): number {
    if ((this.n + 1) * STRIDE > this.rec.length) {
      const bigger = new Int32Array(this.rec.length * 2);
      bigger.set(this.rec);
      this.rec = bigger;
    }
    const e = this.n++;
    for (let j = 0; j < KEY; j++) this.rec[e * STRIDE + j] = key[j]!;
    this.rec[e * STRIDE + 3] = 0x7777;
    return e;
  }
}

const keyOf = (x: number): Int32Array => Int32Array.of(x, x ^ 0x5a5a, -x);

describe("HashIndex", () => {
  it("tells keys apart that share one hash (every probe compares the record)", () => {
    const store = new Store();
    const idx = new HashIndex(KEY, STRIDE, 4);
    for (let x = 0; x < 40; x++) idx.add(store.put([...keyOf(x)]), 12345);
    for (let x = 0; x < 40; x++) expect(idx.find(store.rec, keyOf(x), 0, 12345)).toBe(x);
    // Same hash, one word different: not there.
    expect(idx.find(store.rec, Int32Array.of(0, 0x5a5a, 1), 0, 12345)).toBe(-1);
    // Right key, other hash: not there either (the hash is part of the match).
    expect(idx.find(store.rec, keyOf(3), 0, 12346)).toBe(-1);
  });

  it("grows past half full by re-placing stored hashes, never reading a record", () => {
    const store = new Store();
    const idx = new HashIndex(KEY, STRIDE, 1);
    expect(idx.capacity).toBe(16);
    const n = 20_000;
    // Index first, fill the records afterwards: a growth that rehashed records would place by garbage.
    for (let x = 0; x < n; x++) {
      const e = store.put([0, 0, 0]);
      idx.add(e, hashWords(keyOf(x), 0, KEY));
    }
    for (let x = 0; x < n; x++) store.rec.set(keyOf(x), x * STRIDE);
    expect(idx.size).toBe(n);
    expect(idx.capacity).toBe(65536);
    for (let x = 0; x < n; x++) expect(idx.find(store.rec, keyOf(x), 0, hashWords(keyOf(x), 0, KEY))).toBe(x);
    expect(idx.find(store.rec, keyOf(n), 0, hashWords(keyOf(n), 0, KEY))).toBe(-1);
  });

  it("closes up a probe chain that wraps around the end of the slots when a key in it is removed", () => {
    const store = new Store();
    const idx = new HashIndex(KEY, STRIDE, 8); // 16 slots
    // Hashes 14, 14, 15, 15, 0, 14: one cluster over slots 14, 15, 0, 1, 2, 3.
    const hashes = [14, 14, 15, 15, 0, 14];
    hashes.forEach((h, x) => idx.add(store.put([...keyOf(x)]), h));
    for (const gone of [1, 2, 0]) {
      idx.remove(gone, hashes[gone]!);
      expect(idx.find(store.rec, keyOf(gone), 0, hashes[gone]!)).toBe(-1);
    }
    for (const x of [3, 4, 5]) expect(idx.find(store.rec, keyOf(x), 0, hashes[x]!)).toBe(x);
    expect(idx.size).toBe(3);
  });

  it("refuses to remove an entry it does not hold", () => {
    const store = new Store();
    const idx = new HashIndex(KEY, STRIDE, 8);
    idx.add(store.put([...keyOf(1)]), 5);
    expect(() => idx.remove(7, 5)).toThrow(/entry 7 is not indexed/);
  });

  it("prefetch names the entry whose stored hash matches, -1 for none", () => {
    const store = new Store();
    const idx = new HashIndex(KEY, STRIDE, 8);
    idx.add(store.put([...keyOf(1)]), 3);
    idx.add(store.put([...keyOf(2)]), 3);
    idx.add(store.put([...keyOf(3)]), 9);
    const hashes = Int32Array.of(3, 9, 4);
    idx.prefetch(store.rec, hashes, 3);
    expect([...hashes]).toEqual([0, 2, -1]);
  });

  it("answers as a Map does over any sequence of adds, removes, lookups and clears (few hashes: long chains)", () => {
    const op = fc.record({ kind: fc.constantFrom("add", "remove", "find", "clear"), key: fc.integer({ min: 0, max: 300 }), weight: fc.nat(20) });
    fc.assert(fc.property(fc.array(op, { maxLength: 600 }), fc.integer({ min: 1, max: 64 }), (ops, expected) => {
      const store = new Store();
      const idx = new HashIndex(KEY, STRIDE, expected);
      const ref = new Map<number, number>();
      // Only 8 distinct hashes: most keys collide.
      const h = (x: number) => hashWords(keyOf(x), 0, KEY) & 7;
      for (const o of ops) {
        if (o.kind === "clear" && o.weight === 0) {
          idx.clear();
          ref.clear();
        } else if (o.kind === "add" && !ref.has(o.key)) {
          const e = store.put([...keyOf(o.key)]);
          idx.add(e, h(o.key));
          ref.set(o.key, e);
        } else if (o.kind === "remove" && ref.has(o.key)) {
          idx.remove(ref.get(o.key)!, h(o.key));
          ref.delete(o.key);
        }
        expect(idx.find(store.rec, keyOf(o.key), 0, h(o.key))).toBe(ref.get(o.key) ?? -1);
      }
      expect(idx.size).toBe(ref.size);
      for (const [x, e] of ref) expect(idx.find(store.rec, keyOf(x), 0, h(x))).toBe(e);
    }), { numRuns: 150 });
  });
});
