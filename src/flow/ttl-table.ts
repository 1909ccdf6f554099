/**
 * The TTL (IPv4) or hop limit (IPv6) each address's own packets arrive with, per capture interface:
 * the yardstick for a RST or ICMP error that claims to come from a destination (docs/outcomes.md).
 * A host's packets cross the same routers to the capture point, so they arrive with one TTL (two or
 * three when paths differ); a packet made on the way (a firewall's RST in the server's name) arrives
 * with the TTL its maker starts from, less its own distance.
 *
 * Keyed by (family, address, interface) through the shared hash index (hash-index.ts); an entry holds
 * up to MAX_VALUES distinct TTLs, then only "varies". Entries are never removed: one per address and
 * interface heard from, 8 words each.
 */
import { HashIndex, hashWords } from "./hash-index.js";

const KEY = 6; // family, four address words, interface
export const MAX_VALUES = 4;
const VARIES = 0x80;

export class TtlTable {
  private cap = 1024;
  /** The keys, KEY words per entry: the index's records. */
  private keys = new Int32Array(this.cap * KEY);
  /** Up to four TTL bytes per entry. */
  private vals = new Uint32Array(this.cap);
  /** Number of TTL bytes held, | VARIES once a fifth value was seen. */
  private meta = new Uint8Array(this.cap);
  private readonly index = new HashIndex(KEY, KEY, this.cap);
  /** The key being looked up, and its hash (see `key`). */
  private readonly k = new Int32Array(KEY);
  private hash = 0;
  size = 0;

  /** Put the key of (fam, address w[o..o+3], iface) into `k` and its hash into `hash`. */
  private key(fam: number, w: ArrayLike<number>, o: number, iface: number): void {
    const k = this.k;
    k[0] = fam;
    k[1] = w[o]!; k[2] = w[o + 1]!; k[3] = w[o + 2]!; k[4] = w[o + 3]!;
    k[5] = iface;
    this.hash = hashWords(k, 0, KEY);
  }

  /** The entry of (fam, address w[o..o+3], iface), or -1. */
  find(fam: number, w: ArrayLike<number>, o: number, iface: number): number {
    this.key(fam, w, o, iface);
    return this.index.find(this.keys, this.k, 0, this.hash);
  }

  /** The entry of (fam, address, iface), made when new. */
  entry(fam: number, w: ArrayLike<number>, o: number, iface: number): number {
    const found = this.find(fam, w, o, iface);
    if (found !== -1) return found;
    if (this.size >= this.cap) this.grow();
    const e = this.size++;
    this.keys.set(this.k, e * KEY);
    this.vals[e] = 0;
    this.meta[e] = 0;
    this.index.add(e, this.hash);
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

  private grow(): void {
    const cap = this.cap * 2;
    const keys = new Int32Array(cap * KEY);
    keys.set(this.keys);
    const vals = new Uint32Array(cap);
    vals.set(this.vals);
    const meta = new Uint8Array(cap);
    meta.set(this.meta);
    this.keys = keys; this.vals = vals; this.meta = meta; this.cap = cap;
  }
}
