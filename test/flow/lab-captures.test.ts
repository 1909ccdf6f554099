import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { runCli } from "../helpers/cli.js";
import type { Report } from "../../src/report/types.js";

/**
 * The lab's captures (tcpdump pcap usec, pcap nsec, dumpcap pcapng on both router interfaces, tcpdump
 * -i any SLL2) of the same run as fixtures/kcps/kern.log: the capture's inferred outcomes must give the
 * same verdicts as the firewall's own log, flow by flow. The one place a capture knows more: 5986 was
 * accepted by the firewall (log: allowed-required) but nothing listened, so the server's RST makes it
 * blocked at the destination.
 */
interface Flow { id: string; src: string; dst: string; protocol: string; port: number | null; expectVerdict: string; server: string; firewall: string }
const flows = JSON.parse(readFileSync("fixtures/kcps/flows.json", "utf8")) as Flow[];
const base = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json"];

function find(r: Report, f: Flow) {
  return r.findings.filter((x) => x.src === f.src && x.dst === f.dst && x.protocol === f.protocol && x.port === (f.protocol === "icmp" ? null : f.port));
}

describe("captures of the lab run", () => {
  const captures = ["customer-side.pcap", "customer-any.pcap", "router-both.pcapng"];
  for (const c of captures) {
    it(`${c}: every flow's verdict matches the firewall log of the same run`, async () => {
      const cap = JSON.parse((await runCli([...base, `fixtures/lab/captures/${c}`])).stdout) as Report;
      const log = JSON.parse((await runCli([...base, "fixtures/kcps/kern.log"])).stdout) as Report;
      for (const f of flows) {
        const fromCap = find(cap, f);
        expect(fromCap, `${c} ${f.id}`).toHaveLength(1);
        expect(fromCap[0]!.count, `${c} ${f.id}: one connection attempt`).toBe(1);
        const fromLog = find(log, f)[0]!.verdict;
        if (f.server === "closed" && f.firewall === "accept") {
          expect(fromLog).toBe("allowed-required");
          expect(fromCap[0]!.verdict).toBe("blocked-required");
          expect(fromCap[0]!.evidence[0]).toMatch(/^rst: SYN answered by RST from 10\.99\.2\.10, the destination itself/);
        } else {
          expect(fromCap[0]!.verdict, `${c} ${f.id}`).toBe(fromLog);
          expect(fromCap[0]!.verdict, `${c} ${f.id}`).toBe(f.expectVerdict);
        }
      }
      expect(cap.findings.every((x) => x.verdict !== "unclassified"), "neighbour discovery and MLD are not flows").toBe(true);
      for (const i of cap.inputs) expect(i.records.read).toBe(i.records.used + i.records.skipped);
    });
  }

  it("grades the evidence: RST, ICMP admin-prohibited from the router, retransmitted SYNs, unanswered datagrams", async () => {
    const cap = JSON.parse((await runCli([...base, "fixtures/lab/captures/customer-side.pcap"])).stdout) as Report;
    const byPort = (p: number, proto = "tcp") => cap.findings.find((x) => x.port === p && x.protocol === proto)!.evidence[0]!;
    expect(byPort(5985)).toMatch(/^rst: /);
    expect(byPort(135)).toBe("icmp-3-13 (communication administratively prohibited) from router 10.99.1.1");
    expect(byPort(139)).toMatch(/^unanswered: 3 SYNs over 2\.\d s \(S0\)$/);
    expect(byPort(88, "udp")).toMatch(/^unanswered: 2 datagrams over 1\.\d s \(S0\)$/);
    expect(byPort(445)).toBe("handshake completed (SF/S1)");
  });

  it("the provider side sees only what the firewall let through", async () => {
    const cap = JSON.parse((await runCli([...base, "fixtures/lab/captures/provider-side-nano.pcap"])).stdout) as Report;
    const ports = cap.findings.filter((x) => x.protocol === "tcp").map((x) => x.port).sort((a, b) => a! - b!);
    expect(ports).toEqual([389, 445, 445, 3389, 5986, 8080]);
  });
});
