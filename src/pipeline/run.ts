import type { EventBatch } from "../decode/batch.js";
import { cutShortError, decoderFor, detectFormat, knownFormats } from "./formats.js";
import type { DecodeOptions } from "../decode/log/options.js";
import { InputStats } from "../decode/stats.js";
import type { Decoder } from "../decode/decoder.js";
import { describeHead } from "../source/detect.js";
import { openInput, type OpenedInput, type OpenOptions } from "../source/inputs.js";
import { describeContainer } from "../source/compress.js";
import { InputError } from "../errors.js";
import { basename, extname } from "node:path";
import { STDIN } from "../source/inputs.js";
import { CHUNK } from "../source/raw.js";
import { ReadRing } from "../source/read-ring.js";

/**
 * How the error of an input in no known format begins. The list of formats is long: the CLI prints it
 * once per run (sayFormatList), not in every such error.
 */
export const UNKNOWN_FORMAT = "not a known format";

/** The --exclude pattern that leaves out files like this one: its extension, or its whole name. */
function excludeFor(path: string): string {
  const name = basename(path);
  const ext = extname(name);
  return ext && ext !== name ? `*${ext}` : name;
}

function unknownFormat(path: string, head: Buffer): string {
  const exclude = path === STDIN ? "" : `, or --exclude '${excludeFor(path)}' to leave such files out of a directory`;
  return `${UNKNOWN_FORMAT} (${describeHead(head)}); not read: use --input-format to force one${exclude}`;
}

/** What happened to one input: the report's `inputs` section is made from these. */
export interface InputResult {
  path: string;
  format: string;
  compressed: boolean;
  stats: InputStats;
  /** Set when the input could not be read to its end (the records before the error still count). */
  error?: string;
}

export interface RunOptions {
  decode: DecodeOptions;
  /** Force a format instead of detecting it. */
  inputFormat?: string;
  /** How inputs are opened (tests shorten the FIFO writer timeout). */
  open?: OpenOptions;
  /** Captures: per packet instead of per connection. */
  packets?: boolean;
  /** Called with each input's events; the batch is reused after the call. */
  sink: (batch: EventBatch, inputIndex: number, input: InputResult) => void;
  /** Called for every skipped record. */
  onSkip?: (input: InputResult, reason: string, position: number, text?: string) => void;
  /**
   * Called after each chunk with its decompressed size and the raw (on-disk) bytes read since the last
   * call (progress display, output backpressure); a promise is awaited.
   */
  onChunk?: (input: InputResult, bytes: number, rawBytes: number) => void | Promise<void>;
}

/**
 * Source -> decode for every input in order. An input that cannot be read or recognised is recorded
 * with its error and the next input is still read.
 */
export async function runInputs(paths: readonly string[], opts: RunOptions): Promise<InputResult[]> {
  const results: InputResult[] = [];
  for (let idx = 0; idx < paths.length; idx++) results.push(await runInput(paths[idx]!, idx, opts));
  return results;
}

/**
 * The chunks after the head. A file as it is on disk, to a decoder with its own input buffer (the
 * WebAssembly pcap decoder's chunk area), is read straight into that buffer (no thread-pool round trip,
 * no copy: bench/README.md, "Realistic capture, second round"); everything else comes from `rest`.
 */
async function* chunksOf(input: OpenedInput, decoder: Decoder): AsyncGenerator<Buffer> {
  const area = decoder.chunkArea;
  if (input.nextInto === undefined || area === undefined) {
    yield* input.rest;
    return;
  }
  let spare: Buffer | undefined;
  // A large file is read by a worker thread into the decoder's read areas (src/source/read-ring.ts).
  const areas = decoder.readAreas?.();
  const ring = areas === undefined ? undefined : new ReadRing(areas);
  let failed = false;
  try {
    for (;;) {
      const chunk = await input.nextInto(area() ?? (spare ??= Buffer.allocUnsafe(CHUNK)), ring);
      if (chunk === null) return;
      yield chunk;
    }
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    // Before the decoder's end: its memory may go to the next input's decoder, which the worker must not
    // write. A worker's failure does not take the place of the input's own error (a read error).
    if (failed) await ring?.stop().catch(() => undefined);
    else await ring?.stop();
  }
}

/** Source -> decode for one input (`idx` is its place among the inputs, passed to the sink). */
export async function runInput(path: string, idx: number, opts: RunOptions): Promise<InputResult> {
  const result: InputResult = { path, format: "unknown", compressed: false, stats: new InputStats() };
  let opened: OpenedInput | undefined;
  try {
    opened = await openInput(path, opts.open);
    result.compressed = opened.compressed;
    if (opened.head.length === 0) {
      result.format = "empty";
      return result;
    }
    const format = opts.inputFormat ?? detectFormat(opened.head, opts.decode.flowExportPorts);
    if (!format) {
      // Content we can name (an archive, UTF-32) says what to do; the list of formats helps only otherwise.
      const named = describeContainer(opened.head);
      throw new InputError(named ?? unknownFormat(path, opened.head), { file: path });
    }
    const decoder = decoderFor(format, opts.decode, path, { packets: opts.packets === true });
    if (!decoder) throw new InputError(`unknown input format "${format}"; known: ${knownFormats().join(", ")}`, { file: path });
    result.format = format;
    result.stats = decoder.stats;
    if (opts.onSkip) {
      const onSkip = opts.onSkip;
      decoder.stats.onSkip = (reason, position, text) => onSkip(result, reason, position, text);
    }
    const emit = (b: EventBatch) => opts.sink(b, idx, result);
    const input = opened;
    try {
      let raw = 0;
      const rawDelta = () => { const r = input.rawBytes(); const d = r - raw; raw = r; return d; };
      decoder.push(input.head, emit);
      await opts.onChunk?.(result, input.head.length, rawDelta());
      for await (const chunk of chunksOf(input, decoder)) {
        // Its length first: the decoder's memory may grow while the chunk is decoded (the flow tracker's
        // tables, in the memory shared with the decoder: src/decode/pcap/wasm.ts shareMemory).
        const bytes = chunk.length;
        decoder.push(chunk, emit);
        await opts.onChunk?.(result, bytes, rawDelta());
      }
    } finally {
      // Whatever was decoded before an error still counts.
      decoder.end(emit);
    }
    const cut = cutShortError(format, decoder.stats, path);
    if (cut) throw cut;
  } catch (e) {
    if (e instanceof InputError) result.error = e.message;
    else throw e;
  } finally {
    await opened?.close();
  }
  return result;
}
