import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { sonicwallFormat } from "../../../src/decode/log/sonicwall.js";
import { ACTION_BLOCKED } from "../../../src/decode/batch.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import type { DecodeOptions } from "../../../src/decode/log/options.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, ecsAction, ecsTransport, fixture, fixtureJsonl, options } from "./helpers.js";

const DIR = "fixtures/logs/sonicwall/";
const make = (o: Partial<DecodeOptions> = {}) => () => createTextDecoder(sonicwallFormat, options(o));

/** One line through a fresh decoder: its event, or the reason it was skipped. */
function one(line: string, o: Partial<DecodeOptions> = {}): { event?: EventJson; skipped?: string } {
  const run = decode(make(o), Buffer.from(`${line}\n`));
  expect(run.stats.read).toBe(1);
  expect(run.error).toBeUndefined();
  if (run.events.length === 1) return { event: run.events[0]! };
  const reasons = Object.keys(run.stats.skipped);
  expect(reasons).toHaveLength(1);
  return { skipped: reasons[0]! };
}

const tuple = (e: EventJson | undefined) => e && { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action };

const HEAD = 'id=firewall sn=0017C5178994 time="2024-05-06 16:10:06" fw=192.0.2.254 pri=6';

describe("sonicwall: parse", () => {
  it("reads ip:port:interface endpoints, the transport of proto=tcp/https and the device's time", () => {
    const { event } = one(`Jan  3 13:45:36 192.168.5.1 ${HEAD} c=262144 m=98 msg="Connection Opened" n=23419 src=216.160.83.57:36701:WAN dst=1.128.3.4:443:LAN:www.example.com proto=tcp/https`);
    expect(tuple(event)).toEqual({ src: "216.160.83.57", dst: "1.128.3.4", protocol: "tcp", srcPort: 36701, dstPort: 443, action: "allowed" });
    expect(event!.time).toBe("2024-05-06T16:10:06.000Z");
    expect(event!.evidence).toBe("Connection Opened");
  });

  it("takes IPv6 endpoints from srcV6/dstV6 and the ports from src=:port:iface", () => {
    const { event } = one('id=firewall sn=C0EAE4599999 time="2019-02-15 09:45:17 UTC" fw=2.228.169.242 pri=5 c=512 m=1233 msg="Unhandled link-local or multicast IPv6 packet dropped" n=56642 srcV6=fe80::9851:b780:9d9d:a29e src=:49702:X0-V514 dstV6=ff02::1:3 dst=:5355 proto=udp/5355');
    expect(tuple(event)).toEqual({ src: "fe80::9851:b780:9d9d:a29e", dst: "ff02::1:3", protocol: "udp", srcPort: 49702, dstPort: 5355, action: "blocked" });
  });

  it("reads ICMP type and code, and skips an ICMP error as not a flow of its own", () => {
    const echo = one(`${HEAD} c=256 m=38 msg="ICMP packet dropped" n=1 src=10.0.0.1::X1 dst=10.0.0.2::X0 type=8 code=0`).event;
    expect(echo && [echo.protocol, echo.icmpType, echo.icmpCode, echo.action]).toEqual(["icmp", 8, 0, "blocked"]);
    expect(one(`${HEAD} c=256 m=38 msg="ICMP packet dropped" n=22070 src=89.160.20.112:1026:WAN dst=1.128.3.4:6822:WAN  type=3 code=3`).skipped).toBe("icmp-error");
  });

  it("takes the transport from the message text when proto is absent (m=36/37)", () => {
    const tcp = one('id=firewall sn=00301E0526B1 time="2004-04-01 10:39:35" fw=67.32.44.2 pri=5 c=64 m=36 msg="TCP connection dropped" n=2686 src=67.101.200.27:4507:WAN dst=67.32.44.2:445:LAN rule=0').event;
    expect(tuple(tcp)).toEqual({ src: "67.101.200.27", dst: "67.32.44.2", protocol: "tcp", srcPort: 4507, dstPort: 445, action: "blocked" });
    const udp = one('id=firewall sn=00XX time="2005-10-22 00:12:11" fw=1.2.3.4 pri=5 c=128 m=37 msg="UDP packet dropped" n=14333 src=1.3.4.5 dst=2.5.6.7:1025:LAN').event;
    expect(tuple(udp)).toEqual({ src: "1.3.4.5", dst: "2.5.6.7", protocol: "udp", srcPort: null, dstPort: 1025, action: "blocked" });
  });

  it("states the verdict from fw_action first, then the message words, else unknown", () => {
    const cef = (name: string, fw: string) => one(`CEF:0|SonicWall|NSa 4500|7.0.1|97|${name}|4|src=192.0.2.1 spt=60000 dst=198.51.100.7 dpt=443 proto=tcp/https fw_action="${fw}"`).event!.action;
    expect(cef("Syslog Website Accessed", "drop")).toBe("blocked");
    expect(cef("Connection Closed", "NA")).toBe("allowed");
    expect(cef("Application Control Detection Alert", "NA")).toBe("unknown");
    // A Web site hit record without msg: the message id's text says it.
    expect(one(`${HEAD} c=1024 gcat=2 m=97 src=10.0.0.4:41856:X0 dst=89.160.20.112:443:X1 proto=tcp/https fw_action="NA"`).event!.action).toBe("allowed");
  });

  it("lets the user's --action-map decide before the built-in words", () => {
    const line = `${HEAD} m=98 msg="Connection Opened" src=10.0.0.1:1000:X0 dst=10.0.0.2:22:X1 proto=tcp/ssh`;
    expect(one(line, { actionMap: [{ match: "opened", action: ACTION_BLOCKED }] }).event!.action).toBe("blocked");
  });

  it("skips events that quote endpoints but name no transport, with their kind", () => {
    expect(one(`${HEAD} c=32 m=30 msg="Administrator login denied due to bad credentials" n=7 src=216.160.83.57:36701:WAN dst=1.128.3.4:50000:WAN`).skipped).toBe("not-traffic:users");
    expect(one(`${HEAD} c=16 m=346 msg="IKE Initiator: Start Quick Mode (Phase 2)." n=171872 src=216.160.83.57:500 dst=1.128.3.4:500`).skipped).toBe("not-traffic:vpn");
    expect(one(`${HEAD} c=32 gcat=3 m=609 msg="IPS Prevention Alert: WEB-ATTACKS" src=216.160.83.61:54192:X20 dst=10.0.0.5:8080:X21 fw_action="drop"`).skipped).toBe("not-traffic:security-services");
    // NAT Mapping names a protocol but reports a translation.
    expect(one(`${HEAD} c=0 m=1197 msg="NAT Mapping" n=4748427 src=10.12.14.9::X500 dst=81.2.69.144::X3 proto=icmp`).skipped).toBe("not-traffic:nat-mapping");
  });

  it("counts a broken address, a record with no port and a cut line as skips with their reasons", () => {
    expect(one('Apr 1 10:45:16 10.1.5.1 id=firewall sn=00301E0526B1 time="2004-04-01 10:39:35" fw=67.32.44.2 pri=5 c=64 m=36 msg="TCP connection dropped" n=2686 src=67.101.200 .27:4507:WAN dst=67.32.44.2:445:LAN proto=tcp').skipped).toBe("bad-address");
    expect(one(`${HEAD} m=98 msg="Connection Opened" src=192.168.6.10:28503 dst=192.168.5.10 proto=tcp/dns`).skipped).toBe("missing-port");
    expect(one('id=firewall sn=0017C5178994 time="2024-05-06 16:1').skipped).toBe("not-sonicwall");
  });

  it("recognises its own lines only", () => {
    expect(sonicwallFormat.sniff(`${HEAD} m=98 msg="Connection Opened"`)).toBe(true);
    expect(sonicwallFormat.sniff("CEF:0|SonicWall|NSa 4500|7.0.1|537|Connection Closed|4|src=1.2.3.4")).toBe(true);
    expect(sonicwallFormat.sniff('date=2023-12-01 time=14:43:23 devname="FG" logid="0000000013" type="traffic" srcip=1.2.3.4')).toBe(false);
    expect(sonicwallFormat.sniff('time="2022-03-03 14:21:10" fw="SN1" tz=+0100 startime="2022-03-03 14:21:10" pri=5 logtype="filter"')).toBe(false);
  });
});

describe("sonicwall: SEKOIA-IO intake-formats cases", () => {
  interface Case {
    input: { message: string };
    expected: { source?: { ip?: string; port?: number }; destination?: { ip?: string; port?: number }; network?: { transport?: string }; event?: { action?: string } };
  }
  const dir = `${DIR}sekoia-intake-formats/`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  /** m=1154 in syslog form: no ports (only the service name "https"), so no flow. */
  const NO_PORT = new Set(["test_syslog_website_category_1.json", "test_syslog_website_category_2.json"]);

  it("has the seven cases of the corpus", () => expect(files).toHaveLength(7));

  for (const f of files) {
    it(`reads ${f} as SEKOIA's parser does${NO_PORT.has(f) ? " (skipped: no port)" : ""}`, () => {
      const c = JSON.parse(fixture(dir + f).toString("utf8")) as Case;
      const r = one(c.input.message);
      if (NO_PORT.has(f)) { expect(r.skipped).toBe("missing-port"); return; }
      const e = r.event!;
      expect(e.src).toBe(c.expected.source?.ip);
      expect(e.dst).toBe(c.expected.destination?.ip);
      expect(e.srcPort).toBe(c.expected.source?.port ?? null);
      expect(e.dstPort).toBe(c.expected.destination?.port ?? null);
      expect(e.protocol).toBe(ecsTransport(c.expected.network!.transport!));
      const a = ecsAction(c.expected.event?.action);
      if (a) expect(e.action).toBe(a);
    });
  }
});

describe("sonicwall: whole files", () => {
  const wazuh = Buffer.from(fixtureJsonl<{ line: string }>(`${DIR}wazuh-ruleset/SonicWall.ini.cases.jsonl`).map((c) => c.line).join("\n") + "\n");
  const FILES: [string, Buffer, object][] = [
    ["elastic-integrations/test-general.log", fixture(`${DIR}elastic-integrations/test-general.log`),
      { read: 38, used: 26, skipped: { "not-traffic:users": 2, "not-traffic:vpn": 2, "not-traffic:event": 1, "not-traffic:nat-mapping": 1, "not-traffic:security-services": 2, "icmp-error": 1, "missing-port": 3 } }],
    ["ossec-docs/firewalls_sonicwall.rst.samples.log", fixture(`${DIR}ossec-docs/firewalls_sonicwall.rst.samples.log`),
      { read: 23, used: 17, skipped: { "not-traffic:users": 2, "not-traffic:vpn": 1, "not-traffic:event": 1, "icmp-error": 1, "bad-address": 1 } }],
    ["wazuh-ruleset/SonicWall.ini.cases.jsonl (lines)", wazuh,
      { read: 8, used: 5, skipped: { "not-traffic:nat-mapping": 1, "not-traffic:vpn": 1, "not-traffic:users": 1 } }],
  ];
  for (const [name, data, want] of FILES) {
    it(`${name}: detected as sonicwall; same events and stats whole and cut at 1, 2, 3, 7, 64, 1000 bytes`, () => {
      expect(detectFormat(data)).toBe("sonicwall");
      const { whole, mismatches } = decodeAtEveryChunkSize(make(), data);
      expect(mismatches).toEqual([]);
      expect(whole.error).toBeUndefined();
      expect(balanced(whole.stats)).toBe(true);
      expect({ read: whole.stats.read, used: whole.stats.used, skipped: whole.stats.skipped }).toEqual(want);
      expect(whole.events.every((e) => e.format === "sonicwall")).toBe(true);
    });
  }

  it("the SEKOIA messages as one file decode the same at every chunk size", () => {
    const dir = `${DIR}sekoia-intake-formats/`;
    const text = readdirSync(dir).filter((f) => f.endsWith(".json")).sort()
      .map((f) => (JSON.parse(fixture(dir + f).toString("utf8")) as { input: { message: string } }).input.message).join("\n");
    const { whole, mismatches } = decodeAtEveryChunkSize(make(), Buffer.from(`${text}\n`));
    expect(mismatches).toEqual([]);
    expect({ read: whole.stats.read, used: whole.stats.used, skipped: whole.stats.skipped }).toEqual({ read: 7, used: 5, skipped: { "missing-port": 2 } });
  });
});
