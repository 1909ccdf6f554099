/** Protocol and action names shared by every stage (numbers are IANA protocol numbers). */

export const ACTION_NAMES = ["unknown", "allowed", "blocked"] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

export function protocolName(proto: number): string {
  switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmpv6";
    default: return `ip-proto-${proto}`;
  }
}
