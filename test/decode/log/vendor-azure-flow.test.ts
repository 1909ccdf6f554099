import { describe, it, expect } from "vitest";
import { ACTION_ALLOWED, ACTION_BLOCKED, PROTO_TCP, PROTO_UDP } from "../../../src/decode/batch.js";
import { azureFlowFormat, parseTuple } from "../../../src/decode/log/azure-flow.js";
import { createTextDecoder, type ParseContext, type ParseResult } from "../../../src/decode/log/text-format.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import { balanced, decode, decodeAtEveryChunkSize, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const make = () => createTextDecoder(azureFlowFormat, options());
const newCtx = (): ParseContext => ({ opts: options(), lineNo: 1, state: {} });
const parse = (line: string, ctx = newCtx()): ParseResult => azureFlowFormat.parse(line, ctx);

const DIR = "fixtures/logs/azure-nsg-flow";
const SEKOIA = ["test_1.json", "test_2.json", "test_4.json", "test_6.json"];
const V1 = `${DIR}/azure-docs/nsg-flow-log-v1.json`;
const V2 = `${DIR}/azure-docs/nsg-flow-log-v2.blob.json`;
const VNET = `${DIR}/azure-docs/vnet-flow-log.pretty.json`;
const EDGE = `${DIR}/handmade/edge-cases.json`;
const ELASTIC = `${DIR}/elastic-integrations/test-nsg.log`;
const FILES = [V1, V2, VNET, EDGE, ELASTIC];

/** The documents' tuples, split independently of the decoder: the oracle for the doc-based files. */
function docTuples(file: string): { src: string; dst: string; sport: number; dport: number; proto: string; action: string; rule: string }[] {
  const out: { src: string; dst: string; sport: number; dport: number; proto: string; action: string; rule: string }[] = [];
  const text = fixture(file).toString("utf8");
  const docs = file === V2 ? [JSON.parse(`[${text.replace(/^\{"records":\[/, "").replace(/\]\}\s*$/, "").replace(/\r\n,/g, ",")}]`)] : [JSON.parse(text)];
  const walk = (n: unknown, rule: string): void => {
    if (Array.isArray(n)) { n.forEach((x) => walk(x, rule)); return; }
    if (n === null || typeof n !== "object") return;
    const o = n as Record<string, unknown>;
    const r = typeof o.rule === "string" ? o.rule : rule;
    if (Array.isArray(o.flowTuples)) {
      for (const t of o.flowTuples as string[]) {
        const f = t.split(",");
        const vnet = /^\d+$/.test(f[5]!);
        out.push({
          src: f[1]!, dst: f[2]!, sport: Number(f[3]), dport: Number(f[4]),
          proto: vnet ? (f[5] === "6" ? "tcp" : "udp") : f[5] === "T" ? "tcp" : "udp",
          // NSG: decision D; VNet: state D. Both sit in the eighth field.
          action: f[7] === "D" ? "blocked" : "allowed",
          rule: r,
        });
      }
    }
    for (const v of Object.values(o)) walk(v, r);
  };
  for (const d of docs) walk(d, "");
  return out;
}

describe("azure-flow: flow tuples", () => {
  it("reads an NSG version 1 tuple: T/U protocol, the A/D decision, seconds", () => {
    expect(parseTuple("1487282421,192.0.2.95,10.1.0.4,51529,5358,T,I,D", "DefaultRule_DenyAllInBound")).toEqual({
      src: "192.0.2.95", dst: "10.1.0.4", sport: "51529", dport: "5358", proto: PROTO_TCP, action: ACTION_BLOCKED,
      label: "DefaultRule_DenyAllInBound", time: 1487282421000,
    });
    expect(parseTuple("1487282481,198.51.100.194,10.1.0.4,53,1732,U,I,A")).toMatchObject({ proto: PROTO_UDP, action: ACTION_ALLOWED, label: "allowed" });
  });

  it("reads an NSG version 2 tuple (flow state and counters after the decision)", () => {
    expect(parseTuple("1542110379,10.5.16.4,203.0.113.117,59932,443,T,O,A,E,1,66,1,66")).toMatchObject({ src: "10.5.16.4", dst: "203.0.113.117", dport: "443", action: ACTION_ALLOWED });
  });

  it("reads a VNet tuple: IANA protocol, state D as denied and B/C/E as let through, milliseconds", () => {
    expect(parseTuple("1663146005503,192.241.200.164,10.0.0.6,35276,119,6,I,D,NX,0,0,0,0")).toMatchObject({ proto: 6, action: ACTION_BLOCKED, time: 1663146005503 });
    for (const s of ["B", "C", "E"]) expect(parseTuple(`1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,${s},NX,0,0,0,0`)).toMatchObject({ action: ACTION_ALLOWED });
    expect(parseTuple("1493763938,185.170.185.105,10.2.0.4,35370,23,6,I,B,NX,,,,")).toMatchObject({ time: 1493763938000 });
  });

  it("takes the tuple's addresses as written whatever the direction (the documents' outbound samples start with the VM)", () => {
    expect(parseTuple("1542110377,10.5.16.4,203.0.113.118,59831,443,T,O,A,B,,,,")).toMatchObject({ src: "10.5.16.4", dst: "203.0.113.118" });
    expect(parseTuple("1542110437,125.64.94.197,10.5.16.4,59752,18264,T,I,D,B,,,,")).toMatchObject({ src: "125.64.94.197", dst: "10.5.16.4" });
  });

  it("refuses malformed tuples", () => {
    expect(parseTuple("1708978440,10.0.0.5,192.0.2.9,1234,80,T,O")).toBe("bad-flow-tuple");
    expect(parseTuple("1708978320001,2001:db8::7,2001:db8:10::5,51001,3389,6,X,D,NX,0,0,0,0")).toBe("bad-flow-tuple");
    expect(parseTuple("1,1.2.3.4,5.6.7.8,1,2,Q,I,A")).toBe("bad-flow-tuple");
  });
});

describe("azure-flow: records and lines", () => {
  it("returns every tuple of a record, with its rule", () => {
    const r = parse('{"time":"t","category":"NetworkSecurityGroupFlowEvent","properties":{"Version":1,"flows":[{"rule":"R1","flows":[{"mac":"m","flowTuples":["1,192.0.2.1,192.0.2.2,1,80,T,I,A","2,192.0.2.1,192.0.2.3,1,81,T,I,D"]}]},{"rule":"R2","flows":[{"mac":"m","flowTuples":["3,192.0.2.1,192.0.2.4,1,82,U,O,A"]}]}]}}');
    expect(r).toMatchObject([{ dst: "192.0.2.2", label: "R1" }, { dst: "192.0.2.3", label: "R1" }, { dst: "192.0.2.4", label: "R2" }]);
  });

  it("reads a tuple flattened under \"flow.N\" next to its rule (SEKOIA's Azure intake)", () => {
    const r = parse('{"flowLogVersion":4,"rule":"Internet","flow.0":"1663145989679,1.2.3.81,1.2.3.4,62797,35945,6,I,D,NX,0,0,0,0"}');
    expect(Array.isArray(r) && r[0]).toMatchObject({ src: "1.2.3.81", dport: "35945", action: ACTION_BLOCKED, label: "Internet" });
  });

  it("reads the storage blob form line by line: the opening line, comma-led records, the closing line", () => {
    const ctx = newCtx();
    const rec = '{"category":"NetworkSecurityGroupFlowEvent","properties":{"Version":2,"flows":[{"rule":"R","flows":[{"mac":"m","flowTuples":["1542110377,10.5.16.4,203.0.113.118,59831,443,T,O,A,B,,,,"]}]}]}}';
    expect(Array.isArray(parse(`{"records":[${rec}`, ctx))).toBe(true);
    expect(Array.isArray(parse(`,${rec}`, ctx))).toBe(true);
    expect(Array.isArray(parse(`,${rec}]}`, ctx))).toBe(true);
    expect(parse("]}", ctx)).toEqual({ skip: "json-part" });
  });

  it("gathers a pretty-printed document and reads it at its last line", () => {
    const ctx = newCtx();
    const lines = JSON.stringify({ records: [{ category: "FlowLogFlowEvent", flowRecords: { flows: [{ flowGroups: [{ rule: "R", flowTuples: ["1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,B,NX,0,0,0,0"] }] }] } }] }, null, 2).split("\n");
    const results = lines.map((l) => parse(l, ctx));
    expect(results.slice(0, -1).every((r) => !Array.isArray(r) && "skip" in r && r.skip === "json-part")).toBe(true);
    expect(results.at(-1)).toEqual([expect.objectContaining({ dst: "52.239.184.180" })]);
  });

  it("skips a record without tuples as nodata and other JSON as not-azure-flow", () => {
    expect(parse('{"category":"NetworkSecurityGroupFlowEvent","properties":{"Version":2,"flows":[]}}')).toEqual({ skip: "nodata" });
    expect(parse('{"hello":"world"}')).toEqual({ skip: "not-azure-flow" });
  });
});

describe("azure-flow: Microsoft's sample records", () => {
  for (const f of [V1, V2, VNET]) {
    it(`${f.split("/").pop()}: every tuple of the document, as the document's fields say`, () => {
      const run = decode(make, fixture(f));
      const want = docTuples(f);
      expect(run.events.map((e) => ({ src: e.src, dst: e.dst, sport: e.srcPort, dport: e.dstPort, proto: e.protocol, action: e.action, rule: e.evidence })))
        .toEqual(want);
    });
  }

  it("vnet-flow-log.pretty.json: 61 lines are parts of the document, its last line carries its 19 tuples", () => {
    const run = decode(make, fixture(VNET));
    expect(run.stats).toMatchObject({ read: 62, used: 1, skipped: { "json-part": 61 } });
    expect(new Set(run.events.map((e) => e.line))).toEqual(new Set([62]));
  });
});

describe("azure-flow: SEKOIA's and Elastic's cases", () => {
  interface Case { input: { message: string }; expected: { source: { ip: string; port: number }; destination: { ip: string; port: number }; event: { type: string[] } } }
  for (const f of SEKOIA) {
    it(`${f} agrees with SEKOIA`, () => {
      const c = JSON.parse(fixture(`${DIR}/sekoia-intake-formats/${f}`).toString("utf8")) as Case;
      const run = decode(make, Buffer.from(c.input.message));
      expect(run.events).toHaveLength(1);
      const e = run.events[0]!;
      const x = c.expected;
      expect([e.src, e.srcPort, e.dst, e.dstPort, e.protocol]).toEqual([x.source.ip, x.source.port, x.destination.ip, x.destination.port, "tcp"]);
      expect(e.action).toBe(x.event.type.includes("denied") ? "blocked" : "allowed");
    });
  }

  it("Elastic's NSG version 2 record agrees with Elastic's tuple", () => {
    const [x] = fixtureJsonl<{ "source.ip": string; "source.port": number; "destination.ip": string; "destination.port": number; "traffic.decision": string; rule: string }>(`${ELASTIC}-expected.fields.jsonl`);
    const run = decode(make, fixture(ELASTIC));
    expect(run.events.map((e) => [e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.action, e.evidence]))
      .toEqual([[x!["source.ip"], x!["source.port"], x!["destination.ip"], x!["destination.port"], "tcp", "allowed", x!.rule]]);
  });
});

describe("azure-flow: hand-made edge cases", () => {
  it("reads the good tuples and skips the rest with their reasons", () => {
    const run = decode(make, fixture(EDGE));
    expect(run.events.map((e) => [e.line, e.src, e.dst, e.dstPort, e.protocol, e.action])).toEqual([
      [1, "203.0.113.105", "10.0.0.5", 443, "tcp", "allowed"],
      [1, "203.0.113.105", "10.0.0.5", 443, "tcp", "allowed"],
      [1, "203.0.113.105", "10.0.0.5", 443, "tcp", "allowed"],
      [2, "198.51.100.7", "10.0.0.5", null, "icmp", "allowed"],
      [3, "2001:db8::7", "2001:db8:10::5", 3389, "tcp", "blocked"],
      [3, "10.0.0.5", "192.0.2.53", 53, "udp", "allowed"],
      [8, "192.0.2.99", "10.0.0.5", 445, "tcp", "blocked"],
    ]);
    expect(run.stats.skipped).toEqual({ "bad-flow-tuple": 1, "bad-json": 1, nodata: 1, "not-azure-flow": 1 });
  });
});

describe("azure-flow: files", () => {
  for (const f of FILES) {
    it(`${f.split("/").slice(-2).join("/")}: the same events and accounting at every chunk size and line ending`, () => {
      const { whole, mismatches } = decodeAtEveryChunkSize(make, fixture(f));
      expect(mismatches).toEqual([]);
      expect(whole.error).toBeUndefined();
      expect(balanced(whole.stats)).toBe(true);
      for (const v of lineEndingVariants(fixture(f))) expect(decode(make, v.data).events, v.name).toEqual(whole.events);
    });

    it(`${f.split("/").slice(-2).join("/")}: is detected as azure-flow`, () => {
      expect(detectFormat(fixture(f))).toBe("azure-flow");
    });
  }

  it("reads none of the other products' SEKOIA messages, AWS or GCP records as a flow", () => {
    const msgs = fixtureJsonl<{ case: string; message: string }>("fixtures/logs/other-formats/sekoia-intake-formats/messages.jsonl");
    for (const m of msgs.filter((x) => !x.case.startsWith("azure-nsg-flow/"))) expect(decode(make, Buffer.from(m.message)).events, m.case).toEqual([]);
    for (const f of ["fixtures/logs/gcp-firewall/elastic-integrations/test-firewall.log.first3", "fixtures/logs/aws-vpc-flow/handmade/json-records.jsonl", "fixtures/logs/zeek-conn/elastic-integrations/test-conn.log"]) {
      expect(decode(make, fixture(f)).events, f).toEqual([]);
    }
  });
});
