import { describe, it, expect } from "vitest";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { itNeeding, needRoot, needTool } from "../helpers/need.js";
import { planExport } from "../../src/pipeline/export.js";
import { roleBlocks } from "../../src/export/addresses.js";
import { RoleLookup } from "../../src/match/roles.js";
import { parseInventoryYaml } from "../../src/model/inventory.js";
import { cfnSpec, validateCloudFormation, azureNetworkModel, validateNsg } from "./schemas.js";

/**
 * Golden files for every export format (`npm run golden:update` writes them; a missing one fails),
 * each checked by the tool or schema that will read it: nft -c, iptables-restore --test, the
 * CloudFormation Resource Specification, the Azure Network REST model, and a structural reading of
 * the PowerShell script (no PowerShell on Debian).
 */
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const GOLDEN = "test/export/golden";
const KCPS = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];
const FW_INV = "test/export/inventory-firewall.yaml";

const CASES: { file: string; args: string[] }[] = [
  { file: "kcps.nft", args: ["--to", "nftables", ...KCPS] },
  { file: "kcps.documented-only.nft", args: ["--to", "nftables", ...KCPS, "--documented-only"] },
  { file: "kcps.trust.two-way.nft", args: ["--to", "nftables", ...KCPS, "-s", "trust", "--set", "trust_direction=two-way"] },
  { file: "firewall-host.nft", args: ["--to", "nftables", "-r", "kcps-file-server", "-i", FW_INV, "--log-accepted"] },
  { file: "export-lab.nft", args: ["--to", "nftables", "-r", "kcps-file-server", "-i", "fixtures/lab/export-lab/inventory.yaml", "--log-accepted"] },
  { file: "kcps.iptables.rules", args: ["--to", "iptables", ...KCPS] },
  { file: "kcps.ip6tables.rules", args: ["--to", "ip6tables", ...KCPS] },
  { file: "kcps.iptables-ipset.rules", args: ["--to", "iptables", "--ipset", ...KCPS] },
  { file: "kcps.ipset", args: ["--to", "ipset", ...KCPS] },
  { file: "firewall-host.iptables.rules", args: ["--to", "iptables", "-r", "kcps-file-server", "-i", FW_INV] },
  { file: "kcps.windows-firewall.ps1", args: ["--to", "windows-firewall", ...KCPS] },
  { file: "kcps.aws-security-group.json", args: ["--to", "aws-security-group", ...KCPS] },
  { file: "kcps.azure-nsg.json", args: ["--to", "azure-nsg", ...KCPS] },
];

async function exportText(args: string[]): Promise<string> {
  const r = await runCli(["export", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout;
}

function golden(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  expect(existsSync(path), `${path} is missing: run npm run golden:update and review it`).toBe(true);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("export golden files (one per format and option that changes the output)", () => {
  for (const c of CASES) {
    it(c.file, async () => {
      const text = await exportText(c.args);
      golden(c.file, text);
      expect(await exportText(c.args)).toBe(text);
    });
  }
});

/** Run a shell command in a fresh network namespace (check modes still talk to the kernel). */
function inNetns(cmd: string): { status: number | null; out: string } {
  const r = spawnSync("unshare", ["--net", "sh", "-c", cmd], { encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A test that runs `tools` as root in a fresh network namespace (test/helpers/need.ts decides skip or fail). */
function toolTest(name: string, tools: string[], fn: () => void): void {
  itNeeding([needRoot, () => needTool("unshare", ...tools)], name, fn);
}

describe("the exports load in the tools that read them", () => {
  for (const f of ["kcps.nft", "kcps.documented-only.nft", "kcps.trust.two-way.nft", "firewall-host.nft", "export-lab.nft"]) {
    toolTest(`nft -c -f accepts ${f}`, ["nft"], () => {
      const r = inNetns(`nft -c -f ${join(GOLDEN, f)}`);
      expect(r.status, r.out).toBe(0);
    });
  }
  toolTest("nft -f loads kcps.nft twice (the file replaces its own table) and lists the rule comments", ["nft"], () => {
    const r = inNetns(`nft -f ${GOLDEN}/kcps.nft && nft -f ${GOLDEN}/kcps.nft && nft list table inet portmatrix`);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain('comment "smb-client-to-kcps-fs"');
    expect(r.out.match(/log prefix "portmatrix DROP "/g)).toHaveLength(2);
  });
  for (const [f, tool] of [["kcps.iptables.rules", "iptables-restore"], ["kcps.ip6tables.rules", "ip6tables-restore"], ["firewall-host.iptables.rules", "iptables-restore"]] as const) {
    toolTest(`${tool} --test accepts ${f}`, [tool], () => {
      const r = inNetns(`${tool} --test < ${join(GOLDEN, f)}`);
      expect(r.status, r.out).toBe(0);
    });
  }
  toolTest("ipset restore loads kcps.ipset, then iptables-restore --test accepts the --ipset rules", ["ipset", "iptables-restore"], () => {
    const r = inNetns(`ipset restore -exist < ${GOLDEN}/kcps.ipset && ipset restore -exist < ${GOLDEN}/kcps.ipset && iptables-restore --test < ${GOLDEN}/kcps.iptables-ipset.rules && ipset list pm-file-share-client-4`);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("10.99.1.201");
    expect(r.out).not.toMatch(/^10\.99\.1\.200\b/m);
  });
  toolTest("the control: nft -c rejects a broken file", ["nft"], () => {
    const broken = tmpFiles({ "b.nft": readFileSync(join(GOLDEN, "kcps.nft"), "utf8").replace("tcp dport 445", "tcp dport 4450000") });
    expect(inNetns(`nft -c -f ${broken}/b.nft`).status).not.toBe(0);
  });
});

describe("provider schemas", () => {
  it("the CloudFormation template validates against the CloudFormation Resource Specification", () => {
    const spec = cfnSpec();
    const t = JSON.parse(readFileSync(join(GOLDEN, "kcps.aws-security-group.json"), "utf8")) as Record<string, unknown>;
    expect(validateCloudFormation(t, spec)).toEqual([]);
    const res = Object.values(t.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>);
    expect(res.filter((r) => r.Type === "AWS::EC2::SecurityGroup")).toHaveLength(8);
    for (const r of res) {
      const d = r.Properties.Description;
      if (typeof d === "string") expect(d, d).toMatch(/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{0,255}$/);
    }
    // The control: the validator finds what it should.
    const bad = JSON.parse(JSON.stringify(t)) as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    const first = Object.values(bad.Resources).find((r) => "FromPort" in r.Properties)!;
    first.Properties.FromPort = "445";
    first.Properties.Bogus = 1;
    delete first.Properties.IpProtocol;
    expect(validateCloudFormation(bad as unknown as Record<string, unknown>, spec)).toHaveLength(3);
  });
  it("every Azure NSG validates against the Network REST model (names, types, protocol, access, direction, priorities)", async () => {
    const model = await azureNetworkModel();
    const t = JSON.parse(readFileSync(join(GOLDEN, "kcps.azure-nsg.json"), "utf8")) as { resources: Record<string, unknown>[] };
    expect(t.resources.length).toBeGreaterThan(0);
    for (const r of t.resources) expect(validateNsg(r, model)).toEqual([]);
    const bad = JSON.parse(JSON.stringify(t.resources[0])) as { properties: { securityRules: { properties: Record<string, unknown> }[] } };
    bad.properties.securityRules[0]!.properties.protocol = "TCP";
    bad.properties.securityRules[0]!.properties.destinationPortRange = 445;
    bad.properties.securityRules[1]!.properties.priority = bad.properties.securityRules[0]!.properties.priority;
    expect(validateNsg(bad as unknown as Record<string, unknown>, model)).toHaveLength(3);
  });
  it("the PowerShell script is well formed: one New-NetFirewallRule per rule with known parameters and values", () => {
    const text = readFileSync(join(GOLDEN, "kcps.windows-firewall.ps1"), "utf8");
    expect(text.startsWith("\uFEFF")).toBe(true);
    const problems = checkPowerShell(text);
    expect(problems).toEqual([]);
    expect(checkPowerShell(text.replace("-Direction Inbound", "-Direction In").replace("-Action Allow", "-Acton Allow"))).toHaveLength(3);
  });
});

/**
 * What can be checked of the script without PowerShell: statements and quoting, and each
 * New-NetFirewallRule call's parameters and values against the cmdlet's documented parameter set
 * (NetSecurity module, New-NetFirewallRule).
 */
function checkPowerShell(text: string): string[] {
  const problems: string[] = [];
  const body = text.replace(/^\uFEFF/, "").split("\n").filter((l) => !/^\s*#/.test(l)).join("\n").replace(/ `\n\s*/g, " ");
  const PARAMS = new Set(["Name", "DisplayName", "Group", "Direction", "Action", "Protocol", "LocalPort", "RemotePort", "RemoteAddress", "Description", "IcmpType"]);
  const names = new Set<string>();
  let braces = 0;
  for (const line of body.split("\n")) {
    const unquoted = line.replace(/'(?:[^']|'')*'/g, "''");
    if ((unquoted.match(/'/g) ?? []).length % 2 !== 0) problems.push(`unbalanced quote: ${line}`);
    braces += (unquoted.match(/\{/g) ?? []).length - (unquoted.match(/\}/g) ?? []).length;
    if (!line.trim().startsWith("New-NetFirewallRule")) continue;
    const args = [...unquoted.matchAll(/\s-(\w+) (\S+)/g)];
    const got = new Map(args.map((m) => [m[1]!, m[2]!]));
    for (const k of got.keys()) if (!PARAMS.has(k)) problems.push(`unknown parameter -${k}`);
    if (!["Inbound", "Outbound"].includes(got.get("Direction") ?? "")) problems.push(`-Direction ${got.get("Direction")}`);
    if (got.get("Action") !== "Allow") problems.push(`-Action ${got.get("Action")}`);
    if (!["TCP", "UDP", "ICMPv4", "ICMPv6"].includes(got.get("Protocol") ?? "")) problems.push(`-Protocol ${got.get("Protocol")}`);
    for (const k of ["LocalPort", "RemotePort"]) {
      const v = got.get(k);
      if (v !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(v)) problems.push(`-${k} ${v}`);
    }
    const name = /-Name '([^']+)'/.exec(line)?.[1];
    if (!name || names.has(name)) problems.push(`-Name missing or twice: ${name}`);
    if (name) names.add(name);
    if (!/-RemoteAddress '[^']+'/.test(line)) problems.push(`-RemoteAddress missing: ${name}`);
  }
  if (braces !== 0) problems.push(`unbalanced braces (${braces})`);
  return problems;
}

describe("what the export opens", () => {
  it("role sets hold exactly the addresses the matcher gives each role (longest prefix wins)", () => {
    const text = [
      "roles:",
      "  file-share-client: [10.99.0.0/16, 'fd00:99::/48']",
      "  customer-admin-pc: [10.99.1.200, 10.99.3.0/25, 'fd00:99:0:1::/64']",
      "  customer-ad: [10.99.1.10, 10.99.3.64/26, 'fd00:99:0:1::10']",
      "  kcps-fs: [10.99.1.10, 10.99.2.10]",
    ].join("\n");
    const roleIds = ["file-share-client", "customer-admin-pc", "customer-ad", "kcps-fs"];
    const inv = parseInventoryYaml("inv.yaml", text, roleIds);
    const lookup = new RoleLookup(roleIds, inv);
    const blocks = roleBlocks(inv);
    fc.assert(fc.property(fc.integer({ min: (10 << 24) + (98 << 16), max: (10 << 24) + (100 << 16) }), (addr) => {
      const a = BigInt(addr >>> 0);
      const fromSets = roleIds.filter((r) => (blocks.get(r) ?? []).some((b) => b.family === 4 && b.first <= a && a <= b.last)).sort();
      expect(fromSets).toEqual(lookup.setRoleIds(lookup.lookup4(addr >>> 0)).sort());
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.bigInt({ min: 0xfd000099000000000000000000000000n - 5n, max: 0xfd000099000200000000000000000000n }), (a) => {
      const w = new Uint32Array([Number((a >> 96n) & 0xffffffffn), Number((a >> 64n) & 0xffffffffn), Number((a >> 32n) & 0xffffffffn), Number(a & 0xffffffffn)]);
      const fromSets = roleIds.filter((r) => (blocks.get(r) ?? []).some((b) => b.family === 6 && b.first <= a && a <= b.last)).sort();
      expect(fromSets).toEqual(lookup.setRoleIds(lookup.lookup6(w, 0)).sort());
    }), { numRuns: 1000 });
  });

  it("--documented-only leaves the inferred rules out and says so; without it they are marked INFERRED", async () => {
    const all = await exportText(["--to", "nftables", ...KCPS]);
    const doc = await exportText(["--to", "nftables", ...KCPS, "--documented-only"]);
    expect(all).toMatch(/# rule trust-ldap \[INFERRED\]/);
    expect(all).toContain('comment "trust-ldap"');
    expect(doc).not.toContain('comment "trust-ldap"');
    // The documented reading of seed 004 table 2 (client column: the KCPS file server) stays.
    expect(doc).toContain('comment "trust-fs-ldap"');
    expect(doc).toContain("#   trust-ldap: inferred (--documented-only)");
  });

  it("variables reach the export: --set trust_direction=two-way adds the mirrored trust rules", async () => {
    const one = await exportText(["--to", "nftables", ...KCPS]);
    const two = await exportText(["--to", "nftables", ...KCPS, "--set", "trust_direction=two-way"]);
    expect(one).not.toContain("trust-ldap-mirrored");
    expect(two).toContain('comment "trust-ldap-mirrored"');
    expect(two).toMatch(/# rule trust-ldap-mirrored \[INFERRED, mirror of trust-ldap\]/);
  });

  it("a conditional rule follows --set (enabled_when)", async () => {
    const rs = readFileSync("rulesets/kcps-file-server.yaml", "utf8")
      .replace("variables:\n", "variables:\n  fsrm_mail:\n    type: string\n    enum: [on, off]\n    default: off\n    description: FSRM mail notification in use\n")
      .replace(/(    condition: FSRM mail notification in use[^\n]*\n)/, "$1    enabled_when: {variable: fsrm_mail, equals: on}\n");
    const dir = tmpFiles({ "rs.yaml": rs });
    const args = ["--to", "iptables", "-r", `${dir}/rs.yaml`, "-i", "fixtures/kcps/inventory.yaml"];
    const off = await exportText(args);
    const on = await exportText([...args, "--set", "fsrm_mail=on"]);
    expect(off).not.toContain('--comment "smtp-kcps-fs-to-customer-mail"');
    expect(off).toContain("#   smtp-kcps-fs-to-customer-mail: disabled: its enabled_when condition does not hold");
    expect(on).toContain('-s 10.99.2.10/32 -d 10.99.1.25/32 -p tcp -m tcp -m multiport --dports 25,587 -m comment --comment "smtp-kcps-fs-to-customer-mail" -j ACCEPT');
  });

  it("a scenario narrows the export, and the output does not depend on the inventory's order", async () => {
    const browse = await exportText(["--to", "nftables", ...KCPS, "-s", "browse"]);
    expect(browse).toContain('comment "smb-client-to-kcps-fs"');
    expect(browse).not.toContain('comment "winrm-admin-pc-to-kcps-fs"');
    const inv = readFileSync("fixtures/kcps/inventory.yaml", "utf8");
    const lines = inv.split("\n");
    const head = lines.filter((l) => !l.startsWith("  "));
    const roles = lines.filter((l) => l.startsWith("  ")).reverse();
    const dir = tmpFiles({ "inv.yaml": [...head.filter((l) => l.trim() !== ""), ...roles].join("\n") + "\n" });
    const a = (await exportText(["--to", "nftables", "-r", "kcps-file-server", "-i", `${dir}/inv.yaml`])).replace(`${dir}/inv.yaml`, "INV");
    const b = (await exportText(["--to", "nftables", ...KCPS])).replace("fixtures/kcps/inventory.yaml", "INV");
    expect(a).toBe(b);
  });

  it("the dropped lines' prefix reads back as blocked in check, the accepted ones' as allowed", async () => {
    const nft = readFileSync(join(GOLDEN, "firewall-host.nft"), "utf8");
    expect(nft).toContain('log prefix "portmatrix DROP " drop');
    expect(nft).toContain('log prefix "portmatrix ACCEPT " accept');
    const line = (p: string, port: number) => `[ 12.5] ${p}IN=eth0 OUT=eth1 MAC=00 SRC=10.99.1.100 DST=10.99.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=1 DF PROTO=TCP SPT=40000 DPT=${port} WINDOW=64240 RES=0x00 SYN URGP=0 \n`;
    const dir = tmpFiles({ "k.log": line("portmatrix DROP ", 23) + line("portmatrix ACCEPT ", 445) });
    const r = await runCli(["check", ...KCPS, "--format", "json", `${dir}/k.log`]);
    const rep = JSON.parse(r.stdout) as { findings: { port: number; verdict: string }[] };
    expect(rep.findings.map((f) => `${f.port} ${f.verdict}`).sort()).toEqual(["23 blocked-unexpected", "445 allowed-required"]);
  });

  it("the firewall's own addresses get an input chain with the openings towards them", async () => {
    const text = readFileSync(join(GOLDEN, "firewall-host.nft"), "utf8");
    const input = text.slice(text.indexOf("chain input"));
    expect(input).toContain("type filter hook input priority filter; policy accept;");
    expect(input).toContain('comment "dns-client-to-customer-dns"');
    expect(input).not.toContain('comment "smb-client-to-kcps-fs"');
    expect(input).toContain("ip saddr @inventory_v4 ip daddr @firewall_v4 log prefix");
  });
});

describe("export errors are one line, exit 2", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown format", ["--to", "pf", ...KCPS], /argument 'pf' is invalid/],
    ["unknown scenario", ["--to", "nftables", ...KCPS, "-s", "nope"], /unknown scenario "nope"/],
    ["unknown variable", ["--to", "nftables", ...KCPS, "--set", "nope=1"], /unknown variable "nope"/],
    ["a log prefix with an action word", ["--to", "nftables", ...KCPS, "--log-prefix", "deny-log"], /--log-prefix deny-log: contains an action word/],
    ["a log prefix too long for iptables", ["--to", "iptables", ...KCPS, "--log-prefix", "a-very-long-prefix-name"], /at most 29/],
    ["--ipset with nftables", ["--to", "nftables", ...KCPS, "--ipset"], /--ipset applies to/],
    ["--log-accepted where nothing logs", ["--to", "azure-nsg", ...KCPS, "--log-accepted"], /--log-prefix and --log-accepted apply to formats that log/],
    ["a firewall address that is no address", ["--to", "nftables", "-r", "kcps-file-server", "-i", "test/export/bad-firewall.yaml"], /bad-firewall\.yaml:\d+:\d+: firewall: "gw9"/],
  ];
  for (const [what, args, re] of cases) {
    it(what, async () => {
      const r = await runCli(["export", ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split("\n").filter((l) => !l.startsWith("(run with"))).toHaveLength(1);
      expect(r.stdout).toBe("");
    });
  }
});
