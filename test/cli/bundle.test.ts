import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { writeFileSync } from "node:fs";
import { tmpFiles } from "../helpers/tmp.js";
import { HAVE_DUCKDB } from "../helpers/engines.js";
import { flowCapture } from "../helpers/flow-captures.js";

/**
 * bin/portmatrix.js runs the esbuild bundle (dist/bundle/portmatrix.cjs, scripts/build.mjs) compiled
 * from the V8 code cache beside it (dist/bundle/portmatrix.cache); the tests run the sources and the tsc
 * output. The bundle must be made from today's tsc output and behave exactly as it does, with the
 * cache, without it, and with a cache that is damaged or not its own.
 */
const BUNDLE = ["bin/portmatrix.js"];
/** bin/portmatrix.js as it was before the bundle: the same launcher over dist/cli/main.js. */
const tscLauncher = join(tmpFiles({}), "portmatrix-tsc.mjs");
writeFileSync(tscLauncher, `import { main } from ${JSON.stringify(pathToFileURL(resolve("dist/cli/main.js")).href)};\nmain(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n`);
const TSC = [tscLauncher];

function run(launcher: string[], args: string[], cwd?: string, env: NodeJS.ProcessEnv = {}) {
  // A report of a few MiB: spawnSync's default maxBuffer (1 MiB) would cut it and close the pipe (a quiet exit 0).
  const r = spawnSync("node", [...launcher, ...args], { encoding: "utf8", cwd, env: { ...process.env, NO_COLOR: "1", ...env }, maxBuffer: 256 << 20 });
  // The report's generation time is the one thing two runs may differ in.
  const clean = (s: string) => s.replace(/"generatedAt": ?"[^"]+"/g, '"generatedAt": "T"');
  return { status: r.status, stdout: clean(r.stdout), stderr: clean(r.stderr) };
}

describe("the bundle (dist/bundle) against the tsc output (dist/)", () => {
  it("is built from the current tsc output (dist/bundle/inputs.json: a hash per input file)", () => {
    const inputs = JSON.parse(readFileSync("dist/bundle/inputs.json", "utf8")) as Record<string, string>;
    expect(Object.keys(inputs)).toContain("dist/cli/main.js");
    expect(Object.keys(inputs)).toContain("dist/pipeline/check-worker.js");
    expect(Object.keys(inputs)).toContain("dist/source/gzip-ring-worker.cjs");
    expect(Object.keys(inputs)).toContain("dist/source/read-ring-worker.cjs");
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
    ["--version", ["--version"]],
    ["a mistyped command", ["chek"]],
    ["help of one command", ["help", "events"]],
  ];
  if (HAVE_DUCKDB) {
    // The one import() of a package named at run time (src/engine/runners/session.ts) goes through the
    // launcher's own import(): one left in the bundle fails when compiled from the cache.
    const csv = join(dir, "f.csv");
    writeFileSync(csv, "time,src,dst,proto,sport,dport,action\n2026-11-01T10:00:00Z,10.99.1.100,10.99.2.10,tcp,41759,445,ACCEPT\n");
    cases.push(["check --engine duckdb (an optional package imported by name)", ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "json", "--engine", "duckdb", csv]]);
  }
  // The gzip ring's worker thread (src/source/gzip-ring.ts), forced for a small file: its script is
  // dist/bundle/gzip-ring-worker.cjs, found from the bundle and from --jobs 2's worker; a script that
  // fails to load is an error, so a missing one shows here. The same output as the main thread's path.
  const damaged = join(dir, "damaged.log.gz");
  const whole = gzipSync(readFileSync("fixtures/kcps/kern.log"));
  writeFileSync(damaged, Buffer.concat([whole, Buffer.from("junk")]));
  const ringCases: [string, string[]][] = [
    ["a .gz input", [...check, "--format", "json", gz]],
    ["a .gz input with junk after its member (read again on the main thread)", [...check, "--format", "json", damaged]],
    ["--jobs 2 over two inputs, one gzip", [...check, "--format", "json", "--jobs", "2", second, gz]],
  ];
  for (const [name, args] of ringCases) {
    it(`the gzip ring's worker (PORTMATRIX_GZIP=ring) against the main thread's path: ${name}`, () => {
      const ring = { PORTMATRIX_GZIP: "ring" };
      const b = run(BUNDLE, args, undefined, ring);
      expect(b.stdout.length).toBeGreaterThan(0);
      expect(b.stderr).not.toMatch(/Cannot find|worker/i);
      expect(b).toEqual(run(TSC, args, undefined, ring));
      expect(b).toEqual(run(BUNDLE, args, undefined, { PORTMATRIX_GZIP: "stream" }));
    });
  }

  // The read ring's worker thread (src/source/read-ring.ts), forced for captures of a few MiB (a
  // capture's first two MiB are read before the ring is offered): its script is
  // dist/bundle/read-ring-worker.cjs, found from the bundle and from --jobs 2's worker; a script that
  // fails to load is an error, so a missing one shows here. The same output as the main thread's reads.
  let big = flowCapture(18, 1);
  for (let n = 20_000; big.length < 5 * 1024 * 1024; n *= 2) big = flowCapture(18, n);
  const cap1 = join(dir, "big-1.pcap");
  const cap2 = join(dir, "big-2.pcap");
  writeFileSync(cap1, big);
  writeFileSync(cap2, flowCapture(19, 80_000));
  // bench/inventory.yaml holds the generated captures' addresses (test/helpers/flow-captures.ts).
  const checkFlows = ["check", "-r", "kcps-file-server", "-i", "bench/inventory.yaml", "--format", "json"];
  const readCases: [string, string[]][] = [
    ["a capture", [...checkFlows, cap1]],
    ["--jobs 2 over two captures", [...checkFlows, "--jobs", "2", cap1, cap2]],
  ];
  for (const [name, args] of readCases) {
    it(`the read ring's worker (PORTMATRIX_READ=ring) against the main thread's reads: ${name}`, () => {
      const b = run(BUNDLE, args, undefined, { PORTMATRIX_READ: "ring" });
      expect(b.status).toBe(1);
      expect(b.stdout.length).toBeGreaterThan(1000);
      expect(b.stderr).not.toMatch(/Cannot find|worker/i);
      expect(b).toEqual(run(TSC, args, undefined, { PORTMATRIX_READ: "ring" }));
      expect(b).toEqual(run(BUNDLE, args, undefined, { PORTMATRIX_READ: "direct" }));
    });
  }

  // zlib's handle.writeSync, which the worker drives, is not public API: on a Node without it the worker
  // must stop at once and leave the file to the main thread's reading, with the same output, not fail.
  const noWriteSync = join(dir, "no-write-sync.cjs");
  writeFileSync(noWriteSync, 'delete Object.getPrototypeOf(require("node:zlib").createGunzip()._handle).writeSync;\n');
  for (const [name, args] of ringCases.slice(0, 2)) {
    it(`the gzip ring on a Node whose zlib handle has no writeSync reads on the main thread: ${name}`, () => {
      const b = run(["--require", noWriteSync, ...BUNDLE], args, undefined, { PORTMATRIX_GZIP: "ring" });
      expect(b.stdout.length).toBeGreaterThan(0);
      expect(b).toEqual(run(BUNDLE, args, undefined, { PORTMATRIX_GZIP: "stream" }));
    });
  }

  for (const [name, args] of cases) {
    it(`same exit status, standard output and error: ${name}`, () => {
      const b = run(BUNDLE, args);
      const t = run(TSC, args);
      expect(b.stdout.length + b.stderr.length).toBeGreaterThan(0);
      expect(b).toEqual(t);
    });
  }
});

/** Where the launcher in package copy `root` says its cache went: used, rejected (by V8), mismatch, none. */
function cacheStatus(root: string, nodeFlags: string[] = []): string {
  const r = spawnSync("node", [...nodeFlags, "-e", `process.stdout.write(require(${JSON.stringify(resolve(root, "bin/portmatrix.js"))}).load().status)`], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  return r.stdout;
}

/** The parts of the package bin/portmatrix.js reads, and the test's inputs, copied, so that a test can damage them. */
function packageCopy(): string {
  const root = tmpFiles({});
  for (const d of ["bin", "dist/bundle", "dist/rulesets", "rulesets", "fixtures/kcps", "fixtures/pcap/lab"]) cpSync(d, join(root, d), { recursive: true });
  copyFileSync("package.json", join(root, "package.json"));
  return root;
}

describe("the code cache (dist/bundle/portmatrix.cache)", () => {
  // A log and a capture: the cache holds the code of both paths (scripts/code-cache.cjs).
  const args = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--year", "2026", "--format", "json", "--allow-empty", "fixtures/kcps/kern.log", "fixtures/pcap/lab/multi.pcapng"];
  const expected = run(TSC, args);
  const inCopy = (root: string, nodeFlags: string[] = []) => run([...nodeFlags, "bin/portmatrix.js"], args, root);

  it("is made by the build and used by the launcher", () => {
    expect(cacheStatus(".")).toBe("used");
    expect(run(BUNDLE, args)).toEqual(expected);
  });

  it("V8's data starts 8-byte aligned in the file (V8 copies cached data that is not aligned: ~200 page faults)", () => {
    const cache = readFileSync("dist/bundle/portmatrix.cache");
    const start = cache.indexOf(10) + 1;
    expect(start).toBeGreaterThan(100);
    expect(start % 8).toBe(0);
    expect(cache.toString("latin1", 0, start)).toMatch(/^portmatrix-code-cache \d+ [0-9a-f]{64} [0-9a-f]{64} *\n$/);
  });

  it("the bundle is ASCII, so the launcher's Latin-1 read of it is exact", () => {
    const bytes = readFileSync("dist/bundle/portmatrix.cjs");
    expect(bytes.findIndex((b) => b >= 0x80)).toBe(-1);
  });

  it("the bundle's code is strict, as the tsc output's ES modules are", () => {
    const text = readFileSync("dist/bundle/portmatrix.cjs", "latin1");
    expect(text).toMatch(/^\(function \([\w, ]+\) \{ "use strict";/);
  });

  it("a damaged cache is never handed to V8 (which would crash on it): the run is the same, compiled from source", () => {
    const root = packageCopy();
    const cache = readFileSync(join(root, "dist/bundle/portmatrix.cache"));
    for (let i = 0; i < 64; i++) cache[Math.floor(cache.length / 2) + i]! ^= 0x5a;
    writeFileSync(join(root, "dist/bundle/portmatrix.cache"), cache);
    expect(cacheStatus(root)).toBe("mismatch");
    expect(inCopy(root)).toEqual(expected);
  });

  it("a cache with the previous version's header (unpadded, so unaligned) is not used", () => {
    const root = packageCopy();
    const file = join(root, "dist/bundle/portmatrix.cache");
    const cache = readFileSync(file);
    const nl = cache.indexOf(10);
    const v1 = cache.toString("latin1", 0, nl).replace(/^portmatrix-code-cache \d+/, "portmatrix-code-cache 1").trimEnd() + "\n";
    writeFileSync(file, Buffer.concat([Buffer.from(v1, "latin1"), cache.subarray(nl + 1)]));
    expect(cacheStatus(root)).toBe("mismatch");
    expect(inCopy(root)).toEqual(expected);
  });

  it("a cache made from another bundle of the same length is not used (V8 compares lengths only)", () => {
    const root = packageCopy();
    const file = join(root, "dist/bundle/portmatrix.cjs");
    const text = readFileSync(file, "latin1");
    const at = text.indexOf("// dist/cli/main.js");
    expect(at).toBeGreaterThan(0);
    writeFileSync(file, text.slice(0, at) + "// dist/cli/MAIN.js" + text.slice(at + "// dist/cli/main.js".length), "latin1");
    expect(cacheStatus(root)).toBe("mismatch");
    expect(inCopy(root)).toEqual(expected);
  });

  it("a cache V8 rejects (made under other V8 flags) costs the compilation, nothing else", () => {
    const root = packageCopy();
    expect(cacheStatus(root, ["--stack-size=2000"])).toBe("rejected");
    expect(inCopy(root, ["--stack-size=2000"])).toEqual(expected);
  });

  it("without a cache file the bundle is compiled from source", () => {
    const root = packageCopy();
    rmSync(join(root, "dist/bundle/portmatrix.cache"));
    expect(cacheStatus(root)).toBe("none");
    expect(inCopy(root)).toEqual(expected);
    mkdirSync(join(root, "dist/bundle/portmatrix.cache"));
    expect(cacheStatus(root)).toBe("none");
  });
});

describe("what a short check loads (the lazy imports of src/cli/main.ts, src/source/gzip.ts, scripts/build.mjs)", () => {
  it("not the other commands' Node modules (sockets, child processes), nor zlib for a plain file", () => {
    const out = join(tmpFiles({}), "loaded.json");
    // Standard output and error go to /dev/null: a pipe would load net itself.
    const script = `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList)));
      require(${JSON.stringify(resolve("bin/portmatrix.js"))}).load().exports.main(${JSON.stringify(["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--year", "2026", "--format", "json", "fixtures/kcps/kern.log"])}).then((c) => { process.exitCode = c; });`;
    const r = spawnSync("node", ["-e", script], { stdio: "ignore" });
    expect(r.status).toBe(1);
    const loaded = new Set((JSON.parse(readFileSync(out, "utf8")) as string[]).map((m) => m.replace(/^NativeModule /, "")));
    expect(loaded.has("crypto"), "the list is of Node's modules").toBe(true);
    // perf_hooks: the global `performance` loads it and nine more modules (~1 ms) when first read.
    for (const m of ["child_process", "dgram", "net", "zlib", "worker_threads", "perf_hooks"]) expect(loaded.has(m), m).toBe(false);
  });
});
