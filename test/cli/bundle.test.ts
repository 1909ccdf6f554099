import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { writeFileSync } from "node:fs";
import { tmpFiles } from "../helpers/tmp.js";

/**
 * bin/portmatrix.js runs the esbuild bundle (dist/bundle, scripts/build.mjs); the tests run the sources
 * and the tsc output. The bundle must be made from today's tsc output and behave exactly as it does.
 */
const BUNDLE = ["bin/portmatrix.js"];
/** bin/portmatrix.js as it was before the bundle: the same launcher over dist/cli/main.js. */
const tscLauncher = join(tmpFiles({}), "portmatrix-tsc.mjs");
writeFileSync(tscLauncher, `import { main } from ${JSON.stringify(pathToFileURL(resolve("dist/cli/main.js")).href)};\nmain(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n`);
const TSC = [tscLauncher];

function run(launcher: string[], args: string[], cwd?: string) {
  const r = spawnSync("node", [...launcher, ...args], { encoding: "utf8", cwd, env: { ...process.env, NO_COLOR: "1" } });
  // The report's generation time is the one thing two runs may differ in.
  const clean = (s: string) => s.replace(/"generatedAt": "[^"]+"/g, '"generatedAt": "T"');
  return { status: r.status, stdout: clean(r.stdout), stderr: clean(r.stderr) };
}

describe("the bundle (dist/bundle) against the tsc output (dist/)", () => {
  it("is built from the current tsc output (dist/bundle/inputs.json: a hash per input file)", () => {
    const inputs = JSON.parse(readFileSync("dist/bundle/inputs.json", "utf8")) as Record<string, string>;
    expect(Object.keys(inputs)).toContain("dist/cli/main.js");
    expect(Object.keys(inputs)).toContain("dist/pipeline/check-worker.js");
    for (const [f, hash] of Object.entries(inputs)) {
      expect(createHash("sha256").update(readFileSync(f)).digest("hex"), `${f} changed since the bundle was built: npm run build`).toBe(hash);
    }
  });

  const dir = tmpFiles({});
  const gz = join(dir, "kern.log.gz");
  writeFileSync(gz, gzipSync(readFileSync("fixtures/kcps/kern.log")));
  const second = join(dir, "kern-copy.log");
  copyFileSync("fixtures/kcps/kern.log", second);
  const check = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--year", "2026"];
  const cases: [string, string[]][] = [
    ["check, JSON report", [...check, "--format", "json", "fixtures/kcps/kern.log"]],
    ["check, text report", [...check, "fixtures/kcps/kern.log"]],
    ["check --jobs 2 (the worker thread) over two inputs, one gzip", [...check, "--format", "json", "--jobs", "2", gz, second]],
    ["check of a capture", ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json", "fixtures/pcap/lab/multi.pcapng"]],
    ["events", ["events", "fixtures/kcps/kern.log"]],
    ["rules show of a shipped ruleset (precompiled)", ["rules", "show", "skydiv-desktop-client", "--format", "md"]],
    ["rules lint of a shipped ruleset file (parsed)", ["rules", "lint", "rulesets/kcps-file-server.yaml"]],
    ["why (imported lazily)", ["why", "--help"]],
    ["export (imported lazily)", ["export", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--to", "nftables"]],
    ["a user error: one line, exit 2", [...check, "no-such-file.log"]],
    ["help", ["--help"]],
  ];
  for (const [name, args] of cases) {
    it(`same exit status, standard output and error: ${name}`, () => {
      const b = run(BUNDLE, args);
      const t = run(TSC, args);
      expect(b.stdout.length + b.stderr.length).toBeGreaterThan(0);
      expect(b).toEqual(t);
    });
  }
});
