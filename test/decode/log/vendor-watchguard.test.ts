import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { watchguardFormat } from "../../../src/decode/log/watchguard.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, ecsTransport, fixture, options, decodeOne } from "./helpers.js";

const DIR = "fixtures/logs/watchguard-firebox/";
const make = () => createTextDecoder(watchguardFormat, options());

const one = (line: string) => decodeOne(make, line);

const tuple = (e: EventJson | undefined) => e && { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action };

const SYSLOG = "<142>Sep 21 10:00:00 XTM-1 FVE123 firewall:";

describe("watchguard: syslog form (msg_id, positional fields)", () => {
  it("reads a denied TCP packet: interfaces, length, protocol, header length, TTL, addresses, ports", () => {
    const { event } = one(`${SYSLOG} msg_id="3000-0148" Deny 1-Trusted 0-External 60 tcp 20 64 10.0.1.5 203.0.113.9 51514 443 offset 10 S 3141592 win 8192 (Unhandled Internal Packet-00)`);
    expect(tuple(event)).toEqual({ src: "10.0.1.5", dst: "203.0.113.9", protocol: "tcp", srcPort: 51514, dstPort: 443, action: "blocked" });
    expect(event!.evidence).toBe("Deny (Unhandled Internal Packet-00)");
    expect(event!.time).toBe("2026-09-21T10:00:00.000Z");
  });

  it("reads interface names with spaces, and ICMP type and code after the addresses", () => {
    const udp = one(`${SYSLOG} msg_id="3000-0148" Allow WAN - Backup Firebox 73 udp 20 64 10.1.2.3 198.51.100.53 46616 53  geo_dst="USA" (DNS-00)`).event;
    expect(tuple(udp)).toEqual({ src: "10.1.2.3", dst: "198.51.100.53", protocol: "udp", srcPort: 46616, dstPort: 53, action: "allowed" });
    const ping = one(`${SYSLOG} msg_id="3000-0148" Allow Trusted Firebox 60 icmp 20 128 192.168.100.99 192.168.100.254 8 0 id=1 seq=2  (Ping-00)`).event;
    expect(ping && [ping.protocol, ping.icmpType, ping.icmpCode, ping.action]).toEqual(["icmp", 8, 0, "allowed"]);
  });

  it("reads the Traffic Monitor layout (service/protocol, ports, ICMP type in type=)", () => {
    const http = one('2024-03-29 18:00:54 Allow 10.0.1.2 100.100.100.11 http/tcp 42017 80 Trusted External Allowed (HTTP-proxy.1-00) proc_id="firewall" rc="406" msg_id="3000-0176" src_ip_nat="100.100.100.10" duration="14"').event;
    expect(tuple(http)).toEqual({ src: "10.0.1.2", dst: "100.100.100.11", protocol: "tcp", srcPort: 42017, dstPort: 80, action: "allowed" });
    expect(http!.time).toBe("2024-03-29T18:00:54.000Z");
    const ping = one('2024-04-01 23:39:46 Deny 10.0.1.131 10.0.1.1 echo-request/icmp Trusted Firebox Denied 84 64 (Ping-00) proc_id="firewall" rc="101" msg_id="3000-0148" type="8" duration="0"').event;
    expect(ping && [ping.protocol, ping.icmpType, ping.action]).toEqual(["icmp", 8, "blocked"]);
  });

  it("reads IPv6 addresses", () => {
    const { event } = one(`${SYSLOG} msg_id="3000-0148" Deny External Firebox 72 udp 40 64 2001:db8::1 2001:db8::2 5353 53 (Unhandled External Packet-00)`);
    expect(tuple(event)).toEqual({ src: "2001:db8::1", dst: "2001:db8::2", protocol: "udp", srcPort: 5353, dstPort: 53, action: "blocked" });
  });

  it("gives up on a hostile line in linear time (a disposition repeated 50,000 times)", () => {
    expect(one(`${SYSLOG} msg_id="3000-0148" ${"Allow ".repeat(50_000)}`).skipped).toBe("unrecognised-layout");
  }, 2000);

  it("skips events without a disposition, and a traffic record in a layout it cannot place", () => {
    expect(one('<140>Sep 21 10:00:00 XTM-1 FVE123 sessiond: msg_id="3E00-0004" SSL VPN user jdoe@radius from 198.51.100.4 logged out').skipped).toBe("not-traffic:sessiond");
    expect(one(`${SYSLOG} msg_id="3000-0148" Allow Trusted External 60 tcp 20 64 10.0.1.5`).skipped).toBe("unrecognised-layout");
  });
});

describe("watchguard: LEEF form", () => {
  const LEEF = "LEEF:1.0|WatchGuard|XTM|12.8.2.B666661|30000148|serial=000000000000\tpolicy=Any-00\t";
  it("reads disp/src/srcPort/dst/dstPort/proto and devTime with its zone", () => {
    const { event } = one(`${LEEF}devTime=Sep 23 2022 09:51:24 +0200\tdisp=Allow\tsrc=10.10.1.1\tsrcPort=46416\tdst=10.10.1.2\tdstPort=443\tproto=tcp`);
    expect(tuple(event)).toEqual({ src: "10.10.1.1", dst: "10.10.1.2", protocol: "tcp", srcPort: 46416, dstPort: 443, action: "allowed" });
    expect(event!.time).toBe("2022-09-23T07:51:24.000Z");
  });

  it("reads the untagged header with rsyslog's #011 for tabs", () => {
    const { event } = one("1.0|WatchGuard|XTM|12.10.1|1DFF000F|host_name=Member2#011policy=DNS-proxy-00#011disp=Deny#011src=192.0.2.7#011srcPort=52818#011dst=198.51.100.8#011dstPort=53#011proto=udp#011msg=DNS request");
    expect(tuple(event)).toEqual({ src: "192.0.2.7", dst: "198.51.100.8", protocol: "udp", srcPort: 52818, dstPort: 53, action: "blocked" });
  });

  it("skips a record that names no protocol, proxy content handling, and events", () => {
    expect(one(`${LEEF}disp=Allow\tsrc=192.168.91.11\tsrcPort=52075\tdst=8.8.4.4\tdstPort=53\tduration=38`).skipped).toBe("missing-protocol");
    expect(one(`${LEEF}disp=Allow\tsrc=10.0.2.54\tsrcPort=49946\tdst=192.0.2.5\tdstPort=80\tproto=tcp\tmsg=ProxyAvScan: HTTP Content Type match`).skipped).toBe("not-traffic:proxy-avscan");
    expect(one("1.0|WatchGuard|XTM|12.10.2|50000001|host_name=Member2#011msg=WSM User x@Firebox-DB from 192.0.2.1 log in attempt was rejected").skipped).toBe("not-traffic:msg-5000");
  });

  it("recognises its own lines only", () => {
    expect(watchguardFormat.sniff(`${LEEF}disp=Allow`)).toBe(true);
    expect(watchguardFormat.sniff(`${SYSLOG} msg_id="3000-0148" Allow`)).toBe(true);
    expect(watchguardFormat.sniff("LEEF:1.0|Forcepoint|Firewall|7.1.5|Connection_Allowed|src=1.2.3.4")).toBe(false);
    expect(watchguardFormat.sniff('id=firewall sn=0017C5178994 time="2018-02-06 16:11:09" fw=64.107.153.15 pri=6')).toBe(false);
  });
});

describe("watchguard: SEKOIA-IO intake-formats cases", () => {
  interface Case {
    input: { message: string };
    expected: { source?: { ip?: string; port?: number }; destination?: { ip?: string; port?: number }; network?: { transport?: string }; event?: { action?: string } };
  }
  const dir = `${DIR}sekoia-intake-formats/`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const SKIP: Record<string, string> = {
    "auth_was_rejected.json": "not-traffic:msg-1100", "user_logged_out.json": "not-traffic:msg-3e00",
    "user_login_rejected.json": "not-traffic:msg-5000", "user_login_rejected_2.json": "not-traffic:msg-5000",
    "virus_analysis.json": "not-traffic:proxy-avscan",
    // LEEF 3000-0151 without proto: the port cannot be checked without its protocol.
    "connection_allow.json": "missing-protocol", "connection_allow3.json": "missing-protocol",
  };

  it("has the fifteen cases of the corpus", () => expect(files).toHaveLength(15));

  for (const f of files) {
    it(`${f}: ${SKIP[f] ? `skipped as ${SKIP[f]}` : "read as SEKOIA reads it"}`, () => {
      const c = JSON.parse(fixture(dir + f).toString("utf8")) as Case;
      const r = one(c.input.message);
      if (SKIP[f]) { expect(r.skipped).toBe(SKIP[f]); return; }
      const e = r.event!;
      expect(e.src).toBe(c.expected.source?.ip);
      expect(e.dst).toBe(c.expected.destination?.ip);
      expect(e.srcPort).toBe(c.expected.source?.port ?? null);
      expect(e.dstPort).toBe(c.expected.destination?.port ?? null);
      expect(e.protocol).toBe(ecsTransport(c.expected.network!.transport!));
      expect(e.action).toBe(c.expected.event?.action === "Deny" ? "blocked" : "allowed");
    });
  }

  it("the fifteen messages as one file: detected as watchguard, same events and stats at every chunk size", () => {
    const text = files.map((f) => (JSON.parse(fixture(dir + f).toString("utf8")) as Case).input.message).join("\n");
    const data = Buffer.from(`${text}\n`);
    expect(detectFormat(data)).toBe("watchguard");
    const { whole, mismatches } = decodeAtEveryChunkSize(make, data);
    expect(mismatches).toEqual([]);
    expect(balanced(whole.stats)).toBe(true);
    expect({ read: whole.stats.read, used: whole.stats.used }).toEqual({ read: 15, used: 8 });
  });
});
