import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { join } from "node:path";
import { setupCheck, type CheckSetup } from "../../src/pipeline/check.js";
import { FindingTable } from "../../src/match/aggregate.js";
import { classifyBatch, createClassified } from "../../src/match/matcher.js";
import { commit, createBatch, LabelTable, reserve } from "../../src/decode/batch.js";
import { materialise, prepareReport, type InputSummary } from "../../src/report/build.js";
import { jsonReportChunks } from "../../src/report/render.js";
import type { Finding } from "../../src/report/types.js";
import { InputStats } from "../../src/decode/stats.js";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * A large JSON report is written straight from the finding table (PreparedReport.writeFinding,
 * jsonReportChunks); every other format reads finding objects. These tests hold the two to the same
 * bytes on generated tables with every kind of value: both families, ICMP, protocols without ports,
 * names and labels with quotes, backslashes, control and non-ASCII characters, times that are not
 * numbers or out of Date's usual range, text and binary inputs.
 */
const dir = tmpFiles({
  "inv.yaml": [
    "hosts:",
    '  "fs\\"01 \\\\ ファイル": 10.99.2.10',
    '  "ad\\u0001-01": 10.99.1.10',
    '  "v6-ad é": "fd00:99:1::10"',
    "roles:",
    '  customer-ad: [10.99.1.10, "fd00:99:1::10"]',
    "  customer-dns: [10.99.1.53]",
    '  file-share-client: [10.99.1.0/24, "fd00:99:1::/64"]',
    '  kcps-fs: [10.99.2.10, "fd00:99:2::10"]',
    "  kcps-fs-ad: [10.99.2.20]",
    "  kcps-fs-dns: [10.99.2.53]",
    "",
  ].join("\n"),
});
const setup: CheckSetup = setupCheck("kcps-file-server", join(dir, "inv.yaml"), [], new Map());

const V4 = [0x0a63010a, 0x0a630135, 0x0a630177, 0x0a63020a, 0x0a630214, 0x0a630235, 0xc0a80001, 0xfffffffe];
const V6 = [[0xfd000099, 0x00010000, 0, 0x10], [0xfd000099, 0x00020000, 0, 0x10], [0xfd000099, 0x00010000, 0, 0x99], [0x20010db8, 0, 0, 1]];
const LABELS = ["DROP", "ACCEPT", 'say "hi" \\ there', "ラベル\u0007", "handshake completed (SF/S1)"];

const ev = fc.record({
  v6: fc.boolean(), src: fc.nat(7), dst: fc.nat(7),
  proto: fc.constantFrom(6, 17, 1, 58, 47, 132),
  port: fc.constantFrom(53, 88, 135, 389, 445, 3389, 5985, 49152, 65535, 0, 8, 3),
  sport: fc.constantFrom(1024, 53, 88, 50000),
  action: fc.nat(2),
  time: fc.oneof(fc.integer({ min: 1_600_000_000_000, max: 1_800_000_000_000 }), fc.constant(Number.NaN), fc.constant(-1234.5), fc.constant(8.64e15)),
  label: fc.integer({ min: -1, max: LABELS.length - 1 }),
  input: fc.nat(1),
  position: fc.nat(1_000_000_000),
  // Captures carry a frame number (up to 2^32 - 1); 0 is "none".
  frame: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffffffff })),
});

type Ev = typeof ev extends fc.Arbitrary<infer T> ? T : never;

function tableOf(events: Ev[], inputs: InputSummary[]): FindingTable {
  const table = new FindingTable(16);
  for (let input = 0; input < inputs.length; input++) {
    const labels = new LabelTable();
    const ids = LABELS.map((l) => labels.intern(l));
    const mine = events.filter((e) => e.input === input);
    const b = createBatch(Math.max(1, mine.length), labels);
    for (const e of mine) {
      const i = reserve(b);
      b.family[i] = e.v6 ? 6 : 4;
      for (let j = 0; j < 4; j++) {
        b.src[i * 4 + j] = e.v6 ? V6[e.src % 4]![j]! : j === 0 ? V4[e.src]! : 0;
        b.dst[i * 4 + j] = e.v6 ? V6[e.dst % 4]![j]! : j === 0 ? V4[e.dst]! : 0;
      }
      const proto = e.v6 && e.proto === 1 ? 58 : !e.v6 && e.proto === 58 ? 1 : e.proto;
      b.proto[i] = proto;
      const ported = proto === 6 || proto === 17 || proto === 132;
      b.srcPort[i] = ported ? e.sport : -1;
      b.dstPort[i] = ported ? e.port : -1;
      b.icmpType[i] = ported ? -1 : proto === 47 ? -1 : e.port % 256;
      b.action[i] = e.action;
      b.time[i] = e.time;
      b.position[i] = e.position;
      b.frame[i] = e.frame;
      b.label[i] = e.label < 0 ? -1 : ids[e.label]!;
      b.count[i] = 1;
      commit(b);
    }
    const c = createClassified(b.capacity);
    classifyBatch(setup.matcher, b, c);
    table.addBatch(b, c, input);
  }
  return table;
}

function inputsOf(): InputSummary[] {
  const mk = (path: string, format: string): InputSummary => ({ path, format, compressed: false, stats: new InputStats() });
  return [mk('captures/"odd" dir/ü.pcapng', "pcapng"), mk("logs\\kern.log", "netfilter")];
}

function prepared(events: Ev[]) {
  const inputs = inputsOf();
  return prepareReport({
    table: tableOf(events, inputs), matcher: setup.matcher, ruleset: setup.ruleset, activeRules: setup.rules, scenarios: [],
    inventory: setup.inventory, inputs, failOn: ["blocked-required", "allowed-unexpected"], now: new Date(0),
  });
}

describe("JSON report written from the table", () => {
  it("gives each finding exactly the text JSON.stringify gives its object", () => {
    fc.assert(fc.property(fc.array(ev, { minLength: 1, maxLength: 60 }), (events) => {
      const p = prepared(events);
      for (let k = 0; k < p.length; k++) expect(p.findingJson(k)).toBe(JSON.stringify(p.finding(k)));
    }), { numRuns: 300 });
  });

  it("writes the whole report as JSON.stringify writes the materialised one, in whole-UTF-8 chunks", () => {
    fc.assert(fc.property(fc.array(ev, { minLength: 0, maxLength: 80 }), fc.integer({ min: 1, max: 4000 }), (events, chunkBytes) => {
      const p = prepared(events);
      const chunks = [...jsonReportChunks(p, chunkBytes)];
      for (const c of chunks) expect(Buffer.from(c.toString("utf8"), "utf8").equals(c)).toBe(true);
      const streamed = Buffer.concat(chunks).toString("utf8");
      expect(streamed).toBe(JSON.stringify(materialise(p)) + "\n");
    }), { numRuns: 200 });
  });

  it("writes the same bytes when chunks reuse the memory of earlier ones, each read as late as the next chunk (a pipe's queue)", () => {
    fc.assert(fc.property(fc.array(ev, { minLength: 0, maxLength: 80 }), fc.integer({ min: 1, max: 2000 }), (events, chunkBytes) => {
      const p = prepared(events);
      const copies: Buffer[] = [];
      const given: Buffer[] = [];
      // Chunk k is read only once chunk k + 1 is given: reuse may not have written over it by then.
      for (const c of jsonReportChunks(p, chunkBytes, true)) {
        if (given.length > 0) copies.push(Buffer.from(given[given.length - 1]!));
        given.push(c);
      }
      if (given.length > 0) copies.push(Buffer.from(given[given.length - 1]!));
      expect(Buffer.concat(copies).toString("utf8")).toBe(JSON.stringify(materialise(p)) + "\n");
      // Memory is reused: with three chunks or more, the third was written where the first had been.
      if (given.length >= 3) expect(given[2]!.buffer).toBe(given[0]!.buffer);
    }), { numRuns: 200 });
  });

  it("writes the objects' own text once they are made and changed (a baseline mark), and keeps shared lists frozen", () => {
    fc.assert(fc.property(fc.array(ev, { minLength: 1, maxLength: 40 }), (events) => {
      const p = prepared(events);
      const r = materialise(p);
      for (const f of r.findings) {
        f.baseline = "new";
        expect(Object.isFrozen(f.services) && Object.isFrozen(f.evidence)).toBe(true);
      }
      expect(Buffer.concat([...jsonReportChunks(p, 64)]).toString("utf8")).toBe(JSON.stringify(r) + "\n");
    }), { numRuns: 100 });
  });

  it("orders findings by verdict, roles, protocol, port, addresses (IPv4 first, numerically), action", () => {
    const rank = ["blocked-required", "allowed-unexpected", "unobserved-required", "inconclusive", "unclassified", "blocked-unexpected", "allowed-required"];
    const words = (a: string) => a.includes(":")
      ? [1, ...a.split(":").flatMap((g, _i, all) => g === "" ? Array(9 - all.length).fill(0) : [parseInt(g, 16)])]
      : [0, ...a.split(".").map(Number)];
    const cmpWords = (a: number[], b: number[]) => { for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0); return 0; };
    const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const cmp = (a: Finding, b: Finding) =>
      rank.indexOf(a.verdict) - rank.indexOf(b.verdict) || cmpStr(a.srcRole ?? "~", b.srcRole ?? "~") || cmpStr(a.dstRole ?? "~", b.dstRole ?? "~") ||
      cmpStr(a.protocol, b.protocol) || (a.port ?? a.icmpType ?? -1) - (b.port ?? b.icmpType ?? -1) ||
      cmpWords(words(a.src), words(b.src)) || cmpWords(words(a.dst), words(b.dst)) || cmpStr(a.action, b.action);
    fc.assert(fc.property(fc.array(ev, { minLength: 2, maxLength: 80 }), (events) => {
      const findings = materialise(prepared(events)).findings;
      for (let k = 1; k < findings.length; k++) expect(cmp(findings[k - 1]!, findings[k]!)).toBeLessThan(0);
    }), { numRuns: 200 });
  });
});

describe("a report with very many distinct evidence texts", () => {
  it("builds and streams with 140,000 of them (past the evidence-key packing and any argument-list limit)", () => {
    // A scan answered by RST from each of 140,000 hosts gives one evidence text per host.
    const n = 140_000;
    const labels = new LabelTable();
    const b = createBatch(n, labels);
    for (let k = 0; k < n; k++) {
      const i = reserve(b);
      b.family[i] = 4;
      b.src[i * 4] = 0x0a630105;
      b.dst[i * 4] = 0x0b000000 + k;
      b.proto[i] = 6;
      b.srcPort[i] = 50000;
      b.dstPort[i] = 445;
      b.icmpType[i] = -1;
      b.action[i] = 2;
      b.time[i] = 1_700_000_000_000 + k;
      b.position[i] = k * 60;
      b.label[i] = labels.intern(`rst: SYN answered by RST from host ${k}`);
      b.count[i] = 1;
      commit(b);
    }
    const table = new FindingTable(16);
    const c = createClassified(b.capacity);
    classifyBatch(setup.matcher, b, c);
    table.addBatch(b, c, 0);
    const again = FindingTable.fromData(table.toData());
    expect(again.size).toBe(n);
    const inputs = inputsOf();
    const p = prepareReport({
      table: again, matcher: setup.matcher, ruleset: setup.ruleset, activeRules: setup.rules, scenarios: [],
      inventory: setup.inventory, inputs, failOn: ["blocked-required"], now: new Date(0),
    });
    expect(p.length).toBe(n);
    const text = Buffer.concat([...jsonReportChunks(p)]).toString("utf8");
    const report = JSON.parse(text) as { findings: Finding[] };
    const evidence = new Set(report.findings.map((f) => f.evidence[0]));
    expect(evidence.size).toBe(n);
    for (const k of [0, 1, 77_777, n - 1]) expect(p.findingJson(k)).toBe(JSON.stringify(p.finding(k)));
    // 5 s alone; a full suite on the shared two-core machine has made it take over 30 s.
  }, 120_000);
});
