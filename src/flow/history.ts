/**
 * Zeek's connection `history` (zeek/zeek scripts/base/protocols/conn/main.zeek, the `history` field;
 * the letters are set by `update_history` in the TCP analyzer and by the UDP analyzer), kept in three
 * words of a connection record and turned into its string once, when the connection ends.
 *
 *   s a SYN without ACK   h a SYN+ACK   a a pure ACK   d a packet with payload   f FIN   r RST
 *   i FIN and RST together   q SYN with FIN or RST   ^ the direction was turned around
 *
 * Upper case from the originator, lower case from the responder. As in Zeek: a, d, i, q at most once
 * per direction; s/h, f, r again only when the sequence number differs from the last packet of the same
 * kind (so a retransmitted SYN is one "S"); UDP gets D/d only; ICMP has no history. Not kept (they need
 * checksums, reassembly or window tracking): c, g, t, w, x. At most MAX_LETTERS letters are kept.
 */

/** Letter indices; the originator's letter is the index + 8. */
const L_SYN = 0, L_SYNACK = 1, L_ACK = 2, L_DATA = 3, L_FIN = 4, L_RST = 5, L_FINRST = 6, L_MULTI = 7;
const LETTERS = "shadfriqSHADFRIQ";

/** Zeek's HIST_* masks, one bit each per direction (originator bits 0-6, responder 8-14). */
const H_SYN = 1, H_FIN = 2, H_RST = 4, H_FINRST = 8, H_DATA = 16, H_ACK = 32, H_MULTI = 64;
const LEN_SHIFT = 16;
const LEN_MASK = 0x1f << LEN_SHIFT;
/** The record's `^` bit. */
export const HISTORY_FLIPPED = 1 << 21;
export const MAX_LETTERS = 16;

/**
 * Where a record keeps its history: `word` the seen bits, length and `^` bit; `letters` two words of
 * 4-bit letters; the last SYN, FIN and RST sequence numbers of each side: the originator's SYN
 * (`seqSyn`) and the responder's SYN-ACK (`seqSynAck`) in the record, the other four in its cold
 * record from `coldSeqs` on (the originator's FIN and RST, the responder's FIN and RST; conn-table.ts).
 */
export interface HistorySlots { word: number; letters: number; seqSyn: number; seqSynAck: number; coldSeqs: number }

function add(iv: Int32Array, o: number, s: HistorySlots, letter: number): void {
  const w = iv[o + s.word]!;
  const n = (w & LEN_MASK) >>> LEN_SHIFT;
  if (n >= MAX_LETTERS) return;
  const lw = o + s.letters + (n >>> 3);
  const shift = (n & 7) * 4;
  iv[lw] = (iv[lw]! & ~(0xf << shift)) | (letter << shift);
  iv[o + s.word] = (w & ~LEN_MASK) | ((n + 1) << LEN_SHIFT);
}

/** Zeek's CheckHistory: the letter the first time its mask is seen in this direction; true when it had been seen. */
function check(iv: Int32Array, o: number, s: HistorySlots, mask: number, orig: boolean, letter: number): boolean {
  const bit = orig ? mask : mask << 8;
  if (iv[o + s.word]! & bit) return true;
  iv[o + s.word] = iv[o + s.word]! | bit;
  add(iv, o, s, orig ? letter + 8 : letter);
  return false;
}

/** A letter that repeats when the sequence number `seq` differs from the last of its kind (slot `k`: 0 SYN, 1 FIN, 2 RST). */
function repeating(iv: Int32Array, o: number, cv: Int32Array, co: number, s: HistorySlots, mask: number, orig: boolean, letter: number, k: number, seq: number): void {
  // k: 0 SYN, 1 FIN, 2 RST; the handshake's two (the originator's SYN, the responder's SYN-ACK) in the record, the rest cold.
  const idx = orig ? k : 3 + k;
  const words = idx === 0 || idx === 3 ? iv : cv;
  const slot = idx === 0 ? o + s.seqSyn : idx === 3 ? o + s.seqSynAck : co + s.coldSeqs + (idx < 3 ? idx - 1 : idx - 2);
  if (check(iv, o, s, mask, orig, letter) && words[slot] !== (seq | 0)) add(iv, o, s, orig ? letter + 8 : letter);
  words[slot] = seq | 0;
}

/** One TCP segment: its flag byte, sequence number and payload length (Zeek `update_history`). */
export function historyTcp(iv: Int32Array, o: number, cv: Int32Array, co: number, s: HistorySlots, orig: boolean, flags: number, seq: number, len: number): void {
  const syn = flags & 0x02, fin = flags & 0x01, rst = flags & 0x04, ack = flags & 0x10;
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  if (bits > 1) {
    if (fin && rst) check(iv, o, s, H_FINRST, orig, L_FINRST);
    else check(iv, o, s, H_MULTI, orig, L_MULTI);
  } else if (bits === 1) {
    if (syn) repeating(iv, o, cv, co, s, H_SYN, orig, ack ? L_SYNACK : L_SYN, 0, seq);
    // For a FIN the sequence number that counts is the one after its data.
    else if (fin) repeating(iv, o, cv, co, s, H_FIN, orig, L_FIN, 1, seq + (len > 0 ? len : 0));
    else repeating(iv, o, cv, co, s, H_RST, orig, L_RST, 2, seq);
  } else if (len > 0) {
    check(iv, o, s, H_DATA, orig, L_DATA);
  } else if (ack) {
    check(iv, o, s, H_ACK, orig, L_ACK);
  }
}

/** One UDP datagram (Zeek's UDP analyzer: D from the originator, d from the responder, once each). */
export function historyUdp(iv: Int32Array, o: number, s: HistorySlots, orig: boolean): void {
  check(iv, o, s, H_DATA, orig, L_DATA);
}

/** The history string of the record at `o`. */
export function historyText(iv: Int32Array, o: number, s: HistorySlots): string {
  const w = iv[o + s.word]!;
  const n = (w & LEN_MASK) >>> LEN_SHIFT;
  let out = w & HISTORY_FLIPPED ? "^" : "";
  for (let k = 0; k < n; k++) out += LETTERS[(iv[o + s.letters + (k >>> 3)]! >>> ((k & 7) * 4)) & 0xf];
  return out;
}

/**
 * Two numbers naming the history at `o` exactly (equal pairs, equal strings), for any length up to
 * MAX_LETTERS: the first letter word, the length and the `^` bit (38 bits), and the second letter word
 * (historyTail: 0 for at most 8 letters, whose second word is never written).
 */
export function historyKey(iv: Int32Array, o: number, s: HistorySlots): number {
  const w = iv[o + s.word]!;
  const n = (w & LEN_MASK) >>> LEN_SHIFT;
  return (iv[o + s.letters]! >>> 0) + n * 4294967296 + (w & HISTORY_FLIPPED ? 137438953472 : 0);
}

/** The second half of the history's exact name (see historyKey). */
export function historyTail(iv: Int32Array, o: number, s: HistorySlots): number {
  return iv[o + s.letters + 1]! >>> 0;
}
