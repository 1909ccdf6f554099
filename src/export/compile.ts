import type { Rule, Ruleset } from "../model/ruleset.js";
import type { Inventory } from "../model/inventory.js";
import type { Range } from "../model/ports.js";
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../decode/batch.js";
import { allBlocks, roleBlocks, type AddressBlock, type Family } from "./addresses.js";

/**
 * The matrix compiled into what a firewall needs: concrete openings (rule, source role, destination
 * role, protocol, destination ports or ICMP types, source ports) between roles that have inventory
 * addresses, each role's address blocks, and the rules left out with the reason. Every export format
 * renders from this one plan, so they all open the same things, in the same order.
 */

/** One opening: what one ruleset rule allows for one protocol. */
export interface Opening {
  rule: Rule;
  from: string;
  to: string;
  proto: number;
  /** Destination ports (TCP/UDP) or ICMP types, sorted and merged. */
  ports: Range[];
  /** Allowed client ports, or null for any. */
  sourcePorts: Range[] | null;
}

export interface RoleInfo {
  id: string;
  title: string;
  blocks: AddressBlock[];
}

export interface LeftOut {
  rule: Rule;
  reason: string;
}

export interface ExportOptions {
  scenarios: readonly string[];
  /** Leave out rules marked `inferred` (the document does not state them). */
  documentedOnly: boolean;
}

export interface ExportPlan {
  ruleset: Ruleset;
  inventoryFile: string;
  options: ExportOptions;
  /** Roles used by an opening, sorted by id. */
  roles: RoleInfo[];
  /** Sorted by source role, destination role, rule id, protocol. */
  openings: Opening[];
  /** Rules in the ruleset that the export does not open, in ruleset order. */
  leftOut: LeftOut[];
  /** Every inventory address: traffic between two of them that no opening allows is dropped. */
  inventoryBlocks: AddressBlock[];
  /** Addresses the inventory names as the firewall itself (`firewall:`): input-hook rules. */
  firewallBlocks: AddressBlock[];
}

/** Sort and merge port ranges ("135, 593, 49152-65535"). */
export function mergeRanges(list: readonly Range[]): Range[] {
  const sorted = [...list].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const prev = out[out.length - 1];
    if (prev && lo <= prev[1] + 1) prev[1] = Math.max(prev[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

const PROTO_ORDER = [PROTO_TCP, PROTO_UDP, PROTO_ICMP, PROTO_ICMPV6];

/** Whether an opening can apply to a family at all (ICMP is IPv4's, ICMPv6 IPv6's). */
export function protoFamilies(proto: number): Family[] {
  if (proto === PROTO_ICMP) return [4];
  if (proto === PROTO_ICMPV6) return [6];
  return [4, 6];
}

function why(rule: Rule, options: ExportOptions, hosts: Map<string, AddressBlock[]>): string | undefined {
  if (!rule.enabled) return "disabled: its enabled_when condition does not hold for the variables given";
  if (options.scenarios.length > 0 && !rule.scenarios.some((s) => options.scenarios.includes(s))) {
    return `not in the chosen scenarios (${options.scenarios.join(", ")}); the rule belongs to ${rule.scenarios.join(", ")}`;
  }
  if (options.documentedOnly && rule.inferred) return "inferred (--documented-only)";
  const missing = [rule.from, rule.to].filter((r, i, a) => !hosts.has(r) && a.indexOf(r) === i);
  if (missing.length > 0) return `no inventory address for role ${missing.join(" and ")}`;
  return undefined;
}

export function compileExport(ruleset: Ruleset, inventory: Inventory, firewallBlocks: AddressBlock[], options: ExportOptions): ExportPlan {
  const hosts = roleBlocks(inventory);
  const openings: Opening[] = [];
  const leftOut: LeftOut[] = [];
  for (const rule of ruleset.rules) {
    const reason = why(rule, options, hosts);
    if (reason !== undefined) {
      leftOut.push({ rule, reason });
      continue;
    }
    for (const flow of rule.flows) {
      openings.push({
        rule, from: rule.from, to: rule.to, proto: flow.proto,
        ports: mergeRanges(flow.ranges),
        sourcePorts: rule.sourcePorts ? mergeRanges(rule.sourcePorts) : null,
      });
    }
  }
  openings.sort((a, b) =>
    a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.rule.id.localeCompare(b.rule.id) ||
    PROTO_ORDER.indexOf(a.proto) - PROTO_ORDER.indexOf(b.proto));
  const used = new Set(openings.flatMap((o) => [o.from, o.to]));
  const roles = ruleset.roles
    .filter((r) => used.has(r.id))
    .map((r) => ({ id: r.id, title: r.title, blocks: hosts.get(r.id) ?? [] }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return {
    ruleset, inventoryFile: inventory.file, options, roles, openings, leftOut,
    inventoryBlocks: allBlocks(inventory), firewallBlocks,
  };
}
