import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { isoTime } from "../../src/report/iso-time.js";

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

  it("is null for a time that is not a number", () => {
    expect(isoTime(NaN)).toBeNull();
    expect(isoTime(Infinity)).toBeNull();
  });
});
