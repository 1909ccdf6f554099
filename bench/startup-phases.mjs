#!/usr/bin/env node
// Times the launcher's own steps in fresh processes, launchers taking turns, and prints medians:
// `compile` is the `new vm.Script` that deserializes the code cache, `load` the whole of load() (reading
// and hashing the bundle and cache, compiling, the bundle's module initialisation). A change of a few
// milliseconds there is lost in a whole run's noise on this shared machine (bench/README.md, "Start-up,
// fifth round"), and not here. With `--run 'ARGS'` each process then runs `portmatrix ARGS` through the
// bundle's main() (output discarded) and `run` is its time, wall and CPU (user + system of the process
// over it): the command's own part of a short run, without Node's start and the bundle's loading.
//   node bench/startup-phases.mjs [--runs N] [--run 'check -r ... one-packet.pcap'] path/to/bin/portmatrix.js [other ...]
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { resolve } from "node:path";

const args = process.argv.slice(2);
if (args[0] === "--child") {
  // One measurement, in this fresh process: wrap vm.Script to time the compile, then load().
  const require = createRequire(import.meta.url);
  const vm = require("node:vm");
  const Script = vm.Script;
  let compile = 0n;
  vm.Script = function timed(...a) {
    const t = process.hrtime.bigint();
    const s = new Script(...a);
    compile += process.hrtime.bigint() - t;
    return s;
  };
  const { load } = require(resolve(args[1] ?? ""));
  const t = process.hrtime.bigint();
  const { status, exports } = load();
  const total = process.hrtime.bigint() - t;
  const out = { status, compile: Number(compile) / 1e6, load: Number(total) / 1e6 };
  if (args[2] !== undefined) {
    const io = { stdout: () => {}, stderr: () => {}, stdoutIsTTY: false, stderrIsTTY: false, env: process.env };
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const code = await exports.main(JSON.parse(args[2]), io);
    out.run = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    out.runCpu = (cpu.user + cpu.system) / 1e3;
    out.code = code;
  }
  process.stdout.write(JSON.stringify(out));
} else {
  let runs = 21;
  let run;
  const launchers = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--runs") runs = Math.max(1, Number(args[++i]));
    else if (args[i] === "--run") run = JSON.stringify((args[++i] ?? "").split(/\s+/).filter(Boolean));
    else launchers.push(args[i]);
  }
  if (launchers.length === 0) throw new Error("bench/startup-phases.mjs: expected the path of at least one bin/portmatrix.js");
  const results = launchers.map(() => []);
  const load0 = loadavg()[0];
  for (let r = 0; r < runs; r++) {
    launchers.forEach((l, i) => {
      const p = spawnSync(process.execPath, [new URL(import.meta.url).pathname, "--child", l, ...(run === undefined ? [] : [run])], { encoding: "utf8" });
      if (p.status !== 0) throw new Error(`bench/startup-phases.mjs: ${l}: status ${p.status}: ${p.stderr.trim().split("\n")[0]}`);
      results[i].push(JSON.parse(p.stdout));
    });
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  console.log(`${runs} runs in turns; load (1 min) ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
  launchers.forEach((l, i) => {
    const rs = results[i];
    const statuses = [...new Set(rs.map((x) => x.status))].join(",");
    const c = rs.map((x) => x.compile), d = rs.map((x) => x.load);
    const r = run === undefined ? "" : `; run (exit ${[...new Set(rs.map((x) => x.code))].join(",")}) median ${median(rs.map((x) => x.run)).toFixed(2)} ms, CPU ${median(rs.map((x) => x.runCpu)).toFixed(2)} ms`;
    console.log(`${l}: cache ${statuses}; compile median ${median(c).toFixed(2)} ms (min ${Math.min(...c).toFixed(2)}); load() median ${median(d).toFixed(2)} ms (min ${Math.min(...d).toFixed(2)})${r}`);
  });
}
