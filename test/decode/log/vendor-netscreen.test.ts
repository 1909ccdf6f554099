import { describe, it, expect } from "vitest";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { netscreenFormat, parseNetscreen } from "../../../src/decode/log/netscreen.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const ns = () => createTextDecoder(netscreenFormat, options());
const DIR = "fixtures/logs/netscreen/";

function run(...lines: string[]) {
  const r = decode(ns, Buffer.from(lines.join("\n") + "\n"));
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

describe("netscreen: OSSEC's ScreenOS samples", () => {
  const FILE = DIR + "ossec-docs/firewalls_netscreen.rst.samples.log";
  const r = decode(ns, fixture(FILE));

  it("reads the four 00257 traffic lines and skips the screen alarms, VPN and admin events by code", () => {
    expect(balanced(r.stats)).toBe(true);
    expect(r.events.map((e) => [e.line, ...tuple(e)!, e.evidence])).toEqual([
      [1, "192.168.2.1", 3036, "1.2.3.4", 7001, "udp", "blocked", "00257 Deny"],
      [2, "192.168.2.2", 53, "1.2.3.4", 20721, "udp", "blocked", "00257 Deny"],
      [3, "192.168.2.2", 53, "1.2.3.4", 17210, "udp", "blocked", "00257 Deny"],
      [4, "192.168.2.1", 31048, "1.2.3.4", 12, "tcp", "blocked", "00257 Deny"],
    ]);
    expect(r.stats.skipped).toEqual({
      "not-traffic:screenos-00016": 3, "not-traffic:screenos-00436": 1, "not-traffic:screenos-00031": 1,
      "not-traffic:screenos-00001": 1, "not-traffic:screenos-00041": 1, "not-traffic:screenos-00040": 1,
      "not-traffic:screenos-00042": 1, "not-traffic:screenos-00008": 1, "not-traffic:screenos-00002": 1,
    });
  });

  it("takes the device's start_time (which has a year), also when its quotes are escaped", () => {
    expect(r.events[0]!.time).toBe("2006-06-02T14:55:45.000Z");
    expect(r.events[3]!.time).toBe("2005-03-16T16:33:22.000Z");
  });

  it("detects every line as netscreen and reads the same events at every chunk size and line ending", () => {
    for (const l of fixture(FILE).toString("utf8").split("\n").filter(Boolean)) expect(netscreenFormat.sniff(l), l).toBe(true);
    const { whole, mismatches } = decodeAtEveryChunkSize(ns, fixture(FILE));
    expect(mismatches).toEqual([]);
    expect(whole.events).toEqual(r.events);
    for (const v of lineEndingVariants(fixture(FILE))) expect(decode(ns, v.data).events, v.name).toEqual(r.events);
  });
});

describe("netscreen: Logstash and Wazuh lines", () => {
  const specs = fixtureJsonl<{ message: string }>(DIR + "logstash-patterns-core/spec-patterns-cases.jsonl").map((s) => s.message);

  it("reads a Permit with NAT fields as the pre-NAT tuple, allowed", () => {
    const e = one(specs[0]!).event!;
    expect(tuple(e)).toEqual(["74.168.138.252", 1732, "72.72.72.72", 443, "tcp", "allowed"]);
    expect(e.evidence).toBe("00257 Permit");
  });

  it("skips a TCP line that names only a service and no ports as missing-port", () => {
    expect(one(specs[1]!).skipped).toBe("missing-port");
  });

  it("reads 'reason=Traffic Denied' lines as blocked", () => {
    expect(tuple(one(specs[3]!).event)).toEqual(["192.168.2.2", 53, "1.2.3.4", 17210, "udp", "blocked"]);
  });

  it("skips Wazuh's configuration, management and SYN-flood lines as not traffic", () => {
    const lines = fixtureJsonl<{ line: string }>(DIR + "wazuh-ruleset/netscreen.ini.cases.jsonl").map((c) => c.line);
    const r = run(...lines);
    expect(r.events).toEqual([]);
    expect(r.stats.skipped).toEqual({ "not-traffic:screenos-00767": 1, "not-traffic:screenos-00018": 1, "not-traffic:screenos-00515": 1, "not-traffic:screenos-00005": 1 });
  });
});

describe("netscreen: message forms", () => {
  const base = 'Jun  2 14:55:46 fw fw: NetScreen device_id=fw  [Root]system-notification-00257(traffic): start_time="2024-06-02 14:55:45" duration=3 policy_id=7';

  it("reads Permit and Tunnel as allowed, Reject as blocked, an unknown action as unknown", () => {
    const l = (a: string) => `${base} service=http proto=6 src zone=Trust dst zone=Untrust action=${a} sent=1 rcvd=2 src=10.0.0.1 dst=192.0.2.1 src_port=40000 dst_port=80`;
    expect(["Permit", "Tunnel", "Reject", "Whatever"].map((a) => one(l(a)).event!.action)).toEqual(["allowed", "allowed", "blocked", "unknown"]);
  });

  it("reads IPv6 addresses and the ICMP type and code of an ICMP session", () => {
    const v6 = `${base} service=ICMP-ANY proto=58 src zone=Trust dst zone=Untrust action=Permit sent=0 rcvd=0 src=2001:db8::1 dst=2001:db8::2 icmp type=128 icmp code=0 session_id=5`;
    const e = one(v6).event!;
    expect([e.src, e.dst, e.protocol, e.icmpType, e.icmpCode, e.action]).toEqual(["2001:db8::1", "2001:db8::2", "icmpv6", 128, 0, "allowed"]);
  });

  it("takes the port of a custom service 'tcp/port:N' when dst_port is absent", () => {
    const l = `${base} service=tcp/port:8443 proto=6 src zone=Trust dst zone=Untrust action=Deny sent=0 rcvd=0 src=10.0.0.1 dst=192.0.2.1`;
    expect(tuple(one(l).event)).toEqual(["10.0.0.1", null, "192.0.2.1", 8443, "tcp", "blocked"]);
  });

  it("counts a cut traffic line as missing-address and other products' lines as not netscreen", () => {
    const c = { opts: options(), lineNo: 1, state: {} };
    expect(parseNetscreen(`${base} service=http proto=6 src zone=Trust`, c)).toEqual({ skip: "missing-address" });
    expect(parseNetscreen("%ASA-6-302013: Built inbound TCP connection 1 for a:1.1.1.1/1 (1.1.1.1/1) to b:2.2.2.2/2 (2.2.2.2/2)", c)).toEqual({ skip: "not-netscreen" });
  });
});
