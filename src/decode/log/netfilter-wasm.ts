/**
 * The netfilter reader's fast path (wasm-rows.ts): assembly/netfilter.ts takes the ordinary lines of a
 * chunk (an RFC 3164 stamp of a day seen before, a log prefix seen before on a line the reference used,
 * "IN=" at the first "=", TCP or UDP without TYPE= or CODE=, or ICMP of a type that is a flow, between
 * dotted IPv4 addresses or IPv6 ones of the plain forms); the reference,
 * NetfilterFormat.line, reads every other line and teaches it the prefixes.
 */
import { BLOCKED_BY_DESTINATION, DEFAULT_BATCH_CAPACITY } from "../batch.js";
import type { DecodeOptions } from "./options.js";
import { knownWord, rowModule, RowFastPath, type RowCore } from "./wasm-rows.js";

/** The exports of assembly/netfilter.ts beyond the shared ones. */
interface NetfilterCore extends RowCore {
  learnPrefix(len: number, labelId: number, actionCode: number): number;
  nextWordAt(): number;
}
const WORDS = 16;
const WORD_BYTES = 64;

export class NetfilterFastPath extends RowFastPath<NetfilterCore> {
  /** Prefixes taught so far (JS-side copies, so a prefix is taught once). */
  private readonly prefixes: Buffer[] = [];

  /** Made only where the module was built (rowModule("netfilter")). */
  constructor(opts: DecodeOptions, capacity = DEFAULT_BATCH_CAPACITY) {
    // scanTime takes a stamp more than a day past `nowMs` as last year's: the module leaves those to it.
    super(rowModule("netfilter")!, capacity, WORDS * (WORD_BYTES + 12), [BLOCKED_BY_DESTINATION, opts.year, opts.nowMs + 86400000]);
  }

  /** The prefix bytes `b[s, e)` of a line the reference used, and the label and action it gave them. */
  learnPrefix(b: Buffer, s: number, e: number, labelId: number, action: number): void {
    if (knownWord(this.prefixes, b, s, e) || this.prefixes.length >= WORDS || e - s > WORD_BYTES) return;
    this.put(b, s, e, this.core.nextWordAt());
    if (this.core.learnPrefix(e - s, labelId, action)) this.prefixes.push(Buffer.from(b.subarray(s, e)));
  }
}
