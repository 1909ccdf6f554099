#!/usr/bin/env node
// The CLI from the tsc output (dist/), not the bundle bin/portmatrix.js runs: the same behaviour
// (test/cli/bundle.test.ts), but a CPU profile then names each module, so bench/profile.mjs can sum the
// time by area (decode, flow, match, report...).
import { main } from "../dist/cli/main.js";
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
