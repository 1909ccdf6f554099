#!/usr/bin/env node
// Report building and JSON rendering of one input's finding table, again and again in one process:
// round 1 is what a job pays (cold memory), the later rounds the same work on memory already paged
// in. Prints per round: the CPU ms of the steps rules, rank and sort run alone (first, so that round 1's are
// a job's cold ones), then the whole of building and of rendering (wall ms, CPU ms, minor page faults,
// and the steps' wall ms as PreparedReport.steps gives them). Needs `npm run build`.
//   node bench/report-rounds.mjs FILE [rounds=5] [inventory=bench/inventory.yaml] [ruleset=kcps-file-server]
import { setupCheck, findingSink } from "../dist/pipeline/check.js";
import { runInputs } from "../dist/pipeline/run.js";
import { FindingTable } from "../dist/match/aggregate.js";
import { prepareReport } from "../dist/report/build.js";
import { jsonReportChunks } from "../dist/report/render.js";
import { findingFacts } from "../dist/report/finding-facts.js";
import { reportOrder, sortKeys } from "../dist/report/finding-order.js";

const [file, roundsArg = "5", inventory = "bench/inventory.yaml", ruleset = "kcps-file-server"] = process.argv.slice(2);
if (!file) { console.error("usage: report-rounds.mjs FILE [rounds] [inventory] [ruleset]"); process.exit(2); }
const setup = setupCheck(ruleset, inventory, [], new Map());
const table = new FindingTable();
const decode = { actionMap: [], year: 2026, nowMs: Date.UTC(2027, 0, 1), csvColumns: {} };
const results = await runInputs([file], { decode, sink: findingSink(setup.matcher, table) });
const r1 = (x) => Math.round(x * 10) / 10;
const usage = () => { const u = process.resourceUsage(); return { cpu: (u.userCPUTime + u.systemCPUTime) / 1e3, faults: u.minorPageFault }; };
const cpuMs = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e3; };
for (let round = 1; round <= Number(roundsArg); round++) {
  // The steps "rules", "rank" and "sort" alone, CPU ms of each (a busy machine stretches their wall time).
  const c0 = cpuMs();
  const facts = findingFacts(table, setup.matcher);
  const c1 = cpuMs();
  const keys = sortKeys(facts);
  const c2 = cpuMs();
  reportOrder(facts, keys);
  const c3 = cpuMs();
  const stepCpu = { rules: r1(c1 - c0), rank: r1(c2 - c1), sort: r1(c3 - c2) };
  const u0 = usage(), t0 = performance.now();
  const prepared = prepareReport({
    table, matcher: setup.matcher, ruleset: setup.ruleset, activeRules: setup.rules, scenarios: setup.scenarios,
    inventory: setup.inventory, inputs: results, failOn: ["blocked-required", "allowed-unexpected"],
  });
  const u1 = usage(), t1 = performance.now();
  let bytes = 0;
  for (const chunk of jsonReportChunks(prepared, undefined, true)) bytes += chunk.length;
  const u2 = usage(), t2 = performance.now();
  console.log(JSON.stringify({
    round, findings: table.size, stepCpu, build: r1(t1 - t0), buildCpu: r1(u1.cpu - u0.cpu), buildFaults: u1.faults - u0.faults,
    steps: Object.fromEntries(prepared.steps.map((s) => [s.name, r1(s.ms)])),
    render: r1(t2 - t1), renderCpu: r1(u2.cpu - u1.cpu), renderFaults: u2.faults - u1.faults, bytes,
  }));
}
