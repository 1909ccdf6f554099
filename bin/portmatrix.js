#!/usr/bin/env node
"use strict";
// The launcher (a CommonJS script: bin/package.json says so, which spares a short run Node's ES module
// loader). It runs the CLI that `npm run build` bundled into one classic script, dist/bundle/portmatrix.cjs
// (scripts/build.mjs), compiled from the V8 code cache the build made beside it
// (dist/bundle/portmatrix.cache, scripts/code-cache.cjs) when that cache is for exactly this bundle:
// compiling ~1.4 MB of JavaScript is most of a short run's start-up (bench/README.md, "Start-up").
//
// The cache is only ever read here, never written: a run writes nothing the user did not ask for.
// V8 checks a cache's version, flags and source length, but not its contents (in release builds it keeps
// no checksum: a damaged cache file crashes the process in the deserializer), nor a source edited to the
// same length. So the cache file names the SHA-256 of the source and of its own payload, and a cache
// that does not match both is not handed to V8 at all. A cache V8 rejects (another Node version, other
// flags) costs the compilation it would have saved, nothing else.
const { closeSync, fstatSync, openSync, readSync } = require("node:fs");
const { join, resolve } = require("node:path");
const { createHash } = require("node:crypto");
const vm = require("node:vm");

const BUNDLE_DIR = join(__dirname, "..", "dist", "bundle");
const BUNDLE = join(BUNDLE_DIR, "portmatrix.cjs");
const CACHE = join(BUNDLE_DIR, "portmatrix.cache");
/** The cache file: this line, then the V8 cache. */
const MAGIC = "portmatrix-code-cache 2";

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/**
 * The header line for a source and payload with these SHA-256 digests, padded with spaces to a multiple
 * of 8 bytes: V8 uses cached data in place only when it starts 8-byte aligned and copies it otherwise
 * (AlignedCachedData), and with the 154-byte line of version 1 that copy of the 0.86 MB cache was ~200
 * page faults, a quarter of the compile step (bench/README.md, "Start-up, fifth round"). The buffer the
 * cache is read into starts aligned (a Buffer of its own, or the bundle's at offset 0).
 */
function headerLine(sourceDigest, payloadDigest) {
  const line = `${MAGIC} ${sourceDigest} ${payloadDigest}`;
  return line.padEnd(Math.ceil((line.length + 1) / 8) * 8 - 1, " ") + "\n";
}

/** The header line of a cache file for `source` and `payload` (scripts/code-cache.cjs writes it). */
function cacheHeader(source, payload) {
  return headerLine(sha256(source), sha256(payload));
}

/**
 * The whole of file `path`, read into `into` when it fits (a view of it), else into a new buffer. A run
 * reads the cache into the buffer the bundle was read into, once the bundle's text is a string: memory
 * touched for the first time costs a page fault per 4 KiB, ~3-5 ms per MiB on this VM (bench/README.md,
 * "Start-up, third round").
 */
function readWhole(path, into) {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const buf = into !== undefined && into.length >= size ? into.subarray(0, size) : Buffer.allocUnsafeSlow(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) return buf.subarray(0, got);
      got += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** The V8 cache in `file` if it was made from the source whose SHA-256 is `sourceDigest` and is whole; else why not. */
function readCache(file, sourceDigest, into) {
  let bytes;
  try {
    bytes = readWhole(file, into);
  } catch {
    return { status: "none" };
  }
  const nl = bytes.indexOf(10);
  const header = nl < 0 ? "" : bytes.toString("latin1", 0, nl + 1);
  const payload = bytes.subarray(nl + 1);
  if (!header.startsWith(MAGIC + " ") || header !== headerLine(sourceDigest, sha256(payload))) return { status: "mismatch" };
  return { status: "valid", data: payload };
}

/**
 * Compile and run the bundle; returns its exports and what became of the cache: "used", "rejected" (by
 * V8), "mismatch" (not for this bundle, or damaged: not offered to V8), "none" (no cache file), "off".
 */
function load(options = {}) {
  const bundle = resolve(options.bundle ?? BUNDLE);
  const bytes = readWhole(bundle);
  // scripts/build.mjs makes the bundle ASCII-only, so Latin-1 is exact, and a plain copy.
  const source = bytes.toString("latin1");
  // The bundle's digest before its bytes are overwritten by the cache's.
  const cache = options.cache === null ? { status: "off" } : readCache(options.cache ?? CACHE, sha256(bytes), bytes);
  // The file is one function expression (scripts/build.mjs writes the wrapper into it): it takes the
  // CommonJS module's exports, require, module, __filename and __dirname, as Node's own wrapper gives
  // them, and __portmatrixImport, this file's import() (the bundle has none of its own: Node 20 loses a
  // vm.Script's import() when the script comes from a code cache).
  const script = new vm.Script(source, { filename: bundle, cachedData: cache.data });
  const status = cache.data === undefined ? cache.status : script.cachedDataRejected ? "rejected" : "used";
  const module = { exports: {} };
  const importer = (specifier) => import(specifier);
  // This file's own require: the bundle requires Node's modules only (every package is in it), and
  // node:module's createRequire would load Node's ES module loader for nothing.
  script.runInThisContext().call(module.exports, module.exports, require, module, bundle, join(bundle, ".."), importer);
  return { exports: module.exports, script, status };
}

module.exports = { load, cacheHeader, BUNDLE, CACHE };

if (require.main === module) {
  load().exports.main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
