import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { FindingTable } from "../../src/match/aggregate.js";
import { createBatch, commit, reserve, LabelTable, type EventBatch } from "../../src/decode/batch.js";
import { createClassified, type Classified } from "../../src/match/matcher.js";

/** One event as the test generates it. */
interface Ev { src: number; dst: number; proto: number; port: number; sport: number; verdict: number; action: number; time: number; label: number; rev: number; count: number }

const LABELS = ["DROP", "ACCEPT", "handshake completed (SF/S1)", "unanswered: 2 SYNs over 1.0 s (S0)"];

const evArb: fc.Arbitrary<Ev> = fc.record({
  src: fc.integer({ min: 0, max: 3 }), dst: fc.integer({ min: 0, max: 3 }), proto: fc.constantFrom(6, 17, 1, 58),
  port: fc.integer({ min: 0, max: 3 }), sport: fc.integer({ min: 1000, max: 1003 }), verdict: fc.integer({ min: 0, max: 5 }),
  action: fc.integer({ min: 0, max: 2 }),
  time: fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constant(Number.NaN)), label: fc.integer({ min: -1, max: 3 }),
  rev: fc.integer({ min: 0, max: 1 }), count: fc.integer({ min: 1, max: 3 }),
});

/** The events of one input as a batch (with its own label table) and its classification. */
function batchOf(evs: Ev[]): { b: EventBatch; c: Classified } {
  const labels = new LabelTable();
  // Each input interns its labels in its own order, as decoders do.
  const ids = [...LABELS].reverse().map((l) => labels.intern(l)).reverse();
  const b = createBatch(Math.max(1, evs.length), labels);
  const c = createClassified(Math.max(1, evs.length));
  for (const e of evs) {
    const i = reserve(b);
    b.family[i] = 4;
    b.src[i * 4] = 0x0a000000 + e.src;
    b.dst[i * 4] = 0x0a000100 + e.dst;
    b.proto[i] = e.proto;
    b.srcPort[i] = e.sport;
    b.dstPort[i] = 440 + e.port;
    b.icmpType[i] = e.port;
    b.action[i] = e.action;
    b.time[i] = e.time;
    b.position[i] = i + 1;
    b.label[i] = e.label < 0 ? -1 : ids[e.label]!;
    b.count[i] = e.count;
    c.verdict[i] = e.verdict;
    c.reversed[i] = e.rev;
    c.srcSet[i] = e.src % 2;
    c.dstSet[i] = e.dst % 3;
    commit(b);
  }
  return { b, c };
}

function snapshot(t: FindingTable) {
  const out: unknown[] = [];
  for (let e = 0; e < t.size; e++) {
    const k = t.keyOf(e);
    out.push([k.verdict, k.action, k.family, k.proto, k.port, [...k.src], [...k.dst], t.count[e], t.first[e], t.last[e], t.srcSet[e],
      t.dstSet[e], t.firstSrcPort[e], t.input[e], t.position[e], t.evidenceOf(e)]);
  }
  return out;
}

describe("FindingTable.merge", () => {
  it("merging per-run tables in input order gives the table of one pass over every input", () => {
    fc.assert(fc.property(fc.array(fc.array(evArb, { maxLength: 40 }), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 5 }), (inputs, cut) => {
      const one = new FindingTable(16);
      inputs.forEach((evs, idx) => { const { b, c } = batchOf(evs); one.addBatch(b, c, idx); });
      // Inputs cut into contiguous runs, each counted into a table of its own (as worker threads do).
      const runs: number[][] = [];
      for (let i = 0; i < inputs.length; i++) {
        if (runs.length === 0 || (i % cut === 0 && runs.length < cut)) runs.push([]);
        runs[runs.length - 1]!.push(i);
      }
      const parts = runs.map((run) => {
        const t = new FindingTable(16);
        for (const idx of run) { const { b, c } = batchOf(inputs[idx]!); t.addBatch(b, c, idx); }
        return t.toData();
      });
      const merged = FindingTable.fromData(parts[0]!);
      for (const p of parts.slice(1)) merged.merge(p);
      expect(snapshot(merged)).toEqual(snapshot(one));
    }), { numRuns: 300 });
  });

  it("keeps counting correctly after growing past its initial size", () => {
    const t = new FindingTable(16);
    const evs: Ev[] = [];
    for (let i = 0; i < 3000; i++) evs.push({ src: i % 4, dst: (i >> 2) % 4, proto: 6, port: i % 50, sport: 1000, verdict: i % 6, action: 1, time: i, label: i % 4, rev: 0, count: 1 });
    const { b, c } = batchOf(evs);
    t.addBatch(b, c, 0);
    t.addBatch(b, c, 1);
    let total = 0;
    for (let e = 0; e < t.size; e++) total += t.count[e]!;
    expect(total).toBe(6000);
    expect(FindingTable.fromData(t.toData()).size).toBe(t.size);
  });

  it("a table made with its default reservation reads the same across its first growth, and as data", () => {
    // 4,096 records are allocated first, then the whole reservation (issue 18: a 1-packet run never allocates it).
    const evs: Ev[] = [];
    for (let i = 0; i < 3000; i++) evs.push({ src: i % 4, dst: (i >> 2) % 4, proto: i % 3 === 0 ? 17 : 6, port: i % 50, sport: 1000, verdict: i % 6, action: i % 3, time: i, label: i % 4, rev: 0, count: 1 + (i % 3) });
    const small = new FindingTable(16), reserved = new FindingTable();
    for (let idx = 0; idx < 40; idx++) {
      const { b, c } = batchOf(evs.map((e) => ({ ...e, src: e.src + 4 * (idx % 2), port: e.port + 50 * idx })));
      small.addBatch(b, c, idx);
      reserved.addBatch(b, c, idx);
    }
    expect(reserved.size).toBeGreaterThan(4096 * 2);
    expect(snapshot(reserved)).toEqual(snapshot(small));
    expect(snapshot(FindingTable.fromData(reserved.toData()))).toEqual(snapshot(small));
  });
});
