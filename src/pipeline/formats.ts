/**
 * The pipeline's view of the formats (decode/formats.ts): detection from an input's first bytes, and the
 * decoder with its stage applied: packets through the connection tracker, flow records through the flow
 * pairing, events as they are.
 */
import type { Decoder } from "../decode/decoder.js";
import type { InputStats } from "../decode/stats.js";
import { InputError } from "../errors.js";
import type { DecodeOptions } from "../decode/log/options.js";
import { defaultDecodeOptions } from "../decode/log/options.js";
import { FORMATS } from "../decode/formats.js";
import type { FormatRecord } from "../decode/format.js";
import { createConnectionDecoder } from "../flow/capture-decoder.js";
import { createFlowConnectionDecoder } from "../flow/flow-pairing.js";
import { DETECT_BYTES, detectText, type Sniffer } from "../source/detect.js";

export interface FormatOptions {
  /** Captures and flow exports: one event per packet or flow record, before the stage (`events --packets`). */
  packets?: boolean;
}

const BY_NAME = new Map<string, FormatRecord>(FORMATS.map((f) => [f.name, f]));

const SNIFFERS: Sniffer[] = FORMATS.filter((f) => f.sniffLine !== undefined).map((f) => {
  const s: Sniffer = { name: f.name, sniff: f.sniffLine! };
  if (f.headerOnly) s.headerOnly = true;
  return s;
});

/** The format records, in detection order (for documentation and tests). */
export function formatRecords(): readonly FormatRecord[] {
  return FORMATS;
}

/**
 * The format of an input from its first bytes (the first DETECT_BYTES of `head`, so that a file and the
 * same bytes on standard input agree), or undefined: binary formats by their head, in order (a capture
 * whose packets are mostly flow export datagrams to `flowExportPorts` is read as the flows it exports),
 * then text formats by their lines.
 */
export function detectFormat(head: Buffer, flowExportPorts?: readonly number[]): string | undefined {
  const opts = flowExportPorts === undefined ? defaultDecodeOptions() : { ...defaultDecodeOptions(), flowExportPorts };
  const h = head.length > DETECT_BYTES ? head.subarray(0, DETECT_BYTES) : head;
  for (const f of FORMATS) if (f.sniffHead?.(h, opts)) return f.name;
  return detectText(h, SNIFFERS);
}

export function decoderFor(format: string, opts: DecodeOptions, file: string, f: FormatOptions = {}): Decoder | undefined {
  const record = BY_NAME.get(format);
  if (record === undefined) return undefined;
  if (record.stage === "flow-records") {
    const records = record.create(opts, file);
    return f.packets ? records : createFlowConnectionDecoder(records);
  }
  const d = record.create(opts, file);
  return record.stage === "packets" && !f.packets ? createConnectionDecoder(d) : d;
}

/**
 * The error for an input of `format` that was not read to its end (FormatBase.cutReasons), at the cut
 * reason's byte offset; undefined when it was read to its end. Reading stops at any cut reason, so an
 * input has one at most.
 */
export function cutShortError(format: string, stats: InputStats, file: string): InputError | undefined {
  for (const [reason, text] of Object.entries(BY_NAME.get(format)?.cutReasons ?? {})) {
    const offset = stats.firstPosition.get(reason);
    if (offset !== undefined) return new InputError(text, { file, offset });
  }
  return undefined;
}

export function knownFormats(): string[] {
  return FORMATS.map((f) => f.name);
}
