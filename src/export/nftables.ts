import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../decode/batch.js";
import type { Range } from "../model/ports.js";
import { blockText, type AddressBlock, type Family } from "./addresses.js";
import { protoFamilies, type ExportPlan, type Opening } from "./compile.js";
import { comment, headerLines, logPrefixes, openingText, traceLines } from "./trace.js";
import type { ExportFormat, RenderOptions } from "./format.js";

/**
 * nftables: one file for `nft -f` that replaces its own table and touches nothing else.
 *
 * Sets per role and family hold exactly the addresses the matcher gives that role (interval sets,
 * because a role's addresses are a prefix with longer prefixes of other roles cut out). The forward
 * chain accepts established/related replies, then each opening, then logs and drops whatever else goes
 * from one inventory address to another; traffic that does not run between inventory addresses is
 * left to the chain's accept policy and to the host's other tables. An input chain does the same for
 * openings towards the inventory's `firewall:` addresses.
 */

const ICMP_NAMES: Record<number, string> = {
  0: "echo-reply", 3: "destination-unreachable", 5: "redirect", 8: "echo-request", 11: "time-exceeded",
};
const ICMPV6_NAMES: Record<number, string> = {
  1: "destination-unreachable", 2: "packet-too-big", 3: "time-exceeded", 128: "echo-request", 129: "echo-reply",
  135: "nd-neighbor-solicit", 136: "nd-neighbor-advert",
};

/** nft identifiers take letters, digits and underscores; role ids are lower-case words with hyphens. */
export function roleSetName(role: string, family: Family): string {
  return `role_${role.replace(/-/g, "_")}_v${family}`;
}

function values(ranges: readonly Range[], names: Record<number, string> = {}): string {
  const list = ranges.map(([a, b]) => (a === b ? names[a] ?? String(a) : `${a}-${b}`));
  return list.length === 1 ? list[0]! : `{ ${list.join(", ")} }`;
}

/** The protocol part of an nft rule, or undefined for a protocol this family does not carry. */
function protoMatch(o: Opening, family: Family): string | undefined {
  if (!protoFamilies(o.proto).includes(family)) return undefined;
  if (o.proto === PROTO_ICMP || o.proto === PROTO_ICMPV6) {
    const kw = o.proto === PROTO_ICMP ? "icmp" : "icmpv6";
    const all = o.ports.length === 1 && o.ports[0]![0] === 0 && o.ports[0]![1] === 255;
    return all ? `meta l4proto ${kw}` : `${kw} type ${values(o.ports, o.proto === PROTO_ICMP ? ICMP_NAMES : ICMPV6_NAMES)}`;
  }
  const kw = o.proto === PROTO_TCP ? "tcp" : o.proto === PROTO_UDP ? "udp" : undefined;
  if (kw === undefined) return `meta l4proto ${o.proto}`;
  const sport = o.sourcePorts ? `${kw} sport ${values(o.sourcePorts)} ` : "";
  return `${sport}${kw} dport ${values(o.ports)}`;
}

function setDef(name: string, family: Family, blocks: readonly AddressBlock[], title: string): string {
  const elems = blocks.filter((b) => b.family === family).map((b) => blockText(b));
  return [
    `  # ${title}`,
    `  set ${name} {`,
    `    type ${family === 4 ? "ipv4_addr" : "ipv6_addr"}`,
    "    flags interval",
    `    elements = { ${elems.join(", ")} }`,
    "  }",
  ].join("\n") + "\n";
}

function hasFamily(blocks: readonly AddressBlock[], family: Family): boolean {
  return blocks.some((b) => b.family === family);
}

function ruleLines(plan: ExportPlan, openings: readonly Opening[], opts: RenderOptions, daddrSet: (o: Opening, f: Family) => string | undefined): string {
  const blocksOf = new Map(plan.roles.map((r) => [r.id, r.blocks]));
  const log = logPrefixes(opts.logPrefix, 127);
  let out = "";
  let pair = "";
  let lastRule = "";
  for (const o of openings) {
    const lines: string[] = [];
    for (const f of [4, 6] as const) {
      const pm = protoMatch(o, f);
      const dset = daddrSet(o, f);
      if (pm === undefined || dset === undefined || !hasFamily(blocksOf.get(o.from) ?? [], f)) continue;
      const ip = f === 4 ? "ip" : "ip6";
      const logPart = opts.logAccepted ? `log prefix "${log.accept}" ` : "";
      lines.push(`    ${ip} saddr @${roleSetName(o.from, f)} ${ip} daddr @${dset} ${pm} ${logPart}accept comment "${o.rule.id}"`);
    }
    if (lines.length === 0) continue;
    const p = `${o.from} -> ${o.to}`;
    if (p !== pair) {
      out += `\n    # ---- ${p}\n`;
      pair = p;
    }
    if (o.rule.id !== lastRule) {
      out += comment(traceLines(plan, o.rule), "#", "    ");
      lastRule = o.rule.id;
    }
    out += `    # ${openingText(o)}\n${lines.join("\n")}\n`;
  }
  return out;
}

function dropLines(opts: RenderOptions, plan: ExportPlan, dst: "inventory" | "firewall"): string {
  const log = logPrefixes(opts.logPrefix, 127);
  let out = `\n    # everything else from one inventory address to ${dst === "inventory" ? "another" : "the firewall"}: logged (read back by portmatrix check as blocked), dropped\n`;
  for (const f of [4, 6] as const) {
    const dstBlocks = dst === "inventory" ? plan.inventoryBlocks : plan.firewallBlocks;
    if (!hasFamily(plan.inventoryBlocks, f) || !hasFamily(dstBlocks, f)) continue;
    const ip = f === 4 ? "ip" : "ip6";
    out += `    ${ip} saddr @inventory_v${f} ${ip} daddr @${dst}_v${f} log prefix "${log.drop}" drop\n`;
  }
  return out;
}

function chain(name: string, hook: string, body: string): string {
  return [
    `  chain ${name} {`,
    `    type filter hook ${hook} priority filter; policy accept;`,
    "    ct state established,related accept",
  ].join("\n") + "\n" + body + "  }\n";
}

export function renderNftables(plan: ExportPlan, opts: RenderOptions): string {
  const table = opts.table;
  let sets = "";
  for (const r of plan.roles) {
    for (const f of [4, 6] as const) {
      if (hasFamily(r.blocks, f)) sets += setDef(roleSetName(r.id, f), f, r.blocks, `role ${r.id}: ${r.title}`);
    }
  }
  for (const f of [4, 6] as const) {
    if (hasFamily(plan.inventoryBlocks, f)) sets += setDef(`inventory_v${f}`, f, plan.inventoryBlocks, "every inventory address");
    if (hasFamily(plan.firewallBlocks, f)) sets += setDef(`firewall_v${f}`, f, plan.firewallBlocks, "the firewall's own addresses (inventory firewall:)");
  }
  const blocksOf = new Map(plan.roles.map((r) => [r.id, r.blocks]));
  const toRole = (o: Opening, f: Family) => (hasFamily(blocksOf.get(o.to) ?? [], f) ? roleSetName(o.to, f) : undefined);
  let body = chain("forward", "forward", ruleLines(plan, plan.openings, opts, toRole) + dropLines(opts, plan, "inventory"));
  if (plan.firewallBlocks.length > 0) {
    // Only openings whose destination role holds a firewall address can reach the input hook.
    const fw = plan.firewallBlocks;
    const local = plan.openings.filter((o) => (blocksOf.get(o.to) ?? []).some((b) => fw.some((x) => x.family === b.family && x.first <= b.last && b.first <= x.last)));
    body += "\n" + chain("input", "input", ruleLines(plan, local, opts, toRole) + dropLines(opts, plan, "firewall"));
  }
  const header = comment([
    ...headerLines(plan, "nftables"),
    "",
    `load: nft -f FILE (replaces table inet ${table}, leaves every other table alone)`,
    `dropped traffic between inventory addresses is logged as "${logPrefixes(opts.logPrefix, 127).drop}"; portmatrix check reads it as blocked`,
  ], "#");
  return `#!/usr/sbin/nft -f\n${header}\n# create the table if it is missing, so that the delete below always succeeds\ntable inet ${table}\ndelete table inet ${table}\n\ntable inet ${table} {\n${sets}\n${body}}\n`;
}

export const nftables: ExportFormat = {
  id: "nftables",
  title: "nftables ruleset for nft -f (its own inet table, forward and input hooks)",
  render: renderNftables,
  usesLog: true,
};
