import type { Decoder } from "../decode/decoder.js";
import type { EventBatch } from "../decode/batch.js";
import { FlowTracker, DEFAULT_TIMEOUTS, type FlowTimeouts } from "./tracker.js";
import { trackerEngine } from "./wasm-tracker.js";

/**
 * A capture read as connections: the packet decoder's events go through the flow tracker, and what
 * comes out is one event per connection attempt with its inferred outcome as the action. The
 * accounting stays the packet decoder's (records are packets: each used or skipped with a reason).
 */
export function createConnectionDecoder(packets: Decoder, timeouts: FlowTimeouts = DEFAULT_TIMEOUTS): Decoder & { tracker: FlowTracker } {
  const tracker = new FlowTracker(timeouts);
  // The per-packet path in WebAssembly where the batch comes from the WebAssembly pcap decoder
  // (wasm-tracker.ts); elsewhere the JS path, the reference.
  if ("chunkArea" in packets) tracker.engine = trackerEngine();
  // ... reading the decoder's batches in place, in the decoder's memory (wasm.ts shareMemory).
  if (packets.shareMemory) tracker.shareMemory = packets.shareMemory;
  tracker.notFlow = (reason, position) => packets.stats.reclassify(reason, position);
  const conns: Decoder & { tracker: FlowTracker } = {
    format: packets.format,
    stats: packets.stats,
    tracker,
    push(chunk: Buffer, emit: (b: EventBatch) => void) {
      packets.push(chunk, (b) => tracker.addPackets(b, emit));
    },
    end(emit: (b: EventBatch) => void) {
      try {
        packets.end((b) => tracker.addPackets(b, emit));
      } finally {
        tracker.end(emit);
      }
    },
  };
  // The packet decoder's own input buffer, for a source that reads straight into it (pipeline/run.ts).
  if (packets.chunkArea) conns.chunkArea = packets.chunkArea;
  if (packets.readAreas) conns.readAreas = packets.readAreas;
  return conns;
}
