import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { barracudaFormat } from "../../../src/decode/log/barracuda.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, fixture, options, decodeOne } from "./helpers.js";

const DIR = "fixtures/logs/barracuda-cloudgen/";
const make = () => createTextDecoder(barracudaFormat, options());

const one = (line: string) => decodeOne(make, line);

const tuple = (e: EventJson | undefined) => e && { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action };

describe("barracuda cloudgen: activity log", () => {
  it("reads the key=value form and the file's own stamp with its offset", () => {
    const { event } = one("2018 01 30 13:12:21 Security +01:00 Block: type=FWD|proto=UDP|srcIF=eth0|srcIP=10.17.34.12|srcPort=54915|srcMAC=18:db:f2:13:ca:9c|dstIP=10.17.34.255|dstPort=54915|dstService=|dstIF=|rule=BLOCKALL|info=Block by Rule|srcNAT=0.0.0.0|dstNAT=0.0.0.0|duration=0|count=1|receivedBytes=0|sentBytes=0|receivedPackets=0|sentPackets=0|user=|protocol=|application=|target=|content=|urlcat=");
    expect(tuple(event)).toEqual({ src: "10.17.34.12", dst: "10.17.34.255", protocol: "udp", srcPort: 54915, dstPort: 54915, action: "blocked" });
    expect(event!.time).toBe("2018-01-30T12:12:21.000Z");
    expect(event!.evidence).toBe("Block BLOCKALL Block by Rule");
  });

  it("reads the values-only form: an allowed local-out DNS query", () => {
    const { event } = one("Info     MACHINE-F380 Allow: LOUT|UDP|bond0.603|1.2.3.4|61988|00:11:22:33:44:55|5.6.7.8|53|domain||SPIE-PUSH-INTERFACE-THR|0|9.10.11.12|5.6.7.8|0|1|0|0|0|0||||||");
    expect(tuple(event)).toEqual({ src: "1.2.3.4", dst: "5.6.7.8", protocol: "udp", srcPort: 61988, dstPort: 53, action: "allowed" });
  });

  it("keeps the count of a cumulative entry and reads IPv6 endpoints", () => {
    const cum = one("Security EXAMPLE LocalBlock: <cumulative>|UDP|eth0|5.6.7.8|0|00:00:00:00:00:00|9.10.11.12|811|||<no-match>|4003|||0|24|0|0|0|0||||||").event;
    expect(cum && [cum.action, cum.count]).toEqual(["blocked", 24]);
    const v6 = one("Info     FW1 Remove: FWD|TCP|eth1|2001:db8::5|50000|00:00:00:00:00:01|2001:db8:1::80|443|https|eth2|LAN-2-WEB|Normal Operation|||1200|1|5000|600|10|8||||||").event;
    expect(tuple(v6)).toEqual({ src: "2001:db8::5", dst: "2001:db8:1::80", protocol: "tcp", srcPort: 50000, dstPort: 443, action: "allowed" });
  });

  it("keeps Fail's verdict unknown, and reads ICMP without a type as type unknown", () => {
    expect(one("Info     FW1 Fail: FWD|TCP|eth1|10.0.0.5|50001|00:00:00:00:00:01|192.0.2.80|443|https|eth2|LAN-2-WEB|Unreachable|||0|1|0|0|0|0||||||").event!.action).toBe("unknown");
    const icmp = one("Security FW1 Block: FWD|ICMP|eth1|10.0.0.5|0|00:00:00:00:00:01|192.0.2.80|0||eth2|BLOCKALL|Block by Rule|||0|1|0|0|0|0||||||").event!;
    expect([icmp.protocol, icmp.icmpType, icmp.action]).toEqual(["icmp", null, "blocked"]);
  });

  it("skips the other box logs, naming their module", () => {
    expect(one("Info     MACHINE-F380 event: [1071065] Insert Event from 127.0.0.1:56405 - (D|3|boxfw|3|firewall|4015|9.10.11.12:443|MACHINE-F380_5-4_1|1740029102|TCP 5.6.7.8:80 (bond0.21) -> 9.10.11.12:443)").skipped).toBe("not-traffic:event");
    expect(one("Info     MACHINE-F380 phibs: Authentication Login for peer=5.6.7.8 origin=DCCLIENT server=box service=dcclient").skipped).toBe("not-traffic:phibs");
    expect(one("Info     MACHINE-F380 update|MACHINE-F380|PGRP-AUTH-jdoe-ABCD||||||1740020807|1740115598|116377688|1219271687|5.6.7.8|||jdoe").skipped).toBe("not-traffic:box");
  });

  it("counts a cut activity line and a foreign line", () => {
    expect(one("Info     MACHINE-F380 Allow: LOUT|UDP|bond0.603|1.2.3.4|61988|00:11:22:33:44:55|5.6").skipped).toBe("bad-address");
    expect(one("<134>Jun 10 14:23:01 host sshd[1]: Accepted publickey for root").skipped).toBe("not-barracuda");
  });

  it("recognises its own lines only", () => {
    expect(barracudaFormat.sniff("Info     MACHINE-F380 still alive after 23523 interval(s)")).toBe(true);
    expect(barracudaFormat.sniff("2018 01 30 13:12:21 Security +01:00 Block: type=FWD|proto=UDP|srcIF=eth0|")).toBe(true);
    expect(barracudaFormat.sniff("CEF:0|FORCEPOINT|Firewall|6.8.5|70019|Connection_Discarded|0|src=192.0.2.1")).toBe(false);
    expect(barracudaFormat.sniff("Info: something happened")).toBe(false);
  });
});

describe("barracuda cloudgen: SEKOIA-IO intake-formats cases", () => {
  const dir = `${DIR}sekoia-intake-formats/`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

  it("has the twenty-five cases of the corpus", () => expect(files).toHaveLength(25));

  it("reads the one activity record as SEKOIA does and skips the other 24 (events, auth, config, watchdog...)", () => {
    const runs = files.map((f) => ({ f, r: one((JSON.parse(fixture(dir + f).toString("utf8")) as { input: { message: string } }).input.message) }));
    const read = runs.filter((x) => x.r.event);
    expect(read.map((x) => x.f)).toEqual(["test_firewall_activity_2.json"]);
    expect(tuple(read[0]!.r.event)).toEqual({ src: "5.6.7.8", dst: "9.10.11.12", protocol: "udp", srcPort: 0, dstPort: 811, action: "blocked" });
    expect(runs.filter((x) => x.r.skipped).every((x) => x.r.skipped!.startsWith("not-traffic:"))).toBe(true);
  });

  it("the messages as one file: detected as barracuda-cloudgen, same events and stats at every chunk size", () => {
    const text = files.map((f) => (JSON.parse(fixture(dir + f).toString("utf8")) as { input: { message: string } }).input.message).join("\n");
    const data = Buffer.from(`${text}\n`);
    expect(detectFormat(data)).toBe("barracuda-cloudgen");
    const { whole, mismatches } = decodeAtEveryChunkSize(make, data);
    expect(mismatches).toEqual([]);
    expect(balanced(whole.stats)).toBe(true);
    expect({ read: whole.stats.read, used: whole.stats.used }).toEqual({ read: 25, used: 1 });
  });
});
