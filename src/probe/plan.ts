/**
 * What a probe will try: for every active rule from the role, every single-address host of the rule's
 * destination role, every port of the rule's services (one attempt per address, protocol and port,
 * however many rules name it). Prefixes and wide port ranges are listed as not probed.
 */
import type { Rule } from "../model/ruleset.js";
import type { Inventory } from "../model/inventory.js";
import type { Range } from "../model/ports.js";
import { formatAddr } from "../net/addr.js";
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../decode/batch.js";
import { protocolName } from "../net/proto.js";

/** ICMP echo request types (RFC 792; RFC 4443 section 4.1): the only ICMP a probe sends. */
export const ECHO_V4 = 8;
export const ECHO_V6 = 128;

export interface ProbeTarget {
  dst: string;
  family: 4 | 6;
  proto: number;
  /** Destination port, or the ICMP type (8 / 128) for an echo. */
  port: number;
  /** Inventory host name, when it has one. */
  name?: string;
  /** The rules that ask for it. */
  rules: string[];
  /** Client ports the rules allow; null when any will do. */
  sourcePorts: Range[] | null;
}

export type NotProbedReason = "prefix-not-probed" | "range-not-probed" | "icmp-type-not-probed";

export interface NotProbed {
  reason: NotProbedReason;
  /** One line for a person: which rule, which host, what was left out and why. */
  text: string;
}

export interface ProbePlan {
  /** The active rules whose source is the role. */
  rules: Rule[];
  targets: ProbeTarget[];
  notProbed: NotProbed[];
}

function rangeText(r: Range): string {
  return r[0] === r[1] ? String(r[0]) : `${r[0]}-${r[1]}`;
}

export function planProbe(rules: readonly Rule[], inventory: Inventory, role: string, maxRange: number): ProbePlan {
  const mine = rules.filter((r) => r.from === role);
  const targets: ProbeTarget[] = [];
  const byKey = new Map<string, ProbeTarget>();
  const notProbed: NotProbed[] = [];
  for (const rule of mine) {
    for (const e of inventory.entries) {
      if (!e.roles.includes(rule.to)) continue;
      if (e.prefixLength < (e.family === 4 ? 32 : 128)) {
        notProbed.push({ reason: "prefix-not-probed", text: `rule ${rule.id}: ${e.text} (${rule.to}) is a prefix, not probed` });
        continue;
      }
      const dst = formatAddr(e.family, e.words, 0);
      const label = e.name !== undefined ? `${e.name} (${dst})` : dst;
      const wide: string[] = [];
      const skippedIcmp: string[] = [];
      const add = (proto: number, port: number) => {
        const key = `${dst}/${proto}/${port}`;
        const t = byKey.get(key);
        if (t) {
          if (!t.rules.includes(rule.id)) t.rules.push(rule.id);
          if (t.sourcePorts !== null) t.sourcePorts = rule.sourcePorts === null ? null : [...t.sourcePorts, ...rule.sourcePorts];
          return;
        }
        const nt: ProbeTarget = { dst, family: e.family, proto, port, rules: [rule.id], sourcePorts: rule.sourcePorts === null ? null : [...rule.sourcePorts] };
        if (e.name !== undefined) nt.name = e.name;
        byKey.set(key, nt);
        targets.push(nt);
      };
      for (const flow of rule.flows) {
        if (flow.proto === PROTO_TCP || flow.proto === PROTO_UDP) {
          for (const r of flow.ranges) {
            const n = r[1] - r[0] + 1;
            if (n > maxRange) {
              wide.push(`${protocolName(flow.proto)} ${rangeText(r)} not probed (range of ${n} ports)`);
              continue;
            }
            for (let p = r[0]; p <= r[1]; p++) add(flow.proto, p);
          }
        } else if (flow.proto === PROTO_ICMP || flow.proto === PROTO_ICMPV6) {
          // An ICMP rule applies to its own family: icmp to IPv4 hosts, icmpv6 to IPv6 hosts.
          if ((flow.proto === PROTO_ICMP) !== (e.family === 4)) continue;
          const echo = flow.proto === PROTO_ICMP ? ECHO_V4 : ECHO_V6;
          if (flow.ranges.some(([a, b]) => echo >= a && echo <= b)) add(flow.proto, echo);
          else skippedIcmp.push(`${protocolName(flow.proto)} type ${flow.ranges.map(rangeText).join(", ")}`);
        }
      }
      if (wide.length > 0) notProbed.push({ reason: "range-not-probed", text: `rule ${rule.id}: ${label} ${wide.join(", ")}` });
      if (skippedIcmp.length > 0) notProbed.push({ reason: "icmp-type-not-probed", text: `rule ${rule.id}: ${label} ${skippedIcmp.join(", ")}: not probed (a probe sends echo requests only)` });
    }
  }
  return { rules: mine, targets, notProbed };
}
