/**
 * The one hash index of the hot path: from a key to the number of the record that holds it, for record
 * stores that keep each record's key in its first words (the flow tracker's connection table, the
 * finding table). Open addressing with linear probing and backward-shift deletion (Knuth, TAOCP vol. 3,
 * 6.4, Algorithm R) over one Int32Array of (entry + 1, hash) pairs: no object per key, and a probe
 * compares the stored hash before it reads a record, so a collision in the slots costs no record load.
 *
 * Slot value 0 is "empty", so a new index is a zeroed array the system hands over untouched (no fill),
 * and growing re-places the stored hashes without reading or rehashing any record. The store owns its
 * records and their growth; the index never moves them, so a store's entry numbers (and the order the
 * store walks them in) do not depend on the index.
 */

/** Hash of the n 32-bit words k[o..o+n), as an int32 (the form the index stores and compares). */
export function hashWords(k: Int32Array, o: number, n: number): number {
  let h = 0x9e3779b9;
  for (let j = 0; j < n; j++) {
    h = Math.imul(h ^ k[o + j]!, 0x85ebca6b);
    h ^= h >>> 13;
  }
  return h ^ (h >>> 16);
}

/**
 * Records a store reserves room for at the start. A typed array this large is mapped by the system
 * zeroed and untouched, so the pages a table never writes cost neither time nor resident memory; the
 * store then grows (copying every record into fresh pages, which is what the profiles showed as the
 * connection and finding tables' `grow`) only past this many.
 */
export const RESERVED_RECORDS = 1 << 18;

/** Slots per expected key, at most: the index grows past half full (short probe chains). */
const LOAD = 2;

export class HashIndex {
  /** Slot s is words 2s (entry + 1, 0 when empty) and 2s + 1 (the key's hash). */
  private slots: Int32Array;
  private mask: number;
  /** Keys held. */
  size = 0;

  /**
   * @param keyWords the key's length in words, at the start of each record
   * @param stride   words per record in the store
   * @param expected keys to hold before the first growth
   */
  constructor(readonly keyWords: number, readonly stride: number, expected = 1024) {
    let n = 16;
    while (n < expected * LOAD) n *= 2;
    this.slots = new Int32Array(n * 2);
    this.mask = n - 1;
  }

  /** Slots (a power of two). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** The entry whose record in `rec` holds the key k[ko..] (hash `hash`, as hashWords gives it), or -1. */
  find(rec: Int32Array, k: Int32Array, ko: number, hash: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const n = this.keyWords;
    let s = hash & mask;
    for (;;) {
      const e1 = slots[s * 2]!;
      if (e1 === 0) return -1;
      if (slots[s * 2 + 1] === hash) {
        const o = (e1 - 1) * this.stride;
        let j = 0;
        while (j < n && rec[o + j] === k[ko + j]) j++;
        if (j === n) return e1 - 1;
      }
      s = (s + 1) & mask;
    }
  }

  /** Index entry `e` under `hash`; its key must not be indexed already (find first). */
  add(e: number, hash: number): void {
    if ((this.size + 1) * LOAD > this.mask + 1) this.grow();
    this.place(this.slots, this.mask, e + 1, hash);
    this.size++;
  }

  private place(slots: Int32Array, mask: number, e1: number, hash: number): void {
    let s = hash & mask;
    while (slots[s * 2] !== 0) s = (s + 1) & mask;
    slots[s * 2] = e1;
    slots[s * 2 + 1] = hash;
  }

  /** Twice the slots, the held pairs re-placed from their stored hashes (no record is read). */
  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length / 2 - 1;
    for (let s = 0; s < old.length; s += 2) {
      const e1 = old[s]!;
      if (e1 !== 0) this.place(slots, mask, e1, old[s + 1]!);
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** Forget entry `e`, indexed under `hash`; the probe chains it sat in are closed up behind it. */
  remove(e: number, hash: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let hole = hash & mask;
    while (slots[hole * 2] !== e + 1) {
      if (slots[hole * 2] === 0) throw new Error(`HashIndex.remove: entry ${e} is not indexed under hash ${hash}`);
      hole = (hole + 1) & mask;
    }
    let j = (hole + 1) & mask;
    while (slots[j * 2] !== 0) {
      const ideal = slots[j * 2 + 1]! & mask;
      // The pair at j moves into the hole unless its ideal slot lies cyclically in (hole, j].
      const stays = hole <= j ? ideal > hole && ideal <= j : ideal > hole || ideal <= j;
      if (!stays) {
        slots[hole * 2] = slots[j * 2]!;
        slots[hole * 2 + 1] = slots[j * 2 + 1]!;
        hole = j;
      }
      j = (j + 1) & mask;
    }
    slots[hole * 2] = 0;
    this.size--;
  }

  /**
   * For a group of keys about to be looked up: touch the slots of `hashes[0..n)` and the first two
   * cache lines of the records found there, as independent loads that overlap, so the lookups that
   * follow find them cached (with hundreds of thousands of keys each lookup is otherwise a chain of
   * cache and TLB misses). `hashes[j]` is overwritten with the entry whose stored hash matches, or -1.
   * Reads only; returns a value the caller keeps so the loads are not optimised away.
   */
  prefetch(rec: Int32Array, hashes: Int32Array, n: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let j = 0; j < n; j++) {
      const hash = hashes[j]!;
      let s = hash & mask;
      let e1 = slots[s * 2]!;
      while (e1 !== 0 && slots[s * 2 + 1] !== hash) {
        s = (s + 1) & mask;
        e1 = slots[s * 2]!;
      }
      hashes[j] = e1 - 1;
    }
    const stride = this.stride;
    const second = stride > 16 ? 16 : 0;
    let sink = 0;
    for (let j = 0; j < n; j++) {
      const e = hashes[j]!;
      if (e >= 0) sink += rec[e * stride]! + rec[e * stride + second]!;
    }
    return sink;
  }

  /** Forget every key. */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }
}
