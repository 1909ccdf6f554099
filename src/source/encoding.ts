/**
 * Text encodings other than UTF-8, turned into UTF-8 in the source stage so that every decoder sees
 * UTF-8 lines: UTF-16 (little or big endian, with or without a byte order mark), as Windows PowerShell's
 * `Out-File` and `netsh ... > file` write logs; and CR-only line ends (classic Mac OS, some exporters).
 */
import type { ByteSource } from "./raw.js";

export type TextEncoding = "utf-16le" | "utf-16be";

/**
 * UTF-16 from the byte order mark, or from the zero bytes that ASCII text in UTF-16 has in every other
 * place (at least 64 characters, nine in ten of them ASCII, and no zero byte in the other places).
 */
export function detectUtf16(head: Buffer): TextEncoding | undefined {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe && !(head.length >= 4 && head[2] === 0 && head[3] === 0)) return "utf-16le";
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return "utf-16be";
  const pairs = Math.min(head.length >> 1, 4096);
  if (pairs < 64) return undefined;
  let zeroEven = 0, zeroOdd = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) zeroEven++;
    if (head[2 * i + 1] === 0) zeroOdd++;
  }
  if (zeroOdd >= pairs * 0.9 && zeroEven === 0) return "utf-16le";
  if (zeroEven >= pairs * 0.9 && zeroOdd === 0) return "utf-16be";
  return undefined;
}

/** UTF-32 (byte order mark only): named in the error, not read. */
export function isUtf32(head: Buffer): boolean {
  return head.length >= 4 && ((head[0] === 0xff && head[1] === 0xfe && head[2] === 0 && head[3] === 0) || (head[0] === 0 && head[1] === 0 && head[2] === 0xfe && head[3] === 0xff));
}

/**
 * UTF-16 to UTF-8, streaming: an odd byte or half a surrogate pair at a chunk's end waits for the next
 * chunk (TextDecoder's `stream` mode); a byte order mark is dropped; unpaired surrogates become U+FFFD.
 */
export function utf16Source(src: ByteSource, enc: TextEncoding): ByteSource {
  const dec = new TextDecoder("utf-16le");
  let odd: number | undefined;
  let done = false;
  /** Big endian: swap each pair into a buffer of our own, keeping an odd last byte for the next chunk. */
  const toLe = (c: Buffer): Buffer => {
    if (enc === "utf-16le") return c;
    const joined = odd === undefined ? c : Buffer.concat([Buffer.of(odd), c]);
    const even = joined.length & ~1;
    odd = even < joined.length ? joined[even] : undefined;
    const out = Buffer.from(joined.subarray(0, even));
    return out.swap16();
  };
  return {
    async next() {
      while (!done) {
        const c = await src.next();
        if (c === null) {
          done = true;
          const tail = dec.decode() + (odd !== undefined ? "\ufffd" : "");
          return tail.length > 0 ? Buffer.from(tail, "utf8") : null;
        }
        const s = dec.decode(toLe(c), { stream: true });
        if (s.length > 0) return Buffer.from(s, "utf8");
      }
      return null;
    },
    noReuse: () => src.noReuse(),
    close: () => src.close(),
  };
}

/** Lines end in CR alone: the head has CRs and not a single LF. */
export function isCrOnly(head: Buffer): boolean {
  return head.indexOf(0x0a) < 0 && head.indexOf(0x0d) >= 0;
}

/** Every CR becomes LF, in place (the same length: offsets and chunk boundaries do not change). */
export function crToLf(b: Buffer): Buffer {
  for (let i = b.indexOf(0x0d); i >= 0; i = b.indexOf(0x0d, i + 1)) b[i] = 0x0a;
  return b;
}

export function crSource(src: ByteSource): ByteSource {
  return {
    async next() {
      const c = await src.next();
      return c === null ? null : crToLf(c);
    },
    noReuse: () => src.noReuse(),
    close: () => src.close(),
  };
}
