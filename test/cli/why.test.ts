import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import type { WhyResult } from "../../src/pipeline/why.js";

const KCPS = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];

describe("portmatrix why", () => {
  it("from the firewall log: the first blocked required flow in time order is the likely cause, with what to open", async () => {
    const r = await runCli(["why", "10.99.1.100", ...KCPS, "fixtures/kcps/kern.log"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^10\.99\.1\.100: roles file-share-client/);
    expect(r.stdout).toMatch(/✓ allowed {6}smb-client-to-kcps-fs/);
    expect(r.stdout).toMatch(/✗ blocked {6}netbios-client-to-kcps-fs[\s\S]*→ open TCP 139 from 10\.99\.1\.100 to kcps-fs 10\.99\.2\.10/);
    expect(r.stdout).toMatch(/⚠ allowed but in no rule: TCP 8080/);
    expect(r.stdout).toMatch(/Verdict: likely cause: netbios-client-to-kcps-fs .* first at 2026-11-23T09:14:29\.000Z; open TCP 139 .*; also blocked: kerberos-client-to-kcps-fs\n$/);
  });

  it("from a capture: the server's own RST asks whether the service runs; the router's forged one and its ICMP say open the firewall", async () => {
    const r = await runCli(["why", "10.99.1.200", ...KCPS, "--format", "json", "fixtures/lab/captures/customer-side.pcap"]);
    const w = JSON.parse(r.stdout) as WhyResult;
    const winrm = w.rules.find((x) => x.rule === "winrm-admin-pc-to-kcps-fs")!;
    expect(winrm.status).toBe("blocked");
    expect(winrm.observations[0]).toMatch(/^blocked \(destination\): TCP 5986 .*rst: SYN answered by RST from 10\.99\.2\.10 with TTL 63, as 10\.99\.2\.10's own packets arrive/);
    expect(winrm.advice[0]).toMatch(/^TCP 5986 to kcps-fs 10\.99\.2\.10 was refused by 10\.99\.2\.10 itself: is the service running and listening there/);
    // 5985: the RST came with the router's TTL, not the server's: the advice is to open the firewall.
    expect(winrm.observations[1]).toMatch(/^blocked \(network\): TCP 5985 /);
    expect(winrm.advice[1]).toMatch(/^open TCP 5985 from 10\.99\.1\.200 to kcps-fs 10\.99\.2\.10 on the firewall in between: it was stopped on the way/);
    expect(w.verdict.cause).toBe("winrm-admin-pc-to-kcps-fs");
    const icmp = await runCli(["why", "10.99.1.101", ...KCPS, "fixtures/lab/captures/customer-side.pcap"]);
    expect(icmp.stdout).toMatch(/icmp-3-13 \(communication administratively prohibited\) from router 10\.99\.1\.1/);
    expect(icmp.stdout).toMatch(/→ open TCP 135 from 10\.99\.1\.101 to kcps-fs 10\.99\.2\.10 on the firewall in between/);
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
});
