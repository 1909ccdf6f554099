import { describe, it, expect } from "vitest";
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN } from "../../../src/decode/batch.js";
import { filterlogFormat, icmpFromWord } from "../../../src/decode/log/filterlog.js";
import { createTextDecoder, type FlowFields, type ParseResult } from "../../../src/decode/log/text-format.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import { balanced, decode, decodeAtEveryChunkSize, ecsAction, ecsTransport, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const make = () => createTextDecoder(filterlogFormat, options());
const parse = (line: string): ParseResult => filterlogFormat.parse(line, { opts: options(), lineNo: 1, state: {} });
const flow = (line: string): FlowFields => {
  const r = parse(line);
  if (Array.isArray(r) || "skip" in r) throw new Error(`no single flow: ${JSON.stringify(r)}`);
  return r;
};

const DIR = "fixtures/logs/pfsense-filterlog";
const FILES = [
  `${DIR}/elastic-integrations/test-pfsense-bsd.log`,
  `${DIR}/elastic-integrations/test-opensense.log`,
  `${DIR}/elastic-integrations/test-opensense-transport-dash.log`,
  `${DIR}/handmade/netgate-layouts.log`,
];
const HEADER = "<134>Nov 23 09:12:01 fw filterlog[123]: ";
const V4 = "5,,,1000000103,em0,match,block,in,4,0x0,,64,12345,0,DF";
const V6 = "9,,,1000000106,em0,match,block,in,6,0x00,0x00000,64";

describe("pfsense-filterlog: one record", () => {
  it("reads an IPv4 TCP record: tuple, action, rule and the RFC 3164 time (year from the options)", () => {
    const f = flow(`${HEADER}${V4},6,tcp,60,198.51.100.7,192.0.2.10,51515,445,0,S,123456789,,64240,,mss`);
    expect(f).toMatchObject({ src: "198.51.100.7", dst: "192.0.2.10", proto: 6, sport: "51515", dport: "445", action: ACTION_BLOCKED });
    expect(f.label).toBe("block in on em0 (rule 1000000103)");
    expect(f.time).toBe(Date.UTC(2026, 10, 23, 9, 12, 1));
  });

  it("reads an IPv6 record from the IPv6 layout (protocol text before protocol id, addresses at 15 and 16)", () => {
    const f = flow(`${HEADER}${V6},udp,17,51,2001:db8::10,2001:db8::53,41000,53,43`);
    expect(f).toMatchObject({ src: "2001:db8::10", dst: "2001:db8::53", proto: 17, sport: "41000", dport: "53" });
  });

  it("maps pass to allowed, block to blocked and a NAT action (rdr) to unknown", () => {
    const rec = (action: string) => `${HEADER}5,,,1,em0,match,${action},in,4,0x0,,64,1,0,DF,6,tcp,60,198.51.100.7,192.0.2.10,1,2,0,S,1,,1,,`;
    expect(flow(rec("pass")).action).toBe(ACTION_ALLOWED);
    expect(flow(rec("block")).action).toBe(ACTION_BLOCKED);
    expect(flow(rec("rdr")).action).toBe(ACTION_UNKNOWN);
  });

  it("reads ICMP type words into type and code (filterlog icmp.c)", () => {
    expect(icmpFromWord("request")).toEqual([8, 0]);
    expect(icmpFromWord("reply")).toEqual([0, 0]);
    expect(icmpFromWord("unreachport")).toEqual([3, 3]);
    expect(icmpFromWord("unreachproto")).toEqual([3, 2]);
    expect(icmpFromWord("unreach")).toEqual([3, -1]);
    expect(icmpFromWord("needfrag")).toEqual([3, 4]);
    expect(icmpFromWord("tstamp")).toEqual([13, 0]);
    expect(icmpFromWord("tstampreply")).toEqual([14, 0]);
    expect(icmpFromWord("router solicitation64")).toEqual([10, 0]);
    expect(icmpFromWord("type-??")).toBeUndefined();
    const f = flow(`${HEADER}${V4},1,icmp,84,192.0.2.20,192.0.2.1,request,4321,1`);
    expect(f).toMatchObject({ proto: 1, icmpType: 8, icmpCode: 0 });
    expect(f.sport).toBeUndefined();
  });

  it("reads the RFC 5424 form with structured data and an OPNsense hex tracker", () => {
    const f = flow('<134>1 2022-06-09T14:44:11-06:00 OPNsense.example.com filterlog 76404 - [meta sequenceId="1"] 124,,,fae559338f65e11c53669fc3642c93c2,ixl1_vlan70,match,pass,out,4,0x0,,63,5687,0,DF,6,tcp,60,192.168.1.1,10.10.10.10,40370,80,0,S,3364871769,,65535,,mss');
    expect(f).toMatchObject({ src: "192.168.1.1", dst: "10.10.10.10", dport: "80", action: ACTION_ALLOWED, time: Date.UTC(2022, 5, 9, 20, 44, 11) });
    expect(f.label).toContain("fae559338f65e11c53669fc3642c93c2");
  });

  it("reads a bare CSV record without a syslog header (no time)", () => {
    const f = flow(`${V4},6,tcp,60,198.51.100.9,192.0.2.10,40000,22,0,S,1,,64240,,mss`);
    expect(f).toMatchObject({ src: "198.51.100.9", dport: "22" });
    expect(f.time).toBeUndefined();
  });

  it("skips other programs of the same syslog stream as not-traffic:<program>", () => {
    expect(parse("<190>Dec 31 22:06:16 firewall.opnsense.net dhcpd[40152]: DHCPDISCOVER from 4c:55:41:a0:fa:99 via eth0.60")).toEqual({ skip: "not-traffic:dhcpd" });
    expect(parse("<30>Dec 31 22:06:33 firewall.opnsense.net unbound[75499]: [26931:0] info: 192.168.1.1 api.example.org. A IN")).toEqual({ skip: "not-traffic:unbound" });
    expect(parse("hello world")).toEqual({ skip: "not-filterlog" });
  });

  it("skips a record cut short, and one with an unknown IP version", () => {
    expect(parse(`${HEADER}5,,,1000000103,em0,match,block,in,4,0x0,,64`)).toEqual({ skip: "truncated-row" });
    expect(parse(`${HEADER}5,,,1000000103,em0,match,block,in,5,0x0,,64,1,0,DF,6,tcp`)).toEqual({ skip: "unknown-ip-version" });
  });

  it("sniffs filterlog lines and bare records, not other syslog lines", () => {
    expect(filterlogFormat.sniff(`${HEADER}${V4},6,tcp,60,198.51.100.7,192.0.2.10,1,2,0,S,1,,1,,`)).toBe(true);
    expect(filterlogFormat.sniff(`${V4},6,tcp,60,198.51.100.7,192.0.2.10,1,2,0,S,1,,1,,`)).toBe(true);
    expect(filterlogFormat.sniff("<38>Nov 23 09:12:13 fw sshd[999]: Accepted publickey for admin from 192.0.2.77 port 50000 ssh2")).toBe(false);
  });
});

describe("pfsense-filterlog: Elastic's pfSense and OPNsense test logs", () => {
  interface Expected {
    line: number;
    "source.ip"?: string;
    "source.port"?: number;
    "destination.ip"?: string;
    "destination.port"?: number;
    "network.transport"?: string;
    "event.action"?: string;
  }
  for (const f of FILES.slice(0, 3)) {
    const run = decode(make, fixture(f));
    const expected = fixtureJsonl<Expected>(`${f}-expected.fields.jsonl`);
    for (const x of expected) {
      it(`${f.split("/").pop()}:${x.line} agrees with Elastic (or is skipped when Elastic finds no connection)`, () => {
        const ev = run.events.filter((e) => e.line === x.line);
        if (x["destination.ip"] === undefined) {
          expect(ev).toEqual([]);
          return;
        }
        if (x["network.transport"] === "ipv6-icmp") {
          // filterlog writes no ICMPv6 type ("datalength=16"): an ICMPv6 flow of unknown type.
          expect(ev.map((e) => [e.src, e.dst, e.protocol, e.icmpType])).toEqual([[x["source.ip"], x["destination.ip"], "icmpv6", null]]);
          return;
        }
        expect(ev).toHaveLength(1);
        const e = ev[0]!;
        expect(e.src).toBe(x["source.ip"]);
        expect(e.dst).toBe(x["destination.ip"]);
        if (x["source.port"] !== undefined) expect(e.srcPort).toBe(x["source.port"]);
        if (x["destination.port"] !== undefined) expect(e.dstPort).toBe(x["destination.port"]);
        expect(e.protocol).toBe(x["network.transport"] === "igmp" ? "ip-proto-2" : ecsTransport(x["network.transport"]!));
        expect(e.action).toBe(ecsAction(x["event.action"]));
      });
    }
  }

  it("skips the dhcpd and unbound lines of the OPNsense log as not traffic", () => {
    const run = decode(make, fixture(FILES[1]!));
    expect(run.stats).toMatchObject({ read: 6, used: 4, skipped: { "not-traffic:dhcpd": 1, "not-traffic:unbound": 1 } });
  });
});

describe("pfsense-filterlog: the documented layouts (handmade/netgate-layouts.log)", () => {
  const run = decode(make, fixture(FILES[3]!));
  const at = (line: number) => run.events.filter((e) => e.line === line);

  it("reads each layout as the document describes it", () => {
    const row = (line: number) => {
      const [e] = at(line);
      return e ? [e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.icmpType, e.icmpCode, e.action] : undefined;
    };
    expect(row(1)).toEqual(["198.51.100.7", 51515, "192.0.2.10", 445, "tcp", null, null, "blocked"]);
    expect(row(2)).toEqual(["192.0.2.10", 53000, "192.0.2.53", 53, "udp", null, null, "allowed"]);
    expect(row(3)).toEqual(["192.0.2.20", null, "192.0.2.1", null, "icmp", 8, 0, "allowed"]);
    expect(row(4)).toEqual(["192.0.2.1", null, "192.0.2.20", null, "icmp", 0, 0, "allowed"]);
    expect(row(8)).toEqual(["198.51.100.7", null, "192.0.2.1", null, "icmp", 13, 0, "blocked"]);
    expect(row(10)).toEqual(["2001:db8::5", 50123, "2001:db8::10", 3389, "tcp", null, null, "blocked"]);
    expect(row(11)).toEqual(["2001:db8::10", 41000, "2001:db8::53", 53, "udp", null, null, "allowed"]);
    expect(row(12)).toEqual(["192.0.2.2", null, "224.0.0.18", null, "ip-proto-112", null, null, "allowed"]);
    expect(row(13)).toEqual(["203.0.113.9", 40001, "192.0.2.10", 3306, "tcp", null, null, "blocked"]);
    expect(row(14)).toEqual(["198.51.100.9", 40000, "192.0.2.10", 22, "tcp", null, null, "blocked"]);
    expect(row(15)).toEqual(["198.51.100.9", 40002, "203.0.113.1", 8443, "tcp", null, null, "unknown"]);
    expect(at(13)[0]!.time).toBe("2026-11-23T08:12:08.000Z");
    expect(at(14)[0]!.time).toBeNull();
  });

  it("accounts for every line: ICMP errors and damaged records are skipped with their reason, a nameless ICMP type is type unknown", () => {
    expect(run.stats).toEqual(expect.objectContaining({
      read: 20,
      used: 12,
      skipped: {
        "bad-address": 1, "icmp-error": 3, "missing-port": 1, "not-traffic:sshd": 1,
        "truncated-row": 1, "unknown-ip-version": 1,
      },
    }));
    const reasonAt = (p: number) => run.stats.samples.find((s) => s.position === p)?.reason;
    expect([5, 6, 7].map(reasonAt)).toEqual(["icmp-error", "icmp-error", "icmp-error"]);
    expect(reasonAt(9)).toBeUndefined();
    expect(at(9).map((e) => [e.protocol, e.icmpType, e.action])).toEqual([["icmp", null, "blocked"]]);
  });
});

describe("pfsense-filterlog: files", () => {
  for (const f of FILES) {
    it(`${f.split("/").pop()}: the same events and accounting at every chunk size and line ending`, () => {
      const { whole, mismatches } = decodeAtEveryChunkSize(make, fixture(f));
      expect(mismatches).toEqual([]);
      expect(whole.error).toBeUndefined();
      expect(balanced(whole.stats)).toBe(true);
      for (const v of lineEndingVariants(fixture(f))) {
        const run = decode(make, v.data);
        expect(run.events, v.name).toEqual(whole.events);
      }
    });

    it(`${f.split("/").pop()}: is detected as pfsense-filterlog`, () => {
      expect(detectFormat(fixture(f))).toBe("pfsense-filterlog");
    });
  }

  it("reads none of the other products' SEKOIA messages, netfilter or Windows Firewall lines as a flow", () => {
    const msgs = fixtureJsonl<{ case: string; message: string }>("fixtures/logs/other-formats/sekoia-intake-formats/messages.jsonl");
    for (const m of msgs) expect(decode(make, Buffer.from(m.message)).events, m.case).toEqual([]);
    for (const f of ["fixtures/logs/netfilter/elastic-integrations/test-iptables-raw.log", "fixtures/logs/windows-firewall/plaso/firewall.log", "fixtures/logs/other-formats/zeek/Files.zeek-cut-logs.conn.log"]) {
      expect(decode(make, fixture(f)).events, f).toEqual([]);
    }
  });
});
