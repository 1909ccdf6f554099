#!/usr/bin/env node
// CPU profiles (`node --cpu-prof`) on each benchmark input, summarised as the functions with the most
// self time: of the whole `portmatrix check` (JSON report to a file), and of decode+match alone
// (bench/decode-match.mjs with DECODE_ONLY=1). Needs the inputs of `npm run bench` in bench/data/.
// Also the self time summed by area (the directory under src/: decode, flow, match, report...). The whole
// job runs from the tsc output (bench/pm-tsc.mjs), whose profile names modules; the bundle's would not.
// Prints the summaries and puts them into bench/README.md between its bench-profiles markers.
// PROFILE_ONLY=realistic,scan-like picks inputs by words of their names.
//   node bench/profile.mjs [top=12]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TOP = Number(process.argv[2] ?? 12);
const only = (process.env.PROFILE_ONLY ?? "").split(",").filter(Boolean);
const inputs = [
  ["realistic pcap, 2M packets (full-size TCP payloads, 2k flows)", "bench/data/realistic-2m.pcap"],
  ["scan-like classic pcap, 2M packets (200k flows)", "bench/data/bench-2m.pcap"],
  ["pcapng, 2M packets", "bench/data/bench-2m.pcapng"],
  ["netfilter, 2M lines", "bench/data/netfilter-2m.log"],
  ["Windows Firewall, 2M lines", "bench/data/wfw-2m.log"],
  ["CSV, 2M lines", "bench/data/csv-2m.csv"],
].filter(([name]) => only.length === 0 || only.some((w) => name.includes(w)));

/** The area of a profiled function: src/'s directory for our code, else the dependency or the runtime. */
function areaOf(url) {
  if (url.includes("/node_modules/")) return "dependencies";
  const m = /\/dist\/([^/]+)\//.exec(url);
  if (m) return m[1];
  return "runtime (GC, I/O, Node internals, idle)";
}

function summarise(file) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const areas = new Map();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const cf = byId.get(id).callFrame;
    const where = cf.url ? `${cf.url.replace(/^.*\/(dist|node_modules)\//, "$1/")}:${cf.lineNumber + 1}` : "";
    const k = `${cf.functionName || "(anonymous)"}${where ? ` (${where})` : ""}`;
    self.set(k, (self.get(k) ?? 0) + dt);
    const a = areaOf(cf.url);
    areas.set(a, (areas.get(a) ?? 0) + dt);
  });
  return { total, top: [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP), areas: [...areas].sort((a, b) => b[1] - a[1]) };
}

function profile(args, env) {
  const dir = mkdtempSync(join(tmpdir(), "portmatrix-prof-"));
  spawnSync("node", ["--cpu-prof", "--cpu-prof-dir", dir, ...args(dir)], { stdio: "ignore", env: { ...process.env, ...env } });
  const prof = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  const r = summarise(join(dir, prof));
  rmSync(dir, { recursive: true, force: true });
  return r;
}

const out = [];
for (const [name, file] of inputs) {
  execFileSync("sh", ["-c", `cat '${file}' > /dev/null`]);
  const whole = profile((dir) => ["bench/pm-tsc.mjs", "check", "-r", "kcps-file-server", "-i", "bench/inventory.yaml", "--year", "2026",
    "--format", "json", "-o", join(dir, "report.json"), file], {});
  const dm = profile(() => ["bench/decode-match.mjs", file], { DECODE_ONLY: "1" });
  out.push(`\n${name}: whole job ${(whole.total / 1e6).toFixed(2)} s sampled, decode+match alone ${(dm.total / 1e6).toFixed(2)} s\n`);
  out.push("| area (self time) | whole job ms | share | decode+match ms | share |\n|---|---|---|---|---|");
  for (const [area, t] of whole.areas) {
    const d = dm.areas.find(([a]) => a === area)?.[1] ?? 0;
    out.push(`| ${area} | ${(t / 1e3).toFixed(0)} | ${((100 * t) / whole.total).toFixed(1)}% | ${(d / 1e3).toFixed(0)} | ${((100 * d) / dm.total).toFixed(1)}% |`);
  }
  out.push("");
  out.push("| whole job: self ms | share | function | decode+match: self ms | share | function |\n|---|---|---|---|---|---|");
  for (let i = 0; i < TOP; i++) {
    const a = whole.top[i], b = dm.top[i];
    const cell = (x, t) => (x ? `${(x[1] / 1e3).toFixed(0)} | ${((100 * x[1]) / t).toFixed(1)}% | ${x[0]}` : " | | ");
    out.push(`| ${cell(a, whole.total)} | ${cell(b, dm.total)} |`);
  }
}
const text = out.join("\n") + "\n";
process.stdout.write(text);
const readme = "bench/README.md";
if (existsSync(readme)) {
  const r = readFileSync(readme, "utf8");
  const a = "<!-- bench-profiles:start -->", z = "<!-- bench-profiles:end -->";
  const i = r.indexOf(a), j = r.indexOf(z);
  if (i >= 0 && j > i) writeFileSync(readme, `${r.slice(0, i + a.length)}\n${text}\n${z}${r.slice(j + z.length)}`);
}
