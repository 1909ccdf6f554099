/**
 * The Windows Firewall reader's fast path (wasm-rows.ts): assembly/wfw.ts takes the ordinary rows of a
 * chunk (TCP and UDP between dotted IPv4 or plain IPv6 addresses, ICMP flows between IPv4 ones, an action and protocol word seen before in a row the
 * reference used, a day seen before, the columns of the last "#Fields:" line); the reference,
 * WindowsFirewallFormat.line, reads every other line and teaches it the words.
 */
import { BLOCKED_BY_DESTINATION, DEFAULT_BATCH_CAPACITY } from "../batch.js";
import { knownWord, rowModule, RowFastPath, type RowCore } from "./wasm-rows.js";

/** The exports of assembly/wfw.ts beyond the shared ones. */
interface WfwCore extends RowCore {
  columns(date: number, time: number, action: number, protocol: number, src: number, dst: number, sport: number, dport: number, flags: number, path: number, icmpType: number, icmpCode: number, fieldCount: number): void;
  learnAction(len: number, labelId: number, actionCode: number): number;
  learnProto(len: number, proto: number): number;
  nextWordAt(k: number): number;
}
const MAX_TOKENS = 64;
const WORDS = 16;
const WORD_BYTES = 32;

export class WfwFastPath extends RowFastPath<WfwCore> {
  /** Words taught so far (JS-side copies, so a word is taught once). */
  private readonly actions: Buffer[] = [];
  private readonly protos: Buffer[] = [];

  /** Made only where the module was built (rowModule("wfw")). */
  constructor(capacity = DEFAULT_BATCH_CAPACITY) {
    // The extra area: the row's tokens, then the learnt words.
    super(rowModule("wfw")!, capacity, MAX_TOKENS * 8 + 2 * WORDS * (WORD_BYTES + 12), [MAX_TOKENS * 8, BLOCKED_BY_DESTINATION]);
  }

  /** The column order (WindowsFirewallFormat.cols; -1 for a column the rows lack) and the "#Fields:" count. */
  columns(c: { date: number; time: number; action: number; protocol: number; src: number; dst: number; sport: number; dport: number; flags: number; path: number; icmptype: number; icmpcode: number }, fieldCount: number): void {
    this.core.columns(c.date, c.time, c.action, c.protocol, c.src, c.dst, c.sport, c.dport, c.flags, c.path, c.icmptype, c.icmpcode, fieldCount);
  }

  /** An action word `b[s, e)` the reference turned into this label and action (a row it used). */
  learnAction(b: Buffer, s: number, e: number, labelId: number, action: number): void {
    if (knownWord(this.actions, b, s, e) || this.actions.length >= WORDS || e - s > WORD_BYTES) return;
    this.put(b, s, e, this.core.nextWordAt(0));
    if (this.core.learnAction(e - s, labelId, action)) this.actions.push(Buffer.from(b.subarray(s, e)));
  }

  /** A protocol word `b[s, e)` the reference read as TCP or UDP, or as ICMP between IPv4 addresses (a row it used). */
  learnProto(b: Buffer, s: number, e: number, proto: number): void {
    if (knownWord(this.protos, b, s, e) || this.protos.length >= WORDS || e - s > WORD_BYTES) return;
    this.put(b, s, e, this.core.nextWordAt(1));
    if (this.core.learnProto(e - s, proto)) this.protos.push(Buffer.from(b.subarray(s, e)));
  }
}
