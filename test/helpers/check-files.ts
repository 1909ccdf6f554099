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

/**
 * Pairs of small inputs for the `--jobs 2` report tests (two worker tables merged): a CSV and a
 * netfilter log, a lab capture and a Windows Firewall log, from below `repoRoot`'s fixtures/.
 */
export function jobsPairs(repoRoot: string): string[][] {
  const logs = join(repoRoot, "fixtures/logs");
  return [
    [join(logs, "csv/handmade"), join(logs, "netfilter")],
    [join(repoRoot, "fixtures/pcap/lab"), join(logs, "windows-firewall")],
  ].map(([a, b]) => [filesUnder(a!)[0]!, filesUnder(b!).at(-1)!]);
}
