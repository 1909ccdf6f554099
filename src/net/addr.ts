/**
 * IP address text <-> words. Addresses are four 32-bit words, most significant first; IPv4 uses
 * word 0. Parsers write into caller-provided arrays and return a success flag, so that decoders can
 * use them without allocating.
 */

/** Parse dotted-quad IPv4 from `s[start, end)`; returns the address as an unsigned 32-bit number, or -1. */
export function parseIPv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // no leading zeros ("010" is ambiguous: octal in some tools)
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** Same over bytes (ASCII). */
export function parseIPv4Bytes(b: Uint8Array, start: number, end: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/**
 * Parse IPv6 text (RFC 4291 section 2.2, with "::" and an embedded dotted IPv4 tail; a "%zone" suffix is
 * ignored) into out[o..o+3]. Returns false when the text is not an IPv6 address.
 */
export function parseIPv6(s: string, out: Uint32Array | number[], o = 0): boolean {
  let text = s;
  const pct = text.indexOf("%");
  if (pct >= 0) text = text.slice(0, pct);
  if (text.startsWith("[") && text.endsWith("]")) text = text.slice(1, -1);
  if (text.length < 2 || text.length > 45) return false;
  const groups: number[] = [];
  let gap = -1;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const parseHalf = (h: string, allowV4Tail: boolean): number[] | null => {
    if (h === "") return [];
    const parts = h.split(":");
    const res: number[] = [];
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      if (allowV4Tail && k === parts.length - 1 && p.includes(".")) {
        const v4 = parseIPv4(p);
        if (v4 < 0) return null;
        res.push(Math.floor(v4 / 65536), v4 % 65536);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      res.push(parseInt(p, 16));
    }
    return res;
  };
  if (halves.length === 2) {
    const a = parseHalf(halves[0]!, false);
    const b = parseHalf(halves[1]!, true);
    if (!a || !b || a.length + b.length > 7) return false;
    gap = a.length;
    groups.push(...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b);
  } else {
    const a = parseHalf(text, true);
    if (!a || a.length !== 8) return false;
    groups.push(...a);
  }
  void gap;
  for (let w = 0; w < 4; w++) out[o + w] = ((groups[2 * w]! << 16) | groups[2 * w + 1]!) >>> 0;
  return true;
}

/** Format IPv4 from its 32-bit value. */
export function formatIPv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Format IPv6 words as RFC 5952 text (lower case, longest zero run compressed). */
export function formatIPv6(w: ArrayLike<number>, o = 0): string {
  const g: number[] = [];
  for (let k = 0; k < 4; k++) {
    const x = w[o + k]! >>> 0;
    g.push(x >>> 16, x & 0xffff);
  }
  // IPv4-mapped ::ffff:a.b.c.d is written with a dotted tail (RFC 5952 section 5).
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIPv4(w[o + 3]! >>> 0)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

export function formatAddr(family: number, words: ArrayLike<number>, o: number): string {
  return family === 4 ? formatIPv4(words[o]! >>> 0) : formatIPv6(words, o);
}

/** Parse either family into out[o..o+3]; returns 4, 6 or 0. */
export function parseAddr(s: string, out: Uint32Array | number[], o = 0): 4 | 6 | 0 {
  const v4 = parseIPv4(s);
  if (v4 >= 0) {
    out[o] = v4; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0;
    return 4;
  }
  if (s.includes(":") && parseIPv6(s, out, o)) {
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 host: inventories list it as IPv4.
    if (out[o] === 0 && out[o + 1] === 0 && out[o + 2] === 0xffff) {
      out[o] = out[o + 3]!; out[o + 1] = 0; out[o + 2] = 0; out[o + 3] = 0;
      return 4;
    }
    return 6;
  }
  return 0;
}
