/** ICMP messages that are no flow of their own, the same for every format that reads ICMP types. */
import { PROTO_ICMP, PROTO_ICMPV6 } from "./batch.js";

/** ICMP types that are errors or control, not flows (RFC 792, RFC 4443, RFC 4861, RFC 3810). */
export function icmpNotAFlow(proto: number, type: number): string | undefined {
  if (proto === PROTO_ICMP) {
    if (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) return "icmp-error";
    return undefined;
  }
  if (proto === PROTO_ICMPV6) {
    if (type >= 1 && type <= 4) return "icmp-error";
    if ((type >= 130 && type <= 137) || type === 143) return "icmpv6-control";
  }
  return undefined;
}

