/**
 * Byte-level helpers the text formats share (netfilter, Windows Firewall, CSV): reading fields straight
 * from a chunk's bytes, with no string per field.
 */
import { parseIPv6 } from "../../net/addr.js";

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

const v6Groups = new Int32Array(8);

/**
 * IPv6 text `b[s, e)` into out[0..3], as net/addr.ts parseIPv6 reads it. The plain forms (hex groups of
 * one to four digits, at most one "::") are read from the bytes; anything else (an IPv4 tail, a zone,
 * brackets, a malformed group) goes to parseIPv6 on the text, which decides.
 */
export function parseIPv6Bytes(b: Buffer, s: number, e: number, out: Uint32Array): boolean {
  const len = e - s;
  if (len < 2 || len > 45) return parseIPv6(b.toString("latin1", s, e), out);
  const g = v6Groups;
  let n = 0;
  let gap = -1;
  let i = s;
  if (b[i] === 58) {
    if (b[i + 1] !== 58) return parseIPv6(b.toString("latin1", s, e), out);
    gap = 0;
    i += 2;
  }
  while (i < e) {
    let v = 0;
    let d = 0;
    while (i < e) {
      const h = hexDigit(b[i]!);
      if (h < 0) break;
      v = v * 16 + h;
      d++;
      i++;
    }
    if (d === 0 || d > 4 || n === 8) return parseIPv6(b.toString("latin1", s, e), out);
    g[n++] = v;
    if (i === e) break;
    if (b[i] !== 58) return parseIPv6(b.toString("latin1", s, e), out);
    if (b[i + 1] === 58 && i + 1 < e) {
      if (gap >= 0) return parseIPv6(b.toString("latin1", s, e), out);
      gap = n;
      i += 2;
    } else {
      i++;
      if (i === e) return parseIPv6(b.toString("latin1", s, e), out);
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return parseIPv6(b.toString("latin1", s, e), out);
  // Groups after the gap move to the end; the gap is zeros.
  const fill = 8 - n;
  for (let w = 0; w < 4; w++) {
    const k0 = 2 * w;
    const k1 = 2 * w + 1;
    const hi = gap < 0 || k0 < gap ? g[k0]! : k0 < gap + fill ? 0 : g[k0 - fill]!;
    const lo = gap < 0 || k1 < gap ? g[k1]! : k1 < gap + fill ? 0 : g[k1 - fill]!;
    out[w] = ((hi << 16) | lo) >>> 0;
  }
  return true;
}

/** True when the line holds nothing but spaces and tabs. */
export function isBlank(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 32 && b[i] !== 9) return false;
  return true;
}

