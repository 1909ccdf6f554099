import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createNetfilterDecoder } from "../../../src/decode/log/netfilter.js";
import { createWindowsFirewallDecoder } from "../../../src/decode/log/windows-firewall.js";
import { actionFromPrefix } from "../../../src/decode/log/action-words.js";
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN } from "../../../src/decode/batch.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import {
  balanced, canonicalIp, decode, decodeAtEveryChunkSize, decodeOne, ecsAction, ecsTransport, fixture, fixtureJsonl,
  lineEndingVariants, options,
} from "./helpers.js";

const netfilter = () => createNetfilterDecoder(options());

/** One line through a fresh decoder: its event, or the reason it was skipped. */
const one = (line: string) => decodeOne(netfilter, line);

/** The 5-tuple and action as the other projects state them. */
function tuple(e: EventJson) {
  return { src: e.src, dst: e.dst, protocol: e.protocol, srcPort: e.srcPort, dstPort: e.dstPort, action: e.action };
}

describe("netfilter: SEKOIA-IO intake-formats Netfilter cases", () => {
  interface Case {
    input: { message: string };
    expected: {
      source?: { ip?: string; port?: number };
      destination?: { ip?: string; port?: number };
      network?: { transport?: string };
      action?: { name?: string };
    };
  }
  const dir = "fixtures/logs/netfilter/sekoia-intake-formats/";
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

  it("has the four cases of the corpus", () => {
    expect(files).toEqual(["accept.json", "action-name.json", "action_long.json", "icmp.json"]);
  });

  for (const f of files) {
    it(`reads ${f} as SEKOIA's parser does`, () => {
      const c = JSON.parse(fixture(dir + f).toString("utf8")) as Case;
      const { event } = one(c.input.message);
      expect(event).toBeDefined();
      const e = event!;
      expect(e.src).toBe(c.expected.source?.ip);
      expect(e.dst).toBe(c.expected.destination?.ip);
      expect(e.srcPort).toBe(c.expected.source?.port ?? null);
      expect(e.dstPort).toBe(c.expected.destination?.port ?? null);
      expect(e.protocol).toBe(ecsTransport(c.expected.network!.transport!));
      // SEKOIA gives action.name where the prefix names one; "IPTABLES" names none: unknown for us too.
      expect(e.action).toBe(ecsAction(c.expected.action?.name) ?? "unknown");
    });
  }

  it("keeps the ICMP echo reply's type and code (icmp.json)", () => {
    const c = JSON.parse(fixture(`${dir}icmp.json`).toString("utf8")) as Case;
    const e = one(c.input.message).event!;
    expect([e.icmpType, e.icmpCode, e.evidence]).toEqual([0, 0, "IPTABLES"]);
  });
});

describe("netfilter: elastic/integrations iptables test-iptables-raw.log", () => {
  const path = "fixtures/logs/netfilter/elastic-integrations/test-iptables-raw.log";
  interface Expected {
    line: number;
    "source.ip": string;
    "source.port"?: number;
    "destination.ip": string;
    "destination.port"?: number;
    "network.transport": string;
    "event.action"?: string;
    "iptables.icmp.type"?: number;
    "iptables.icmp.code"?: number;
  }
  const expected = fixtureJsonl<Expected>(`${path}-expected.fields.jsonl`);
  const lines = fixture(path).toString("utf8").split("\n");

  /**
   * Where we differ from Elastic on purpose. Line 4 is an ICMP destination-unreachable quoting a UDP
   * packet: an error about another flow, not a flow, so it is skipped ("icmp-error"). Line 16 is an
   * MLDv2 report (ICMPv6 type 143): link-local multicast housekeeping, skipped ("icmpv6-control").
   */
  const SKIPPED: Record<number, string> = { 4: "icmp-error", 16: "icmpv6-control" };
  /**
   * Actions Elastic leaves unset. Lines 15 and 22 have no prefix at all: unknown for us too. Lines 23-24
   * carry "[SOMETHING-1234-A]", an EdgeOS-style rule label ("-A" accept); Elastic only reads such a label
   * after "kernel:", and these lines lack the tag. The label is the same either way: we read it as allowed.
   */
  const ACTION_WITHOUT_ELASTIC: Record<number, EventJson["action"]> = { 15: "unknown", 22: "unknown", 23: "allowed", 24: "allowed" };

  it("covers every line of the file", () => {
    expect(expected.map((x) => x.line)).toEqual(lines.filter((l) => l !== "").map((_, i) => i + 1));
  });

  for (const x of expected) {
    it(`line ${x.line}: agrees with Elastic's ECS fields`, () => {
      const got = one(lines[x.line - 1]!);
      if (SKIPPED[x.line]) {
        expect(got.skipped).toBe(SKIPPED[x.line]);
        return;
      }
      const e = got.event!;
      expect(e).toBeDefined();
      expect(e.line).toBe(1);
      expect(e.src).toBe(canonicalIp(x["source.ip"]));
      expect(e.dst).toBe(canonicalIp(x["destination.ip"]));
      expect(e.srcPort).toBe(x["source.port"] ?? null);
      expect(e.dstPort).toBe(x["destination.port"] ?? null);
      expect(e.protocol).toBe(ecsTransport(x["network.transport"]));
      expect(e.icmpType).toBe(x["iptables.icmp.type"] ?? null);
      expect(e.icmpCode).toBe(x["iptables.icmp.code"] ?? null);
      const want = ecsAction(x["event.action"]) ?? ACTION_WITHOUT_ELASTIC[x.line];
      expect(want).toBeDefined();
      expect(e.action).toBe(want);
    });
  }

  it("reads the header forms: <PRI>RFC 3164, <PRI>ISO, bare ISO, a stamp without host, uptime stamps", () => {
    const run = decode(netfilter, fixture(path));
    const at = (line: number) => run.events.find((e) => e.line === line)!;
    // RFC 3164 carries no year: the year of "now" (2026-11-23), October not being in the future.
    expect(at(1).time).toBe("2026-10-10T07:25:12.000Z");
    expect(at(2).time).toBe("2021-03-12T14:10:18.000Z");
    expect(at(3).time).toBe("2021-03-12T14:10:18.000Z");
    expect(at(5).time).toBe("2026-01-08T03:37:09.000Z");
    expect([at(1).evidence, at(5).evidence, at(15).evidence, at(18).evidence]).toEqual([
      "[wan-lan-default-D]", "iptables DROP_INPUT:", "(no prefix)", "[WAN_OUT-2000-A]",
    ]);
    // "Jan  8 03:37:09 DENY: IN=" has no host: the single word is the prefix.
    expect(decode(netfilter, Buffer.from(`${lines[3]!.replace("TYPE=3", "TYPE=8")}\n`)).events[0]!.evidence).toBe("DENY:");
  });

  it("keeps the TCP flags the kernel printed (line 18: ACK PSH)", () => {
    const e = one(lines[17]!).event!;
    expect(e.tcpFlags).toBe("ACK,PSH");
  });

  it("accounts for every line: 22 used, one ICMP error, one MLD report", () => {
    const run = decode(netfilter, fixture(path));
    expect(run.stats).toMatchObject({ read: 24, used: 22, skipped: { "icmp-error": 1, "icmpv6-control": 1 } });
    expect(balanced(run.stats)).toBe(true);
  });
});

describe("netfilter: logstash-patterns-core SFW2 and Shorewall spec cases", () => {
  interface SpecCase {
    spec: string;
    message: string;
    expected_ecs_v1_subset: Record<string, unknown>[] | null;
  }
  const cases = fixtureJsonl<SpecCase>("fixtures/logs/netfilter/logstash-patterns-core/spec-patterns-cases.jsonl");

  /**
   * The spec asserts src/dst/ports/transport for cases 1, 2 and 5 only; for the others the expected tuple
   * is read off the message by hand. Actions: the spec keeps SuSEfirewall2's action word ("DROP-DEFLT",
   * "ACC-TCP") and Shorewall's disposition in the prefix; SFW2's "ACC" is accept.
   */
  const OURS: { src: string; dst: string; protocol: string; srcPort: number; dstPort: number; action: EventJson["action"] }[] = [
    { src: "24.64.208.134", dst: "216.58.112.55", protocol: "udp", srcPort: 24128, dstPort: 1026, action: "blocked" },
    { src: "192.168.0.101", dst: "192.168.0.100", protocol: "tcp", srcPort: 59282, dstPort: 631, action: "allowed" },
    { src: "202.175.181.4", dst: "64.238.136.187", protocol: "tcp", srcPort: 3360, dstPort: 3127, action: "blocked" },
    { src: "59.64.166.81", dst: "207.194.99.122", protocol: "tcp", srcPort: 24093, dstPort: 22, action: "allowed" },
    { src: "fe80::16da:e9ff:feec:a04d", dst: "ff02::fb", protocol: "udp", srcPort: 5353, dstPort: 5353, action: "allowed" },
    { src: "1.2.3.4", dst: "192.168.0.10", protocol: "udp", srcPort: 5353, dstPort: 5335, action: "blocked" },
    { src: "127.0.0.1", dst: "1.2.3.4", protocol: "tcp", srcPort: 59088, dstPort: 8080, action: "blocked" },
  ];

  it("has the seven cases", () => expect(cases).toHaveLength(OURS.length));

  cases.forEach((c, k) => {
    it(`case ${k + 1} (${c.spec}): ${c.message.slice(0, 60)}...`, () => {
      const e = one(c.message).event!;
      expect(e).toBeDefined();
      expect(tuple(e)).toEqual(OURS[k]);
      // Where the spec asserts ECS fields, they agree with the table above.
      const merged = Object.assign({}, ...(c.expected_ecs_v1_subset ?? [])) as {
        source?: { ip: string; port: number }; destination?: { ip: string; port: number }; network?: { transport: string };
      };
      if (merged.source) {
        expect(e.src).toBe(canonicalIp(merged.source.ip));
        expect(e.srcPort).toBe(merged.source.port);
        expect(e.dst).toBe(canonicalIp(merged.destination!.ip));
        expect(e.dstPort).toBe(merged.destination!.port);
        expect(e.protocol).toBe(ecsTransport(merged.network!.transport));
      }
    });
  });

  it("takes the Shorewall prefix glued to IN= with its colons as the evidence", () => {
    expect(one(cases[5]!.message).event!.evidence).toBe("Shorewall:FORWARD:REJECT:");
    expect(one(cases[6]!.message).event!.evidence).toBe("Shorewall:net2fw:DROP:");
  });
});

describe("netfilter: hand-made lines for forms the corpora lack", () => {
  const path = "fixtures/logs/netfilter/handmade/edge-cases.log";
  type Want = Partial<EventJson> | string;
  /** By line: the event fields we expect, or the skip reason. Formats follow nf_log_syslog.c. */
  const WANT: Record<number, Want> = {
    1: { src: "10.99.1.100", dstPort: 139, action: "blocked", evidence: "pmlab-kcps DROP", time: "2026-11-23T09:11:00.000Z" },
    2: { src: "203.0.113.5", dstPort: 22, action: "blocked", evidence: "[UFW BLOCK]", time: "2026-11-23T00:11:00.123Z" },
    3: { protocol: "udp", dstPort: 51820, action: "allowed", evidence: '[WAN_LOCAL-A-2000] DESCR="Allow WireGuard"' },
    4: { protocol: "udp", dstPort: 27016, action: "blocked" },
    5: { dstPort: 445, action: "blocked", evidence: "[GUEST_ALLOW-default-D]" },
    6: { dstPort: 3306, action: "blocked", evidence: "filter_IN_public_REJECT:" },
    7: "not-ip",
    8: "fragment",
    9: "incomplete",
    10: "icmp-error",
    11: "icmpv6-control",
    12: { protocol: "ip-proto-47", srcPort: null, dstPort: null, action: "unknown", evidence: "gre-in" },
    13: "not-netfilter",
    14: "blank",
    15: { tcpFlags: "ACK,FIN,PSH,URG", evidence: "(no prefix)", time: null, action: "unknown" },
    16: { src: "10.0.0.3", dst: "10.0.0.4", srcPort: 68, dstPort: 67, evidence: "bridge" },
    17: "bad-address",
    18: "missing-port",
    19: "bad-address",
    20: { dstPort: 631, action: "allowed", evidence: "SFW2-INext-ACC-TCP" },
    21: { protocol: "ip-proto-136", srcPort: 7, dstPort: 9 },
    22: { dstPort: 25, action: "blocked", evidence: "Firewall: *TCP_IN Blocked*" },
  };
  const lines = fixture(path).toString("utf8").split("\n").filter((_, i, a) => i < a.length - 1);

  it("has one expectation per line", () => expect(Object.keys(WANT).map(Number)).toEqual(lines.map((_, i) => i + 1)));

  lines.forEach((l, i) => {
    const want = WANT[i + 1]!;
    const name = typeof want === "string" ? `skips line ${i + 1} as "${want}"` : `reads line ${i + 1} (${String(want.evidence ?? want.protocol ?? want.src)})`;
    it(name, () => {
      const got = one(l);
      if (typeof want === "string") expect(got.skipped).toBe(want);
      else expect(got.event).toMatchObject(want);
    });
  });

  it("reads an RFC 5424 header with structured data holding an escaped bracket", () => {
    const e = one(lines[1]!).event!;
    expect(e.evidence).toBe("[UFW BLOCK]");
  });
});

describe("netfilter: the KCPS lab logs (made by a real kernel, rsyslog and journald)", () => {
  const FORMS = ["dmesg.log", "kern.log", "kern-rfc3339.log", "journal-short.log", "journal-short-monotonic.log"];
  interface Flow { id: string; src: string; dst: string; protocol: string; port: number | null; srcPort?: number; firewall: string }
  const flows = JSON.parse(fixture("fixtures/kcps/flows.json").toString("utf8")) as Flow[];
  const runs = new Map(FORMS.map((f) => [f, decode(netfilter, fixture(`fixtures/kcps/${f}`))]));
  const key = (e: EventJson) =>
    JSON.stringify([e.src, e.dst, e.protocol, e.srcPort, e.dstPort, e.icmpType, e.icmpCode, e.tcpFlags, e.action, e.evidence, e.line]);

  for (const f of FORMS) {
    it(`${f}: every line is a flow record, none skipped`, () => {
      const run = runs.get(f)!;
      const n = fixture(`fixtures/kcps/${f}`).toString("utf8").split("\n").filter((l) => l !== "").length;
      expect(n).toBeGreaterThan(0);
      expect(run.stats).toMatchObject({ read: n, used: n, skipped: {} });
      // The prefix the nft rules log with ("pmlab-kcps ACCEPT " etc.), and nothing of the syslog header.
      for (const e of run.events) expect(e.evidence).toMatch(/^pmlab-kcps (ACCEPT|DROP|REJECT)$/);
    });
  }

  it("all five forms decode to the same tuples, flags and actions", () => {
    const ref = runs.get("dmesg.log")!.events.map(key);
    for (const f of FORMS) expect(runs.get(f)!.events.map(key)).toEqual(ref);
  });

  it("maps each prefix word to its action", () => {
    const text = fixture("fixtures/kcps/dmesg.log").toString("utf8");
    const events = runs.get("dmesg.log")!.events;
    const count = (w: string) => text.split("\n").filter((l) => l.includes(`pmlab-kcps ${w} `)).length;
    expect(events.filter((e) => e.action === "allowed")).toHaveLength(count("ACCEPT"));
    expect(events.filter((e) => e.action === "blocked")).toHaveLength(count("DROP") + count("REJECT"));
  });

  it("finds every flow of flows.json, with the firewall's action, and nothing else", () => {
    const events = runs.get("kern.log")!.events;
    const matches = (fl: Flow, e: EventJson) =>
      e.src === canonicalIp(fl.src) && e.dst === canonicalIp(fl.dst) && e.protocol === fl.protocol &&
      (fl.protocol === "icmp" ? e.icmpType === 8 : e.dstPort === fl.port) &&
      (fl.srcPort === undefined || e.srcPort === fl.srcPort);
    for (const fl of flows) {
      const hits = events.filter((e) => matches(fl, e));
      expect(hits.length, fl.id).toBeGreaterThan(0);
      for (const e of hits) expect(e.action, fl.id).toBe(fl.firewall === "accept" ? "allowed" : "blocked");
    }
    for (const e of events) expect(flows.some((fl) => matches(fl, e)), JSON.stringify(e)).toBe(true);
  });

  it("prints the kernel's expanded IPv6 addresses in RFC 5952 form", () => {
    const v6 = runs.get("dmesg.log")!.events.filter((e) => e.src.includes(":"));
    expect(v6.length).toBeGreaterThan(0);
    for (const e of v6) expect([e.src, e.dst]).toEqual(["fd00:99:1::100", "fd00:99:2::10"]);
  });

  it("gives kern.log and kern-rfc3339.log the same stamps (one rsyslog message, two templates)", () => {
    const a = runs.get("kern.log")!.events.map((e) => e.time);
    const b = runs.get("kern-rfc3339.log")!.events.map((e) => (e.time === null ? null : new Date(Math.floor(Date.parse(e.time) / 1000) * 1000).toISOString()));
    expect(a.every((t) => t !== null && t.startsWith("2026-11-23T"))).toBe(true);
    expect(a).toEqual(b);
    // dmesg and short-monotonic stamps are seconds since boot: no wall-clock time.
    expect(runs.get("dmesg.log")!.events.every((e) => e.time === null)).toBe(true);
    expect(runs.get("journal-short-monotonic.log")!.events.every((e) => e.time === null)).toBe(true);
  });
});

describe("netfilter: accounting and chunk boundaries", () => {
  const FILES = [
    "fixtures/logs/netfilter/elastic-integrations/test-iptables-raw.log",
    "fixtures/logs/netfilter/handmade/edge-cases.log",
    "fixtures/kcps/dmesg.log",
    "fixtures/kcps/kern.log",
    "fixtures/kcps/kern-rfc3339.log",
    "fixtures/kcps/journal-short.log",
    "fixtures/kcps/journal-short-monotonic.log",
  ];
  for (const f of FILES) {
    it(`${f}: same events and stats whole, cut at 1, 2, 3, 7, 64, 1000 bytes, with CRLF and without the last newline`, () => {
      const base = decode(netfilter, fixture(f));
      expect(balanced(base.stats)).toBe(true);
      for (const v of lineEndingVariants(fixture(f))) {
        const { whole, mismatches } = decodeAtEveryChunkSize(netfilter, v.data);
        expect(mismatches, v.name).toEqual([]);
        expect(whole.events, v.name).toEqual(base.events);
        expect(whole.stats, v.name).toEqual(base.stats);
      }
    });
  }
});

describe("netfilter: lines of other formats are never flows", () => {
  it("skips every Windows Firewall line as not-netfilter (blank lines as blank)", () => {
    for (const f of [
      "fixtures/logs/windows-firewall/plaso/firewall.log",
      "fixtures/logs/windows-firewall/ossec-docs/windows_firewall.rst.samples.log",
      "fixtures/logs/windows-firewall/azure-docs/pfirewall-azure-stack-edge.log",
    ]) {
      const data = fixture(f);
      const lines = data.toString("utf8").split("\n");
      const blank = lines.filter((l, i) => l.trim() === "" && i < lines.length - 1).length;
      const run = decode(netfilter, data);
      expect(run.events, f).toEqual([]);
      expect(run.stats.skipped, f).toEqual(blank > 0 ? { blank, "not-netfilter": run.stats.read - blank } : { "not-netfilter": run.stats.read });
    }
  });

  it("reads none of 382 messages of 15 other firewall and flow-log products (SEKOIA cases) as a flow", () => {
    const msgs = fixtureJsonl<{ case: string; message: string }>("fixtures/logs/other-formats/sekoia-intake-formats/messages.jsonl");
    expect(msgs).toHaveLength(382);
    const run = decode(netfilter, Buffer.from(msgs.map((m) => m.message).join("\n")));
    expect(run.events).toEqual([]);
    expect(balanced(run.stats)).toBe(true);
    expect(Object.keys(run.stats.skipped).sort()).toEqual(["blank", "not-netfilter"].filter((k) => run.stats.skipped[k]));
  });

  it("reads no pfSense filterlog, Cisco ASA or Zeek line as a flow", () => {
    for (const f of [
      "fixtures/logs/other-formats/elastic-integrations/test-pfsense-bsd.log",
      "fixtures/logs/other-formats/elastic-integrations/test-sample.log",
      "fixtures/logs/other-formats/zeek/Files.zeek-cut-logs.conn.log",
    ]) {
      const run = decode(netfilter, fixture(f));
      expect(run.events, f).toEqual([]);
      expect(run.stats.used, f).toBe(0);
      expect(Object.keys(run.stats.skipped).every((k) => k === "not-netfilter" || k === "blank"), f).toBe(true);
    }
  });

  it("and the Windows Firewall decoder reads no netfilter line", () => {
    const run = decode(() => createWindowsFirewallDecoder(options()), fixture("fixtures/kcps/kern.log"));
    expect(run.events).toEqual([]);
    expect(run.stats.skipped).toEqual({ "not-windows-firewall": run.stats.read });
  });
});

describe("netfilter: prefix words", () => {
  it.each([
    ["[UFW BLOCK]", ACTION_BLOCKED],
    ["[UFW ALLOW]", ACTION_ALLOWED],
    ["[UFW LIMIT BLOCK]", ACTION_BLOCKED],
    ["[UFW AUDIT]", ACTION_UNKNOWN],
    ["[wan-lan-default-D]", ACTION_BLOCKED],
    ["[LAN_LOCAL-default-A]", ACTION_ALLOWED],
    ["[WAN_OUT-2000-A]", ACTION_ALLOWED],
    ["[WAN_IN-10-R]", ACTION_BLOCKED],
    ["[SOMETHING-1234-A]", ACTION_ALLOWED],
    ["[WAN_LOCAL-D-2147483647] DESCR=\"[WAN_LOCAL]Block All Traffic\"", ACTION_BLOCKED],
    ["[LAN_DMZ-A-10000] DESCR=\"Internal_to_MediaServer\"", ACTION_ALLOWED],
    ["[BLOCKLIST_IN-20-A]", ACTION_ALLOWED],
    ["SFW2-INext-ACC-TCP", ACTION_ALLOWED],
    ["SFW2-INext-DROP-DEFLT", ACTION_BLOCKED],
    ["ACCESS-LOG", ACTION_UNKNOWN],
    ["DISALLOWED", ACTION_BLOCKED],
    ["DA->FEDERATEUR ACCEPT", ACTION_ALLOWED],
    ["INPUT DFLT DROP", ACTION_BLOCKED],
    ["iptables DROP_INPUT:", ACTION_BLOCKED],
    ["IPTABLES", ACTION_UNKNOWN],
    ["", ACTION_UNKNOWN],
  ])("%s", (prefix, action) => {
    expect(actionFromPrefix(prefix)).toBe(action);
  });

  /**
   * A prefix naming both a block word and an allow word is read as blocked, wherever each stands:
   * block words name verdicts, while allow words also name lists and conditions ("ALLOWLIST-DROP",
   * "DROP-UNLESS-PERMITTED"). The evidence keeps the prefix, and --action-map says otherwise.
   */
  it.each([
    ["ALLOWLIST-DROP"],
    ["DROP-UNLESS-PERMITTED"],
    ["FW ACCEPT then REJECT"],
    ["[UFW ALLOW] BLOCK"],
    ["pass_or_deny"],
  ])("%s: an allow word and a block word in one prefix read as blocked", (prefix) => {
    expect(actionFromPrefix(prefix)).toBe(ACTION_BLOCKED);
    const line = `Nov 23 09:11:01 fw kernel: ${prefix} IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 PROTO=TCP SPT=50000 DPT=445 WINDOW=1 SYN URGP=0`;
    const { event } = one(line);
    expect(event?.action, line).toBe("blocked");
    expect(event?.evidence).toBe(prefix);
    const mapped = decode(() => createNetfilterDecoder(options({ actionMap: [{ match: prefix, action: ACTION_ALLOWED }] })), Buffer.from(line + "\n"));
    expect(mapped.events[0]!.action).toBe("allowed");
  });

  it("tries the user's own map first", () => {
    expect(actionFromPrefix("FW-IN", [{ match: "fw-in", action: ACTION_BLOCKED }])).toBe(ACTION_BLOCKED);
    const run = decode(() => createNetfilterDecoder(options({ actionMap: [{ match: "IPTABLES", action: ACTION_ALLOWED }] })),
      Buffer.from("IPTABLES IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 PROTO=UDP SPT=1 DPT=2 LEN=20\n"));
    expect(run.events[0]!.action).toBe("allowed");
  });
});

describe("netfilter: ICMP without a TYPE field", () => {
  const base = "DROP IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=ICMP";
  it("reads an ICMP line that names no type as an ICMP flow of unknown type", () => {
    const e = one(base).event!;
    expect([e.protocol, e.icmpType, e.icmpCode, e.action]).toEqual(["icmp", null, null, "blocked"]);
  });
  it("still skips a later fragment and a packet cut before its ICMP header", () => {
    expect(one(`${base.replace("ID=1", "ID=1 MF FRAG:185")}`).skipped).toBe("fragment");
    expect(one(`${base} INCOMPLETE [8 bytes]`).skipped).toBe("incomplete");
  });
});
