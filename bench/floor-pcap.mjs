#!/usr/bin/env node
// Floors of the capture pipeline, one stage per process (issue 18: "a measured floor that proves the gap"):
// each stage is the pipeline's own code up to a point, timed from after set-up to its end, with the CPU
// time and the minor page faults of that span (fresh memory is expensive on this VM: see bench/README.md).
//   read    the source alone: openInput's chunks, nothing decoded
//   decode  + the pcap decoder (the WebAssembly one where built): events counted
//   count   + a bare connection count in place of the tracker: each packet's canonical 5-tuple key
//           (the tracker's own canonicalKey and hashKey) into an open-addressing table holding the
//           keys inline; no state, no outcome, nothing emitted
//   wasm-count  the design of issue 18 with its tracker in WebAssembly, at its least: reading, decoding
//           and the same exact bare count all inside assembly/floor-count.ts, each file chunk read
//           straight into the module's memory (bench/floor-count.mjs); nothing of the pipeline loaded
//   wasm-state  wasm-count with a 64-byte slot per IPv4 connection, its key and a packet count updated
//           on every packet: the memory the least per-connection state in the table costs
//   track   + the flow tracker: connections with their outcomes, counted (no roles, no matching)
//   match   + classification and the finding table: decode+track+match, as bench/decode-match.mjs
// Prints one JSON line; `count` and `wasm-count` give the same `connections` and `events`.
// Use with bench/turns.mjs to take turns with tcpdump. Needs `npm run build`.
//   node bench/floor-pcap.mjs STAGE FILE
const [stage, file] = process.argv.slice(2);
const STAGES = ["read", "decode", "count", "wasm-count", "wasm-state", "track", "match"];
if (!STAGES.includes(stage) || !file) {
  console.error(`usage: floor-pcap.mjs ${STAGES.join("|")} FILE`);
  process.exit(2);
}
const decode = { actionMap: [], year: 2026, nowMs: Date.UTC(2027, 0, 1), csvColumns: {} };
// Each stage loads what it runs and no more (the wasm-count stage none of the pipeline).
const count = await import("./floor-count.mjs");
const pipeline = stage.startsWith("wasm-") ? undefined : await import("../dist/pipeline/run.js");

let events = 0;
let findings = 0;
let bytes = 0;
let setup;
let connections = 0;
let check;
if (stage === "match") {
  check = await import("../dist/pipeline/check.js");
  setup = check.setupCheck("kcps-file-server", "bench/inventory.yaml", [], new Map());
}
const FindingTable = stage === "match" ? (await import("../dist/match/aggregate.js")).FindingTable : undefined;
const openInput = stage === "read" ? (await import("../dist/source/inputs.js")).openInput : undefined;
const counter = stage === "count" ? await count.jsCounter() : undefined;
if (stage.startsWith("wasm-")) await count.buildFloorWasm();
const faults0 = process.resourceUsage().minorPageFault;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
if (stage === "read") {
  const input = await openInput(file);
  bytes += input.head.length;
  for await (const c of input.rest) bytes += c.length;
  await input.close();
} else if (stage.startsWith("wasm-")) {
  const r = count.countPcapFileWasm(file, { stride: stage === "wasm-state" ? 64 : 16 });
  ({ bytes, packets: events, connections } = r);
} else if (stage === "match") {
  const t = new FindingTable();
  await pipeline.runInputs([file], { decode, sink: check.findingSink(setup.matcher, t) });
  findings = t.size;
} else {
  const sink = stage === "count" ? (b) => { events += b.length; counter.countBatch(b); } : (b) => { events += b.length; };
  await pipeline.runInputs([file], { decode, packets: stage !== "track", sink });
  if (counter) connections = counter.connections;
}
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({
  stage, file, bytes, events, connections, findings,
  wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000), sysMs: Math.round(cpu.system / 1000),
  minorFaults: process.resourceUsage().minorPageFault - faults0,
}));
