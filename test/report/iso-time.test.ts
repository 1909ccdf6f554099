import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isoTime, putSeenAt, writeIsoTime, writeKeyTimeAt, writeSeenAt } from "../../src/report/iso-time.js";
import { JsonBytes } from "../../src/report/json-bytes.js";

describe("isoTime", () => {
  it("writes what Date.prototype.toISOString writes, for any finite time", () => {
    fc.assert(fc.property(fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }), (ms) => {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }), { numRuns: 20_000 });
  });

  it("pins day edges, fractions, leap days and the six-digit years", () => {
    for (const ms of [0, 0.9, 86_399_999, 86_400_000, 951_782_400_000, 1_700_000_000_123.7, 253_402_300_799_999, 253_402_300_800_000, -1, -0.5]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    expect(isoTime(951_825_600_000)).toBe("2000-02-29T12:00:00.000Z");
  });

  it("is null for a time that is not a number, or beyond what a date can be (Date would throw)", () => {
    expect(isoTime(NaN)).toBeNull();
    expect(isoTime(Infinity)).toBeNull();
    expect(isoTime(8.64e15 + 1)).toBeNull();
    expect(isoTime(-8.64e15 - 1)).toBeNull();
    expect(isoTime(8.64e15)).toBe("+275760-09-13T00:00:00.000Z");
  });

  it("writes as JSON bytes exactly JSON.stringify of the text (null included), in any order of days", () => {
    fc.assert(fc.property(fc.array(fc.oneof(
      fc.double({ min: -9e15, max: 9e15, noNaN: true }),
      fc.integer({ min: 1_600_000_000_000, max: 1_600_300_000_000 }),
      fc.constantFrom(NaN, Infinity, -Infinity, 0, -0.5, 253_402_300_800_000),
    ), { maxLength: 30 }), (times) => {
      const w = new JsonBytes(8);
      for (const t of times) { writeIsoTime(w, t); w.ascii(","); }
      expect(w.take().toString("latin1")).toBe(times.map((t) => JSON.stringify(isoTime(t)) + ",").join(""));
    }), { numRuns: 2000 });
  });

  it("writes a finding's two times read from a Float64Array as JSON.stringify writes the keys and texts, any mix of common and rare times", () => {
    const time = fc.oneof(
      fc.double({ min: -9e15, max: 9e15, noNaN: true }),
      fc.integer({ min: 1_600_000_000_000, max: 1_600_300_000_000 }),
      // Every millisecond digit, and fractions (Date truncates them).
      fc.integer({ min: 0, max: 999 }).map((ms) => 1_780_000_000_000 + ms),
      fc.integer({ min: 0, max: 9999 }).map((tenths) => 1_780_000_000_000 + tenths / 10),
      fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, -0.5, 253_402_300_799_999, 253_402_300_800_000),
    );
    fc.assert(fc.property(fc.array(fc.tuple(time, time), { maxLength: 20 }), (pairs) => {
      const f64 = new Float64Array(pairs.flat());
      // A small buffer, so that the room made for both times is also tested.
      const w = new JsonBytes(8);
      pairs.forEach((_, k) => writeSeenAt(w, f64, 2 * k, 2 * k + 1));
      const want = pairs.map(([a, b]) => `,"firstSeen":${JSON.stringify(isoTime(a))},"lastSeen":${JSON.stringify(isoTime(b))}`).join("");
      expect(w.take().toString("latin1")).toBe(want);
      pairs.forEach((_, k) => writeKeyTimeAt(w, Buffer.from(",k:"), f64, 2 * k + 1));
      expect(w.take().toString("latin1")).toBe(pairs.map(([, b]) => `,k:${JSON.stringify(isoTime(b))}`).join(""));
    }), { numRuns: 3000 });
  });

  it("puts both times at any offset of a buffer holding other bytes as writeSeenAt writes them, within 78 bytes, or gives -1 for a rare time", () => {
    const time = fc.oneof(
      fc.integer({ min: 0, max: 253_402_300_799_999 }),
      fc.integer({ min: 0, max: 999 }).map((ms) => 1_780_000_000_000 + ms),
      fc.constantFrom(NaN, -1, -0.5, 253_402_300_800_000, 1_780_000_000_000.5),
    );
    fc.assert(fc.property(time, time, fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 255 }), (first, last, at, fill) => {
      const f64 = new Float64Array([first, last]);
      const want = new JsonBytes(8);
      writeSeenAt(want, f64, 0, 1);
      const text = want.take();
      // A buffer of exactly the room the caller makes, at an offset that is not a multiple of 4, over other bytes.
      const b = Buffer.alloc(at + 78 + 8, fill);
      const p = putSeenAt(b, at, f64, 0, 1);
      const rare = !(first >= 0 && first < 253_402_300_800_000) || !(last >= 0 && last < 253_402_300_800_000);
      if (rare) { expect(p).toBe(-1); return; }
      expect(p).toBe(at + text.length);
      expect(b.subarray(at, p).toString("latin1")).toBe(text.toString("latin1"));
      expect(b.subarray(0, at).every((x) => x === fill) && b.subarray(at + 78).every((x) => x === fill)).toBe(true);
    }), { numRuns: 3000 });
  });
});

