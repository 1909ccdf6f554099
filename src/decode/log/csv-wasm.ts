/**
 * The CSV reader's fast path (wasm-rows.ts): assembly/csv.ts takes the ordinary records of a chunk (no
 * quote, plain ASCII, TCP or UDP between dotted IPv4 or plain (not IPv4-mapped) IPv6 addresses, ICMP
 * (not an error) between IPv4 ones, a protocol and action word seen before on
 * a record the reference used, a time that is empty, Unix seconds or milliseconds, or ISO 8601 in UTC);
 * the reference, CsvFormat, reads every other line (the header first) and teaches it the words.
 */
import { DEFAULT_BATCH_CAPACITY } from "../batch.js";
import { ROW_WORDS, ROW_WORD_BYTES, rowModule, WordRowFastPath, type WordRowCore } from "./wasm-rows.js";

/** The exports of assembly/csv.ts beyond the shared ones. */
interface CsvCore extends WordRowCore {
  columns(src: number, dst: number, sport: number, dport: number, proto: number, action: number, time: number, type: number): void;
}
const MAX_FIELDS = 256;

export class CsvFastPath extends WordRowFastPath<CsvCore> {
  /** Made only where the module was built (rowModule("csv")). */
  constructor(capacity = DEFAULT_BATCH_CAPACITY) {
    // The extra area: the learnt words, then the record's field bounds.
    const words = 2 * ROW_WORDS * (ROW_WORD_BYTES + 12);
    super(rowModule("csv")!, capacity, words + MAX_FIELDS * 8, [words]);
  }

  /** The columns the header named (CsvFormat.cols). */
  columns(c: { src: number; dst: number; sport: number; dport: number; proto: number; action: number; time: number; type: number }): void {
    this.core.columns(c.src, c.dst, c.sport, c.dport, c.proto, c.action, c.time, c.type);
  }
}
