import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { cefFormat, cefStart, cefTime, leefFormat, leefStart, parseCef, parseCefExtension, parseLeef } from "../../../src/decode/log/cef.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, decodeRecord, fixture, flowOf, lineEndingVariants, options } from "./helpers.js";

const cef = () => createTextDecoder(cefFormat, options());
const leef = () => createTextDecoder(leefFormat, options());
const DIR = "fixtures/logs/cef/sekoia-intake-formats/";

const one = (make: typeof cef, line: string) => decodeRecord(make, line);

const tuple = flowOf;

const message = (f: string) => (JSON.parse(fixture(DIR + f).toString("utf8")) as { input: { message: string } }).input.message;

describe("cef: the envelope", () => {
  it("splits the seven header fields, undoing \\| and \\\\ in them", () => {
    const line = "CEF:0|Vendor\\|Co|Pro\\\\duct|1.0|100|Name with \\| pipe|5|src=10.0.0.1";
    const rec = parseCef(line, cefStart(line))!;
    expect([rec.version, rec.vendor, rec.product, rec.deviceVersion, rec.signatureId, rec.name, rec.severity]).toEqual(["0", "Vendor|Co", "Pro\\duct", "1.0", "100", "Name with | pipe", "5"]);
    expect(rec.ext.get("src")).toBe("10.0.0.1");
  });

  it("finds the envelope behind a syslog header and after 'CEF: ' with a space; a bare '0|' only when asked", () => {
    expect(cefStart("Dec 27 11:07:55 FGT-A-LOG CEF: 0|Fortinet|Fortigate|v6|13|x|3|")).toBe(31);
    expect(cefStart("0|Fortinet|Fortigate|v6|13|x|3|")).toBe(-1);
    expect(cefStart("0|Fortinet|Fortigate|v6|13|x|3|", true)).toBe(0);
    expect(cefStart("no envelope CEF: here")).toBe(-1);
  });

  it("reads extension values with spaces, \\= and \\\\, an unescaped '=' inside a value, and keeps the first of repeated keys", () => {
    const ext = parseCefExtension("msg=Login failed for a b  cs2=x cs2=y request=http://h/p?a\\=1 path=C:\\\\dir dn=CN=fw,O=corp act=deny");
    expect(Object.fromEntries(ext)).toEqual({ msg: "Login failed for a b", cs2: "x", request: "http://h/p?a=1", path: "C:\\dir", dn: "CN=fw,O=corp", act: "deny" });
  });

  it("drops the empty field Check Point's exporter writes after the version", () => {
    const line = "CEF:0||Check Point|VPN-1 & FireWall-1|Check Point|Log|domain-udp|Unknown|act=Accept src=10.0.11.11";
    const rec = parseCef(line, cefStart(line))!;
    expect([rec.vendor, rec.product, rec.name, rec.severity]).toEqual(["Check Point", "VPN-1 & FireWall-1", "domain-udp", "Unknown"]);
    expect(rec.ext.get("act")).toBe("Accept");
  });

  it("reads CEF's date formats", () => {
    expect(cefTime("1629500007043", 2026)).toBe(Date.UTC(2021, 7, 20, 22, 53, 27, 43));
    expect(cefTime("Feb 27 2021 20:16:21", 2026)).toBe(Date.UTC(2021, 1, 27, 20, 16, 21));
    expect(cefTime("Feb 27 2021 20:16:21.250 +01:00", 2026)).toBe(Date.UTC(2021, 1, 27, 19, 16, 21, 250));
    expect(cefTime("Feb 27 20:16:21 UTC", 2026)).toBe(Date.UTC(2026, 1, 27, 20, 16, 21));
    expect(cefTime("2021-02-27T20:16:21Z", 2026)).toBe(Date.UTC(2021, 1, 27, 20, 16, 21));
    expect(cefTime("yesterday", 2026)).toBeNaN();
  });
});

describe("cef: the generic format", () => {
  const LINE = "CEF:0|Acme|FW|2.1|conn|Connection|3|rt=Mar 01 2024 10:00:00 src=198.51.100.7 spt=51000 dst=192.0.2.1 dpt=22 proto=TCP act=blocked cnt=2";

  it("reads src/dst/spt/dpt/proto/act/rt/cnt", () => {
    const e = one(cef, LINE).event!;
    expect(tuple(e)).toEqual({ src: "198.51.100.7", dst: "192.0.2.1", protocol: "tcp", srcPort: 51000, dstPort: 22, action: "blocked", evidence: "blocked" });
    expect([e.time, e.count]).toEqual(["2024-03-01T10:00:00.000Z", 2]);
  });

  it("reads each action class, an unknown word as unknown, and no act as unknown with the Name as evidence", () => {
    expect(one(cef, LINE.replace("act=blocked", "act=accept")).event!.action).toBe("allowed");
    expect(one(cef, LINE.replace("act=blocked", "act=quarantined")).event!.action).toBe("unknown");
    const noAct = one(cef, LINE.replace(" act=blocked", "")).event!;
    expect([noAct.action, noAct.evidence]).toEqual(["unknown", "Connection"]);
  });

  it("reads IPv6 from c6a2/c6a3 by their labels", () => {
    const v6 = "CEF:0|Acme|FW|2.1|conn|Connection|3|c6a2=2001:db8::7 c6a2Label=Source IPv6 Address c6a3=2001:db8::1 c6a3Label=Destination IPv6 Address spt=5353 dpt=53 proto=17 act=allow";
    expect(tuple(one(cef, v6).event!)).toEqual({ src: "2001:db8::7", dst: "2001:db8::1", protocol: "udp", srcPort: 5353, dstPort: 53, action: "allowed", evidence: "allow" });
  });

  it("reads ICMP without a type (the CEF dictionary has no key for it) as type unknown", () => {
    const e = one(cef, LINE.replace("proto=TCP", "proto=1")).event!;
    expect([e.protocol, e.icmpType, e.srcPort, e.dstPort]).toEqual(["icmp", null, null, null]);
  });

  it("skips records that are not traffic, and corrupted ones, with a reason", () => {
    expect(one(cef, "CEF:0|Acme|Mail|1|42|Delivered|1|suser=a@b act=DELIVERED").skipped).toBe("not-traffic:no-addresses");
    expect(one(cef, LINE.replace("src=198.51.100.7 ", "")).skipped).toBe("missing-address");
    expect(one(cef, LINE.replace(" proto=TCP", "")).skipped).toBe("missing-protocol");
    expect(one(cef, "CEF:0|Acme|FW|2.1|conn").skipped).toBe("truncated-header");
    expect(one(cef, LINE.replace("dst=192.0.2.1", "dst=192.0.2.300")).skipped).toBe("bad-address");
  });
});

describe("cef: LEEF", () => {
  it("reads LEEF 1.0 with tab-separated attributes", () => {
    const line = "LEEF:1.0|Acme|FW|1.0|deny|src=10.0.0.1\tdst=10.0.0.2\tsrcPort=1234\tdstPort=445\tproto=tcp\taction=deny\tdevTime=Sep 23 2022 09:51:24 +0200";
    const e = one(leef, line).event!;
    expect(tuple(e)).toEqual({ src: "10.0.0.1", dst: "10.0.0.2", protocol: "tcp", srcPort: 1234, dstPort: 445, action: "blocked", evidence: "deny" });
    expect(e.time).toBe("2022-09-23T07:51:24.000Z");
  });

  it("reads the LEEF 2.0 delimiter as a character or a hex code, and rsyslog's '#011' for a tab", () => {
    const caret = parseLeef("LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5", 0)!;
    expect(Object.fromEntries(caret.attrs)).toEqual({ src: "10.0.1.8", dst: "10.0.0.5", sev: "5" });
    const hex = parseLeef("LEEF:2.0|V|P|1|7|x7C|src=10.0.1.8|dst=10.0.0.5", 0)!;
    expect(hex.attrs.get("dst")).toBe("10.0.0.5");
    const noDelim = parseLeef("LEEF:2.0|V|P|1|7|src=10.0.1.8\tdst=10.0.0.5", 0)!;
    expect(noDelim.attrs.get("src")).toBe("10.0.1.8");
    const escaped = parseLeef("1.0|x LEEF:1.0|WatchGuard|XTM|12|1100|host=fw#011msg=a\\=b", 5)!;
    expect([escaped.vendor, escaped.attrs.get("msg")]).toEqual(["WatchGuard", "a=b"]);
    expect(leefStart("LEEF:2.0|V|P|1|7|")).toBe(0);
  });

  it("skips a LEEF record without addresses and one with a cut header", () => {
    expect(one(leef, "LEEF:1.0|V|P|1|login|usrName=admin").skipped).toBe("not-traffic:no-addresses");
    expect(one(leef, "LEEF:1.0|V|P").skipped).toBe("truncated-header");
  });
});

describe("cef: SEKOIA-IO intake-formats CEF cases", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

  it("detects each vendor's dialect, and leaves the rest to the generic format", () => {
    const got = Object.fromEntries(files.map((f) => [f, detectFormat(Buffer.from(message(f)))]));
    expect(got).toEqual({
      "cisco_esa_cef.json": "cef",
      "cyber_reason_malop_connection.json": "cef",
      "cyber_reason_malop_user.json": "cef",
      "fortigate_icmp_CEF.json": "fortigate",
      "fortigate_traffic_forward.CEF.json": "fortigate",
      "imported_from_logstash.json": "cef",
      "pan_ngfw_threat_cef.json": "panos",
      "pan_ngfw_traffic_cef.json": "panos",
    });
  });

  it("skips the generic records that are not flows (mail, endpoint, an application's download)", () => {
    expect(one(cef, message("cisco_esa_cef.json")).skipped).toBe("not-traffic:no-addresses");
    expect(one(cef, message("cyber_reason_malop_user.json")).skipped).toBe("not-traffic:no-addresses");
    // A destination with no source: a malware connection seen on an endpoint, no flow through a firewall.
    expect(one(cef, message("cyber_reason_malop_connection.json")).skipped).toBe("missing-address");
    expect(one(cef, message("imported_from_logstash.json")).skipped).toBe("missing-address");
  });

  it("messages.log is the cases' messages in file-name order", () => {
    expect(fixture(DIR + "messages.log").toString("utf8")).toBe(files.map((f) => message(f).replace(/\n+$/, "")).join("\n") + "\n");
  });

  it("decodes messages.log the same at chunk sizes 1, 2, 3, 7, 64, 1000 and whole", () => {
    const { whole, mismatches } = decodeAtEveryChunkSize(cef, fixture(DIR + "messages.log"));
    expect(mismatches).toEqual([]);
    // Read with the generic format alone (no dialect), the FortiGate forward record and both PAN-OS
    // records are flows, threat or not; the FortiGate ICMP one lacks a type the dictionary could give,
    // so it is an ICMP flow of unknown type.
    expect(whole.stats.used).toBe(4);
    expect(whole.stats.skipped["missing-icmp-type"]).toBeUndefined();
    expect(balanced(whole.stats)).toBe(true);
  });

  it("decodes the same with CRLF endings and without a final newline", () => {
    const base = decode(cef, fixture(DIR + "messages.log")).events;
    for (const v of lineEndingVariants(fixture(DIR + "messages.log"))) expect(decode(cef, v.data).events, v.name).toEqual(base);
  });
});
