import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { ciscoAsaFormat, parseCiscoAsa } from "../../../src/decode/log/cisco-asa.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const asa = () => createTextDecoder(ciscoAsaFormat, options());
const DIR = "fixtures/logs/cisco-asa-ftd/";
const SEKOIA = DIR + "sekoia-intake-formats/";

/** Lines through one fresh decoder (state such as Built -> Teardown carries from line to line). */
function run(...lines: string[]) {
  const r = decode(asa, Buffer.from(lines.join("\n") + "\n"));
  expect(r.error).toBeUndefined();
  expect(balanced(r.stats)).toBe(true);
  return r;
}

/** One line: its first event, or the reason it was skipped. */
function one(line: string): { event?: EventJson; skipped?: string } {
  const r = run(line);
  const out: { event?: EventJson; skipped?: string } = {};
  if (r.events.length > 0) out.event = r.events[0]!;
  const reasons = Object.keys(r.stats.skipped);
  if (reasons.length > 0) out.skipped = reasons[0]!;
  return out;
}

const tuple = (e: EventJson | undefined) => e && [e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.action];

interface SekoiaCase {
  input: { message: string };
  expected: {
    source?: { ip?: string; port?: number };
    destination?: { ip?: string; port?: number };
    network?: { transport?: string };
    action?: { name?: string };
  };
}
const sekoia = (f: string) => JSON.parse(fixture(SEKOIA + f).toString("utf8")) as SekoiaCase;

describe("cisco-asa: SEKOIA-IO intake-formats Cisco Secure Firewall cases", () => {
  /** Cases SEKOIA reads as traffic and we read alike; action: ours. */
  const TRAFFIC: Record<string, "allowed" | "blocked" | "unknown"> = {
    "test_106001.json": "blocked",
    "test_106006.json": "blocked",
    "test_430002.json": "allowed",
    "test_430003.json": "blocked",
    "test_ASA_106015.json": "blocked",
    "test_ASA_106023.json": "blocked",
    "test_ASA_106100.json": "allowed",
    "test_ASA_302013_1.json": "allowed",
    "test_ASA_302013_2.json": "allowed",
    "test_ASA_302020_2.json": "allowed",
    "test_ASA_302021_2.json": "allowed",
    "test_ASA_302021_3.json": "allowed",
    "test_ASA_302021_4.json": "allowed",
    "test_FTD_430002_1.json": "allowed",
    "test_FTD_430003_1.json": "allowed",
    "test_FTD_430003_2.json": "allowed",
    "test_FTD_430003_3.json": "allowed",
  };
  for (const [f, action] of Object.entries(TRAFFIC)) {
    it(`reads ${f} with SEKOIA's addresses, ports and protocol`, () => {
      const c = sekoia(f);
      const { event, skipped } = one(c.input.message);
      expect(skipped).toBeUndefined();
      const e = event!;
      expect(e.src).toBe(c.expected.source?.ip);
      expect(e.dst).toBe(c.expected.destination?.ip);
      expect(e.action).toBe(action);
      if (e.protocol === "icmp") {
        // SEKOIA copies the numbers after faddr/laddr (echo identifiers) into the ports; we keep the type.
        expect([e.srcPort, e.dstPort]).toEqual([null, null]);
        expect(e.icmpType).toBe(8);
      } else {
        // test_FTD_430003_3's SrcPort is 77777, out of range: SEKOIA keeps it, we leave it empty.
        const sp = c.expected.source?.port;
        expect(e.srcPort).toBe(sp !== undefined && sp <= 65535 ? sp : null);
        expect(e.dstPort).toBe(c.expected.destination?.port);
        expect(e.protocol).toBe(c.expected.network?.transport ?? "tcp");
      }
    });
  }

  /** Cases we skip, with the reason; the deliberate differences are explained in corpus-notes.json. */
  const SKIPPED: Record<string, string> = {
    "test_430005.json": "not-traffic:asa-430005",
    "test_ASA_106012.json": "missing-protocol",
    "test_ASA_111008.json": "not-traffic:asa-111008",
    "test_ASA_111009.json": "not-traffic:asa-111009",
    "test_ASA_111010.json": "not-traffic:asa-111010",
    "test_ASA_113004.json": "not-traffic:asa-113004",
    "test_ASA_113005.json": "not-traffic:asa-113005",
    "test_ASA_113012.json": "not-traffic:asa-113012",
    "test_ASA_199019.json": "not-traffic:asa-199019",
    "test_ASA_305011.json": "not-traffic:asa-305011",
    "test_ASA_305012.json": "not-traffic:asa-305012",
    "test_ASA_313005.json": "icmp-error",
    "test_ASA_313008.json": "not-traffic:asa-313008",
    "test_ASA_716039.json": "not-traffic:asa-716039",
    "test_ASA_716058.json": "not-traffic:asa-716058",
    "test_ASA_716059.json": "not-traffic:asa-716059",
    "test_ASA_722011.json": "not-traffic:asa-722011",
    "test_ASA_722023.json": "not-traffic:asa-722023",
    "test_ASA_722023_2.json": "not-traffic:asa-722023",
    "test_ASA_722032.json": "not-traffic:asa-722032",
    "test_ASA_722034.json": "not-traffic:asa-722034",
    "test_ASA_722037.json": "not-traffic:asa-722037",
    "test_ASA_722051.json": "not-traffic:asa-722051",
    "test_ASA_725002.json": "not-traffic:asa-725002",
    "test_ASA_725006.json": "not-traffic:asa-725006",
    "test_ASA_725007.json": "not-traffic:asa-725007",
    "test_ASA_733100.json": "not-traffic:asa-733100",
    "test_ASA_750003.json": "not-traffic:asa-750003",
    "test_ASA_852001.json": "not-traffic:asa-852001",
    "test_FTD_109201.json": "not-traffic:asa-109201",
    "test_FTD_113004.json": "not-traffic:asa-113004",
    "test_FTD_113004_2.json": "not-traffic:asa-113004",
    "test_FTD_113019.json": "not-traffic:asa-113019",
    "test_FTD_113039.json": "not-traffic:asa-113039",
    "test_FTD_113039_2.json": "not-traffic:asa-113039",
    "test_FTD_722051_1.json": "not-traffic:asa-722051",
    "test_FTD_722051_2.json": "not-traffic:asa-722051",
    "test_FTD_750003.json": "not-traffic:asa-750003",
    "test_FTD_750003_2.json": "not-traffic:asa-750003",
    "test_FTD_75006.json": "not-traffic:asa-750006",
  };
  const ICMP_UNKNOWN_TYPE = ["test_ASA_110003.json", "test_ASA_302020.json"];
  it("reads the ICMP records that name no type (110003, 302020) as ICMP flows of unknown type", () => {
    const denied = one(sekoia("test_ASA_110003.json").input.message).event!;
    expect([...tuple(denied)!, denied.icmpType]).toEqual(["2.2.2.2", null, "1.1.1.1", null, "icmp", "blocked", null]);
    const built = one(sekoia("test_ASA_302020.json").input.message).event!;
    expect([...tuple(built)!, built.icmpType]).toEqual(["1.1.1.1", null, "2.2.2.2", null, "icmp", "allowed", null]);
  });
  for (const [f, reason] of Object.entries(SKIPPED)) {
    it(`skips ${f} as ${reason}`, () => {
      const r = run(sekoia(f).input.message);
      expect(r.events).toEqual([]);
      expect(Object.keys(r.stats.skipped)).toEqual([reason]);
    });
  }

  /** VPN session lines SEKOIA stores without the "%ASA-n-id:" tag: nothing in them says ASA, so they are not ours. */
  const UNTAGGED = ["test_group_1.json", "test_group_10.json", "test_group_1_2.json", "test_group_1_3.json", "test_group_2_2.json", "test_group_2_3.json", "test_group_4.json", "test_group_6_2.json", "test_group_9.json"];
  for (const f of UNTAGGED) {
    it(`does not claim the untagged VPN line ${f}`, () => {
      const line = sekoia(f).input.message;
      expect(ciscoAsaFormat.sniff(line)).toBe(false);
      expect(parseCiscoAsa(line, { opts: options(), lineNo: 1, state: {} })).toEqual({ skip: "not-cisco-asa" });
    });
  }

  it("copies every case it was given and covers each one above", () => {
    const files = readdirSync(SEKOIA).filter((f) => f.endsWith(".json")).sort();
    expect(files).toEqual([...Object.keys(TRAFFIC), ...Object.keys(SKIPPED), ...UNTAGGED, ...ICMP_UNKNOWN_TYPE].sort());
  });
});

describe("cisco-asa: Elastic's test-sample.log", () => {
  const FILE = DIR + "elastic-integrations/test-sample.log";
  const r = decode(asa, fixture(FILE));
  const at = (line: number) => r.events.filter((e) => e.line === line);

  it("accounts for all 92 lines: 66 flows, the rest skipped by reason", () => {
    expect(r.error).toBeUndefined();
    expect(balanced(r.stats)).toBe(true);
    expect(r.stats.read).toBe(92);
    expect(r.stats.skipped).toEqual({
      "not-traffic:asa-305011": 4, "not-traffic:asa-305012": 2, "not-traffic:asa-304001": 3, "not-traffic:asa-304002": 1,
      "not-traffic:asa-602304": 1, "missing-protocol": 8, "bad-address": 2, "missing-address": 1,
      "icmp-error": 3, "icmpv6-control": 1,
    });
    expect(r.stats.used).toBe(66);
  });

  /**
   * Elastic's expected output (one page of it, lines 9-14): this Elastic version keeps the "for" side as
   * the source even for "Built outbound", which Cisco documents as started by the local ("to") side; the
   * current Elastic pipeline swaps outbound 302013/302015 too. We read the initiator as the source, so
   * lines 9 and 11 are Elastic's tuple reversed, and so is 12, the teardown of line 9's connection.
   */
  interface Partial { line: number; "source.ip": string; "source.port"?: number; "destination.ip": string; "destination.port"?: number; "network.transport": string }
  const expected = fixtureJsonl<Partial>(DIR + "elastic-integrations/test-sample.log-expected.partial.fields.jsonl");
  const byLine = new Map(expected.map((e) => [e.line, e]));
  const elastic = (line: number) => {
    const e = byLine.get(line)!;
    return [e["source.ip"], e["source.port"] ?? null, e["destination.ip"], e["destination.port"] ?? null, e["network.transport"], "allowed"];
  };
  const reversed = (line: number) => {
    const [s, sp, d, dp, p, a] = elastic(line);
    return [d, dp, s, sp, p, a];
  };

  it("reads 'Built outbound' (302015, 302013) from the local side, Elastic's tuple reversed", () => {
    expect(tuple(at(9)[0])).toEqual(reversed(9));
    expect(tuple(at(11)[0])).toEqual(reversed(11));
  });

  it("gives a teardown the direction of its Built line read earlier (302016 of connection 89743275)", () => {
    expect(tuple(at(12)[0])).toEqual(reversed(12));
  });

  it("keeps the printed order of a teardown whose Built line it never saw, as Elastic does", () => {
    expect(tuple(at(13)[0])).toEqual(elastic(13));
  });

  it("skips the NAT translation, and reads the ICMP teardown without a type as type unknown", () => {
    expect(at(10)).toEqual([]);
    expect(r.stats.samples.find((s) => s.position === 10)?.reason).toBe("not-traffic:asa-305011");
    expect(at(14).map((e) => [e.protocol, e.icmpType])).toEqual([["icmp", null]]);
  });

  it("reads identity-firewall users, IPv6 and the ASA's own date with year", () => {
    expect(tuple(at(74)[0])).toEqual(["175.16.199.1", 12312, "67.43.156.15", 443, "tcp", "allowed"]);
    expect(at(74)[0]!.time).toBe("2021-01-13T19:12:37.000Z");
    expect(tuple(at(81)[0])).toEqual(["2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6", 62477, "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6", 443, "tcp", "allowed"]);
    expect(tuple(at(92)[0])).toEqual(["67.43.156.15", 63790, "192.168.0.1", 53, "tcp", "allowed"]);
  });

  it("follows a Built outbound with hostnames to its teardown (connection 447236)", () => {
    expect(at(43)).toEqual([]);
    expect(tuple(at(45)[0])).toEqual(["192.168.1.34", 5678, "192.168.2.222", 1234, "tcp", "allowed"]);
  });

  it("reads 106100 permitted, denied and est-allowed, with the word as evidence", () => {
    expect(at(3)[0]!.evidence).toBe("106100 permitted");
    expect(tuple(at(4)[0])).toEqual(["172.29.2.101", 1039, "192.168.2.10", 53, "udp", "blocked"]);
    expect(at(37)[0]!.evidence).toBe("106100 est-allowed");
    expect(at(37)[0]!.action).toBe("allowed");
  });

  it("reads Dynamic Filter messages by their verb: dropped is blocked, permitted and monitored pass", () => {
    expect([at(66)[0]!.action, at(67)[0]!.action, at(68)[0]!.action]).toEqual(["allowed", "allowed", "blocked"]);
  });

  it("reads the same events at every chunk size and line ending", () => {
    const { whole, mismatches } = decodeAtEveryChunkSize(asa, fixture(FILE));
    expect(mismatches).toEqual([]);
    expect(whole.events).toEqual(r.events);
    for (const v of lineEndingVariants(fixture(FILE))) expect(decode(asa, v.data).events, v.name).toEqual(r.events);
  });
});

describe("cisco-asa: Elastic's 302020 direction, repeat and interface-prefix tests", () => {
  it("reads 302020 inbound as faddr -> laddr and outbound as laddr -> faddr, as Elastic does", () => {
    const FILE = DIR + "elastic-integrations/test-302020-direction.log";
    const r = decode(asa, fixture(FILE));
    interface Exp { line: number; "source.ip": string; "destination.ip": string; "cisco.asa.icmp_type": number; "cisco.asa.icmp_code": number }
    const exp = fixtureJsonl<Exp>(FILE + "-expected.fields.jsonl");
    expect(r.events.map((e) => [e.line, e.src, e.dst, e.protocol, e.icmpType, e.icmpCode, e.action])).toEqual(
      exp.map((x) => [x.line, x["source.ip"], x["destination.ip"], "icmp", x["cisco.asa.icmp_type"], x["cisco.asa.icmp_code"], "allowed"]),
    );
    expect(r.events[0]!.time).toBe("2026-08-18T18:24:29.000Z");
    expect(decodeAtEveryChunkSize(asa, fixture(FILE)).mismatches).toEqual([]);
  });

  it("unwraps 'message repeated 2 times: [ ... ]' and counts the flow twice", () => {
    const FILE = DIR + "elastic-integrations/test-repeat-deny.log";
    const r = decode(asa, fixture(FILE));
    const x = fixtureJsonl<Record<string, unknown>>(FILE + "-expected.fields.jsonl")[0]!;
    expect(r.events).toHaveLength(1);
    const e = r.events[0]!;
    expect([e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.action]).toEqual([x["source.ip"], x["source.port"], x["destination.ip"], x["destination.port"], x["network.transport"], "blocked"]);
    expect(e.count).toBe(x["cisco.asa.message_repeats"]);
    expect(e.evidence).toBe("106006");
  });

  it("reads 106023 with context prefixes on the interface ('v1:outside:') and skips lines with no destination port", () => {
    const FILE = DIR + "elastic-integrations/test-106023-iface-with-prefix.log";
    const r = decode(asa, fixture(FILE));
    expect(r.events.map((e) => [e.line, ...tuple(e)!])).toEqual([1, 2, 3, 4, 5, 6].map((l) => [l, "10.8.1.9", l <= 3 ? 54864 : null, "172.16.1.3", 53, "udp", "blocked"]));
    expect(r.stats.skipped).toEqual({ "missing-port": 3 });
    expect(decodeAtEveryChunkSize(asa, fixture(FILE)).mismatches).toEqual([]);
  });
});

describe("cisco-asa: OSSEC's PIX samples", () => {
  const FILE = DIR + "ossec-docs/cisco_pix.rst.samples.log";
  const r = decode(asa, fixture(FILE));
  const at = (line: number) => r.events.find((e) => e.line === line);

  it("maps the port names the PIX prints (ssh, bootps, netbios-ns, netbios-dgm) to numbers", () => {
    expect(tuple(at(31))).toEqual(["192.168.2.10", 13269, "192.168.2.14", 22, "tcp", "allowed"]);
    expect(tuple(at(42))).toEqual(["0.0.0.0", 68, "255.255.255.255", 67, "udp", "blocked"]);
    expect(at(43)!.dstPort).toBe(137);
    expect(at(44)!.dstPort).toBe(138);
  });

  it("reads 710001 'access requested' as unknown: the permit or deny comes in the next message", () => {
    expect(at(20)!.action).toBe("unknown");
    expect(at(20)!.evidence).toBe("710001");
  });

  it("reads the ASA's own interface 'NP Identity Ifc: 10.0.0.2' and a space after an interface colon", () => {
    expect(tuple(at(12))).toEqual(["10.0.0.1", 60749, "10.0.0.2", 22, "tcp", "allowed"]);
    expect(tuple(at(17))).toEqual(["204.16.208.49", 58940, "10.0.0.158", 1027, "udp", "blocked"]);
  });

  it("reads ICMP type and code and protocol numbers in 106010/106023", () => {
    expect([at(85)!.protocol, at(85)!.icmpType, at(85)!.icmpCode]).toEqual(["icmp", 8, 0]);
    expect([at(90)!.protocol, at(90)!.srcPort, at(90)!.dstPort]).toEqual(["ip-proto-4", null, null]);
  });

  it("skips masked addresses ('***/20031') and broken ones ('192.168.20/65') as bad-address", () => {
    expect(r.stats.skipped["bad-address"]).toBe(6);
    for (const line of [95, 96, 97, 98, 99, 104]) expect(at(line)).toBeUndefined();
  });

  it("skips logins, URL logs, DHCP and IDS messages as not traffic", () => {
    for (const id of ["605004", "304001", "604103", "400011", "315011", "609001"]) expect(r.stats.skipped[`not-traffic:asa-${id}`], id).toBeGreaterThan(0);
    expect(balanced(r.stats)).toBe(true);
  });

  it("reads the same events at every chunk size", () => {
    expect(decodeAtEveryChunkSize(asa, fixture(FILE)).mismatches).toEqual([]);
  });
});

describe("cisco-asa: Logstash pattern specs (message bodies with and without the %ASA tag)", () => {
  interface Spec { message: string }
  const specs = fixtureJsonl<Spec>(DIR + "logstash-patterns-core/spec-patterns-cases.jsonl").map((s) => s.message);

  it("recognises the ASA bodies that come without any tag by their documented text", () => {
    expect(ciscoAsaFormat.sniff(specs[4]!)).toBe(true); // Deny TCP (no connection) ...
    expect(ciscoAsaFormat.sniff(specs[6]!)).toBe(true); // access-list inside permitted tcp ...
    expect(ciscoAsaFormat.sniff(specs[8]!)).toBe(true); // Deny tcp src outside:... by access-group
    expect(ciscoAsaFormat.sniff(specs[14]!)).toBe(true); // 302020: Built inbound ICMP ...
    expect(ciscoAsaFormat.sniff(specs[0]!)).toBe(false); // (Secondary) Switching to ACTIVE
    expect(ciscoAsaFormat.sniff(specs[27]!)).toBe(false); // %LINEPROTO-5-UPDOWN (IOS)
  });

  it("reads them as the tagged messages are read", () => {
    expect(tuple(one(specs[4]!).event)).toEqual(["192.168.150.65", 2278, "64.101.128.83", 80, "tcp", "blocked"]);
    expect(tuple(one(specs[6]!).event)).toEqual(["10.10.123.45", 51763, "192.168.67.89", 80, "tcp", "allowed"]);
    expect(tuple(one(specs[9]!).event)).toEqual(["192.168.1.1", null, "192.168.1.2", null, "ip-proto-103", "blocked"]);
    expect(one(specs[14]!).event!.icmpType).toBeNull(); // an ICMP record that names no type
  });

  it("reads a 'Built outbound' connection from the local side (Logstash keeps the 'for' side as source)", () => {
    expect(tuple(one(specs[13]!).event)).toEqual(["172.31.98.44", 1772, "100.66.205.104", 80, "tcp", "allowed"]);
  });

  it("reads 419001/419002 packet drops and the unknown action of a duplicate SYN", () => {
    expect(tuple(one(specs[21]!).event)).toEqual(["65.55.184.155", 80, "192.168.10.11", 49043, "tcp", "blocked"]);
    expect(tuple(one(specs[22]!).event)).toEqual(["10.10.66.2", 65087, "10.10.1.6", 443, "tcp", "unknown"]);
  });

  it("reads a 402119 anti-replay failure as a blocked ESP packet", () => {
    expect(tuple(one(specs[20]!).event)).toEqual(["68.18.122.4", null, "10.10.1.1", null, "ip-proto-50", "blocked"]);
  });
});

describe("cisco-asa: Wazuh's rule-test lines", () => {
  const lines = fixtureJsonl<{ line: string }>(DIR + "wazuh-ruleset/cisco_asa.ini.cases.jsonl").map((c) => c.line);

  it("detects every line as cisco-asa and accounts for each", () => {
    for (const l of lines) expect(ciscoAsaFormat.sniff(l), l).toBe(true);
    const r = run(...lines);
    expect(r.stats.read).toBe(lines.length);
    expect(r.stats.used).toBe(26);
  });

  it("reads connection-limit, PAT-exhaustion, IPS/SFR and management-only drops as blocked", () => {
    const r = run(...lines);
    const by = (id: string) => r.events.find((e) => e.evidence === id)!;
    for (const id of ["710004", "202010", "420002", "434002", "418001", "108004", "500003"]) expect(by(id).action, id).toBe("blocked");
    expect(tuple(by("418001"))).toEqual(["10.231.5.250", 49152, "143.36.200.25", 161, "udp", "blocked"]);
  });
});

describe("cisco-asa: message forms", () => {
  const ctx = () => ({ opts: options(), lineNo: 1, state: {} });

  it("reads 302013 inbound from the foreign side and outbound from the local side", () => {
    const inbound = "%ASA-6-302013: Built inbound TCP connection 11 for outside:10.1.2.1/21647 (10.1.2.1/21647) to inside:10.1.1.2/22 (10.1.1.2/22)";
    const outbound = "%ASA-6-302013: Built outbound TCP connection 9 for outside:10.1.2.1/22 (10.1.2.1/22) to inside:10.1.1.2/53496 (10.1.1.2/53496)";
    expect(tuple(one(inbound).event)).toEqual(["10.1.2.1", 21647, "10.1.1.2", 22, "tcp", "allowed"]);
    expect(tuple(one(outbound).event)).toEqual(["10.1.1.2", 53496, "10.1.2.1", 22, "tcp", "allowed"]);
  });

  it("gives a teardown its Built line's direction, once, and the printed order without one", () => {
    const built = "%ASA-6-302013: Built outbound TCP connection 9 for outside:10.1.2.1/22 (10.1.2.1/22) to inside:10.1.1.2/53496 (10.1.1.2/53496)";
    const down = "%ASA-6-302014: Teardown TCP connection 9 for outside:10.1.2.1/22 to inside:10.1.1.2/53496 duration 0:00:30 bytes 0 SYN Timeout";
    const r = run(built, down, down);
    expect(r.events.map(tuple)).toEqual([
      ["10.1.1.2", 53496, "10.1.2.1", 22, "tcp", "allowed"],
      ["10.1.1.2", 53496, "10.1.2.1", 22, "tcp", "allowed"],
      // A second teardown of the same id (a reused id) no longer has a Built line to follow.
      ["10.1.2.1", 22, "10.1.1.2", 53496, "tcp", "allowed"],
    ]);
  });

  it("reads an ICMP teardown without its Built line from the side that holds the echo identifier", () => {
    const fromInside = "%ASA-6-302021: Teardown ICMP connection for faddr 8.8.8.8/0 gaddr 203.0.113.5/4521 laddr 10.0.0.5/17 type 8 code 0";
    const fromOutside = "%ASA-6-302021: Teardown ICMP connection for faddr 198.51.100.7/4521 gaddr 203.0.113.5/0 laddr 10.0.0.5/0 type 8 code 0";
    expect([one(fromInside).event!.src, one(fromInside).event!.dst]).toEqual(["10.0.0.5", "8.8.8.8"]);
    expect([one(fromOutside).event!.src, one(fromOutside).event!.dst]).toEqual(["198.51.100.7", "10.0.0.5"]);
  });

  it("reads IPv6 endpoints, ICMPv6 type and code, and ICMP type/code in 106100's port positions", () => {
    const v6 = "%ASA-4-106023: Deny icmp6 src outside:2001:db8::1 dst inside:2001:db8:1::5 (type 128, code 0) by access-group \"outside_in\" [0x0, 0x0]";
    const e = one(v6).event!;
    expect([e.src, e.dst, e.protocol, e.icmpType, e.icmpCode, e.action]).toEqual(["2001:db8::1", "2001:db8:1::5", "icmpv6", 128, 0, "blocked"]);
    const acl = "%ASA-6-106100: access-list outside_in permitted icmp outside/198.51.100.7(8) -> inside/10.0.0.5(0) hit-cnt 1 first hit [0x1, 0x0]";
    const a = one(acl).event!;
    expect([a.protocol, a.icmpType, a.icmpCode, a.srcPort, a.dstPort, a.action]).toEqual(["icmp", 8, 0, null, null, "allowed"]);
    const acl6 = "%ASA-6-106100: access-list in denied tcp inside/fe80::1(51000) -> outside/2001:db8::80(443) hit-cnt 1 first hit [0x1, 0x0]";
    expect(tuple(one(acl6).event)).toEqual(["fe80::1", 51000, "2001:db8::80", 443, "tcp", "blocked"]);
  });

  it("reads FTD connection events: rule action, ICMP type names", () => {
    const block = "%FTD-1-430002: EventPriority: Low, ConnectionID: 7, AccessControlRuleAction: Block with reset, SrcIP: 10.0.0.5, DstIP: 192.0.2.80, SrcPort: 51000, DstPort: 23, Protocol: tcp, IngressInterface: inside";
    expect(tuple(one(block).event)).toEqual(["10.0.0.5", 51000, "192.0.2.80", 23, "tcp", "blocked"]);
    expect(one(block).event!.evidence).toBe("430002 Block with reset");
    const ping = "%FTD-1-430003: AccessControlRuleAction: Allow, SrcIP: 10.0.0.5, DstIP: 192.0.2.80, ICMPType: Destination Unreachable, ICMPCode: 3, Protocol: icmp";
    expect(one(ping).skipped).toBe("icmp-error");
  });

  it("skips 313001 (an ICMP packet to the ASA itself, no destination) as missing-address", () => {
    expect(one("%ASA-3-313001: Denied ICMP type=8, code=0 from 198.51.100.7 on interface outside").skipped).toBe("missing-address");
  });

  it("counts a cut or garbled line of a known message as malformed, not as a flow", () => {
    expect(parseCiscoAsa("%ASA-6-302013: Built inbound TCP connection 1 for outside:10.1.2.1/2164", ctx())).toEqual({ skip: "malformed:asa-302013" });
    expect(parseCiscoAsa("%ASA-4-106023: Deny tcp src outside", ctx())).toEqual({ skip: "malformed:asa-106023" });
    expect(one("%ASA-4-106023: Deny tcp src outside:10.0.0.1/1 dst inside:10.0.0.2/99999 by access-group \"x\"").skipped).toBe("missing-port");
  });

  it("labels a message id it has no reader for, and leaves lines of other products alone", () => {
    expect(parseCiscoAsa("%ASA-5-999999: Something new", ctx())).toEqual({ skip: "not-traffic:asa-999999" });
    expect(parseCiscoAsa("Nov 23 09:12:01 host kernel: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2", ctx())).toEqual({ skip: "not-cisco-asa" });
  });
});
