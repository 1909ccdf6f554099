// A file of its own: the module's compiled state is per process (per test file under vitest), and this
// test needs it fresh. A short run must not read or compile dist/wasm/findings.wasm (the start-up goal
// of issue 18 counts every millisecond); a table given MODULE_AFTER events compiles it and counts in
// them (a capture's connections come in batches of exactly that many: the first is counted there).
import { describe, expect, it } from "vitest";
import { FindingTable } from "../../src/match/aggregate.js";
import { createClassified } from "../../src/match/matcher.js";
import { commit, createBatch, LabelTable, reserve, type EventBatch } from "../../src/decode/batch.js";
import { findingsModuleCompiled, MODULE_AFTER } from "../../src/match/findings-wasm.js";

/** `n` TCP events between distinct hosts, the `from`-th onwards. */
function batch(n: number, from: number): EventBatch {
  const b = createBatch(n, new LabelTable());
  for (let k = 0; k < n; k++) {
    const i = reserve(b);
    b.family[i] = 4;
    b.src[i * 4] = 0x0a000000 + from + k;
    b.dst[i * 4] = 0xc0a80001;
    b.proto[i] = 6;
    b.srcPort[i] = 50000;
    b.dstPort[i] = 445;
    b.time[i] = 1_780_000_000_000 + k;
    b.position[i] = from + k;
    b.count[i] = 1;
    b.label[i] = -1;
    commit(b);
  }
  return b;
}

describe("the finding table's module, left to choose (no PORTMATRIX_FINDINGS)", () => {
  it("is not compiled by a short run, and is by a table given MODULE_AFTER events in all", () => {
    const saved = process.env.PORTMATRIX_FINDINGS;
    delete process.env.PORTMATRIX_FINDINGS;
    try {
      const t = new FindingTable();
      const small = batch(100, 0);
      t.addBatch(small, createClassified(small.capacity), 0);
      expect(findingsModuleCompiled()).toBe(false);
      const more = batch(MODULE_AFTER - 101, 100);
      t.addBatch(more, createClassified(more.capacity), 0);
      expect(findingsModuleCompiled()).toBe(false);
      const last = batch(1, MODULE_AFTER - 1);
      t.addBatch(last, createClassified(last.capacity), 0);
      expect(findingsModuleCompiled()).toBe(true);
      expect(t.size).toBe(MODULE_AFTER);
      expect(t.eventsOf(0).total).toBe(MODULE_AFTER);
    } finally {
      if (saved === undefined) delete process.env.PORTMATRIX_FINDINGS;
      else process.env.PORTMATRIX_FINDINGS = saved;
    }
  });
});
