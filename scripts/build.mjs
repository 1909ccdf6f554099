#!/usr/bin/env node
// `npm run build` after tsc (also `prepare`, so `npm ci` on a fresh clone ends with it): the steps that
// make a short run start fast (bench/README.md, "Start-up").
//  1. Every shipped ruleset (rulesets/*.yaml) parsed and checked once, written to dist/rulesets/<id>.json
//     and the line:column of each node in dist/rulesets/<id>.positions.json (src/model/precompiled.ts reads
//     them when the YAML is unchanged).
//  2. The tsc output bundled by esbuild into dist/bundle/ (bundleCli below).
//  3. A V8 code cache for that bundle, dist/bundle/portmatrix.cache (scripts/code-cache.cjs).
// dist/bundle/inputs.json records a hash of every file the bundle was made from, so a test can tell a
// bundle that is older than the tsc output.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { checkRuleset, shippedRulesetDir } from "../dist/model/ruleset.js";
import { nodePositions, precompile, precompiledDir, precompiledFiles } from "../dist/model/precompiled.js";
import { rulesetDigest } from "../dist/model/digest.js";
import { YamlSource } from "../dist/model/yaml-source.js";
import { buildWasm } from "./build-wasm.mjs";

// 0. The WebAssembly pcap decoder (scripts/build-wasm.mjs).
await buildWasm();

function precompileRulesets() {
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
    const out = precompile(text, def.raw, rulesetDigest(def.raw), nodePositions(YamlSource.parse(file, text)));
    const files = precompiledFiles(shipped, file);
    writeFileSync(files.json, JSON.stringify(out.json));
    writeFileSync(files.positions, JSON.stringify(out.positions));
  }
}

/**
 * esbuild leaves non-ASCII text in the comments it keeps (its default ASCII charset escapes strings,
 * regular expressions and names only). One such character makes V8 hold the whole 1.4 MB source as a
 * two-byte string and makes reading it as UTF-8 take ~20 ms instead of ~1; with it gone the launcher
 * reads the file as Latin-1, a plain copy. A \uXXXX escape is the same character in a string, a
 * regular expression or a name, and harmless text in a comment, wherever one is left.
 */
function asciiOnly(text) {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if (c < 0x80) out += ch;
    else for (let i = 0; i < ch.length; i++) out += "\\u" + ch.charCodeAt(i).toString(16).padStart(4, "0");
  }
  return out;
}

/**
 * dist/bundle/portmatrix.cjs, what bin/portmatrix.js runs: the whole CLI as one classic script (CommonJS),
 * because in Node 20 only a classic script (vm.Script) can be compiled from a V8 code cache; ES modules
 * cannot (module.enableCompileCache is Node 22). A lazily imported module (a command, a renderer, a
 * decompressor) is still evaluated only when imported; its code is in the file but is not compiled until
 * then. dist/bundle/check-worker.js, the --jobs worker thread, is an ES module of its own (a worker is a
 * new isolate: sharing code with the main thread's bundle would gain nothing).
 */
/**
 * commander requires node:child_process when it loads, for executable subcommands, which portmatrix
 * does not have; loading it (with net, dgram and the stream machinery behind them) was ~10% of a short
 * run. commander gets a stand-in that loads the real module at the first property read instead.
 */
const lazyChildProcess = {
  name: "lazy-child-process-for-commander",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) => (/[\\/]node_modules[\\/]commander[\\/]/.test(a.importer) ? { path: "child_process", namespace: "lazy-builtin" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, () => ({
      contents: "let real;\nmodule.exports = new Proxy({}, { get: (_, key) => (real ??= require(\"node:child_process\"))[key] });\n",
      loader: "js",
    }));
  },
};

/**
 * No import() may be left in the bundle: Node 20 loses a vm.Script's dynamic-import callback when the
 * script is compiled from a code cache made in another process (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING;
 * tried: with vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER too). So a Node module imported lazily becomes
 * a lazy require(), and an import of a name known only at run time (the optional engine packages,
 * src/engine/runners/session.ts) calls the launcher's own import(), passed in as __portmatrixImport.
 */
const noDynamicImport = {
  name: "no-dynamic-import",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => (a.kind === "dynamic-import" ? { path: a.path, namespace: "builtin-require" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "builtin-require" }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});\n`, loader: "js" }));
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (a) => {
      const text = readFileSync(a.path, "utf8");
      return { contents: text.replace(/(?<![\w$.])import\((?!\s*["'`])/g, "__portmatrixImport("), loader: "js" };
    });
  },
};

/** The bundle's text, refused if an import() is left in it (see noDynamicImport). */
function withoutImportCalls(text, file) {
  const left = /(?<![\w$.])import\(/.exec(text);
  if (left) throw new Error(`build: ${file} still has an import() at offset ${left.index} (${JSON.stringify(text.slice(left.index, left.index + 40))}); it would fail when compiled from the code cache`);
  return text;
}

/** dist/bundle/portmatrix.cjs is one function expression (bin/portmatrix.js). */
const SCRIPT_HEAD = "(function (exports, require, module, __filename, __dirname, __portmatrixImport) { ";
const SCRIPT_TAIL = "\n})";

async function bundleCli() {
  const outBundle = "dist/bundle";
  rmSync(outBundle, { recursive: true, force: true });
  const common = { bundle: true, platform: "node", target: "node20", metafile: true, logLevel: "warning", write: false };
  const cli = await build({
    ...common,
    entryPoints: { portmatrix: "dist/cli/main.js" },
    outdir: outBundle,
    outExtension: { ".js": ".cjs" },
    format: "cjs",
    // The two modules that find files from their own URL (shippedRulesetDir, parallel.ts's workerUrl)
    // get the bundle's: dist/bundle/ sits at the same depth as dist/<dir>/.
    define: { "import.meta.url": "__portmatrixUrl" },
    // The file is the function bin/portmatrix.js calls (Node's CommonJS wrapper, and the launcher's
    // import()), written here so that the launcher hands V8 the file's text as it is, without a copy.
    // "use strict" first: ES modules are strict, and so the tsc output is; after any other statement
    // (esbuild's own "use strict" comes after the banner) it would be an expression, not a directive.
    banner: { js: `${SCRIPT_HEAD}"use strict"; const __portmatrixUrl = require("node:url").pathToFileURL(__filename).href;` },
    footer: { js: SCRIPT_TAIL },
    plugins: [lazyChildProcess, noDynamicImport],
  });
  const worker = await build({
    ...common,
    entryPoints: { "check-worker": "dist/pipeline/check-worker.js" },
    outdir: outBundle,
    format: "esm",
    // The CommonJS dependencies call require() for Node's own modules; an ES module has none.
    banner: { js: "import { createRequire as __portmatrixRequire } from \"node:module\"; const require = __portmatrixRequire(import.meta.url);" },
  });
  // dist/bundle/gzip-ring-worker.cjs, the thread that inflates a large .gz file (src/source/gzip-ring.ts):
  // a classic script of its own, which loads nothing but three of Node's modules, to start fast.
  const gzipWorker = await build({
    ...common,
    // dist/bundle/read-ring-worker.cjs, the thread that reads a large capture (src/source/read-ring.ts), likewise.
    entryPoints: { "gzip-ring-worker": "dist/source/gzip-ring-worker.cjs", "read-ring-worker": "dist/source/read-ring-worker.cjs" },
    outdir: outBundle,
    outExtension: { ".js": ".cjs" },
    format: "cjs",
  });
  mkdirSync(outBundle, { recursive: true });
  for (const f of gzipWorker.outputFiles) writeFileSync(f.path, asciiOnly(f.text));
  for (const f of cli.outputFiles) writeFileSync(f.path, withoutImportCalls(asciiOnly(f.text), f.path));
  for (const f of worker.outputFiles) writeFileSync(f.path, asciiOnly(f.text));
  const inputs = {};
  // Files only: the stand-ins above are inputs too ("lazy-builtin:child_process"...), made here.
  const files = Object.keys({ ...cli.metafile.inputs, ...worker.metafile.inputs, ...gzipWorker.metafile.inputs }).filter((f) => !/^(lazy-builtin|builtin-require):/.test(f));
  for (const f of files.sort()) {
    inputs[f] = createHash("sha256").update(readFileSync(f)).digest("hex");
  }
  writeFileSync(join(outBundle, "inputs.json"), JSON.stringify(inputs, null, 1) + "\n");
}

/** In a process of its own, started as a user's is (without this one's flags: V8 rejects a cache made under other flags). */
function codeCache() {
  const r = spawnSync(process.execPath, ["scripts/code-cache.cjs"], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build: scripts/code-cache.cjs failed (status ${r.status}): no code cache was made`);
    process.exit(1);
  }
}

precompileRulesets();
await bundleCli();
codeCache();
