import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../decode/batch.js";
import type { Range } from "../model/ports.js";
import { cidrs, type AddressBlock, type Family } from "./addresses.js";
import { protoFamilies, type ExportPlan, type Opening } from "./compile.js";
import { comment, headerLines, logPrefixes, openingText, traceLines } from "./trace.js";
import type { ExportFormat, RenderOptions } from "./format.js";

/**
 * iptables-restore (and ip6tables-restore) input, and the ipset sets it can match instead of address
 * lists. The file replaces the filter table the way an iptables-save file does: built-in chains with
 * policy ACCEPT, and one chain of ours jumped to from FORWARD (and from INPUT for the inventory's
 * firewall: addresses) that accepts replies, then each opening, then logs and drops whatever else runs
 * between two inventory addresses.
 */

/** iptables' LOG target takes a prefix of at most 29 characters (xt_LOG.h). */
const LOG_PREFIX_MAX = 29;
/** multiport takes at most 15 ports, a range counting as two (xt_multiport.h XT_MULTI_PORTS). */
const MULTIPORT_MAX = 15;

export function ipsetName(role: string, family: Family): string {
  // ipset names are at most 31 characters (IPSET_MAXNAMELEN - 1).
  return `pm-${role}-${family}`.slice(0, 31);
}

/** Port lists for multiport, split so that no piece holds more than 15 ports (ranges count two). */
function portChunks(ranges: readonly Range[]): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let weight = 0;
  for (const [a, b] of ranges) {
    const w = a === b ? 1 : 2;
    if (weight + w > MULTIPORT_MAX) {
      out.push(cur.join(","));
      cur = [];
      weight = 0;
    }
    cur.push(a === b ? String(a) : `${a}:${b}`);
    weight += w;
  }
  if (cur.length > 0) out.push(cur.join(","));
  return out;
}

/** One port or range goes in the tcp/udp match (--dport 3268:3269); a list needs multiport. */
function portMatch(kind: "sport" | "dport", list: string): string {
  return list.includes(",") ? `-m multiport --${kind}s ${list}` : `--${kind} ${list}`;
}

/** The protocol part of each rule line for one opening (several when the ports need several lines). */
function protoMatches(o: Opening, family: Family): string[] {
  if (o.proto === PROTO_ICMP || o.proto === PROTO_ICMPV6) {
    const all = o.ports.length === 1 && o.ports[0]![0] === 0 && o.ports[0]![1] === 255;
    const p = family === 4 ? "icmp" : "ipv6-icmp";
    if (all) return [`-p ${p}`];
    const opt = family === 4 ? "--icmp-type" : "--icmpv6-type";
    return o.ports.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, k) => `-p ${p} -m ${family === 4 ? "icmp" : "icmp6"} ${opt} ${a + k}`));
  }
  const p = o.proto === PROTO_TCP ? "tcp" : o.proto === PROTO_UDP ? "udp" : String(o.proto);
  if (o.proto !== PROTO_TCP && o.proto !== PROTO_UDP) return [`-p ${p}`];
  const sports = o.sourcePorts ? portChunks(o.sourcePorts) : [undefined];
  return portChunks(o.ports).flatMap((d) => sports.map((s) => `-p ${p} -m ${p}${s !== undefined ? ` ${portMatch("sport", s)}` : ""} ${portMatch("dport", d)}`));
}

/** iptables-restore refuses a parameter longer than 1023 bytes (xtables.c, "Parameter too long!"). */
const PARAM_MAX = 1000;

/**
 * Address matches for one side: with --ipset one set match; otherwise comma-separated prefixes, which
 * iptables expands into one rule per address (iptables(8), -s), in as many pieces as the parameter
 * length limit needs. Undefined when the side has no address of this family.
 */
function addressMatches(blocks: readonly AddressBlock[], family: Family, flag: "-s" | "-d", set: string, opts: RenderOptions): string[] | undefined {
  const mine = blocks.filter((b) => b.family === family);
  if (mine.length === 0) return undefined;
  if (opts.ipset) return [`-m set --match-set ${set} ${flag === "-s" ? "src" : "dst"}`];
  const out: string[] = [];
  let cur = "";
  for (const c of cidrs(mine)) {
    if (cur !== "" && cur.length + 1 + c.length > PARAM_MAX) { out.push(`${flag} ${cur}`); cur = ""; }
    cur = cur === "" ? c : `${cur},${c}`;
  }
  out.push(`${flag} ${cur}`);
  return out;
}

function cross(a: readonly string[], b: readonly string[]): string[] {
  return a.flatMap((x) => b.map((y) => `${x} ${y}`));
}

function chainRules(plan: ExportPlan, family: Family, chainName: string, openings: readonly Opening[], dst: readonly AddressBlock[], dstSet: string, opts: RenderOptions): string {
  const blocksOf = new Map(plan.roles.map((r) => [r.id, r.blocks]));
  const log = logPrefixes(opts.logPrefix, LOG_PREFIX_MAX);
  let out = `-A ${chainName} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n`;
  let pair = "";
  let lastRule = "";
  for (const o of openings) {
    if (!protoFamilies(o.proto).includes(family)) continue;
    const src = addressMatches(blocksOf.get(o.from) ?? [], family, "-s", ipsetName(o.from, family), opts);
    const dstM = addressMatches(blocksOf.get(o.to) ?? [], family, "-d", ipsetName(o.to, family), opts);
    if (src === undefined || dstM === undefined) continue;
    const p = `${o.from} -> ${o.to}`;
    if (p !== pair) { out += `# ---- ${p}\n`; pair = p; }
    if (o.rule.id !== lastRule) { out += comment(traceLines(plan, o.rule), "#"); lastRule = o.rule.id; }
    out += `# ${openingText(o)}\n`;
    for (const addr of cross(src, dstM)) {
      for (const pm of protoMatches(o, family)) {
        const base = `-A ${chainName} ${addr} ${pm} -m comment --comment "${o.rule.id}"`;
        if (opts.logAccepted) out += `${base} -m conntrack --ctstate NEW -j LOG --log-prefix "${log.accept}"\n`;
        out += `${base} -j ACCEPT\n`;
      }
    }
  }
  const all = addressMatches(plan.inventoryBlocks, family, "-s", `pm-inventory-${family}`, opts);
  const to = addressMatches(dst, family, "-d", dstSet, opts);
  if (all !== undefined && to !== undefined) {
    out += "# everything else between inventory addresses: logged (read back by portmatrix check as blocked), dropped\n";
    for (const addr of cross(all, to)) {
      out += `-A ${chainName} ${addr} -j LOG --log-prefix "${log.drop}"\n`;
      out += `-A ${chainName} ${addr} -j DROP\n`;
    }
  }
  return out;
}

function render(family: Family) {
  return (plan: ExportPlan, opts: RenderOptions): string => {
    const tool = family === 4 ? "iptables" : "ip6tables";
    const fwd = `${opts.table}-fwd`.slice(0, 28);
    const inp = `${opts.table}-in`.slice(0, 28);
    const hasFw = plan.firewallBlocks.some((b) => b.family === family);
    const head = comment([
      ...headerLines(plan, tool),
      "",
      `load: ${tool}-restore < FILE (replaces the filter table, as an ${tool}-save file does)${opts.ipset ? `, after: ipset restore -exist < SETS (portmatrix export --to ipset)` : ""}`,
      `dropped traffic between inventory addresses is logged as "${logPrefixes(opts.logPrefix, LOG_PREFIX_MAX).drop}"; portmatrix check reads it as blocked`,
    ], "#");
    let body = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
    body += `:${fwd} - [0:0]\n`;
    if (hasFw) body += `:${inp} - [0:0]\n`;
    body += `-A FORWARD -j ${fwd}\n`;
    if (hasFw) body += `-A INPUT -j ${inp}\n`;
    body += chainRules(plan, family, fwd, plan.openings, plan.inventoryBlocks, `pm-inventory-${family}`, opts);
    if (hasFw) {
      const fw = plan.firewallBlocks;
      const blocksOf = new Map(plan.roles.map((r) => [r.id, r.blocks]));
      const local = plan.openings.filter((o) => (blocksOf.get(o.to) ?? []).some((b) => fw.some((x) => x.family === b.family && x.first <= b.last && b.first <= x.last)));
      body += chainRules(plan, family, inp, local, fw, `pm-firewall-${family}`, opts);
    }
    return `${head}${body}COMMIT\n`;
  };
}

/** `ipset restore` input: one hash:net set per role and family, and the inventory's and firewall's. */
export function renderIpset(plan: ExportPlan): string {
  let out = comment([
    ...headerLines(plan, "ipset"),
    "",
    "load: ipset restore -exist < FILE, before the iptables export made with --ipset",
  ], "#");
  const set = (name: string, family: Family, blocks: readonly AddressBlock[], title: string) => {
    const mine = blocks.filter((b) => b.family === family);
    if (mine.length === 0) return;
    out += `# ${title}\ncreate ${name} hash:net family ${family === 4 ? "inet" : "inet6"}\nflush ${name}\n`;
    for (const c of cidrs(mine)) out += `add ${name} ${c}\n`;
  };
  for (const f of [4, 6] as const) {
    for (const r of plan.roles) set(ipsetName(r.id, f), f, r.blocks, `role ${r.id}: ${r.title}`);
    set(`pm-inventory-${f}`, f, plan.inventoryBlocks, "every inventory address");
    set(`pm-firewall-${f}`, f, plan.firewallBlocks, "the firewall's own addresses (inventory firewall:)");
  }
  return out;
}

export const iptables: ExportFormat = {
  id: "iptables", title: "iptables-restore input, IPv4 (--ipset: match ipset sets instead of address lists)", render: render(4), usesLog: true,
};
export const ip6tables: ExportFormat = {
  id: "ip6tables", title: "ip6tables-restore input, IPv6", render: render(6), usesLog: true,
};
export const ipset: ExportFormat = {
  id: "ipset", title: "ipset restore input: one hash:net set per role, for iptables --ipset", render: renderIpset, usesLog: false,
};
