/**
 * A set of 32-bit values (address hashes) in an open-addressing table over a typed array: no boxing,
 * no per-entry object. 0 is the empty marker, so the value 0 is kept aside in a flag.
 */
export class U32Set {
  private table = new Int32Array(1024);
  private mask = 1023;
  private size = 0;
  private hasZero = false;

  add(v: number): void {
    if (v === 0) { this.hasZero = true; return; }
    const x = v | 0;
    let h = (x ^ (x >>> 16)) & this.mask;
    for (;;) {
      const cur = this.table[h]!;
      if (cur === x) return;
      if (cur === 0) break;
      h = (h + 1) & this.mask;
    }
    this.table[h] = x;
    if (++this.size * 2 > this.table.length) this.grow();
  }

  has(v: number): boolean {
    if (v === 0) return this.hasZero;
    const x = v | 0;
    let h = (x ^ (x >>> 16)) & this.mask;
    for (;;) {
      const cur = this.table[h]!;
      if (cur === x) return true;
      if (cur === 0) return false;
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.table.length - 1;
    for (let i = 0; i < old.length; i++) {
      const x = old[i]!;
      if (x === 0) continue;
      let h = (x ^ (x >>> 16)) & this.mask;
      while (this.table[h] !== 0) h = (h + 1) & this.mask;
      this.table[h] = x;
    }
  }
}

/** Hash of the four address words at w[o..]. */
export function addrHash(w: ArrayLike<number>, o: number): number {
  let h = Math.imul(w[o]! ^ 0x5bd1e995, 0x01000193);
  h = Math.imul(h ^ w[o + 1]!, 0x01000193);
  h = Math.imul(h ^ w[o + 2]!, 0x01000193);
  return Math.imul(h ^ w[o + 3]!, 0x01000193) >>> 0;
}
