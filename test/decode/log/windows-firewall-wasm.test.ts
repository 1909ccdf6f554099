/**
 * The Windows Firewall reader's WebAssembly fast path (assembly/wfw.ts, src/decode/log/windows-firewall-wasm.ts)
 * against the JS reference (WindowsFirewallFormat.line alone): on every Windows Firewall log of the corpus
 * and of fixtures/, on a generated log that holds every kind of row the fast path must take or leave
 * (headers changing the columns, CRLF, tabs, fractions of seconds, new days, more action and protocol words
 * than it learns, IPv6 of every written form, ICMP of every type and odd codes, bad addresses and ports), and on thousands of mutated copies of it, fed whole
 * and in odd chunk sizes into tiny batches: the same events (every field of the batch), the same batches,
 * the same skips in the same order at the same lines, the same accounting.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Decoder } from "../../../src/decode/decoder.js";
import { createWindowsFirewallDecoder, WindowsFirewallFormat } from "../../../src/decode/log/windows-firewall.js";
import { WfwFastPath } from "../../../src/decode/log/windows-firewall-wasm.js";
import { logDecoderKind, rowModule } from "../../../src/decode/log/wasm-rows.js";
import { createLineDecoder } from "../../../src/decode/log/lines.js";
import { corpusDir, describeNeeding, needCorpus, REPO_ROOT } from "../../helpers/need.js";
import { prng } from "../pcap/mutate.js";
import { options } from "./helpers.js";
import { expectSameReaders, logFiles, run, v6, type Ways } from "./fast-path-harness.js";

/** The fast path's decoder, with its instance (to ask how many rows it took). */
function fastDecoder(capacity: number): { decoder: Decoder; fast: WfwFastPath } {
  const fast = new WfwFastPath(capacity);
  return { decoder: createLineDecoder(new WindowsFirewallFormat(options(), fast), capacity), fast };
}

/** Both readers agree on `data` read in each way; returns the share of rows the fast path took. */
const expectSame = (data: Buffer, ways?: Ways): number =>
  expectSameReaders(data, (capacity) => createWindowsFirewallDecoder(options(), capacity, "js"), fastDecoder, ways);

const HEADER = "#Version: 1.5\n#Software: Microsoft Windows Firewall\n#Time Format: Local\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid\n\n";


/** A log with every kind of row the fast path must take, or leave to the reference. */
function generated(seed: number, rows: number): string {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const actions = ["ALLOW", "ALLOW", "DROP", "DROP", "allow", "Drop", "OPEN", "CLOSE", "OPEN-INBOUND", "INFO-EVENTS-LOST", "FOO", ...Array.from({ length: 20 }, (_, k) => `W${k}`)];
  const protos = ["TCP", "TCP", "UDP", "UDP", "tcp", "udp", "6", "17", "ICMP", "ICMPv6", "2", "GRE", "-", "XYZ"];
  const addrs = ["10.1.2.3", "10.2.0.1", "192.168.1.20", "255.255.255.255", "0.0.0.0", "fe80::1", "2001:db8::2", "010.1.1.1", "1.2.3", "256.1.1.1", "-", "1.2.3.4.5"];
  const ports = ["80", "445", "65535", "65536", "0", "-", "x1", "0080", "1234567890", "53"];
  const dates = ["2026-11-01", "2026-11-01", "2026-11-02", "2026-12-31", "2027-01-01", "2026-13-01", "2026-11-00", "2026/11/01", "26-11-01"];
  const times = ["00:00:00", "23:59:59", "12:34:56", "12:34:56.789", "24:00:00", "12:60:00", "12:34:60", "1:2:3", "12:34:5x"];
  const layouts = [
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid",
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path",
    "#Fields: time date protocol action dst-ip src-ip dst-port src-port path tcpflags",
    "#Fields: date time action protocol src-ip dst-ip",
    "#Fields: date time src-ip",
  ];
  let layout = 0;
  let out = HEADER;
  for (let r = 0; r < rows; r++) {
    const u = rnd();
    if (u < 0.01) { layout = Math.floor(rnd() * layouts.length); out += `${layouts[layout]}\n`; continue; }
    if (u < 0.015) { out += pick(["", "   ", "\t", "#Software: x", "garbage line", "\r"]) + "\n"; continue; }
    const sep = () => (rnd() < 0.03 ? pick(["  ", "\t", " \t "]) : " ");
    const date = rnd() < 0.9 ? "2026-11-01" : pick(dates);
    const time = rnd() < 0.9 ? `0${Math.floor(rnd() * 10)}:${10 + Math.floor(rnd() * 50)}:${10 + Math.floor(rnd() * 50)}` : pick(times);
    const proto = rnd() < 0.7 ? pick(protos.slice(0, 4)) : rnd() < 0.5 ? pick(["ICMP", "ICMP", "icmp", "1"]) : pick(protos);
    const action = rnd() < 0.8 ? pick(actions.slice(0, 4)) : pick(actions);
    const six = rnd() < 0.2;
    const src = six ? v6(rnd) : rnd() < 0.9 ? `10.1.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}` : pick(addrs);
    const dst = six ? (rnd() < 0.9 ? v6(rnd) : pick(addrs)) : rnd() < 0.9 ? `10.2.0.${Math.floor(rnd() * 256)}` : pick(addrs);
    const sp = rnd() < 0.9 ? String(1024 + Math.floor(rnd() * 60000)) : pick(ports);
    const dp = rnd() < 0.9 ? pick(["80", "445", "53", "139"]) : pick(ports);
    const flags = pick(["S", "A", "AP", "F", "R", "-", "SA", "u", "x"]);
    const path = pick(["RECEIVE", "SEND", "-", "RXCXXXX", "FORWARD"]);
    const byName: Record<string, string> = {
      date, time, action, protocol: proto, "src-ip": src, "dst-ip": dst, "src-port": sp, "dst-port": dp, size: "60",
      tcpflags: flags, tcpsyn: "-", tcpack: "-", tcpwin: "-", icmptype: rnd() < 0.6 ? pick(["8", "0", "13"]) : pick(["3", "4", "5", "11", "12", "-", "300", "255", "256", "x", "08", "1234567890"]),
      icmpcode: rnd() < 0.8 ? pick(["0", "-"]) : pick(["255", "256", "x", "70000", "1234567890"]),
      info: "-", path, pid: "4",
    };
    const names = layouts[layout]!.slice(9).split(" ");
    let cols = names.map((n) => byName[n] ?? "-");
    if (rnd() < 0.02) cols = cols.slice(0, cols.length - 1);
    if (rnd() < 0.02) cols.push("extra");
    let line = (rnd() < 0.02 ? pick([" ", "\t"]) : "") + cols.map((c, k) => (k === 0 ? c : sep() + c)).join("");
    if (rnd() < 0.03) line += pick([" ", "\t", "  "]);
    if (rnd() < 0.1) line += "\r";
    out += `${line}\n`;
  }
  return out;
}

/** `text` with a few bytes of some lines changed, dropped, doubled or inserted. */
function mutated(text: string, rnd: () => number): Buffer {
  const b = [...Buffer.from(text)];
  const alphabet = [32, 9, 10, 13, 35, 45, 46, 58, 48, 57, 49, 65, 83, 84, 97, 0, 255, 0xc3];
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

const FIXTURES = logFiles(join(REPO_ROOT, "fixtures", "logs", "windows-firewall"));

describe("the Windows Firewall reader's WebAssembly fast path", () => {
  it("was built by npm run build, and is used unless told otherwise", () => {
    expect(rowModule("wfw")).toBeDefined();
    expect(logDecoderKind({})).toBe("wasm");
    expect(logDecoderKind({ PORTMATRIX_LOG_DECODER: "js" })).toBe("js");
    expect(logDecoderKind({ PORTMATRIX_LOG_DECODER: "wasm" })).toBe("wasm");
  });

  it("takes ICMP rows of a type that is a flow itself, and leaves errors to the reference", () => {
    const row = (proto: string, type: string) => `2026-11-01 00:00:00 ALLOW ${proto} 10.1.13.10 10.2.0.155 - - 60 - - - - ${type} 0 - RECEIVE 4\n`;
    const { decoder, fast } = fastDecoder(8192);
    let events = 0;
    decoder.push(Buffer.from(HEADER + row("ICMP", "8") + row("ICMP", "0") + row("ICMP", "-") + row("ICMP", "3")), (b) => { events += b.length; });
    decoder.end((b) => { events += b.length; });
    expect([events, fast.rowsTaken, decoder.stats.skippedByReason.get("icmp-error")]).toEqual([3, 2, 1]);
  });

  it("takes the ordinary rows itself (the reference reads the rest)", () => {
    // Rows of one day: the first is the reference's (it teaches the words), the others the module's.
    const text = HEADER + "2026-11-01 00:00:00 ALLOW TCP 10.1.1.1 10.2.0.1 50000 445 60 S - - - - - - RECEIVE 4\n".repeat(4);
    const { decoder, fast } = fastDecoder(8192);
    let events = 0;
    decoder.push(Buffer.from(text), (b) => { events += b.length; });
    decoder.end((b) => { events += b.length; });
    expect([events, fast.rowsTaken]).toEqual([4, 3]);
    // The format record (what check, why and events use) reads with it unless told otherwise.
    expect(createWindowsFirewallDecoder(options()).stats).toBeDefined();
  });

  it("finds Windows Firewall fixtures to compare on", () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(3);
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
    // The base itself: 18% of its rows are the module's (it switches to column layouts the module never
    // takes, and holds IPv6 forms and ICMP errors it leaves); mutated copies must keep it taking many.
    expect(expectSame(Buffer.from(base))).toBeGreaterThan(0.15);
    let share = 0;
    for (let k = 0; k < 300; k++) share += expectSame(mutated(base, rnd), [[undefined, 8192], [13, 2]]);
    expect(share / 300).toBeGreaterThan(0.12);
  }, 120_000);

  it("gives what the reference gives when a line is longer than the module's chunk area", () => {
    const row = "2026-11-01 00:00:00 ALLOW TCP 10.1.1.1 10.2.0.1 50000 445 60 S - - - - - - RECEIVE 4\n";
    const long = `2026-11-01 00:00:00 ALLOW TCP 10.1.1.1 10.2.0.1 50000 445 60 S - - - - - - RECEIVE ${"9".repeat((1 << 20) + 10)}\n`;
    const data = Buffer.from(HEADER + row.repeat(20000) + long + row.repeat(3) + "x".repeat((1 << 20) - 5) + "\n" + row.repeat(5));
    expect(expectSame(data, [[undefined, 8192], [1 << 20, 8192], [(1 << 20) + 100, 7]])).toBeGreaterThan(0.9);
  }, 120_000);
});

describeNeeding([needCorpus], "the Windows Firewall fast path on the shared corpus", () => {
  const dir = join(corpusDir()!, "logs", "windows-firewall");
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
