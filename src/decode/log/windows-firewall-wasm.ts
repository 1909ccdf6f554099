/**
 * The Windows Firewall reader's fast path (wasm-rows.ts): assembly/wfw.ts takes the ordinary rows of a
 * chunk (TCP and UDP between dotted IPv4 or plain IPv6 addresses, ICMP flows between IPv4 ones, an action and protocol word seen before in a row the
 * reference used, a day seen before, the columns of the last "#Fields:" line); the reference,
 * WindowsFirewallFormat.line, reads every other line and teaches it the words.
 */
import { BLOCKED_BY_DESTINATION, DEFAULT_BATCH_CAPACITY } from "../batch.js";
import { ROW_WORDS, ROW_WORD_BYTES, rowModule, WordRowFastPath, type WordRowCore } from "./wasm-rows.js";

/** The exports of assembly/wfw.ts beyond the shared ones. */
interface WfwCore extends WordRowCore {
  columns(date: number, time: number, action: number, protocol: number, src: number, dst: number, sport: number, dport: number, flags: number, path: number, icmpType: number, icmpCode: number, fieldCount: number): void;
}
const MAX_TOKENS = 64;

export class WfwFastPath extends WordRowFastPath<WfwCore> {
  /** Made only where the module was built (rowModule("wfw")). */
  constructor(capacity = DEFAULT_BATCH_CAPACITY) {
    // The extra area: the row's tokens, then the learnt words.
    super(rowModule("wfw")!, capacity, MAX_TOKENS * 8 + 2 * ROW_WORDS * (ROW_WORD_BYTES + 12), [MAX_TOKENS * 8, BLOCKED_BY_DESTINATION]);
  }

  /** The column order (WindowsFirewallFormat.cols; -1 for a column the rows lack) and the "#Fields:" count. */
  columns(c: { date: number; time: number; action: number; protocol: number; src: number; dst: number; sport: number; dport: number; flags: number; path: number; icmptype: number; icmpcode: number }, fieldCount: number): void {
    this.core.columns(c.date, c.time, c.action, c.protocol, c.src, c.dst, c.sport, c.dport, c.flags, c.path, c.icmptype, c.icmpcode, fieldCount);
  }
}
