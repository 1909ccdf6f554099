/**
 * The netfilter reader's WebAssembly fast path (assembly/netfilter.ts, src/decode/log/netfilter-wasm.ts)
 * against the JS reference (NetfilterFormat.line alone): on every netfilter log of the corpus and of
 * fixtures/, on a generated log that holds every kind of line the fast path must take or leave (syslog,
 * RFC 5424, ring buffer and journal forms, "<PRI>", ISO stamps, fractions, new days, stamps read as last
 * year's, more and longer prefixes than it learns, prefixes glued to IN=, IPv6 of every written form, ICMP (flows of every type,
 * errors, lines without TYPE=, odd codes, ports, repeated keys, ICMPv6 names), TYPE=/CODE= on TCP,
 * fragments, quoted packets, ARP, bad addresses and ports, CRLF), and on hundreds of mutated copies of
 * it, fed whole and in odd chunk sizes into tiny batches: the same events (every field of the batch), the
 * same batches, the same skips in the same order at the same lines, the same accounting.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Decoder } from "../../../src/decode/decoder.js";
import type { EventBatch } from "../../../src/decode/batch.js";
import { createNetfilterDecoder, NetfilterFormat } from "../../../src/decode/log/netfilter.js";
import { NetfilterFastPath } from "../../../src/decode/log/netfilter-wasm.js";
import { logDecoderKind, rowModule } from "../../../src/decode/log/wasm-rows.js";
import { createLineDecoder } from "../../../src/decode/log/lines.js";
import { corpusDir, describeNeeding, needCorpus, REPO_ROOT } from "../../helpers/need.js";
import { prng } from "../pcap/mutate.js";
import { options } from "./helpers.js";
import { expectSameReaders, logFiles, run, v6, type Ways } from "./fast-path-harness.js";

/** The fast path's decoder, with its instance (to ask how many rows it took). */
function fastDecoder(capacity: number): { decoder: Decoder; fast: NetfilterFastPath } {
  const fast = new NetfilterFastPath(options(), capacity);
  return { decoder: createLineDecoder(new NetfilterFormat(options(), fast), capacity), fast };
}

/** Both readers agree on `data` read in each way; returns the share of rows the fast path took. */
const expectSame = (data: Buffer, ways?: Ways): number =>
  expectSameReaders(data, (capacity) => createNetfilterDecoder(options(), capacity, "js"), fastDecoder, ways);

const ROW = "Nov  1 00:00:00 fw01 kernel: [93491200.002000] FW-ACCEPT IN=eth0 OUT=eth1 MAC=02:00:00:00:00:01:02:00:00:00:00:02:08:00 SRC=10.1.111.217 DST=10.2.0.123 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=0 DF PROTO=TCP SPT=64857 DPT=8080 WINDOW=64240 RES=0x00 SYN URGP=0 \n";


/** A log with every kind of line the fast path must take, or leave to the reference. */
function generated(seed: number, rows: number): string {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const prefixes = ["FW-ACCEPT ", "FW-ACCEPT ", "FW-DROP ", "[UFW BLOCK] ", "DROPIN", "", "kernel: X ", "ALLOWLIST-DROP ", "é-ACCEPT ", `${"LONG".repeat(20)} `, ...Array.from({ length: 20 }, (_, k) => `P${k}-DROP `)];
  const months = ["Nov", "Nov", "Nov", "Dec", "Jan", "nov", "Foo"];
  const heads = [
    () => `${pick(months)} ${rnd() < 0.8 ? " 1" : pick(["23", " 2", "31", "32", "0", " 9"])} ${pick(["00:00:00", "12:34:56", "23:59:59", "99:99:99", "12:34:56.789", "1:2:3"])} fw01 kernel: [${Math.floor(rnd() * 1e6)}.${Math.floor(rnd() * 1e6)}] `,
    () => "Nov  1 00:00:01 fw01 kernel: ",
    () => "Nov  1 00:00:02 fw01 ",
    () => "Nov  2 00:00:02 host kernel: [ 12.5] ",
    () => "[ 1234.567890] ",
    () => "<4>Nov  1 00:00:03 fw01 kernel: ",
    () => "<4>1 2026-11-01T00:00:00Z fw01 kernel - - - ",
    () => "1 2026-11-01T00:00:00Z fw01 kernel - - - ",
    () => "2026-11-01T00:00:00.5+09:00 fw01 kernel: ",
    () => "2026-11-01 junk kernel: ",
    () => "Nov  1 00:00:04 kernel: kernel: ",
  ];
  const addrs = ["10.1.2.3", "192.168.1.20", "255.255.255.255", "fe80::1", "2001:db8::2", "010.1.1.1", "1.2.3", "256.1.1.1", "", "1.2.3.4.5"];
  let out = "";
  for (let r = 0; r < rows; r++) {
    const u = rnd();
    if (u < 0.01) { out += pick(["", "   ", "\t", "garbage line", "\r", "Nov  1 00:00:00 fw01 kernel: ARP HTYPE=1 OPCODE=1 IPSRC=1.2.3.4 IPDST=5.6.7.8 IN=eth0 OUT="]) + "\n"; continue; }
    if (u < 0.7) { out += ROW.replace("SPT=64857", `SPT=${1024 + Math.floor(rnd() * 60000)}`).replace("DST=10.2.0.123", `DST=10.2.0.${Math.floor(rnd() * 256)}`).replace("PROTO=TCP", rnd() < 0.3 ? "PROTO=UDP" : "PROTO=TCP"); continue; }
    if (u < 0.8) {
      // ICMP: types that are flows (taken), errors, no TYPE=, odd codes, ports, repeated keys, ICMPv6.
      const type = rnd() < 0.6 ? pick(["0", "8", "13"]) : pick(["3", "4", "5", "11", "12", "255", "256", "65544", "08", "x", "", "-1", "14", "9"]);
      const fields = rnd() < 0.7 ? `TYPE=${type} CODE=0 ID=3338 SEQ=1 ` : pick([`TYPE=${type} `, `CODE=0 TYPE=${type} `, `TYPE=${type} CODE=${pick(["255", "256", "999", "x", "", "70000"])} `, `TYPE=8 TYPE=${type} CODE=1 CODE=0 `, "CODE=0 ", "", `TYPE=${type} CODE=0 SPT=${pick(["7", "99999", "x"])} DPT=5 `, `TYPE=${type} CODE=0 [SRC=1.1.1.1 DST=2.2.2.2] `, `TYPE=${type} FRAG:100 `, `TYPE=${type} SYN ACK `]);
      const proto = rnd() < 0.8 ? "ICMP" : pick(["icmp", "Icmp", "ICMPv6", "1", "ICM", "ICMPX"]);
      const src = rnd() < 0.9 ? `10.1.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}` : rnd() < 0.5 ? v6(rnd) : pick(addrs);
      const dst = src.includes(":") && rnd() < 0.8 ? v6(rnd) : `10.2.0.${Math.floor(rnd() * 256)}`;
      out += `${rnd() < 0.8 ? heads[0]!() : pick(heads)()}${rnd() < 0.8 ? "FW-ACCEPT " : pick(prefixes)}IN=eth0 OUT=eth1 MAC=02:00:00:00:00:01:02:00:00:00:00:02:08:00 SRC=${src} DST=${dst} LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=58 DF PROTO=${proto} ${fields}${rnd() < 0.1 ? "\r" : ""}\n`;
      continue;
    }
    const head = rnd() < 0.6 ? heads[0]!() : pick(heads)();
    const prefix = rnd() < 0.6 ? "FW-ACCEPT " : pick(prefixes);
    const ifaces = pick(["IN=eth0 OUT=eth1 ", "IN=eth0 OUT= ", "IN= OUT=eth1 ", "IN=eth0 OUT=", "IN=eth0 PHYSIN=x OUT=eth1 ", "IN=eth0 "]);
    const six = rnd() < 0.3;
    const src = six ? v6(rnd) : rnd() < 0.8 ? `10.1.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}` : pick(addrs);
    const dst = six ? (rnd() < 0.9 ? v6(rnd) : pick(addrs)) : rnd() < 0.8 ? `10.2.0.${Math.floor(rnd() * 256)}` : pick(addrs);
    const proto = rnd() < 0.8 ? pick(["TCP", "UDP"]) : pick(["tcp", "udp", "6", "17", "ICMP", "ICMPv6", "UDPLITE", "XYZ", "SCTP"]);
    const sp = rnd() < 0.9 ? `SPT=${1024 + Math.floor(rnd() * 60000)} ` : pick(["", "SPT= ", "SPT=65536 ", "SPT=x ", "SPT=0 ", "SPT=1234567890 "]);
    const dp = rnd() < 0.9 ? `DPT=${pick(["80", "445", "53"])} ` : pick(["", "DPT=99999 ", "DPT=-1 "]);
    const extra = rnd() < 0.9 ? "" : pick(["TYPE=8 CODE=0 ", "TYPE=0 ", "CODE=0 ", "FRAG:100 ", "INCOMPLETE [65535 bytes] ", "[SRC=1.1.1.1 DST=2.2.2.2] ", "SRC=10.9.9.9 ", "DST=fe80::2 ", "ARP ", "CODE=3 "]);
    const flags = pick(["SYN ", "ACK ", "SYN ACK ", "FIN ACK ", "RST ", "PSH ACK ", "URG ", ""]);
    let line = `${head}${prefix}${ifaces}MAC=02:00:00:00:00:01:02:00:00:00:00:02:08:00 SRC=${src} DST=${dst} LEN=60 TOS=0x00 TTL=63 ID=0 DF PROTO=${proto} ${sp}${dp}${extra}WINDOW=64240 RES=0x00 ${flags}URGP=0`;
    if (rnd() < 0.1) line += " ";
    if (rnd() < 0.1) line += "\r";
    out += `${line}\n`;
  }
  return out;
}

/** `text` with a few bytes of some lines changed, dropped, doubled or inserted. */
function mutated(text: string, rnd: () => number): Buffer {
  const b = [...Buffer.from(text)];
  const alphabet = [32, 9, 10, 13, 61, 91, 93, 60, 45, 46, 58, 48, 57, 49, 65, 68, 73, 78, 80, 83, 84, 0, 255, 0xc3];
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

const FIXTURES = logFiles(join(REPO_ROOT, "fixtures", "logs", "netfilter"));

describe("the netfilter reader's WebAssembly fast path", () => {
  it("was built by npm run build, and is used unless told otherwise", () => {
    expect(rowModule("netfilter")).toBeDefined();
    expect(logDecoderKind({})).toBe("wasm");
    expect(logDecoderKind({ PORTMATRIX_LOG_DECODER: "js" })).toBe("js");
    expect(logDecoderKind({ PORTMATRIX_LOG_DECODER: "wasm" })).toBe("wasm");
  });

  it("takes the ordinary lines itself (the reference reads the rest)", () => {
    // Lines of one day and prefix: the first is the reference's (it teaches the prefix), the others the module's.
    const { decoder, fast } = fastDecoder(8192);
    let events = 0;
    decoder.push(Buffer.from(ROW.repeat(4)), (b) => { events += b.length; });
    decoder.end((b) => { events += b.length; });
    expect([events, fast.rowsTaken]).toEqual([4, 3]);
  });

  it("takes ICMP lines of a type that is a flow itself, and leaves errors and lines without TYPE= to the reference", () => {
    const icmp = (fields: string) => ROW.replace(/PROTO=TCP.*/, `PROTO=ICMP ${fields}`);
    const { decoder, fast } = fastDecoder(8192);
    let events = 0;
    decoder.push(Buffer.from(ROW + icmp("TYPE=8 CODE=0 ID=1 SEQ=1 ") + icmp("TYPE=0 CODE=0 ID=1 SEQ=1 ") + icmp("TYPE=3 CODE=1 [SRC=1.1.1.1 DST=2.2.2.2] ") + icmp("CODE=0 ")), (b) => { events += b.length; });
    decoder.end((b) => { events += b.length; });
    expect([events, fast.rowsTaken, [...decoder.stats.skippedByReason]]).toEqual([4, 2, [["icmp-error", 1]]]);
  });

  it("takes TCP and UDP lines between IPv6 addresses of the plain forms itself", () => {
    const six = (src: string, dst: string) => ROW.replace("SRC=10.1.111.217 DST=10.2.0.123", `SRC=${src} DST=${dst}`);
    const { decoder, fast } = fastDecoder(8192);
    const events: string[] = [];
    const emit = (b: EventBatch) => { for (let i = 0; i < b.length; i++) events.push(`${b.family[i]} ${[...b.src.subarray(i * 4, i * 4 + 4)].map((w) => w.toString(16)).join(":")}`); };
    decoder.push(Buffer.from(ROW + six("fd00::1:c3ae", "fd00::2:9") + six("::", "1:2:3:4:5:6:7:8") + six("::ffff:10.1.2.3", "fd00::1") + six("fd00::1", "10.2.0.1")), emit);
    decoder.end(emit);
    expect([events, fast.rowsTaken]).toEqual([["4 a016fd9:0:0:0", "6 fd000000:0:0:1c3ae", "6 0:0:0:0", "6 0:0:ffff:a010203"], 2]);
  });

  it("finds netfilter fixtures to compare on", () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(5);
  });

  for (const p of FIXTURES) {
    it(`gives what the reference gives: ${relative(REPO_ROOT, p)}`, () => {
      expectSame(readFileSync(p));
    });
  }

  it("gives what the reference gives on a generated log of every kind of row", () => {
    for (let seed = 1; seed <= 4; seed++) expect(expectSame(Buffer.from(generated(seed, 3000)))).toBeGreaterThan(0.2);
  }, 120_000);

  it("gives what the reference gives on mutated copies", () => {
    const rnd = prng(18);
    const base = generated(99, 400);
    let share = 0;
    for (let k = 0; k < 200; k++) share += expectSame(mutated(base, rnd), [[undefined, 8192], [13, 2]]);
    expect(share / 200).toBeGreaterThan(0.2);
  }, 120_000);

  it("gives what the reference gives when a line is longer than the module's chunk area", () => {
    const long = ROW.replace("URGP=0", `URGP=${"9".repeat((1 << 20) + 10)}`);
    const data = Buffer.from(ROW.repeat(5000) + long + ROW.repeat(3) + "x".repeat((1 << 20) - 5) + "\n" + ROW.repeat(5));
    expect(expectSame(data, [[undefined, 8192], [1 << 20, 8192], [(1 << 20) + 100, 7]])).toBeGreaterThan(0.9);
  }, 120_000);
});

describeNeeding([needCorpus], "the netfilter fast path on the shared corpus", () => {
  const dir = join(corpusDir()!, "logs", "netfilter");
  const files = logFiles(dir);
  it("finds the corpus logs", () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const p of files) {
    it(`gives what the reference gives: corpus/${relative(dir, p)}`, () => {
      expectSame(readFileSync(p));
    });
  }
});
