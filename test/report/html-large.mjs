#!/usr/bin/env node
// A large HTML report, made from the golden fixture report with its findings replaced by N generated
// ones (each made when the renderer reads it, never held in an array), written chunk by chunk:
//   node [--max-old-space-size=MB] test/report/html-large.mjs OUT.html [N=200000] [--baseline]
// Prints one JSON line: page bytes, findings generated, how many finding rows the page rendered (reads of
// `evidence`, which only a rendered row reads), peak heap and RSS. Used by test/report/html-size.test.ts
// and html-browser.test.ts; it needs the compiled renderer (dist/, `npm test` builds it first).
import { openSync, writeSync, closeSync, readFileSync } from "node:fs";
import { htmlChunks } from "../../dist/report/html.js";

const [out, nArg, flag] = process.argv.slice(2);
if (!out) { console.error("usage: html-large.mjs OUT.html [N] [--baseline]"); process.exit(2); }
const N = Number(nArg ?? 200_000);
const base = JSON.parse(readFileSync(new URL("./golden/kcps-kern.report.json", import.meta.url), "utf8"));
// One finding of each verdict the fixture has, as templates.
const templates = new Map();
for (const f of base.findings) if (!templates.has(f.verdict)) templates.set(f.verdict, f);
const order = ["blocked-required", "allowed-unexpected", "blocked-unexpected", "allowed-required"].filter((v) => templates.has(v));

// Text from inputs can be long and hostile: the page must clip and escape it.
const longName = (k) => `host-${k}-<script>alert(${k})</script>-` + "x".repeat(300);
const longEvidence = (k) => [`FW-DROP-${k} ` + "e".repeat(180), "<b>second</b> " + "f".repeat(180), "third"];

const verdictOf = (k) => order[Math.min(order.length - 1, Math.floor((k / N) * order.length))];
const baselineOf = (k) => (flag !== "--baseline" ? undefined : k % 5 === 0 ? "new" : k % 5 === 1 ? "changed" : "unchanged");
const fails = (k) => base.failOn.includes(verdictOf(k));
let evidenceReads = 0;
let heapPeak = 0;
function* findings() {
  for (let k = 0; k < N; k++) {
    const verdict = verdictOf(k);
    const t = templates.get(verdict);
    const f = { ...t };
    f.src = `10.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
    f.srcName = k % 3 === 0 ? longName(k) : null;
    f.count = 1 + (k % 7);
    // Unexpected traffic spreads over more ports than the page has groups for (a group per port), each
    // with more address pairs than a group shows: every cap is reached.
    if (verdict === "allowed-unexpected" || verdict === "blocked-unexpected") f.port = 1000 + (k % 97);
    const ev = longEvidence(k);
    Object.defineProperty(f, "evidence", { enumerable: true, get: () => { evidenceReads++; return ev; } });
    if (flag === "--baseline") f.baseline = baselineOf(k);
    if ((k & 4095) === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    yield f;
  }
}

// The totals the report would carry (build.ts, diff.ts applyBaseline), counted without making findings.
let violations = 0;
let records = 0;
for (let k = 0; k < N; k++) {
  records += 1 + (k % 7);
  if (fails(k) && baselineOf(k) !== "unchanged") violations++;
}
const report = { ...base, findings: [], exitCode: violations > 0 ? 1 : 0 };
report.totals = { records: { read: records, used: records, skipped: 0 }, findings: N, violations, violationsOnInferredRules: 0 };
report.inputs = [{ ...base.inputs[0], path: "archive/generated.log", records: report.totals.records, flows: { read: records, used: records, skipped: 0, skippedByReason: {} } }];
if (flag === "--baseline") report.baseline = { file: "last-week.json", new: N / 5, changed: N / 5, unchanged: (3 * N) / 5, resolved: 3 };
let bytes = 0;
let chunks = 0;
const fd = openSync(out, "w");
for (const c of htmlChunks(report, findings())) {
  const b = Buffer.from(c, "utf8");
  writeSync(fd, b);
  bytes += b.length;
  chunks++;
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
}
closeSync(fd);
console.log(JSON.stringify({ bytes, findings: N, evidenceReads, chunks, heapPeakMB: Math.round(heapPeak / 1048576), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
