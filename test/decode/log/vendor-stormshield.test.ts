import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { stormshieldFormat } from "../../../src/decode/log/stormshield.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, ecsTransport, fixture, options, decodeOne } from "./helpers.js";

const DIR = "fixtures/logs/stormshield/";
const make = () => createTextDecoder(stormshieldFormat, options());

const one = (line: string) => decodeOne(make, line);

const tuple = (e: EventJson | undefined) => e && { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action };

const HEAD = 'id=firewall time="2022-03-03 14:21:10" fw="SN12345678912345" tz=+0100 startime="2022-03-03 14:21:10" pri=5 confid=01 slotlevel=2 ruleid=100 srcif="Ethernet3" srcifname="in"';

describe("stormshield: parse", () => {
  it("reads a filter record that passed, with the firewall's time zone", () => {
    const { event } = one(`${HEAD} ipproto=tcp proto=https src=42.123.123.123 srcport=60355 srcname=ADSERVER dst=11.11.11.11 dstport=443 ipv=4 sent=0 rcvd=0 duration=2.00 action=pass logtype="filter"`);
    expect(tuple(event)).toEqual({ src: "42.123.123.123", dst: "11.11.11.11", protocol: "tcp", srcPort: 60355, dstPort: 443, action: "allowed" });
    expect(event!.time).toBe("2022-03-03T13:21:10.000Z");
    expect(event!.evidence).toBe("filter pass (rule 100)");
  });

  it("reads a blocked ICMP echo with type and code, and IPv6 endpoints", () => {
    const ping = one(`${HEAD} ipproto=icmp proto=none src=10.0.0.1 dst=10.0.0.2 icmptype=8 icmpcode=0 ipv=4 action=block logtype="filter"`).event;
    expect(ping && [ping.protocol, ping.icmpType, ping.icmpCode, ping.action]).toEqual(["icmp", 8, 0, "blocked"]);
    const v6 = one(`${HEAD} ipproto=udp proto=domain src=2001:db8::10 srcport=53000 dst=2001:db8::53 dstport=53 ipv=6 action=pass logtype="connection"`).event;
    expect(tuple(v6)).toEqual({ src: "2001:db8::10", dst: "2001:db8::53", protocol: "udp", srcPort: 53000, dstPort: 53, action: "allowed" });
  });

  it("leaves the action unknown for a rule that only logs (empty action)", () => {
    expect(one(`${HEAD} ipproto=tcp proto=https src=55.66.77.88 srcport=39618 dst=11.22.33.44 dstport=443 ipv=4 logtype="filter"`).event!.action).toBe("unknown");
  });

  it("skips alarms (even of a blocked packet), and every other log type by name", () => {
    expect(one(`${HEAD} ipproto=tcp proto=unknown src=11.22.33.44 srcport=1234 dst=55.66.77.88 dstport=5678 ipv=4 action=block msg="Protocole TCP invalide" class=protocol alarmid=98 logtype="alarm"`).skipped).toBe("not-traffic:alarm");
    expect(one('id=firewall time="2023-07-03 18:20:02" fw="SN1" tz=+0200 startime="2023-07-03 18:20:02" pri=5 src=11.11.11.11 dst=22.22.22.22 ikev=2 phase=2 msg="Sending DELETE for IPSEC SA (ESP)" logtype="vpn"').skipped).toBe("not-traffic:vpn");
  });

  it("counts a record cut before its protocol and a bad address", () => {
    expect(one(`${HEAD} src=42.123.123.123 srcport=60355 dst=11.11.11.11 dstport=443 action=pass logtype="filter"`).skipped).toBe("missing-protocol");
    expect(one(`${HEAD} ipproto=tcp src=42.123.123 srcport=60355 dst=11.11.11.11 dstport=443 action=pass logtype="filter"`).skipped).toBe("bad-address");
  });

  it("sniffs a hostile line in linear time (startime= repeated 50,000 times, no logtype)", () => {
    expect(stormshieldFormat.sniff("startime= ".repeat(50_000))).toBe(false);
  }, 2000);

  it("recognises its own lines only", () => {
    expect(stormshieldFormat.sniff(`${HEAD} logtype="filter"`)).toBe(true);
    expect(stormshieldFormat.sniff('id=firewall sn=0017C5178994 time="2018-02-06 16:11:09" fw=64.107.153.15 pri=6 c=1024 m=537')).toBe(false);
    expect(stormshieldFormat.sniff('device="SFW" date=2018-05-30 time=13:14:26 timezone="IST" log_type="Firewall"')).toBe(false);
  });
});

describe("stormshield: SEKOIA-IO intake-formats cases", () => {
  interface Case {
    input: { message: string };
    expected: { source?: { ip?: string; port?: number }; destination?: { ip?: string; port?: number }; network?: { transport?: string }; event?: { dataset?: string; outcome?: string } };
  }
  const dir = `${DIR}sekoia-intake-formats/`;
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  const READ = new Set(["empty_action.json", "filter.json", "filter2.json"]);

  it("has the sixteen cases of the corpus", () => expect(files).toHaveLength(16));

  for (const f of files) {
    it(`${f}: ${READ.has(f) ? "read as SEKOIA reads it" : "skipped with its log type"}`, () => {
      const c = JSON.parse(fixture(dir + f).toString("utf8")) as Case;
      const r = one(c.input.message);
      if (!READ.has(f)) { expect(r.skipped).toBe(`not-traffic:${c.expected.event!.dataset}`); return; }
      const e = r.event!;
      expect(e.src).toBe(c.expected.source?.ip);
      expect(e.dst).toBe(c.expected.destination?.ip);
      expect(e.srcPort).toBe(c.expected.source?.port ?? null);
      expect(e.dstPort).toBe(c.expected.destination?.port ?? null);
      expect(e.protocol).toBe(ecsTransport(c.expected.network!.transport!));
    });
  }

  it("the sixteen messages as one file: detected as stormshield, same events and stats at every chunk size", () => {
    const text = files.map((f) => (JSON.parse(fixture(dir + f).toString("utf8")) as Case).input.message).join("\n");
    const data = Buffer.from(`${text}\n`);
    expect(detectFormat(data)).toBe("stormshield");
    const { whole, mismatches } = decodeAtEveryChunkSize(make, data);
    expect(mismatches).toEqual([]);
    expect(balanced(whole.stats)).toBe(true);
    expect({ read: whole.stats.read, used: whole.stats.used }).toEqual({ read: 16, used: 3 });
  });
});
