import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.js";
import { InputStats } from "../../../src/decode/stats.js";
import { decodeExport, type ExportContext } from "../../../src/decode/flow/netflow.js";
import { createFlowRecordBatch } from "../../../src/decode/flow/records.js";
import { TemplateCache } from "../../../src/decode/flow/templates.js";

/**
 * Hostile and damaged export messages, each with the exact accounting it must give. The messages are
 * real ones (the YAF and ASA payloads in fixtures/flows/sources/) cut or altered one field at a time.
 */
const SRC = "fixtures/flows/sources";
const yafTemplates = readFileSync(`${SRC}/ipfix_test_yaf_tpls_option_tpl.dat`);
const yafTemplate = readFileSync(`${SRC}/ipfix_test_yaf_tpl45841.dat`);
const yafData = readFileSync(`${SRC}/ipfix_test_yaf_data45841.dat`);
const asaTpl = readFileSync(`${SRC}/netflow9_test_cisco_asa_1_tpl.dat`);
const asaData = readFileSync(`${SRC}/netflow9_test_cisco_asa_1_data.dat`);

function run(...messages: Buffer[]) {
  const stats = new InputStats();
  const out = createFlowRecordBatch(64);
  const cache = new TemplateCache();
  let flows = 0;
  const ctx: ExportContext = { out, stats, cache, makeRoom: () => { flows += out.batch.length; out.batch.length = 0; } };
  messages.forEach((m, i) => decodeExport(m, 0, m.length, "192.0.2.1", i, ctx));
  flows += out.batch.length;
  return { flows, skipped: stats.skippedObject(), read: stats.read, used: stats.used, notes: stats.notesObject(), out };
}

function patched(b: Buffer, at: number, bytes: number[]): Buffer {
  const c = Buffer.from(b);
  bytes.forEach((v, k) => { c[at + k] = v; });
  return c;
}

describe("damaged NetFlow v9 / IPFIX messages are counted, never followed", () => {
  it("the real YAF messages in order: 1 flow after its templates", () => {
    const r = run(yafTemplates, yafTemplate, yafData);
    expect(r.flows).toBe(1);
    expect(r.read).toBe(r.used + Object.values(r.skipped).reduce((a, b) => a + b, 0));
  });
  it("data before its template: one template-missing per set, and a note", () => {
    const r = run(yafData);
    expect(r).toMatchObject({ flows: 0, skipped: { "template-missing": 1 }, notes: { datagrams: 1, "template-misses": 1 } });
  });
  it("a message cut inside its header", () => {
    expect(run(yafData.subarray(0, 10)).skipped).toEqual({ "truncated-header": 1 });
    expect(run(yafData.subarray(0, 1)).skipped).toEqual({ "truncated-header": 1 });
  });
  it("an IPFIX length beyond the datagram", () => {
    expect(run(patched(yafData, 2, [0xff, 0xff])).skipped).toEqual({ "bad-message-length": 1 });
  });
  it("an unknown version", () => {
    expect(run(patched(yafData, 0, [0, 7])).skipped).toEqual({ "bad-version-7": 1 });
  });
  it("a set length beyond the message", () => {
    // The first set header is right after the 16-byte IPFIX header.
    const r = run(yafTemplates, yafTemplate, patched(yafData, 18, [0xff, 0xf0]));
    expect(r.skipped["bad-set-length"]).toBe(1);
    expect(r.flows).toBe(0);
  });
  it("a set length below its own header", () => {
    expect(run(yafTemplates, yafTemplate, patched(yafData, 18, [0, 2])).skipped["bad-set-length"]).toBe(1);
  });
  it("a data record cut short: truncated-record, the flows before it kept", () => {
    const cut = Buffer.from(yafData.subarray(0, yafData.length - 10));
    cut.writeUInt16BE(cut.length, 2);
    cut.writeUInt16BE(cut.length - 16, 18);
    const r = run(yafTemplates, yafTemplate, cut);
    expect(r.skipped["truncated-record"]).toBe(1);
  });
  it("a template with a field of length 0 is refused, and so are the records that would need it", () => {
    // In the v9 ASA template message, the first template's first field length (offset 20 set header,
    // +4 template id/count, +2 field type) set to 0.
    const r = run(patched(asaTpl, 20 + 4 + 4 + 2, [0, 0]), asaData);
    expect(r.skipped["bad-template"]).toBe(1);
    expect(r.skipped["template-missing"]).toBeGreaterThan(0);
  });
  it("a template id below 256 (a set id) is refused", () => {
    expect(run(patched(asaTpl, 24, [0, 5])).skipped["bad-template"]).toBe(1);
  });
  it("templates beyond the per-exporter limit are refused and counted", () => {
    const stats = new InputStats();
    const out = createFlowRecordBatch(64);
    const ctx: ExportContext = { out, stats, cache: new TemplateCache(4, 8), makeRoom: () => { out.batch.length = 0; } };
    decodeExport(yafTemplates, 0, yafTemplates.length, "y", 0, ctx);
    // 13 template records, some redefining an id already held (which a full cache still takes).
    expect(stats.skippedObject()).toMatchObject({ template: 9, "template-over-limit": 4 });
  });
  it("the template cache is bounded: exporters beyond the limit push the oldest out", () => {
    const stats = new InputStats();
    const cache = new TemplateCache(2, 8);
    const out = createFlowRecordBatch(64);
    const ctx: ExportContext = { out, stats, cache, makeRoom: () => { out.batch.length = 0; } };
    for (const who of ["a", "b", "c"]) decodeExport(asaTpl, 0, asaTpl.length, who, 0, ctx);
    expect(cache.size).toBe(2);
    expect(cache.evicted).toBe(1);
    // "a" was forgotten: its data now misses its templates.
    decodeExport(asaData, 0, asaData.length, "a", 1, ctx);
    expect(stats.skippedObject()["template-missing"]).toBeGreaterThan(0);
  });
  it("every prefix of a real message, and every single-byte change of its header, is counted without a throw", () => {
    const msg = Buffer.concat([yafTemplates]);
    for (let n = 0; n <= msg.length; n += 7) {
      const r = run(yafTemplates.subarray(0, n));
      expect(r.read).toBe(r.used + Object.values(r.skipped).reduce((a, b) => a + b, 0));
    }
    for (let at = 0; at < 24; at++) {
      for (const v of [0, 0xff, 0x80]) {
        const r = run(yafTemplates, patched(yafTemplate, at, [v]), yafData);
        expect(r.read).toBe(r.used + Object.values(r.skipped).reduce((a, b) => a + b, 0));
      }
    }
  });
});

/**
 * A damaged export inside a real capture (softflowd's v9 export of the kcps capture: two datagrams, the
 * first set of the second at byte 1508 of the file) is reported at the byte of the set that stopped the
 * reading, not at the packet that held it, and each record at its own byte.
 */
describe("a damaged export in a capture is reported at its own byte", () => {
  const capture = readFileSync("fixtures/flows/kcps-customer-side.v9.pcap");
  const dir = mkdtempSync(join(tmpdir(), "portmatrix-damaged-export-"));
  it("a set length beyond its datagram: one line per skip, at the set's offset in the file", async () => {
    expect(capture.readUInt16BE(1508)).toBe(1024);
    const file = join(dir, "bad-set.pcap");
    writeFileSync(file, patched(capture, 1510, [0xff, 0xff]));
    const r = await runCli(["events", "--skipped", file]);
    // `--skipped` writes its lines to stderr, beside the summary.
    const skipped = r.stderr.split("\n").filter((l) => l.includes('"skipped"')).map((l) => JSON.parse(l) as { offset: number; skipped: string });
    expect(skipped.filter((s) => s.skipped === "bad-set-length")).toEqual([{ input: file, offset: 1508, skipped: "bad-set-length" }]);
    // The templates of the first datagram, each at its own byte inside the template set at 102.
    const templates = skipped.filter((s) => s.skipped === "template").map((s) => s.offset);
    expect(templates).toEqual([106, 178, 242, 314]);
    // The first datagram's flows are kept; the summary is one line: read = used + skipped by reason.
    expect(r.stderr).toContain("bad-set.pcap (netflow): 27 read, 16 used, 11 skipped (bad-set-length 1, icmpv6-control 4, options-record 1, options-template 1, template 4); datagrams 2\n");
  });
});

describe("an ICMP flow record that carries no type at all", () => {
  /** IPFIX: a template of source, destination and protocol only (no ports, no ICMP fields), one ICMP record. */
  function ipfixIcmpWithoutType(): Buffer {
    const fields: Array<[number, number]> = [[8, 4], [12, 4], [4, 1]];
    const tpl = Buffer.alloc(4 + 4 + fields.length * 4);
    tpl.writeUInt16BE(2, 0); tpl.writeUInt16BE(tpl.length, 2); tpl.writeUInt16BE(256, 4); tpl.writeUInt16BE(fields.length, 6);
    fields.forEach(([id, len], k) => { tpl.writeUInt16BE(id, 8 + k * 4); tpl.writeUInt16BE(len, 10 + k * 4); });
    const data = Buffer.from([1, 0, 0, 13, 192, 0, 2, 10, 198, 51, 100, 20, 1]);
    const head = Buffer.alloc(16);
    head.writeUInt16BE(10, 0); head.writeUInt16BE(16 + tpl.length + data.length, 2); head.writeUInt32BE(1_700_000_000, 4);
    return Buffer.concat([head, tpl, data]);
  }
  it("is a flow of unknown ICMP type, not a skip", () => {
    const r = run(ipfixIcmpWithoutType());
    // The template set is a record of its own, counted as such; the data record is the flow.
    expect(r.skipped).toEqual({ template: 1 });
    expect(r.flows).toBe(1);
    expect(r.out.batch.proto[0]).toBe(1);
    expect(r.out.batch.icmpType[0]).toBe(-1);
  });
});
