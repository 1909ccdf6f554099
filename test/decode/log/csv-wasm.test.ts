/**
 * The CSV reader's WebAssembly fast path (assembly/csv.ts, src/decode/log/csv-wasm.ts) against the JS
 * reference (CsvFormat alone): on every CSV fixture, on generated logs that hold every kind of record the
 * fast path must take or leave (quotes, quoted line breaks, non-ASCII, spaces around fields, empty and
 * missing columns, CRLF, every time form, new days, zones, more action and protocol words than it learns,
 * IPv6 of every written form (IPv4-mapped too), ICMP of every type (from the type column or the port's), "addr:port", bad addresses and ports, a preamble before the header), and on hundreds of
 * mutated copies, fed whole and in odd chunk sizes into tiny batches: the same events (every field of the
 * batch), the same batches, the same skips in the same order at the same lines, the same accounting.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Decoder } from "../../../src/decode/decoder.js";
import { createCsvDecoder, CsvFormat } from "../../../src/decode/log/csv.js";
import { CsvFastPath } from "../../../src/decode/log/csv-wasm.js";
import { logDecoderKind, rowModule } from "../../../src/decode/log/wasm-rows.js";
import { createLineDecoder } from "../../../src/decode/log/lines.js";
import { REPO_ROOT } from "../../helpers/need.js";
import { prng } from "../pcap/mutate.js";
import { options } from "./helpers.js";
import { expectSameReaders, logFiles, run, v6, type Ways } from "./fast-path-harness.js";

/** The fast path's decoder, with its instance (to ask how many rows it took). */
function fastDecoder(capacity: number): { decoder: Decoder; fast: CsvFastPath } {
  const fast = new CsvFastPath(capacity);
  return { decoder: createLineDecoder(new CsvFormat(options(), fast), capacity), fast };
}

/** Both readers agree on `data` read in each way; returns the share of rows the fast path took. */
const expectSame = (data: Buffer, ways?: Ways): number =>
  expectSameReaders(data, (capacity) => createCsvDecoder(options(), capacity, "js"), fastDecoder, ways);

const HEADER = "timestamp,src_ip,dst_ip,src_port,dst_port,protocol,action\n";
const ROW = "2026-11-01T00:00:00.002Z,10.1.111.217,10.2.0.123,64857,8080,tcp,allow\n";


/** A log with every kind of record the fast path must take, or leave to the reference. */
function generated(seed: number, rows: number): string {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const times = ["2026-11-01T00:00:00.002Z", "2026-11-02T23:59:59Z", "2026-11-01 12:00:00", "2026-11-01T12:00:00.123456Z", "2026-11-01T12:00:00,5Z", "2026-11-01T12:00:00+09:00", "2026-11-01T12:00:00-0130", "1762000000", "1762000000.5", "1762000000123", "176200000", "Nov  1 00:00:00", "", " ", "2026-13-01T00:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01", "x", "2026-11-01T00:00:00z", "2027-01-01T00:00:00Z"];
  const protos = ["tcp", "udp", "TCP", "6", "17", "", "icmp", "icmpv6", "58", "gre", "xyz", " tcp "];
  const actions = ["allow", "deny", "ACCEPT", "drop", "", "whatever", ...Array.from({ length: 20 }, (_, k) => `a${k}`)];
  const addrs = ["10.1.2.3", "fe80::1", "::ffff:10.1.2.3", "[2001:db8::1]:443", "10.1.2.3:8080", "010.1.1.1", "1.2.3", "", "host.example", " 10.1.2.3 ", "10.1.2.3\t"];
  const ports = ["80", "", "65535", "65536", "0", "x", "00080", "123456", " 53 ", "\t53", "53\v"];
  let out = rnd() < 0.2 ? "sep=,\n" : "";
  out += rnd() < 0.7 ? HEADER : "src,dst,dport,proto,action,time,sport,type\n";
  const cols = out.includes("type") ? ["src", "dst", "dport", "proto", "action", "time", "sport", "type"] : ["time", "src", "dst", "sport", "dport", "proto", "action"];
  for (let r = 0; r < rows; r++) {
    const u = rnd();
    if (u < 0.01) { out += pick(["", "   ", "#comment, \"x", "\r", ",,,,", "garbage"]) + "\n"; continue; }
    if (u < 0.6 && cols[0] === "time") { out += ROW.replace("64857", String(1024 + Math.floor(rnd() * 60000))).replace("10.2.0.123", `10.2.0.${Math.floor(rnd() * 256)}`).replace(",tcp,", rnd() < 0.3 ? ",udp," : ",tcp,"); continue; }
    const six = rnd() < 0.2;
    const v: Record<string, string> = {
      time: rnd() < 0.7 ? `2026-11-0${1 + Math.floor(rnd() * 3)}T0${Math.floor(rnd() * 10)}:1${Math.floor(rnd() * 10)}:2${Math.floor(rnd() * 10)}.${Math.floor(rnd() * 1000)}Z` : pick(times),
      src: six ? v6(rnd) : rnd() < 0.8 ? `10.1.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}` : pick(addrs),
      dst: six ? (rnd() < 0.9 ? v6(rnd) : pick(addrs)) : rnd() < 0.8 ? `10.2.0.${Math.floor(rnd() * 256)}` : pick(addrs),
      sport: rnd() < 0.8 ? String(1024 + Math.floor(rnd() * 60000)) : pick(ports),
      dport: rnd() < 0.8 ? pick(["80", "445", "53", "8", "0", "13"]) : pick([...ports, "3", "11", "12", "256", "5", "4"]),
      proto: rnd() < 0.7 ? pick(["tcp", "udp"]) : rnd() < 0.5 ? pick(["icmp", "icmp", "ICMP", "1"]) : pick(protos),
      action: rnd() < 0.8 ? pick(["allow", "deny"]) : pick(actions),
      type: rnd() < 0.5 ? pick(["", "8", "0", "13"]) : pick(["300", "3", "4", "5", "11", "12", "x", "008", " 8 ", "255", "256", "123456"]),
    };
    let fields = cols.map((c) => v[c]!);
    if (rnd() < 0.03) fields = fields.map((f) => `"${f}"`);
    if (rnd() < 0.02) fields[1] = `"a\nb"`;
    if (rnd() < 0.02) fields = fields.slice(0, fields.length - 2);
    if (rnd() < 0.02) fields.push("extra");
    if (rnd() < 0.02) fields[0] = `é${fields[0]}`;
    let line = fields.join(rnd() < 0.03 ? " , " : ",");
    if (rnd() < 0.1) line += "\r";
    out += `${line}\n`;
  }
  return out;
}

/** `text` with a few bytes of some lines changed, dropped, doubled or inserted. */
function mutated(text: string, rnd: () => number): Buffer {
  const b = [...Buffer.from(text)];
  const alphabet = [32, 9, 10, 13, 34, 44, 35, 45, 46, 58, 43, 48, 57, 49, 84, 90, 97, 116, 0, 255, 0xc3];
  const n = 1 + Math.floor(rnd() * 40);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rnd() * b.length);
    const r = rnd();
    if (r < 0.5) b[at] = alphabet[Math.floor(rnd() * alphabet.length)]!;
    else if (r < 0.7) b.splice(at, 1);
    else if (r < 0.85) b.splice(at, 0, b[at]!);
    else b.splice(at, 0, alphabet[Math.floor(rnd() * alphabet.length)]!);
  }
  return Buffer.from(b);
}

const FIXTURES = logFiles(join(REPO_ROOT, "fixtures", "logs", "csv"));

describe("the CSV reader's WebAssembly fast path", () => {
  it("was built by npm run build, and is used unless told otherwise", () => {
    expect(rowModule("csv")).toBeDefined();
    expect(logDecoderKind({})).toBe("wasm");
    expect(logDecoderKind({ PORTMATRIX_LOG_DECODER: "js" })).toBe("js");
    expect(logDecoderKind({ PORTMATRIX_LOG_DECODER: "wasm" })).toBe("wasm");
  });

  it("takes the ordinary records itself (the reference reads the rest)", () => {
    // The header and the first record are the reference's (it teaches the words), the others the module's.
    const { decoder, fast } = fastDecoder(8192);
    let events = 0;
    decoder.push(Buffer.from(HEADER + ROW.repeat(4)), (b) => { events += b.length; });
    decoder.end((b) => { events += b.length; });
    expect([events, fast.rowsTaken]).toEqual([4, 3]);
  });

  it("takes ICMP records of a type that is a flow itself, and leaves errors to the reference", () => {
    const { decoder, fast } = fastDecoder(8192);
    let events = 0;
    const icmp = (type: string) => `2026-11-01T00:00:00.559Z,10.1.13.10,10.2.0.155,,${type},icmp,allow\n`;
    decoder.push(Buffer.from(HEADER + icmp("8") + icmp("0") + icmp("") + icmp("3")), (b) => { events += b.length; });
    decoder.end((b) => { events += b.length; });
    expect([events, fast.rowsTaken, decoder.stats.skippedByReason.get("icmp-error")]).toEqual([3, 2, 1]);
  });

  it("finds CSV fixtures to compare on", () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(5);
  });

  for (const p of FIXTURES) {
    it(`gives what the reference gives: ${relative(REPO_ROOT, p)}`, () => {
      expectSame(readFileSync(p));
    });
  }

  it("gives what the reference gives on a generated log of every kind of row", () => {
    let share = 0;
    for (let seed = 1; seed <= 6; seed++) share = Math.max(share, expectSame(Buffer.from(generated(seed, 3000))));
    expect(share).toBeGreaterThan(0.2);
  }, 120_000);

  it("gives what the reference gives on mutated copies", () => {
    const rnd = prng(18);
    const base = generated(99, 400);
    let share = 0;
    for (let k = 0; k < 300; k++) share += expectSame(mutated(base, rnd), [[undefined, 8192], [13, 2]]);
    expect(share / 300).toBeGreaterThan(0.2);
  }, 120_000);

  it("gives what the reference gives when a line is longer than the module's chunk area", () => {
    const long = ROW.replace(",allow", `,${"a".repeat((1 << 20) + 10)}`);
    const data = Buffer.from(HEADER + ROW.repeat(20000) + long + ROW.repeat(3) + "x".repeat((1 << 20) - 5) + "\n" + ROW.repeat(5));
    expect(expectSame(data, [[undefined, 8192], [1 << 20, 8192], [(1 << 20) + 100, 7]])).toBeGreaterThan(0.9);
  }, 120_000);
});
