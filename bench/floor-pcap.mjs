#!/usr/bin/env node
// Floors of the capture pipeline, one stage per process (issue 18: "a measured floor that proves the gap"):
// each stage is the pipeline's own code up to a point, timed from after set-up to its end, with the CPU
// time and the minor page faults of that span (fresh memory is expensive on this VM: see bench/README.md).
//   read    the source alone: openInput's chunks, nothing decoded
//   decode  + the pcap decoder (the WebAssembly one where built): events counted
//   count   + a bare connection count in place of the tracker: each packet's canonical 5-tuple key
//           (the tracker's own canonicalKey and hashKey) into an open-addressing table holding the
//           keys inline; no state, no outcome, nothing emitted
//   track   + the flow tracker: connections with their outcomes, counted (no roles, no matching)
//   match   + classification and the finding table: decode+track+match, as bench/decode-match.mjs
// Prints one JSON line. Use with bench/turns.mjs to take turns with tcpdump. Needs `npm run build`.
//   node bench/floor-pcap.mjs STAGE FILE
import { openInput } from "../dist/source/inputs.js";
import { runInputs } from "../dist/pipeline/run.js";
import { canonicalKey, hashKey, KEY_WORDS } from "../dist/flow/conn-table.js";
import { setupCheck, findingSink } from "../dist/pipeline/check.js";
import { FindingTable } from "../dist/match/aggregate.js";

const [stage, file] = process.argv.slice(2);
const STAGES = ["read", "decode", "count", "track", "match"];
if (!STAGES.includes(stage) || !file) {
  console.error(`usage: floor-pcap.mjs ${STAGES.join("|")} FILE`);
  process.exit(2);
}
const decode = { actionMap: [], year: 2026, nowMs: Date.UTC(2027, 0, 1), csvColumns: {} };

/** The bare count: 2^19 slots of KEY_WORDS key words and a used word (room for 256k connections). */
const SLOT = KEY_WORDS + 1;
const MASK = (1 << 19) - 1;
let table;
let connections = 0;
const k = new Int32Array(KEY_WORDS);
function countBatch(b) {
  for (let i = 0; i < b.length; i++) {
    const proto = b.proto[i];
    const icmp = proto === 1 || proto === 58;
    const sp = icmp ? b.icmpType[i] : Math.max(0, b.srcPort[i]);
    const dp = icmp ? 0 : Math.max(0, b.dstPort[i]);
    canonicalKey(b.family[i], proto, b.src, i * 4, sp, b.dst, i * 4, dp, k, 0);
    let s = hashKey(k, 0) & MASK;
    for (;;) {
      const o = s * SLOT;
      if (table[o + KEY_WORDS] === 0) {
        table.set(k, o);
        table[o + KEY_WORDS] = 1;
        connections++;
        break;
      }
      let j = 0;
      while (j < KEY_WORDS && table[o + j] === k[j]) j++;
      if (j === KEY_WORDS) break;
      s = (s + 1) & MASK;
    }
  }
}

let events = 0;
let findings = 0;
let bytes = 0;
let setup;
if (stage === "match") setup = setupCheck("kcps-file-server", "bench/inventory.yaml", [], new Map());
if (stage === "count") table = new Int32Array((MASK + 1) * SLOT);
const faults0 = process.resourceUsage().minorPageFault;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
if (stage === "read") {
  const input = await openInput(file);
  bytes += input.head.length;
  for await (const c of input.rest) bytes += c.length;
  await input.close();
} else if (stage === "match") {
  const t = new FindingTable();
  await runInputs([file], { decode, sink: findingSink(setup.matcher, t) });
  findings = t.size;
} else {
  const sink = stage === "decode" ? (b) => { events += b.length; } : stage === "count" ? (b) => { events += b.length; countBatch(b); } : (b) => { events += b.length; };
  await runInputs([file], { decode, packets: stage !== "track", sink });
}
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({
  stage, file, bytes, events, connections, findings,
  wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000), sysMs: Math.round(cpu.system / 1000),
  minorFaults: process.resourceUsage().minorPageFault - faults0,
}));
