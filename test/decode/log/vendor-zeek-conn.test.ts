import { describe, it, expect } from "vitest";
import { readdirSync } from "node:fs";
import { BLOCKED_BY_UNKNOWN, ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN } from "../../../src/decode/batch.js";
import { zeekAction, zeekConnFormat } from "../../../src/decode/log/zeek-conn.js";
import { createTextDecoder, type ParseContext, type ParseResult } from "../../../src/decode/log/text-format.js";
import { detectFormat } from "../../../src/pipeline/formats.js";
import { balanced, canonicalIp, decode, decodeAtEveryChunkSize, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const make = () => createTextDecoder(zeekConnFormat, options());
const newCtx = (): ParseContext => ({ opts: options(), lineNo: 1, state: {} });
const parse = (line: string, ctx = newCtx()): ParseResult => zeekConnFormat.parse(line, ctx);

const DIR = "fixtures/logs/zeek-conn";
const ZEEK = readdirSync(`${DIR}/zeek`).filter((f) => f.endsWith(".conn.log")).sort().map((f) => `${DIR}/zeek/${f}`);
const JSON_LOG = `${DIR}/elastic-integrations/test-conn.log`;
const STATES = `${DIR}/handmade/conn-states.json`;
const HANDMADE = [STATES, `${DIR}/handmade/dns.log`, `${DIR}/handmade/no-header.conn.log`, `${DIR}/handmade/comma-separator.conn.log`];

describe("zeek-conn: what a connection shows (zeekAction)", () => {
  it.each([
    ["tcp", "SF", "ShADadFf", 8, 6, ACTION_ALLOWED],
    ["tcp", "S1", "ShADad", 4, 3, ACTION_ALLOWED],
    ["tcp", "S2", "ShADadF", 5, 3, ACTION_ALLOWED],
    ["tcp", "S3", "ShADadf", 5, 4, ACTION_ALLOWED],
    ["tcp", "RSTO", "ShADdR", 5, 3, ACTION_ALLOWED],
    ["tcp", "RSTR", "ShADdFar", 5, 4, ACTION_ALLOWED],
    ["tcp", "REJ", "Sr", 1, 1, ACTION_BLOCKED],
    ["tcp", "S0", "S", 1, 0, ACTION_UNKNOWN],
    // A retransmitted SYN keeps its sequence number, so history keeps one 'S': more packets than letters.
    ["tcp", "S0", "S", 3, 0, ACTION_BLOCKED],
    // A second 'S' is a SYN with a new sequence number: the client tried again.
    ["tcp", "S0", "SS", 2, 0, ACTION_BLOCKED],
    ["tcp", "RSTOS0", "SR", 2, 0, ACTION_UNKNOWN],
    ["tcp", "RSTOS0", "SR", 3, 0, ACTION_BLOCKED],
    ["tcp", "SH", "SF", 2, 0, ACTION_UNKNOWN],
    ["tcp", "SHR", "^hCcdafA", 3, 4, ACTION_ALLOWED],
    ["tcp", "RSTRH", "Dr", 1, 1, ACTION_UNKNOWN],
    ["tcp", "RSTRH", "hR", 1, 1, ACTION_ALLOWED],
    ["tcp", "OTH", "DdA", 2, 1, ACTION_ALLOWED],
    ["tcp", "OTH", "^h", 0, 1, ACTION_ALLOWED],
    ["tcp", "OTH", "C", 1, 0, ACTION_UNKNOWN],
    ["udp", "SF", "Dd", 1, 1, ACTION_ALLOWED],
    ["udp", "S0", "D", 6, 0, ACTION_UNKNOWN],
    ["udp", "SHR", "^d", 0, 1, ACTION_UNKNOWN],
    ["icmp", "OTH", "", 2, 2, ACTION_ALLOWED],
    ["icmp", "OTH", "", 1, 0, ACTION_UNKNOWN],
  ] as const)("%s %s %s (%i/%i packets)", (proto, state, history, o, r, want) => {
    expect(zeekAction(proto, state, history, o, r)).toBe(want);
  });
});

describe("zeek-conn: TSV lines", () => {
  const header = (ctx: ParseContext, fields: string) => {
    for (const l of ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tconn", `#fields\t${fields}`]) {
      expect(parse(l, ctx)).toEqual({ skip: "header" });
    }
  };

  it("reads a row by the #fields line, unset fields as absent, a masked time as unknown", () => {
    const ctx = newCtx();
    header(ctx, "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\thistory\torig_pkts\tresp_pkts");
    expect(parse("XXXXXXXXXX.XXXXXX\tC1\t192.0.2.10\t50001\t198.51.100.20\t445\ttcp\tREJ\tSr\t1\t1", ctx)).toEqual({
      src: "192.0.2.10", dst: "198.51.100.20", sport: "50001", dport: "445", proto: "tcp", action: ACTION_BLOCKED, blockedBy: BLOCKED_BY_UNKNOWN, label: "REJ Sr",
    });
    expect(parse("1329843175.736107\tC2\t192.0.2.10\t50002\t198.51.100.20\t22\ttcp\tS0\t-\t1\t0", ctx))
      .toMatchObject({ label: "S0", time: 1329843175736, action: ACTION_UNKNOWN });
  });

  it("understands renamed id columns (Log::default_scope_sep) and ICMP type/code in the port columns", () => {
    const ctx = newCtx();
    header(ctx, "ts\tuid\tid_orig_h\tid_orig_p\tid_resp_h\tid_resp_p\tproto\tconn_state\thistory\torig_pkts\tresp_pkts");
    expect(parse("1.0\tC3\t23.0.0.2\t8\t23.0.0.3\t0\ticmp\tOTH\t-\t2\t2", ctx)).toMatchObject({ src: "23.0.0.2", icmpType: "8", icmpCode: "0", action: ACTION_ALLOWED });
  });

  it("reads unknown_transport by its ip_proto column, and skips it without one", () => {
    const ctx = newCtx();
    header(ctx, "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\thistory\torig_pkts\tresp_pkts\tip_proto");
    expect(parse("1.0\tC4\t1.1.1.0\t0\t2.2.2.2\t0\tunknown_transport\tOTH\t-\t2\t0\t132", ctx)).toMatchObject({ proto: 132 });
    expect(parse("1.0\tC4\t1.1.1.0\t0\t2.2.2.2\t0\tunknown_transport\tOTH\t-\t2\t0\t-", ctx)).toEqual({ skip: "unknown-protocol" });
  });

  it("swaps a connection whose originator sent the SYN-ACK (the listening side) and reads it as allowed", () => {
    const ctx = newCtx();
    header(ctx, "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\thistory\torig_pkts\tresp_pkts");
    expect(parse("1.0\tC5\t173.192.163.128\t80\t141.142.220.235\t6705\ttcp\tOTH\tH\t1\t0", ctx))
      .toMatchObject({ src: "141.142.220.235", sport: "6705", dst: "173.192.163.128", dport: "80", action: ACTION_ALLOWED });
  });

  it("skips rows whose width differs from #fields, and every row of a log that is not conn", () => {
    const ctx = newCtx();
    header(ctx, "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto");
    expect(parse("1.0\tC6\t192.0.2.1\t1\t192.0.2.2", ctx)).toEqual({ skip: "truncated-row" });
    expect(parse("1.0\tC6\t192.0.2.1\t1\t192.0.2.2\t2\ttcp\tx", ctx)).toEqual({ skip: "extra-fields" });
    const dns = newCtx();
    expect(parse("#path\tdns", dns)).toEqual({ skip: "header" });
    expect(parse("1.0\tC7\t192.0.2.1\t1\t192.0.2.2\t53\tudp\t1\texample.com", dns)).toEqual({ skip: "not-traffic:zeek-dns" });
  });

  it("takes the separator from #separator", () => {
    const ctx = newCtx();
    expect(parse("#separator \\x2c", ctx)).toEqual({ skip: "header" });
    expect(parse("#fields,ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,conn_state,history", ctx)).toEqual({ skip: "header" });
    expect(parse("1.0,C8,192.0.2.1,1,192.0.2.2,443,tcp,SF,ShADadFf", ctx)).toMatchObject({ dst: "192.0.2.2", action: ACTION_ALLOWED });
  });

  it("reads JSON records: flat or nested id, epoch or ISO 8601 ts; other _path values are not traffic", () => {
    expect(parse('{"ts":1547188415.857497,"uid":"C9","id.orig_h":"192.168.86.167","id.orig_p":38339,"id.resp_h":"192.168.86.1","id.resp_p":53,"proto":"udp","conn_state":"SF","history":"Dd","orig_pkts":1,"resp_pkts":1}'))
      .toMatchObject({ sport: 38339, dport: 53, action: ACTION_ALLOWED, time: 1547188415857 });
    expect(parse('{"ts":"2021-06-09T20:55:13.160328Z","id":{"orig_h":"10.0.2.15","orig_p":46408,"resp_h":"172.16.9.68","resp_p":80},"proto":"tcp","conn_state":"OTH","history":"C"}'))
      .toMatchObject({ src: "10.0.2.15", dport: 80, action: ACTION_UNKNOWN, time: Date.parse("2021-06-09T20:55:13.160Z") });
    expect(parse('{"_path":"http","id.orig_h":"10.0.2.15","id.resp_h":"172.16.9.68"}')).toEqual({ skip: "not-traffic:zeek-http" });
    expect(parse('{"ts":1,"uid":"C10",')).toEqual({ skip: "bad-json" });
  });
});

/** The corpus files have no other project's parse: each row, split by its own #fields line, is the oracle. */
function rows(file: string): { line: number; get: (n: string) => string | undefined }[] {
  const lines = fixture(file).toString("utf8").split("\n");
  let fields: string[] = [];
  const out: { line: number; get: (n: string) => string | undefined }[] = [];
  lines.forEach((l, i) => {
    if (l.startsWith("#fields\t")) fields = l.split("\t").slice(1).map((f) => f.replace(/^id_/, "id."));
    if (l.startsWith("#") || l.trim() === "") return;
    const v = l.split("\t");
    out.push({ line: i + 1, get: (n) => { const k = fields.indexOf(n); return k < 0 || v[k] === "-" ? undefined : v[k]; } });
  });
  return out;
}

describe("zeek-conn: Zeek's own test baselines", () => {
  for (const f of ZEEK) {
    it(`${f.split("/").pop()}: every row read as its columns say`, () => {
      const run = decode(make, fixture(f));
      for (const r of rows(f)) {
        const proto = r.get("proto")!;
        const ev = run.events.filter((e) => e.line === r.line);
        if (proto === "unknown_transport" && r.get("ip_proto") === undefined) { expect(ev).toEqual([]); continue; }
        expect(ev, `line ${r.line}`).toHaveLength(1);
        const e = ev[0]!;
        const swapped = r.get("conn_state") === "OTH" && r.get("history") === "H";
        const [oh, op, rh, rp] = swapped ? ["id.resp_h", "id.resp_p", "id.orig_h", "id.orig_p"] : ["id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p"];
        expect([e.src, e.dst], `line ${r.line}`).toEqual([canonicalIp(r.get(oh)!), canonicalIp(r.get(rh)!)]);
        if (proto === "icmp") expect([e.icmpType, e.icmpCode]).toEqual([Number(r.get(op)), Number(r.get(rp))]);
        else if (proto === "tcp" || proto === "udp") expect([e.protocol, e.srcPort, e.dstPort]).toEqual([proto, Number(r.get(op)), Number(r.get(rp))]);
        else expect(e.protocol).toBe(`ip-proto-${r.get("ip_proto")}`);
        const ts = r.get("ts")!;
        expect(e.time).toBe(ts.startsWith("X") ? null : new Date(Math.round(Number(ts) * 1000)).toISOString());
        const state = r.get("conn_state")!;
        if (["SF", "S1", "RSTR", "RSTO"].includes(state) && proto === "tcp") expect(e.action).toBe("allowed");
        if (state === "REJ") expect(e.action).toBe("blocked");
        expect(e.evidence).toBe(r.get("history") ? `${state} ${r.get("history")}` : state);
      }
      expect(run.stats.used).toBe(run.events.length);
    });
  }

  it("the test baselines' first line (a btest comment) and header lines are skipped as comment and header", () => {
    const run = decode(make, fixture(`${DIR}/zeek/core.erspanII.conn.log`));
    expect(run.stats).toMatchObject({ read: 11, used: 1, skipped: { comment: 1, header: 9 } });
  });
});

describe("zeek-conn: JSON (Elastic's test-conn.log)", () => {
  interface Rec { "id.orig_h": string; "id.orig_p": number; "id.resp_h": string; "id.resp_p": number; proto: string; conn_state: string; history?: string }
  const recs = fixtureJsonl<Rec>(JSON_LOG);
  const run = decode(make, fixture(JSON_LOG));
  it("reads every record as its fields say; the ICMP port unreachable (type 3) is an error, not a flow", () => {
    recs.forEach((x, i) => {
      const ev = run.events.filter((e) => e.line === i + 1);
      if (x.proto === "icmp") {
        expect(ev).toEqual([]);
        expect(run.stats.samples.find((s) => s.position === i + 1)?.reason).toBe("icmp-error");
        return;
      }
      expect(ev.map((e) => [e.src, e.srcPort, e.dst, e.dstPort, e.protocol])).toEqual([[x["id.orig_h"], x["id.orig_p"], x["id.resp_h"], x["id.resp_p"], x.proto]]);
    });
  });

  it("SHR with the responder's SYN-ACK and UDP answered both ways are allowed; TCP seen one way only is unknown", () => {
    expect(run.events.map((e) => `${e.evidence}=${e.action}`)).toEqual(expect.arrayContaining(["SHR ^hCcdafA=allowed", "SHR Cd=allowed", "OTH C=unknown", "SF Dd=allowed"]));
  });
});

describe("zeek-conn: hand-made files", () => {
  it("conn-states.json: one record per state the action rules tell apart", () => {
    const run = decode(make, fixture(STATES));
    expect(run.events.map((e) => [e.line, e.evidence, e.action])).toEqual([
      [1, "REJ Sr", "blocked"], [2, "S0 S", "blocked"], [3, "S0 S", "unknown"], [4, "S0 SS", "blocked"],
      [5, "RSTOS0 SR", "unknown"], [6, "RSTOS0 SR", "blocked"], [7, "SH SF", "unknown"], [8, "SF ShADadFf", "allowed"],
      [9, "S1 ShADad", "allowed"], [10, "RSTO ShADdR", "allowed"], [11, "SHR ^hCcdafA", "allowed"], [12, "OTH H", "allowed"],
      [13, "OTH C", "unknown"], [14, "OTH DdA", "allowed"], [15, "SF Dd", "allowed"], [16, "S0 D", "unknown"],
      [17, "OTH", "allowed"], [18, "OTH", "unknown"], [20, "OTH", "allowed"], [22, "SF ShADadFf", "allowed"],
    ]);
    const at = (l: number) => run.events.find((e) => e.line === l)!;
    expect([at(12).src, at(12).srcPort, at(12).dst, at(12).dstPort]).toEqual(["192.0.2.10", 50012, "198.51.100.20", 80]);
    expect([at(17).protocol, at(17).icmpType, at(17).icmpCode]).toEqual(["icmp", 8, 0]);
    expect([at(18).protocol, at(18).icmpType]).toEqual(["icmpv6", 128]);
    expect(at(20).protocol).toBe("ip-proto-47");
    expect(at(22).time).toBe("2026-11-23T09:12:01.500Z");
    expect(run.stats.skipped).toEqual({ "bad-json": 1, "icmp-error": 1, "missing-address": 1, "not-traffic:zeek-dns": 1, "unknown-protocol": 1 });
  });

  it("dns.log: headers, then a row of a log that is not conn", () => {
    expect(decode(make, fixture(`${DIR}/handmade/dns.log`)).stats).toMatchObject({ used: 0, skipped: { header: 9, "not-traffic:zeek-dns": 1 } });
  });

  it("no-header.conn.log: 21- and 22-column rows in the default layouts, a 7-column row skipped", () => {
    const run = decode(make, fixture(`${DIR}/handmade/no-header.conn.log`));
    expect(run.events.map((e) => [e.line, e.dstPort, e.evidence, e.action])).toEqual([[1, 445, "REJ Sr", "blocked"], [2, 22, "SF ShADadFf", "allowed"]]);
    expect(run.stats.skipped).toEqual({ "unknown-layout": 1 });
  });

  it("comma-separator.conn.log: the #separator line's separator", () => {
    const run = decode(make, fixture(`${DIR}/handmade/comma-separator.conn.log`));
    expect(run.events.map((e) => [e.line, e.dst, e.action])).toEqual([[8, "198.51.100.20", "allowed"]]);
    expect(run.stats.skipped).toEqual({ header: 7, "truncated-row": 1 });
  });
});

describe("zeek-conn: files", () => {
  for (const f of [...ZEEK, JSON_LOG, ...HANDMADE]) {
    it(`${f.split("/").slice(-2).join("/")}: the same events and accounting at every chunk size and line ending`, () => {
      const { whole, mismatches } = decodeAtEveryChunkSize(make, fixture(f));
      expect(mismatches).toEqual([]);
      expect(whole.error).toBeUndefined();
      expect(balanced(whole.stats)).toBe(true);
      for (const v of lineEndingVariants(fixture(f))) expect(decode(make, v.data).events, v.name).toEqual(whole.events);
    });

    it(`${f.split("/").slice(-2).join("/")}: is detected as zeek-conn`, () => {
      expect(detectFormat(fixture(f))).toBe("zeek-conn");
    });
  }

  it("reads none of the other products' SEKOIA messages, netfilter or filterlog lines as a flow", () => {
    const msgs = fixtureJsonl<{ case: string; message: string }>("fixtures/logs/other-formats/sekoia-intake-formats/messages.jsonl");
    for (const m of msgs) expect(decode(make, Buffer.from(m.message)).events, m.case).toEqual([]);
    for (const f of ["fixtures/logs/netfilter/elastic-integrations/test-iptables-raw.log", "fixtures/logs/pfsense-filterlog/elastic-integrations/test-pfsense-bsd.log", "fixtures/logs/aws-vpc-flow/awsdocs/flow-logs-records-examples.log"]) {
      expect(decode(make, fixture(f)).events, f).toEqual([]);
    }
  });
});
