import { describe, it, expect } from "vitest";
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN } from "../../../src/decode/batch.js";
import { gcpFormat, JsonCollector, MAX_JSON_DOCUMENT } from "../../../src/decode/log/gcp.js";
import { createTextDecoder, type ParseContext, type ParseResult } from "../../../src/decode/log/text-format.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import { balanced, decode, decodeAtEveryChunkSize, ecsTransport, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const make = () => createTextDecoder(gcpFormat, options());
const newCtx = (): ParseContext => ({ opts: options(), lineNo: 1, state: {} });
const parse = (line: string, ctx = newCtx()): ParseResult => gcpFormat.parse(line, ctx);

const ELASTIC = "fixtures/logs/gcp-firewall/elastic-integrations/test-firewall.log.first3";
const GCLOUD = "fixtures/logs/gcp-firewall/handmade/gcloud-logging-read.json";
const SEKOIA = "fixtures/logs/gcp-vpc-flow/sekoia-intake-formats/flow_logs_gke.json";
const FLOWS = "fixtures/logs/gcp-vpc-flow/handmade/vpc-flows.jsonl";
const FILES = [ELASTIC, GCLOUD, FLOWS];

const entry = (payload: object, log = "compute.googleapis.com%2Ffirewall") =>
  JSON.stringify({ jsonPayload: payload, logName: `projects/p/logs/${log}`, timestamp: "2026-11-23T09:12:01.5Z" });

describe("gcp: one log entry", () => {
  it("reads a firewall rule log: connection 5-tuple, disposition, rule reference, timestamp", () => {
    const r = parse(entry({ connection: { src_ip: "198.51.100.20", src_port: 50514, dest_ip: "10.128.0.5", dest_port: 22, protocol: 6 }, disposition: "ALLOWED", rule_details: { reference: "network:n/firewall:allow-ssh" } }));
    expect(r).toEqual({ src: "198.51.100.20", dst: "10.128.0.5", sport: 50514, dport: 22, proto: 6, action: ACTION_ALLOWED, label: "ALLOWED network:n/firewall:allow-ssh", time: Date.UTC(2026, 10, 23, 9, 12, 1, 500) });
  });

  it("reads DENIED as blocked and an unknown disposition as unknown", () => {
    const conn = { src_ip: "10.128.0.5", src_port: 1, dest_ip: "192.0.2.53", dest_port: 53, protocol: 17 };
    expect(parse(entry({ connection: conn, disposition: "DENIED" }))).toEqual(expect.objectContaining({ action: ACTION_BLOCKED }));
    expect(parse(entry({ connection: conn, disposition: "INTERCEPTED" }))).toEqual(expect.objectContaining({ action: ACTION_UNKNOWN }));
  });

  it("reads a VPC flow record with the action unknown (a flow log records traffic seen, not a decision), start_time first", () => {
    const r = parse(entry({ connection: { src_ip: "2001:db8::5", src_port: 51000, dest_ip: "2001:db8::9", dest_port: 443, protocol: 6 }, reporter: "DEST", start_time: "2026-11-23T09:12:00Z" }, "compute.googleapis.com%2Fvpc_flows"));
    expect(r).toEqual(expect.objectContaining({ src: "2001:db8::5", action: ACTION_UNKNOWN, label: "vpc flow, reported by DEST", time: Date.UTC(2026, 10, 23, 9, 12, 0) }));
  });

  it("skips other log entries as not-traffic:<log>, and JSON that is no log entry", () => {
    expect(parse(JSON.stringify({ protoPayload: {}, logName: "projects/p/logs/cloudaudit.googleapis.com%2Factivity" }))).toEqual({ skip: "not-traffic:activity" });
    expect(parse('{"a":1}')).toEqual({ skip: "not-gcp" });
    expect(parse("not json")).toEqual({ skip: "not-json" });
  });

  it("reads each element of a one-line array", () => {
    const one = JSON.parse(entry({ connection: { src_ip: "192.0.2.1", src_port: 1, dest_ip: "192.0.2.2", dest_port: 80, protocol: 6 }, disposition: "ALLOWED" })) as object;
    const r = parse(JSON.stringify([one, one, { a: 1 }]));
    // Each element is counted: two flows and one skipped element, none dropped.
    expect(r).toEqual([expect.objectContaining({ src: "192.0.2.1" }), expect.objectContaining({ src: "192.0.2.1" }), { skip: "not-gcp" }]);
  });
});

describe("gcp: JsonCollector", () => {
  it("hands back a compact document from its own line", () => {
    expect(new JsonCollector().feed('{"a":"}{[","b":[1,2]}')).toEqual({ values: ['{"a":"}{[","b":[1,2]}'] });
  });

  it("hands back each element of a pretty-printed array as it closes", () => {
    const c = new JsonCollector();
    const lines = JSON.stringify([{ a: 1 }, { b: { c: 2 } }], null, 2).split("\n");
    const got = lines.map((l) => c.feed(l));
    const values = got.flatMap((g) => ("values" in g ? g.values : []));
    expect(values.map((v) => JSON.parse(v) as unknown)).toEqual([{ a: 1 }, { b: { c: 2 } }]);
    expect(c.open).toBe(false);
  });

  it("gives up a document cut short when a new one starts at the first column", () => {
    const c = new JsonCollector();
    expect(c.feed('{"a":{"b":1,')).toEqual({ values: [] });
    expect(c.open).toBe(true);
    expect(c.feed('{"c":2}')).toEqual({ values: ['{"c":2}'] });
  });

  it("reports a line ending inside a string, a stray closing bracket and text outside JSON", () => {
    expect(new JsonCollector().feed('{"a":"b')).toEqual({ error: "bad-json" });
    expect(new JsonCollector().feed("}")).toEqual({ error: "bad-json" });
    expect(new JsonCollector().feed("hello")).toEqual({ error: "not-json" });
  });

  it("drops a document larger than MAX_JSON_DOCUMENT", () => {
    const c = new JsonCollector();
    c.feed("{");
    const line = `"x": "${"a".repeat(1 << 20)}",`;
    let error: string | undefined;
    for (let i = 0; i < MAX_JSON_DOCUMENT / line.length + 2 && error === undefined; i++) {
      const r = c.feed(line);
      if ("error" in r) error = r.error;
    }
    expect(error).toBe("json-too-long");
    expect(c.open).toBe(false);
  });
});

describe("gcp: Elastic's firewall test log and SEKOIA's VPC flow case", () => {
  const run = decode(make, fixture(ELASTIC));
  const expected = fixtureJsonl<{ line: number; "source.ip": string; "source.port": number; "destination.ip": string; "destination.port": number; "network.transport": string; "gcp.firewall.rule_details.action": string }>(`${ELASTIC}-expected.fields.jsonl`);
  for (const x of expected) {
    it(`line ${x.line} agrees with Elastic`, () => {
      const ev = run.events.filter((e) => e.line === x.line);
      expect(ev.map((e) => [e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.action]))
        .toEqual([[x["source.ip"], x["source.port"], x["destination.ip"], x["destination.port"], ecsTransport(x["network.transport"]), x["gcp.firewall.rule_details.action"] === "DENY" ? "blocked" : "allowed"]]);
    });
  }

  it("flow_logs_gke.json (a LogEntry pretty-printed over 51 lines) agrees with SEKOIA", () => {
    const c = JSON.parse(fixture(SEKOIA).toString("utf8")) as { input: { message: string }; expected: { source: { ip: string; port: number }; destination: { ip: string; port: number } } };
    const r = decode(make, Buffer.from(c.input.message));
    expect(r.events.map((e) => [e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.action, e.line]))
      .toEqual([[c.expected.source.ip, c.expected.source.port, c.expected.destination.ip, c.expected.destination.port, "tcp", "unknown", 51]]);
    expect(r.stats).toMatchObject({ read: 51, used: 1, skipped: { "json-part": 50 } });
  });
});

describe("gcp: hand-made exports", () => {
  it("gcloud-logging-read.json: a pretty-printed array, each entry read where it closes", () => {
    const r = decode(make, fixture(GCLOUD));
    expect(r.events.map((e) => [e.line, e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.action, e.evidence, e.time])).toEqual([
      [53, "198.51.100.20", 50514, "10.128.0.5", 22, "tcp", "allowed", "ALLOWED network:example-net/firewall:allow-ssh", "2026-11-23T09:12:01.123Z"],
      [91, "2001:db8:5::5", 41000, "2001:db8::53", 53, "udp", "blocked", "DENIED network:example-net/firewall:deny-egress-dns", "2026-11-23T09:12:02.000Z"],
    ]);
    expect(r.stats).toMatchObject({ read: 101, used: 2, skipped: { "json-part": 98, "not-traffic:activity": 1 } });
  });

  it("vpc-flows.jsonl: flows from both reporters, ICMP without a type (type unknown), another log, and an entry cut short", () => {
    const r = decode(make, fixture(FLOWS));
    expect(r.events.map((e) => [e.line, e.src, e.dst, e.dstPort, e.action, e.evidence])).toEqual([
      [1, "10.128.0.5", "10.128.0.9", 5432, "unknown", "vpc flow, reported by SRC"],
      [2, "10.128.0.5", "10.128.0.9", 5432, "unknown", "vpc flow, reported by DEST"],
      [3, "10.128.0.5", "8.8.8.8", null, "unknown", "vpc flow, reported by SRC"],
      [4, "2001:db8::5", "2001:db8::9", 443, "unknown", "vpc flow, reported by DEST"],
      [7, "10.128.0.5", "10.128.0.9", 5432, "unknown", "vpc flow, reported by SRC"],
    ]);
    expect(r.stats.skipped).toEqual({ "json-part": 1, "not-traffic:syslog": 1 });
  });
});

describe("gcp: files", () => {
  for (const f of [...FILES]) {
    it(`${f.split("/").slice(-2).join("/")}: the same events and accounting at every chunk size and line ending`, () => {
      const { whole, mismatches } = decodeAtEveryChunkSize(make, fixture(f));
      expect(mismatches).toEqual([]);
      expect(whole.error).toBeUndefined();
      expect(balanced(whole.stats)).toBe(true);
      for (const v of lineEndingVariants(fixture(f))) expect(decode(make, v.data).events, v.name).toEqual(whole.events);
    });

    it(`${f.split("/").slice(-2).join("/")}: is detected as gcp`, () => {
      expect(detectFormat(fixture(f))).toBe("gcp");
    });
  }

  it("SEKOIA's pretty-printed VPC flow entry is detected as gcp", () => {
    const c = JSON.parse(fixture(SEKOIA).toString("utf8")) as { input: { message: string } };
    expect(detectFormat(Buffer.from(c.input.message))).toBe("gcp");
  });

  it("reads none of the other products' SEKOIA messages, Azure or AWS records as a flow", () => {
    const msgs = fixtureJsonl<{ case: string; message: string }>("fixtures/logs/other-formats/sekoia-intake-formats/messages.jsonl");
    for (const m of msgs.filter((x) => !x.case.startsWith("gcp-vpc-flow/"))) expect(decode(make, Buffer.from(m.message)).events, m.case).toEqual([]);
    for (const f of ["fixtures/logs/azure-nsg-flow/azure-docs/vnet-flow-log.pretty.json", "fixtures/logs/aws-vpc-flow/handmade/json-records.jsonl", "fixtures/logs/zeek-conn/handmade/conn-states.json"]) {
      expect(decode(make, fixture(f)).events, f).toEqual([]);
    }
  });
});
