import { describe, it, expect } from "vitest";
import type { EventBatch } from "../../../src/decode/batch.js";
import type { InputStats } from "../../../src/decode/stats.js";
import { createLineDecoder, MAX_LINE_BYTES, type LineFormat } from "../../../src/decode/log/lines.js";
import { createNetfilterDecoder, NetfilterFormat } from "../../../src/decode/log/netfilter.js";
import { createWindowsFirewallDecoder } from "../../../src/decode/log/windows-firewall.js";
import { createCsvDecoder } from "../../../src/decode/log/csv.js";
import type { Decoder } from "../../../src/decode/decoder.js";
import { balanced, CHUNK_SIZES, decode, fixture, options } from "./helpers.js";

interface Seen {
  line: number;
  text: string;
}

/**
 * A format that records what it is handed. A record with an odd number of '"' asks for the next line
 * (as a CSV quoted field does); an empty line is skipped as "blank".
 */
function recorder() {
  const seen: Seen[] = [];
  const fmt: LineFormat = {
    format: "recorder",
    line(b: Buffer, start: number, end: number, lineNo: number, _batch: EventBatch, stats: InputStats): boolean {
      const text = b.toString("latin1", start, end);
      if (text === "") { stats.skip("blank", lineNo); return true; }
      if ((text.split('"').length - 1) % 2 === 1) return false;
      seen.push({ line: lineNo, text: text.length > 40 ? `${text.slice(0, 20)}...(${text.length})` : text });
      stats.use();
      return true;
    },
  };
  return { seen, fmt };
}

/** Feed `data` at `chunkSize`; what the format saw and the accounting. */
function run(data: Buffer, chunkSize?: number) {
  const r = recorder();
  const d = createLineDecoder(r.fmt);
  const step = chunkSize ?? Math.max(data.length, 1);
  for (let off = 0; off < data.length; off += step) d.push(data.subarray(off, Math.min(off + step, data.length)), () => {});
  d.end(() => {});
  return { seen: r.seen, read: d.stats.read, used: d.stats.used, skipped: d.stats.skippedObject(), samples: d.stats.samples, bytes: d.stats.bytes };
}

/** Run at every chunk size and require the same outcome; return it. */
function runAll(data: Buffer) {
  const whole = run(data);
  for (const size of CHUNK_SIZES) expect(run(data, size), `chunk size ${size}`).toEqual(whole);
  expect(whole.read).toBe(whole.used + Object.values(whole.skipped).reduce((a, b) => a + b, 0));
  return whole;
}

describe("lines: splitting", () => {
  it("drops the \\r of CRLF line ends but keeps a \\r inside a line", () => {
    const r = runAll(Buffer.from("a\r\nb\rc\r\nd\n"));
    expect(r.seen).toEqual([{ line: 1, text: "a" }, { line: 2, text: "b\rc" }, { line: 3, text: "d" }]);
  });

  it("reads a last line that has no newline", () => {
    expect(runAll(Buffer.from("a\nlast")).seen).toEqual([{ line: 1, text: "a" }, { line: 2, text: "last" }]);
    expect(runAll(Buffer.from("a\r\nlast\r")).seen).toEqual([{ line: 1, text: "a" }, { line: 2, text: "last" }]);
  });

  it("numbers blank lines and counts them", () => {
    const r = runAll(Buffer.from("\n\r\nx\n\n"));
    expect(r.seen).toEqual([{ line: 3, text: "x" }]);
    expect(r.skipped).toEqual({ blank: 3 });
  });

  it("reads nothing from an empty input", () => {
    expect(runAll(Buffer.alloc(0))).toMatchObject({ seen: [], read: 0 });
  });

  it("counts the bytes it was given", () => {
    expect(run(Buffer.from("abc\ndef"), 2).bytes).toBe(7);
  });

  it("drops a UTF-8 byte order mark before the first line only", () => {
    const bom = "\u{feff}";
    const r = runAll(Buffer.from(`${bom}a\n${bom}b\n`, "utf8"));
    expect(r.seen.map((s) => Buffer.from(s.text, "latin1").toString("hex"))).toEqual(["61", "efbbbf62"]);
  });
});

describe("lines: the line length cap", () => {
  const long = (n: number) => "x".repeat(n);

  it("skips a line longer than MAX_LINE_BYTES as line-too-long and reads the next one, at every chunk size", () => {
    const r = runAll(Buffer.from(`first\n${long(MAX_LINE_BYTES + 1)}\nnext\n`));
    expect(r.seen).toEqual([{ line: 1, text: "first" }, { line: 3, text: "next" }]);
    expect(r.skipped).toEqual({ "line-too-long": 1 });
    expect(r.samples).toEqual([{ position: 2, reason: "line-too-long" }]);
  });

  it("reads a line of exactly MAX_LINE_BYTES", () => {
    const r = runAll(Buffer.from(`${long(MAX_LINE_BYTES)}\nnext\n`));
    expect(r.seen).toEqual([{ line: 1, text: `xxxxxxxxxxxxxxxxxxxx...(${MAX_LINE_BYTES})` }, { line: 2, text: "next" }]);
  });

  it("counts the CR of a CRLF line towards the cap the same way in every chunking", () => {
    const r = runAll(Buffer.from(`${long(MAX_LINE_BYTES)}\r\nnext\r\n`));
    expect(r.skipped).toEqual({ "line-too-long": 1 });
    expect(r.seen).toEqual([{ line: 2, text: "next" }]);
  });

  it("skips an overlong last line that has no newline", () => {
    const r = runAll(Buffer.from(`a\n${long(MAX_LINE_BYTES + 10)}`));
    expect(r.seen).toEqual([{ line: 1, text: "a" }]);
    expect(r.samples).toEqual([{ position: 2, reason: "line-too-long" }]);
  });

  it("skips a record whose continuation line is overlong as one record, on the line it started", () => {
    const r = runAll(Buffer.from(`a"\n${long(MAX_LINE_BYTES + 1)}\nb\n`));
    expect(r.seen).toEqual([{ line: 3, text: "b" }]);
    expect(r.samples).toEqual([{ position: 1, reason: "line-too-long" }]);
    expect(r.read).toBe(2);
  });

  it("skips a joined record that grows past the cap", () => {
    const half = long(MAX_LINE_BYTES / 2);
    const r = runAll(Buffer.from(`"${half}\n${half}\n${half}"\nb\n`));
    expect(r.samples.map((x) => [x.position, x.reason])).toEqual([[1, "line-too-long"], [3, "unterminated-quote"]]);
    // The record was given up after its second line; the third (with its closing quote) opens a new one
    // that the end of input leaves open.
    expect(r.skipped).toEqual({ "line-too-long": 1, "unterminated-quote": 1 });
  });
});

describe("lines: records over several lines", () => {
  it("joins lines while the format asks, keeping LF or CRLF inside, numbering the record by its first line", () => {
    const r = runAll(Buffer.from('x\n"a\r\nb\nc"\r\ny\n'));
    expect(r.seen).toEqual([{ line: 1, text: "x" }, { line: 2, text: '"a\r\nb\nc"' }, { line: 5, text: "y" }]);
  });

  it("counts a record still open at the end as unterminated-quote", () => {
    const r = runAll(Buffer.from('x\n"open\nmore\n'));
    expect(r.seen).toEqual([{ line: 1, text: "x" }]);
    expect(r.skipped).toEqual({ "unterminated-quote": 1 });
    expect(r.samples).toEqual([{ position: 2, reason: "unterminated-quote", text: '"open\nmore' }]);
  });
});

describe("lines: batches", () => {
  it("hands full batches to emit and the rest at the end, the same events in every chunking", () => {
    const data = fixture("fixtures/logs/netfilter/elastic-integrations/test-iptables-raw.log");
    const make = () => createLineDecoder(new NetfilterFormat(options()), 4);
    const sizes: number[] = [];
    const d = make();
    d.push(data, (b) => sizes.push(b.length));
    d.end((b) => sizes.push(b.length));
    expect(sizes).toEqual([4, 4, 4, 4, 4, 2]);
    const whole = decode(make, data);
    expect(whole.events).toHaveLength(22);
    expect(balanced(whole.stats)).toBe(true);
    for (const size of CHUNK_SIZES) expect(decode(make, data, size)).toEqual(whole);
  });
});

describe("lines: an overlong line inside a real log", () => {
  const cases: [string, string, () => Decoder][] = [
    ["netfilter", "fixtures/kcps/kern.log", () => createNetfilterDecoder(options())],
    ["windows-firewall", "fixtures/logs/windows-firewall/plaso/firewall.log", () => createWindowsFirewallDecoder(options())],
    ["csv", "fixtures/logs/csv/handmade/aliases.csv", () => createCsvDecoder(options())],
  ];
  for (const [name, path, make] of cases) {
    it(`${name}: is skipped as line-too-long and every other line reads as before, at every chunk size`, () => {
      const data = fixture(path);
      const base = decode(make, data);
      const lines = data.toString("latin1").split("\n");
      // After line 3: a line of MAX_LINE_BYTES + 1 bytes that would otherwise look like the line before it.
      const junk = lines[2]!.padEnd(MAX_LINE_BYTES + 1, "9");
      const withJunk = Buffer.from([...lines.slice(0, 3), junk, ...lines.slice(3)].join("\n"), "latin1");
      const shift = (n: number) => (n > 3 ? n + 1 : n);
      for (const size of CHUNK_SIZES) {
        const r = decode(make, withJunk, size);
        expect(r.events, `chunk ${size}`).toEqual(base.events.map((e) => ({ ...e, line: shift(e.line!) })));
        expect(r.stats.read, `chunk ${size}`).toBe(base.stats.read + 1);
        expect(r.stats.skipped, `chunk ${size}`).toEqual({ ...base.stats.skipped, "line-too-long": 1 });
      }
    });
  }
});
