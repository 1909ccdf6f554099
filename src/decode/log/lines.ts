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
  /**
   * `makeRoom` hands the batch over and empties it: a record holding more flows than fit (an Azure
   * record with thousands of tuples) calls it when the batch is full instead of dropping the rest.
   */
  line(buf: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats, makeRoom: () => void): boolean;
  /**
   * Called before lines are read from a buffer whose bytes may differ from what an earlier call saw
   * (a new chunk, the carried line): a format that remembers search results within a buffer drops them.
   */
  newBytes?(): void;
  /**
   * An optional fast path over whole lines (windows-firewall.ts with its WebAssembly reader): take the
   * lines of `buf` from `pos` (the first is line `lineNo`, never the input's first line, and no record
   * is pending), each one exactly as `line` would take it, for as long as it can; return how many were
   * taken and leave in `bulkEnd` where the first line not taken starts. It stops before any line it
   * leaves to `line` (which reads it next), when the batch is full, and where no whole line is left. It
   * only ever uses lines (counting them as `line` does): every skip is `line`'s.
   */
  bulk?(buf: Buffer, pos: number, lineNo: number, batch: EventBatch, stats: InputStats): number;
  readonly bulkEnd?: number;
  /** The batch this format writes into (a fast path's own memory); createBatch's when absent. */
  createBatch?(capacity: number | undefined): EventBatch | undefined;
}

/** Text of a line for skip samples (cold path). */
export function lineText(buf: Buffer, start: number, end: number): string {
  return buf.toString("utf8", start, Math.min(end, start + 200));
}

/**
 * Wrap a LineFormat as a push-style Decoder: splits chunks on "\n" (a trailing "\r" is dropped), keeps
 * the partial last line across chunks, caps line length, drops a UTF-8 byte order mark before the first
 * line, flushes full batches through `emit`. The events and the accounting do not depend on where the
 * input is cut into chunks.
 */
export function createLineDecoder(fmt: LineFormat, batchCapacity?: number): Decoder {
  const stats = new InputStats();
  const batch = fmt.createBatch?.(batchCapacity) ?? createBatch(batchCapacity);
  /**
   * Start of a line whose end has not arrived yet, copied out of the chunk into a buffer that grows by
   * doubling (a long line fed in small chunks costs linear, not quadratic, copying).
   */
  let carry = Buffer.alloc(0);
  let carryLen = 0;
  /** The carried line grew past MAX_LINE_BYTES: drop it and count it when its end arrives. */
  let overlong = false;
  /** Lines of a record that continues on the next line (CSV quoted field). */
  let pending: Buffer | null = null;
  let pendingStart = 0;
  let lineNo = 0;

  const appendCarry = (chunk: Buffer, s: number, e: number) => {
    const need = carryLen + (e - s);
    if (need > carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, carry.length * 2, 256));
      carry.copy(grown, 0, 0, carryLen);
      carry = grown;
    }
    chunk.copy(carry, carryLen, s, e);
    carryLen = need;
  };

  const flush = (emit: (b: EventBatch) => void) => {
    if (batch.length > 0) {
      emit(batch);
      batch.length = 0;
    }
  };

  const processLine = (src: Buffer, s: number, e: number, emit: (b: EventBatch) => void, makeRoom: () => void) => {
    lineNo++;
    // A line over the cap is one skipped record whether it arrived in one chunk or in many, and a
    // record it continues (a quoted CSV field) goes with it.
    if (overlong || e - s > MAX_LINE_BYTES) {
      overlong = false;
      stats.skip("line-too-long", pendingStart || lineNo);
      pending = null;
      pendingStart = 0;
      return;
    }
    let buf = src;
    let start = s;
    // `rawEnd` keeps a "\r" before the "\n": it is part of the record when the line ends inside a
    // quoted field (RFC 4180 keeps the CRLF of a quoted line break), and dropped only at the record's end.
    let rawEnd = e;
    if (lineNo === 1 && rawEnd - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
      // UTF-8 byte order mark, as Windows tools write it before a CSV header.
      start += 3;
    }
    if (pending) {
      buf = Buffer.concat([pending, NEWLINE, buf.subarray(start, rawEnd)]);
      start = 0;
      rawEnd = buf.length;
      pending = null;
    }
    let end = rawEnd;
    if (end > start && buf[end - 1] === 13) end--;
    if (isFull(batch)) flush(emit);
    const recordLine = pendingStart || lineNo;
    if (fmt.line(buf, start, end, recordLine, batch, stats, makeRoom)) {
      pendingStart = 0;
      return;
    }
    if (rawEnd - start > MAX_LINE_BYTES) {
      stats.skip("line-too-long", recordLine);
      pendingStart = 0;
      return;
    }
    pending = Buffer.from(buf.subarray(start, rawEnd));
    pendingStart = recordLine;
  };

  return {
    format: fmt.format,
    stats,
    push(chunk: Buffer, emit) {
      stats.bytes += chunk.length;
      // The source may hand over a reused buffer with new bytes.
      fmt.newBytes?.();
      const makeRoom = () => flush(emit);
      let pos = 0;
      while (pos < chunk.length) {
        if (fmt.bulk !== undefined && lineNo > 0 && carryLen === 0 && !overlong && pending === null) {
          if (isFull(batch)) flush(emit);
          const taken = fmt.bulk(chunk, pos, lineNo + 1, batch, stats);
          if (taken > 0) {
            lineNo += taken;
            pos = fmt.bulkEnd!;
            continue;
          }
        }
        const nl = chunk.indexOf(10, pos);
        const stop = nl < 0 ? chunk.length : nl;
        if (nl >= 0 && carryLen === 0 && !overlong) {
          processLine(chunk, pos, nl, emit, makeRoom);
        } else {
          // The line began in an earlier chunk or goes on into a later one.
          if (!overlong) {
            if (carryLen + (stop - pos) > MAX_LINE_BYTES) {
              overlong = true;
              carryLen = 0;
            } else {
              appendCarry(chunk, pos, stop);
            }
          }
          if (nl < 0) return;
          const n = carryLen;
          carryLen = 0;
          fmt.newBytes?.();
          processLine(carry, 0, n, emit, makeRoom);
        }
        pos = nl + 1;
      }
    },
    end(emit) {
      if (carryLen > 0 || overlong) {
        const n = carryLen;
        carryLen = 0;
        fmt.newBytes?.();
        processLine(carry, 0, n, emit, () => flush(emit));
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
