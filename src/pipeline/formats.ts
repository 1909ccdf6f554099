import type { Decoder } from "../decode/decoder.js";
import type { DecodeOptions } from "../decode/log/options.js";
import { createNetfilterDecoder } from "../decode/log/netfilter.js";
import { createWindowsFirewallDecoder } from "../decode/log/windows-firewall.js";
import { createCsvDecoder } from "../decode/log/csv.js";
import { createPcapDecoder } from "../decode/pcap/classic.js";
import { createPcapngDecoder } from "../decode/pcapng/reader.js";
import { createConnectionDecoder } from "../flow/capture-decoder.js";

export interface FormatOptions {
  /** Captures: one event per packet instead of one per connection (`events --packets`). */
  packets?: boolean;
}

type Factory = (opts: DecodeOptions, file: string, f: FormatOptions) => Decoder;

/** Every input format: log formats decode straight to events; captures go through the flow tracker. */
const FACTORIES = new Map<string, Factory>([
  ["pcap", (_o, file, f) => (f.packets ? createPcapDecoder(file) : createConnectionDecoder(createPcapDecoder(file)))],
  ["pcapng", (_o, file, f) => (f.packets ? createPcapngDecoder(file) : createConnectionDecoder(createPcapngDecoder(file)))],
  ["netfilter", (o) => createNetfilterDecoder(o)],
  ["windows-firewall", (o) => createWindowsFirewallDecoder(o)],
  ["csv", (o) => createCsvDecoder(o)],
]);

export const CAPTURE_FORMAT_NAMES = ["pcap", "pcapng"];

export function decoderFor(format: string, opts: DecodeOptions, file: string, f: FormatOptions = {}): Decoder | undefined {
  return FACTORIES.get(format)?.(opts, file, f);
}

export function knownFormats(): string[] {
  return [...FACTORIES.keys()];
}
