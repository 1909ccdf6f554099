import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { fortigateAction, fortigateFormat, fortiPairs } from "../../../src/decode/log/fortigate.js";
import { ACTION_ALLOWED, ACTION_BLOCKED } from "../../../src/decode/batch.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, decodeRecord, flowOf, fixture, lineEndingVariants, options } from "./helpers.js";

const forti = () => createTextDecoder(fortigateFormat, options());
const DIR = "fixtures/logs/fortigate/sekoia-intake-formats/";

/** One record through a fresh decoder: its events and the first skip reason. */
const one = (line: string) => decodeRecord(forti, line);

const tuple = flowOf;

interface SekoiaCase {
  input: { message: string };
  expected: {
    source?: { ip?: string; port?: number };
    destination?: { ip?: string; port?: number };
    network?: { transport?: string };
    action?: { name?: string };
  };
}
const sekoia = (f: string) => JSON.parse(fixture(DIR + f).toString("utf8")) as SekoiaCase;

const TRAFFIC = "date=2024-03-06 time=22:06:03 devname=\"FW-001\" devid=\"FG100D\" logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"notice\" vd=\"root\" eventtime=1709762764028577926 tz=\"+0000\" srcip=10.0.0.5 srcport=62979 srcintf=\"port3\" dstip=192.0.2.53 dstport=53 dstintf=\"wan1\" sessionid=538959618 proto=17 action=\"accept\" policyid=41 service=\"DNS\"";

describe("fortigate: SEKOIA-IO intake-formats FortiGate cases", () => {
  const TRAFFIC_CASES = [
    "traffic_forward.STANDARD.json", "traffic_nat_1.STANDARD.json", "traffic_nat_2.STANDARD.json", "test_long_lived_session.json",
    "traffic_forward.CEF-2.json", "traffic_forward.CEF-5.json", "traffic_forward_FTNTFGTtz.CEF.json", "traffic_forward-RDP.CEF.json",
    "test_group_field.json", "traffic_forward.CEF-4.json",
  ];
  for (const f of TRAFFIC_CASES) {
    it(`reads the traffic record ${f} with SEKOIA's tuple; its action word is kept, and only deny blocks`, () => {
      const c = sekoia(f);
      const { event } = one(c.input.message);
      const e = event!;
      expect(e.src).toBe(c.expected.source?.ip);
      expect(e.dst).toBe(c.expected.destination?.ip);
      expect(e.srcPort).toBe(c.expected.source?.port);
      expect(e.dstPort).toBe(c.expected.destination?.port);
      expect(e.protocol).toBe(c.expected.network?.transport);
      expect(e.evidence).toBe(c.expected.action?.name);
      // FortiOS Log Message Reference: accept, close, timeout, ip-conn, dns, client-rst... were all
      // allowed by policy (client-rst: the client reset the session; SEKOIA's words call it a block).
      expect(e.action).toBe("allowed");
    });
  }

  it("reads the ICMP type from app=icmp/8/0 (CEF) and from the predefined service PING", () => {
    for (const f of ["icmp_CEF.json", "ping.json"]) {
      const c = sekoia(f);
      const e = one(c.input.message).event!;
      expect([e.src, e.dst, e.protocol, e.icmpType, e.action]).toEqual([c.expected.source?.ip, c.expected.destination?.ip, "icmp", 8, "allowed"]);
    }
    expect(one(sekoia("icmp_CEF.json").input.message).event!.icmpCode).toBe(0);
  });

  it("reads FortiADC's traffic log (src/dst/src_port/dst_port); its action is no firewall verdict", () => {
    const e = one(sekoia("traffic_with_referrer.json").input.message).event!;
    expect(tuple(e)).toEqual({ src: "1.2.3.4", dst: "5.6.7.8", protocol: "tcp", srcPort: 52412, dstPort: 443, action: "unknown", evidence: "user1" });
  });

  const SKIPPED: Record<string, string> = {
    "anomaly.CSV.json": "not-traffic:anomaly",
    "dns.CSV.json": "not-traffic:dns",
    "DNS.CEF.json": "not-traffic:dns",
    "IPS.CEF.json": "not-traffic:utm",
    "system_event.CEF.json": "not-traffic:event",
    "event_admin_login.json": "not-traffic:event",
    "web_filter.json": "not-traffic:utm",
    // Anonymised addresses "00192.0.2.100:00:00:00" / "12192.0.2.116": not addresses.
    "icmp6.json": "bad-address",
    // src=hostname dst=hostname: the case's addresses were replaced by words.
    "traffic_forward.CEF.json": "bad-address",
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
    expect(files).toEqual([...TRAFFIC_CASES, "icmp_CEF.json", "ping.json", "traffic_with_referrer.json", ...Object.keys(SKIPPED)].sort());
  });

  it("messages.log is the cases' messages in file-name order", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
    expect(fixture(DIR + "messages.log").toString("utf8")).toBe(files.map((f) => sekoia(f).input.message.replace(/\n+$/, "")).join("\n") + "\n");
  });
});

describe("fortigate: key=value records", () => {
  it("reads a traffic record, its eventtime in nanoseconds as the time", () => {
    const e = one(TRAFFIC).event!;
    expect(tuple(e)).toEqual({ src: "10.0.0.5", dst: "192.0.2.53", protocol: "udp", srcPort: 62979, dstPort: 53, action: "allowed", evidence: "accept" });
    expect(e.time).toBe("2024-03-06T22:06:04.028Z");
  });

  it("reads date, time and tz when there is no eventtime", () => {
    const line = TRAFFIC.replace(/eventtime=\d+ tz="\+0000"/, 'tz="-0300"');
    expect(one(line).event!.time).toBe("2024-03-07T01:06:03.000Z");
  });

  it("reads action deny as blocked and every other session status as allowed", () => {
    expect(one(TRAFFIC.replace('action="accept"', 'action="deny"')).event!.action).toBe("blocked");
    for (const w of ["start", "close", "timeout", "client-rst", "server-rst", "ip-conn", "dns"]) {
      expect(one(TRAFFIC.replace('action="accept"', `action="${w}"`)).event!.action, w).toBe("allowed");
    }
    expect(fortigateAction("Deny")).toBe(ACTION_BLOCKED);
    expect(fortigateAction("server-rst")).toBe(ACTION_ALLOWED);
  });

  it("reads IPv6 traffic and ICMPv6 from service icmp6/128/0", () => {
    const v6 = TRAFFIC.replace("srcip=10.0.0.5", "srcip=2001:db8::5").replace("dstip=192.0.2.53", "dstip=2001:db8::53");
    expect(tuple(one(v6).event!)).toMatchObject({ src: "2001:db8::5", dst: "2001:db8::53", protocol: "udp" });
    const ping6 = v6.replace(" srcport=62979", "").replace(" dstport=53", "").replace("proto=17", "proto=58").replace('service="DNS"', 'service="icmp6/128/0"');
    const e = one(ping6).event!;
    expect([e.protocol, e.icmpType, e.icmpCode]).toEqual(["icmpv6", 128, 0]);
  });

  it("reads the csv format, where commas separate the pairs", () => {
    const csv = 'date=2018-12-27,time=14:45:26,logid="0000000013",type="traffic",subtype="forward",level="notice",vd="vdom1",srcip=10.1.100.11,srcport=54621,dstip=172.16.200.55,dstport=443,proto=6,action="deny",policyid=0,msg="Denied by forward policy check, policy 0"';
    expect(fortigateFormat.sniff(csv)).toBe(true);
    expect(tuple(one(csv).event!)).toEqual({ src: "10.1.100.11", dst: "172.16.200.55", protocol: "tcp", srcPort: 54621, dstPort: 443, action: "blocked", evidence: "deny" });
    expect(fortiPairs(csv).get("msg")).toBe("Denied by forward policy check, policy 0");
  });

  it("passes over a syslog header and <PRI> before the pairs", () => {
    expect(one(`<189>${TRAFFIC}`).event!.src).toBe("10.0.0.5");
    expect(one(`Mar  6 22:06:03 fw1 ${TRAFFIC}`).event!.src).toBe("10.0.0.5");
  });

  it("skips corrupted records with a reason", () => {
    expect(one(TRAFFIC.replace("srcip=10.0.0.5", "srcip=10.0.0")).skipped).toBe("bad-address");
    expect(one(TRAFFIC.replace(" proto=17", "")).skipped).toBe("missing-protocol");
    expect(one(TRAFFIC.replace(" dstport=53", "")).skipped).toBe("missing-port");
    // An ICMP session record without a type is still a flow, of unknown ICMP type.
    expect(one(TRAFFIC.replace(" proto=17", " proto=1").replace('service="DNS"', 'service="ALL_ICMP"')).event!.icmpType).toBeNull();
    expect(one("this is no fortigate line at all").skipped).toBe("not-fortigate");
  });
});

describe("fortigate: CEF", () => {
  const CEF = "CEF:0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward deny|4|deviceExternalId=FGT5HD3915800610 FTNTFGTlogid=0000000013 cat=traffic:forward FTNTFGTsubtype=forward FTNTFGTlevel=warning FTNTFGTvd=vdom1 FTNTFGTeventtime=1545937675 src=10.1.100.11 spt=54190 dst=52.53.140.235 dpt=443 proto=6 act=deny";

  it("reads a traffic record's dictionary keys and the FTNTFGT-prefixed eventtime", () => {
    const e = one(CEF).event!;
    expect(tuple(e)).toEqual({ src: "10.1.100.11", dst: "52.53.140.235", protocol: "tcp", srcPort: 54190, dstPort: 443, action: "blocked", evidence: "deny" });
    expect(e.time).toBe("2018-12-27T19:07:55.000Z");
  });

  it("takes the type from the log ID when cat is absent, and reads the envelope without its 'CEF:'", () => {
    const noCat = CEF.replace(" cat=traffic:forward", "");
    expect(one(noCat).event!.action).toBe("blocked");
    expect(one(noCat.replace("FTNTFGTlogid=0000000013", "FTNTFGTlogid=0419016384").replace("|traffic:forward deny|", "|utm:ips signature|")).skipped).toBe("not-traffic:ips");
    expect(fortigateFormat.sniff(CEF.slice(4))).toBe(true);
    expect(one(CEF.slice(4)).event!.src).toBe("10.1.100.11");
  });

  it("leaves another vendor's CEF alone", () => {
    expect(fortigateFormat.sniff("CEF:0|Palo Alto Networks|PAN-OS|10.1|end|TRAFFIC|1|src=1.2.3.4")).toBe(false);
  });
});

describe("fortigate: cut at every chunk size", () => {
  it("decodes messages.log the same at chunk sizes 1, 2, 3, 7, 64, 1000 and whole", () => {
    const { whole, mismatches } = decodeAtEveryChunkSize(forti, fixture(DIR + "messages.log"));
    expect(mismatches).toEqual([]);
    expect(whole.stats.used).toBe(13);
    expect(balanced(whole.stats)).toBe(true);
  });

  it("decodes the same with CRLF endings and without a final newline", () => {
    const base = decode(forti, fixture(DIR + "messages.log")).events;
    for (const v of lineEndingVariants(fixture(DIR + "messages.log"))) expect(decode(forti, v.data).events, v.name).toEqual(base);
  });
});
