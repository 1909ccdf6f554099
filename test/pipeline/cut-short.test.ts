import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * A capture that was not read to its end is not a complete check: cut inside a record, or damaged so
 * that where the next record starts is lost. The records before the damage are still counted and
 * matched (their findings are in the report), the damage is counted as its skip, and the run says which
 * file, at which byte offset, and ends with status 2, as a gzip stream cut short does. Before, such a
 * capture was green whenever the part read held no violation (a new-user trial: 32 of 77 packets read).
 */
const KCPS = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json"];
const PCAP = readFileSync("fixtures/lab/captures/customer-side.pcap");
const PCAPNG = readFileSync("fixtures/lab/captures/router-both.pcapng");

/** A copy of `b` with its 32-bit word at `at` set to `v` (little-endian, as both fixtures are written). */
function withWord(b: Buffer, at: number, v: number): Buffer {
  const c = Buffer.from(b);
  c.writeUInt32LE(v, at);
  return c;
}

/** The byte offset of the n-th (0-based) record of a classic pcap. */
function pcapRecordAt(b: Buffer, n: number): number {
  let o = 24;
  for (let k = 0; k < n; k++) o += 16 + b.readUInt32LE(o + 8);
  return o;
}

/** The byte offset of the n-th (0-based) block of a pcapng file. */
function pcapngBlockAt(b: Buffer, n: number): number {
  let o = 0;
  for (let k = 0; k < n; k++) o += b.readUInt32LE(o + 4);
  return o;
}

/** `b` with a copy of its section header block, of major version 2, put before its n-th block. */
function withLaterSection(b: Buffer, n: number): Buffer {
  const shb = Buffer.from(b.subarray(0, b.readUInt32LE(4)));
  shb.writeUInt16LE(2, 12);
  const at = pcapngBlockAt(b, n);
  return Buffer.concat([b.subarray(0, at), shb, b.subarray(at)]);
}

const rec40 = pcapRecordAt(PCAP, 40);
const blk20 = pcapngBlockAt(PCAPNG, 20);
const CASES: [string, string, Buffer, number, RegExp][] = [
  ["pcap cut inside a record", "cut.pcap", PCAP.subarray(0, rec40 + 30), rec40, /the file ends inside a record/],
  ["pcap cut inside a record header", "cut-header.pcap", PCAP.subarray(0, rec40 + 7), rec40, /the file ends inside a record/],
  ["pcap with a record length beyond any capture's", "bad-length.pcap", withWord(PCAP, rec40 + 8, 0x7fffffff), rec40, /captured length beyond any capture's/],
  ["pcapng cut inside a block", "cut.pcapng", PCAPNG.subarray(0, blk20 + 30), blk20, /the file ends inside a block/],
  ["pcapng with a later section header of another version", "later-section.pcapng", withLaterSection(PCAPNG, 20), blk20, /a later section header has a bad byte-order magic or version/],
  ["pcapng with a block length that is not a multiple of 4", "bad-length.pcapng", withWord(PCAPNG, blk20 + 4, PCAPNG.readUInt32LE(blk20 + 4) + 2), blk20, /block's total length is not sound/],
];

describe("a capture not read to its end", () => {
  const saved = process.env.PORTMATRIX_PCAP_DECODER;
  afterEach(() => {
    if (saved === undefined) delete process.env.PORTMATRIX_PCAP_DECODER;
    else process.env.PORTMATRIX_PCAP_DECODER = saved;
  });

  // Classic pcap has two decoders (WebAssembly and the JS reference); pcapng one reader, run once.
  for (const decoder of ["wasm", "js"]) {
    it.each(CASES.filter((c) => decoder === "wasm" || c[1].endsWith(".pcap")))(`pcap decoder ${decoder}: %s: exit 2, one line naming the file and byte offset, the records before it checked`, async (_what, name, bytes, offset, says) => {
      process.env.PORTMATRIX_PCAP_DECODER = decoder;
      const dir = tmpFiles({});
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const r = await runCli(["check", ...KCPS, file]);
      expect(r.code).toBe(2);
      const line = r.stderr.split("\n").find((l) => l.includes(file))!;
      expect(line).toContain(`${file}: byte offset ${offset}: `);
      expect(line).toMatch(says);
      const report = JSON.parse(r.stdout) as { inputs: { error: string | null; records: { read: number; used: number; skipped: number }; skippedByReason: Record<string, number> }[]; checked: { problems: { code: string; fatal: boolean }[] }; findings: unknown[] };
      const input = report.inputs[0]!;
      expect(input.error).toContain(`byte offset ${offset}`);
      expect(input.records.read).toBe(input.records.used + input.records.skipped);
      expect(input.records.used).toBeGreaterThan(0);
      expect(report.findings.length).toBeGreaterThan(0);
      expect(report.checked.problems).toContainEqual(expect.objectContaining({ code: "input-error", fatal: true }));
    });
  }

  it("the whole capture, read to its end, is still a check (exit 1 for its violations)", async () => {
    const r = await runCli(["check", ...KCPS, "fixtures/lab/captures/customer-side.pcap"]);
    expect(r.code).toBe(1);
    const w = await runCli(["check", ...KCPS, "fixtures/lab/captures/router-both.pcapng"]);
    expect(w.code).toBe(1);
  });

  it("with --jobs 2 the cut capture is named the same way and the sound log beside it is still read", async () => {
    const dir = tmpFiles({});
    const file = join(dir, "cut.pcap");
    writeFileSync(file, PCAP.subarray(0, rec40 + 30));
    const r = await runCli(["check", ...KCPS, "--jobs", "2", file, "fixtures/kcps/kern.log"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: byte offset ${rec40}: the file ends inside a record`);
    const report = JSON.parse(r.stdout) as { inputs: { path: string; error: string | null; records: { used: number } }[] };
    expect(report.inputs.find((i) => i.path === "fixtures/kcps/kern.log")!.error).toBeNull();
    expect(report.inputs.find((i) => i.path === "fixtures/kcps/kern.log")!.records.used).toBeGreaterThan(0);
  });
});
