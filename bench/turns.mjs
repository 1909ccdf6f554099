#!/usr/bin/env node
// Times a few shell commands taking turns, run after run, and prints each one's median wall time and
// its ratio to the first command's. For measuring one change against a peer without the whole
// `npm run bench` (30 minutes): on this shared machine a busy minute then slows every command alike.
//   node bench/turns.mjs [--runs N] 'label=shell command' 'label=shell command' ...
import { execSync } from "node:child_process";
import { loadavg } from "node:os";

const args = process.argv.slice(2);
let runs = 5;
const cmds = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i] ?? "";
  if (a === "--runs") runs = Math.max(1, Number(args[++i]));
  else {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new Error(`bench/turns.mjs: argument ${i + 1} "${a}": expected label=command`);
    cmds.push({ label: a.slice(0, eq), sh: a.slice(eq + 1), times: [] });
  }
}
if (cmds.length === 0) throw new Error("bench/turns.mjs: expected at least one label=command");

const once = (sh) => {
  const t = process.hrtime.bigint();
  execSync(sh, { stdio: ["ignore", "ignore", "inherit"], shell: "/bin/sh" });
  return Number(process.hrtime.bigint() - t) / 1e9;
};
for (const c of cmds) once(c.sh); // warm-up: page cache, JIT caches
const load0 = loadavg()[0];
for (let r = 0; r < runs; r++) for (const c of cmds) c.times.push(once(c.sh));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const base = median(cmds[0].times);
console.log(`${runs} runs in turns; load (1 min) ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
for (const c of cmds) {
  const m = median(c.times);
  console.log(`${c.label.padEnd(28)} median ${m.toFixed(3)} s  time ${(m / base).toFixed(2)}x of ${cmds[0].label}  (${c.times.map((t) => t.toFixed(2)).join(" ")})`);
}
