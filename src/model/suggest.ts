/**
 * "Did you mean": the known names closest to a mistyped one, by edit distance, compared
 * case-insensitively.
 */

/**
 * Edit distance of two strings: insertions, deletions, substitutions and swaps of two neighbours
 * ("clinet" for "client") cost 1 each (optimal string alignment), three rows of the table at a time.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), prev[j]! + 1, cur[j - 1]! + 1);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur.push(d);
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidates within reach of `word` (a third of its length, at least 1 and at most 3 edits), nearest
 * first, at most `max`; ties keep the candidates' order. Empty when nothing is close.
 */
export function closest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const reach = Math.min(3, Math.max(1, Math.floor(w.length / 3)));
  const scored: { c: string; d: number; k: number }[] = [];
  let k = 0;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d <= reach) scored.push({ c, d, k: k++ });
  }
  return scored.sort((x, y) => x.d - y.d || x.k - y.k).slice(0, max).map((s) => s.c);
}

/** `; did you mean "a" or "b"?`, or "" when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const near = closest(word, candidates);
  if (near.length === 0) return "";
  const q = near.map((n) => `"${n}"`);
  return `; did you mean ${q.length === 1 ? q[0] : `${q.slice(0, -1).join(", ")} or ${q[q.length - 1]}`}?`;
}
