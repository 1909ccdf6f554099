import { it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { describeNeeding, needNetns, needRoot, needTool } from "../helpers/need.js";
import type { Report } from "../../src/report/types.js";
import { parseReport } from "../helpers/report.js";

/**
 * The real thing: build the network-namespace lab (fixtures/lab/run-lab.sh), let nftables accept,
 * drop and reject real connections, and check the firewall's own log of this very run. Needs root,
 * iproute2, nftables, tcpdump and dumpcap; .ci/run installs them (test/helpers/need.ts: under CI a missing
 * one fails the test; elsewhere it is skipped, saying why).
 */
// The commands fixtures/lab/run-lab.sh requires (rsyslogd and journald are optional there).
describeNeeding([needRoot, () => needTool("ip", "nft", "tcpdump", "dumpcap", "python3", "dmesg", "flock", "unshare"), needNetns], "netns lab: a real nftables firewall", () => {
  it("the verdicts from this run's firewall log are the ones the lab expects", async () => {
    const out = mkdtempSync(join(tmpdir(), "portmatrix-lab-"));
    execFileSync("bash", ["fixtures/lab/run-lab.sh", out], { stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 });
    const flows = JSON.parse(readFileSync(join(out, "flows.json"), "utf8")) as { src: string; dst: string; protocol: string; port: number | null; expectVerdict: string }[];
    expect(flows.length).toBeGreaterThanOrEqual(10);
    for (const log of ["dmesg.log", "kern.log"]) {
      const r = await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json", join(out, log)]);
      expect(r.code, r.stderr).toBe(1);
      const rep = parseReport(r.stdout);
      for (const f of flows) {
        const hit = rep.findings.find((x) => x.src === f.src && x.dst === f.dst && x.protocol === f.protocol && x.port === (f.protocol === "icmp" ? null : f.port));
        expect(hit?.verdict, `${log}: ${f.src} -> ${f.dst} ${f.protocol} ${f.port}`).toBe(f.expectVerdict);
      }
      expect(rep.inputs[0]!.records.skipped).toBe(0);
    }
    // The captures of this same run: the capture's verdicts agree with the firewall log's, flow by
    // flow, except where the capture knows more (a port the firewall let through but nobody listens on).
    const log = parseReport((await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json", join(out, "kern.log")])).stdout);
    for (const cap of ["customer-side.pcap", "router-both.pcapng", "customer-any.pcap"]) {
      expect(existsSync(join(out, cap)), cap).toBe(true);
      const r = parseReport((await runCli(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json", join(out, cap)])).stdout);
      for (const f of flows as (typeof flows[number] & { server: string; firewall: string })[]) {
        const pick = (rep: Report) => rep.findings.filter((x) => x.src === f.src && x.dst === f.dst && x.protocol === f.protocol && x.port === (f.protocol === "icmp" ? null : f.port));
        const c = pick(r);
        expect(c, `${cap}: ${f.src} -> ${f.dst} ${f.protocol} ${f.port}`).toHaveLength(1);
        const expected = f.server === "closed" && f.firewall === "accept" ? "blocked-required" : pick(log)[0]!.verdict;
        expect(c[0]!.verdict, `${cap}: ${f.src} -> ${f.dst} ${f.protocol} ${f.port}`).toBe(expected);
        // Who stopped it, by the lab's design: the router's forged RST and its ICMP are the network's,
        // the server's own RST the destination's, a drop is silence (fixtures/lab/README.md).
        const by = f.firewall === "accept" ? (f.server === "closed" ? "destination" : null) : f.firewall === "drop" ? "unknown" : "network";
        expect(c[0]!.blockedBy, `${cap}: ${f.src} -> ${f.dst} ${f.protocol} ${f.port} (${f.firewall}, server ${f.server})`).toBe(by);
        // The router's own log: whatever it blocked, it stopped on the way.
        expect(pick(log)[0]!.blockedBy, `kern.log: ${f.protocol} ${f.port}`).toBe(f.firewall === "accept" ? null : "network");
      }
    }
    const nano = JSON.parse((await runCli(["events", "--packets", join(out, "provider-side-nano.pcap")])).stdout.split("\n")[0]!) as { time: string };
    expect(nano.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 180_000);
});
