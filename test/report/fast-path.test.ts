import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { setupCheck, type CheckSetup } from "../../src/pipeline/check.js";
import { FindingTable } from "../../src/match/aggregate.js";
import { classifyBatch, createClassified, VERDICTS } from "../../src/match/matcher.js";
import { commit, createBatch, LabelTable, reserve } from "../../src/decode/batch.js";
import { eachFinding, materialise, prepareReport, type InputSummary } from "../../src/report/build.js";
import { findingFacts } from "../../src/report/finding-facts.js";
import { reportOrder, sortKeys } from "../../src/report/finding-order.js";
import { jsonReportChunks } from "../../src/report/render.js";
import { JsonBytes } from "../../src/report/json-bytes.js";
import { renderText } from "../../src/report/text.js";
import { csvChunks, renderCsv } from "../../src/report/csv.js";
import type { Finding } from "../../src/report/types.js";
import { InputStats } from "../../src/decode/stats.js";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * The report of many findings is built with integer keys and a radix sort, and written from the finding
 * table one finding at a time (JSON bytes straight from its columns; text and CSV from finding objects
 * made one at a time and dropped). These tests hold that path to the object path on large generated
 * tables: every kind of value (both families, addresses with the high bit set, ICMP with and without a
 * type, protocols without ports, quotes, backslashes, control and non-ASCII characters in names,
 * labels and paths, hosts with and without names, times that are no time or out of the usual range,
 * text and binary inputs, records without a position), with and without names in the inventory.
 */
const ROLES = [
  "roles:",
  '  customer-ad: [10.99.1.10, "fd00:99:1::10"]',
  "  customer-dns: [10.99.1.53]",
  '  file-share-client: [10.99.1.0/24, "fd00:99:1::/64", 128.0.0.0/1]',
  '  kcps-fs: [10.99.2.0/28, "fd00:99:2::/120"]',
  "  kcps-fs-ad: [10.99.2.20]",
  "  kcps-fs-dns: [10.99.2.53]",
  "",
];
const dir = tmpFiles({
  "named.yaml": [
    "hosts:",
    '  "fs\\"01 \\\\ ファイル": 10.99.2.10',
    '  "ad\\u0001-01\\ttab": 10.99.1.10',
    '  "v6-ad é": "fd00:99:1::10"',
    '  "high\\u2028bit": 255.255.255.254',
    ...ROLES,
  ].join("\n"),
  "plain.yaml": ROLES.join("\n"),
});
const named: CheckSetup = setupCheck("kcps-file-server", join(dir, "named.yaml"), [], new Map());
const plain: CheckSetup = setupCheck("kcps-file-server", join(dir, "plain.yaml"), [], new Map());
/** Each test takes 1-8 s alone; a full suite on the shared two-core machine can make that several times more. */
const SLOW = 120_000;

const LABELS = ["DROP", "ACCEPT", 'say "hi" \\ there', "ラベル\u0007\u001f", "handshake completed (SF/S1)", "\u2028line\r\nbreak"];
const V4 = [0x0a63010a, 0x0a630135, 0x0a630177, 0x0a630101, 0x0a63020a, 0x0a630205, 0x0a630214, 0x0a630235, 0xc0a80001, 0xfffffffe, 0x80000000, 0x7fffffff];
const PROTOS = [6, 6, 6, 17, 17, 1, 58, 47, 132];
const PORTS = [53, 88, 135, 139, 389, 445, 3389, 5985, 9389, 49152, 65535, 0];

/** A deterministic generator (the same table every run; a failure names its seed). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function inputsOf(): InputSummary[] {
  const mk = (path: string, format: string): InputSummary => ({ path, format, compressed: false, stats: new InputStats() });
  return [mk('captures/"odd" dir/ü\u0001.pcapng', "pcapng"), mk("logs\\kern.log", "netfilter"), mk("engine/flows.csv", "csv")];
}

/** About `events` events over a few thousand hosts, as three inputs. */
function tableOf(setup: CheckSetup, events: number, seed: number, v6Share = 0.1): FindingTable {
  const rnd = lcg(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const table = new FindingTable(16);
  for (let input = 0; input < 3; input++) {
    const labels = new LabelTable();
    const ids = LABELS.map((l) => labels.intern(l));
    const b = createBatch(events, labels);
    for (let k = 0; k < events / 3; k++) {
      const i = reserve(b);
      const v6 = rnd() < v6Share;
      b.family[i] = v6 ? 6 : 4;
      for (const [o, base] of [[0, b.src], [1, b.dst]] as const) {
        if (v6) {
          base[i * 4] = pick([0xfd000099, 0x20010db8, 0xfe800000]);
          base[i * 4 + 1] = pick([0x00010000, 0x00020000, 0]);
          base[i * 4 + 2] = rnd() < 0.5 ? 0 : 0x80000000;
          base[i * 4 + 3] = pick([0x10, 0x99, 0xffffffff]) + o;
        } else {
          // Known hosts, and a spread of others (the 10.99/16 roles, and unsigned order past 2^31).
          base[i * 4] = rnd() < 0.5 ? pick(V4) : (rnd() < 0.7 ? 0x0a630000 : pick([0xc0000000, 0x01000000])) + Math.floor(rnd() * 4096);
          base[i * 4 + 1] = base[i * 4 + 2] = base[i * 4 + 3] = 0;
        }
      }
      let proto = pick(PROTOS);
      if (v6 && proto === 1) proto = 58;
      if (!v6 && proto === 58) proto = 1;
      b.proto[i] = proto;
      const ported = proto === 6 || proto === 17 || proto === 132;
      b.srcPort[i] = ported ? pick([1024, 53, 88, 50000]) : -1;
      b.dstPort[i] = ported ? (rnd() < 0.2 ? Math.floor(rnd() * 65536) : pick(PORTS)) : -1;
      // ICMP: a type, or none named ("type unknown").
      b.icmpType[i] = ported || proto === 47 ? -1 : rnd() < 0.2 ? -1 : pick([0, 3, 8, 11, 128, 135]);
      b.action[i] = Math.floor(rnd() * 3);
      const t = rnd();
      b.time[i] = t < 0.03 ? Number.NaN : t < 0.05 ? -1234.5 : t < 0.06 ? 8.64e15 : t < 0.07 ? 253_402_300_800_001 : 1_780_000_000_000 + Math.floor(rnd() * 86_400_000 * 3);
      b.position[i] = input === 2 && rnd() < 0.5 ? Number.NaN : Math.floor(rnd() * 1e9);
      b.frame[i] = input === 0 && rnd() < 0.9 ? 1 + Math.floor(rnd() * 0xfffffffe) : 0;
      b.label[i] = rnd() < 0.2 ? -1 : ids[Math.floor(rnd() * ids.length)]!;
      b.count[i] = 1 + Math.floor(rnd() * 3);
      commit(b);
    }
    const c = createClassified(b.capacity);
    classifyBatch(setup.matcher, b, c);
    table.addBatch(b, c, input);
  }
  return table;
}

function prepared(setup: CheckSetup, table: FindingTable) {
  return prepareReport({
    table, matcher: setup.matcher, ruleset: setup.ruleset, activeRules: setup.rules, scenarios: [],
    inventory: setup.inventory, inputs: inputsOf(), failOn: ["blocked-required", "allowed-unexpected"], now: new Date(0),
  });
}

/** The report order as a comparator over finding objects (the reference the radix sort must agree with). */
const RANK = ["blocked-required", "allowed-unexpected", "unobserved-required", "inconclusive", "unclassified", "blocked-unexpected", "allowed-required"];
const BY = [null, "network", "destination", "unknown"];
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
function addrWords(a: string): number[] {
  if (!a.includes(":")) return [0, ...a.split(".").map(Number)];
  const [head, tail] = a.split("::") as [string, string | undefined];
  const h = head === "" ? [] : head.split(":"), t = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return [1, ...groups.map((g) => parseInt(g, 16))];
}
function cmpWords(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
function reportCmp(a: Finding, b: Finding): number {
  return RANK.indexOf(a.verdict) - RANK.indexOf(b.verdict) || cmpStr(a.srcRole ?? "~", b.srcRole ?? "~") || cmpStr(a.dstRole ?? "~", b.dstRole ?? "~") ||
    cmpStr(a.protocol, b.protocol) || (a.port ?? a.icmpType ?? -1) - (b.port ?? b.icmpType ?? -1) ||
    cmpWords(addrWords(a.src), addrWords(b.src)) || cmpWords(addrWords(a.dst), addrWords(b.dst)) || cmpStr(a.action, b.action) ||
    BY.indexOf(a.blockedBy) - BY.indexOf(b.blockedBy);
}

describe.each([
  ["names in the inventory", named, 1, 0.1], ["no names in the inventory", plain, 2, 0.1], ["IPv4 only", plain, 4, 0],
] as const)("a large report, %s", (_name, setup, seed, v6Share) => {
  const table = tableOf(setup, 60_000, seed, v6Share);

  it("writes the JSON report byte for byte as JSON.stringify writes the finding objects", () => {
    const p = prepared(setup, table);
    expect(p.length).toBeGreaterThan(20_000);
    const streamed = Buffer.concat([...jsonReportChunks(p, 1 << 16)]);
    const objects = materialise(prepared(setup, table));
    expect(streamed.toString("utf8")).toBe(JSON.stringify(objects) + "\n");
    // Every kind of value occurred.
    const fs = objects.findings;
    expect(fs.some((f) => f.protocol === "icmp" && f.icmpType === null && f.port === null)).toBe(true);
    expect(fs.some((f) => f.src.includes(":") && f.srcRole !== null)).toBe(v6Share > 0);
    expect(fs.some((f) => f.firstSeen === null) && fs.some((f) => f.firstSeen?.startsWith("+") === true)).toBe(true);
    expect(fs.some((f) => f.example.line === undefined && f.example.offset === undefined)).toBe(true);
    expect(fs.some((f) => f.srcName === null && f.dstName === null)).toBe(true);
    if (setup === named) expect(fs.some((f) => f.dstName?.includes("ファイル") === true)).toBe(true);
  }, SLOW);

  it("orders the findings as the comparator of the report order does", () => {
    const fs = materialise(prepared(setup, table)).findings;
    for (let k = 1; k < fs.length; k++) {
      const d = reportCmp(fs[k - 1]!, fs[k]!);
      if (d >= 0) expect.fail(`findings ${k - 1} and ${k} out of order: ${JSON.stringify(fs[k - 1])} ${JSON.stringify(fs[k])}`);
    }
  }, SLOW);

  it("sorts the same with every key a pass of its own as with keys merged into passes", () => {
    const facts = findingFacts(table, setup.matcher);
    const merged = sortKeys(facts);
    const apart = sortKeys(facts, 1);
    expect(merged.passes.length).toBeLessThan(apart.passes.length);
    expect(apart.passes.length).toBeGreaterThanOrEqual(8);
    expect([...reportOrder(facts, apart)]).toEqual([...reportOrder(facts, merged)]);
  }, SLOW);

  it.each([["as built", undefined], ["port tables from the first lookup", 0]] as const)("gives each finding the rule matcher.findRule gives it, %s", (_n, after) => {
    const facts = findingFacts(table, setup.matcher, setup.matcher.ruleFinder(after));
    let withRule = 0;
    for (let e = 0; e < facts.n; e++) {
      const want = setup.matcher.findRule(table.srcSet[e]!, table.dstSet[e]!, (table.keyWord(e, 0) >>> 16) & 255, table.keyWord(e, 1) | 0, table.firstSrcPort[e]!);
      const got = facts.rules[facts.ruleOf[e]!];
      if (got !== want) expect.fail(`finding ${e}: rule ${got?.id} where findRule names ${want?.id}`);
      if (want !== undefined) withRule++;
    }
    // Findings of required rules occur (most of the generated ones are unexpected).
    expect(withRule).toBeGreaterThan(500);
  }, SLOW);

  it("names each finding's roles as its rule does, or else as its hosts' role sets do, and counts its verdict on inferred rules", () => {
    const facts = findingFacts(table, setup.matcher);
    const roles = setup.matcher.roles;
    const setName = (set: number): string | null => (set === 0 ? null : roles.setRoleIds(set).join("+") || null);
    const inferred = new Float64Array(facts.inferredByVerdictBy.length);
    let bySets = 0;
    for (let e = 0; e < facts.n; e++) {
      const s = table.srcSet[e]!, d = table.dstSet[e]!;
      const rule = facts.rules[facts.ruleOf[e]!];
      const want = [s === 0 ? null : rule ? rule.from : setName(s), d === 0 ? null : rule ? rule.to : setName(d)];
      const got = [facts.roleNames[facts.srcRole[e]!], facts.roleNames[facts.dstRole[e]!]];
      if (got[0] !== want[0] || got[1] !== want[1]) expect.fail(`finding ${e}: roles ${JSON.stringify(got)} where ${JSON.stringify(want)}`);
      if (!rule && s !== 0 && d !== 0) bySets++;
      const m = table.keyWord(e, 0), cell = (m & 15) * 4 + ((m >>> 24) & 3);
      if (rule?.inferred === true) inferred[cell] = inferred[cell]! + 1;
    }
    expect(bySets).toBeGreaterThan(500);
    expect([...facts.inferredByVerdictBy]).toEqual([...inferred]);
    expect(inferred.some((x) => x > 0)).toBe(true);
  }, SLOW);

  it("ends each JSON chunk right after the finding that fills it, as writing the findings one by one does", () => {
    const p = prepared(setup, table);
    const size = 1 << 15;
    const lengths = [...jsonReportChunks(p, size)].map((c) => c.length);
    // The reference: the head of the report, then a finding at a time with its comma.
    const w = new JsonBytes(size * 2);
    const head = Buffer.from(JSON.stringify({ ...p.skeleton, findings: [] }).split('"findings":[')[0] + '"findings":[', "utf8");
    w.bytes(head);
    const want: number[] = [];
    for (let k = 0; k < p.length; k++) {
      if (k > 0) w.bytes(Buffer.from(","));
      p.writeFinding(k, w);
      if (w.pos >= size) want.push(w.detach().length);
    }
    expect(lengths.slice(0, -1)).toEqual(want);
    expect(want.length).toBeGreaterThan(100);
  }, SLOW);

  it("reads each finding's count, times (also where floatWords holds them), position, input and frame in its record as the table's columns hold them", () => {
    const facts = findingFacts(table, setup.matcher);
    const order = reportOrder(facts, sortKeys(facts));
    const read = [["count", table.count, (e: number) => table.countOf(e)], ["first", table.first, (e: number) => table.firstOf(e)],
      ["last", table.last, (e: number) => table.lastOf(e)], ["position", table.position, (e: number) => table.positionOf(e)],
      ["input", table.input, (e: number) => table.inputOf(e)], ["frame", table.frame, (e: number) => table.frameOf(e)],
      ["first at", table.first, (e: number) => table.floatWords()[table.firstAt(e)]!], ["last at", table.last, (e: number) => table.floatWords()[table.lastAt(e)]!]] as const;
    for (const [name, col, of] of read) {
      for (let k = 0; k < order.length; k++) {
        const e = order[k]!;
        if (!Object.is(of(e), col[e])) expect.fail(`finding ${k} (entry ${e}): ${name} ${of(e)} where the table's column holds ${col[e]}`);
      }
    }
    // Every kind of value occurred: frames past 2^31, positions that are no number, all three inputs.
    expect(table.frame.some((f) => f < 0) && table.position.some((x) => Number.isNaN(x)) && new Set(table.input).size).toBe(3);
  }, SLOW);

  it("counts the flows per verdict and per rule as the table's counts sum them", () => {
    const facts = findingFacts(table, setup.matcher);
    const byVerdict = new Float64Array(16), allowed = new Float64Array(facts.allowedByRule.length), blocked = new Float64Array(facts.blockedByRule.length);
    for (let e = 0; e < facts.n; e++) {
      const v = table.keyWord(e, 0) & 15, r = facts.ruleOf[e]!;
      byVerdict[v] = byVerdict[v]! + table.count[e]!;
      if (r !== 0 && VERDICTS[v] === "allowed-required") allowed[r] = allowed[r]! + table.count[e]!;
      if (r !== 0 && VERDICTS[v] === "blocked-required") blocked[r] = blocked[r]! + table.count[e]!;
    }
    expect([...facts.flowsByVerdict]).toEqual([...byVerdict]);
    expect([...facts.allowedByRule]).toEqual([...allowed]);
    expect([...facts.blockedByRule]).toEqual([...blocked]);
    expect(allowed.some((x) => x > 0) && blocked.some((x) => x > 0)).toBe(true);
  }, SLOW);

  it("renders text and CSV from findings read one at a time as from the array of them", () => {
    const r = materialise(prepared(setup, table));
    const p = prepared(setup, table);
    for (const all of [false, true]) {
      expect(renderText(p.skeleton, { color: false, all }, eachFinding(p))).toBe(renderText(r, { color: false, all }));
    }
    expect([...csvChunks(p.skeleton, eachFinding(p))].join("")).toBe(renderCsv(r));
  }, SLOW);
});

describe("text report of many findings with a baseline's marks", () => {
  it("shows each group's new and changed findings first, and counts the hidden ones' marks", () => {
    const r = materialise(prepared(plain, tableOf(plain, 9_000, 3)));
    const rnd = lcg(7);
    for (const f of r.findings) {
      const x = rnd();
      if (x < 0.15) f.baseline = "new";
      else if (x < 0.3) { f.baseline = "changed"; f.baselineBefore = ["blocked-required:network"]; }
      else f.baseline = "unchanged";
    }
    const maxHosts = 2;
    const text = renderText(r, { color: false, all: true, maxHosts });
    // The reference: group by role pair and flow, new and changed first (stable), the first maxHosts shown.
    const flow = (f: Finding) => (f.port !== null ? `${f.protocol}/${f.port}` : f.icmpType !== null ? `${f.protocol} type ${f.icmpType}` : f.protocol === "icmp" || f.protocol === "icmpv6" ? `${f.protocol} type unknown` : f.protocol);
    const marks = (fs: Finding[]) => {
      const n = fs.filter((f) => f.baseline === "new").length, c = fs.filter((f) => f.baseline === "changed").length;
      return [n ? `${n} new` : "", c ? `${c} changed` : ""].filter(Boolean).join(", ");
    };
    let hiddenLines = 0;
    for (const v of RANK) {
      const groups = new Map<string, Finding[]>();
      for (const f of r.findings.filter((x) => x.verdict === v)) {
        const key = `${f.srcRole}\u0000${f.dstRole}\u0000${flow(f)}`;
        groups.set(key, [...(groups.get(key) ?? []), f]);
      }
      for (const g of groups.values()) {
        const rank = (f: Finding) => (f.baseline === "new" || f.baseline === "changed" ? 0 : 1);
        const sorted = [...g].sort((a, b) => rank(a) - rank(b));
        for (const f of sorted.slice(0, maxHosts)) {
          const tag = f.baseline === "new" ? "[new] " : f.baseline === "changed" ? "[changed, was blocked-required:network] " : "";
          expect(text).toContain(`        ${tag}${f.src} -> ${f.dst}  ${f.count} flow`);
        }
        if (g.length > maxHosts) {
          const m = marks(sorted.slice(maxHosts));
          const more = g.length - maxHosts;
          expect(text).toContain(`        ... and ${more} more finding${more === 1 ? "" : "s"}${m ? ` (${m})` : ""}`);
          hiddenLines++;
        }
      }
    }
    expect(hiddenLines).toBeGreaterThan(10);
  }, SLOW);
});
