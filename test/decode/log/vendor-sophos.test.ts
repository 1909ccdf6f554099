import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { sophosFormat } from "../../../src/decode/log/sophos.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, ecsAction, ecsTransport, fixture, options, decodeOne } from "./helpers.js";

const DIR = "fixtures/logs/sophos-firewall/";
const make = () => createTextDecoder(sophosFormat, options());

const one = (line: string) => decodeOne(make, line);

const tuple = (e: EventJson | undefined) => e && { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action };

const XG = 'device="SFW" date=2018-05-30 time=13:14:26 timezone="+0530" device_name="XG125w" device_id=SFDemo-763180a';

describe("sophos firewall (XG/SFOS): parse", () => {
  it("reads an allowed firewall-rule record, with its numeric time zone", () => {
    const { event } = one(`${XG} log_id=010101600001 log_type="Firewall" log_component="Firewall Rule" log_subtype="Allowed" status="Allow" priority=Information fw_rule_id=5 src_ip=10.146.13.30 dst_ip=10.8.142.181 protocol="TCP" src_port=45294 dst_port=443 connevent="Start"`);
    expect(tuple(event)).toEqual({ src: "10.146.13.30", dst: "10.8.142.181", protocol: "tcp", srcPort: 45294, dstPort: 443, action: "allowed" });
    expect(event!.time).toBe("2018-05-30T07:44:26.000Z");
    expect(event!.evidence).toBe("Firewall Rule: Allowed");
  });

  it("reads a denied ICMP echo with its type and code", () => {
    const { event } = one(`${XG} log_id=010102600002 log_type="Firewall" log_component="Firewall Rule" log_subtype="Denied" status="Deny" src_ip=10.198.32.19 dst_ip=1.128.3.4 protocol="ICMP" icmp_type=8 icmp_code=0`);
    expect(event && [event.protocol, event.icmpType, event.icmpCode, event.action]).toEqual(["icmp", 8, 0, "blocked"]);
  });

  it("reads IPv6 addresses; an ICMP error (time exceeded) is not a flow", () => {
    const v6 = one(`${XG} log_id=011702605051 log_type="Firewall" log_component="MAC Filter" log_subtype="Denied" status="Deny" src_ip=fe80::59f5:3ce8:c98e:5062 dst_ip=ff02::1:2 protocol="UDP" src_port=546 dst_port=547`).event;
    expect(tuple(v6)).toEqual({ src: "fe80::59f5:3ce8:c98e:5062", dst: "ff02::1:2", protocol: "udp", srcPort: 546, dstPort: 547, action: "blocked" });
    expect(one(`${XG} log_type="Firewall" log_component="ICMP ERROR MESSAGE" log_subtype="Allowed" status="Allow" src_ip=172.29.250.33 dst_ip=10.198.232.48 protocol="ICMP" icmp_type=11 icmp_code=0`).skipped).toBe("icmp-error");
  });

  it("reads SFOS 19+ records (every value quoted, no status: log_subtype decides)", () => {
    const { event } = one('<30>device_name="test" timestamp="2026-05-14T10:37:35+0200" device_model="XGSxxxx" log_id="010101600001" log_type="Firewall" log_component="Firewall Rule" log_subtype="Allowed" log_version=1 severity="Information" fw_rule_id="179" src_ip="192.168.254.120" dst_ip="172.23.3.202" protocol="UDP" src_port=56252 dst_port=161 con_event="Start"');
    expect(tuple(event)).toEqual({ src: "192.168.254.120", dst: "172.23.3.202", protocol: "udp", srcPort: 56252, dstPort: 161, action: "allowed" });
    expect(event!.time).toBe("2026-05-14T08:37:35.000Z");
  });

  it("reads an SSL/TLS inspection record as a TCP connection let through", () => {
    const { event } = one('timestamp="2012-12-01T11:02:24+0200" device_model="XGU9800" log_id="058404404404" log_type="Content Filtering" log_component="SSL" log_subtype="Do not decrypt" src_ip="12.12.68.9" dst_ip="12.12.200.123" src_port=53999 dst_port=123 rule_name="SAMPLE RULE"');
    expect(tuple(event)).toEqual({ src: "12.12.68.9", dst: "12.12.200.123", protocol: "tcp", srcPort: 53999, dstPort: 123, action: "allowed" });
  });

  it("skips other log types, 0.0.0.0 fragments, and a record cut before its protocol", () => {
    expect(one('timestamp="2012-12-01T11:02:44+0200" log_id=158923789025 log_type="SD-WAN" log_component="SLA" log_subtype="Information" gw_status="up"').skipped).toBe("not-traffic:sd-wan");
    expect(one(`${XG} log_type="Event" log_component="GUI" log_subtype="Admin" status="Successful" src_ip=10.0.0.1`).skipped).toBe("not-traffic:event");
    expect(one(`${XG} log_id=011402601301 log_type="Firewall" log_component="Fragmented Traffic" log_subtype="Denied" status="Deny" src_ip=0.0.0.0 dst_ip=0.0.0.0 protocol="0" src_port=0 dst_port=0`).skipped).toBe("missing-address");
    expect(one(`${XG} log_type="Firewall" log_component="Firewall Rule" log_subtype="Denied" status="Deny" src_ip=10.0.0.1 dst_ip=10.0.0.2 prot`).skipped).toBe("missing-protocol");
  });
});

describe("sophos UTM: parse", () => {
  const UTM = '2014:09:30-12:06:15 utm ulogd[11342]: id="2001" severity="info" sys="SecureNet" sub="packetfilter"';
  it("reads packet-filter records: accepted, dropped, and the protocol number", () => {
    const drop = one(`${UTM} name="Packet dropped" action="drop" fwrule="60002" initf="eth1" srcip="192.168.1.28" dstip="144.76.96.172" proto="6" length="52" srcport="49242" dstport="5222" tcpflags="SYN"`).event;
    expect(tuple(drop)).toEqual({ src: "192.168.1.28", dst: "144.76.96.172", protocol: "tcp", srcPort: 49242, dstPort: 5222, action: "blocked" });
    expect(drop!.time).toBe("2014-09-30T12:06:15.000Z");
    const ok = one('id="2002" severity="info" sys="SecureNet" sub="packetfilter" name="Packet accepted" action="accept" srcip="10.1.0.10" dstip="8.8.8.8" proto="17" srcport="51208" dstport="53"').event;
    expect(ok!.action).toBe("allowed");
    const ping = one('id="2002" severity="info" sys="SecureNet" sub="packetfilter" name="Packet accepted" action="accept" srcip="10.1.0.10" dstip="10.1.0.1" proto="1" type="8" code="0"').event;
    expect(ping && [ping.protocol, ping.icmpType, ping.icmpCode]).toEqual(["icmp", 8, 0]);
  });

  it("skips floods, other subsystems and the WAF's access log", () => {
    expect(one('id="2100" severity="info" sys="SecureNet" sub="packetfilter" name="SYN flood detected" srcip="1.2.3.4" dstip="5.6.7.8" proto="6" srcport="1" dstport="80"').skipped).toBe("not-traffic:dos");
    expect(one('id="3005" severity="warn" sys="System" sub="auth" name="Authentication failed" srcip="1.2.3.4" user="johndoe" caller="openvpn" reason="DENIED"').skipped).toBe("not-traffic:auth");
    expect(one('10:18-10:42:59 rproxy httpd: id="0299" srcip="1.2.3.4" localip="192.168.1.5" size="112" method="POST" server="test.server.fr" port="443"').skipped).toBe("not-traffic:httpd");
  });

  it("recognises its own lines only", () => {
    expect(sophosFormat.sniff('id="2002" severity="info" sys="SecureNet" sub="packetfilter"')).toBe(true);
    expect(sophosFormat.sniff(`${XG} log_id=010101600001 log_type="Firewall"`)).toBe(true);
    expect(sophosFormat.sniff('date=2023-12-01 time=14:43:23 devname="FG" logid="0000000013" type="traffic" subtype="forward"')).toBe(false);
    expect(sophosFormat.sniff('id=firewall sn=00XX time="2005-10-22 00:12:11" fw=1.2.3.4 pri=5 c=128 m=37')).toBe(false);
  });
});

describe("sophos: SEKOIA-IO intake-formats cases", () => {
  interface Case {
    input: { message: string };
    expected: { source?: { ip?: string; port?: number }; destination?: { ip?: string; port?: number }; network?: { transport?: string }; action?: { name?: string }; event?: { category?: string[] } };
  }
  const dir = `${DIR}sekoia-intake-formats/`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const SKIP: Record<string, string> = { "openvpn.json": "not-traffic:auth", "test_sla.json": "not-traffic:sd-wan", "test_plugin_waf.json": "not-traffic:httpd" };

  it("has the eight cases of the corpus", () => expect(files).toHaveLength(8));

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
      if (c.expected.network?.transport) expect(e.protocol).toBe(ecsTransport(c.expected.network.transport));
      const a = ecsAction(c.expected.action?.name);
      if (a) expect(e.action).toBe(a);
    });
  }
});

describe("sophos: whole files", () => {
  it("elastic test-sophos-18-5-firewall.log: detected; same events and stats at every chunk size; an unterminated quote and an unquoted value with spaces are read", () => {
    const data = fixture(`${DIR}elastic-integrations/test-sophos-18-5-firewall.log`);
    expect(detectFormat(data)).toBe("sophos");
    const { whole, mismatches } = decodeAtEveryChunkSize(make, data);
    expect(mismatches).toEqual([]);
    expect(balanced(whole.stats)).toBe(true);
    expect({ read: whole.stats.read, used: whole.stats.used, skipped: whole.stats.skipped }).toEqual({ read: 16, used: 12, skipped: { "icmp-error": 3, "missing-address": 1 } });
    // Line 2 ends in an unterminated quote (appresolvedby="Signature); line 16 has ether_type=Unknown (0x0000).
    expect(tuple(whole.events.find((e) => e.line === 2))).toEqual({ src: "10.198.32.19", dst: "1.128.3.4", protocol: "icmp", srcPort: null, dstPort: null, action: "blocked" });
    expect(tuple(whole.events.find((e) => e.line === 16))).toEqual({ src: "10.146.13.30", dst: "10.8.142.181", protocol: "tcp", srcPort: 45294, dstPort: 443, action: "allowed" });
  });

  it("the SEKOIA messages as one file decode the same at every chunk size", () => {
    const dir = `${DIR}sekoia-intake-formats/`;
    const text = readdirSync(dir).filter((f) => f.endsWith(".json")).sort()
      .map((f) => (JSON.parse(fixture(dir + f).toString("utf8")) as { input: { message: string } }).input.message).join("\n");
    const { whole, mismatches } = decodeAtEveryChunkSize(make, Buffer.from(`${text}\n`));
    expect(mismatches).toEqual([]);
    expect({ read: whole.stats.read, used: whole.stats.used }).toEqual({ read: 8, used: 5 });
  });
});
