import { u16 } from "./bytes.js";
import { SKIP_IP_FRAGMENT, SKIP_IP_NO_NEXT_HEADER, SKIP_TRUNCATED_IP } from "./skip.js";

/** IPv6 extension headers (RFC 8200 section 4) and IPsec AH (RFC 4302 section 2), walked to the upper layer. */
export const IPV6_HOP_BY_HOP = 0;
export const IPV6_ROUTING = 43;
export const IPV6_FRAGMENT = 44;
export const IPV6_DEST_OPTS = 60;
export const IPV6_NO_NEXT = 59;
export const IP_AH = 51;

/**
 * Walk the extension headers that start at `off` with next-header value `nh`, bounded by `end`.
 * Returns `upperOffset * 256 + upperProtocol` (>= 0) for the first header that is not an extension
 * header, or `-skipCode`: the chain runs past `end`, reaches a non-first fragment, or says 59.
 * Packed into one number so that the walk allocates nothing.
 */
export function walkIpv6Extensions(buf: Uint8Array, off: number, end: number, nh: number): number {
  let o = off;
  for (;;) {
    switch (nh) {
      case IPV6_HOP_BY_HOP:
      case IPV6_ROUTING:
      case IPV6_DEST_OPTS: {
        // Hdr Ext Len: 8-octet units, not counting the first 8 octets.
        if (end - o < 2) return -SKIP_TRUNCATED_IP;
        const len = (buf[o + 1]! + 1) * 8;
        if (end - o < len) return -SKIP_TRUNCATED_IP;
        nh = buf[o]!;
        o += len;
        break;
      }
      case IP_AH: {
        // Payload Len: 4-octet units, minus 2 (RFC 4302 section 2.2).
        if (end - o < 2) return -SKIP_TRUNCATED_IP;
        const len = (buf[o + 1]! + 2) * 4;
        if (end - o < len) return -SKIP_TRUNCATED_IP;
        nh = buf[o]!;
        o += len;
        break;
      }
      case IPV6_FRAGMENT: {
        // Fragment Offset: the upper 13 bits of octets 2..3 (RFC 8200 section 4.5).
        if (end - o < 8) return -SKIP_TRUNCATED_IP;
        if (u16(buf, o + 2) >>> 3 !== 0) return -SKIP_IP_FRAGMENT;
        nh = buf[o]!;
        o += 8;
        break;
      }
      case IPV6_NO_NEXT:
        return -SKIP_IP_NO_NEXT_HEADER;
      default:
        return o * 256 + nh;
    }
  }
}
