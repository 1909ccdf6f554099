#!/usr/bin/env node
// The scan-like capture's goal against its floor (issue 18: "a measured floor that proves the gap cannot
// close in this design"), everything in the same turns, run after run (as bench/turns.mjs does):
// tcpdump's filter scan, `node -e 0`, the floor stages `wasm-count` (reading, decoding and the exact bare
// connection count inside WebAssembly, bench/floor-count.mjs), `wasm-state` (the same with 64 bytes of
// state per connection) and `count` (the same count in JS over the decoder's batches), a 1-packet check
// (the CLI's start-up), bench/decode-match.mjs (set-up, decode+match, and the report's own cost: building
// and JSON rendering of the ~216k findings, timed inside the process), and the whole job.
// Prints a Markdown table (median wall seconds, the ratio to tcpdump's time, the 1-minute load over each
// command's runs) and the arithmetic: the floor process plus the report's building and rendering (and
// the CLI's start beyond node's) against the goal's budget, 5x tcpdump's time (0.2x its rate).
// Needs `npm run build` and bench/data/bench-2m.pcap.
//   node bench/floor-scan.mjs [--runs N] [FILE]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
let runs = 5;
let file = "bench/data/bench-2m.pcap";
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--runs") runs = Math.max(1, Number(args[++i]));
  else file = args[i];
}
const GOAL = 0.2;
const commands = [
  { key: "tcpdump", label: "tcpdump -nn -r F 'tcp port 1'", sh: `tcpdump -nn -r ${file} 'tcp port 1' > /dev/null 2>&1` },
  { key: "node", label: "`node -e 0`", sh: "node -e 0" },
  { key: "wasm", label: "floor: read + decode + bare connection count, all in WebAssembly (wasm-count)", sh: `node bench/floor-pcap.mjs wasm-count ${file}`, json: true },
  { key: "state", label: "floor: wasm-count with 64-byte IPv4 slots, a packet count updated per packet (wasm-state)", sh: `node bench/floor-pcap.mjs wasm-state ${file}`, json: true },
  { key: "count", label: "floor: read + decode (WebAssembly) + bare connection count in JS (count)", sh: `node bench/floor-pcap.mjs count ${file}`, json: true },
  { key: "start", label: "portmatrix check on a 1-packet capture (start-up: bundle, ruleset, inventory)", sh: `node bin/portmatrix.js check -r kcps-file-server -i bench/inventory.yaml --year 2026 --format json bench/data/one-packet.pcap > /dev/null 2>&1 || [ $? -eq 2 ]` }, // exit 2: nothing decided
  { key: "dm", label: "bench/decode-match.mjs (set-up, decode+match, report build, JSON render)", sh: `node bench/decode-match.mjs ${file} 2>/dev/null`, json: true },
  { key: "whole", label: "portmatrix check, whole job, JSON report", sh: `node bin/portmatrix.js check -r kcps-file-server -i bench/inventory.yaml --year 2026 --format json ${file} > /dev/null 2>&1 || [ $? -eq 1 ]` }, // exit 1: findings to fail on
];
for (const c of commands) Object.assign(c, { times: [], cpus: [], loads: [], out: [] });

// CPU time (user + system, children included) from /usr/bin/time: the load disturbs it less than wall time.
const tmp = mkdtempSync(join(tmpdir(), "floor-scan-"));
const cpuFile = join(tmp, "cpu");
function once(c) {
  const load = loadavg()[0];
  const t = process.hrtime.bigint();
  const out = execFileSync("/usr/bin/time", ["-f", "%U %S", "-o", cpuFile, "sh", "-c", c.sh], { stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 }).toString();
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  const [user, sys] = readFileSync(cpuFile, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
  return { wall, cpu: user + sys, load: Math.max(load, loadavg()[0]), json: c.json ? JSON.parse(out.trim().split("\n").at(-1)) : undefined };
}
for (const c of commands) once(c); // warm-up: page cache, code caches
try {
for (let r = 0; r < runs; r++) {
  for (const c of commands) {
    const o = once(c);
    c.times.push(o.wall);
    c.cpus.push(o.cpu);
    c.loads.push(o.load);
    if (o.json) c.out.push(o.json);
  }
}
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const range = (xs) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
const by = Object.fromEntries(commands.map((c) => [c.key, c]));
const tcpdump = median(by.tcpdump.times);
const field = (c, k) => median(c.out.map((o) => o[k])) / 1000;

// The floors must count the same connections (the check the tests make, here on the bench input).
const conns = new Set([...by.wasm.out, ...by.state.out, ...by.count.out].map((o) => `${o.connections}/${o.events}`));
if (conns.size !== 1) throw new Error(`floor-scan: the two count stages disagree: ${[...conns].join(", ")}`);

console.log(`${runs} runs in turns, ${new Date().toISOString().slice(0, 16)} UTC, ${file}; connections/packets counted by both floors: ${[...conns][0]}\n`);
console.log("| command (whole process) | median s | time, x tcpdump | CPU s | CPU, x tcpdump | load (1 min) |");
console.log("|---|---|---|---|---|---|");
const tcpdumpCpu = median(by.tcpdump.cpus);
for (const c of commands) {
  const m = median(c.times);
  const u = median(c.cpus);
  console.log(`| ${c.label} | ${m.toFixed(3)} | ${(m / tcpdump).toFixed(2)}x | ${u.toFixed(2)} | ${(u / tcpdumpCpu).toFixed(2)}x | ${range(c.loads)} |`);
}
const wasm = median(by.wasm.times);
const build = field(by.dm, "buildMs");
const render = field(by.dm, "renderMs");
const setup = field(by.dm, "setupMs");
const start = Math.max(0, median(by.start.times) - median(by.node.times));
const budget = tcpdump / GOAL;
const sum = wasm + build + render;
const x = (s) => `${s.toFixed(3)} s (${(s / tcpdump).toFixed(2)}x tcpdump)`;
console.log(`
In-process parts (medians of the same turns): wasm-count ${field(by.wasm, "wallMs").toFixed(3)} s wall, ${field(by.wasm, "cpuMs").toFixed(3)} s CPU; JS count ${field(by.count, "wallMs").toFixed(3)} s wall; decode-match: set-up ${setup.toFixed(3)} s, decode+match ${field(by.dm, "decodeMatchMs").toFixed(3)} s, report building ${build.toFixed(3)} s, JSON rendering ${render.toFixed(3)} s (${by.dm.out[0]?.findings} findings).

- budget of the goal (${GOAL}x tcpdump's rate): ${x(budget)}
- floor process (wasm-count, node's start included): ${x(wasm)}
- + report building + JSON rendering: ${x(sum)}: ${sum > budget ? `over the budget by ${(sum - budget).toFixed(3)} s` : `${(budget - sum).toFixed(3)} s left for everything else`}
- + the CLI's start beyond node's (a 1-packet check less \`node -e 0\`: the bundle, ruleset and inventory): ${x(sum + start)}: ${sum + start > budget ? `over the budget by ${(sum + start - budget).toFixed(3)} s` : `${(budget - sum - start).toFixed(3)} s (${((budget - sum - start) / tcpdump).toFixed(2)}x tcpdump's time) left for connection state, outcome, classification and aggregation`}
- of that room, 64-byte slots with a per-packet update (wasm-state less wasm-count) take ${x(median(by.state.times) - wasm)}; with them the sum is ${x(sum + start + median(by.state.times) - wasm)}`);
