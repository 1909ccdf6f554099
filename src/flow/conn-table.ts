/**
 * The connection record store of the flow tracker: one record of STRIDE 32-bit words per connection
 * in a single buffer, found by its canonical 5-tuple key through the shared hash index (hash-index.ts),
 * freed slots reused. No object per connection or packet.
 *
 * Record layout (two cache lines, 128 bytes; a packet touches both, see FlowTracker.warm):
 *   line 1: key (11 words), state (with S_ORIG_IS_B), request count, the originator's SYN sequence
 *           number, last time (also kept in `last`)
 *   line 2: first time, first/last request time, position, history word and letters, frame, the TTL sample
 *           mark of the responder, the responder's RST (TTL, interface), the responder's SYN-ACK sequence number
 * What few connections use lives in a cold record of COLD_STRIDE words apart (`cv`, same record number):
 * the ICMP error (type, code, TTL, interface, sender) and the history's other four sequence numbers
 * (the originator's FIN and RST, the responder's FIN and RST). A connection that is a handshake or
 * less (a SYN, a SYN-ACK, then data or nothing: a scan's) never touches its cold record, so the memory
 * first written per connection is 128 bytes, not the 192 of one record holding all (bench/README.md,
 * "Connection records of 128 bytes"). A closed port's RST does touch it (the responder's RST sequence
 * number): one word more in the record would have made it three lines.
 * Cold fields are not reset when a record is given out again: each is read only once a state or
 * history bit says it was written for this connection.
 * Float64 fields are indices into the Float64Array view (record e starts at e * F_STRIDE there).
 */

import { HashIndex, RESERVED_RECORDS, hashWords } from "./hash-index.js";

export const KEY_WORDS = 11;
/**
 * A table clears its index record by record while it holds fewer than one record per this many slots
 * (an index slot is 8 bytes, so one per 256 slots is one per 2 KiB): below that, the pages of the index
 * a fill would touch for the first time cost more than a probe per record; above it, nearly every page
 * holds a record already and one fill is cheaper.
 */
const CLEAR_BY_RECORD = 256;
/** Records a connection table allocates before its first growth. */
const FIRST_RECORDS = 4096;
export const STRIDE = 32;
export const F_STRIDE = STRIDE / 2;
/** Words of a cold record (the rarely written fields, see the file comment). */
export const COLD_STRIDE = 12;
export const I_STATE = 11;
export const I_REQ_COUNT = 12;
/**
 * A bit of the state word (I_STATE) beside outcome.ts's S_* bits (the low 12, which alone decide an
 * outcome): set when the key's B side is the originator.
 */
export const S_ORIG_IS_B = 4096;
/** The last packet's time: read here on the per-packet path (its line is loaded anyway); `last` has a copy for sweeps. */
export const F_LAST_TIME = 7; // words 14-15
export const F_FIRST_TIME = 8;
export const F_FIRST_REQ_TIME = 9;
export const F_LAST_REQ_TIME = 10;
export const F_POSITION = 11; // words 22-23
/**
 * History (history.ts): seen bits, length, `^`; letters in the next two words; the sequence numbers of
 * the originator's SYN and the responder's SYN-ACK in the record (`seqSyn`, `seqSynAck`), the other
 * four in the cold record from `coldSeqs` on.
 */
export const HISTORY = { word: 24, letters: 25, seqSyn: 13, seqSynAck: 31, coldSeqs: 7 } as const;
/** The frame number of the connection's first packet (EventBatch.frame), unsigned. */
export const I_FRAME = 27;
/** 1 + the interface the responder's TTL was last sampled on (0: not yet). */
export const I_TTL_RESP = 28;
/** The responder's first RST: its TTL + 1 (0: none), and its interface. */
export const I_RST_TTL = 29;
export const I_RST_IFACE = 30;
/** Cold record: the ICMP error quoting the attempt (type | code << 8 | TTL << 16, 256 for none), read only under S_ICMP_ERR. */
export const C_ICMP = 0;
export const C_ICMP_IFACE = 1;
export const C_ICMP_FROM_FAMILY = 2;
export const C_ICMP_FROM = 3; // 3..6

/** Timeout classes of a connection (ConnTable.classOf): by its protocol, as FlowTimeouts has them. */
export const CLASS_TCP = 1;
export const CLASS_UDP = 2;
export const CLASS_OTHER = 3;

function classOfProto(proto: number): number {
  return proto === 6 ? CLASS_TCP : proto === 17 ? CLASS_UDP : CLASS_OTHER;
}

/** Hash of the KEY_WORDS key words at `o` (the index's hash). */
export function hashKey(k: Int32Array, o: number): number {
  return hashWords(k, o, KEY_WORDS);
}

/**
 * Canonical key of a tuple into k[ko..]: the side with the smaller (address, port) is A. Returns 1
 * when the given source is side B.
 */
export function canonicalKey(fam: number, proto: number, sw: Uint32Array, so: number, sp: number, dw: Uint32Array, d: number, dp: number,
  k: Int32Array, ko: number): number {
  let cmp = 0;
  for (let j = 0; j < 4 && cmp === 0; j++) cmp = sw[so + j]! - dw[d + j]!;
  if (cmp === 0) cmp = sp - dp;
  k[ko] = (fam << 8) | proto;
  const srcIsB = cmp > 0 ? 1 : 0;
  if (srcIsB) {
    k[ko + 1] = dw[d]!; k[ko + 2] = dw[d + 1]!; k[ko + 3] = dw[d + 2]!; k[ko + 4] = dw[d + 3]!;
    k[ko + 5] = sw[so]!; k[ko + 6] = sw[so + 1]!; k[ko + 7] = sw[so + 2]!; k[ko + 8] = sw[so + 3]!;
    k[ko + 9] = dp >>> 0; k[ko + 10] = sp >>> 0;
  } else {
    k[ko + 1] = sw[so]!; k[ko + 2] = sw[so + 1]!; k[ko + 3] = sw[so + 2]!; k[ko + 4] = sw[so + 3]!;
    k[ko + 5] = dw[d]!; k[ko + 6] = dw[d + 1]!; k[ko + 7] = dw[d + 2]!; k[ko + 8] = dw[d + 3]!;
    k[ko + 9] = sp >>> 0; k[ko + 10] = dp >>> 0;
  }
  return srcIsB;
}

export class ConnTable {
  private cap: number;
  private readonly index: HashIndex;
  /** The records; `uv` is the same memory read as unsigned words (addresses), `fv` as doubles. Replaced when the table grows. */
  iv: Int32Array;
  uv: Uint32Array;
  fv: Float64Array;
  /** The cold records (COLD_STRIDE words each, record e's at e * COLD_STRIDE). Replaced when the table grows. */
  cv: Int32Array;
  /**
   * Per record, apart from the records so that a sweep reads 9 bytes a record instead of a cache line
   * of each (a sweep of 200k connections every 64k packets otherwise streams the whole table): its
   * timeout class (0: free, else CLASS_TCP, CLASS_UDP, CLASS_OTHER, from the key's protocol) and the
   * capture time of its last packet (a copy of F_LAST_TIME, written with it, read only by sweeps: reading
   * it per packet would add a cache miss the record's own line does not cost).
   */
  private cls: Uint8Array;
  last: Float64Array;
  private free: number[] = [];
  /** Records ever used (live or free) since the last `clear`. */
  used = 0;
  liveCount = 0;

  /** Records the store grows to at its first growth (see the constructor). */
  private readonly reserve: number;

  /**
   * Room for `initial` records, of which only `allocated` are allocated until more are needed (as the
   * finding table does): a short capture then never allocates the 44 MiB reservation (32 MiB of
   * records, 12 of cold records), whose external memory alone makes V8 collect garbage in a 1-packet
   * run; a large one copies FIRST_RECORDS records once and then has the whole reservation.
   */
  constructor(initial = RESERVED_RECORDS, allocated = FIRST_RECORDS) {
    this.reserve = initial;
    this.cap = Math.min(initial, Math.max(16, allocated));
    this.index = new HashIndex(KEY_WORDS, STRIDE, initial);
    this.iv = new Int32Array(this.cap * STRIDE);
    this.uv = new Uint32Array(this.iv.buffer);
    this.fv = new Float64Array(this.iv.buffer);
    this.cv = new Int32Array(this.cap * COLD_STRIDE);
    this.cls = new Uint8Array(this.cap);
    this.last = new Float64Array(this.cap);
  }

  /** Record e's last packet time (both copies). */
  setLastTime(e: number, t: number): void {
    this.fv[e * F_STRIDE + F_LAST_TIME] = t;
    this.last[e] = t;
  }

  /** The timeout class of record e (CLASS_*), 0 when the slot is free. */
  classOf(e: number): number {
    return this.cls[e]!;
  }

  /** The record of key k[ko..] with hash h0 (hashKey), or -1. */
  find(k: Int32Array, ko: number, h0: number): number {
    return this.index.find(this.iv, k, ko, h0);
  }

  /**
   * Touch the index slots and records of the keys with these hashes (`n` of them, overwritten with the
   * records found or -1) before they are looked up: see HashIndex.prefetch.
   */
  touch(hashes: Int32Array, n: number): number {
    return this.index.prefetch(this.iv, hashes, n);
  }

  /** The reservation at the first growth, then twice the records; the index is the index's own business (it never moves a record). */
  private grow(): void {
    const cap = this.cap < this.reserve ? this.reserve : this.cap * 2;
    const iv = new Int32Array(cap * STRIDE);
    iv.set(this.iv);
    this.iv = iv;
    this.uv = new Uint32Array(iv.buffer);
    this.fv = new Float64Array(iv.buffer);
    const cv = new Int32Array(cap * COLD_STRIDE);
    cv.set(this.cv);
    this.cv = cv;
    const cls = new Uint8Array(cap);
    cls.set(this.cls);
    this.cls = cls;
    const last = new Float64Array(cap);
    last.set(this.last);
    this.last = last;
    this.cap = cap;
  }

  /** A new record for key k[ko..] (hash h0), every field at its "nothing seen" value. May grow the table. */
  insert(k: Int32Array, ko: number, h0: number): number {
    let e: number;
    if (this.free.length > 0) e = this.free.pop()!;
    else {
      if (this.used >= this.cap) this.grow();
      e = this.used++;
    }
    const iv = this.iv;
    const o = e * STRIDE;
    for (let j = 0; j < KEY_WORDS; j++) iv[o + j] = k[ko + j]!;
    // Only the fields read before they are written start at zero: the cold record's ICMP error is read
    // only under S_ICMP_ERR, the sequence numbers only after their letter was recorded.
    iv[o + I_STATE] = 0;
    iv[o + I_REQ_COUNT] = 0;
    iv[o + HISTORY.word] = 0;
    iv[o + HISTORY.letters] = 0;
    iv[o + HISTORY.letters + 1] = 0;
    iv[o + I_TTL_RESP] = 0;
    iv[o + I_RST_TTL] = 0;
    iv[o + I_RST_IFACE] = 0;
    this.cls[e] = classOfProto(k[ko]! & 255);
    this.liveCount++;
    this.index.add(e, h0);
    const fo = e * F_STRIDE;
    this.fv[fo + F_FIRST_REQ_TIME] = NaN;
    this.fv[fo + F_LAST_REQ_TIME] = NaN;
    return e;
  }

  /** Remove record e and free its slot. */
  remove(e: number): void {
    this.index.remove(e, hashKey(this.iv, e * STRIDE));
    this.cls[e] = 0;
    this.liveCount--;
    this.free.push(e);
  }

  /**
   * Forget every record at once (the end of a capture, after each was finalised): the index is
   * cleared whole instead of taking the records out one by one (a cache miss and a probe-chain shift each).
   */
  clear(): void {
    if (this.liveCount * CLEAR_BY_RECORD < this.index.capacity) {
      // Few records: each taken out of the index. Filling the whole index would write every page of
      // its reservation (4 MiB), untouched until then, and each first write costs a page fault:
      // ~15 ms of a 1-packet run on this VM (bench/README.md, "Start-up, third round").
      for (let e = 0; e < this.used; e++) if (this.cls[e] !== 0) this.index.remove(e, hashKey(this.iv, e * STRIDE));
    } else this.index.clear();
    this.cls.fill(0, 0, this.used);
    this.liveCount = 0;
    this.used = 0;
    this.free = [];
  }
}
