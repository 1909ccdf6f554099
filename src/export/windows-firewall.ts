import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../decode/batch.js";
import { blockText } from "./addresses.js";
import type { ExportPlan, Opening } from "./compile.js";
import { comment, headerLines, oneLine, openingText, rangesText, traceLines } from "./trace.js";
import type { ExportFormat, RenderOptions } from "./format.js";

/**
 * Windows Defender Firewall: a PowerShell script of New-NetFirewallRule commands (NetSecurity module),
 * run on each host with the roles that host plays (`-Role kcps-fs`). A destination role gets an inbound
 * rule per opening (remote addresses: the source role's), a source role the matching outbound rule
 * (needed where outbound traffic is blocked by default). Every rule is in one group, so
 * `Remove-NetFirewallRule -Group <group>` removes the export as a unit; the script does that first, so
 * running it again replaces the rules rather than adding copies.
 */

/** PowerShell single-quoted string: a quote is doubled (about_Quoting_Rules). */
export function psQuote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function protocolArgs(o: Opening): string[] | undefined {
  if (o.proto === PROTO_TCP || o.proto === PROTO_UDP) return [`-Protocol ${o.proto === PROTO_TCP ? "TCP" : "UDP"}`];
  if (o.proto === PROTO_ICMP || o.proto === PROTO_ICMPV6) {
    const all = o.ports.length === 1 && o.ports[0]![0] === 0 && o.ports[0]![1] === 255;
    const types = o.ports.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, k) => String(a + k)));
    return [`-Protocol ${o.proto === PROTO_ICMP ? "ICMPv4" : "ICMPv6"}`, ...(all ? [] : [`-IcmpType ${types.join(",")}`])];
  }
  return undefined;
}

function portList(o: Opening): string {
  // New-NetFirewallRule takes ports and "a-b" ranges as a list (-LocalPort, -RemotePort).
  return o.ports.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(",");
}

/** The peer role's addresses; an ICMP rule takes only those of its own IP version. */
function addresses(plan: ExportPlan, role: string, proto: number): string {
  const r = plan.roles.find((x) => x.id === role);
  const family = proto === PROTO_ICMP ? 4 : proto === PROTO_ICMPV6 ? 6 : undefined;
  return (r?.blocks ?? []).filter((b) => family === undefined || b.family === family).map((b) => psQuote(blockText(b))).join(",");
}

function ruleCommand(plan: ExportPlan, o: Opening, dir: "Inbound" | "Outbound", group: string): string {
  const proto = protocolArgs(o)!;
  const tcpUdp = o.proto === PROTO_TCP || o.proto === PROTO_UDP;
  const peer = dir === "Inbound" ? o.from : o.to;
  const name = `${group}-${o.rule.id}-${proto[0]!.slice(10).toLowerCase()}-${dir === "Inbound" ? "in" : "out"}`;
  const desc = oneLine(`${o.rule.id}: ${o.rule.purpose} Seed: ${o.rule.source}${o.rule.inferred ? ` INFERRED: ${o.rule.inferredReason ?? ""}` : ""}`);
  const args = [
    `-Name ${psQuote(name)}`,
    `-DisplayName ${psQuote(`${o.rule.id} (${openingText(o)}) ${dir === "Inbound" ? "from" : "to"} ${peer}`)}`,
    `-Group $Group`,
    `-Direction ${dir}`,
    "-Action Allow",
    ...proto,
  ];
  if (tcpUdp) args.push(dir === "Inbound" ? `-LocalPort ${portList(o)}` : `-RemotePort ${portList(o)}`);
  if (tcpUdp && o.sourcePorts) {
    const sp = rangesText(o.sourcePorts, ",");
    args.push(dir === "Inbound" ? `-RemotePort ${sp}` : `-LocalPort ${sp}`);
  }
  args.push(`-RemoteAddress ${addresses(plan, peer, o.proto)}`, `-Description ${psQuote(desc)}`);
  return `  New-NetFirewallRule ${args.join(" `\n    ")} | Out-Null\n`;
}

export function renderWindowsFirewall(plan: ExportPlan, opts: RenderOptions): string {
  const group = `${opts.table}-${plan.ruleset.id}`;
  const roles = plan.roles.map((r) => r.id);
  // A byte-order mark: Windows PowerShell 5.1 reads a script without one in the ANSI code page, which
  // would garble the seed's Japanese in the rule descriptions.
  let out = "\uFEFF" + comment([
    ...headerLines(plan, "windows-firewall"),
    "",
    "run as administrator on each host, naming the roles it plays, for example:",
    `  .\\portmatrix-firewall.ps1 -Role ${roles[0] ?? "ROLE"}`,
    `remove everything it created: Remove-NetFirewallRule -Group '${group}'`,
    "inbound rules go on the destination role, outbound rules on the source role (they matter where",
    "outbound traffic is blocked by default). A rule's client ports become -RemotePort inbound and",
    "-LocalPort outbound.",
    "Dropped connections are written to pfirewall.log (portmatrix reads it) once the profile logs them:",
    "  Set-NetFirewallProfile -All -LogBlocked True -LogAllowed True",
  ], "#");
  out += `#Requires -RunAsAdministrator\n#Requires -Modules NetSecurity\n`;
  out += `param(\n  [Parameter(Mandatory = $true)]\n  [ValidateSet(${roles.map(psQuote).join(", ")})]\n  [string[]] $Role\n)\n`;
  out += `$ErrorActionPreference = 'Stop'\n$Group = ${psQuote(group)}\n`;
  out += `# Running again replaces the group's rules instead of adding copies.\nRemove-NetFirewallRule -Group $Group -ErrorAction SilentlyContinue\n`;
  for (const role of plan.roles) {
    const usable = (o: Opening) => protocolArgs(o) !== undefined && addresses(plan, o.from, o.proto) !== "" && addresses(plan, o.to, o.proto) !== "";
    const inbound = plan.openings.filter((o) => o.to === role.id && usable(o));
    const outbound = plan.openings.filter((o) => o.from === role.id && usable(o));
    if (inbound.length + outbound.length === 0) continue;
    out += `\n# ==== role ${role.id}: ${role.title}\nif ($Role -contains ${psQuote(role.id)}) {\n`;
    let last = "";
    for (const [dir, list] of [["Inbound", inbound], ["Outbound", outbound]] as const) {
      for (const o of list) {
        if (`${dir}${o.rule.id}` !== last) {
          out += comment(traceLines(plan, o.rule), "#", "  ");
          last = `${dir}${o.rule.id}`;
        }
        out += ruleCommand(plan, o, dir, group);
      }
    }
    out += "}\n";
  }
  return out;
}

export const windowsFirewall: ExportFormat = {
  id: "windows-firewall",
  title: "PowerShell New-NetFirewallRule script per host role, one -Group to remove it as a unit",
  render: renderWindowsFirewall,
  usesLog: false,
};
