import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { runCli } from "../helpers/cli.js";

/**
 * Real Active Directory traffic (Samba 4.17 DC and a Linux client, fixtures/pcap/samba-ad-lab, see
 * fixtures/pcap/PROVENANCE.md): our connections must be tshark's conversations (its `-z conv` tables,
 * an independent reading), and the outcomes the lab's own description states: everything answered
 * except WinRM 5985 and RDP 3389, which were refused with RST because nothing listens. There is no
 * firewall in that network and the client sits on the DC's subnet: the RSTs arrive with TTL 64 like
 * every other packet of the DC, so the DC itself refused them (`destination`).
 */
function tsharkConversations(file: string): string[] {
  const out: string[] = [];
  let proto = "";
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (/^UDP Conversations/.test(line)) proto = "udp";
    if (/^TCP Conversations/.test(line)) proto = "tcp";
    const m = /^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s/.exec(line);
    if (m) out.push(`${proto} ${m[1]}:${m[2]} -> ${m[3]}:${m[4]}`);
  }
  return out.sort();
}

describe("samba AD lab captures", () => {
  for (const f of ["ad-client.pcap", "ad-client.pcapng"]) {
    it(`${f}: one connection per tshark conversation, with the outcomes the lab describes`, async () => {
      const path = `fixtures/pcap/samba-ad-lab/${f}`;
      const r = await runCli(["events", path]);
      expect(r.code).toBe(0);
      const evs = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { src: string; srcPort: number; dst: string; dstPort: number; protocol: string; action: string; blockedBy: string | null; evidence: string; history: string });
      expect(evs.map((e) => `${e.protocol} ${e.src}:${e.srcPort} -> ${e.dst}:${e.dstPort}`).sort()).toEqual(tsharkConversations(`${path}.conv.txt`));
      for (const e of evs) {
        if (e.dstPort === 5985 || e.dstPort === 3389) {
          expect(e.action, `${e.dstPort}`).toBe("blocked");
          expect(e.blockedBy, `${e.dstPort}`).toBe("destination");
          expect(e.history).toBe("Sr");
          expect(e.evidence).toBe("rst: SYN answered by RST from 10.88.0.10 with TTL 64, as 10.88.0.10's own packets arrive: refused by 10.88.0.10 itself (REJ, history Sr)");
        } else {
          expect(e.action, `${e.protocol} ${e.dstPort}`).toBe("allowed");
          expect(e.blockedBy).toBeNull();
          expect(e.history).toMatch(e.protocol === "udp" ? /^Dd$/ : /^ShAD/);
        }
      }
      const packets = (await runCli(["events", "--packets", path])).stdout.trim().split("\n");
      expect(packets.length).toBe(132); // every IP packet, neighbour discovery included
      expect(r.stderr).toMatch(/134 read, 131 used, 3 skipped \(ethertype-arp 2, icmpv6-control 1\)/);
    });
  }
});
