#!/usr/bin/env node
// `npm run build` after tsc (also `prepare`, so `npm ci` on a fresh clone ends with it): the two steps
// that make a short run start fast (bench/README.md, "Start-up").
//  1. Every shipped ruleset (rulesets/*.yaml) parsed and checked once, written to dist/rulesets/<id>.json
//     with the line:column of each node (src/model/precompiled.ts reads it when the YAML is unchanged).
//  2. The tsc output bundled by esbuild into dist/bundle/: portmatrix.js (what bin/portmatrix.js runs),
//     check-worker.js (the --jobs worker thread) and chunks for what is imported lazily. One file to load
//     instead of ~140 modules and the dependencies' own. dist/bundle/inputs.json records a hash of every
//     file it was made from, so a test can tell a bundle that is older than the tsc output.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { checkRuleset, shippedRulesetDir } from "../dist/model/ruleset.js";
import { nodePositions, precompiledDir } from "../dist/model/precompiled.js";
import { YamlSource } from "../dist/model/yaml-source.js";
import { buildWasm } from "./build-wasm.mjs";

// 0. The WebAssembly pcap decoder (scripts/build-wasm.mjs).
await buildWasm();

const shipped = shippedRulesetDir();
const outRulesets = precompiledDir(shipped);
rmSync(outRulesets, { recursive: true, force: true });
mkdirSync(outRulesets, { recursive: true });
for (const name of readdirSync(shipped).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  const file = join(shipped, name);
  const text = readFileSync(file, "utf8");
  const { def, problems } = checkRuleset(`rulesets/${name}`, text);
  if (!def) {
    console.error(`build: shipped ruleset rulesets/${name} does not check: ${problems.map((p) => p.message).join("; ")}`);
    process.exit(1);
  }
  // The positions come from a fresh parse: checkRuleset's own source is the same document.
  const positions = nodePositions(YamlSource.parse(file, text));
  writeFileSync(join(outRulesets, name.replace(/\.ya?ml$/, ".json")), JSON.stringify({ yaml: text, raw: def.raw, positions }));
}

const outBundle = "dist/bundle";
rmSync(outBundle, { recursive: true, force: true });
const result = await build({
  entryPoints: { portmatrix: "dist/cli/main.js", "check-worker": "dist/pipeline/check-worker.js" },
  outdir: outBundle,
  // Chunks stay beside the entries: code that finds files from its own URL (shippedRulesetDir,
  // parallel.ts's workerUrl) sits at the same depth as in dist/<dir>/.
  chunkNames: "[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The CommonJS dependencies (commander, ...) call require() for Node's own modules; an ES module has
  // no require, so each output file gets one.
  banner: { js: "import { createRequire as __portmatrixRequire } from \"node:module\"; const require = __portmatrixRequire(import.meta.url);" },
  metafile: true,
  logLevel: "warning",
});
const inputs = {};
for (const f of Object.keys(result.metafile.inputs).sort()) {
  inputs[f] = createHash("sha256").update(readFileSync(f)).digest("hex");
}
writeFileSync(join(outBundle, "inputs.json"), JSON.stringify(inputs, null, 1) + "\n");
