#!/usr/bin/env node
// The parts of `portmatrix check` timed apart, in one process, on one input: set-up (ruleset and
// inventory), decode + connection tracking + classification + aggregation ("decode+match"), report
// building (with its named steps: rules, rank, sort, coverage, totals, findings; src/report/build.ts), and
// JSON rendering. Prints one JSON line. Used by bench/run.mjs; needs `npm run build`.
// With DECODE_ONLY=1 it stops after decode+match (for profiles of the hot path alone).
//   node bench/decode-match.mjs FILE [inventory=bench/inventory.yaml] [ruleset=kcps-file-server]
import { setupCheck, findingSink } from "../dist/pipeline/check.js";
import { runInputs } from "../dist/pipeline/run.js";
import { FindingTable } from "../dist/match/aggregate.js";
import { prepareReport } from "../dist/report/build.js";
import { jsonReportChunks } from "../dist/report/render.js";

const [file, inventory = "bench/inventory.yaml", ruleset = "kcps-file-server"] = process.argv.slice(2);
if (!file) { console.error("usage: decode-match.mjs FILE [inventory] [ruleset]"); process.exit(2); }
const ms = (a, b) => Math.round((b - a) * 10) / 10;
const t0 = performance.now();
const setup = setupCheck(ruleset, inventory, [], new Map());
const t1 = performance.now();
const table = new FindingTable();
const decode = { actionMap: [], year: 2026, nowMs: Date.UTC(2027, 0, 1), csvColumns: {} };
const results = await runInputs([file], { decode, sink: findingSink(setup.matcher, table) });
const t2 = performance.now();
if (process.env.DECODE_ONLY === "1") {
  console.log(JSON.stringify({ file, records: results[0].stats.read, findings: table.size, setupMs: ms(t0, t1), decodeMatchMs: ms(t1, t2) }));
  process.exit(0);
}
const prepared = prepareReport({
  table, matcher: setup.matcher, ruleset: setup.ruleset, activeRules: setup.rules, scenarios: setup.scenarios,
  inventory: setup.inventory, inputs: results, failOn: ["blocked-required", "allowed-unexpected"],
});
const t3 = performance.now();
// As `check --format json` writes a large report: in chunks straight from the table (here counted,
// not written).
let reportBytes = 0;
for (const chunk of jsonReportChunks(prepared, undefined, true)) reportBytes += chunk.length;
const t4 = performance.now();
console.log(JSON.stringify({
  file, records: results[0].stats.read, findings: table.size, setupMs: ms(t0, t1), decodeMatchMs: ms(t1, t2),
  buildMs: ms(t2, t3), buildSteps: Object.fromEntries(prepared.steps.map((s) => [s.name, ms(0, s.ms)])), renderMs: ms(t3, t4), reportBytes,
}));
