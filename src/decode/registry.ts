import type { Decoder } from "./decoder.js";
import type { DecodeOptions } from "./log/options.js";
import { createNetfilterDecoder } from "./log/netfilter.js";
import { createWindowsFirewallDecoder } from "./log/windows-firewall.js";
import { createCsvDecoder } from "./log/csv.js";

/** A decoder factory per format name. Capture formats register themselves in capture-registry.ts. */
export type DecoderFactory = (opts: DecodeOptions, file: string) => Decoder;

const factories = new Map<string, DecoderFactory>([
  ["netfilter", (o) => createNetfilterDecoder(o)],
  ["windows-firewall", (o) => createWindowsFirewallDecoder(o)],
  ["csv", (o) => createCsvDecoder(o)],
]);

export function registerDecoder(format: string, f: DecoderFactory): void {
  factories.set(format, f);
}

export function decoderFor(format: string, opts: DecodeOptions, file: string): Decoder | undefined {
  return factories.get(format)?.(opts, file);
}

export function knownFormats(): string[] {
  return [...factories.keys()];
}
