import { describe, it, expect } from "vitest";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { ipfwFormat } from "../../../src/decode/log/ipfw.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, fixture, options, decodeOne } from "./helpers.js";

const FILE = "fixtures/logs/ipfw/ossec-docs/firewalls_wipfw.rst.samples.log";
const make = () => createTextDecoder(ipfwFormat, options());

const one = (line: string) => decodeOne(make, line);

const tuple = (e: EventJson | undefined) => e && { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action };

describe("ipfw: parse", () => {
  it("reads wipfw's line: rule, action, TCP src:port dst:port, direction, and its own stamp", () => {
    const { event } = one("0000000060 2006.12.07 08:49:58.002  ipfw: 1000 Deny TCP 75.126.23.220:80 192.168.47.1:9839 in via eth2");
    expect(tuple(event)).toEqual({ src: "75.126.23.220", dst: "192.168.47.1", protocol: "tcp", srcPort: 80, dstPort: 9839, action: "blocked" });
    expect(event!.time).toBe("2006-12-07T08:49:58.002Z");
    expect(event!.evidence).toBe("Deny (rule 1000)");
  });

  it("reads FreeBSD's syslog form: Accept, ICMP:type.code, IPv6 in brackets, P:proto", () => {
    const ok = one("Nov 23 09:12:01 gw kernel: ipfw: 100 Accept UDP 10.0.0.1:5353 10.0.0.2:53 out via em0").event;
    expect(tuple(ok)).toEqual({ src: "10.0.0.1", dst: "10.0.0.2", protocol: "udp", srcPort: 5353, dstPort: 53, action: "allowed" });
    expect(ok!.time).toBe("2026-11-23T09:12:01.000Z");
    const ping = one("ipfw: 200 Deny ICMP:8.0 198.51.100.1 192.0.2.1 in via em0").event;
    expect(ping && [ping.protocol, ping.icmpType, ping.icmpCode, ping.action]).toEqual(["icmp", 8, 0, "blocked"]);
    const v6 = one("ipfw: 300 Reset TCP [2001:db8::1]:51000 [2001:db8::2]:22 in via em0").event;
    expect(tuple(v6)).toEqual({ src: "2001:db8::1", dst: "2001:db8::2", protocol: "tcp", srcPort: 51000, dstPort: 22, action: "blocked" });
    const gre = one("ipfw: 400 Accept P:47 198.51.100.1 192.0.2.1 in via em0").event;
    expect(gre && [gre.protocol, gre.action]).toEqual(["ip-proto-47", "allowed"]);
  });

  it("keeps actions that decide nothing (Count, SkipTo, Divert) unknown, with the word as evidence", () => {
    const e = one("ipfw: 500 SkipTo 1000 TCP 10.0.0.1:1000 10.0.0.2:80 out via em0").event!;
    expect([e.action, e.evidence]).toEqual(["unknown", "SkipTo 1000 (rule 500)"]);
  });

  it("skips an ICMP error, a later fragment, the log-limit notice and a cut line", () => {
    expect(one("ipfw: 200 Deny ICMP:3.3 198.51.100.1 192.0.2.1 in via em0").skipped).toBe("icmp-error");
    expect(one("ipfw: 300 Deny TCP 10.0.0.1 10.0.0.2 in via em0 (frag 1234:1480@1480+)").skipped).toBe("fragment");
    expect(one("ipfw: limit 100 reached on entry 1000").skipped).toBe("not-traffic:log-limit");
    expect(one("ipfw: 1000 Deny TCP 75.126.23.220:80 192.168.4").skipped).toBe("bad-address");
  });

  it("recognises its own lines only", () => {
    expect(ipfwFormat.sniff("ipfw: 1000 Deny TCP 1.2.3.4:80 5.6.7.8:99 in via eth2")).toBe(true);
    expect(ipfwFormat.sniff("rule 2/(match) pass in on xl0: 1.2.3.4.5 > 6.7.8.9.10: . ack")).toBe(false);
  });
});

describe("ipfw: ossec-docs wipfw samples", () => {
  it("detected as ipfw; every line read as a denied inbound TCP packet; same at every chunk size", () => {
    const data = fixture(FILE);
    expect(detectFormat(data)).toBe("ipfw");
    const { whole, mismatches } = decodeAtEveryChunkSize(make, data);
    expect(mismatches).toEqual([]);
    expect(balanced(whole.stats)).toBe(true);
    expect({ read: whole.stats.read, used: whole.stats.used }).toEqual({ read: 11, used: 11 });
    expect(whole.events.every((e) => e.protocol === "tcp" && e.srcPort === 80 && e.dst === "192.168.47.1" && e.action === "blocked")).toBe(true);
  });
});
