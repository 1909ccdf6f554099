import type { Inventory, InventoryEntry } from "../model/inventory.js";

/**
 * Address -> role set, longest prefix first, compiled once from the inventory.
 *
 * A role set is the list of roles one inventory prefix holds (a host may hold several roles when it
 * is listed under several). Set 0 is "not in the inventory". IPv4 is flattened into disjoint sorted
 * intervals (nested CIDR prefixes make that exact), so a lookup is one binary search over a typed array.
 * IPv6 inventories are short; they are checked longest prefix first.
 */
export class RoleLookup {
  readonly roleIds: readonly string[];
  /** setId -> role indices (into roleIds). Index 0 is the empty set. */
  readonly sets: number[][] = [[]];
  /** setId -> the inventory entry that defines it (for names), undefined for set 0. */
  private readonly v4Starts: Float64Array;
  private readonly v4Sets: Int32Array;
  private readonly v6Words: Uint32Array;
  private readonly v6Lengths: Uint8Array;
  private readonly v6Sets: Int32Array;
  private readonly namedV4 = new Map<number, string>();
  private readonly namedV6 = new Map<string, string>();

  constructor(roleIds: readonly string[], inventory: Inventory) {
    this.roleIds = roleIds;
    const setIndex = new Map<string, number>();
    const roleIndex = new Map(roleIds.map((id, i) => [id, i] as const));
    const setOf = (e: InventoryEntry): number => {
      const idx = [...new Set(e.roles.map((r) => roleIndex.get(r) ?? -1))].filter((x) => x >= 0).sort((a, b) => a - b);
      const key = idx.join(",");
      let id = setIndex.get(key);
      if (id === undefined) {
        id = this.sets.length;
        this.sets.push(idx);
        setIndex.set(key, id);
      }
      return id;
    };

    const v4 = inventory.entries.filter((e) => e.family === 4);
    const v6 = inventory.entries.filter((e) => e.family === 6).sort((a, b) => b.prefixLength - a.prefixLength);
    for (const e of inventory.entries) {
      if (e.name === undefined) continue;
      if (e.family === 4 && e.prefixLength === 32) this.namedV4.set(e.words[0], e.name);
      if (e.family === 6 && e.prefixLength === 128) this.namedV6.set(e.words.join(","), e.name);
    }
    // `hosts:` also names addresses that are only inside a listed prefix (an office PC in the LAN's /24).
    for (const h of inventory.hosts) {
      if (h.family === 4 && !this.namedV4.has(h.words[0])) this.namedV4.set(h.words[0], h.name);
      if (h.family === 6 && !this.namedV6.has(h.words.join(","))) this.namedV6.set(h.words.join(","), h.name);
    }

    // Sweep nested/disjoint prefixes into intervals: sorted by start, containers before contents.
    const items = v4
      .map((e) => {
        const start = e.words[0];
        const size = 2 ** (32 - e.prefixLength);
        return { start, end: start + size - 1, set: setOf(e) };
      })
      .sort((a, b) => a.start - b.start || b.end - a.end);
    const starts: number[] = [];
    const sets: number[] = [];
    const emit = (pos: number, set: number) => {
      if (pos > 0xffffffff) return;
      const n = starts.length;
      if (n > 0 && starts[n - 1] === pos) {
        sets[n - 1] = set;
        if (n > 1 && sets[n - 2] === set) { starts.pop(); sets.pop(); }
        return;
      }
      if (n > 0 && sets[n - 1] === set) return;
      if (n === 0 && set === 0) return;
      starts.push(pos);
      sets.push(set);
    };
    const stack: { end: number; set: number }[] = [];
    const popUntil = (pos: number) => {
      while (stack.length > 0 && stack[stack.length - 1]!.end < pos) {
        const t = stack.pop()!;
        emit(t.end + 1, stack.length > 0 ? stack[stack.length - 1]!.set : 0);
      }
    };
    for (const it of items) {
      popUntil(it.start);
      emit(it.start, it.set);
      stack.push({ end: it.end, set: it.set });
    }
    popUntil(Infinity);
    this.v4Starts = Float64Array.from(starts);
    this.v4Sets = Int32Array.from(sets);

    this.v6Words = new Uint32Array(v6.length * 4);
    this.v6Lengths = new Uint8Array(v6.length);
    this.v6Sets = new Int32Array(v6.length);
    v6.forEach((e, i) => {
      this.v6Words.set(e.words, i * 4);
      this.v6Lengths[i] = e.prefixLength;
      this.v6Sets[i] = setOf(e);
    });
  }

  /** Role set of an IPv4 address (unsigned 32-bit value). */
  lookup4(addr: number): number {
    const starts = this.v4Starts;
    let lo = 0;
    let hi = starts.length - 1;
    if (hi < 0 || addr < starts[0]!) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= addr) lo = mid;
      else hi = mid - 1;
    }
    return this.v4Sets[lo]!;
  }

  /** Role set of an IPv6 address at words[o..o+3]. */
  lookup6(words: Uint32Array, o: number): number {
    const n = this.v6Sets.length;
    for (let i = 0; i < n; i++) {
      const len = this.v6Lengths[i]!;
      let ok = true;
      for (let k = 0; k < 4 && ok; k++) {
        const bits = len - 32 * k;
        if (bits <= 0) break;
        const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
        if (((words[o + k]! & mask) >>> 0) !== this.v6Words[i * 4 + k]) ok = false;
      }
      if (ok) return this.v6Sets[i]!;
    }
    return 0;
  }

  lookup(family: number, words: Uint32Array, o: number): number {
    return family === 4 ? this.lookup4(words[o]!) : family === 6 ? this.lookup6(words, o) : 0;
  }

  /**
   * The compiled IPv4 table: interval starts (sorted) and the role set from each start up to the next
   * (set 0 before the first). What lookup4 searches; src/engine compiles it into SQL.
   */
  get v4Table(): { readonly starts: Float64Array; readonly sets: Int32Array } {
    return { starts: this.v4Starts, sets: this.v4Sets };
  }

  /** The IPv6 prefixes in the order lookup6 tries them (longest first): four words, length, role set each. */
  get v6Table(): { readonly words: Uint32Array; readonly lengths: Uint8Array; readonly sets: Int32Array } {
    return { words: this.v6Words, lengths: this.v6Lengths, sets: this.v6Sets };
  }

  setRoleIds(set: number): string[] {
    return (this.sets[set] ?? []).map((r) => this.roleIds[r]!);
  }

  /** Whether any inventory entry names a single address (no name lookup is needed otherwise). */
  get hasNames(): boolean {
    return this.namedV4.size > 0 || this.namedV6.size > 0;
  }

  /** The inventory host name of an IPv4 address (unsigned), if it has one. */
  hostNameV4(addr: number): string | undefined {
    return this.namedV4.get(addr);
  }

  /** The inventory host name of an exact address, if it has one. */
  hostName(family: number, words: ArrayLike<number>, o: number): string | undefined {
    if (family === 4) return this.namedV4.get(words[o]! >>> 0);
    return this.namedV6.get(`${words[o]! >>> 0},${words[o + 1]! >>> 0},${words[o + 2]! >>> 0},${words[o + 3]! >>> 0}`);
  }
}
