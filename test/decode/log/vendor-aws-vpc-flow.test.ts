import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { ACTION_ALLOWED, ACTION_BLOCKED } from "../../../src/decode/batch.js";
import { awsVpcFlowFormat } from "../../../src/decode/log/aws-vpc-flow.js";
import { createTextDecoder, type FlowFields, type ParseContext, type ParseResult } from "../../../src/decode/log/text-format.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import { balanced, canonicalIp, decode, decodeAtEveryChunkSize, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const make = () => createTextDecoder(awsVpcFlowFormat, options());
const newCtx = (): ParseContext => ({ opts: options(), lineNo: 1, state: {} });
const parse = (line: string, ctx = newCtx()): ParseResult => awsVpcFlowFormat.parse(line, ctx);
const flow = (line: string, ctx = newCtx()): FlowFields => {
  const r = parse(line, ctx);
  if (Array.isArray(r) || "skip" in r) throw new Error(`no single flow: ${JSON.stringify(r)}`);
  return r;
};

const DIR = "fixtures/logs/aws-vpc-flow";
const DOC_JSONL = `${DIR}/awsdocs/flow-logs-records-examples.jsonl`;
const DOC_LOG = `${DIR}/awsdocs/flow-logs-records-examples.log`;
const SEKOIA = readdirSync(`${DIR}/sekoia-intake-formats`).filter((f) => f.endsWith(".json")).sort();
const FILES = [DOC_LOG, `${DIR}/awsdocs/default-format-no-header.log`, `${DIR}/handmade/edge-cases.log`, `${DIR}/handmade/json-records.jsonl`];

describe("aws-vpc-flow: one record", () => {
  it("reads the default (version 2) layout: tuple, ACCEPT, start time", () => {
    const f = flow("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK");
    expect(f).toMatchObject({ src: "172.31.16.139", dst: "172.31.16.21", sport: 20641, dport: 22, proto: 6, action: ACTION_ALLOWED, label: "ACCEPT", time: 1418530010000 });
  });

  it("reads REJECT as blocked, and an IPv6 record", () => {
    expect(flow("2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK").action).toBe(ACTION_BLOCKED);
    expect(flow("2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK"))
      .toMatchObject({ src: "2001:db8:1234:a100:8d6e:3477:df66:f105", dport: 22 });
  });

  it("skips NODATA and SKIPDATA rows with their own reasons", () => {
    expect(parse("2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA")).toEqual({ skip: "nodata" });
    expect(parse("2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA")).toEqual({ skip: "skipdata" });
  });

  it("passes ICMP on with no type: AWS logs ports 0 0 and no ICMP type (the frame reads it as type unknown)", () => {
    const f = flow("2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK");
    expect(f).toMatchObject({ proto: 1, action: ACTION_ALLOWED });
    expect(f.icmpType).toBeUndefined();
  });

  it("takes a line of field names as the layout of the lines after it, also as a ${...} format string", () => {
    const ctx = newCtx();
    expect(parse("version srcaddr dstaddr srcport dstport protocol action log-status", ctx)).toEqual({ skip: "header" });
    expect(flow("3 192.0.2.1 192.0.2.2 1000 80 6 REJECT OK", ctx)).toMatchObject({ src: "192.0.2.1", dport: 80, action: ACTION_BLOCKED });
    expect(parse("${srcport} ${srcaddr} ${dstaddr} ${dstport} ${protocol} ${action}", ctx)).toEqual({ skip: "header" });
    expect(flow("1000 192.0.2.1 192.0.2.2 443 6 ACCEPT", ctx)).toMatchObject({ sport: 1000, dport: 443, action: ACTION_ALLOWED });
    expect(parse("1000 192.0.2.1 192.0.2.2 443 6", ctx)).toEqual({ skip: "truncated-row" });
    expect(parse("1000 192.0.2.1 192.0.2.2 443 6 ACCEPT x", ctx)).toEqual({ skip: "extra-fields" });
  });

  it("prefers pkt-srcaddr/pkt-dstaddr (the packet's own addresses) to an intermediate interface's", () => {
    const ctx = newCtx();
    parse("version interface-id srcaddr dstaddr srcport dstport protocol pkt-srcaddr pkt-dstaddr action log-status", ctx);
    expect(flow("3 eni-1 10.40.1.175 10.40.2.236 39812 80 6 10.20.33.164 10.40.2.236 ACCEPT OK", ctx)).toMatchObject({ src: "10.20.33.164", dst: "10.40.2.236" });
    expect(flow("3 eni-1 10.40.1.175 10.40.2.236 39812 80 6 - - ACCEPT OK", ctx)).toMatchObject({ src: "10.40.1.175" });
  });

  it("reads a custom record without a header only when it starts with the default fields", () => {
    expect(flow("5 424805057484 eni-1235b8ca123456789 52.95.128.179 10.0.0.71 46945 53 17 1 73 1658131186 1658131216 ACCEPT OK vpc-abcdefab012345678 subnet-aaaaaaaa012345678 - 0 IPv4 52.95.128.179 10.0.0.71 eu-west-1 euw1-az3 - - - - egress 8"))
      .toMatchObject({ src: "52.95.128.179", dport: 53, proto: 17 });
    expect(parse("- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5")).toEqual({ skip: "unknown-layout" });
  });

  it("reads JSON records with '_' or '-' keys and float numbers, and CloudWatch subscription payloads", () => {
    expect(flow('{"version":5,"srcaddr":"1.2.3.4","dstaddr":"5.6.7.8","srcport":25238.0,"dstport":8080.0,"protocol":6.0,"start":1726491185,"action":"ACCEPT","log_status":"OK"}'))
      .toMatchObject({ src: "1.2.3.4", sport: 25238, dport: 8080, proto: 6, time: 1726491185000 });
    expect(parse('{"srcaddr":null,"dstaddr":null,"log_status":"NODATA"}')).toEqual({ skip: "nodata" });
    const cw = parse('{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":"2 1 eni-1 192.0.2.1 192.0.2.2 1 53 17 1 1 1 2 ACCEPT OK"},{"id":"2","timestamp":1,"message":"2 1 eni-1 192.0.2.1 192.0.2.3 1 53 17 1 1 1 2 REJECT OK"}]}');
    expect(cw).toMatchObject([{ dst: "192.0.2.2", action: ACTION_ALLOWED }, { dst: "192.0.2.3", action: ACTION_BLOCKED }]);
    expect(parse('{"not":"aws"}')).toEqual({ skip: "not-aws-vpc-flow" });
    expect(parse('{"srcaddr": broken')).toEqual({ skip: "bad-json" });
  });
});

describe("aws-vpc-flow: AWS's flow log record examples", () => {
  interface DocRecord { format: string; record: string; fields: Record<string, string>; meaning_per_document: string }
  const records = fixtureJsonl<DocRecord>(DOC_JSONL);
  const run = decode(make, fixture(DOC_LOG));
  // The derived file puts each group's format line before its records.
  const lineOf: number[] = [];
  let line = 0;
  let prev = "";
  for (const r of records) {
    if (r.format !== prev) { line++; prev = r.format; }
    lineOf.push(++line);
  }

  records.forEach((r, i) => {
    it(`record ${i + 1} reads as AWS's field split says (${r.meaning_per_document.slice(0, 60)})`, () => {
      const ev = run.events.filter((e) => e.line === lineOf[i]);
      const f = r.fields;
      const reason = run.stats.samples.find((s) => s.position === lineOf[i])?.reason;
      if (f["log-status"] === "NODATA" || f["log-status"] === "SKIPDATA") {
        expect(ev).toEqual([]);
        return;
      }
      if (f.protocol === undefined) {
        // The NAT gateway example's format has no protocol or ports: nothing to check against a matrix.
        expect(ev).toEqual([]);
        if (reason !== undefined) expect(reason).toBe("unknown-protocol");
        return;
      }
      if (f.protocol === "1") {
        // VPC flow logs carry no ICMP type: an ICMP flow of unknown type.
        expect(ev.map((e) => [e.src, e.dst, e.protocol, e.icmpType, e.action])).toEqual([
          [canonicalIp(f.srcaddr!), canonicalIp(f.dstaddr!), "icmp", null, f.action === "ACCEPT" ? "allowed" : "blocked"],
        ]);
        expect(reason).toBeUndefined();
        return;
      }
      expect(ev).toHaveLength(1);
      const e = ev[0]!;
      const pick = (pkt: string, plain: string) => (f[pkt] !== undefined && f[pkt] !== "-" ? f[pkt]! : f[plain]!);
      expect(e.src).toBe(canonicalIp(pick("pkt-srcaddr", "srcaddr")));
      expect(e.dst).toBe(canonicalIp(pick("pkt-dstaddr", "dstaddr")));
      expect(e.srcPort).toBe(Number(f.srcport));
      expect(e.dstPort).toBe(Number(f.dstport));
      expect(e.protocol).toBe(f.protocol === "6" ? "tcp" : "udp");
      expect(e.action).toBe(f.action === "ACCEPT" ? "allowed" : "blocked");
      if (f.start) expect(e.time).toBe(new Date(Number(f.start) * 1000).toISOString());
    });
  });

  it("accounts for every line of the derived file", () => {
    expect(run.stats).toMatchObject({ read: 32, used: 19, skipped: { header: 5, nodata: 1, skipdata: 1, "unknown-protocol": 6 } });
  });

  it("reads the default-format records the same without a header line", () => {
    const plain = decode(make, fixture(`${DIR}/awsdocs/default-format-no-header.log`));
    expect(plain.events.map((e) => [e.src, e.dst, e.dstPort, e.action])).toEqual(run.events.filter((e) => (e.line ?? 0) <= 8).map((e) => [e.src, e.dst, e.dstPort, e.action]));
  });
});

describe("aws-vpc-flow: SEKOIA's cases", () => {
  interface Case { input: { message: string }; expected: { source?: { ip?: string; port?: number }; destination?: { ip?: string; port?: number }; network?: { transport?: string; iana_number?: string }; action?: { name?: string } } }
  for (const f of SEKOIA) {
    it(`${f} agrees with SEKOIA's tuple and action (NODATA skipped)`, () => {
      const c = JSON.parse(fixture(`${DIR}/sekoia-intake-formats/${f}`).toString("utf8")) as Case;
      const run = decode(make, Buffer.from(c.input.message));
      const x = c.expected;
      if (!x.source?.ip) {
        expect(run.events).toEqual([]);
        expect(run.stats.skipped).toEqual({ nodata: 1 });
        return;
      }
      expect(run.events).toHaveLength(1);
      const e = run.events[0]!;
      expect([e.src, e.srcPort, e.dst, e.dstPort]).toEqual([canonicalIp(x.source.ip), x.source.port, canonicalIp(x.destination!.ip!), x.destination!.port]);
      // network_traffic.json: SEKOIA keeps protocol "6.0" as a string (see corpus-notes.json).
      expect(e.protocol).toBe(x.network?.transport ?? (Number(x.network?.iana_number) === 6 ? "tcp" : "udp"));
      expect(e.action).toBe(x.action?.name === "accept" ? "allowed" : "blocked");
    });
  }
});

describe("aws-vpc-flow: hand-made edge cases", () => {
  it("edge-cases.log: a format-string header, v5 rows, damaged rows and a foreign line, each with its reason", () => {
    const run = decode(make, fixture(`${DIR}/handmade/edge-cases.log`));
    expect(run.events.map((e) => [e.line, e.src, e.dst, e.protocol, e.dstPort, e.action])).toEqual([
      [2, "192.0.2.10", "198.51.100.20", "tcp", 443, "allowed"],
      [9, "192.0.2.10", "198.51.100.20", "ip-proto-50", null, "allowed"],
    ]);
    expect(run.stats.skipped).toEqual({
      "bad-address": 1, "extra-fields": 1, header: 1, "missing-port": 1, nodata: 1, "not-aws-vpc-flow": 1, skipdata: 1, "truncated-row": 1,
    });
  });

  it("json-records.jsonl: JSON exports and a CloudWatch subscription payload", () => {
    const run = decode(make, fixture(`${DIR}/handmade/json-records.jsonl`));
    expect(run.events.map((e) => [e.line, e.src, e.dst, e.dstPort, e.action])).toEqual([
      [1, "192.0.2.10", "198.51.100.20", 3389, "blocked"],
      [2, "10.0.1.5", "203.0.113.5", 443, "allowed"],
      [3, "192.0.2.10", "198.51.100.53", 53, "allowed"],
    ]);
    expect(run.stats.skipped).toEqual({ "bad-json": 1, nodata: 1, "not-aws-vpc-flow": 1 });
  });
});

describe("aws-vpc-flow: files", () => {
  for (const f of FILES) {
    it(`${f.split("/").slice(-2).join("/")}: the same events and accounting at every chunk size and line ending`, () => {
      const { whole, mismatches } = decodeAtEveryChunkSize(make, fixture(f));
      expect(mismatches).toEqual([]);
      expect(whole.error).toBeUndefined();
      expect(balanced(whole.stats)).toBe(true);
      for (const v of lineEndingVariants(fixture(f))) expect(decode(make, v.data).events, v.name).toEqual(whole.events);
    });

    it(`${f.split("/").slice(-2).join("/")}: is detected as aws-vpc-flow`, () => {
      expect(detectFormat(fixture(f))).toBe("aws-vpc-flow");
    });
  }

  it("reads none of the other products' SEKOIA messages, netfilter, filterlog or Zeek lines as a flow", () => {
    const msgs = fixtureJsonl<{ case: string; message: string }>("fixtures/logs/other-formats/sekoia-intake-formats/messages.jsonl");
    for (const m of msgs.filter((x) => !x.case.startsWith("aws-vpc-flow/"))) expect(decode(make, Buffer.from(m.message)).events, m.case).toEqual([]);
    for (const f of ["fixtures/logs/netfilter/elastic-integrations/test-iptables-raw.log", "fixtures/logs/pfsense-filterlog/elastic-integrations/test-pfsense-bsd.log", "fixtures/logs/zeek-conn/zeek/opt.basic.conn.log"]) {
      expect(decode(make, fixture(f)).events, f).toEqual([]);
    }
  });
});
