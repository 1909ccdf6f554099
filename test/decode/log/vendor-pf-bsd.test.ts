import { describe, it, expect } from "vitest";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { pfBsdFormat } from "../../../src/decode/log/pf-bsd.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, fixture, options, decodeOne } from "./helpers.js";

const FILE = "fixtures/logs/pf-openbsd/ossec-docs/firewalls_pf.rst.samples.log";
const make = () => createTextDecoder(pfBsdFormat, options());

const one = (line: string) => decodeOne(make, line);

const tuple = (e: EventJson | undefined) => e && { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action };

describe("pf (tcpdump text): parse", () => {
  it("reads OpenBSD's 'rule N/(reason) action dir on if:' and a TCP segment (flags first), with tcpdump's stamp", () => {
    const { event } = one("Mar 30 15:55:20 enigma pf: Mar 30 15:53:25.793256 rule 2/(match) pass in on xl0: 205.174.165.231.50425 > 192.168.2.10.22: . ack 2450721 win 73 <nop,nop,timestamp 1815379950 17589621,[|tcp]> (DF) [tos 0x10]");
    expect(tuple(event)).toEqual({ src: "205.174.165.231", dst: "192.168.2.10", protocol: "tcp", srcPort: 50425, dstPort: 22, action: "allowed" });
    expect(event!.time).toBe("2026-03-30T15:53:25.793Z");
    expect(event!.evidence).toBe("pass in on xl0 (rule 2)");
  });

  it("reads tcpdump.org's 'rule N/reason:' and the older 'rule N/0(match):' headers, and blocks", () => {
    const a = one("rule 0/match: block in on em0: 198.51.100.9.4431 > 192.0.2.10.22: Flags [S], seq 1, win 65535, length 0").event;
    expect(tuple(a)).toEqual({ src: "198.51.100.9", dst: "192.0.2.10", protocol: "tcp", srcPort: 4431, dstPort: 22, action: "blocked" });
    const b = one("rule 3/0(match): block in on em0: 198.51.100.9.1234 > 192.0.2.10.80: S 1:1(0) win 16384").event;
    expect(b && [b.protocol, b.dstPort, b.action]).toEqual(["tcp", 80, "blocked"]);
    const c = one("rule 1.blocklist.3/match [uid 0]: block out on vio0: 192.0.2.10.5353 > 224.0.0.251.5353: 0 [1q] PTR (QM)? _services._dns-sd._udp.local. (46)").event;
    expect(c && [c.protocol, c.action, c.evidence]).toEqual(["udp", "blocked", "block out on vio0 (rule 1.blocklist.3)"]);
  });

  it("reads UDP ('udp N', 'UDP, length N', or an application printer) and IPv6 addr.port", () => {
    const u = one("Mar 30 15:55:20 enigma pf: Mar 30 15:55:14.265470 rule 3/(match) pass out on xl0: 192.168.2.10.1514 > 192.168.2.26.3875:  udp 57").event;
    expect(tuple(u)).toEqual({ src: "192.168.2.10", dst: "192.168.2.26", protocol: "udp", srcPort: 1514, dstPort: 3875, action: "allowed" });
    const v6 = one("rule 4/match: block in on em0: fe80::1.546 > ff02::1:2.547: UDP, length 98").event;
    expect(tuple(v6)).toEqual({ src: "fe80::1", dst: "ff02::1:2", protocol: "udp", srcPort: 546, dstPort: 547, action: "blocked" });
  });

  it("maps ICMP words to types; an unreachable is an error, not a flow; ICMPv6 echo is 128", () => {
    const echo = one("Mar 30 15:55:19 enigma pf: Mar 30 15:48:03.820068 rule 3/(match) pass out on lo0: 127.0.0.1 > 127.0.0.1: icmp: echo request").event;
    expect(echo && [echo.protocol, echo.icmpType, echo.action]).toEqual(["icmp", 8, "allowed"]);
    expect(one("Mar 30 15:55:19 enigma pf: Mar 30 15:48:03.688233 rule 3/(match) pass out on xl0: 192.168.2.10 > 192.168.2.1: icmp: 192.168.2.10 udp port 137 unreachable").skipped).toBe("icmp-error");
    const v6 = one("rule 5/match: pass in on em0: 2001:db8::1 > 2001:db8::2: ICMP6, echo request, seq 1, length 64").event;
    expect(v6 && [v6.protocol, v6.icmpType]).toEqual(["icmpv6", 128]);
  });

  it("takes the protocol from -v's IP header, and names port-less protocols", () => {
    const v = one("rule 6/match: block in on em0: (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60) 198.51.100.9.4431 > 192.0.2.10.443: Flags [S], seq 1").event;
    expect(v && [v.protocol, v.dstPort]).toEqual(["tcp", 443]);
    const esp = one("rule 7/match: pass in on em0: 198.51.100.9 > 192.0.2.10: ESP(spi=0x00001234,seq=0x1), length 116").event;
    expect(esp && [esp.protocol, esp.action]).toEqual(["ip-proto-50", "allowed"]);
  });

  it("counts lines it cannot read as flows, with their reasons", () => {
    expect(one("rule 8/match: block in on em0: 198.51.100.9 > 192.0.2.10: some unknown payload").skipped).toBe("unknown-protocol");
    expect(one("rule 9/match: block in on em0: 198.51.100.9.ssh > 192.0.2.10.http: Flags [S]").skipped).toBe("port-name");
    expect(one("rule 9/match: block in on em0: [|pflog]").skipped).toBe("not-traffic:no-packet");
    expect(one("Mar 30 15:55:20 enigma pflogd[123]: [priv]: msg PRIV_OPEN_LOG received").skipped).toBe("not-pf");
  });

  it("recognises its own lines only", () => {
    expect(pfBsdFormat.sniff("rule 2/(match) pass in on xl0: 1.2.3.4.5 > 6.7.8.9.10: . ack 1 win 2")).toBe(true);
    expect(pfBsdFormat.sniff("<134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,63")).toBe(false);
    expect(pfBsdFormat.sniff("ipfw: 1000 Deny TCP 75.126.23.220:80 192.168.47.1:9839 in via eth2")).toBe(false);
  });
});

describe("pf (tcpdump text): ossec-docs samples", () => {
  const data = fixture(FILE);
  it("detected as pf-bsd; same events and stats whole and cut at 1, 2, 3, 7, 64, 1000 bytes", () => {
    expect(detectFormat(data)).toBe("pf-bsd");
    const { whole, mismatches } = decodeAtEveryChunkSize(make, data);
    expect(mismatches).toEqual([]);
    expect(balanced(whole.stats)).toBe(true);
    expect({ read: whole.stats.read, used: whole.stats.used, skipped: whole.stats.skipped }).toEqual({ read: 30, used: 29, skipped: { "icmp-error": 1 } });
  });

  it("reads every line as the tcpdump text says: 10 TCP to/from port 22, 10 UDP 1514 > 3875, 9 ICMP echoes on lo0", () => {
    const { whole } = decodeAtEveryChunkSize(make, data);
    const key = (e: EventJson) => `${e.protocol} ${e.srcPort ?? ""}>${e.dstPort ?? ""} ${e.action}`;
    const counts: Record<string, number> = {};
    for (const e of whole.events) counts[key(e)] = (counts[key(e)] ?? 0) + 1;
    expect(counts).toEqual({ "tcp 50425>22 allowed": 9, "tcp 22>56038 allowed": 1, "udp 1514>3875 allowed": 10, "icmp > allowed": 9 });
  });
});
