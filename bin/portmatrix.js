#!/usr/bin/env node
// Thin launcher: the CLI bundled by `npm run build` (scripts/build.mjs; `npm ci` runs it through the
// prepare script) from the tsc output in dist/. One file to load is most of a short run's start-up.
import { main } from "../dist/bundle/portmatrix.js";
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
