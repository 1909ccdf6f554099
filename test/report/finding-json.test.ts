import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { setupCheck, type CheckSetup } from "../../src/pipeline/check.js";
import { FindingTable } from "../../src/match/aggregate.js";
import { classifyBatch, createClassified } from "../../src/match/matcher.js";
import { commit, createBatch, LabelTable, reserve } from "../../src/decode/batch.js";
import { materialise, prepareReport, type InputSummary } from "../../src/report/build.js";
import { jsonReportChunks } from "../../src/report/render.js";
import { JsonBytes } from "../../src/report/json-bytes.js";
import { InputStats } from "../../src/decode/stats.js";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * The JSON writer (report/finding-view.ts writeFinding) puts each finding's fields at a local position
 * after one room check, takes the roles, port and rule as one fragment per run of findings, and goes
 * through JsonBytes only for rare values: counts, positions and frames from 2^31, times outside
 * 1970-9999, names. These tests hold every such value, and runs that share some of the fragment's parts
 * and not others, to JSON.stringify of the finding objects, written in one stream and each finding alone
 * into a buffer that must grow.
 */
const ROLES = [
  "roles:",
  '  customer-ad: [10.99.1.10, "fd00:99:1::10"]',
  "  customer-dns: [10.99.1.53]",
  '  file-share-client: [10.99.1.0/24, "fd00:99:1::/64"]',
  '  kcps-fs: [10.99.2.0/28, "fd00:99:2::/120"]',
  "  kcps-fs-ad: [10.99.2.20]",
  "",
];
const dir = tmpFiles({
  // A name longer than the room the writer makes for a finding's variable fields.
  "named.yaml": ["hosts:", '  "ファイル \\"fs\\" é": 10.99.2.10', '  "v6 ad \\u2028": "fd00:99:1::10"', `  "${"a long name ".repeat(30)}": 10.99.2.5`, ...ROLES].join("\n"),
  "plain.yaml": ROLES.join("\n"),
});

const HOSTS: [number, number[]][] = [
  [4, [0x0a63010a, 0, 0, 0]], [4, [0x0a630135, 0, 0, 0]], [4, [0x0a630177, 0, 0, 0]], [4, [0x0a63020a, 0, 0, 0]],
  [4, [0x0a630214, 0, 0, 0]], [4, [0x0a630205, 0, 0, 0]], [4, [0xc0a80001, 0, 0, 0]],
  [6, [0xfd000099, 0x00010000, 0, 0x10]], [6, [0xfd000099, 0x00020000, 0, 0x20]], [6, [0x20010db8, 0, 0x80000000, 0xffffffff]],
];
/** Times: ordinary, before 1970, from year 10000, none, the last millisecond of 9999, fractions. */
const TIMES = [1_780_000_000_000, 1_780_000_000_999.5, -1234.5, -62_198_755_200_000, 253_402_300_800_001, Number.NaN, 253_402_300_799_999, 0];
/** Counts per event (Uint32): sums reach 2^31 and 2^32 and beyond. */
const COUNTS = [1, 2, 0x7fffffff, 0x80000000, 0xffffffff];
/** Positions: small, from 2^31 (a capture past 2 GB), past 2^53's neighbourhood of 1e15, none. */
const POSITIONS = [24, 2 ** 31 - 1, 2 ** 31, 5_000_000_000, 3e15, Number.NaN];
const FRAMES = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff];
const LABELS = ["DROP", 'a "quoted" \\ label', "ラベル\u0007", "ends in a backslash \\"];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** `events` events per input, two inputs (a capture and a log), over every value above. */
function tableOf(setup: CheckSetup, events: number, seed: number): FindingTable {
  const rnd = lcg(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const table = new FindingTable(16);
  for (let input = 0; input < 2; input++) {
    const labels = new LabelTable();
    const ids = LABELS.map((l) => labels.intern(l));
    const b = createBatch(events, labels);
    for (let k = 0; k < events; k++) {
      const i = reserve(b);
      const [family, src] = pick(HOSTS);
      let dst = pick(HOSTS);
      while (dst[0] !== family) dst = pick(HOSTS);
      b.family[i] = family;
      for (let j = 0; j < 4; j++) { b.src[i * 4 + j] = src[j]!; b.dst[i * 4 + j] = dst[1][j]!; }
      const proto = pick([6, 17, family === 4 ? 1 : 58, 47]);
      b.proto[i] = proto;
      const ported = proto === 6 || proto === 17;
      b.srcPort[i] = ported ? pick([1024, 53]) : -1;
      b.dstPort[i] = ported ? pick([53, 88, 389, 445, 9389, 65535]) : -1;
      b.icmpType[i] = ported || proto === 47 ? -1 : pick([-1, 0, 8, 255]);
      b.action[i] = Math.floor(rnd() * 3);
      b.time[i] = pick(TIMES);
      b.position[i] = pick(POSITIONS);
      b.frame[i] = input === 0 ? pick(FRAMES) : 0;
      b.label[i] = rnd() < 0.15 ? -1 : pick(ids);
      b.count[i] = pick(COUNTS);
      commit(b);
    }
    const c = createClassified(b.capacity);
    classifyBatch(setup.matcher, b, c);
    table.addBatch(b, c, input);
  }
  return table;
}

const inputs = (): InputSummary[] => [
  { path: 'captures/"x"/ü.pcap', format: "pcap", compressed: false, stats: new InputStats() },
  { path: "logs\\kern.log", format: "netfilter", compressed: false, stats: new InputStats() },
];

function prepared(setup: CheckSetup, table: FindingTable) {
  return prepareReport({
    table, matcher: setup.matcher, ruleset: setup.ruleset, activeRules: setup.rules, scenarios: [],
    inventory: setup.inventory, inputs: inputs(), failOn: ["blocked-required"], now: new Date(0),
  });
}

/** Findings from explicit events: [source, destination, protocol, port] (IPv4 words), allowed, in one log. */
function tableOfEvents(setup: CheckSetup, events: readonly [number, number, number, number][]): FindingTable {
  const table = new FindingTable(16);
  const labels = new LabelTable();
  const b = createBatch(events.length, labels);
  for (const [src, dst, proto, port] of events) {
    const i = reserve(b);
    b.family[i] = 4;
    b.src[i * 4] = src;
    b.dst[i * 4] = dst;
    b.proto[i] = proto;
    b.srcPort[i] = 40000;
    b.dstPort[i] = port;
    b.icmpType[i] = -1;
    b.action[i] = 0;
    b.time[i] = 1_780_000_000_000;
    b.position[i] = 7;
    b.label[i] = -1;
    commit(b);
  }
  const c = createClassified(b.capacity);
  classifyBatch(setup.matcher, b, c);
  table.addBatch(b, c, 1);
  return table;
}

describe("the JSON writer's fragment from the roles to the count", () => {
  const setup = setupCheck("kcps-file-server", join(dir, "plain.yaml"), [], new Map());

  it("is not taken from the finding before when only the roles differ (no rule, the same protocol and port)", () => {
    // Each role pair has one finding, on a port no rule opens: in report order they follow one another
    // with the same (missing) rule, protocol and port, and differ in their roles only.
    const table = tableOfEvents(setup, [
      [0x0a63010a, 0x0a630214, 17, 65000], [0x0a630177, 0x0a63020a, 17, 65000], [0x0a630135, 0x0a63020a, 17, 65000],
      [0x0a630177, 0x0a630214, 17, 65000], [0x0a63010a, 0x0a63020a, 17, 65000],
    ]);
    const p = prepared(setup, table);
    const objects = materialise(prepared(setup, table));
    expect(new Set(objects.findings.map((f) => `${f.srcRole}>${f.dstRole}`)).size).toBe(5);
    expect(objects.findings.every((f) => f.rule === null)).toBe(true);
    expect(Buffer.concat([...jsonReportChunks(p, 4096)]).toString("utf8")).toBe(JSON.stringify(objects) + "\n");
  });
});

describe.each([["names in the inventory", "named.yaml"], ["no names", "plain.yaml"]] as const)("the JSON writer, %s", (_n, inventory) => {
  const setup = setupCheck("kcps-file-server", join(dir, inventory), [], new Map());
  const table = tableOf(setup, 3000, inventory.length);

  it("writes every rare value as JSON.stringify does, in one stream", () => {
    const p = prepared(setup, table);
    const objects = materialise(prepared(setup, table));
    expect(Buffer.concat([...jsonReportChunks(p, 4096)]).toString("utf8")).toBe(JSON.stringify(objects) + "\n");
    const fs = objects.findings;
    // Each rare value occurred.
    const has = (f: (x: (typeof fs)[number]) => boolean): boolean => fs.some(f);
    expect(has((f) => f.count >= 2 ** 31 && f.count < 2 ** 32) && has((f) => f.count >= 2 ** 32)).toBe(true);
    expect(has((f) => (f.example.offset ?? 0) >= 2 ** 31) && has((f) => (f.example.line ?? 0) >= 1e15)).toBe(true);
    expect(has((f) => (f.example.offset ?? 0) < 2 ** 31 && (f.example.frame ?? 0) >= 2 ** 31)).toBe(true);
    expect(has((f) => f.firstSeen === null) && has((f) => f.lastSeen?.startsWith("-") === true) && has((f) => f.lastSeen?.startsWith("+") === true)).toBe(true);
    expect(has((f) => f.protocol === "icmp" && f.icmpType === 255) && has((f) => f.protocol === "icmpv6" && f.icmpType === null)).toBe(true);
    expect(has((f) => f.src.includes(":")) && has((f) => f.evidence.length === 0) && has((f) => f.example.line === undefined && f.example.offset === undefined)).toBe(true);
    if (inventory === "named.yaml") {
      expect(has((f) => f.dstName?.includes("ファイル") === true) && has((f) => f.srcName === null)).toBe(true);
      expect(has((f) => (f.srcName?.length ?? 0) > 300) && has((f) => (f.dstName?.length ?? 0) > 300)).toBe(true);
    }
  });

  it("writes each finding alone into a buffer that must grow as JSON.stringify writes it", () => {
    const p = prepared(setup, table);
    for (let k = 0; k < p.length; k++) {
      // One byte of room: the writer's first room check grows it to exactly what it asks for, so each
      // value written through JsonBytes afterwards must make its room again.
      const w = new JsonBytes(1);
      p.writeFinding(k, w);
      const got = w.take().toString("utf8");
      const want = JSON.stringify(p.finding(k));
      if (got !== want) expect.fail(`finding ${k}:\n${got}\nwhere JSON.stringify writes\n${want}`);
    }
  });
});
