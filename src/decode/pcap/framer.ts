/**
 * Cutting a byte stream that arrives in chunks of any size into length-prefixed units (a pcap
 * record, a pcapng block). A unit that lies wholly inside a chunk is handed over in place; only a
 * unit that straddles chunks is copied, into one carry buffer reused for the whole input.
 *
 * A subclass says how long the prefix is that gives a unit's length, reads that length (checking
 * it: -1 stops the input after the subclass has recorded why), and consumes whole units.
 */
export abstract class Framer {
  private carry: Buffer = Buffer.alloc(0);
  private carryLen = 0;
  private carryPos = 0;
  /** Absolute input offset of the next chunk's first byte. */
  private base = 0;
  /** Input offset of the unit whose damage stopped reading; later bytes are ignored. */
  stoppedAt: number | undefined = undefined;

  /** Bytes needed before `unitLength` can be asked. Must be >= 1. */
  protected abstract prefixLength(): number;
  /**
   * Total length of the unit at `off` (its first `prefixLength()` bytes are present): at least the
   * prefix length; or -1, after recording why, to stop reading. May be asked twice for one unit.
   */
  protected abstract unitLength(buf: Buffer, off: number, position: number): number;
  /** One whole unit `buf[off, end)` that starts at input offset `position`. May call `stop`. */
  protected abstract unit(buf: Buffer, off: number, end: number, position: number): void;

  protected stop(position: number): void {
    this.stoppedAt = position;
    this.carryLen = 0;
  }

  /** Bytes of an incomplete unit held at the end of the input so far. */
  protected get pendingLength(): number {
    return this.carryLen;
  }

  /** Input offset where the pending bytes start. */
  protected get pendingPosition(): number {
    return this.carryPos;
  }

  protected feed(chunk: Buffer): void {
    const n = chunk.length;
    let off = 0;
    if (this.stoppedAt === undefined && this.carryLen > 0) off = this.fillCarry(chunk);
    while (this.stoppedAt === undefined) {
      const rest = n - off;
      const prefix = this.prefixLength();
      if (rest < prefix) break;
      const position = this.base + off;
      const total = this.unitLength(chunk, off, position);
      if (total < 0) {
        if (this.stoppedAt === undefined) this.stop(position);
        break;
      }
      if (total < prefix) throw new Error(`framer: unit length ${total} below its prefix ${prefix}`);
      if (rest < total) break;
      this.unit(chunk, off, off + total, position);
      off += total;
    }
    if (this.stoppedAt === undefined && off < n) {
      this.carryPos = this.base + off;
      this.ensureCarry(n - off);
      chunk.copy(this.carry, 0, off, n);
      this.carryLen = n - off;
    }
    this.base += n;
  }

  /** Complete the carried unit from the start of `chunk`; returns how many bytes of it were used. */
  private fillCarry(chunk: Buffer): number {
    const n = chunk.length;
    let off = 0;
    const prefix = this.prefixLength();
    if (this.carryLen < prefix) {
      const take = Math.min(prefix - this.carryLen, n);
      chunk.copy(this.carry, this.carryLen, 0, take);
      this.carryLen += take;
      off = take;
      if (this.carryLen < prefix) return off;
    }
    const total = this.unitLength(this.carry, 0, this.carryPos);
    if (total < 0) {
      if (this.stoppedAt === undefined) this.stop(this.carryPos);
      return n;
    }
    if (total < prefix) throw new Error(`framer: unit length ${total} below its prefix ${prefix}`);
    this.ensureCarry(total);
    const take = Math.min(total - this.carryLen, n - off);
    chunk.copy(this.carry, this.carryLen, off, off + take);
    this.carryLen += take;
    off += take;
    if (this.carryLen < total) return off;
    this.carryLen = 0;
    this.unit(this.carry, 0, total, this.carryPos);
    return off;
  }

  private ensureCarry(size: number): void {
    if (this.carry.length >= size) return;
    let cap = Math.max(this.carry.length * 2, 4096);
    while (cap < size) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.carry.copy(next, 0, 0, this.carryLen);
    this.carry = next;
  }
}
