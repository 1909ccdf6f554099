import type { EventBatch } from "../batch.js";
import { u16, u32 } from "./bytes.js";
import { walkIpv6Extensions } from "./ext.js";
import { SKIP_TRUNCATED_IP } from "./skip.js";
import { decodeTransport } from "./transport.js";

/**
 * An IPv6 packet at `off`, captured bytes up to `end` (RFC 8200 section 3), extension headers
 * walked to the upper layer. Payload length 0 is taken as "as long as the capture", as for IPv4:
 * a jumbogram (RFC 2675) or a Linux BIG TCP / GSO packet, whose real length the capture holds.
 */
export function decodeIpv6(buf: Uint8Array, off: number, end: number, b: EventBatch, i: number): number {
  if (end - off < 40) return SKIP_TRUNCATED_IP;
  const w = i * 4;
  b.family[i] = 6;
  b.ttl[i] = buf[off + 7]!;
  for (let k = 0; k < 4; k++) {
    b.src[w + k] = u32(buf, off + 8 + 4 * k);
    b.dst[w + k] = u32(buf, off + 24 + 4 * k);
  }
  const plen = u16(buf, off + 4);
  const wireEnd = plen === 0 ? end : off + 40 + plen;
  const capEnd = wireEnd < end ? wireEnd : end;
  const r = walkIpv6Extensions(buf, off + 40, capEnd, buf[off + 6]!);
  if (r < 0) return -r;
  const proto = r & 0xff;
  const l4 = (r - proto) / 256;
  return decodeTransport(buf, l4, capEnd, wireEnd - l4, proto, b, i);
}
