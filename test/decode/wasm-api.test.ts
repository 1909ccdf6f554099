import { describe, it, expect } from "vitest";
import { WebAssembly, copyIntoMemory } from "../../src/decode/wasm-api.js";

describe("copyIntoMemory (a chunk into a module's memory)", () => {
  const bytes = Buffer.from(Array.from({ length: 70_001 }, (_, i) => (i * 7 + 3) & 0xff));
  const shared = Buffer.from(new SharedArrayBuffer(bytes.length + 16), 8, bytes.length);
  bytes.copy(shared);
  for (const [name, src] of [["a view of a SharedArrayBuffer (the gzip ring's slots)", shared], ["an ordinary buffer", bytes]] as const) {
    it(`${name}: the same bytes as TypedArray.set, at the offset, nothing around them touched`, () => {
      for (const [from, to, at] of [[0, bytes.length, 5], [13, 14, 0], [100, 60_000, 999], [0, 0, 3]] as const) {
        const mem = new Uint8Array(new WebAssembly.Memory({ initial: 2 }).buffer).fill(0xee);
        const want = new Uint8Array(mem.length).fill(0xee);
        want.set(bytes.subarray(from, to), at);
        copyIntoMemory(mem, at, src.subarray(from, to));
        expect(Buffer.from(mem).equals(Buffer.from(want)), `[${from}, ${to}) at ${at}`).toBe(true);
      }
    });
  }
  it("refuses to write past the memory's end, as set does", () => {
    const mem = new Uint8Array(16);
    expect(() => copyIntoMemory(mem, 10, shared.subarray(0, 8))).toThrow();
    expect(() => copyIntoMemory(mem, 10, bytes.subarray(0, 8))).toThrow(RangeError);
  });
});
