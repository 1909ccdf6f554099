import { describe, it, expect } from "vitest";
import { createBatch, neutralConnectionRest, reserve, type EventBatch } from "../../src/decode/batch.js";

/** Every typed-array column of a batch, by name. */
function columns(b: EventBatch): [string, ArrayLike<number>][] {
  return Object.entries(b).filter(([, v]) => ArrayBuffer.isView(v)) as [string, ArrayLike<number>][];
}

/** Row r of column `name` (4 words for addresses). */
function row(b: EventBatch, name: string, r: number): number[] {
  const col = (b as unknown as Record<string, ArrayLike<number>>)[name]!;
  const w = col.length / b.capacity;
  return Array.from({ length: w }, (_, k) => col[r * w + k]!);
}

describe("neutralConnectionRest: reserve's neutral values for the columns a finished connection leaves", () => {
  const LEFT = ["icmpCode", "ttl", "iface", "tcpSeq", "count", "payloadLength", "innerProto", "innerSrc", "innerDst", "innerSrcPort", "innerDstPort"];

  it("writes, in each row of its range, what reserve writes in those columns and nothing else", () => {
    const garbage = (b: EventBatch) => { for (const [, col] of columns(b)) (col as Uint8Array).fill(77); };
    const a = createBatch(8), b = createBatch(8);
    garbage(a);
    garbage(b);
    a.length = 3;
    reserve(a);
    neutralConnectionRest(b, 2, 5);
    const all = columns(a).map(([n]) => n);
    expect(all).toEqual(expect.arrayContaining(LEFT));
    for (const name of all) {
      for (const r of [2, 3, 4]) {
        if (LEFT.includes(name)) expect(row(b, name, r), `${name} row ${r}`).toEqual(row(a, name, 3));
        else expect(row(b, name, r).every((v) => v === 77), `${name} row ${r} untouched`).toBe(true);
      }
      // Rows outside the range are left as they were.
      expect(row(b, name, 1)).toEqual(row(b, name, 7));
    }
  });
});
