import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { juniperSrxFormat, parseJuniperSrx } from "../../../src/decode/log/juniper-srx.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const srx = () => createTextDecoder(juniperSrxFormat, options());
const DIR = "fixtures/logs/juniper-srx/";
const SEKOIA = DIR + "sekoia-intake-formats/";

function run(...lines: string[]) {
  const r = decode(srx, Buffer.from(lines.join("\n") + "\n"));
  expect(r.error).toBeUndefined();
  expect(balanced(r.stats)).toBe(true);
  return r;
}

function one(line: string): { event?: EventJson; skipped?: string } {
  const r = run(line);
  const out: { event?: EventJson; skipped?: string } = {};
  if (r.events.length > 0) out.event = r.events[0]!;
  const reasons = Object.keys(r.stats.skipped);
  if (reasons.length > 0) out.skipped = reasons[0]!;
  return out;
}

const tuple = (e: EventJson | undefined) => e && [e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.action];
const ctx = () => ({ opts: options(), lineNo: 1, state: {} });

interface SekoiaCase {
  input: { message: string };
  expected: { source?: { ip?: string; port?: number }; destination?: { ip?: string; port?: number }; network?: { iana_number?: string } };
}
const sekoia = (f: string) => JSON.parse(fixture(SEKOIA + f).toString("utf8")) as SekoiaCase;

describe("juniper-srx: SEKOIA-IO intake-formats Juniper NGFW cases", () => {
  it("reads the unstructured RT_FLOW_SESSION_CREATE with SEKOIA's tuple and protocol 6", () => {
    const c = sekoia("RT_FLOW_SESSION_CREATE_STANDARD.json");
    const e = one(c.input.message).event!;
    expect(tuple(e)).toEqual([c.expected.source!.ip, c.expected.source!.port, c.expected.destination!.ip, c.expected.destination!.port, "tcp", "allowed"]);
    expect(c.expected.network!.iana_number).toBe("6");
    expect(e.evidence).toBe("RT_FLOW_SESSION_CREATE");
  });

  /** Junos system and attack events: not traffic. */
  const SKIPPED: Record<string, string> = {
    "L2ALD_ST_CTL_IN_EFFECT.json": "not-traffic:srx-L2ALD_ST_CTL_IN_EFFECT",
    "RT_SCREEN_ICMP.json": "not-traffic:srx-RT_SCREEN_ICMP",
    "UI_AUTH_EVENT.json": "not-traffic:srx-UI_AUTH_EVENT",
    "UI_CHILD_START.json": "not-traffic:srx-UI_CHILD_START",
    "UI_CHILD_STATUS.json": "not-traffic:srx-UI_CHILD_STATUS",
    "UI_CMDLINE_READ_LINE.json": "not-traffic:srx-UI_CMDLINE_READ_LINE",
    "UI_JUNOSCRIPT_CMD.json": "not-traffic:srx-UI_JUNOSCRIPT_CMD",
    // The SSH connection of a login ('192.168.1.1 40382 192.168.1.2 22') is an authentication event.
    "UI_LOGIN_EVENT.json": "not-traffic:srx-UI_LOGIN_EVENT",
  };
  for (const [f, reason] of Object.entries(SKIPPED)) {
    it(`skips ${f} as ${reason}`, () => {
      const line = sekoia(f).input.message;
      expect(juniperSrxFormat.sniff(line)).toBe(true);
      const r = run(line);
      expect(r.events).toEqual([]);
      expect(Object.keys(r.stats.skipped)).toEqual([reason]);
    });
  }

  /** Process lines without a Junos tag: counted as system lines when they are in a Junos file, not sniffed alone. */
  const UNTAGGED = ["STANDARD_FORMAT.json", "cron_cmd.json", "cron_mail.json", "rshd_cmd.json"];
  for (const f of UNTAGGED) {
    it(`does not claim the untagged process line ${f}, and reads it as a system line`, () => {
      const line = sekoia(f).input.message;
      expect(juniperSrxFormat.sniff(line)).toBe(false);
      expect(parseJuniperSrx(line, ctx())).toEqual({ skip: "not-traffic:system" });
    });
  }

  it("copies every case it was given and covers each one above", () => {
    const files = readdirSync(SEKOIA).filter((f) => f.endsWith(".json")).sort();
    expect(files).toEqual(["RT_FLOW_SESSION_CREATE_STANDARD.json", ...Object.keys(SKIPPED), ...UNTAGGED].sort());
  });
});

describe("juniper-srx: Elastic's structured RT_FLOW test-flow.log", () => {
  const FILE = DIR + "elastic-integrations/test-flow.log";
  const r = decode(srx, fixture(FILE));
  const at = (line: number) => r.events.find((e) => e.line === line);

  it("reads the session lines, skips APPTRACK, and reads the ICMP sessions that state no ICMP type as type unknown", () => {
    expect(balanced(r.stats)).toBe(true);
    expect(r.stats.read).toBe(26);
    expect(r.events.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 19, 20, 23, 24, 26]);
    expect(r.events.filter((e) => e.protocol === "icmp").map((e) => [e.line, e.icmpType])).toEqual([[1, null], [5, null], [6, null], [7, null], [19, null], [26, null]]);
    expect(r.stats.skipped).toEqual({
      "not-traffic:srx-APPTRACK_SESSION_CREATE": 1,
      "not-traffic:srx-APPTRACK_SESSION_VOL_UPDATE": 3,
      "not-traffic:srx-APPTRACK_SESSION_CLOSE": 3,
      "not-traffic:srx-APPTRACK_SESSION_ROUTE_UPDATE": 1,
      "not-traffic:srx-APPTRACK_SESSION_CLOSE_LS": 1,
    });
  });

  it("reads DENY as blocked and CREATE/CLOSE as allowed, the pre-NAT tuple, protocol-id and the RFC 5424 time", () => {
    expect(tuple(at(2))).toEqual(["10.0.0.26", 37233, "67.43.156.13", 161, "udp", "blocked"]);
    expect(at(2)!.time).toBe("2019-11-14T10:12:46.573Z");
    expect(tuple(at(8))).toEqual(["10.3.255.203", 47776, "67.43.156.15", 80, "tcp", "allowed"]);
    expect(at(8)!.evidence).toBe("RT_FLOW_SESSION_CLOSE");
    expect(tuple(at(24))).toEqual(["10.1.1.100", 49583, "67.43.156.15", 53, "udp", "allowed"]);
  });

  it("reads the logical-system variants (_LS) like the others", () => {
    expect(tuple(at(20))).toEqual(["10.0.0.26", 37233, "67.43.156.13", 161, "udp", "blocked"]);
    expect(at(20)!.evidence).toBe("RT_FLOW_SESSION_DENY_LS");
  });

  it("reads a value with a trailing space inside quotes and ignores garbage after the closing bracket", () => {
    expect(tuple(at(3))).toEqual(["67.43.156.15", 56639, "67.43.156.15", 2003, "tcp", "blocked"]);
    const line26 = fixture(FILE).toString("utf8").split("\n")[25]!;
    expect(line26.endsWith("]1002")).toBe(true);
    expect(tuple(one(line26).event)).toEqual(["10.0.0.1", null, "67.43.156.13", null, "icmp", "allowed"]);
  });

  it("reads the same events at every chunk size and line ending", () => {
    const { whole, mismatches } = decodeAtEveryChunkSize(srx, fixture(FILE));
    expect(mismatches).toEqual([]);
    expect(whole.events).toEqual(r.events);
    for (const v of lineEndingVariants(fixture(FILE))) expect(decode(srx, v.data).events, v.name).toEqual(r.events);
  });
});

describe("juniper-srx: Elastic's firewall-filter test-sample.log", () => {
  const FILE = DIR + "elastic-integrations/test-sample.log";
  const r = decode(srx, fixture(FILE));

  it("reads the FW: lines (A = accept) and skips the system lines mixed with them", () => {
    expect(balanced(r.stats)).toBe(true);
    expect(r.events.map((e) => [e.line, ...tuple(e)!, e.evidence, e.count])).toEqual([
      [1, "127.0.0.1", 49153, "81.2.69.192", 49153, "udp", "allowed", "FW A", 1],
      [2, "89.160.20.112", null, "81.2.69.192", null, "ip-proto-103", "allowed", "FW A", 1],
      [6, "127.0.0.1", 49153, "81.2.69.192", 49153, "udp", "allowed", "FW A", 1],
      [8, "127.0.0.1", 49153, "81.2.69.192", 49153, "udp", "allowed", "FW A", 1],
      [9, "127.0.0.1", 49153, "81.2.69.192", 49153, "udp", "allowed", "FW A", 1],
      [12, "175.16.199.0", null, "81.2.69.192", null, "ip-proto-103", "allowed", "FW A", 1],
    ]);
    expect(r.stats.skipped).toEqual({
      "not-traffic:srx-RT_SYSTEM": 4, "not-traffic:srx-PING_TEST_COMPLETED": 2, "not-traffic:system": 3,
      "not-traffic:srx-KERN_ARP_ADDR_CHANGE": 1, "not-traffic:srx-KMD_PM_SA_ESTABLISHED": 2,
    });
  });

  it("takes the time of RFC 3164 and RFC 5424 headers", () => {
    expect(r.events[0]!.time).toBe("2026-05-04T05:16:01.000Z");
    expect(r.events[3]!.time).toBe("2023-05-04T05:21:01.102Z");
  });

  it("reads the same events at every chunk size", () => {
    expect(decodeAtEveryChunkSize(srx, fixture(FILE)).mismatches).toEqual([]);
  });
});

describe("juniper-srx: Logstash and Wazuh lines", () => {
  interface Spec { message: string; expected_ecs_v1_subset: { source: { ip: string; port: number }; destination: { ip: string; port: number }; network: { iana_number: string } }[] }
  const specs = fixtureJsonl<Spec>(DIR + "logstash-patterns-core/spec-patterns-cases.jsonl");
  for (const [i, s] of specs.entries()) {
    it(`reads unstructured case ${i + 1} with Logstash's tuple and protocol`, () => {
      const x = s.expected_ecs_v1_subset[0]!;
      const e = one(s.message).event!;
      expect([e.src, e.srcPort, e.dst, e.dstPort]).toEqual([x.source.ip, x.source.port, x.destination.ip, x.destination.port]);
      expect(e.protocol).toBe(x.network.iana_number === "6" ? "tcp" : "udp");
      expect(e.action).toBe(s.message.includes("SESSION_DENY") ? "blocked" : "allowed");
    });
  }

  it("reads Wazuh's relayed structured DENY and skips the screen and RPF events", () => {
    const lines = fixtureJsonl<{ line: string }>(DIR + "wazuh-ruleset/junos.ini.cases.jsonl").map((c) => c.line);
    const r = run(...lines);
    expect(r.events.map(tuple)).toEqual([["192.168.1.1", 1080, "192.168.1.2", 8010, "udp", "blocked"]]);
    expect(r.stats.skipped).toEqual({ "not-traffic:srx-RT_SCREEN_IP": 1, "not-traffic:srx-FLOW_MCAST_RPF_FAIL": 1 });
  });
});

describe("juniper-srx: message forms", () => {
  it("reads IPv6 tuples and the ICMP type of an unstructured DENY", () => {
    const deny = "RT_FLOW: RT_FLOW_SESSION_DENY: session denied 2001:db8::1/0->2001:db8::2/0 0x0 junos-icmp6-all 58(128) deny-all untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny";
    const e = one(deny).event!;
    expect([e.src, e.dst, e.protocol, e.icmpType, e.srcPort, e.action]).toEqual(["2001:db8::1", "2001:db8::2", "icmpv6", 128, null, "blocked"]);
  });

  it("reads a structured DENY of an ICMP echo with its icmp-type", () => {
    const line = '<14>1 2024-01-02T03:04:05Z fw RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.39 source-address="10.0.0.1" source-port="7" destination-address="10.0.0.2" destination-port="0" service-name="icmp" protocol-id="1" icmp-type="8" policy-name="p"]';
    const e = one(line).event!;
    expect([e.protocol, e.icmpType, e.srcPort, e.dstPort, e.action]).toEqual(["icmp", 8, null, null, "blocked"]);
  });

  it("reads a structured session whose last values use curly quotes and that has text after the closing bracket", () => {
    const line = '<14>1 2024-01-02T03:04:05Z fw RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.39 reason="TCP FIN" source-address="10.0.0.1" source-port="40000" destination-address="10.0.0.2" destination-port="443" protocol-id="6" destination-interface-name=”st0.0” apbr-rule-type=”default”]1002';
    expect(tuple(one(line).event)).toEqual(["10.0.0.1", 40000, "10.0.0.2", 443, "tcp", "allowed"]);
  });

  it("reads firewall-filter discards and rejects as blocked, with the packet count", () => {
    const e = one("<158>May 4 05:16:01 r1 fpc0 PFE_FW_SYSLOG_IP: FW: ge-1/0/10.0  D  tcp 10.164.161.153 10.187.121.59  8082 43206 (2 packets)").event!;
    expect([...tuple(e)!, e.count, e.evidence]).toEqual(["10.164.161.153", 8082, "10.187.121.59", 43206, "tcp", "blocked", 2, "FW D"]);
    expect(one("kernel: FW: lo0.0 R udp 10.0.0.1 10.0.0.2 5000 161").event!.action).toBe("blocked");
  });

  it("counts a cut session line as malformed, not as a flow", () => {
    const c = { opts: options(), lineNo: 1, state: {} };
    expect(parseJuniperSrx("RT_FLOW_SESSION_CREATE: session created 10.0.0.1/12", c)).toEqual({ skip: "malformed:srx-RT_FLOW_SESSION_CREATE" });
    expect(parseJuniperSrx('<14>1 2024-01-02T03:04:05Z fw RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.39 source-address="10.0.0.1" destinat', c)).toEqual({ skip: "malformed:srx-RT_FLOW_SESSION_CLOSE" });
  });
});
