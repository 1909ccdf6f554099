#!/usr/bin/env node
"use strict";
// Run by scripts/build.mjs in a process of its own: compiles dist/bundle/portmatrix.cjs the way
// bin/portmatrix.js does (the same wrapper, file name and options, without a cache), runs one `check` of
// a capture and a log with a JSON report, which compiles what a short check needs (the CLI, the shipped
// ruleset's loading, the inventory's YAML, both input paths, the report), and writes V8's code cache of
// all that to dist/bundle/portmatrix.cache under the header bin/portmatrix.js verifies. Functions it did
// not run are compiled when first called, as without a cache.
const { renameSync, writeFileSync } = require("node:fs");
const { load, cacheHeader, BUNDLE, CACHE } = require("../bin/portmatrix.js");
const { readFileSync } = require("node:fs");

const { exports: cli, script } = load({ cache: null });
const argv = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--year", "2026", "--format", "json", "--quiet", "--allow-empty", "fixtures/kcps/kern.log", "fixtures/pcap/lab/lo-nano.pcap"];
const sink = { stdout: () => {}, stderr: () => {}, stdoutIsTTY: false, stderrIsTTY: false, env: process.env };
cli.main(argv, sink).then((code) => {
  if (code !== 0 && code !== 1) {
    console.error(`code-cache: the warm-up run \`portmatrix ${argv.join(" ")}\` ended with status ${code}`);
    process.exit(1);
  }
  const payload = script.createCachedData();
  const tmp = `${CACHE}.tmp-${process.pid}`;
  writeFileSync(tmp, Buffer.concat([Buffer.from(cacheHeader(readFileSync(BUNDLE), payload), "latin1"), payload]));
  renameSync(tmp, CACHE);
});
