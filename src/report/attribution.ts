/** How every renderer says who stopped a blocked flow (the finding's `blockedBy`, docs/outcomes.md). */
import type { Finding } from "./types.js";

/** One phrase for a blocked finding, "" for any other. `dst` is how the destination is named. */
export function stoppedBy(f: Pick<Finding, "blockedBy">, dst: string): string {
  switch (f.blockedBy) {
    case "network": return "stopped on the way: a firewall drops or rejects it";
    case "destination": return `refused by ${dst} itself: is the service running, and does its own firewall let it in?`;
    case "unknown": return "not known who stopped it: too little was seen to tell a firewall on the way from the destination";
    default: return "";
  }
}

/** "2 on the way, 1 by the destination": the findings of a group by who stopped them. */
export function stoppedByCounts(fs: readonly Pick<Finding, "blockedBy">[]): string {
  const n = { network: 0, destination: 0, unknown: 0 };
  for (const f of fs) if (f.blockedBy) n[f.blockedBy]++;
  return stoppedByText(n);
}

/** The same phrase from the counts. */
export function stoppedByText(n: Readonly<Record<"network" | "destination" | "unknown", number>>): string {
  const parts: string[] = [];
  if (n.network) parts.push(`${n.network} stopped on the way`);
  if (n.destination) parts.push(`${n.destination} refused by the destination`);
  if (n.unknown) parts.push(`${n.unknown} not known who`);
  return parts.join(", ");
}
