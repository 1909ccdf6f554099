/**
 * A growing byte buffer for writing JSON text without making strings: constant pieces are encoded
 * once (`encode`) and copied in, integers and times are written digit by digit. The large JSON report
 * is written through one of these, a finding at a time (see report/build.ts `writeFinding`).
 */
export class JsonBytes {
  buf: Buffer;
  pos = 0;

  constructor(capacity = 1 << 20) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Make room for `n` more bytes. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < 32) for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    else { buf.set(b, p); p += n; }
    this.pos = p;
  }

  /** A comma. */
  comma(): void {
    this.room(1);
    this.buf[this.pos++] = 44;
  }

  /** Text known to be ASCII (digits, ISO times, fixed keys). */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Text known to be ASCII with nothing JSON escapes (an address), in quotes: its JSON string. */
  quotedAscii(s: string): void {
    this.room(s.length + 2);
    this.buf[this.pos++] = 34;
    this.ascii(s);
    this.buf[this.pos++] = 34;
  }

  /** A number as JSON.stringify writes it (null for NaN and infinities). */
  number(v: number): void {
    if (Number.isInteger(v) && v >= 0 && v < 1e15) this.uint(v);
    else this.ascii(Number.isFinite(v) ? String(v) : "null");
  }

  /** A non-negative integer below 1e15. */
  uint(v: number): void {
    this.room(16);
    if (v < 2147483648) { this.smallUint(v | 0); return; }
    const buf = this.buf;
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    const end = this.pos + digits;
    let p = end;
    let t = v;
    do {
      buf[--p] = 48 + (t % 10);
      t = Math.floor(t / 10);
    } while (t > 0);
    this.pos = end;
  }

  /** A non-negative int32, in integer arithmetic (room made by the caller). */
  private smallUint(v: number): void {
    const digits = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    const buf = this.buf;
    const end = this.pos + digits;
    let p = end;
    let t = v;
    do {
      const q = (t / 10) | 0;
      buf[--p] = 48 + t - q * 10;
      t = q;
    } while (t > 0);
    this.pos = end;
  }

  /** Two digits (00-99). */
  digits2(v: number): void {
    this.room(2);
    this.buf[this.pos++] = 48 + Math.floor(v / 10);
    this.buf[this.pos++] = 48 + (v % 10);
  }

  /** The buffer detached before the last one, when `detach(true)` may write into it again. */
  private spare: Buffer | undefined = undefined;

  /**
   * The bytes written so far, without a copy: the writer goes on in another buffer, so the one
   * returned stays as it is (a chunk handed to a stream that writes it later). That is a new buffer,
   * or with `reuse` the one returned by the detach before this one: the caller has written that out.
   * Reusing matters for a large report: a fresh buffer's pages are each faulted in by the kernel on
   * first write, which was two thirds of the CPU time of writing a 112 MB JSON report (issue 18).
   */
  detach(reuse = false): Buffer {
    const out = this.buf.subarray(0, this.pos);
    const next = reuse ? this.spare : undefined;
    this.spare = reuse ? this.buf : undefined;
    this.buf = next ?? Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
    return out;
  }

  /** The bytes written so far, as a buffer of their own; the writer starts over. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    return out;
  }
}

/** UTF-8 bytes of a string. */
export function encode(s: string): Uint8Array {
  return Buffer.from(s, "utf8");
}

/** UTF-8 bytes of a value's JSON text. */
export function encodeJson(v: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(v) ?? "null", "utf8");
}
