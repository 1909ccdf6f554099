/** Protocol and action names shared by every stage (numbers are IANA protocol numbers). */

export const ACTION_NAMES = ["unknown", "allowed", "blocked"] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/**
 * Who stopped a blocked flow (docs/outcomes.md): the codes stored in `EventBatch.blockedBy` and in a
 * finding's key. 0 means the source did not say; for a firewall log's own "blocked" that is the
 * firewall that wrote the line, so it is read as `network` (see `effectiveBlockedBy`).
 */
export const BLOCKED_BY_UNSET = 0;
export const BLOCKED_BY_NETWORK = 1;
export const BLOCKED_BY_DESTINATION = 2;
export const BLOCKED_BY_UNKNOWN = 3;
export const BLOCKED_BY_NAMES = [null, "network", "destination", "unknown"] as const;
export type BlockedBy = "network" | "destination" | "unknown";

/** The attribution a record carries once aggregated: none unless blocked; a blocked record that says nothing is the logging firewall's. */
export function effectiveBlockedBy(action: number, code: number): number {
  if (action !== 2) return BLOCKED_BY_UNSET;
  return code === BLOCKED_BY_UNSET ? BLOCKED_BY_NETWORK : code;
}

export function protocolName(proto: number): string {
  switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmpv6";
    default: return `ip-proto-${proto}`;
  }
}

/**
 * Input formats whose record positions are byte offsets, not line numbers: packet captures and flow
 * exports read from captures. Every stage that shows a position asks here.
 */
const BINARY_FORMATS: ReadonlySet<string> = new Set(["pcap", "pcapng", "netflow"]);

export function isBinaryFormat(format: string): boolean {
  return BINARY_FORMATS.has(format);
}
