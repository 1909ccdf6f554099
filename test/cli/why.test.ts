import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import type { WhyResult } from "../../src/pipeline/why.js";

/** A netfilter log line: at second `sec` of 09:14, `act` ACCEPT or DROP, TCP from `src` to `dst`:`dpt`. */
const nf = (sec: number, act: string, src: string, dst: string, dpt: number) =>
  `Nov 23 09:14:${String(sec).padStart(2, "0")} fw kernel: fw-${act} IN=a OUT=b SRC=${src} DST=${dst} LEN=60 PROTO=TCP SPT=50000 DPT=${dpt} WINDOW=1 SYN URGP=0\n`;

const INV = "hosts:\n  client01: 10.99.1.100\n  fs01: 10.99.2.10\nroles:\n  file-share-client: [10.99.1.0/24]\n  kcps-fs: [10.99.2.10]\n  kcps-fs-ad: [10.99.2.20]\n  customer-ad: [10.99.1.10]\n  customer-dns: [10.99.1.53]\n";

const KCPS = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];

describe("portmatrix why", () => {
  it("from the firewall log: the first blocked required flow in time order is the likely cause, with what to open", async () => {
    const r = await runCli(["why", "10.99.1.100", ...KCPS, "fixtures/kcps/kern.log"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^10\.99\.1\.100: roles file-share-client/);
    expect(r.stdout).toMatch(/✓ allowed {6}smb-client-to-kcps-fs/);
    expect(r.stdout).toMatch(/✗ blocked {6}netbios-client-to-kcps-fs[\s\S]*→ open TCP 139 from 10\.99\.1\.100 to kcps-fs 10\.99\.2\.10/);
    expect(r.stdout).toMatch(/Allowed for 10\.99\.1\.100, and not in the matrix:\n {2}⚠ allowed but in no rule: TCP 8080/);
    // The telnet attempts from the host: the matrix does not list them, and they were blocked.
    expect(r.stdout).toMatch(/Tried by 10\.99\.1\.100 and blocked, with no rule to check it against:\n {2}✗ blocked, in no rule \(network\): TCP 23 10\.99\.1\.100 -> 10\.99\.2\.10 3 flows \(pmlab-kcps DROP\) first 2026-11-23T09:14:35\.000Z at fixtures\/kcps\/kern\.log:16\n/);
    expect(r.stdout).toMatch(/Verdict: likely cause: netbios-client-to-kcps-fs .* first at 2026-11-23T09:14:29\.000Z; open TCP 139 .*; also blocked: kerberos-client-to-kcps-fs; 1 blocked attempt\(s\) from 10\.99\.1\.100 that the matrix does not list \(above\): if the product needs one, the ruleset lacks it\n$/);
  });

  it("from a capture: the server's own RST asks whether the service runs; the router's forged one and its ICMP say open the firewall", async () => {
    const r = await runCli(["why", "10.99.1.200", ...KCPS, "--format", "json", "fixtures/lab/captures/customer-side.pcap"]);
    const w = JSON.parse(r.stdout) as WhyResult;
    const winrm = w.rules.find((x) => x.rule === "winrm-admin-pc-to-kcps-fs")!;
    expect(winrm.status).toBe("blocked");
    expect(winrm.observations[0]!.text).toMatch(/^blocked \(destination\): TCP 5986 .*rst: SYN answered by RST from 10\.99\.2\.10 with TTL 63, as 10\.99\.2\.10's own packets arrive.* at fixtures\/lab\/captures\/customer-side\.pcap frame 46 \(byte 4266\)$/);
    expect(winrm.advice[0]).toMatch(/^TCP 5986 from 10\.99\.1\.200 to kcps-fs 10\.99\.2\.10 was refused by 10\.99\.2\.10 itself: is the service running and listening there/);
    // 5985: the RST came with the router's TTL, not the server's: the advice is to open the firewall.
    expect(winrm.observations[1]!.text).toMatch(/^blocked \(network\): TCP 5985 .* frame 57 \(byte 5156\)$/);
    expect(winrm.advice[1]).toMatch(/^open TCP 5985 from 10\.99\.1\.200 to kcps-fs 10\.99\.2\.10 on the firewall in between: it was stopped on the way/);
    expect(w.verdict.cause).toBe("winrm-admin-pc-to-kcps-fs");
    const icmp = await runCli(["why", "10.99.1.101", ...KCPS, "fixtures/lab/captures/customer-side.pcap"]);
    expect(icmp.stdout).toMatch(/icmp-3-13 \(communication administratively prohibited\) from router 10\.99\.1\.1/);
    expect(icmp.stdout).toMatch(/→ open TCP 135 from 10\.99\.1\.101 to kcps-fs 10\.99\.2\.10 on the firewall in between/);
  });

  it("asked about the server, names each flow from its client to the server, never the client as the destination", async () => {
    const r = await runCli(["why", "10.99.2.10", ...KCPS, "--format", "json", "fixtures/lab/captures/customer-side.pcap"]);
    const w = JSON.parse(r.stdout) as WhyResult;
    const winrm = w.rules.find((x) => x.rule === "winrm-admin-pc-to-kcps-fs" && x.direction === "in")!;
    expect(winrm.advice[0]).toMatch(/^TCP 5986 from 10\.99\.1\.200 to kcps-fs 10\.99\.2\.10 was refused by 10\.99\.2\.10 itself/);
    expect(winrm.advice[1]).toMatch(/^open TCP 5985 from 10\.99\.1\.200 to kcps-fs 10\.99\.2\.10 on the firewall in between/);
    const rpc = w.rules.find((x) => x.rule === "rpc-client-to-kcps-fs" && x.direction === "in")!;
    expect(rpc.advice[0]).toMatch(/^open TCP 135 from 10\.99\.1\.101 to kcps-fs 10\.99\.2\.10 on the firewall in between/);
    const netbios = w.rules.find((x) => x.rule === "netbios-client-to-kcps-fs" && x.direction === "in")!;
    expect(netbios.advice[0]).toMatch(/^TCP 139 from 10\.99\.1\.100 to kcps-fs 10\.99\.2\.10 was stopped, but not enough was seen/);
    expect(w.verdict.text).toMatch(/TCP 5986 from 10\.99\.1\.200 to kcps-fs 10\.99\.2\.10 was refused by 10\.99\.2\.10 itself/);
    expect(JSON.stringify(w.rules.map((x) => x.advice))).not.toMatch(/to (customer-admin-pc|file-share-client) 10\.99\.1\./);
  });

  it("lists the rules where the host is the destination too, and works with no inputs", async () => {
    const r = await runCli(["why", "10.99.2.10", ...KCPS, "--format", "json"]);
    expect(r.code).toBe(0);
    const w = JSON.parse(r.stdout) as WhyResult;
    expect(w.roles).toEqual(["kcps-fs"]);
    expect(w.rules.some((x) => x.direction === "in" && x.rule === "smb-client-to-kcps-fs")).toBe(true);
    expect(w.rules.some((x) => x.direction === "out" && x.rule === "smtp-kcps-fs-to-customer-mail")).toBe(true);
    expect(w.verdict.text).toMatch(/^no inputs given/);
  });

  it("a conditional rule that falls back to an allowed flow matters only when that one fails too (SKYDIV launcher -> AD)", async () => {
    const line = (t: string, act: string, dst: string, dpt: number) => `Nov 23 09:0${t} fw kernel: fw-${act} IN=a OUT=b SRC=10.1.2.3 DST=${dst} LEN=60 PROTO=TCP SPT=50000 DPT=${dpt} WINDOW=1 SYN URGP=0\n`;
    const dir = tmpFiles({
      "inv.yaml": "roles:\n  launcher: [{address: 10.1.2.3, name: pc-12}]\n  center-server: [10.0.0.10]\n  active-directory: [10.0.0.20]\n",
      "fw.log": line("0:01", "DROP", "10.0.0.20", 464) + line("0:02", "ACCEPT", "10.0.0.10", 38000),
    });
    const r = await runCli(["why", "pc-12", "-r", "skydiv-desktop-client", "-i", join(dir, "inv.yaml"), "--scenario", "sbc", "--format", "json", join(dir, "fw.log")]);
    const w = JSON.parse(r.stdout) as WhyResult;
    expect(w.address).toBe("10.1.2.3");
    expect(w.verdict.cause).toBe("sbc-launcher-to-ad");
    expect(w.verdict.text).toMatch(/falls back to launcher-to-center-server, which was allowed: this matters only when that is also unreachable/);
  });

  it("names an unknown host or one outside the inventory in one line, exit 2", async () => {
    const a = await runCli(["why", "nosuchhost", ...KCPS]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/"nosuchhost" is neither an address nor a host name in fixtures\/kcps\/inventory\.yaml/);
    const b = await runCli(["why", "192.0.2.9", ...KCPS]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/192\.0\.2\.9 is not in the inventory/);
  });

  describe("observations: what matters first, and nothing hidden without a word", () => {
    // Ten findings of one rule (rpc-client-to-kcps-fs, tcp 135, 593, 49152-65535): seven allowed early,
    // three blocked later. The blocked ones must come first, in time order, then the allowed ones.
    const log = [0, 1, 2, 3, 4, 5, 6].map((k) => nf(k, "ACCEPT", "10.99.1.100", "10.99.2.10", 49152 + k)).join("") +
      nf(30, "DROP", "10.99.1.100", "10.99.2.10", 593) + nf(20, "DROP", "10.99.1.100", "10.99.2.10", 135) + nf(40, "DROP", "10.99.1.100", "10.99.2.10", 50000);
    const dir = tmpFiles({ "inv.yaml": INV, "fw.log": log });
    const args = ["why", "10.99.1.100", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), join(dir, "fw.log")];

    it("puts blocked before allowed, each in time order; JSON keeps all ten", async () => {
      const w = JSON.parse((await runCli([...args, "--format", "json"])).stdout) as WhyResult;
      const rpc = w.rules.find((r) => r.rule === "rpc-client-to-kcps-fs")!;
      expect(rpc.observations.map((o) => o.status)).toEqual(["blocked", "blocked", "blocked", ...Array(7).fill("allowed")]);
      expect(rpc.observations.slice(0, 3).map((o) => o.text.split(" ")[3])).toEqual(["135", "593", "50000"]);
      expect(rpc.observations.slice(3).map((o) => o.firstSeen)).toEqual([...rpc.observations.slice(3).map((o) => o.firstSeen)].sort());
      expect(rpc.advice).toHaveLength(3);
    });

    it("shows the first five, then says how many more and of which kind; --all shows every one", async () => {
      const t = (await runCli(args)).stdout;
      const block = t.slice(t.indexOf("rpc-client-to-kcps-fs:"), t.indexOf("ldap-client-to-kcps-fs-ad:"));
      expect(block.match(/^ {6}(blocked|allowed)/gm)).toHaveLength(5);
      expect(block).toMatch(/^ {6}\.\.\. and 5 more \(5 allowed; --all shows them\)$/m);
      const all = (await runCli([...args, "--all"])).stdout;
      const allBlock = all.slice(all.indexOf("rpc-client-to-kcps-fs:"), all.indexOf("ldap-client-to-kcps-fs-ad:"));
      expect(allBlock.match(/^ {6}(blocked|allowed)/gm)).toHaveLength(10);
      expect(allBlock).not.toMatch(/and \d+ more/);
    });
  });

  it("a rule whose peer role has no host in the inventory says to add one, and names unknown traffic that may be it", async () => {
    const dir = tmpFiles({
      "inv.yaml": "roles:\n  file-share-client: [10.99.1.0/24]\n  kcps-fs: [10.99.2.10]\n",
      "fw.log": nf(1, "DROP", "10.99.1.100", "10.99.2.20", 389),
    });
    const w = JSON.parse((await runCli(["why", "10.99.1.100", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), "--format", "json", join(dir, "fw.log")])).stdout) as WhyResult;
    const ldap = w.rules.find((r) => r.rule === "ldap-client-to-kcps-fs-ad")!;
    expect(ldap.peers).toEqual([]);
    expect(ldap.advice).toEqual([`no host of role kcps-fs-ad is in the inventory ${join(dir, "inv.yaml")}: add the kcps-fs-ad host(s) under "roles: kcps-fs-ad:" so that traffic for this rule can be checked; traffic to 10.99.2.20 on this rule's ports was seen but is not in the inventory: is that the kcps-fs-ad host?`]);
    // The blocked attempt to an address the inventory lacks is listed among what the host tried.
    expect(w.blockedUnlisted).toEqual([expect.stringMatching(/^blocked, to an address not in the inventory \(network\): TCP 389 10\.99\.1\.100 -> 10\.99\.2\.20 1 flow /)]);
    // ... and the verdict sends the admin to the inventory, not to the ruleset, for it.
    expect(w.verdict.text).toMatch(/; 1 blocked attempt\(s\) from 10\.99\.1\.100 to addresses not in the inventory \(above\): if one is a host of the product, add it under its role so that it can be checked$/);
    expect(w.verdict.text).not.toMatch(/the ruleset lacks it/);
    // A rule with peers and no traffic still asks for a capture.
    expect(w.rules.find((r) => r.rule === "smb-client-to-kcps-fs")!.advice[0]).toMatch(/^no traffic for this rule in the inputs: capture while the client tries/);
    // Without inputs the missing host is still the advice: nothing could ever be checked for that rule.
    const none = JSON.parse((await runCli(["why", "10.99.1.100", "-r", "kcps-file-server", "-i", join(dir, "inv.yaml"), "--format", "json"])).stdout) as WhyResult;
    expect(none.rules.find((r) => r.rule === "ldap-client-to-kcps-fs-ad")!.advice[0]).toMatch(/^no host of role kcps-fs-ad is in the inventory .*so that traffic for this rule can be checked$/);
    // A host that holds the peer role itself is no peer of its own: "no other host".
    const self = tmpFiles({ "inv.yaml": "roles:\n  file-share-client: [10.99.1.100]\n  kcps-fs: [10.99.1.100]\n" });
    const alone = JSON.parse((await runCli(["why", "10.99.1.100", "-r", "kcps-file-server", "-i", join(self, "inv.yaml"), "--format", "json"])).stdout) as WhyResult;
    expect(alone.rules.find((r) => r.rule === "smb-client-to-kcps-fs" && r.direction === "out")!.advice[0]).toMatch(/^no other host of role kcps-fs is in the inventory /);
  });

  it("finds host names ignoring case, and names the near misses of a typo", async () => {
    const dir = tmpFiles({ "inv.yaml": INV });
    const inv = join(dir, "inv.yaml");
    const up = await runCli(["why", "CLIENT01", "-r", "kcps-file-server", "-i", inv, "--format", "json"]);
    expect(up.code).toBe(0);
    expect((JSON.parse(up.stdout) as WhyResult)).toMatchObject({ address: "10.99.1.100", name: "client01" });
    const typo = await runCli(["why", "clinet01", "-r", "kcps-file-server", "-i", inv]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(`portmatrix: "clinet01" is neither an address nor a host name in ${inv}; did you mean "client01"?\n`);
    const twins = tmpFiles({ "inv.yaml": "roles:\n  file-share-client: [{address: 10.99.1.5, name: pc}, {address: 10.99.1.6, name: PC}]\n  kcps-fs: [10.99.2.10]\n" });
    expect((await runCli(["why", "pc", "-r", "kcps-file-server", "-i", join(twins, "inv.yaml"), "--format", "json"])).stdout).toMatch(/"address": "10\.99\.1\.5"/);
    const both = await runCli(["why", "Pc", "-r", "kcps-file-server", "-i", join(twins, "inv.yaml")]);
    expect(both.stderr).toMatch(/"Pc" matches several host names .* that differ only in case: pc, PC; give one exactly/);
  });

  describe("--output and --fail-on", () => {
    const kern = ["why", "10.99.1.100", ...KCPS, "fixtures/kcps/kern.log"];

    it("-o writes the answer whole (text or JSON by the name) and says the verdict on stderr, unless --quiet", async () => {
      const dir = tmpFiles({});
      const r = await runCli([...kern, "-o", join(dir, "why.txt"), "-o", join(dir, "why.json")]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^Verdict: likely cause: netbios-client-to-kcps-fs /);
      expect(r.stderr.split("\n")).toHaveLength(2);
      expect(readFileSync(join(dir, "why.txt"), "utf8")).toBe((await runCli(kern)).stdout);
      expect((JSON.parse(readFileSync(join(dir, "why.json"), "utf8")) as WhyResult).verdict.cause).toBe("netbios-client-to-kcps-fs");
      expect(readdirSync(dir).sort()).toEqual(["why.json", "why.txt"]); // no temporary file left
      const q = await runCli([...kern, "-q", "-o", join(dir, "q.txt")]);
      expect(q.stderr).toBe("");
      expect(existsSync(join(dir, "q.txt"))).toBe(true);
      const bad = await runCli([...kern, "-o", join(dir, "why.html")]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--output .*why\.html: why writes \.json or \.txt/);
      expect(existsSync(join(dir, "why.html"))).toBe(false);
    });

    it("--fail-on sets the exit status from this host's flows, as check does", async () => {
      expect((await runCli(kern)).code).toBe(1);
      expect((await runCli([...kern, "--fail-on", "none"])).code).toBe(0);
      // 10.99.1.101 has no blocked flow in the log; its allowed-unexpected one fails only when asked.
      const dir = tmpFiles({ "fw.log": nf(1, "ACCEPT", "10.99.1.101", "10.99.2.10", 8080) + nf(2, "ACCEPT", "10.99.1.101", "10.99.2.10", 445) });
      const other = ["why", "10.99.1.101", ...KCPS, join(dir, "fw.log")];
      expect((await runCli(other)).code).toBe(0);
      expect((await runCli([...other, "--fail-on", "allowed-unexpected"])).code).toBe(1);
      // Narrowed by who stopped it: the capture's 5986 was refused by the server itself, 5985 on the way.
      const cap = ["why", "10.99.1.200", ...KCPS, "fixtures/lab/captures/customer-side.pcap"];
      expect((await runCli([...cap, "--fail-on", "blocked-required:destination"])).code).toBe(1);
      expect((await runCli(["why", "10.99.1.100", ...KCPS, "fixtures/kcps/kern.log", "--fail-on", "blocked-required:destination"])).code).toBe(0);
      const bad = await runCli([...kern, "--fail-on", "blocked"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--fail-on blocked: unknown verdict/);
    });

    it("--help has an example with --output and the exit status", async () => {
      const h = await runCli(["why", "--help"]);
      expect(h.stdout).toMatch(/-o, --output <file>/);
      expect(h.stdout).toMatch(/--fail-on <verdicts>/);
      expect(h.stdout).toMatch(/Examples:\n {2}portmatrix why /);
      expect(h.stdout).toMatch(/Exit status: 0 nothing of this host's flows meets --fail-on, 1 .* 2 a usage error/s);
    });
  });
});

describe("why, asked about the destination of refused attempts", () => {
  it("lists the blocked attempts towards the host that no rule lists, beside those from it", async () => {
    // kern.log: 10.99.1.100 tried telnet (tcp/23) to the file server 10.99.2.10 and the router dropped it.
    const r = await runCli(["why", "10.99.2.10", ...KCPS, "fixtures/kcps/kern.log"]);
    expect(r.stdout).toMatch(/Tried towards 10\.99\.2\.10 by other hosts and blocked, with no rule to check it against:\n {2}✗ blocked, in no rule \(network\): TCP 23 10\.99\.1\.100 -> 10\.99\.2\.10 3 flows /);
    const j = await runCli(["why", "10.99.2.10", ...KCPS, "--format", "json", "fixtures/kcps/kern.log"]);
    const w = JSON.parse(j.stdout) as WhyResult;
    expect(w.blockedTowards).toEqual([expect.stringMatching(/^blocked, in no rule \(network\): TCP 23 10\.99\.1\.100 -> 10\.99\.2\.10 /)]);
    expect(w.blockedUnlisted).toEqual([]);
  });
});
