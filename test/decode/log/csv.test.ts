import { describe, it, expect } from "vitest";
import { parse } from "csv-parse/sync";
import type { EventBatch } from "../../../src/decode/batch.js";
import type { InputStats } from "../../../src/decode/stats.js";
import { createCsvDecoder, normaliseName, splitCsv } from "../../../src/decode/log/csv.js";
import { createLineDecoder, type LineFormat } from "../../../src/decode/log/lines.js";
import { isBlank } from "../../../src/decode/log/text-bytes.js";
import type { DecodeOptions } from "../../../src/decode/log/options.js";
import { balanced, CHUNK_SIZES, decode, decodeAtEveryChunkSize, fixture, fixtureJsonl, lineEndingVariants, options } from "./helpers.js";

const DIR = "fixtures/logs/csv/handmade/";
const csv = (over: Partial<DecodeOptions> = {}) => () => createCsvDecoder(options(over));

/** The records the line decoder and splitCsv make of a file, as csv-parse would return them. */
function scan(data: Buffer, chunkSize?: number): string[][] {
  const records: string[][] = [];
  const fmt: LineFormat = {
    format: "csv-records",
    line(b: Buffer, start: number, end: number, lineNo: number, _batch: EventBatch, stats: InputStats): boolean {
      if (isBlank(b, start, end)) { stats.skip("blank", lineNo); return true; }
      const fields = splitCsv(b.toString("utf8", start, end));
      if (fields === null) return false;
      records.push(fields);
      stats.use();
      return true;
    },
  };
  const d = createLineDecoder(fmt);
  const step = chunkSize ?? Math.max(data.length, 1);
  for (let off = 0; off < data.length; off += step) d.push(data.subarray(off, off + step), () => {});
  d.end(() => {});
  return records;
}

const CSV_PARSE_OPTIONS = { trim: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: true } as const;

describe("csv: the record scanner agrees with csv-parse", () => {
  it.each([
    ["quoted commas", 'a,"b,c",d'],
    ["doubled quotes", 'a,"say ""hi""",c'],
    ["a field that is only a doubled quote", '"""",x'],
    ["empty fields", "a,,c,"],
    ["only separators", ",,"],
    ["empty quoted fields", '"",""'],
    ["a quoted line break", 'a,"multi\nline",c'],
    ["a quoted CRLF", 'a,"crlf\r\nline",c'],
    ["a quote inside an unquoted field", 'a,b"c,d'],
    ["spaces around quoted fields", ' "a" , "b" '],
    ["spaces inside a quoted field", '" a ", b ,c '],
    ["tabs around a field", '\ta\t,b'],
    ["non-ASCII text", 'ä,"ö, ü",€'],
  ])("%s", (_name, record) => {
    expect([splitCsv(record)]).toEqual(parse(record, CSV_PARSE_OPTIONS));
  });

  it("reports a quoted field still open at the end of the record (csv-parse: CSV_QUOTE_NOT_CLOSED)", () => {
    expect(splitCsv('a,"b')).toBeNull();
    expect(() => parse('a,"b', CSV_PARSE_OPTIONS)).toThrow(/Quote Not Closed/i);
  });

  it("keeps text after a closing quote where csv-parse refuses the record", () => {
    // csv-parse: CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE. We keep the record and judge its fields.
    expect(splitCsv('"a"x,b')).toEqual(["ax", "b"]);
  });

  for (const f of ["tricky.csv", "aliases.csv", "addrport.csv", "custom.csv", "ecs.csv"]) {
    it(`${f}: same records as csv-parse, at every chunk size, with LF, CRLF and no final newline`, () => {
      for (const v of lineEndingVariants(fixture(DIR + f))) {
        const want = parse(v.data, CSV_PARSE_OPTIONS) as string[][];
        for (const size of CHUNK_SIZES) expect(scan(v.data, size), `${v.name}, chunk ${size}`).toEqual(want);
      }
    });
  }

  it("tricky.csv: quoted line breaks (one of them across a blank line) join records", () => {
    const records = scan(fixture(`${DIR}tricky.csv`));
    expect(records.map((r) => r[0])).toEqual(["id", "1", "2", "3", "4", "5", "6", "7", "8"]);
    expect(records[3]).toEqual(["3", "two\nlines", "10.0.0.5", "10.0.0.6", 'and "quotes" too']);
    expect(records[6]).toEqual(["6", 'a,b,"c"\n\nd', "10.0.0.11", "10.0.0.12", "x"]);
    expect(records[7]).toEqual(["7", 'b"c', "10.0.0.13", "10.0.0.14", "\n", ""]);
  });
});

describe("csv: flows", () => {
  it("tricky.csv: every record is one flow, counted on the line it starts on", () => {
    // The file has no port column: without one a TCP flow is no flow ("missing-port")...
    const bare = decode(csv(), fixture(`${DIR}tricky.csv`));
    expect(bare.stats).toMatchObject({ read: 9, used: 0, skipped: { header: 1, "missing-port": 8 } });
    expect(bare.stats.samples.map((x) => x.position)).toEqual([1, 2, 3, 4, 6]);
    // ...so borrow the id column as the destination port.
    const run = decode(csv({ csvColumns: { dport: "id" } }), fixture(`${DIR}tricky.csv`));
    expect(run.stats).toMatchObject({ read: 9, used: 8, skipped: { header: 1 } });
    expect(run.events.map((e) => [e.line, e.src, e.dst, e.dstPort])).toEqual([
      [2, "10.0.0.1", "10.0.0.2", 1], [3, "10.0.0.3", "10.0.0.4", 2], [4, "10.0.0.5", "10.0.0.6", 3], [6, "10.0.0.7", "10.0.0.8", 4],
      [7, "10.0.0.9", "10.0.0.10", 5], [8, "10.0.0.11", "10.0.0.12", 6], [11, "10.0.0.13", "10.0.0.14", 7], [13, "10.0.0.15", "10.0.0.16", 8],
    ]);
  });

  it('aliases.csv: finds "Source IP", "Destination Port", "Protocol", "Action", "Time" by name', () => {
    const run = decode(csv(), fixture(`${DIR}aliases.csv`));
    const at = (line: number) => run.events.find((e) => e.line === line);
    expect(at(2)).toMatchObject({ time: "2026-11-23T09:11:00.000Z", src: "10.99.1.100", srcPort: 41759, dst: "10.99.2.10", dstPort: 445, protocol: "tcp", action: "allowed", evidence: "Allow" });
    expect(at(3)).toMatchObject({ time: "2026-11-23T09:11:01.000Z", dstPort: 3389, action: "allowed" });
    expect(at(4)).toMatchObject({ time: "2026-11-23T09:01:01.000Z", protocol: "udp", dstPort: 53, action: "allowed" });
    expect(at(6)).toMatchObject({ time: "2026-11-23T00:11:03.000Z", src: "fd00:99:1::100", dst: "fd00:99:2::10", protocol: "tcp", action: "blocked" });
    expect(at(7)).toMatchObject({ dstPort: 139, action: "blocked", evidence: "drop" });
    expect(at(8)).toMatchObject({ dstPort: 23, action: "unknown", evidence: null });
    expect(at(9)).toMatchObject({ time: null, dstPort: 135, action: "blocked" });
    expect(at(10)).toMatchObject({ dstPort: 8080, action: "unknown", evidence: "whatever" });
    // "::ffff:10.0.0.1" is the IPv4 host.
    expect(at(17)).toMatchObject({ src: "10.0.0.1", dst: "10.0.0.2" });
    // An ICMP row with no type (no type column, empty dport) is an ICMP flow of unknown type.
    expect(at(5)).toMatchObject({ protocol: "icmp", icmpType: null, action: "allowed" });
    expect(run.stats).toMatchObject({
      read: 17, used: 10,
      skipped: { header: 1, "missing-port": 1, "bad-address": 2, "missing-address": 1, "unknown-protocol": 1, "icmp-error": 1 },
    });
    expect(balanced(run.stats)).toBe(true);
  });

  it("ecs.csv: reads ECS field names (source.ip, destination.port, network.transport, event.action) after a comment", () => {
    const run = decode(csv(), fixture(`${DIR}ecs.csv`));
    expect(run.stats.skipped).toEqual({ comment: 1, header: 1 });
    expect(run.events.map((e) => [e.time, e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.action])).toEqual([
      ["2026-11-23T09:11:00.250Z", "10.0.0.1", 5000, "10.0.0.2", 443, "tcp", "allowed"],
      ["2026-11-23T09:11:01.500Z", "10.0.0.3", 5001, "10.0.0.4", 53, "udp", "blocked"],
    ]);
  });

  it('addrport.csv: splits "addr:port" and "[v6]:port" (src_ip, dst_ip columns)', () => {
    const run = decode(csv(), fixture(`${DIR}addrport.csv`));
    expect(run.events.map((e) => [e.src, e.srcPort, e.dst, e.dstPort, e.action])).toEqual([
      ["10.0.0.1", 5000, "10.0.0.2", 443, "allowed"],
      ["2001:db8::1", 40000, "2001:db8::2", 8443, "blocked"],
      ["10.0.0.5", null, "10.0.0.6", 53, "allowed"],
    ]);
    // An IPv6 source with an IPv4 destination is no packet.
    expect(run.stats.skipped).toEqual({ header: 1, "bad-address": 1 });
  });

  it("custom.csv: --csv-columns names the columns the header's words do not", () => {
    const without = decode(csv(), fixture(`${DIR}custom.csv`));
    expect(without.events).toEqual([]);
    expect(without.stats.skipped).toEqual({ "csv-header-without-addresses": 1, "no-csv-header": 2 });
    const mapped = decode(csv({ csvColumns: { src: "From Host", dst: "to host", dport: "Svc Port", proto: "L4", action: "Verdict", time: "When" } }), fixture(`${DIR}custom.csv`));
    expect(mapped.events.map((e) => [e.time, e.src, e.dst, e.dstPort, e.protocol, e.action])).toEqual([
      ["2026-11-23T09:11:00.000Z", "10.0.0.1", "10.0.0.2", 22, "tcp", "blocked"],
      ["2026-11-23T09:11:01.000Z", "10.0.0.3", "10.0.0.4", 514, "udp", "allowed"],
    ]);
  });

  it("no-addresses.csv: a header without address columns makes every row a counted skip", () => {
    const run = decode(csv(), fixture(`${DIR}no-addresses.csv`));
    expect(run.events).toEqual([]);
    expect(run.stats).toMatchObject({ read: 4, used: 0, skipped: { "csv-header-without-addresses": 1, "no-csv-header": 2, blank: 1 } });
    expect(run.stats.samples[0]).toEqual({ position: 1, reason: "csv-header-without-addresses", text: "time,user,bytes" });
  });

  it('sep-preamble.csv: looks past Excel\'s "sep=," line for the header', () => {
    const run = decode(csv(), fixture(`${DIR}sep-preamble.csv`));
    expect(run.stats.skipped).toEqual({ "csv-header-without-addresses": 1, header: 1 });
    expect(run.events).toEqual([expect.objectContaining({ src: "10.0.0.1", dst: "10.0.0.2", dstPort: 80, line: 3 })]);
  });

  it("a header with a byte order mark is still found", () => {
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture(`${DIR}ecs.csv`)]);
    expect(decode(csv(), data).events).toHaveLength(2);
  });

  it("counts a quote left open at the end of the file as unterminated", () => {
    const run = decode(csv(), Buffer.from('src,dst,dport\n10.0.0.1,10.0.0.2,80\n10.0.0.3,"10.0.0.4,80\n10.0.0.5,10.0.0.6,81\n'));
    expect(run.events).toHaveLength(1);
    expect(run.stats.skipped).toEqual({ header: 1, "unterminated-quote": 1 });
    expect(run.stats.samples[1]).toMatchObject({ position: 3, reason: "unterminated-quote" });
  });

  it("treats a comment line with a stray quote as one line", () => {
    const run = decode(csv(), Buffer.from('# a "quote\nsrc,dst,dport\n10.0.0.1,10.0.0.2,80\n'));
    expect(run.stats.skipped).toEqual({ comment: 1, header: 1 });
    expect(run.events).toHaveLength(1);
  });

  it("normalises header names: case and punctuation do not count", () => {
    expect(["Source IP", "src_ip", "source.ip", "SOURCE-IP", "destination.port"].map(normaliseName)).toEqual(["sourceip", "srcip", "sourceip", "sourceip", "destinationport"]);
  });
});

describe("csv: accounting and chunk boundaries", () => {
  for (const f of ["tricky.csv", "aliases.csv", "ecs.csv", "addrport.csv", "custom.csv", "no-addresses.csv", "sep-preamble.csv"]) {
    it(`${f}: same events and stats whole, cut at 1, 2, 3, 7, 64, 1000 bytes, with CRLF and without the last newline`, () => {
      const base = decode(csv(), fixture(DIR + f));
      expect(balanced(base.stats)).toBe(true);
      for (const v of lineEndingVariants(fixture(DIR + f))) {
        const { whole, mismatches } = decodeAtEveryChunkSize(csv(), v.data);
        expect(mismatches, v.name).toEqual([]);
        expect(whole.events, v.name).toEqual(base.events);
        // A skipped record's sample text keeps its quoted line breaks as they were (LF or CRLF).
        const plain = (r: typeof base) => ({ ...r.stats, samples: r.stats.samples.map((x) => ({ ...x, text: x.text?.replace(/\r\n/g, "\n") })) });
        expect(plain(whole), v.name).toEqual(plain(base));
      }
    });
  }
});

describe("csv: lines of other formats are never flows", () => {
  it("reads no netfilter, Windows Firewall, pfSense filterlog, Cisco ASA or Zeek line as a flow", () => {
    for (const f of [
      "fixtures/kcps/kern.log",
      "fixtures/logs/windows-firewall/plaso/firewall.log",
      "fixtures/logs/other-formats/elastic-integrations/test-pfsense-bsd.log",
      "fixtures/logs/other-formats/elastic-integrations/test-sample.log",
      "fixtures/logs/other-formats/zeek/Files.zeek-cut-logs.conn.log",
    ]) {
      const run = decode(csv(), fixture(f));
      expect(run.events, f).toEqual([]);
      expect(balanced(run.stats), f).toBe(true);
      expect(Object.keys(run.stats.skipped).every((k) => ["csv-header-without-addresses", "no-csv-header", "comment", "blank", "unterminated-quote"].includes(k)), `${f}: ${JSON.stringify(run.stats.skipped)}`).toBe(true);
    }
  });

  it("reads none of 382 messages of other products (SEKOIA cases) as a flow", () => {
    const msgs = fixtureJsonl<{ message: string }>("fixtures/logs/other-formats/sekoia-intake-formats/messages.jsonl");
    // One message per input: each would otherwise be read as the header of the next.
    for (const m of msgs) {
      const run = decode(csv(), Buffer.from(`${m.message}\n`));
      expect(run.events, m.message).toEqual([]);
    }
  });
});
