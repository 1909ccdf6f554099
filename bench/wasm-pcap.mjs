#!/usr/bin/env node
// The pcap decoders alone (issue 18), in one process, taking turns run after run: the JS reference
// (src/decode/pcap/classic.ts), the WebAssembly core fed Buffers (one copy of each chunk into its
// memory, as the pipeline feeds it today), and the WebAssembly core with fs.readSync reading each chunk
// straight into its memory (chunkArea(): what a source that reads into it would save). Every variant
// reads the file in 1 MiB chunks with readSync and drops the batches; the events and skips must agree.
//   node bench/wasm-pcap.mjs [--runs N] FILE.pcap     (after npm run build)
import { closeSync, openSync, readSync } from "node:fs";
import { loadavg } from "node:os";
import { createPcapDecoder } from "../dist/decode/pcap/classic.js";
import { createWasmPcapDecoder, WASM_CHUNK } from "../dist/decode/pcap/wasm.js";

const args = process.argv.slice(2);
let runs = 5;
if (args[0] === "--runs") { runs = Number(args[1]); args.splice(0, 2); }
const file = args[0];
if (!file) throw new Error("usage: node bench/wasm-pcap.mjs [--runs N] FILE.pcap");

function decode(kind) {
  const d = kind === "js" ? createPcapDecoder(file) : createWasmPcapDecoder(file);
  let events = 0;
  const emit = (b) => { events += b.length; };
  const fd = openSync(file, "r");
  const own = Buffer.allocUnsafe(WASM_CHUNK);
  const t = process.hrtime.bigint();
  for (;;) {
    // The direct variant reads into the module's memory once the header made it (its first chunk).
    const target = kind === "wasm-direct" ? d.chunkArea() ?? own : own;
    const n = readSync(fd, target, 0, WASM_CHUNK, null);
    if (n === 0) break;
    d.push(target.subarray(0, n), emit);
  }
  d.end(emit);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  closeSync(fd);
  return { s, events, read: d.stats.read, skipped: JSON.stringify(d.stats.skippedObject()) };
}

const kinds = ["js", "wasm-copy", "wasm-direct"];
const times = Object.fromEntries(kinds.map((k) => [k, []]));
let ref;
const load0 = loadavg()[0];
for (let r = 0; r <= runs; r++) {
  for (const k of kinds) {
    const o = decode(k);
    const sig = `${o.events} ${o.read} ${o.skipped}`;
    ref ??= sig;
    if (sig !== ref) throw new Error(`${k} disagrees: ${sig} vs ${ref}`);
    if (r > 0) times[k].push(o.s); // run 0 warms the page cache and the JIT
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${file}: ${ref} (events, records, skips); ${runs} runs in turns; load (1 min) ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
for (const k of kinds) {
  console.log(`${k.padEnd(12)} median ${median(times[k]).toFixed(3)} s  ${(median(times.js) / median(times[k])).toFixed(2)}x the JS decoder's speed  (${times[k].map((t) => t.toFixed(3)).join(" ")})`);
}
