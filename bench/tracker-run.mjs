#!/usr/bin/env node
// The WebAssembly flow tracker's own time inside decode+match (bench/README.md "The tracker module's
// per-packet path"): the pipeline of bench/decode-match.mjs (DECODE_ONLY) on one input, with the calls
// into the module that do the per-packet work (`run`) and the sweeps (`sweepOut`) timed around each
// call, by the wall clock and by the main thread's own CPU time (Linux: /proc/thread-self/schedstat,
// nanoseconds on the CPU, read in ~1 us; on a machine shared with other work the wall time of a call
// includes the time the thread waited for a core, its CPU time does not). Prints one JSON line: runMs,
// sweepOutMs (wall), runCpuMs, sweepOutCpuMs, their calls, decodeMatchMs, and the tracker's counts (to
// check that two builds did the same work). Needs `npm run build`; the module is forced (PORTMATRIX_TRACKER=wasm) unless the
// environment says otherwise.
//   node bench/tracker-run.mjs FILE [inventory=bench/inventory.yaml] [ruleset=kcps-file-server]
process.env.PORTMATRIX_TRACKER ??= "wasm";
const { WasmTrackerCore } = await import("../dist/flow/wasm-tracker.js");
const { setupCheck, findingSink } = await import("../dist/pipeline/check.js");
const { runInputs } = await import("../dist/pipeline/run.js");
const { FindingTable } = await import("../dist/match/aggregate.js");

const [file, inventory = "bench/inventory.yaml", ruleset = "kcps-file-server"] = process.argv.slice(2);
if (!file) { console.error("usage: tracker-run.mjs FILE [inventory] [ruleset]"); process.exit(2); }

/** This thread's time on a CPU in ns (schedstat's first field), or 0 where there is no such file. */
const { openSync, readSync } = await import("node:fs");
let statFd = -1;
try { statFd = openSync("/proc/thread-self/schedstat", "r"); } catch { /* not Linux: CPU times stay 0 */ }
const statBuf = Buffer.alloc(64);
function cpuNs() {
  if (statFd < 0) return 0;
  const n = readSync(statFd, statBuf, 0, 64, 0);
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = statBuf[i];
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return v;
}

const timed = { run: { ms: 0, cpuNs: 0, calls: 0 }, sweepOut: { ms: 0, cpuNs: 0, calls: 0 } };
let lastCore;
for (const name of Object.keys(timed)) {
  const inner = WasmTrackerCore.prototype[name];
  if (typeof inner !== "function") { console.error(`tracker-run: WasmTrackerCore has no ${name}`); process.exit(2); }
  const slot = timed[name];
  WasmTrackerCore.prototype[name] = function (...args) {
    lastCore = this;
    const c = cpuNs();
    const t = performance.now();
    const r = inner.apply(this, args);
    slot.ms += performance.now() - t;
    slot.cpuNs += cpuNs() - c;
    slot.calls++;
    return r;
  };
}

const setup = setupCheck(ruleset, inventory, [], new Map());
const table = new FindingTable();
const decode = { actionMap: [], year: 2026, nowMs: Date.UTC(2027, 0, 1), csvColumns: {} };
const t1 = performance.now();
const results = await runInputs([file], { decode, sink: findingSink(setup.matcher, table) });
const t2 = performance.now();
if (timed.run.calls === 0) {
  console.error("tracker-run: the module's run was never called (not a classic pcap, or the JS tracker was chosen)");
  process.exit(1);
}
const r1 = (x) => Math.round(x * 10) / 10;
console.log(JSON.stringify({
  file, records: results[0].stats.read, findings: table.size,
  runMs: r1(timed.run.ms), runCalls: timed.run.calls, sweepOutMs: r1(timed.sweepOut.ms), sweepOutCalls: timed.sweepOut.calls,
  trackerMs: r1(timed.run.ms + timed.sweepOut.ms),
  runCpuMs: r1(timed.run.cpuNs / 1e6), sweepOutCpuMs: r1(timed.sweepOut.cpuNs / 1e6), trackerCpuMs: r1((timed.run.cpuNs + timed.sweepOut.cpuNs) / 1e6),
  decodeMatchMs: r1(t2 - t1),
  connections: lastCore.connections, peakLive: lastCore.peakLive,
}));
