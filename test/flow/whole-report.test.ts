import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupCheck, runCheck, parseFailOn, findingSink } from "../../src/pipeline/check.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { createPcapDecoder } from "../../src/decode/pcap/classic.js";
import { FlowTracker, DEFAULT_TIMEOUTS } from "../../src/flow/tracker.js";
import { FindingTable } from "../../src/match/aggregate.js";
import type { EventBatch } from "../../src/decode/batch.js";

/**
 * Whole results of the tracking and matching hot path pinned on the benchmark generators' output at a
 * small size: the report of a scan-like capture and of a netfilter log, and every field of every finding
 * of the capture tracked with short timeouts from a 16-connection table (so connections expire, slots are
 * reused, sweeps run and both tables grow many times). The golden files were written by the code before
 * the hash index was shared (issue 18) and must not move when the hot path is made faster: findings,
 * counts, first/last, first occurrence, evidence and attribution. Update with UPDATE_GOLDEN=1 only for a
 * change that means to alter results, and review the diff.
 */
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const NOW = new Date("2026-12-05T12:00:00Z");
const dir = mkdtempSync(join(tmpdir(), "portmatrix-whole-"));

function generate(script: string, ...args: string[]): void {
  execFileSync(process.execPath, [`bench/${script}`, ...args], { stdio: "ignore" });
}

function golden(name: string, actual: string): void {
  const path = `test/flow/golden/${name}`;
  if (UPDATE) writeFileSync(path, actual);
  expect(existsSync(path), `${path} is missing: run UPDATE_GOLDEN=1 npx vitest run test/flow/whole-report.test.ts and review the diff`).toBe(true);
  // Compared line by line first, so a failure names the first finding that moved.
  const want = readFileSync(path, "utf8").split("\n");
  const got = actual.split("\n");
  for (let i = 0; i < Math.max(want.length, got.length); i++) expect(got[i], `${path} line ${i + 1}`).toBe(want[i]);
}

/** A report with one finding per line (the files stay reviewable), the temporary directory named alike on every run. */
function lines(report: object): string {
  const { findings, ruleset: _ruleset, ...rest } = report as { findings: unknown[]; ruleset: unknown };
  return [JSON.stringify(rest), ...findings.map((f) => JSON.stringify(f)), ""].join("\n").split(dir).join("TMP");
}

const setup = () => setupCheck("kcps-file-server", "bench/inventory.yaml", [], new Map());
const check = (file: string) => runCheck(setup(), [file], { decode: { ...defaultDecodeOptions(NOW.getTime()), year: 2026 }, failOn: parseFailOn(undefined), now: NOW });

describe("whole results on the benchmark generators' output", () => {
  it("scan-like capture (6k packets, 600 flows): the report", async () => {
    const pcap = join(dir, "scan.pcap");
    generate("gen-pcap.mjs", pcap, "6000", "600");
    golden("scan-6k.report.jsonl", lines(await check(pcap)));
  });

  it("netfilter log (6k lines, 600 flows): the report", async () => {
    const log = join(dir, "netfilter.log");
    generate("gen-logs.mjs", "netfilter", log, "6000", "600");
    golden("netfilter-6k.report.jsonl", lines(await check(log)));
  });

  it("scan-like capture with short timeouts from a 16-connection table: every finding field and the tracker's counts", () => {
    const pcap = join(dir, "scan-short.pcap");
    generate("gen-pcap.mjs", pcap, "20000", "2000");
    const s = setup();
    const table = new FindingTable(16);
    const sink = findingSink(s.matcher, table);
    const tracker = new FlowTracker({ ...DEFAULT_TIMEOUTS, tcp: 300, udp: 100, icmp: 50, unansweredAfter: 40 }, undefined, 16);
    const emit = (b: EventBatch) => sink(b, 0);
    const packets = createPcapDecoder(pcap);
    const bytes = readFileSync(pcap);
    for (let off = 0; off < bytes.length; off += 65536) packets.push(bytes.subarray(off, off + 65536), (b) => tracker.addPackets(b, emit));
    packets.end((b) => tracker.addPackets(b, emit));
    tracker.end(emit);
    const out = [JSON.stringify({ tracker: tracker.stats, events: table.eventsOf(0), findings: table.size })];
    const cols = { count: table.count, first: table.first, last: table.last, position: table.position, srcSet: table.srcSet, dstSet: table.dstSet, firstSrcPort: table.firstSrcPort, frame: table.frame };
    for (let e = 0; e < table.size; e++) {
      const k = table.keyOf(e);
      const row: unknown[] = [k.verdict, k.action, k.family, k.proto, k.blockedBy, k.port, [...k.src], [...k.dst]];
      for (const c of Object.values(cols)) row.push(c[e]);
      row.push(table.evidenceOf(e));
      out.push(JSON.stringify(row));
    }
    expect(tracker.stats.evicted).toBeGreaterThan(1000);
    golden("scan-20k-short-timeouts.findings.jsonl", out.join("\n") + "\n");
  });
});
