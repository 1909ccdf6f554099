import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { createTextDecoder } from "../../../src/decode/log/text-format.js";
import { checkpointAction, checkpointFormat } from "../../../src/decode/log/checkpoint.js";
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN } from "../../../src/decode/batch.js";
import type { EventJson } from "../../../src/pipeline/events.js";
import { balanced, decode, decodeAtEveryChunkSize, fixture, fixtureJsonl, flowOf, lineEndingVariants, options } from "./helpers.js";

const cp = () => createTextDecoder(checkpointFormat, options());
const DIR = "fixtures/logs/checkpoint/sekoia-intake-formats/";
const ELASTIC = "fixtures/logs/checkpoint/elastic-integrations/test-packet-drop.log.first3";
const OSSEC = "fixtures/logs/checkpoint/ossec-docs/firewalls_checkpoint.rst.samples.log";
const WAZUH = "fixtures/logs/checkpoint/wazuh-ruleset/checkpoint_smart1.ini.cases.jsonl";

/** One record (maybe several lines) through a fresh decoder: its events and the skip reasons. */
function run(text: string): { events: EventJson[]; event?: EventJson; skipped?: string; reasons: string[] } {
  const r = decode(cp, Buffer.from(`${text.replace(/\n+$/, "")}\n`));
  expect(r.error).toBeUndefined();
  expect(balanced(r.stats)).toBe(true);
  const reasons = Object.keys(r.stats.skipped);
  const out: { events: EventJson[]; event?: EventJson; skipped?: string; reasons: string[] } = { events: r.events, reasons };
  if (r.events.length > 0) out.event = r.events[0]!;
  if (reasons.length > 0) out.skipped = reasons[0]!;
  return out;
}

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

describe("checkpoint: SEKOIA-IO intake-formats Check Point cases", () => {
  const ACTIONS: Record<string, "allowed" | "blocked" | "unknown"> = {
    accept: "allowed", allow: "allowed", decrypt: "allowed", "https bypass": "allowed", drop: "blocked", reject: "blocked", redirect: "unknown",
  };
  const TRAFFIC = [
    "CEF.json", "CEF_accept.json", "CEF_allow.json", "CEF_drop_1.json", "CEF_https_bypass.json", "CEF_reject.json", "CEF_tcp_accept.json",
    "Generic_icmp_decrypt.json", "Generic_tcp_allow.json", "Syslog.json", "Syslog_nat.json",
  ];
  for (const f of TRAFFIC) {
    it(`reads ${f} with SEKOIA's tuple and an action from Check Point's action word`, () => {
      const c = sekoia(f);
      const e = run(c.input.message).event!;
      expect(e.src).toBe(c.expected.source?.ip);
      expect(e.dst).toBe(c.expected.destination?.ip);
      expect(e.protocol).toBe(c.expected.network?.transport);
      if (e.protocol === "icmp") expect([e.icmpType, e.icmpCode]).toEqual([8, 0]);
      else {
        expect(e.srcPort).toBe(c.expected.source?.port);
        expect(e.dstPort).toBe(c.expected.destination?.port);
      }
      const word = c.expected.action!.name!;
      expect(e.evidence?.toLowerCase()).toBe(word);
      expect(e.action).toBe(ACTIONS[word]);
    });
  }

  const SKIPPED: Record<string, string> = {
    "CEF_proxy_src.json": "not-traffic:threat",
    "CEF_syslog.json": "not-traffic:threat",
    "Syslog_key.json": "not-traffic:vpn",
    // Hard-wrapped too; its first line has no addresses, the others are no records of their own.
    "CEF_ApplicationControl.json": "not-traffic:no-addresses",
  };
  for (const [f, reason] of Object.entries(SKIPPED)) {
    it(`skips ${f} as ${reason}`, () => {
      const { events, reasons } = run(sekoia(f).input.message);
      expect(events).toEqual([]);
      expect(reasons).toContain(reason);
    });
  }

  // Hard-wrapped pastes: line breaks inside values split each record's fields over several lines.
  const WRAPPED = ["CEF_cs2_2_times.json", "CEF_decrypt.json", "CEF_network_protocol.json", "CEF_user_agent.json"];
  for (const f of WRAPPED) {
    it(`reads no flow from any line of the hard-wrapped case ${f}`, () => {
      const msg = sekoia(f).input.message;
      expect(msg.split("\n").length).toBeGreaterThan(3);
      const { events, reasons } = run(msg);
      expect(events).toEqual([]);
      expect(reasons).toContain("not-checkpoint");
    });
  }

  it("copies every case of the corpus folder and covers each one above", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
    expect(files).toEqual([...TRAFFIC, ...Object.keys(SKIPPED), ...WRAPPED].sort());
  });

  it("messages.log is the cases' messages in file-name order", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();
    expect(fixture(DIR + "messages.log").toString("utf8")).toBe(files.map((f) => sekoia(f).input.message.replace(/\n+$/, "")).join("\n") + "\n");
  });
});

describe("checkpoint: Elastic's 'matched optimized drop' records", () => {
  interface Packet { "source.ip": string; "source.port": number; "destination.ip": string; "destination.port": number; "network.iana_number": string }
  const expected = fixtureJsonl<{ line: number; "checkpoint.packets_dropped": Packet[] }>(`${ELASTIC}-expected.fields.jsonl`);
  const r = decode(cp, fixture(ELASTIC));

  it("reads every line, one flow per packet listed", () => {
    expect(r.stats).toMatchObject({ read: 3, used: 3, skipped: {} });
    expect(r.events).toHaveLength(expected.reduce((n, x) => n + x["checkpoint.packets_dropped"].length, 0));
  });

  for (const x of expected) {
    it(`line ${x.line}: the blocked flows are Elastic's packets_dropped, in order`, () => {
      const got = r.events.filter((e) => e.line === x.line).map((e) => [e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.action, e.evidence]);
      const want = x["checkpoint.packets_dropped"].map((p) => [p["source.ip"], p["source.port"], p["destination.ip"], p["destination.port"], p["network.iana_number"] === "6" ? "tcp" : "udp", "blocked", "Drop"]);
      expect(got).toEqual(want);
    });
  }

  it("takes the record's time:\"epoch\" field", () => {
    expect(r.events.find((e) => e.line === 2)!.time).toBe("2025-01-21T09:37:10.000Z");
  });
});

describe("checkpoint: FireWall-1 syslog (ossec-docs samples)", () => {
  const text = fixture(OSSEC).toString("utf8");
  const r = decode(cp, fixture(OSSEC));

  it("reads 268 of 275 lines; 7 DHCP broadcast drops name no source and are skipped", () => {
    expect(r.stats).toMatchObject({ read: 275, used: 268, skipped: { "missing-address": 7 } });
    expect(text.split("\n").filter((l) => / drop .*dst: 255\.255\.255\.255; proto: udp;.* service: 67; s_port: 68;/.test(l) && !l.includes("src: "))).toHaveLength(7);
    for (const s of r.stats.samples) expect(s.text).toMatch(/ drop +\S+ >eth\d+ rule: \d+; rule_uid: \{[^}]+\}; dst: 255\.255\.255\.255; proto: udp;/);
  });

  /** An independent reading of the line's "key: value;" pairs: the line is the oracle. */
  function reference(line: string) {
    const v = (k: string) => new RegExp(`(?:^|; |> ?\\S+ )${k}: ([^;]+);`).exec(line)?.[1];
    const action = / (accept|drop|reject) +\S+ [<>]/.exec(line)![1]!;
    const proto = v("proto")!;
    const icmp = proto === "icmp";
    return {
      src: v("src"), dst: v("dst"), protocol: proto,
      srcPort: icmp ? null : Number(v("s_port")), dstPort: icmp ? null : Number(v("service")),
      icmpType: icmp ? Number(v("ICMP Type")) : null, action: action === "accept" ? "allowed" : "blocked", evidence: action,
    };
  }

  it("reads each line as its own key: value pairs say", () => {
    const lines = text.split("\n");
    for (const e of r.events) {
      const line = lines[e.line! - 1]!;
      expect({ ...tuple(e), icmpType: e.icmpType }, line).toEqual(reference(line));
    }
  });

  it("reads the gateway's date and time (3Sep2007 15:10:28) as UTC", () => {
    expect(r.events.find((e) => e.line === 2)!.time).toBe("2007-09-03T15:10:28.000Z");
  });
});

describe("checkpoint: Log Exporter syslog (Wazuh's Smart-1 cases)", () => {
  const cases = fixtureJsonl<{ section: string; line: string }>(WAZUH);
  const bySection = (s: string) => cases.find((c) => c.section.includes(s))!.line;

  it("reads a Drop record", () => {
    const e = run(bySection("Drop:")).event!;
    expect(tuple(e)).toEqual({ src: "11.22.33.77", dst: "11.22.33.55", protocol: "udp", srcPort: 55036, dstPort: 1514, action: "blocked", evidence: "Drop" });
    expect(e.time).toBe("2019-05-15T16:25:50.000Z");
  });

  it("reads a Decrypt record (a VPN connection let through)", () => {
    expect(tuple(run(bySection("Decrypt:")).event!)).toEqual({ src: "11.22.33.88", dst: "11.22.33.55", protocol: "tcp", srcPort: 55226, dstPort: 51262, action: "allowed", evidence: "Decrypt" });
  });

  for (const [section, reason] of [
    ["Reject:", "not-traffic:vpn"], ["Key Install:", "not-traffic:vpn"], ["Login:", "not-traffic:auth"], ["Authorize:", "not-traffic:auth"],
    ["Detect:", "not-traffic:threat"], ["Quarantine:", "not-traffic:threat"],
  ] as const) {
    it(`skips the ${section.slice(0, -1)} record as ${reason}`, () => {
      expect(checkpointFormat.sniff(bySection(section))).toBe(true);
      expect(run(bySection(section)).skipped).toBe(reason);
    });
  }

  it("reads no flow from any of the cases but Drop and Decrypt", () => {
    const withFlows = cases.filter((c) => run(c.line).events.length > 0).map((c) => c.section.split(":")[1]!.trim());
    expect(withFlows).toEqual(["Drop", "Decrypt"]);
  });
});

describe("checkpoint: other encodings and edge cases", () => {
  const EXPORTER = '<134>1 2025-02-01T10:00:00Z gw CheckPoint 16953 - [action:"Accept"; ifdir:"inbound"; origin:"192.0.2.1"; time:"1738404000"; product:"VPN-1 & FireWall-1"; src:"2001:db8::10"; dst:"2001:db8::20"; proto:"58"; icmp_type:"128"; icmp_code:"0"; rule_name:"ping \\"in\\""; ]';

  it("reads IPv6 and ICMPv6 from a Log Exporter record", () => {
    const e = run(EXPORTER).event!;
    expect([e.src, e.dst, e.protocol, e.icmpType, e.icmpCode, e.action, e.time]).toEqual(["2001:db8::10", "2001:db8::20", "icmpv6", 128, 0, "allowed", "2025-02-01T10:00:00.000Z"]);
  });

  it("reads the LEEF encoding", () => {
    const leef = "LEEF:2.0|Check Point|VPN-1 & FireWall-1|1.0|Drop|^|src=198.51.100.4^dst=192.0.2.8^srcPort=40000^dstPort=22^proto=6^product=VPN-1 & FireWall-1";
    expect(checkpointFormat.sniff(leef)).toBe(true);
    expect(tuple(run(leef).event!)).toEqual({ src: "198.51.100.4", dst: "192.0.2.8", protocol: "tcp", srcPort: 40000, dstPort: 22, action: "blocked", evidence: "Drop" });
  });

  it("maps the action words per the Logging and Monitoring guide", () => {
    for (const w of ["Accept", "Allow", "Encrypt", "Decrypt", "Bypass", "HTTPS Bypass"]) expect(checkpointAction(w), w).toBe(ACTION_ALLOWED);
    for (const w of ["Drop", "Reject", "Block"]) expect(checkpointAction(w), w).toBe(ACTION_BLOCKED);
    for (const w of ["Redirect", "Ask User", "Inform"]) expect(checkpointAction(w), w).toBe(ACTION_UNKNOWN);
  });

  it("skips corrupted records with a reason", () => {
    expect(run("CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log").skipped).toBe("truncated-header");
    expect(run(EXPORTER.replace(' proto:"58";', "")).skipped).toBe("missing-protocol");
    expect(run(EXPORTER.replace('src:"2001:db8::10"', 'src:"2001:db8::10::1"')).skipped).toBe("bad-address");
    expect(run(EXPORTER.replace('src:"2001:db8::10"', 'src:"192.0.2.10"')).skipped).toBe("mixed-address-families");
  });
});

describe("checkpoint: cut at every chunk size", () => {
  for (const file of [DIR + "messages.log", ELASTIC, OSSEC]) {
    it(`decodes ${file.split("/").slice(-2).join("/")} the same at chunk sizes 1, 2, 3, 7, 64, 1000 and whole`, () => {
      const { whole, mismatches } = decodeAtEveryChunkSize(cp, fixture(file));
      expect(mismatches).toEqual([]);
      expect(whole.stats.used).toBeGreaterThan(0);
      expect(balanced(whole.stats)).toBe(true);
    });

    it(`decodes ${file.split("/").slice(-2).join("/")} the same with CRLF endings and without a final newline`, () => {
      const base = decode(cp, fixture(file)).events;
      for (const v of lineEndingVariants(fixture(file))) expect(decode(cp, v.data).events, v.name).toEqual(base);
    });
  }
});
