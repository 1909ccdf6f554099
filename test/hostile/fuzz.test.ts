import { describe, it, expect } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { decodeOnce, mutate, rng, seeds, timeBound, type FuzzOutcome, type Seed } from "./fuzz.js";

/**
 * A short fuzz budget runs with every test run; `npm run fuzz -- --minutes N` runs longer
 * (FUZZ_MINUTES). A failing input is saved so it can be replayed: under `npm run fuzz` into
 * fixtures/fuzz/ (FUZZ_KEEP_DIR, set by test/hostile/fuzz-cli.mjs), where it becomes a fixture that
 * every later test run replays; under `npm test` into a temporary directory the failure names, since a
 * test run writes nothing into the tree.
 */
const MINUTES = Number(process.env.FUZZ_MINUTES ?? "0");
const BUDGET_MS = MINUTES > 0 ? MINUTES * 60_000 : 8_000;
const SAVED = "fixtures/fuzz";
const all = seeds();
const formats = [...new Set(all.map((s) => s.format))].sort();

let keepDir: string | undefined;
function keep(seed: Seed, bytes: Buffer, why: string): string {
  keepDir ??= process.env.FUZZ_KEEP_DIR || mkdtempSync(join(tmpdir(), "portmatrix-fuzz-"));
  mkdirSync(keepDir, { recursive: true });
  const name = join(keepDir, `${seed.format}-${createHash("sha1").update(bytes).digest("hex").slice(0, 12)}.bin`);
  writeFileSync(name, bytes);
  writeFileSync(`${name}.why.txt`, `seed: ${seed.path}\n${why}\n`);
  return name;
}

/** Why the outcome is a failure, or undefined: accounting broken, or more CPU time than the size allows. */
function fault(out: FuzzOutcome, size: number, chunk: number): string | undefined {
  if (out.read !== out.used + out.skipped) return `accounting: ${JSON.stringify(out)}`;
  // One-byte chunks run the per-chunk path once per byte: allowed 20 times the bound.
  const bound = timeBound(size) * (chunk === 1 ? 20 : 1);
  if (out.cpuMs > bound) return `${out.cpuMs.toFixed(0)} ms of CPU (bound ${bound.toFixed(0)} ms; ${out.ms.toFixed(0)} ms wall) for ${size} bytes in chunks of ${chunk}`;
  return undefined;
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
        const why = fault(out, bytes.length, chunk);
        if (why !== undefined) throw new Error(`${why}; saved as ${keep(s, bytes, why)}`);
        return true;
      }), { numRuns: 100_000, seed: 20261123 });
      expect(runs).toBeGreaterThan(20);
    }, BUDGET_MS + 60_000);
  }
});

const saved = existsSync(SAVED) ? readdirSync(SAVED).filter((f) => f.endsWith(".bin")).sort() : [];
// (vitest fails a describe block with no test in it: none is registered until npm run fuzz saves one)
if (saved.length > 0) describe("inputs saved by npm run fuzz (fixtures/fuzz/) stay fixed", () => {
  for (const f of saved) {
    it(f, () => {
      const format = f.slice(0, f.lastIndexOf("-"));
      expect(formats, `${f}: no decoder named ${format}`).toContain(format);
      const bytes = readFileSync(join(SAVED, f));
      for (const chunk of [1, 64, 4096, 1 << 20]) expect(fault(decodeOnce(format, bytes, chunk), bytes.length, chunk), `chunks of ${chunk}`).toBeUndefined();
    });
  }
});
