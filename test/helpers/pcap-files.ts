import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { isPcapHead } from "../../src/decode/pcap/classic.js";

/** Every classic pcap file below `dir` (by its magic number, not its name alone), sorted by path. */
export function pcapFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pcapFiles(p));
    else if (/\.pcap/i.test(name) && isPcapHead(readFileSync(p).subarray(0, 4))) out.push(p);
  }
  return out;
}
