/**
 * The little ASN.1 DER the UDP probe requests need (X.690 section 8 and 10): build a TLV from its
 * content, and read one TLV at an offset with every length checked against an explicit end.
 */

/** One TLV: tag byte, content as [start, end) in the buffer it was read from. */
export interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/** Tag + definite length + content (X.690 8.1.3: short form below 128, long form above). */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag, ...lengthBytes(body.length)]), body]);
}

/** INTEGER (X.690 8.3): two's complement, minimal octets; the values here are never negative. */
export function derInt(tag: number, v: number): Buffer {
  const bytes: number[] = [];
  let x = v;
  do {
    bytes.unshift(x & 0xff);
    x = Math.floor(x / 256);
  } while (x > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(tag, Buffer.from(bytes));
}

/** Read the TLV at `off`; undefined when it does not fit before `end` or uses forms DER forbids. */
export function readTlv(b: Uint8Array, off: number, end: number): Tlv | undefined {
  if (off + 2 > end) return undefined;
  const tag = b[off]!;
  if ((tag & 0x1f) === 0x1f) return undefined; // high tag numbers: none of our protocols use them
  let len = b[off + 1]!;
  let start = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > end) return undefined; // indefinite length, or absurd
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  if (start + len > end) return undefined;
  return { tag, start, end: start + len };
}

/** The unsigned value of an INTEGER's content (up to 6 octets), or undefined. */
export function readUint(b: Uint8Array, t: Tlv): number | undefined {
  const n = t.end - t.start;
  if (n < 1 || n > 6) return undefined;
  let v = 0;
  for (let i = t.start; i < t.end; i++) v = v * 256 + b[i]!;
  return v;
}

/** The children of a constructed TLV, in order; stops at the first one that does not fit. */
export function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let off = t.start;
  while (off < t.end) {
    const c = readTlv(b, off, t.end);
    if (!c) break;
    out.push(c);
    off = c.end;
  }
  return out;
}
