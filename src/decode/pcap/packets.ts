import { commit, createBatch, isFull, reserve, type EventBatch } from "../batch.js";
import { decodeFrame } from "../link/frame.js";
import { DECODED, skipReason } from "../ip/skip.js";
import type { InputStats } from "../stats.js";
import type { Decoder } from "../decoder.js";

/** Where a capture container (pcap, pcapng) hands each packet record it reads. */
export interface PacketSink {
  /**
   * One packet record: captured bytes `buf[off, end)`, `origLength` on the wire, link type, time in
   * ms since the epoch (NaN when the record has none), the record's byte offset in the input, and the
   * capture interface it was recorded on (`EventBatch.iface`; 0 for a container with one), the byte
   * offset in the input of `buf[off]` (past the record's header), for a sink that reports damage inside
   * the packet (a flow export) at its own byte, and its frame number (`EventBatch.frame`: 1-based, every
   * packet record of the file counted).
   */
  packet(buf: Buffer, off: number, end: number, origLength: number, linkType: number, time: number, position: number, iface: number, dataPosition: number, frame: number): void;
  /** A record the container could not read. */
  skip(reason: string, position: number): void;
}

export interface CaptureDecoderOptions {
  /** Events per batch handed to `emit` (default DEFAULT_BATCH_CAPACITY). */
  batchCapacity?: number;
}

/** A capture decoder also says where damage made it stop reading (undefined: read to the end). */
export interface CaptureDecoder extends Decoder {
  readonly stoppedAt: number | undefined;
}

/**
 * The sink every capture decoder uses: decodes each packet into the next slot of one reused batch
 * and counts it as used or skipped. `emit` is the callback of the push/end call in progress.
 */
export class BatchWriter implements PacketSink {
  readonly batch: EventBatch;
  emit: ((batch: EventBatch) => void) | undefined = undefined;

  constructor(readonly stats: InputStats, capacity?: number) {
    this.batch = createBatch(capacity);
  }

  packet(buf: Buffer, off: number, end: number, _origLength: number, linkType: number, time: number, position: number, iface: number, _dataPosition: number, frame: number): void {
    const b = this.batch;
    if (isFull(b)) this.flush();
    const i = reserve(b);
    b.time[i] = time;
    b.position[i] = position;
    b.frame[i] = frame;
    b.iface[i] = iface;
    const code = decodeFrame(buf, off, end, linkType, b, i);
    if (code === DECODED) {
      commit(b);
      this.stats.use();
    } else {
      this.stats.skip(skipReason(code), position);
    }
  }

  skip(reason: string, position: number): void {
    this.stats.skip(reason, position);
  }

  /** Hand the batch over if it holds events, then reuse it. */
  flush(): void {
    const b = this.batch;
    if (b.length === 0) return;
    if (this.emit === undefined) throw new Error("BatchWriter: flush outside push/end");
    this.emit(b);
    b.length = 0;
  }
}
