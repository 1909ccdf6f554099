import { describe, it, expect } from "vitest";
import { writeFileSync, mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { decodeOnce, mutate, rng, seeds, timeBound, type Seed } from "./fuzz.js";

/**
 * A short fuzz budget runs with every test run; `npm run fuzz -- --minutes N` runs longer
 * (FUZZ_MINUTES). Any failing input is written to fixtures/fuzz/ so it becomes a fixture.
 */
const MINUTES = Number(process.env.FUZZ_MINUTES ?? "0");
const BUDGET_MS = MINUTES > 0 ? MINUTES * 60_000 : 8_000;
const all = seeds();
const formats = [...new Set(all.map((s) => s.format))].sort();

function keep(seed: Seed, bytes: Buffer, why: string): string {
  mkdirSync("fixtures/fuzz", { recursive: true });
  const name = `fixtures/fuzz/${seed.format}-${createHash("sha1").update(bytes).digest("hex").slice(0, 12)}.bin`;
  writeFileSync(name, bytes);
  writeFileSync(`${name}.why.txt`, `seed: ${seed.path}\n${why}\n`);
  return name;
}

describe("fuzzing every decoder from the real fixtures", () => {
  it("has seeds for the capture and log formats", () => {
    for (const f of ["pcap", "pcapng", "netfilter", "windows-firewall", "csv"]) expect(formats, f).toContain(f);
  });
  for (const format of formats) {
    it(`${format}: no crash, no hang, read = used + skipped`, () => {
      const mine = all.filter((s) => s.format === format);
      const deadline = Date.now() + BUDGET_MS / formats.length;
      let runs = 0;
      fc.assert(fc.property(fc.integer({ min: 0, max: mine.length - 1 }), fc.integer(), fc.constantFrom(1, 3, 64, 4096, 1 << 20), (which, seed, chunk) => {
        if (Date.now() > deadline && runs > 20) return true;
        runs++;
        const s = mine[which]!;
        const bytes = mutate(s.bytes, rng(seed));
        let out;
        try {
          out = decodeOnce(format, bytes, chunk);
        } catch (e) {
          throw new Error(`${(e as Error).stack}\nsaved as ${keep(s, bytes, String(e))}`);
        }
        if (out.read !== out.used + out.skipped) throw new Error(`accounting: ${JSON.stringify(out)}; saved as ${keep(s, bytes, "accounting")}`);
        if (out.ms > timeBound(bytes.length) * (chunk === 1 ? 20 : 1)) throw new Error(`${out.ms.toFixed(0)} ms for ${bytes.length} bytes; saved as ${keep(s, bytes, "slow")}`);
        return true;
      }), { numRuns: 100_000, seed: 20261123 });
      expect(runs).toBeGreaterThan(20);
    }, BUDGET_MS + 60_000);
  }
});
