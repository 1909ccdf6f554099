import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { forcepointFormat } from "../../../src/decode/log/forcepoint.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, ecsTransport, fixture, options, decodeOne } from "./helpers.js";

const DIR = "fixtures/logs/forcepoint-ngfw/";
const make = () => createTextDecoder(forcepointFormat, options());

const one = (line: string) => decodeOne(make, line);

const tuple = (e: EventJson | undefined) => e && { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action };

const CEF = "<14>Sep 14 14:12:52 smc-log CEF:0|FORCEPOINT|Firewall|6.8.6|70018";
const LEEF = "LEEF:1.0|Forcepoint|Firewall|7.1.5";

describe("forcepoint ngfw: parse", () => {
  it("reads a CEF Connection_Allowed (act=Allow) with its receipt time", () => {
    const { event } = one(`${CEF}|Connection_Allowed|0|deviceExternalId=NGFW1 node 1 src=192.0.2.1 dst=198.51.100.6 spt=59358 dpt=443 proto=6 act=Allow deviceFacility=Packet Filtering rt=Sep 14 2021 14:12:51 app=HTTPS`);
    expect(tuple(event)).toEqual({ src: "192.0.2.1", dst: "198.51.100.6", protocol: "tcp", srcPort: 59358, dstPort: 443, action: "allowed" });
    expect(event!.time).toBe("2021-09-14T14:12:51.000Z");
    expect(event!.evidence).toBe("Connection_Allowed (Allow)");
  });

  it("reads LEEF records: Discard and Refuse are blocked, Connection_Closed without action was allowed", () => {
    const discard = one(`${LEEF}|Connection_Discarded|devTimeFormat=MMM dd yyyy HH:mm:ss\tsrc=1.2.3.4\tdst=192.0.2.1\tsrcPort=64746\tdstPort=8082\tproto=17\tdevTime=Aug 06 2025 14:13:16\taction=Discard`).event;
    expect(tuple(discard)).toEqual({ src: "1.2.3.4", dst: "192.0.2.1", protocol: "udp", srcPort: 64746, dstPort: 8082, action: "blocked" });
    expect(discard!.time).toBe("2025-08-06T14:13:16.000Z");
    expect(one(`${LEEF}|Connection_Refused|src=1.2.3.4\tdst=192.0.2.1\tsrcPort=1\tdstPort=25\tproto=6\taction=Refuse`).event!.action).toBe("blocked");
    expect(one(`${LEEF}|Connection_Closed|src=1.2.3.4\tdst=192.0.2.1\tsrcPort=63200\tdstPort=443\tproto=6`).event!.action).toBe("allowed");
  });

  it("reads IPv6 endpoints; an ICMP record without type (the exports carry none) is read as type unknown", () => {
    const v6 = one(`${LEEF}|Connection_Allowed|src=2001:db8::1\tdst=2001:db8::2\tsrcPort=50000\tdstPort=22\tproto=6\taction=Allow`).event;
    expect(tuple(v6)).toEqual({ src: "2001:db8::1", dst: "2001:db8::2", protocol: "tcp", srcPort: 50000, dstPort: 22, action: "allowed" });
    const icmp = one(`${LEEF}|Connection_Allowed|src=10.0.0.1\tdst=10.0.0.2\tproto=1\taction=Allow`).event!;
    expect([icmp.protocol, icmp.icmpType, icmp.action]).toEqual(["icmp", null, "allowed"]);
  });

  it("skips situations that are not connections, even when they quote a packet", () => {
    expect(one(`${LEEF}|Generic|devTimeFormat=MMM dd yyyy HH:mm:ss\tsrc=1.2.3.4\tdst=192.0.2.1\tsrcPort=49153\tdstPort=49154\tproto=17\tmsg=VPN trigger ipv4(1.2.3.4) -> ipv4(192.0.2.1), tunnel 1082097949`).skipped).toBe("not-traffic:event");
    expect(one("CEF:0|FORCEPOINT|Firewall|6.10.0|76527|Sandbox_Unsupported-File-type|0|deviceExternalId=NGFW3 node 2 dvchost=1.2.3.4 dvc=192.0.2.1 deviceFacility=File Filtering rt=Sep 14 2021 14:06:26").skipped).toBe("not-traffic:file-filtering");
  });

  it("counts a cut record and another vendor's CEF", () => {
    expect(one(`${CEF}|Connection_Allowed|0|src=192.0.2.1 dst=198.51.100.6 spt=59358 dpt=443 act=Allow`).skipped).toBe("missing-protocol");
    expect(one(`${CEF}|Connection_Allo`).skipped).toBe("not-forcepoint");
    expect(one("CEF:0|SonicWall|NSa 4500|7.0.1|537|Connection Closed|4|src=192.0.2.1 dst=192.0.2.2 proto=udp").skipped).toBe("not-forcepoint");
  });

  it("recognises its own lines only", () => {
    expect(forcepointFormat.sniff(`${CEF}|Connection_Allowed|0|src=192.0.2.1`)).toBe(true);
    expect(forcepointFormat.sniff(`${LEEF}|Connection_Allowed|src=1.2.3.4`)).toBe(true);
    expect(forcepointFormat.sniff("LEEF:1.0|WatchGuard|XTM|12.8.2|30000148|disp=Allow")).toBe(false);
  });
});

describe("forcepoint ngfw: SEKOIA-IO intake-formats cases", () => {
  interface Case {
    input: { message: string };
    expected: { source?: { ip?: string; port?: number }; destination?: { ip?: string; port?: number }; network?: { transport?: string }; event?: { outcome?: string } };
  }
  const dir = `${DIR}sekoia-intake-formats/`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const SKIP: Record<string, string> = {
    "test_event_2.json": "not-traffic:file-filtering", "test_event_3.json": "not-traffic:event", "test_event_8.json": "not-traffic:event",
    "test_event_9.json": "not-traffic:event", "test_event_10.json": "not-traffic:event",
  };

  it("has the eleven cases of the corpus", () => expect(files).toHaveLength(11));

  for (const f of files) {
    it(`${f}: ${SKIP[f] ? `skipped as ${SKIP[f]}` : "read as SEKOIA reads it"}`, () => {
      const c = JSON.parse(fixture(dir + f).toString("utf8")) as Case;
      const r = one(c.input.message);
      if (SKIP[f]) { expect(r.skipped).toBe(SKIP[f]); return; }
      const e = r.event!;
      expect(e.src).toBe(c.expected.source?.ip);
      expect(e.dst).toBe(c.expected.destination?.ip);
      // SEKOIA maps no port from the LEEF records; where it does (CEF), they agree.
      if (c.expected.source?.port !== undefined) expect(e.srcPort).toBe(c.expected.source.port);
      if (c.expected.destination?.port !== undefined) expect(e.dstPort).toBe(c.expected.destination.port);
      expect(e.protocol).toBe(ecsTransport(c.expected.network!.transport!));
      if (c.expected.event?.outcome === "success") expect(e.action).toBe("allowed");
      if (c.expected.event?.outcome === "failure") expect(e.action).toBe("blocked");
    });
  }

  it("the messages as one file: detected as forcepoint-ngfw, same events and stats at every chunk size", () => {
    const text = files.map((f) => (JSON.parse(fixture(dir + f).toString("utf8")) as Case).input.message).join("\n");
    const data = Buffer.from(`${text}\n`);
    expect(detectFormat(data)).toBe("forcepoint-ngfw");
    const { whole, mismatches } = decodeAtEveryChunkSize(make, data);
    expect(mismatches).toEqual([]);
    expect(balanced(whole.stats)).toBe(true);
    expect({ read: whole.stats.read, used: whole.stats.used }).toEqual({ read: 11, used: 6 });
  });
});
