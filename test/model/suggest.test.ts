import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { closest, didYouMean, editDistance } from "../../src/model/suggest.js";

describe("did you mean", () => {
  it.each([
    ["", "", 0], ["abc", "abc", 0], ["", "abc", 3], ["kitten", "sitting", 3], ["kcps-fs-dc", "kcps-fs-ad", 2], ["flaw", "lawn", 2], ["clinet01", "client01", 1], ["ab", "ba", 1],
  ])("edit distance of %j and %j is %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it("is zero only for equal strings, symmetric, and at most the longer length", () => {
    fc.assert(fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (a, b) => {
      expect(editDistance(a, b) === 0).toBe(a === b);
      expect(editDistance(a, b)).toBe(editDistance(b, a));
      expect(editDistance(a, b)).toBeLessThanOrEqual(Math.max(a.length, b.length));
      expect(editDistance(a, b)).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
    }));
  });

  it("suggests near names, nearest first, case-insensitively, and nothing far", () => {
    const roles = ["kcps-fs", "kcps-fs-ad", "kcps-fs-dns", "file-share-client", "customer-ad"];
    expect(closest("kcps-fs-dc", roles)).toEqual(["kcps-fs-ad", "kcps-fs-dns", "kcps-fs"]);
    expect(closest("File-Share-Clients", roles)).toEqual(["file-share-client"]);
    expect(closest("printer", roles)).toEqual([]);
    expect(didYouMean("clinet01", ["client01", "client02", "server"])).toBe('; did you mean "client01" or "client02"?');
    expect(didYouMean("zzz", ["client01"])).toBe("");
  });
});
