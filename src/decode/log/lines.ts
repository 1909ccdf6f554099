import { createBatch, isFull, type EventBatch } from "../batch.js";
import type { Decoder } from "../decoder.js";
import { InputStats } from "../stats.js";

/** Longest line we read; a longer one is counted as skipped ("line-too-long") and passed over. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * A text log format: one record per line. `line` is called with the bytes of one line (without the
 * line break) and must either write an event into the batch (reserve + commit, then `stats.use()`)
 * or call `stats.skip(reason, lineNo)`. It returns false only to ask for the next line to be joined
 * to this one (a CSV field quoted across a line break).
 */
export interface LineFormat {
  readonly format: string;
  line(buf: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean;
}

/** Text of a line for skip samples (cold path). */
export function lineText(buf: Buffer, start: number, end: number): string {
  return buf.toString("utf8", start, Math.min(end, start + 200));
}

/**
 * Wrap a LineFormat as a push-style Decoder: splits chunks on "\n" (a trailing "\r" is dropped), keeps
 * the partial last line across chunks, caps line length, flushes full batches through `emit`.
 */
export function createLineDecoder(fmt: LineFormat, batchCapacity?: number): Decoder {
  const stats = new InputStats();
  const batch = createBatch(batchCapacity);
  /** Start of a line whose end has not arrived yet (copied out of the chunk). */
  let carry: Buffer | null = null;
  /** The carried line grew past MAX_LINE_BYTES: drop it and count it when its end arrives. */
  let overlong = false;
  /** Lines of a record that continues on the next line (CSV quoted field). */
  let pending: Buffer | null = null;
  let pendingStart = 0;
  let lineNo = 0;

  const flush = (emit: (b: EventBatch) => void) => {
    if (batch.length > 0) {
      emit(batch);
      batch.length = 0;
    }
  };

  const processLine = (src: Buffer, s: number, e: number, emit: (b: EventBatch) => void) => {
    lineNo++;
    if (overlong) {
      overlong = false;
      stats.skip("line-too-long", lineNo);
      return;
    }
    let buf = src;
    let start = s;
    let end = e;
    if (end > start && buf[end - 1] === 13) end--;
    if (pending) {
      buf = Buffer.concat([pending, NEWLINE, buf.subarray(start, end)]);
      start = 0;
      end = buf.length;
      pending = null;
    }
    if (isFull(batch)) flush(emit);
    const recordLine = pendingStart || lineNo;
    if (fmt.line(buf, start, end, recordLine, batch, stats)) {
      pendingStart = 0;
      return;
    }
    if (end - start > MAX_LINE_BYTES) {
      stats.skip("line-too-long", recordLine);
      pendingStart = 0;
      return;
    }
    pending = Buffer.from(buf.subarray(start, end));
    pendingStart = recordLine;
  };

  return {
    format: fmt.format,
    stats,
    push(chunk: Buffer, emit) {
      stats.bytes += chunk.length;
      let pos = 0;
      while (pos < chunk.length) {
        const nl = chunk.indexOf(10, pos);
        if (nl < 0) {
          if (!overlong) {
            const piece = chunk.subarray(pos);
            const len = (carry?.length ?? 0) + piece.length;
            if (len > MAX_LINE_BYTES) {
              overlong = true;
              carry = null;
            } else {
              carry = carry ? Buffer.concat([carry, piece]) : Buffer.from(piece);
            }
          }
          return;
        }
        if (carry) {
          const line = Buffer.concat([carry, chunk.subarray(pos, nl)]);
          carry = null;
          processLine(line, 0, line.length, emit);
        } else {
          processLine(chunk, pos, nl, emit);
        }
        pos = nl + 1;
      }
    },
    end(emit) {
      if (carry || overlong) {
        const line = carry ?? Buffer.alloc(0);
        carry = null;
        processLine(line, 0, line.length, emit);
      }
      if (pending) {
        stats.skip("unterminated-quote", pendingStart, lineText(pending, 0, pending.length));
        pending = null;
      }
      flush(emit);
    },
  };
}

const NEWLINE = Buffer.from("\n");
