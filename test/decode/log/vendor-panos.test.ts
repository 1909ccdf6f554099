import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { panosFormat } from "../../../src/decode/log/panos.js";
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN } from "../../../src/decode/batch.js";
import { panosAction } from "../../../src/decode/log/panos.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, decodeRecord, flowOf, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const panos = () => createTextDecoder(panosFormat, options());
const DIR = "fixtures/logs/panos/sekoia-intake-formats/";

/** One record through a fresh decoder: its events and the first skip reason. */
const one = (line: string) => decodeRecord(panos, line);

const tuple = flowOf;

interface SekoiaCase {
  input: { message: string };
  expected: {
    source?: { ip?: string; port?: number };
    destination?: { ip?: string; port?: number };
    network?: { transport?: string };
    event?: { action?: string };
  };
}
const sekoia = (f: string) => JSON.parse(fixture(DIR + f).toString("utf8")) as SekoiaCase;

/** A TRAFFIC record in the PAN-OS 10.x CSV layout, with the fields a test varies. */
function csvTraffic(o: { src?: string; dst?: string; sport?: string; dport?: string; proto?: string; action?: string; subtype?: string; app?: string; repeat?: string } = {}): string {
  const f = "1,2024/01/03 13:15:29,026701002040,TRAFFIC,end,2816,2024/01/03 13:15:29,10.1.2.3,192.0.2.10,0.0.0.0,0.0.0.0,MyRule,,,ssl,vsys1,trust,untrust,ethernet1/2,ethernet1/3,Log Profile,2024/01/03 13:15:29,219781,1,60975,443,0,0,0x41c,tcp,allow,5773,758,5015,14,2024/01/03 13:15:14,0,any,,7312415129244589397,0x0,10.0.0.0-10.255.255.255,United States,,7,7,tcp-fin".split(",");
  if (o.subtype !== undefined) f[4] = o.subtype;
  if (o.src !== undefined) f[7] = o.src;
  if (o.dst !== undefined) f[8] = o.dst;
  if (o.app !== undefined) f[14] = o.app;
  if (o.repeat !== undefined) f[23] = o.repeat;
  if (o.sport !== undefined) f[24] = o.sport;
  if (o.dport !== undefined) f[25] = o.dport;
  if (o.proto !== undefined) f[29] = o.proto;
  if (o.action !== undefined) f[30] = o.action;
  return f.join(",");
}

describe("panos: SEKOIA-IO intake-formats PAN-OS cases", () => {
  const TRAFFIC = [
    "fix_bug_with_int.json", "icmp_allow_csv.json", "tcp_allow_csv.json", "test_traffic_event_1_json.json",
    "traffic1_csv.json", "traffic_cef.json", "traffic_with_resotimestamp.json", "udp_deny_csv.json",
  ];
  for (const f of TRAFFIC) {
    it(`reads the TRAFFIC record ${f} with SEKOIA's addresses, ports, protocol and action`, () => {
      const c = sekoia(f);
      const { event, skipped } = one(c.input.message);
      expect(skipped).toBeUndefined();
      const e = event!;
      expect(e.src).toBe(c.expected.source?.ip);
      expect(e.dst).toBe(c.expected.destination?.ip);
      if (e.protocol === "icmp") {
        // PAN-OS writes 0 in both port fields of an ICMP session; application "ping" is an echo request.
        expect([e.srcPort, e.dstPort, e.icmpType]).toEqual([null, null, 8]);
      } else {
        // udp_deny_csv's source port is 130000, out of range: SEKOIA keeps it, we leave it empty.
        const sp = c.expected.source?.port;
        expect(e.srcPort).toBe(sp !== undefined && sp <= 65535 ? sp : null);
        expect(e.dstPort).toBe(c.expected.destination?.port);
      }
      expect(e.protocol).toBe(c.expected.network?.transport ?? "tcp");
      const word = c.expected.event!.action!;
      expect(e.evidence).toBe(word);
      expect(e.action).toBe(word === "allow" ? "allowed" : "blocked");
    });
  }

  const SKIPPED: Record<string, string> = {
    "threat_csv.json": "not-traffic:threat",
    "test_threat.json": "not-traffic:threat",
    "url_cef.json": "not-traffic:threat",
    "wildfire1_json.json": "not-traffic:threat",
    "system_csv.json": "not-traffic:system",
    "test_timestamp_palo.json": "not-traffic:system",
    "globalprotect_csv.json": "not-traffic:globalprotect",
    "test_decryption_csv.json": "not-traffic:decryption",
    "test_decryption_json.json": "not-traffic:decryption",
    "auth_cef.json": "not-traffic:auth",
    "sctp_cef.json": "not-traffic:sctp",
    // A TRAFFIC record whose source address is empty ("src= dst=1.1.1.1"): SEKOIA finds no source either.
    "traffic2_csv.json": "missing-address",
  };
  for (const [f, reason] of Object.entries(SKIPPED)) {
    it(`skips ${f} as ${reason}`, () => {
      const { events, skipped } = one(sekoia(f).input.message);
      expect(events).toEqual([]);
      expect(skipped).toBe(reason);
    });
  }

  it("copies every case it was given and covers each one above", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
    expect(files).toEqual([...TRAFFIC, ...Object.keys(SKIPPED)].sort());
  });

  it("messages.log is the cases' messages in file-name order", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
    expect(fixture(DIR + "messages.log").toString("utf8")).toBe(files.map((f) => sekoia(f).input.message.replace(/\n+$/, "")).join("\n") + "\n");
  });

  it("detects every case as panos", () => {
    for (const line of fixture(DIR + "messages.log").toString("utf8").split("\n").filter(Boolean)) expect(panosFormat.sniff(line), line).toBe(true);
  });
});

describe("panos: Wazuh's masked TRAFFIC lines", () => {
  const cases = fixtureJsonl<{ line: string }>("fixtures/logs/panos/wazuh-ruleset/paloalto.ini.cases.jsonl");
  for (const [i, c] of cases.entries()) {
    it(`never reads the masked address "00.00.000.00" as an IP (case ${i + 1})`, () => {
      expect(panosFormat.sniff(c.line)).toBe(true);
      const { events, skipped } = one(c.line);
      expect(events).toEqual([]);
      expect(skipped).toBe("bad-address");
    });
  }
});

describe("panos: CSV traffic records", () => {
  it("reads the generated time (field 6) as UTC and the repeat count as the count", () => {
    const { event } = one(csvTraffic({ repeat: "4" }));
    expect(event!.time).toBe("2024-01-03T13:15:29.000Z");
    expect(event!.count).toBe(4);
  });

  it("finds the record behind an RFC 5424 header", () => {
    const { event } = one(`<14>1 2024-01-03T13:15:30+01:00 fw1 - - - - ${csvTraffic()}`);
    expect(tuple(event!)).toEqual({ src: "10.1.2.3", dst: "192.0.2.10", protocol: "tcp", srcPort: 60975, dstPort: 443, action: "allowed", evidence: "allow" });
  });

  for (const [action, want] of [
    ["allow", "allowed"], ["deny", "blocked"], ["drop", "blocked"], ["drop-icmp", "blocked"],
    ["reset-client", "blocked"], ["reset-server", "blocked"], ["reset-both", "blocked"], ["sinkhole", "unknown"],
  ] as const) {
    it(`reads action ${action} as ${want}, keeping the word`, () => {
      const { event } = one(csvTraffic({ action }));
      expect([event!.action, event!.evidence]).toEqual([want, action]);
    });
  }

  it("reads subtypes drop and deny as blocked whatever the action field says", () => {
    expect(one(csvTraffic({ subtype: "drop", action: "allow" })).event!.action).toBe("blocked");
    expect(one(csvTraffic({ subtype: "deny", action: "" })).event!.action).toBe("blocked");
    expect(panosAction("allow", "start")).toBe(ACTION_ALLOWED);
    expect(panosAction("reset both")).toBe(ACTION_BLOCKED);
    expect(panosAction("xxxx", "end")).toBe(ACTION_UNKNOWN);
  });

  it("reads IPv6 sessions, and ICMPv6 echo from application ping", () => {
    expect(tuple(one(csvTraffic({ src: "2001:db8::10", dst: "2001:db8:0:0:0:0:0:20" })).event!)).toMatchObject({ src: "2001:db8::10", dst: "2001:db8::20", protocol: "tcp" });
    const e = one(csvTraffic({ src: "2001:db8::10", dst: "2001:db8::20", proto: "ipv6-icmp", app: "ping", sport: "0", dport: "0" })).event!;
    expect([e.protocol, e.icmpType, e.srcPort, e.dstPort]).toEqual(["icmpv6", 128, null, null]);
  });

  it("reads IANA protocol names PAN-OS writes (sctp, gre)", () => {
    expect(one(csvTraffic({ proto: "sctp", dport: "3868" })).event!.protocol).toBe("ip-proto-132");
    expect(one(csvTraffic({ proto: "gre", sport: "0", dport: "0" })).event!.protocol).toBe("ip-proto-47");
  });

  it("reads an ICMP session of another application as type unknown: the record carries no ICMP type", () => {
    const e = one(csvTraffic({ proto: "icmp", app: "icmp", sport: "0", dport: "0" })).event!;
    expect([e.protocol, e.icmpType, e.srcPort, e.dstPort]).toEqual(["icmp", null, null, null]);
  });

  it("skips corrupted records with a reason", () => {
    const full = csvTraffic();
    expect(one(full.split(",").slice(0, 20).join(",")).skipped).toBe("truncated-record");
    expect(one(`${full},"unterminated`).skipped).toBe("truncated-record");
    expect(one(csvTraffic({ src: "10.1.2" })).skipped).toBe("bad-address");
    expect(one(csvTraffic({ dport: "" })).skipped).toBe("missing-port");
    expect(one(csvTraffic({ proto: "" })).skipped).toBe("missing-protocol");
    expect(one(csvTraffic({ proto: "xtp-bogus" })).skipped).toBe("unknown-protocol");
  });

  it("skips a THREAT record as not traffic", () => {
    const threat = csvTraffic().replace("TRAFFIC,end", "THREAT,url");
    expect(one(threat).skipped).toBe("not-traffic:threat");
  });
});

describe("panos: CEF and JSON", () => {
  it("reads the firewall's own CEF profile, where the Name holds the type and the class ID the subtype", () => {
    const line = "CEF:0|Palo Alto Networks|PAN-OS|10.1.0|drop|TRAFFIC|1|rt=Mar 01 2024 10:00:00 GMT deviceExternalId=0123 src=198.51.100.7 dst=192.0.2.1 spt=51000 dpt=3389 proto=tcp act=deny cnt=3";
    const { event } = one(line);
    expect(tuple(event!)).toEqual({ src: "198.51.100.7", dst: "192.0.2.1", protocol: "tcp", srcPort: 51000, dstPort: 3389, action: "blocked", evidence: "deny" });
    expect(event!.count).toBe(3);
    expect(event!.time).toBe("2024-03-01T10:00:00.000Z");
  });

  it("skips a CEF THREAT record and one with a cut header", () => {
    expect(one("CEF:0|Palo Alto Networks|PAN-OS|10.1.0|url|THREAT|1|src=198.51.100.7 dst=192.0.2.1 spt=1 dpt=80 proto=tcp act=alert").skipped).toBe("not-traffic:threat");
    expect(one("CEF:0|Palo Alto Networks|PAN-OS|10.1.0|end").skipped).toBe("truncated-header");
  });

  it("reads a Strata Logging Service JSON traffic record and skips broken JSON", () => {
    const rec = { LogType: "TRAFFIC", Subtype: "deny", DeviceSN: "x", SourceAddress: "2001:db8::1", DestinationAddress: "2001:db8::2", SourcePort: 5353, DestinationPort: 53, Protocol: "udp", Action: "drop", RepeatCount: 2, TimeGenerated: "2023-02-03T16:46:07.584000Z" };
    const { event } = one(JSON.stringify(rec));
    expect(tuple(event!)).toEqual({ src: "2001:db8::1", dst: "2001:db8::2", protocol: "udp", srcPort: 5353, dstPort: 53, action: "blocked", evidence: "drop" });
    expect([event!.time, event!.count]).toEqual(["2023-02-03T16:46:07.584Z", 2]);
    expect(one(JSON.stringify(rec).slice(0, 60)).skipped).toBe("bad-json");
  });
});

describe("panos: cut at every chunk size", () => {
  it("decodes messages.log the same at chunk sizes 1, 2, 3, 7, 64, 1000 and whole", () => {
    const { whole, mismatches } = decodeAtEveryChunkSize(panos, fixture(DIR + "messages.log"));
    expect(mismatches).toEqual([]);
    expect(whole.stats.used).toBe(8);
    expect(balanced(whole.stats)).toBe(true);
  });

  it("decodes the same with CRLF endings and without a final newline", () => {
    const base = decode(panos, fixture(DIR + "messages.log")).events;
    for (const v of lineEndingVariants(fixture(DIR + "messages.log"))) expect(decode(panos, v.data).events, v.name).toEqual(base);
  });
});
