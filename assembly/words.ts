// The learnt words of the log row readers (assembly/netfilter.ts: one table of log prefixes; wfw.ts and
// csv.ts: a table of action words and one of protocol words): JS writes a word's bytes at nextWordSlot and
// then learns it with the values the reference gave it, only from lines the reference used, so the module
// never knows a word the reference would not take. Layout in the module's extra area: `tables` tables of
// WORDS entries of `bytes` bytes each, then per entry its length and two values (12 bytes).

export const WORDS: i32 = 16;
let base: usize = 0;
let bytes: i32 = 0;
let entries: i32 = 0;
let count0: i32 = 0;
let count1: i32 = 0;

/** Where the store starts, how long a word may be, how many tables (1 or 2); forgets every word. */
export function setWordStore(at: usize, wordBytes: i32, tables: i32): void {
  base = at; bytes = wordBytes; entries = tables * WORDS; count0 = 0; count1 = 0;
}

@inline function wordAt(k: i32): usize { return base + <usize>(k * bytes); }
@inline function wordMeta(k: i32): usize { return base + <usize>(entries * bytes) + <usize>(k * 12); }
@inline function countOf(table: i32): i32 { return table == 0 ? count0 : count1; }

/** Where JS writes the bytes of table `table`'s next word. */
export function nextWordSlot(table: i32): usize { return wordAt(table * WORDS + countOf(table)); }

/** Learn the word just written at nextWordSlot(table), with its two values. False when the table is full. */
export function learnWord(table: i32, len: i32, value0: i32, value1: i32): bool {
  if (countOf(table) >= WORDS || len > bytes) return false;
  const m = wordMeta(table * WORDS + countOf(table));
  store<i32>(m, len); store<i32>(m + 4, value0); store<i32>(m + 8, value1);
  if (table == 0) count0++; else count1++;
  return true;
}

/** The entry of table `table` whose bytes are [s, e), or -1. */
export function findWord(table: i32, s: usize, e: usize): i32 {
  const len = <i32>(e - s);
  const from = table * WORDS;
  for (let k = from; k < from + countOf(table); k++) {
    if (load<i32>(wordMeta(k)) != len) continue;
    const w = wordAt(k);
    let j: i32 = 0;
    while (j < len && load<u8>(w + <usize>j) == load<u8>(s + <usize>j)) j++;
    if (j == len) return k;
  }
  return -1;
}

/** Value 0 or 1 of entry k (as findWord returns it). */
@inline export function wordValue(k: i32, i: i32): i32 { return load<i32>(wordMeta(k) + 4 + <usize>(i << 2)); }
