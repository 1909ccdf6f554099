/**
 * Distinct byte strings of one column (protocol names, action words) and what was made of each the first
 * time: a record compares bytes with the few kept here instead of creating a string. At most 64 are kept;
 * past that the cache starts over (a column with that many distinct values is not worth caching).
 */
export class ByteKeys<T> {
  private readonly keys: Buffer[] = [];
  private readonly values: T[] = [];

  find(b: Uint8Array, s: number, e: number): T | undefined {
    const n = e - s;
    const keys = this.keys;
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      if (key.length !== n) continue;
      let j = 0;
      while (j < n && key[j] === b[s + j]) j++;
      if (j === n) return this.values[k];
    }
    return undefined;
  }

  add(b: Uint8Array, s: number, e: number, v: T): T {
    if (this.keys.length >= 64) { this.keys.length = 0; this.values.length = 0; }
    this.keys.push(Buffer.from(b.subarray(s, e)));
    this.values.push(v);
    return v;
  }
}
