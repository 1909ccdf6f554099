/**
 * The finding table's count in WebAssembly (src/match/findings-wasm.ts, assembly/findings.ts) against
 * the JS reference (FindingTable.addBatch with PORTMATRIX_FINDINGS=js): on generated batches with
 * fuzzed keys, both must leave the same table, word for word (every record, so every column a report
 * reads, in the same order), the same evidence strings in the same order and the same per-input
 * accounting: with times that are NaN, more evidence labels per finding than its three slots, labels
 * reused across inputs, several inputs, batches larger than the module's staging slice, the table
 * moved into the module after some events counted in JS, the records and the index grown past the
 * reservation, merges (`--jobs`, partial results) and engine findings added to a module table.
 * Whole reports on real files: test/match/findings-wasm-files.test.ts.
 */
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { FindingTable, type FindingTableData } from "../../src/match/aggregate.js";
import { classifyBatch, createClassified } from "../../src/match/matcher.js";
import { commit, createBatch, LabelTable, reserve, type EventBatch } from "../../src/decode/batch.js";
import { setupCheck, type CheckSetup } from "../../src/pipeline/check.js";
import { findingsModule, moduleAfter, MODULE_AFTER } from "../../src/match/findings-wasm.js";
import { tmpFiles } from "../helpers/tmp.js";

const dir = tmpFiles({
  "inv.yaml": [
    "roles:",
    '  customer-ad: [10.0.0.0/9, "fd00::/17"]',
    '  kcps-fs: [10.128.0.0/9, "fd00:8000::/17"]',
    "  file-share-client: [192.168.0.0/16]",
    "",
  ].join("\n"),
});
const setup: CheckSetup = setupCheck("kcps-file-server", join(dir, "inv.yaml"), [], new Map());

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Gen { hosts: number; v6: number; labels: number; nanTime: number }

/** One batch of `n` fuzzed events of input `input`, labels drawn from `labels` (shared by an input's batches). */
function batchOf(rnd: () => number, n: number, labels: LabelTable, g: Gen): EventBatch {
  const b = createBatch(Math.max(1, n), labels);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  for (let k = 0; k < n; k++) {
    const i = reserve(b);
    const v6 = rnd() < g.v6;
    b.family[i] = v6 ? 6 : 4;
    for (const base of [b.src, b.dst]) {
      const h = Math.floor(rnd() * g.hosts);
      if (v6) {
        base[i * 4] = pick([0xfd000000, 0xfd008000, 0x20010db8]);
        base[i * 4 + 1] = h >>> 8;
        base[i * 4 + 2] = rnd() < 0.5 ? 0 : 0x80000000;
        base[i * 4 + 3] = h;
      } else {
        base[i * 4] = pick([0x0a000000, 0x0a800000, 0xc0a80000, 0xfffe0000]) + (h & 0xffff);
        base[i * 4 + 1] = base[i * 4 + 2] = base[i * 4 + 3] = 0;
      }
    }
    let proto = pick([6, 6, 17, 1, 58, 47]);
    if (v6 && proto === 1) proto = 58;
    if (!v6 && proto === 58) proto = 1;
    b.proto[i] = proto;
    const ported = proto === 6 || proto === 17;
    b.srcPort[i] = ported ? pick([1024, 53, 445, 50000, 0]) : -1;
    b.dstPort[i] = ported ? (rnd() < 0.3 ? Math.floor(rnd() * 65536) : pick([53, 88, 135, 445, 49152, 0])) : -1;
    b.icmpType[i] = ported || proto === 47 ? -1 : rnd() < 0.2 ? -1 : pick([0, 3, 8, 128, 129]);
    b.tcpFlags[i] = proto === 6 ? pick([-1, 0x02, 0x12, 0x10]) : -1;
    b.action[i] = Math.floor(rnd() * 4);
    b.blockedBy[i] = Math.floor(rnd() * 4);
    const t = rnd();
    b.time[i] = t < g.nanTime ? Number.NaN : t < g.nanTime + 0.02 ? -1.5 : 1_780_000_000_000 + Math.floor(rnd() * 1e9);
    b.position[i] = rnd() < 0.05 ? Number.NaN : Math.floor(rnd() * 1e12);
    b.frame[i] = rnd() < 0.5 ? 0 : Math.floor(rnd() * 0x100000000);
    b.label[i] = rnd() < 0.2 ? -1 : labels.intern(`label ${Math.floor(rnd() * g.labels)}`);
    b.count[i] = rnd() < 0.1 ? 0xffffffff : 1 + Math.floor(rnd() * 3);
    commit(b);
  }
  return b;
}

/** The same fuzzed events (`sizes[input]` = batch sizes) into a table made by `make`. */
function fill(make: () => FindingTable, seed: number, sizes: number[][], g: Gen): FindingTable {
  const rnd = lcg(seed);
  const t = make();
  sizes.forEach((batches, input) => {
    const labels = new LabelTable();
    for (const n of batches) {
      const b = batchOf(rnd, n, labels, g);
      const c = createClassified(b.capacity);
      classifyBatch(setup.matcher, b, c);
      t.addBatch(b, c, input);
    }
  });
  return t;
}

const js = (initial?: number, allocated?: number) => () => new FindingTable(initial, allocated, { moduleAfter: Infinity });
const wasm = (initial?: number, allocated?: number, after = 0) => () => new FindingTable(initial, allocated, { moduleAfter: after });

/** Everything a table holds, as comparable data (records as bytes: NaN payloads included). */
function dataOf(t: FindingTable): unknown {
  const d: FindingTableData = t.toData();
  return { size: d.size, records: Buffer.from(d.records.buffer, d.records.byteOffset, d.records.byteLength).toString("base64"), evidenceText: d.evidenceText, inputEvents: d.inputEvents };
}

function expectSameTables(a: FindingTable, b: FindingTable): void {
  expect(b.size).toBe(a.size);
  const da = a.toData(), db = b.toData();
  expect(db.evidenceText).toEqual(da.evidenceText);
  expect(db.inputEvents).toEqual(da.inputEvents);
  // Word by word first, for a readable first difference; then the bytes (NaN payloads).
  for (let w = 0; w < da.records.length; w++) {
    if (da.records[w] !== db.records[w]) expect({ record: Math.floor(w / 32), word: w % 32, module: db.records[w] }).toEqual({ record: Math.floor(w / 32), word: w % 32, module: da.records[w] });
  }
  expect(dataOf(b)).toEqual(dataOf(a));
  for (let e = 0; e < a.size; e++) expect(b.evidenceOf(e)).toEqual(a.evidenceOf(e));
}

const SLOW = 120_000;

describe("the finding table counted in WebAssembly", () => {
  it("is built (npm run build), and PORTMATRIX_FINDINGS chooses", () => {
    expect(findingsModule()).toBeDefined();
    expect(moduleAfter({ PORTMATRIX_FINDINGS: "js" })).toBe(Infinity);
    expect(moduleAfter({ PORTMATRIX_FINDINGS: "wasm" })).toBe(0);
    expect(moduleAfter({})).toBe(MODULE_AFTER);
  });

  const cases: [string, Gen, number[][], number?, number?][] = [
    ["few hosts: counts, first and last fold, NaN times, labels beyond the slots", { hosts: 6, v6: 0.2, labels: 9, nanTime: 0.3 }, [[500, 1], [0, 700], [300]]],
    ["many hosts: mostly new findings", { hosts: 5000, v6: 0.3, labels: 4, nanTime: 0.05 }, [[3000], [2000, 2500], [10]]],
    ["batches larger than the staging slice, labels first seen deep in a slice", { hosts: 300, v6: 0.1, labels: 40, nanTime: 0.1 }, [[20_000], [9000]]],
    ["records and index grown past a small reservation", { hosts: 3000, v6: 0.5, labels: 3, nanTime: 0.02 }, [[4000, 4000], [4000]], 1024, 64],
    ["every time NaN", { hosts: 50, v6: 0, labels: 2, nanTime: 1 }, [[2000], [2000]]],
  ];
  for (const [name, g, sizes, initial, allocated] of cases) {
    it(name, () => {
      for (const seed of [1, 2, 3]) {
        const a = fill(js(initial, allocated), seed, sizes, g);
        const b = fill(wasm(initial, allocated), seed, sizes, g);
        expect(a.size).toBeGreaterThan(0);
        expectSameTables(a, b);
      }
    }, SLOW);
  }

  it("moves a table counted in JS into the module with its records, index and label ids", () => {
    // Few hosts: keys counted before the move recur after it.
    const g: Gen = { hosts: 12, v6: 0.2, labels: 12, nanTime: 0.1 };
    const sizes = [[700, 700, 700], [700, 900], [500]];
    for (const after of [1, 700, 1400, 2500]) {
      const a = fill(js(), 9, sizes, g);
      const b = fill(wasm(undefined, undefined, after), 9, sizes, g);
      expectSameTables(a, b);
    }
  }, SLOW);

  it("stays in JS, whole, when the module cannot be instantiated; fails only when asked to count there from the start", () => {
    const g: Gen = { hosts: 300, v6: 0.2, labels: 5, nanTime: 0.1 };
    const sizes = [[700, 700], [500]];
    const a = fill(js(), 5, sizes, g);
    const wa = (globalThis as unknown as { WebAssembly: { Instance: unknown } }).WebAssembly;
    const Instance = wa.Instance;
    // What a memory the system refuses looks like.
    wa.Instance = class { constructor() { throw new RangeError("WebAssembly.Instance(): Out of memory"); } };
    try {
      expectSameTables(a, fill(wasm(undefined, undefined, 700), 5, sizes, g));
      expect(() => fill(wasm(), 5, sizes, g)).toThrow(/Out of memory/);
    } finally {
      wa.Instance = Instance;
    }
  }, SLOW);

  it("holds the default reservation's growth: past 2^18 findings", () => {
    const g: Gen = { hosts: 60000, v6: 0, labels: 2, nanTime: 0 };
    const sizes = [[150_000, 150_000], [100_000]];
    const a = fill(js(), 4, sizes, g);
    const b = fill(wasm(), 4, sizes, g);
    expect(a.size).toBeGreaterThan(1 << 18);
    expectSameTables(a, b);
  }, SLOW);

  it("never grows its memory below the reservation: a grown memory detaches a buffer, which slows every typed array in V8", () => {
    // Each memory made, with the buffer it had when made (a grown memory has a new one).
    const made: { m: { buffer: ArrayBuffer }; b: ArrayBuffer }[] = [];
    const wa = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly;
    const Memory = wa.Memory;
    wa.Memory = class extends Memory { constructor(d: { initial: number }) { super(d); made.push({ m: this, b: this.buffer }); } };
    try {
      const t = new FindingTable(undefined, undefined, { moduleAfter: 0 });
      const rnd = lcg(11);
      const g: Gen = { hosts: 60000, v6: 0, labels: 300, nanTime: 0 };
      const labels = new LabelTable();
      for (let k = 0; k < 30; k++) {
        const b = batchOf(rnd, 8192, labels, g);
        const c = createClassified(b.capacity);
        classifyBatch(setup.matcher, b, c);
        t.addBatch(b, c, 0);
      }
      expect(t.size).toBeGreaterThan(200_000);
      expect(t.size).toBeLessThan(1 << 18);
      expect(made.length).toBe(1);
      expect(made[0]!.m.buffer).toBe(made[0]!.b);
    } finally {
      wa.Memory = Memory;
    }
  }, SLOW);

  it("merges (--jobs, partial results) and engine findings into a module table as into a JS one", () => {
    const g: Gen = { hosts: 200, v6: 0.3, labels: 7, nanTime: 0.2 };
    for (const [mine, other] of [[js(), js()], [wasm(), wasm()], [wasm(), js()], [js(), wasm()]] as const) {
      const ref = fill(js(), 5, [[3000]], g);
      ref.merge(fill(js(), 6, [[], [2000, 2000]], g).toData());
      const t = fill(mine, 5, [[3000]], g);
      t.merge(fill(other, 6, [[], [2000, 2000]], g).toData());
      expectSameTables(ref, t);
      // A worker's table as data merged into an empty module table, then more events counted on top.
      const onTopRef = fill(js(), 8, [[], [], [1000]], g);
      const onTop = fill(wasm(), 8, [[], [], [1000]], g);
      onTopRef.merge(ref.toData());
      onTop.merge(t.toData());
      expectSameTables(onTopRef, onTop);
    }
    const f = { verdict: 2, action: 2, family: 4, proto: 6, blockedBy: 1, port: 445, src: [0x0a000001, 0, 0, 0], dst: [0x0a800001, 0, 0, 0], count: 5, first: Number.NaN, last: 7, srcSet: 1, dstSet: 2, firstSrcPort: 50000, input: 1, position: 9, evidence: ["x", "label 3", "y", "z"] };
    const a = fill(js(), 7, [[2000]], g), b = fill(wasm(), 7, [[2000]], g);
    for (const t of [a, b]) { t.addFinding(f); t.addFinding({ ...f, port: 446 }); t.addFinding(f); }
    expectSameTables(a, b);
  }, SLOW);
});
