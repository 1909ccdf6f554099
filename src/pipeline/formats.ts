import type { Decoder } from "../decode/decoder.js";
import type { DecodeOptions } from "../decode/log/options.js";
import { createNetfilterDecoder } from "../decode/log/netfilter.js";
import { createWindowsFirewallDecoder } from "../decode/log/windows-firewall.js";
import { createCsvDecoder } from "../decode/log/csv.js";
import { createPcapDecoder } from "../decode/pcap/classic.js";
import { createPcapngDecoder } from "../decode/pcapng/reader.js";
import { createConnectionDecoder } from "../flow/capture-decoder.js";
import { sniffCsvHeader, sniffNetfilter, sniffWindowsFirewall } from "../decode/log/sniff.js";
import { detectBinary, detectText, type Sniffer } from "../source/detect.js";
import { VENDOR_FORMATS } from "../decode/log/vendors.js";
import { createTextDecoder } from "../decode/log/text-format.js";
import { createExportCaptureDecoder, looksLikeExportCapture } from "../decode/flow/export-capture.js";
import { createFlowConnectionDecoder } from "../flow/flow-pairing.js";
import { createNfdumpCsvDecoder, sniffNfdumpCsv } from "../decode/log/nfdump-csv.js";
import { createNfdumpJsonDecoder, sniffNfdumpJson } from "../decode/log/nfdump-json.js";
import { createSuricataEveDecoder, sniffSuricataEve } from "../decode/log/suricata-eve.js";

export interface FormatOptions {
  /** Captures: one event per packet instead of one per connection (`events --packets`). */
  packets?: boolean;
}

type Factory = (opts: DecodeOptions, file: string, f: FormatOptions) => Decoder;

/** Every input format: log formats decode straight to events; captures go through the flow tracker. */
const FACTORIES = new Map<string, Factory>([
  ["pcap", (_o, file, f) => (f.packets ? createPcapDecoder(file) : createConnectionDecoder(createPcapDecoder(file)))],
  ["pcapng", (_o, file, f) => (f.packets ? createPcapngDecoder(file) : createConnectionDecoder(createPcapngDecoder(file)))],
  ["netflow", (o, file, f) => (f.packets ? createExportCaptureDecoder(file, o.flowExportPorts) : createFlowConnectionDecoder(createExportCaptureDecoder(file, o.flowExportPorts)))],
  ["nfdump-csv", (_o, _file, f) => (f.packets ? createNfdumpCsvDecoder() : createFlowConnectionDecoder(createNfdumpCsvDecoder()))],
  ["nfdump-json", (_o, _file, f) => (f.packets ? createNfdumpJsonDecoder() : createFlowConnectionDecoder(createNfdumpJsonDecoder()))],
  ["suricata-eve", (_o, _file, f) => (f.packets ? createSuricataEveDecoder() : createFlowConnectionDecoder(createSuricataEveDecoder()))],
  ["netfilter", (o) => createNetfilterDecoder(o)],
  ["windows-firewall", (o) => createWindowsFirewallDecoder(o)],
  ["csv", (o) => createCsvDecoder(o)],
  ...VENDOR_FORMATS.map((spec): [string, Factory] => [spec.name, (o) => createTextDecoder(spec, o)]),
]);

export const CAPTURE_FORMAT_NAMES = ["pcap", "pcapng"];

/** Text formats in the order they are tried; a line-based score decides, ties go to the earlier one. */
const SNIFFERS: Sniffer[] = [
  { name: "netfilter", sniff: sniffNetfilter },
  { name: "windows-firewall", sniff: sniffWindowsFirewall },
  ...VENDOR_FORMATS.map((spec): Sniffer => ({ name: spec.name, sniff: (l) => spec.sniff(l) })),
  { name: "nfdump-csv", sniff: sniffNfdumpCsv },
  { name: "nfdump-json", sniff: sniffNfdumpJson },
  { name: "suricata-eve", sniff: sniffSuricataEve },
  { name: "csv", sniff: sniffCsvHeader, headerOnly: true },
];

/**
 * The format of an input from its first bytes, or undefined. A capture whose packets are mostly flow
 * export datagrams (to `flowExportPorts`) is read as the flows it exports.
 */
export function detectFormat(head: Buffer, flowExportPorts?: readonly number[]): string | undefined {
  const binary = detectBinary(head);
  if (binary !== undefined) return looksLikeExportCapture(head, flowExportPorts) ? "netflow" : binary;
  return detectText(head, SNIFFERS);
}

export function decoderFor(format: string, opts: DecodeOptions, file: string, f: FormatOptions = {}): Decoder | undefined {
  return FACTORIES.get(format)?.(opts, file, f);
}

export function knownFormats(): string[] {
  return [...FACTORIES.keys()];
}
