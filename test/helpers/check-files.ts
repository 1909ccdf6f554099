/**
 * The files the WebAssembly-against-JS report tests run `check` on (test/match/findings-wasm-files.test.ts,
 * classify-wasm-files.test.ts): every log, flow and capture file below a directory.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The fixtures/ directories of logs, flows and captures. */
export const FIXTURE_DIRS = ["logs", "logs-json", "pcap", "flow/captures", "flows", "lab", "kcps", "encodings"];

/** Every file below `d` that is not notes or provenance, sorted. */
export function filesUnder(d: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(d).sort()) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else if (!/\.(md|yaml|yml)$|corpus-notes\.json$/i.test(name)) out.push(p);
  }
  return out;
}
