/**
 * The CSV reader's fast path (wasm-rows.ts): assembly/csv.ts takes the ordinary records of a chunk (no
 * quote, plain ASCII, TCP or UDP between dotted IPv4 or plain (not IPv4-mapped) IPv6 addresses, ICMP
 * (not an error) between IPv4 ones, a protocol and action word seen before on
 * a record the reference used, a time that is empty, Unix seconds or milliseconds, or ISO 8601 in UTC);
 * the reference, CsvFormat, reads every other line (the header first) and teaches it the words.
 */
import { DEFAULT_BATCH_CAPACITY } from "../batch.js";
import { knownWord, rowModule, RowFastPath, type RowCore } from "./wasm-rows.js";

/** The exports of assembly/csv.ts beyond the shared ones. */
interface CsvCore extends RowCore {
  columns(src: number, dst: number, sport: number, dport: number, proto: number, action: number, time: number, type: number): void;
  learnAction(len: number, labelId: number, actionCode: number): number;
  learnProto(len: number, proto: number): number;
  nextWordAt(k: number): number;
}
const WORDS = 16;
const WORD_BYTES = 32;
const MAX_FIELDS = 256;

export class CsvFastPath extends RowFastPath<CsvCore> {
  private readonly actions: Buffer[] = [];
  private readonly protos: Buffer[] = [];

  /** Made only where the module was built (rowModule("csv")). */
  constructor(capacity = DEFAULT_BATCH_CAPACITY) {
    // The extra area: the learnt words, then the record's field bounds.
    const words = 2 * WORDS * (WORD_BYTES + 12);
    super(rowModule("csv")!, capacity, words + MAX_FIELDS * 8, [words]);
  }

  /** The columns the header named (CsvFormat.cols). */
  columns(c: { src: number; dst: number; sport: number; dport: number; proto: number; action: number; time: number; type: number }): void {
    this.core.columns(c.src, c.dst, c.sport, c.dport, c.proto, c.action, c.time, c.type);
  }

  /** An action field `b[s, e)` the reference turned into this label and action (a record it used). */
  learnAction(b: Buffer, s: number, e: number, labelId: number, action: number): void {
    if (knownWord(this.actions, b, s, e) || this.actions.length >= WORDS || e - s > WORD_BYTES) return;
    this.put(b, s, e, this.core.nextWordAt(0));
    if (this.core.learnAction(e - s, labelId, action)) this.actions.push(Buffer.from(b.subarray(s, e)));
  }

  /** A protocol field `b[s, e)` the reference read as TCP or UDP, or as ICMP between IPv4 addresses (a record it used). */
  learnProto(b: Buffer, s: number, e: number, proto: number): void {
    if (knownWord(this.protos, b, s, e) || this.protos.length >= WORDS || e - s > WORD_BYTES) return;
    this.put(b, s, e, this.core.nextWordAt(1));
    if (this.core.learnProto(e - s, proto)) this.protos.push(Buffer.from(b.subarray(s, e)));
  }
}
