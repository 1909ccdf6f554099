import type { EventBatch } from "../batch.js";
import { decodeIpv4 } from "./ipv4.js";
import { decodeIpv6 } from "./ipv6.js";
import { SKIP_IP_BAD_VERSION, SKIP_TRUNCATED_IP } from "./skip.js";

/**
 * An IP packet at `off`, IPv4 or IPv6 by its version nibble. Every link layer that says "IP" (an
 * EtherType, a loopback AF, LINKTYPE_RAW/IPV4/IPV6) comes here, and the packet's own version wins
 * over the label, as in Wireshark's IPv4 dissector: a mislabelled but well-formed packet is still
 * the traffic that was on the wire.
 */
export function decodeIp(buf: Uint8Array, off: number, end: number, b: EventBatch, i: number): number {
  if (end - off < 1) return SKIP_TRUNCATED_IP;
  const version = buf[off]! >>> 4;
  if (version === 4) return decodeIpv4(buf, off, end, b, i);
  if (version === 6) return decodeIpv6(buf, off, end, b, i);
  return SKIP_IP_BAD_VERSION;
}
