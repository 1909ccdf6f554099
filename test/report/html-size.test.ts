import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * The HTML page of a 200,000-finding report is bounded: under 2 MB, written by a Node process whose heap
 * may not pass 64 MB (the old renderer needed 1.1 GiB), with the findings handed over one at a time by
 * a generator and only the rows the page shows ever rendered. Runs the compiled renderer
 * (test/report/html-large.mjs over dist/, which `npm test` builds first).
 */
interface LargeRun { bytes: number; findings: number; evidenceReads: number; heapPeakMB: number; maxRssMB: number }

function large(out: string, n: number, ...flags: string[]): LargeRun {
  if (!existsSync("dist/report/html.js")) throw new Error("dist/ is not built: run `npm run build` (npm test does)");
  const stdout = execFileSync(process.execPath, ["--max-old-space-size=64", "test/report/html-large.mjs", out, String(n), ...flags], { encoding: "utf8" });
  return JSON.parse(stdout) as LargeRun;
}

describe("HTML report size and memory", () => {
  it("writes a 200,000-finding report as a page under 2 MB, in a 64 MB heap, rendering only the rows it shows", () => {
    const dir = tmpFiles({});
    for (const flags of [[], ["--baseline"]]) {
      const out = join(dir, `large${flags.join("")}.html`);
      const run = large(out, 200_000, ...flags);
      expect(run.findings).toBe(200_000);
      expect(statSync(out).size).toBe(run.bytes);
      expect(run.bytes).toBeLessThan(2 * 1024 * 1024);
      // 50 groups of 20 violations, 30 groups of 10 other findings (and, with a baseline, 30 of 10 accepted).
      expect(run.evidenceReads).toBe(flags.length ? 1600 : 1300);
      expect(run.heapPeakMB).toBeLessThan(64);
    }
  }, 120_000);

  it("the page's size does not grow with the findings beyond what it shows", () => {
    const dir = tmpFiles({});
    const small = large(join(dir, "a.html"), 20_000);
    const big = large(join(dir, "b.html"), 200_000);
    // Only counts change between the two (longer numbers); the rows shown are the same number.
    expect(big.evidenceReads).toBe(small.evidenceReads);
    expect(Math.abs(big.bytes - small.bytes)).toBeLessThan(big.bytes * 0.02);
  }, 120_000);
});
