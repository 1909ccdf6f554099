import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { runCli } from "../helpers/cli.js";
import type { Report } from "../../src/report/types.js";
import { parseReport } from "../helpers/report.js";

/**
 * The lab's captures (tcpdump pcap usec, pcap nsec, dumpcap pcapng on both router interfaces, tcpdump
 * -i any SLL2) of the same run as fixtures/kcps/kern.log: the capture's inferred outcomes must give the
 * same verdicts as the firewall's own log, flow by flow. The one place a capture knows more: 5986 was
 * accepted by the firewall (log: allowed-required) but nothing listened, so the server's RST makes it
 * blocked at the destination.
 *
 * Who stopped each blocked flow is known from the lab's own design (flows.json `firewall`): the
 * router's `reject with tcp reset` on 5985 forges a RST with its own TTL 64 while the server's packets
 * reach the customer side with 63 (network); the server's own RST on 5986 arrives with 63
 * (destination); `reject with icmpx admin-prohibited` comes from the router's address (network);
 * dropped flows are silence (unknown). router-both.pcapng sees the server's packets with 64 on the
 * provider interface and 63 on the customer one: the TTLs are compared per interface.
 */
interface Flow { id: string; src: string; dst: string; protocol: string; port: number | null; expectVerdict: string; server: string; firewall: string }
const flows = JSON.parse(readFileSync("fixtures/kcps/flows.json", "utf8")) as Flow[];
const base = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json"];

/** Who stopped each kind of lab flow, by the lab's design (fixtures/lab/README.md "Flows"). */
const BLOCKED_BY: Record<string, string | null> = { accept: null, closed: "destination", drop: "unknown", "reject-rst": "network", "reject-icmp-admin": "network" };

function find(r: Report, f: Flow) {
  return r.findings.filter((x) => x.src === f.src && x.dst === f.dst && x.protocol === f.protocol && x.port === (f.protocol === "icmp" ? null : f.port));
}

describe("captures of the lab run", () => {
  const captures = ["customer-side.pcap", "customer-any.pcap", "router-both.pcapng"];
  for (const c of captures) {
    it(`${c}: every flow's verdict matches the firewall log of the same run`, async () => {
      const cap = parseReport((await runCli([...base, `fixtures/lab/captures/${c}`])).stdout);
      const log = parseReport((await runCli([...base, "fixtures/kcps/kern.log"])).stdout);
      for (const f of flows) {
        const fromCap = find(cap, f);
        expect(fromCap, `${c} ${f.id}`).toHaveLength(1);
        expect(fromCap[0]!.count, `${c} ${f.id}: one connection attempt`).toBe(1);
        const fromLog = find(log, f)[0]!.verdict;
        if (f.server === "closed" && f.firewall === "accept") {
          expect(fromLog).toBe("allowed-required");
          expect(fromCap[0]!.verdict).toBe("blocked-required");
          expect(fromCap[0]!.evidence[0]).toBe("rst: SYN answered by RST from 10.99.2.10 with TTL 63, as 10.99.2.10's own packets arrive: refused by 10.99.2.10 itself (REJ, history Sr)");
        } else {
          expect(fromCap[0]!.verdict, `${c} ${f.id}`).toBe(fromLog);
          expect(fromCap[0]!.verdict, `${c} ${f.id}`).toBe(f.expectVerdict);
        }
        expect(fromCap[0]!.blockedBy, `${c} ${f.id} (${f.firewall}, server ${f.server})`).toBe(BLOCKED_BY[f.firewall === "accept" ? (f.server === "closed" ? "closed" : "accept") : f.firewall]);
        // The firewall log is the router's own: whatever it blocked, it stopped on the way.
        expect(find(log, f)[0]!.blockedBy, `kern.log ${f.id}`).toBe(f.firewall === "accept" ? null : "network");
      }
      expect(cap.findings.every((x) => x.verdict !== "unclassified"), "neighbour discovery and MLD are not flows").toBe(true);
      for (const i of cap.inputs) expect(i.records.read).toBe(i.records.used + i.records.skipped);
    });
  }

  it("grades the evidence: RST, ICMP admin-prohibited from the router, retransmitted SYNs, unanswered datagrams", async () => {
    const cap = parseReport((await runCli([...base, "fixtures/lab/captures/customer-side.pcap"])).stdout);
    const byPort = (p: number, proto = "tcp") => cap.findings.find((x) => x.port === p && x.protocol === proto)!.evidence[0]!;
    expect(byPort(5985)).toBe("rst: SYN answered by RST from 10.99.2.10 with TTL 64, while 10.99.2.10's own packets arrive with 63: made on the way, by a firewall answering in its name (REJ, history Sr)");
    expect(byPort(135)).toBe("icmp-3-13 (communication administratively prohibited) from router 10.99.1.1 (S0, history S)");
    expect(byPort(139)).toMatch(/^unanswered: 3 SYNs over 2\.\d s \(S0, history S\)$/);
    expect(byPort(88, "udp")).toMatch(/^unanswered: 2 datagrams over 1\.\d s \(S0, history D\)$/);
    expect(byPort(445)).toBe("handshake completed (SF, history ShAFf)");
  });

  it("the provider side sees only what the firewall let through, and the server's own RST as its own", async () => {
    // Captured beside the server: the router's refusals never reach this side, and the server's
    // packets are seen with their initial TTL 64, its RST on 5986 included.
    const cap = parseReport((await runCli([...base, "fixtures/lab/captures/provider-side-nano.pcap"])).stdout);
    const ports = cap.findings.filter((x) => x.protocol === "tcp").map((x) => x.port).sort((a, b) => a! - b!);
    expect(ports).toEqual([389, 445, 445, 3389, 5986, 8080]);
    const blocked = cap.findings.filter((x) => x.action === "blocked");
    expect(blocked.map((x) => [x.port, x.blockedBy])).toEqual([[5986, "destination"]]);
    expect(blocked[0]!.evidence[0]).toMatch(/^rst: SYN answered by RST from 10\.99\.2\.10 with TTL 64, as 10\.99\.2\.10's own packets arrive/);
  });
});
