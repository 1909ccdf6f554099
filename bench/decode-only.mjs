#!/usr/bin/env node
// The decoder alone on one input: records decoded into batches and dropped (no matching, no table). Prints
// one JSON line with the time from the first chunk read to the last record decoded. Used by bench/run.mjs
// for the tokenizer goals (Windows Firewall and CSV against awk's field split); needs `npm run build`.
//   node bench/decode-only.mjs FILE
import { runInputs } from "../dist/pipeline/run.js";

const [file] = process.argv.slice(2);
if (!file) { console.error("usage: decode-only.mjs FILE"); process.exit(2); }
const decode = { actionMap: [], year: 2026, nowMs: Date.UTC(2027, 0, 1), csvColumns: {} };
let events = 0;
const t0 = performance.now();
const results = await runInputs([file], { decode, sink: (batch) => { events += batch.length; } });
const t1 = performance.now();
console.log(JSON.stringify({ file, records: results[0].stats.read, events, decodeMs: Math.round((t1 - t0) * 10) / 10 }));
