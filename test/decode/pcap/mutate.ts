/** Seeded hostile-byte generation for decoder robustness tests (no dependency, reproducible). */

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A copy of `data` with a few bytes overwritten at or after `from` (random values, or the extremes
 * 0x00/0xff that make lengths absurd), and sometimes cut short.
 */
export function mutate(data: Buffer, rnd: () => number, from: number): Buffer {
  const out = Buffer.from(data);
  const span = out.length - from;
  if (span <= 0) return out;
  const n = 1 + Math.floor(rnd() * 6);
  for (let k = 0; k < n; k++) {
    const at = from + Math.floor(rnd() * span);
    const r = rnd();
    out[at] = r < 0.2 ? 0 : r < 0.4 ? 0xff : Math.floor(rnd() * 256);
  }
  if (rnd() < 0.2) return out.subarray(0, from + Math.floor(rnd() * span));
  return out;
}
