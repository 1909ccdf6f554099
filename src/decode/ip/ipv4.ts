import type { EventBatch } from "../batch.js";
import { u16, u32 } from "./bytes.js";
import { IP_AH } from "./ext.js";
import { SKIP_IP_BAD_HEADER_LENGTH, SKIP_IP_FRAGMENT, SKIP_TRUNCATED_IP } from "./skip.js";
import { decodeTransport } from "./transport.js";

/**
 * An IPv4 datagram at `off`, captured bytes up to `end` (RFC 791 section 3.1). The caller has seen
 * version 4. Total length 0 is taken as "as long as the capture": Linux TSO/GRO and BIG TCP hand
 * the capture super-packets with that value, and Wireshark reads them the same way.
 */
export function decodeIpv4(buf: Uint8Array, off: number, end: number, b: EventBatch, i: number): number {
  if (end - off < 20) return SKIP_TRUNCATED_IP;
  const hlen = (buf[off]! & 0x0f) * 4;
  if (hlen < 20) return SKIP_IP_BAD_HEADER_LENGTH;
  const total = u16(buf, off + 2);
  if (total !== 0 && total < hlen) return SKIP_IP_BAD_HEADER_LENGTH;
  if (end - off < hlen) return SKIP_TRUNCATED_IP;
  const wireEnd = total === 0 ? end : off + total;
  const w = i * 4;
  b.family[i] = 4;
  b.src[w] = u32(buf, off + 12);
  b.dst[w] = u32(buf, off + 16);
  b.ttl[i] = buf[off + 8]!;
  if ((u16(buf, off + 6) & 0x1fff) !== 0) return SKIP_IP_FRAGMENT;
  const capEnd = wireEnd < end ? wireEnd : end;
  let proto = buf[off + 9]!;
  let l4 = off + hlen;
  // IPsec AH (RFC 4302) in front of the transport header: step over it.
  while (proto === IP_AH) {
    if (capEnd - l4 < 2) return SKIP_TRUNCATED_IP;
    const len = (buf[l4 + 1]! + 2) * 4;
    if (capEnd - l4 < len) return SKIP_TRUNCATED_IP;
    proto = buf[l4]!;
    l4 += len;
  }
  return decodeTransport(buf, l4, capEnd, wireEnd - l4, proto, b, i);
}
