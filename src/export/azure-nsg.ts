import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../decode/batch.js";
import { cidrs } from "./addresses.js";
import { protoFamilies, type ExportPlan, type Opening } from "./compile.js";
import type { Family } from "./addresses.js";
import { UsageError } from "../errors.js";
import { headerLines, oneLine, rangesText } from "./trace.js";
import type { ExportFormat, RenderOptions } from "./format.js";

/**
 * Azure: an ARM template (JSON) with one network security group per destination role, holding an
 * inbound Allow rule per opening (source and destination prefixes from the inventory) and, last, an
 * inbound Deny for everything else from an inventory address: without it the default
 * AllowVnetInBound rule (priority 65000) would let any virtual-network traffic through. Attach each
 * NSG to the subnet or NICs of its role. NSG rules cannot tell ICMP types apart: an ICMP opening allows
 * all of ICMP ("Icmp"), and says so in its description.
 */

/** NSG rule priorities are 100..4096, lower first (Microsoft.Network securityRules, priority). */
const FIRST_PRIORITY = 100;
const DENY_PRIORITY = 4096;
export const API_VERSION = "2023-09-01";

/** Rule names: 1-80 characters, a letter or digit first, a letter, digit or _ last, . _ - between. */
export function nsgRuleName(s: string): string {
  const t = s.replace(/[^a-zA-Z0-9._-]/g, "-").slice(0, 80);
  return t.replace(/[.-]+$/, "");
}

/** Descriptions hold at most 140 characters. */
function description(s: string): string {
  return oneLine(s).slice(0, 140);
}

function protocol(proto: number): string {
  return proto === PROTO_TCP ? "Tcp" : proto === PROTO_UDP ? "Udp" : proto === PROTO_ICMP || proto === PROTO_ICMPV6 ? "Icmp" : "*";
}

function portRanges(o: Opening): string[] {
  if (o.proto !== PROTO_TCP && o.proto !== PROTO_UDP) return ["*"];
  return o.ports.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
}

export function renderAzureNsg(plan: ExportPlan, opts: RenderOptions): string {
  // One rule never mixes IPv4 and IPv6 prefixes: a rule per family that both sides have.
  const prefixesOf = (role: string, f: Family) => cidrs((plan.roles.find((r) => r.id === role)?.blocks ?? []).filter((b) => b.family === f));
  const allOf = (f: Family) => cidrs(plan.inventoryBlocks.filter((b) => b.family === f));
  const resources: unknown[] = [];
  for (const role of plan.roles) {
    const inbound = plan.openings.filter((o) => o.to === role.id);
    if (inbound.length === 0) continue;
    const rules: unknown[] = [];
    for (const o of inbound) {
      const icmp = o.proto === PROTO_ICMP || o.proto === PROTO_ICMPV6;
      const text = `${o.rule.id}${o.rule.inferred ? " INFERRED" : ""}: ${o.rule.source}`;
      for (const f of protoFamilies(o.proto)) {
        const src = prefixesOf(o.from, f);
        const dst = prefixesOf(o.to, f);
        if (src.length === 0 || dst.length === 0) continue;
        rules.push({
          name: nsgRuleName(`${o.rule.id}-${protocol(o.proto).toLowerCase()}${f === 6 ? "-v6" : ""}`),
          properties: {
            description: description(icmp ? `${o.rule.id}: ICMP types ${rangesText(o.ports)} wanted, NSG allows all ICMP. ${o.rule.source}` : text),
            protocol: protocol(o.proto),
            sourceAddressPrefixes: src,
            sourcePortRanges: o.sourcePorts ? o.sourcePorts.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)) : ["*"],
            destinationAddressPrefixes: dst,
            destinationPortRanges: portRanges(o),
            access: "Allow",
            priority: FIRST_PRIORITY + rules.length,
            direction: "Inbound",
          },
        });
      }
    }
    if (rules.length > DENY_PRIORITY - FIRST_PRIORITY - 1) throw new UsageError(`role ${role.id}: ${rules.length} NSG rules, more than the priorities 100-4094 hold`);
    for (const f of [4, 6] as const) {
      const dst = prefixesOf(role.id, f);
      if (dst.length === 0 || allOf(f).length === 0) continue;
      rules.push({
        name: `deny-other-inventory-traffic${f === 6 ? "-v6" : ""}`,
        properties: {
          description: description(`portmatrix: everything else from an inventory address to role ${role.id} is denied`),
          protocol: "*",
          sourceAddressPrefixes: allOf(f),
          sourcePortRanges: ["*"],
          destinationAddressPrefixes: dst,
          destinationPortRanges: ["*"],
          access: "Deny",
          priority: DENY_PRIORITY - (f === 6 ? 1 : 0),
          direction: "Inbound",
        },
      });
    }
    resources.push({
      type: "Microsoft.Network/networkSecurityGroups",
      apiVersion: API_VERSION,
      name: `[concat(parameters('namePrefix'), '-${role.id}')]`,
      location: "[parameters('location')]",
      tags: { "portmatrix-ruleset": plan.ruleset.id, "portmatrix-role": role.id },
      properties: { securityRules: rules },
    });
  }
  const template = {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    metadata: {
      portmatrix: {
        header: headerLines(plan, "azure-nsg"),
        rules: Object.fromEntries([...new Map(plan.openings.map((o) => [o.rule.id, o.rule])).values()].map((r) => [r.id, {
          from: r.from, to: r.to, purpose: r.purpose, seed: r.source,
          ...(r.inferred ? { inferred: oneLine(r.inferredReason ?? "") } : {}),
          ...(r.requirement === "conditional" ? { conditional: r.condition ?? "" } : {}),
        }])),
      },
    },
    parameters: {
      location: { type: "string", defaultValue: "[resourceGroup().location]", metadata: { description: "where the NSGs are created" } },
      namePrefix: { type: "string", defaultValue: `${opts.table}-${plan.ruleset.id}`, metadata: { description: "NSG names are <namePrefix>-<role>" } },
    },
    resources,
  };
  return JSON.stringify(template, null, 2) + "\n";
}

export const azureNsg: ExportFormat = {
  id: "azure-nsg",
  title: "ARM template (JSON): a network security group per destination role",
  render: renderAzureNsg,
  usesLog: false,
};
