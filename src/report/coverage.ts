/**
 * Report step "coverage": per active rule, the flows seen allowed and blocked (from the "rules"
 * step's counts), the inventory hosts on each side, and its status (see CoverageEntry).
 */
import type { Inventory } from "../model/inventory.js";
import type { Rule } from "../model/ruleset.js";
import type { CoverageEntry } from "./types.js";

export function coverageOf(activeRules: readonly Rule[], inventory: Inventory, perRule: ReadonlyMap<string, { allowed: number; blocked: number }>): CoverageEntry[] {
  // Inventory entries per role, counted once (not once per rule: rules times entries is quadratic).
  const hostsPerRole = new Map<string, number>();
  for (const en of inventory.entries) for (const role of new Set(en.roles)) hostsPerRole.set(role, (hostsPerRole.get(role) ?? 0) + 1);
  const hostsWith = (role: string) => hostsPerRole.get(role) ?? 0;
  const readings = readingsOf(activeRules);
  const trafficOn = (id: string) => { const s = perRule.get(id); return s !== undefined && s.allowed + s.blocked > 0; };
  return activeRules.map((r) => {
    const seen = perRule.get(r.id) ?? { allowed: 0, blocked: 0 };
    const others = (readings.get(r.alternativeOf ?? r.id) ?? []).filter((id) => id !== r.id);
    const fromHosts = hostsWith(r.from);
    const toHosts = hostsWith(r.to);
    let status: CoverageEntry["status"];
    if (seen.allowed > 0 && seen.blocked > 0) status = "allowed-and-blocked";
    else if (seen.allowed > 0) status = "allowed";
    else if (seen.blocked > 0) status = "blocked";
    else if (fromHosts === 0 || toHosts === 0) status = "no-hosts";
    // Of several readings of one statement, coverage asks for one: the counted one while none saw traffic.
    else if (r.requirement !== "required" || r.alternativeOf !== undefined || others.some(trafficOn)) status = "not-observed";
    else status = "unobserved";
    return {
      rule: r.id, from: r.from, to: r.to, services: r.services, requirement: r.requirement, scenarios: r.scenarios,
      inferred: r.inferred, inferredReason: r.inferredReason ?? null, source: r.source, fromHosts, toHosts,
      allowed: seen.allowed, blocked: seen.blocked, status, alternatives: others,
    };
  });
}

/**
 * Readings of one statement (`alternative_of`), by the id of the reading coverage counts: that rule
 * first, then its alternatives, as far as they are active.
 */
function readingsOf(rules: readonly Rule[]): Map<string, string[]> {
  const active = new Set(rules.map((r) => r.id));
  const out = new Map<string, string[]>();
  for (const r of rules) {
    if (r.alternativeOf === undefined || !active.has(r.alternativeOf)) continue;
    const list = out.get(r.alternativeOf) ?? [r.alternativeOf];
    list.push(r.id);
    out.set(r.alternativeOf, list);
  }
  return out;
}
