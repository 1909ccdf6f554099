/**
 * The TTL (IPv4) or hop limit (IPv6) each address's own packets arrive with, per capture interface:
 * the yardstick for a RST or ICMP error that claims to come from a destination (docs/outcomes.md).
 * A host's packets cross the same routers to the capture point, so they arrive with one TTL (two or
 * three when paths differ); a packet made on the way (a firewall's RST in the server's name) arrives
 * with the TTL its maker starts from, less its own distance.
 *
 * Keyed by (family, address, interface) in an open-addressing table over typed arrays; an entry holds
 * up to MAX_VALUES distinct TTLs, then only "varies". Entries are never removed: one per address and
 * interface heard from, 8 words each.
 */

const KEY = 6; // family, four address words, interface
export const MAX_VALUES = 4;
const VARIES = 0x80;

export class TtlTable {
  private cap = 1024;
  private keys = new Int32Array(this.cap * KEY);
  /** Up to four TTL bytes per entry. */
  private vals = new Uint32Array(this.cap);
  /** Number of TTL bytes held, | VARIES once a fifth value was seen. */
  private meta = new Uint8Array(this.cap);
  private index = new Int32Array(this.cap * 2).fill(-1);
  private mask = this.cap * 2 - 1;
  size = 0;

  private static hash(fam: number, w: ArrayLike<number>, o: number, iface: number): number {
    let h = Math.imul(fam ^ 0x9e3779b9, 0x01000193);
    h = Math.imul(h ^ w[o]!, 0x01000193);
    h = Math.imul(h ^ w[o + 1]!, 0x01000193);
    h = Math.imul(h ^ w[o + 2]!, 0x01000193);
    h = Math.imul(h ^ w[o + 3]!, 0x01000193);
    h = Math.imul(h ^ iface, 0x01000193);
    return (h ^ (h >>> 15)) >>> 0;
  }

  /** The entry of (fam, address w[o..o+3], iface), or -1. */
  find(fam: number, w: ArrayLike<number>, o: number, iface: number): number {
    let h = TtlTable.hash(fam, w, o, iface) & this.mask;
    const keys = this.keys;
    for (;;) {
      const e = this.index[h]!;
      if (e === -1) return -1;
      const k = e * KEY;
      if (keys[k] === fam && keys[k + 1] === (w[o]! | 0) && keys[k + 2] === (w[o + 1]! | 0) && keys[k + 3] === (w[o + 2]! | 0) &&
          keys[k + 4] === (w[o + 3]! | 0) && keys[k + 5] === iface) return e;
      h = (h + 1) & this.mask;
    }
  }

  /** The entry of (fam, address, iface), made when new. */
  entry(fam: number, w: ArrayLike<number>, o: number, iface: number): number {
    const found = this.find(fam, w, o, iface);
    if (found !== -1) return found;
    if (this.size >= this.cap) this.grow();
    const e = this.size++;
    const k = e * KEY;
    this.keys[k] = fam;
    for (let j = 0; j < 4; j++) this.keys[k + 1 + j] = w[o + j]! | 0;
    this.keys[k + 5] = iface;
    this.vals[e] = 0;
    this.meta[e] = 0;
    this.place(e);
    return e;
  }

  /** Record that entry `e`'s address sent a packet with this TTL. */
  add(e: number, ttl: number): void {
    const m = this.meta[e]!;
    if (m & VARIES) return;
    const v = this.vals[e]!;
    for (let j = 0; j < m; j++) if (((v >>> (j * 8)) & 0xff) === ttl) return;
    if (m === MAX_VALUES) { this.meta[e] = m | VARIES; return; }
    this.vals[e] = (v | (ttl << (m * 8))) >>> 0;
    this.meta[e] = m + 1;
  }

  /**
   * The distinct TTLs of (fam, address, iface) in ascending order: [] when it sent nothing that counts,
   * null when it sent more than MAX_VALUES different ones (nothing to compare against).
   */
  ttlsOf(fam: number, w: ArrayLike<number>, o: number, iface: number): number[] | null {
    const e = this.find(fam, w, o, iface);
    if (e === -1) return [];
    const m = this.meta[e]!;
    if (m & VARIES) return null;
    const out: number[] = [];
    for (let j = 0; j < m; j++) out.push((this.vals[e]! >>> (j * 8)) & 0xff);
    return out.sort((a, b) => a - b);
  }

  private place(e: number): void {
    const k = e * KEY;
    let h = TtlTable.hash(this.keys[k]!, this.keys, k + 1, this.keys[k + 5]!) & this.mask;
    while (this.index[h] !== -1) h = (h + 1) & this.mask;
    this.index[h] = e;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const keys = new Int32Array(cap * KEY);
    keys.set(this.keys);
    const vals = new Uint32Array(cap);
    vals.set(this.vals);
    const meta = new Uint8Array(cap);
    meta.set(this.meta);
    this.keys = keys; this.vals = vals; this.meta = meta; this.cap = cap;
    this.index = new Int32Array(cap * 2).fill(-1);
    this.mask = cap * 2 - 1;
    for (let e = 0; e < this.size; e++) this.place(e);
  }
}
