import { describe, it, expect } from "vitest";
import { ConnTable, KEY_WORDS, hashKey } from "../../src/flow/conn-table.js";

const keyOf = (x: number): Int32Array => {
  const k = new Int32Array(KEY_WORDS);
  k[0] = (4 << 8) | (x % 3 === 0 ? 17 : 6);
  k[1] = 0x0a000000 + x;
  k[5] = 0x0a100000 + (x >>> 4);
  k[9] = 40000 + (x & 1023);
  k[10] = 445;
  return k;
};

describe("ConnTable.clear", () => {
  // 10 records: taken out of the index one by one; 5,000: the index filled whole (CLEAR_BY_RECORD).
  it.each([1, 10, 2047, 5000])("forgets all of %i records, then takes new ones as a fresh table does", (n) => {
    const t = new ConnTable();
    for (let x = 0; x < n; x++) t.insert(keyOf(x), 0, hashKey(keyOf(x), 0));
    t.remove(0); // a freed record too
    t.clear();
    expect(t.liveCount).toBe(0);
    expect(t.used).toBe(0);
    for (let x = 0; x < n; x++) expect(t.find(keyOf(x), 0, hashKey(keyOf(x), 0))).toBe(-1);
    for (let x = n; x < n + 20; x++) expect(t.insert(keyOf(x), 0, hashKey(keyOf(x), 0))).toBe(x - n);
    for (let x = n; x < n + 20; x++) expect(t.find(keyOf(x), 0, hashKey(keyOf(x), 0))).toBe(x - n);
    for (let x = 0; x < n; x++) expect(t.find(keyOf(x), 0, hashKey(keyOf(x), 0))).toBe(-1);
    expect(t.classOf(0)).not.toBe(0);
    expect(t.classOf(20)).toBe(0);
  });
});
