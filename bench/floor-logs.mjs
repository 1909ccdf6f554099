#!/usr/bin/env node
// Floors of a log job's decode+match (issue 18, the CSV goal: "a measured floor that proves the gap"), one
// stage per process, each timed from after set-up to its end with its CPU time and minor page faults:
//   decode    the pipeline's reader (the WebAssembly row module where it takes the line): events counted
//   copy      + each event's finding key (protocol, action, family, port, both addresses) and time written as
//             a 12-word row into a WebAssembly module's memory (the hand-off a module-side count would not need)
//   wasm      + those rows counted in a module (KERNEL below): hash, index probe, a 64-byte record
//             per key with count, first and last; no roles, no verdict, no evidence
//   wasm128   the same with 128-byte records (the finding table's size), the second line written when a
//             record is made and read by every event (as the table's evidence slots are)
//   js        + the same count as "wasm" in JavaScript over the same rows and layout (typed arrays)
//   classify  decode + the pipeline's classifyBatch (role lookup, orientation, bitset match), no table
//   match     decode + classify + count (FindingTable.addEvents): the pipeline's decode+match (bench/decode-match.mjs);
//             the table counts in its WebAssembly module (src/match/findings-wasm.ts) after 4,096 events
//             and classifies there too (src/match/classify-wasm.ts); in JavaScript with PORTMATRIX_FINDINGS=js,
//             the classification alone with PORTMATRIX_CLASSIFY=js
// Prints one JSON line. Use with bench/turns.mjs to take turns with awk. Needs `npm run build`.
//   node bench/floor-logs.mjs STAGE FILE
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInputs } from "../dist/pipeline/run.js";
import { setupCheck, findingSink } from "../dist/pipeline/check.js";
import { FindingTable } from "../dist/match/aggregate.js";
import { classifyBatch, createClassified } from "../dist/match/matcher.js";

const [stage, file] = process.argv.slice(2);
const STAGES = ["decode", "copy", "wasm", "wasm128", "js", "classify", "match"];
if (!STAGES.includes(stage) || !file) {
  console.error(`usage: floor-logs.mjs ${STAGES.join("|")} FILE`);
  process.exit(2);
}
const decode = { actionMap: [], year: 2026, nowMs: Date.UTC(2027, 0, 1), csvColumns: {} };
const ROW_WORDS = 12, SLOTS = 1 << 19, RECORDS = 1 << 18, MAX_ROWS = 1 << 16;

/**
 * The counting kernel (AssemblyScript): rows of 12 words (key words 0-9, the time as f64 in words 10-11)
 * counted into 64-byte records found through an open-addressing index of (entry + 1, hash) pairs, a group
 * of 64 rows' slots and records loaded first as independent reads (as HashIndex.prefetch does): the least a
 * module-side count must do. Kept here as text (not under assembly/: it is no part of the build).
 */
const KERNEL = `const KW: i32 = 10;
let slots: usize = 0, mask: u32 = 0, recs: usize = 0, size: i32 = 0, shift: usize = 6;
export function init(s: usize, m: u32, r: usize, sh: usize): void { slots = s; mask = m; recs = r; size = 0; shift = sh; }
export function entries(): i32 { return size; }
@inline function hashAt(p: usize): u32 {
  let h: u32 = 0x9e3779b9;
  for (let j = 0; j < KW; j++) { h = (h ^ load<u32>(p + (<usize>j << 2))) * 0x85ebca6b; h ^= h >>> 13; }
  return h ^ (h >>> 16);
}
@inline function same(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8) && load<u64>(a, 16) == load<u64>(b, 16)
    && load<u64>(a, 24) == load<u64>(b, 24) && load<u64>(a, 32) == load<u64>(b, 32);
}
/** Hashes of the current group (GROUP rows), computed before any of its slots is read. */
const GROUP: i32 = 64;
const hashes = new StaticArray<u32>(GROUP);
let sink: u32 = 0;
export function warmSink(): u32 { return sink; }

/** As the finding table does (HashIndex.prefetch): a group's slots, then its records, read as independent loads first. */
export function count(rows: usize, n: i32): void {
  for (let g = 0; g < n; g += GROUP) {
    const end = min(n, g + GROUP);
    let x: u32 = 0;
    for (let i = g; i < end; i++) {
      const h = hashAt(rows + (<usize>i * 48));
      unchecked(hashes[i - g] = h);
      x += load<u32>(slots + (<usize>(h & mask) << 3));
    }
    for (let i = g; i < end; i++) {
      const e1 = load<i32>(slots + (<usize>(unchecked(hashes[i - g]) & mask) << 3));
      if (e1 != 0) {
        const r = recs + (<usize>(e1 - 1) << shift);
        x += load<u32>(r);
        if (shift > 6) x += load<u32>(r, 64);
      }
    }
    sink += x;
    for (let i = g; i < end; i++) one(rows + (<usize>i * 48), unchecked(hashes[i - g]));
  }
}

@inline function one(p: usize, h: u32): void {
  let s = h & mask;
  let e: i32 = -1;
  for (;;) {
    const q = slots + (<usize>s << 3);
    const e1 = load<i32>(q);
    if (e1 == 0) break;
    if (load<u32>(q, 4) == h && same(recs + (<usize>(e1 - 1) << shift), p)) { e = e1 - 1; break; }
    s = (s + 1) & mask;
  }
  const t = load<f64>(p, 40);
  if (e < 0) {
    e = size++;
    const q = slots + (<usize>s << 3);
    store<i32>(q, e + 1); store<u32>(q, h, 4);
    const r = recs + (<usize>e << shift);
    memory.copy(r, p, 40);
    store<u32>(r, 1, 40); store<f64>(r, t, 48); store<f64>(r, t, 56);
    // 128-byte records: the second line holds what the finding table keeps there (its evidence), set once.
    if (shift > 6) store<u32>(r, 1, 64);
  } else {
    const r = recs + (<usize>e << shift);
    store<u32>(r, load<u32>(r, 40) + 1, 40);
    // ...and read again by every event (the table's evidence check).
    if (shift > 6 && load<u32>(r, 64) != 1) store<u32>(r, 1, 64);
    if (t < load<f64>(r, 48)) store<f64>(r, t, 48);
    if (t > load<f64>(r, 56)) store<f64>(r, t, 56);
  }
}
`;

/** The kernel compiled by asc in a child process: the compiler's heap would otherwise be collected in the timed span. */
function kernel() {
  const dir = mkdtempSync(join(tmpdir(), "portmatrix-floor-"));
  const src = join(dir, "count.ts"), out = join(dir, "count.wasm");
  writeFileSync(src, KERNEL);
  const code = `import asc from "assemblyscript/asc"; const r = await asc.main(${JSON.stringify([src, "--outFile", out, "--optimizeLevel", "3",
    "--runtime", "stub", "--importMemory", "--noExportMemory", "--noAssert", "--enable", "bulk-memory"])}); if (r.error) { console.error(r.stderr.toString()); process.exit(1); }`;
  execFileSync(process.execPath, ["--input-type=module", "-e", code], { stdio: "inherit", cwd: fileURLToPath(new URL("..", import.meta.url)) });
  const bytes = readFileSync(out);
  rmSync(dir, { recursive: true, force: true });
  return new WebAssembly.Module(bytes);
}

// Memory: the kernel's own statics in the first 64 KiB, the rows of one batch, then the index (8 bytes a
// slot), then the records (64 bytes each).
const ROWS_AT = 1 << 16, SLOTS_AT = ROWS_AT + MAX_ROWS * ROW_WORDS * 4, RECS_AT = SLOTS_AT + SLOTS * 8;
const WIDE = stage === "wasm128";
const memory = new WebAssembly.Memory({ initial: Math.ceil((RECS_AT + RECORDS * 128 + 64) / 65536) });
const u32 = new Uint32Array(memory.buffer), f64 = new Float64Array(memory.buffer);
const mod = stage === "wasm" || WIDE ? kernel() : undefined;
const core = mod ? new WebAssembly.Instance(mod, { env: { memory } }).exports : undefined;
core?.init(SLOTS_AT, SLOTS - 1, RECS_AT, WIDE ? 7 : 6);

function copyRows(b) {
  for (let i = 0; i < b.length; i++) {
    const o = ROWS_AT / 4 + i * ROW_WORDS, w = i * 4, proto = b.proto[i];
    u32[o] = proto | (b.action[i] << 8) | (b.family[i] << 16);
    u32[o + 1] = proto === 1 || proto === 58 ? b.icmpType[i] : b.dstPort[i];
    u32[o + 2] = b.src[w]; u32[o + 3] = b.src[w + 1]; u32[o + 4] = b.src[w + 2]; u32[o + 5] = b.src[w + 3];
    u32[o + 6] = b.dst[w]; u32[o + 7] = b.dst[w + 1]; u32[o + 8] = b.dst[w + 2]; u32[o + 9] = b.dst[w + 3];
    f64[o / 2 + 5] = b.time[i];
  }
}

// The same count in JavaScript (the kernel's layout, in the same memory).
const SLOT_W = SLOTS_AT / 4, REC_W = RECS_AT / 4;
let jsSize = 0;
function hashRow(o) {
  let h = 0x9e3779b9;
  for (let j = 0; j < 10; j++) { h = Math.imul(h ^ u32[o + j], 0x85ebca6b); h ^= h >>> 13; }
  return (h ^ (h >>> 16)) >>> 0;
}
const groupHash = new Uint32Array(64);
let warm = 0;
function countJs(n) {
  for (let g = 0; g < n; g += 64) {
    const end = Math.min(n, g + 64);
    for (let i = g; i < end; i++) {
      const h = hashRow(ROWS_AT / 4 + i * ROW_WORDS);
      groupHash[i - g] = h;
      warm += u32[SLOT_W + (h & (SLOTS - 1)) * 2];
    }
    for (let i = g; i < end; i++) {
      const e1 = u32[SLOT_W + (groupHash[i - g] & (SLOTS - 1)) * 2];
      if (e1 !== 0) warm += u32[REC_W + (e1 - 1) * 16];
    }
    for (let i = g; i < end; i++) countOne(ROWS_AT / 4 + i * ROW_WORDS, groupHash[i - g]);
  }
}
function countOne(o, h) {
  {
    let s = h & (SLOTS - 1), e = -1;
    for (;;) {
      const e1 = u32[SLOT_W + s * 2];
      if (e1 === 0) break;
      if (u32[SLOT_W + s * 2 + 1] === h) {
        const r = REC_W + (e1 - 1) * 16;
        let j = 0;
        while (j < 10 && u32[r + j] === u32[o + j]) j++;
        if (j === 10) { e = e1 - 1; break; }
      }
      s = (s + 1) & (SLOTS - 1);
    }
    const t = f64[o / 2 + 5];
    if (e < 0) {
      e = jsSize++;
      u32[SLOT_W + s * 2] = e + 1; u32[SLOT_W + s * 2 + 1] = h;
      const r = REC_W + e * 16;
      for (let j = 0; j < 10; j++) u32[r + j] = u32[o + j];
      u32[r + 10] = 1; f64[r / 2 + 6] = t; f64[r / 2 + 7] = t;
    } else {
      const r = REC_W + e * 16;
      u32[r + 10]++;
      if (t < f64[r / 2 + 6]) f64[r / 2 + 6] = t;
      if (t > f64[r / 2 + 7]) f64[r / 2 + 7] = t;
    }
  }
}

const setup = stage === "classify" || stage === "match" ? setupCheck("kcps-file-server", "bench/inventory.yaml", [], new Map()) : undefined;
const table = new FindingTable();
let classified = createClassified(8192);
let events = 0;
const sinks = {
  decode: (b) => { events += b.length; },
  copy: (b) => { events += b.length; copyRows(b); },
  wasm: (b) => { events += b.length; copyRows(b); core.count(ROWS_AT, b.length); },
  wasm128: (b) => { events += b.length; copyRows(b); core.count(ROWS_AT, b.length); },
  js: (b) => { events += b.length; copyRows(b); countJs(b.length); },
  classify: (b) => {
    events += b.length;
    if (classified.verdict.length < b.length) classified = createClassified(b.capacity);
    classifyBatch(setup.matcher, b, classified);
  },
  match: setup ? findingSink(setup.matcher, table) : undefined,
};
const f0 = process.resourceUsage().minorPageFault, c0 = process.cpuUsage(), t0 = performance.now();
const results = await runInputs([file], { decode, sink: sinks[stage] });
const t1 = performance.now(), c1 = process.cpuUsage(c0), f1 = process.resourceUsage().minorPageFault;
const keys = stage === "wasm" || WIDE ? core.entries() : stage === "js" ? jsSize : stage === "match" ? table.size : undefined;
console.log(JSON.stringify({ stage, file, records: results[0].stats.read, events: stage === "match" ? undefined : events, keys,
  ms: Math.round(t1 - t0), cpuMs: Math.round((c1.user + c1.system) / 1e3), faults: f1 - f0 }));
