import type { Finding } from "./types.js";

/**
 * Where a finding's first record is, as a person looks it up: `kern.log:13` for a log line; for a
 * capture the frame number Wireshark shows (its `frame.number`), then the record's byte offset, as
 * `ad-client.pcap frame 5 (byte 529)`. A report written before frame numbers existed gives the offset
 * alone (`ad-client.pcap@529`). Not escaped: each renderer escapes for its own medium.
 */
export function exampleWhere(e: Finding["example"]): string {
  if (e.line !== undefined) return `${e.input}:${e.line}`;
  if (e.frame !== undefined) return `${e.input} frame ${e.frame} (byte ${e.offset ?? "?"})`;
  // A SQL engine reading CSV or JSON gives no position: the input alone.
  return e.offset !== undefined ? `${e.input}@${e.offset}` : e.input;
}
