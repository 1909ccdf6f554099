import type { EventBatch } from "./batch.js";
import type { InputStats } from "./stats.js";
import type { SharedBatchMemory } from "./pcap/wasm.js";
import type { ReadAreas } from "../source/read-ring.js";

/**
 * A decoder core: push-style, pure with respect to I/O. The source feeds it chunks of the
 * (decompressed) input in order; it writes events into batches and hands each full batch to `emit`
 * (the batch is reused after `emit` returns, so a consumer copies what it keeps). `end` flushes the
 * last partial record and the last batch. Malformed records become `stats.skip(reason, ...)`.
 * A decoder throws only for a condition that makes the rest of the input unreadable (an InputError
 * naming the byte offset), after emitting every event before it.
 */
export interface Decoder {
  readonly format: string;
  readonly stats: InputStats;
  push(chunk: Buffer, emit: (batch: EventBatch) => void): void;
  end(emit: (batch: EventBatch) => void): void;
  /**
   * The decoder's own input buffer, for a source that reads a chunk straight into it (at most its
   * length; pipeline/run.ts chunksOf); undefined while it has none. Only the WebAssembly pcap decoder
   * (and a connection decoder over it) has one.
   */
  chunkArea?(): Buffer | undefined;
  /**
   * Areas of the decoder's shared memory a worker thread may read the input into, beside `chunkArea`
   * (src/source/read-ring.ts); undefined while it has none. A chunk given to `push` that is a view of
   * one of them is decoded where it is. Only the WebAssembly pcap decoder has them.
   */
  readAreas?(): ReadAreas | undefined;
  /**
   * The memory the batches live in, for the flow tracker's module to share (src/decode/pcap/wasm.ts
   * SharedBatchMemory); undefined before the first batch. Only the WebAssembly pcap decoder has it.
   */
  shareMemory?(): SharedBatchMemory | undefined;
}
