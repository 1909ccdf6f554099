/**
 * One record per input format: its name, how it is recognised, how its decoder is made, what the
 * pipeline does with what the decoder gives, and the line the README's formats table shows. Each
 * record lives in the format's own module; src/decode/formats.ts lists them in detection order.
 *
 * Which decoder style a new format should use:
 * - A line-oriented text format (a syslog message, a CSV or JSON line) is a `TextFormatSpec`
 *   (text-format.ts): a pure `parse(line) -> flows | skip reason`, the framing, the address, port and ICMP
 *   checks, and the accounting all shared. This is the default: correctness is in one place and a
 *   format is a small pure function, testable line by line.
 * - A byte-level `LineFormat` (netfilter.ts, windows-firewall.ts, csv.ts) only for a format read at
 *   volume where the string per line costs what matters (the benchmarks measure those three); it reads
 *   fields from the chunk's bytes with the helpers of text-bytes.ts.
 * - A binary format (pcap, pcapng, flow exports) is a push-style `Decoder` over chunks that checks every
 *   length against the record's end before using it.
 * - A format whose records are flows with counters for both directions (NetFlow, nfdump, Suricata) writes
 *   flow records (flow/records.ts) and declares stage "flow-records", so the same pairing decides them.
 */
import type { Decoder } from "./decoder.js";
import type { FlowRecordDecoder } from "./flow/records.js";
import type { DecodeOptions } from "./log/options.js";
import { createTextDecoder, type TextFormatSpec } from "./log/text-format.js";

/**
 * What the pipeline does with a decoder's output: "events" are matched as they are; "packets" go
 * through the connection tracker (flow/tracker.ts); "flow-records" through the flow pairing
 * (flow/flow-pairing.ts). `events --packets` shows packets and flow records before that stage.
 */
export type FormatStage = "events" | "packets" | "flow-records";

/** The README formats table's row: how the format is recognised, and what is worth knowing. */
export interface FormatDoc {
  detectedBy: string;
  notes: string;
}

interface FormatBase {
  readonly name: string;
  /** Text formats: true when a line is of this format (asked about an input's first lines). */
  readonly sniffLine?: (line: string) => boolean;
  /** Only the first data line decides (a CSV header). */
  readonly headerOnly?: boolean;
  /** Binary formats: true when the input's first bytes are of this format. */
  readonly sniffHead?: (head: Buffer, opts: DecodeOptions) => boolean;
  /**
   * Skip reasons after which nothing more of the input can be read (a container whose framing is lost)
   * or that say it ends inside a record (cut short), each with what it means. The records before are
   * counted and checked, but the input was not read to its end: its run is not a complete check (an
   * input error naming the skip's byte offset, exit 2), as for a gzip stream cut short.
   */
  readonly cutReasons?: Readonly<Record<string, string>>;
  readonly doc: FormatDoc;
}

/** A format; its decoder (made by `create`, before the stage; `file` names the input in errors) fits its stage. */
export type FormatRecord = FormatBase & (
  | { readonly stage: "events" | "packets"; readonly create: (opts: DecodeOptions, file: string) => Decoder }
  | { readonly stage: "flow-records"; readonly create: (opts: DecodeOptions, file: string) => FlowRecordDecoder }
);

/** The record of a format read through the shared text frame. */
export function textFormatRecord(spec: TextFormatSpec): FormatRecord {
  return { name: spec.name, stage: "events", sniffLine: (l) => spec.sniff(l), create: (o) => createTextDecoder(spec, o), doc: spec.doc };
}
