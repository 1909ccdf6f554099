/**
 * Connection tracking and outcome inference for captures.
 *
 * A packet trace never says "denied": the outcome of each connection attempt is inferred from what
 * came back, in the manner of Zeek's conn_state (S0, REJ, RSTO/RSTR, SF, S1, OTH), and graded:
 *   allowed  - TCP handshake completed (SYN-ACK seen) or traffic in both directions; a UDP reply;
 *              an ICMP echo reply
 *   blocked  - the SYN answered by RST ("rst"), an ICMP/ICMPv6 error quoting the attempt
 *              ("icmp-<type>-<code>", from the destination itself or from a router in between),
 *              SYNs retransmitted with no answer ("unanswered"), a UDP request or echo request
 *              repeated with no reply
 *   unknown  - (inconclusive) a single unanswered SYN or datagram too close to the end of the capture,
 *              traffic in one direction only without a SYN (midstream)
 * Packets are keyed by their 5-tuple in an open-addressing hash over typed arrays (no object per
 * packet); an idle connection is finalised and evicted after a timeout measured in capture time, so
 * memory is bounded by the number of connections alive at once, not by the capture's length.
 * ICMP errors are evidence about the connection of the packet they quote, never connections of their own.
 */
import {
  ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, NONE, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
  TCP_ACK, TCP_RST, TCP_SYN, commit, createBatch, isFull, reserve, type EventBatch, LabelTable,
} from "../decode/batch.js";
import { formatAddr } from "../net/addr.js";

/** Idle time after which a connection is finalised (capture time, ms). */
export interface FlowTimeouts {
  tcp: number;
  udp: number;
  icmp: number;
  /** A SYN or request with nothing after it for this long is "unanswered" even if sent once. */
  unansweredAfter: number;
  /** Two copies of one packet closer than this are one packet seen twice (two capture interfaces), not a retransmission. */
  duplicateWindow: number;
}

export const DEFAULT_TIMEOUTS: FlowTimeouts = { tcp: 300_000, udp: 60_000, icmp: 30_000, unansweredAfter: 5_000, duplicateWindow: 100 };

const KEY_WORDS = 11;
const SWEEP_EVERY = 65536;
/** Packets whose table memory is touched ahead of processing them (see `warm`). */
const WARM_GROUP = 64;

// Per-connection state bits.
const S_SYN = 1;          // originator sent SYN
const S_SYNACK = 2;       // responder sent SYN-ACK
const S_RST_RESP = 4;     // responder sent RST
const S_RST_ORIG = 8;     // originator sent RST
const S_MIDSTREAM = 16;   // first packet was not a SYN (or not a request)
const S_ICMP_ERR = 32;    // an ICMP error quoted this connection
const S_RESP_SEEN = 64;   // any packet from the responder
const S_ORIG_SEEN = 128;  // any packet from the originator
const S_ICMP_FROM_DST = 256; // the ICMP error came from the destination itself

function addrHash(w: ArrayLike<number>, o: number): number {
  let h = Math.imul(w[o]! ^ 0x5bd1e995, 0x01000193);
  h = Math.imul(h ^ w[o + 1]!, 0x01000193);
  h = Math.imul(h ^ w[o + 2]!, 0x01000193);
  return Math.imul(h ^ w[o + 3]!, 0x01000193) >>> 0;
}

/** Hash of the KEY_WORDS key words at `o`. */
function hashKey(k: Uint32Array, o: number): number {
  let h = 0x9e3779b9;
  for (let j = 0; j < KEY_WORDS; j++) {
    h = Math.imul(h ^ k[o + j]!, 0x85ebca6b);
    h ^= h >>> 13;
  }
  return (h ^ (h >>> 16)) >>> 0;
}

function isEchoRequest(proto: number, t: number): boolean {
  return (proto === PROTO_ICMP && t === 8) || (proto === PROTO_ICMPV6 && t === 128);
}
function isEchoReply(proto: number, t: number): boolean {
  return (proto === PROTO_ICMP && t === 0) || (proto === PROTO_ICMPV6 && t === 129);
}
/** RFC 792 types 3, 4, 5, 11, 12; RFC 4443 types 1-4. */
function isIcmpError(proto: number, t: number): boolean {
  return proto === PROTO_ICMP ? t === 3 || t === 4 || t === 5 || t === 11 || t === 12 : proto === PROTO_ICMPV6 && t >= 1 && t <= 4;
}

/** Link-local control messages, never flows: ICMP router advertisement/solicitation (RFC 1256), ICMPv6 MLD (RFC 2710, 3810) and neighbour discovery (RFC 4861). */
function icmpControl(proto: number, t: number): string | undefined {
  if (proto === PROTO_ICMP) return t === 9 || t === 10 ? "icmp-control" : undefined;
  if ((t >= 130 && t <= 137) || t === 143) return "icmpv6-control";
  return undefined;
}

/** Names of the ICMP error codes people act on (RFC 792, RFC 1812 section 5.2.7.1, RFC 4443 section 3.1). */
function icmpErrorName(fam: number, type: number, code: number): string {
  const v4: Record<number, string> = { 0: "network unreachable", 1: "host unreachable", 2: "protocol unreachable", 3: "port unreachable", 4: "fragmentation needed", 9: "network administratively prohibited", 10: "host administratively prohibited", 13: "communication administratively prohibited" };
  const v6: Record<number, string> = { 0: "no route", 1: "administratively prohibited", 3: "address unreachable", 4: "port unreachable", 5: "source address failed policy", 6: "reject route" };
  let name: string | undefined;
  if (fam === 4 && type === 3) name = v4[code];
  else if (fam === 6 && type === 1) name = v6[code];
  else if ((fam === 4 && type === 11) || (fam === 6 && type === 3)) name = "time exceeded";
  return name ? ` (${name})` : "";
}

export interface TrackerStats {
  connections: number;
  evicted: number;
  /** ICMP errors whose quoted packet started a connection we had not seen. */
  icmpOnly: number;
  peakLive: number;
}

/**
 * One connection is one record of STRIDE 32-bit words (128 bytes, two cache lines) in a single buffer:
 * a packet reads and writes only the first line (key, state, request count, originator side, last
 * time), a request or a new connection also the second. Float64 fields are indices into the Float64Array
 * view of the same buffer (record e starts at e * F_STRIDE there).
 */
const STRIDE = 32;
const F_STRIDE = STRIDE / 2;
const I_STATE = 11;
const I_REQ_COUNT = 12;
/** 0: the key's A side is the originator; 1: B side. */
const I_ORIG_IS_B = 13;
const F_LAST_TIME = 7; // words 14-15
const F_FIRST_TIME = 8;
const F_FIRST_REQ_TIME = 9;
const F_LAST_REQ_TIME = 10;
const F_POSITION = 11; // words 22-23
const I_ICMP_TYPE = 24;
const I_ICMP_CODE = 25;
const I_ICMP_FROM_FAMILY = 26;
const I_ICMP_FROM = 28; // 28..31

/**
 * A set of 32-bit values (address hashes) in an open-addressing table over a typed array: no boxing,
 * no per-entry object. 0 is the empty marker, so the value 0 is kept aside in a flag.
 */
class U32Set {
  private table = new Int32Array(1024);
  private mask = 1023;
  private size = 0;
  private hasZero = false;

  add(v: number): void {
    if (v === 0) { this.hasZero = true; return; }
    const x = v | 0;
    let h = (x ^ (x >>> 16)) & this.mask;
    for (;;) {
      const cur = this.table[h]!;
      if (cur === x) return;
      if (cur === 0) break;
      h = (h + 1) & this.mask;
    }
    this.table[h] = x;
    if (++this.size * 2 > this.table.length) this.grow();
  }

  has(v: number): boolean {
    if (v === 0) return this.hasZero;
    const x = v | 0;
    let h = (x ^ (x >>> 16)) & this.mask;
    for (;;) {
      const cur = this.table[h]!;
      if (cur === x) return true;
      if (cur === 0) return false;
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Int32Array(old.length * 2);
    this.mask = this.table.length - 1;
    for (let i = 0; i < old.length; i++) {
      const x = old[i]!;
      if (x === 0) continue;
      let h = (x ^ (x >>> 16)) & this.mask;
      while (this.table[h] !== 0) h = (h + 1) & this.mask;
      this.table[h] = x;
    }
  }
}

export class FlowTracker {
  private cap: number;
  private index: Int32Array;
  private mask: number;
  /** Connection records (see STRIDE); `uv` is the same memory read as unsigned words (addresses). */
  private iv: Int32Array;
  private uv: Uint32Array;
  private fv: Float64Array;
  private live: Uint8Array;
  private free: number[] = [];
  private used = 0;
  private liveCount = 0;
  private sinceSweep = 0;
  private sweepAt = 1024;
  /**
   * Hashes of every address seen sending a packet: an attempt to a host never heard from may be a
   * one-sided capture. An address is added by the first packet of each side of a connection (later
   * packets of that side come from the same address).
   */
  private readonly senders = new U32Set();
  private now = -Infinity;
  private readonly k = new Uint32Array(KEY_WORDS);
  readonly stats: TrackerStats = { connections: 0, evicted: 0, icmpOnly: 0, peakLive: 0 };
  private out: EventBatch;

  /**
   * Told about each packet that is no flow at all (ICMPv6 neighbour discovery, an ICMP error quoting
   * nothing usable), so the input's accounting can move it from used to skipped.
   */
  notFlow: ((reason: string, position: number) => void) | undefined = undefined;

  constructor(private readonly timeouts: FlowTimeouts = DEFAULT_TIMEOUTS, labels = new LabelTable(), initial = 4096) {
    this.cap = initial;
    this.index = new Int32Array(initial * 4).fill(-1);
    this.mask = initial * 2 - 1;
    this.iv = new Int32Array(initial * STRIDE);
    this.uv = new Uint32Array(this.iv.buffer);
    this.fv = new Float64Array(this.iv.buffer);
    this.live = new Uint8Array(initial);
    this.out = createBatch(4096, labels);
  }

  // ---- hash table -------------------------------------------------------------------------------

  private find(k: Uint32Array, ko: number, h0: number): number {
    const iv = this.iv;
    const k0 = k[ko]! | 0, k1 = k[ko + 1]! | 0, k2 = k[ko + 2]! | 0, k3 = k[ko + 3]! | 0, k4 = k[ko + 4]! | 0, k5 = k[ko + 5]! | 0;
    const k6 = k[ko + 6]! | 0, k7 = k[ko + 7]! | 0, k8 = k[ko + 8]! | 0, k9 = k[ko + 9]! | 0, k10 = k[ko + 10]! | 0;
    const index = this.index;
    const hs = h0 | 0;
    let h = h0 & this.mask;
    while (true) {
      const e = index[h * 2]!;
      if (e === -1) return -1;
      const o = e * STRIDE;
      if (index[h * 2 + 1] === hs && iv[o] === k0 && iv[o + 1] === k1 && iv[o + 2] === k2 && iv[o + 3] === k3 && iv[o + 4] === k4 && iv[o + 5] === k5 &&
          iv[o + 6] === k6 && iv[o + 7] === k7 && iv[o + 8] === k8 && iv[o + 9] === k9 && iv[o + 10] === k10) return e;
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const cap = this.cap * 2;
    const iv = new Int32Array(cap * STRIDE);
    iv.set(this.iv);
    this.iv = iv;
    this.uv = new Uint32Array(iv.buffer);
    this.fv = new Float64Array(iv.buffer);
    const live = new Uint8Array(cap);
    live.set(this.live);
    this.live = live;
    this.cap = cap;
    this.rebuildIndex();
  }

  private rebuildIndex(): void {
    const size = this.cap * 2;
    this.index = new Int32Array(size * 2).fill(-1);
    this.mask = size - 1;
    for (let e = 0; e < this.used; e++) {
      if (!this.live[e]) continue;
      const hash = hashKey(this.uv, e * STRIDE);
      let h = hash & this.mask;
      while (this.index[h * 2] !== -1) h = (h + 1) & this.mask;
      this.index[h * 2] = e;
      this.index[h * 2 + 1] = hash;
    }
  }

  private insert(k: Uint32Array, ko: number, h0: number): number {
    let e: number;
    if (this.free.length > 0) e = this.free.pop()!;
    else {
      if (this.used >= this.cap) this.grow();
      e = this.used++;
    }
    const iv = this.iv;
    const o = e * STRIDE;
    for (let j = 0; j < KEY_WORDS; j++) iv[o + j] = k[ko + j]!;
    this.live[e] = 1;
    this.liveCount++;
    if (this.liveCount > this.stats.peakLive) this.stats.peakLive = this.liveCount;
    let h = h0 & this.mask;
    while (this.index[h * 2] !== -1) h = (h + 1) & this.mask;
    this.index[h * 2] = e;
    this.index[h * 2 + 1] = h0;
    iv[o + I_STATE] = 0;
    iv[o + I_REQ_COUNT] = 0;
    const fo = e * F_STRIDE;
    this.fv[fo + F_FIRST_REQ_TIME] = NaN;
    this.fv[fo + F_LAST_REQ_TIME] = NaN;
    iv[o + I_ICMP_TYPE] = -1;
    iv[o + I_ICMP_CODE] = -1;
    this.stats.connections++;
    return e;
  }

  /** Remove entry e from the index (linear probing with backward-shift deletion). */
  private remove(e: number): void {
    const index = this.index;
    let h = hashKey(this.uv, e * STRIDE) & this.mask;
    while (index[h * 2] !== e) h = (h + 1) & this.mask;
    let hole = h;
    let j = (hole + 1) & this.mask;
    while (index[j * 2] !== -1) {
      const x = index[j * 2]!;
      const xh = index[j * 2 + 1]!;
      const ideal = xh & this.mask;
      // Move x into the hole if its ideal slot is not cyclically in (hole, j].
      const inRange = hole <= j ? ideal > hole && ideal <= j : ideal > hole || ideal <= j;
      if (!inRange) {
        index[hole * 2] = x;
        index[hole * 2 + 1] = xh;
        hole = j;
      }
      j = (j + 1) & this.mask;
    }
    index[hole * 2] = -1;
    this.live[e] = 0;
    this.liveCount--;
    this.free.push(e);
  }

  /**
   * Canonical key of a tuple: the side with the smaller (address, port) is A. Returns 1 when the
   * given source is side B.
   */
  private keyOf(fam: number, proto: number, sw: Uint32Array, so: number, sp: number, dw: Uint32Array, d: number, dp: number,
    k: Uint32Array, ko: number): number {
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

  // ---- packets ----------------------------------------------------------------------------------

  /** Feed a batch of packets; finished connections are emitted in batches through `emit`. */
  addPackets(b: EventBatch, emit: (conns: EventBatch) => void): void {
    this.emit = emit;
    for (let g = 0; g < b.length; g += WARM_GROUP) {
      const gEnd = Math.min(b.length, g + WARM_GROUP);
      this.warm(b, g, gEnd);
      this.packets(b, g, gEnd);
    }
    this.sinceSweep += b.length;
    // A sweep only frees memory (a packet finds an expired connection expired by itself, see
    // `packet`), and costs a pass over the table: it runs when the table has doubled since the last
    // one (amortised O(1) per packet, and the table stays within twice what is really alive) and at
    // least once per SWEEP_EVERY packets (a smaller table is a faster one: fewer cache misses).
    if (this.liveCount >= this.sweepAt || (this.sinceSweep >= SWEEP_EVERY && this.liveCount >= 1024)) {
      this.sinceSweep = 0;
      this.sweep(emit, false);
      this.sweepAt = Math.max(1024, this.liveCount * 2);
    }
  }

  /**
   * Touch the index slot and the connection record of packets [from, to) before they are processed.
   * With hundreds of thousands of connections alive, each packet's lookup is a chain of two cache (and
   * TLB) misses; issued here as independent loads they overlap, and the real pass finds them cached.
   * Reads only: the table is not changed, so the result does not depend on it.
   */
  private warm(b: EventBatch, from: number, to: number): void {
    const hashes = this.warmHashes;
    let n = 0;
    for (let i = from; i < to; i++) {
      const proto = b.proto[i]!;
      const w = i * 4;
      let sp: number;
      let dp: number;
      if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
        const type = b.icmpType[i]!;
        if (isIcmpError(proto, type) || icmpControl(proto, type) !== undefined) continue;
        sp = isEchoRequest(proto, type) || isEchoReply(proto, type) ? 0 : type;
        dp = 0;
      } else {
        sp = b.srcPort[i]!; dp = b.dstPort[i]!;
        if (proto !== PROTO_TCP) {
          if (sp < 0) sp = 0;
          if (dp < 0) dp = 0;
        }
      }
      const j = i - from;
      this.groupSide[j] = this.keyOf(b.family[i]!, proto, b.src, w, sp, b.dst, w, dp, this.groupKeys, j * KEY_WORDS);
      const h = hashKey(this.groupKeys, j * KEY_WORDS);
      this.groupHash[j] = h;
      hashes[n++] = h;
    }
    // Two short loops of independent loads: the index slots, then the records they name.
    const index = this.index;
    const mask = this.mask;
    for (let j = 0; j < n; j++) {
      const hash = hashes[j]!;
      let h = hash & mask;
      let e = index[h * 2]!;
      // The record to touch is the one whose hash matches (the probe chain is in the same cache line).
      while (e !== -1 && index[h * 2 + 1] !== hash) {
        h = (h + 1) & mask;
        e = index[h * 2]!;
      }
      hashes[j] = e;
    }
    const iv = this.iv;
    let sink = 0;
    for (let j = 0; j < n; j++) {
      const e = hashes[j]!;
      if (e >= 0) sink += iv[e * STRIDE]! + iv[e * STRIDE + 16]!;
    }
    this.warmSink = sink;
  }
  private readonly warmHashes = new Int32Array(WARM_GROUP);
  /** Per packet of the group being processed: its canonical key, the key's hash, and whether its source is side B. */
  private readonly groupKeys = new Uint32Array(WARM_GROUP * KEY_WORDS);
  private readonly groupHash = new Int32Array(WARM_GROUP);
  private readonly groupSide = new Uint8Array(WARM_GROUP);
  /** Keeps the warming loads from being optimised away. */
  warmSink = 0;

  private packets(b: EventBatch, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const t = b.time[i]!;
      if (t > this.now) this.now = t;
      const proto = b.proto[i]!;
      const w = i * 4;
      if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
        const type = b.icmpType[i]!;
        if (isIcmpError(proto, type)) {
          if (!this.icmpError(b, i)) this.notFlow?.("icmp-error-without-quote", b.position[i]!);
          continue;
        }
        const control = icmpControl(proto, type);
        if (control) { this.notFlow?.(control, b.position[i]!); continue; }
        if (!isEchoRequest(proto, type) && !isEchoReply(proto, type)) {
          // Other ICMP queries (timestamp, information...): keyed by type in the source-port slot.
          this.packet(i - from, proto, b.src, w, type, 0, -1, t, b.position[i]!, true, false);
          continue;
        }
        // Echo request and reply share one key (ports 0); the reply comes from the responder.
        const req = isEchoRequest(proto, type);
        this.packet(i - from, proto, b.src, w, 0, 0, -1, t, b.position[i]!, req, !req);
        continue;
      }
      const sp = b.srcPort[i]!;
      const dp = b.dstPort[i]!;
      if (proto === PROTO_TCP) {
        this.packet(i - from, proto, b.src, w, sp, dp, b.tcpFlags[i]!, t, b.position[i]!, false, false);
      } else {
        this.packet(i - from, proto, b.src, w, sp < 0 ? 0 : sp, dp < 0 ? 0 : dp, -1, t, b.position[i]!, false, false);
      }
    }
  }

  /**
   * One packet of the group, slot `j` (its key computed by `warm`): `sw[so..]` its source address,
   * `sp`/`dp` its ports as keyed.
   */
  private packet(j: number, proto: number, sw: Uint32Array, so: number, sp: number, dp: number,
    flags: number, t: number, pos: number, isRequest: boolean, isReply: boolean): void {
    const srcIsB = this.groupSide[j]!;
    const h = this.groupHash[j]! >>> 0;
    const ko = j * KEY_WORDS;
    let e = this.find(this.groupKeys, ko, h);
    if (e !== -1 && this.expired(e, proto)) {
      // The same 5-tuple after its idle timeout is a new connection, whenever the table was last swept.
      this.stats.evicted++;
      this.finalise(e, this.emit);
      this.remove(e);
      e = -1;
    }
    if (e === -1) {
      e = this.insert(this.groupKeys, ko, h);
      const fo = e * F_STRIDE;
      this.fv[fo + F_FIRST_TIME] = t;
      this.fv[fo + F_POSITION] = pos;
      // Who started it: the SYN's sender; for echo the requester; else the side sending to the
      // lower port (the service port), with ties going to this first packet's sender.
      let sender = 1; // 1: this packet's source is the originator
      let st0 = 0;
      if (proto === PROTO_TCP) {
        if (flags >= 0 && (flags & TCP_SYN) && !(flags & TCP_ACK)) sender = 1;
        else if (flags >= 0 && (flags & TCP_SYN) && (flags & TCP_ACK)) sender = 0;
        else sender = dp <= sp ? 1 : 0;
        if (flags < 0 || !(flags & TCP_SYN) || (flags & TCP_ACK)) st0 |= S_MIDSTREAM;
      } else if (proto === PROTO_UDP) {
        sender = dp <= sp || dp < 1024 ? 1 : 0;
        if (sender === 0) st0 |= S_MIDSTREAM;
      } else {
        sender = isReply ? 0 : 1;
        if (isReply) st0 |= S_MIDSTREAM;
      }
      this.iv[e * STRIDE + I_STATE] = st0;
      this.iv[e * STRIDE + I_ORIG_IS_B] = sender ? srcIsB : srcIsB ^ 1;
    }
    const iv = this.iv;
    const fv = this.fv;
    const o = e * STRIDE;
    const fo = e * F_STRIDE;
    fv[fo + F_LAST_TIME] = t;
    const fromOrig = srcIsB === iv[o + I_ORIG_IS_B];
    let st = iv[o + I_STATE]!;
    if (fromOrig) {
      if (!(st & S_ORIG_SEEN)) this.senders.add(addrHash(sw, so));
      st |= S_ORIG_SEEN;
      const requestLike = proto === PROTO_TCP ? flags >= 0 && (flags & TCP_SYN) !== 0 && (flags & TCP_ACK) === 0 : proto === PROTO_UDP ? !(st & S_RESP_SEEN) : isRequest;
      if (requestLike && !(st & S_RESP_SEEN)) {
        if (proto === PROTO_TCP) st |= S_SYN;
        const last = fv[fo + F_LAST_REQ_TIME]!;
        if (last !== last || t - last > this.timeouts.duplicateWindow) iv[o + I_REQ_COUNT]!++;
        if (fv[fo + F_FIRST_REQ_TIME] !== fv[fo + F_FIRST_REQ_TIME]) fv[fo + F_FIRST_REQ_TIME] = t;
        fv[fo + F_LAST_REQ_TIME] = t;
      }
      if (proto === PROTO_TCP && flags >= 0 && (flags & TCP_RST)) st |= S_RST_ORIG;
    } else {
      if (!(st & S_RESP_SEEN)) this.senders.add(addrHash(sw, so));
      st |= S_RESP_SEEN;
      if (proto === PROTO_TCP && flags >= 0) {
        if ((flags & TCP_SYN) && (flags & TCP_ACK)) st |= S_SYNACK;
        if (flags & TCP_RST) st |= S_RST_RESP;
      }
    }
    iv[o + I_STATE] = st;
  }

  /** Returns false when the error quotes no packet we can use. */
  private icmpError(b: EventBatch, i: number): boolean {
    const ip = b.innerProto[i]!;
    if (ip === 0) return false;
    const w = i * 4;
    const fam = b.family[i]!;
    const innerProto = ip;
    let sp = b.innerSrcPort[i]!;
    let dp = b.innerDstPort[i]!;
    if (innerProto !== PROTO_TCP && innerProto !== PROTO_UDP) { sp = 0; dp = 0; }
    // The quoted packet went from the originator (inner src) towards inner dst.
    const srcIsB = this.keyOf(fam, innerProto, b.innerSrc, w, sp < 0 ? 0 : sp, b.innerDst, w, dp < 0 ? 0 : dp, this.k, 0);
    const h = hashKey(this.k, 0);
    let e = this.find(this.k, 0, h);
    const t = b.time[i]!;
    if (e !== -1 && this.expired(e, innerProto)) {
      // An error quoting a packet of a connection idle past its timeout is about a new attempt.
      this.stats.evicted++;
      this.finalise(e, this.emit);
      this.remove(e);
      e = -1;
    }
    if (e === -1) {
      e = this.insert(this.k, 0, h);
      this.fv[e * F_STRIDE + F_FIRST_TIME] = t;
      this.fv[e * F_STRIDE + F_POSITION] = b.position[i]!;
      this.iv[e * STRIDE + I_ORIG_IS_B] = srcIsB;
      this.stats.icmpOnly++;
    }
    const iv = this.iv;
    const o = e * STRIDE;
    this.fv[e * F_STRIDE + F_LAST_TIME] = t;
    let st = iv[o + I_STATE]! | S_ICMP_ERR;
    iv[o + I_ICMP_TYPE] = b.icmpType[i]!;
    iv[o + I_ICMP_CODE] = b.icmpCode[i]!;
    for (let j = 0; j < 4; j++) iv[o + I_ICMP_FROM + j] = b.src[w + j]!;
    iv[o + I_ICMP_FROM_FAMILY] = fam;
    let same = true;
    for (let j = 0; j < 4; j++) if (b.src[w + j] !== b.innerDst[w + j]) same = false;
    if (same) st |= S_ICMP_FROM_DST;
    else st &= ~S_ICMP_FROM_DST;
    iv[o + I_STATE] = st;
    return true;
  }

  /**
   * Whether connection e has been idle longer than its protocol's timeout, measured as the sweep
   * measures it (from the latest time seen), so that a lookup and a sweep always agree: whether a sweep
   * ran in between never changes which packets form one connection.
   */
  private expired(e: number, proto: number): boolean {
    const to = proto === PROTO_TCP ? this.timeouts.tcp : proto === PROTO_UDP ? this.timeouts.udp : this.timeouts.icmp;
    return this.now - this.fv[e * F_STRIDE + F_LAST_TIME]! > to;
  }

  /** Where finished connections go (set by addPackets). */
  private emit: (conns: EventBatch) => void = () => undefined;

  /** Finalise connections idle longer than their timeout (all of them when `all`). */
  private sweep(emit: (conns: EventBatch) => void, all: boolean): void {
    const live = this.live;
    for (let e = 0; e < this.used; e++) {
      if (!live[e]) continue;
      if (!all) {
        if (!this.expired(e, this.iv[e * STRIDE]! & 255)) continue;
        this.stats.evicted++;
      }
      this.finalise(e, emit);
      this.remove(e);
    }
    if (all && this.out.length > 0) {
      emit(this.out);
      this.out.length = 0;
    }
  }

  /** End of capture: finalise everything. */
  end(emit: (conns: EventBatch) => void): void {
    this.sweep(emit, true);
    this.used = 0;
    this.free = [];
  }

  private finalise(e: number, emit: (conns: EventBatch) => void): void {
    const out = this.out;
    if (isFull(out)) {
      emit(out);
      out.length = 0;
    }
    const keys = this.uv;
    const o = e * STRIDE;
    const fo = e * F_STRIDE;
    const fam = keys[o]! >>> 8;
    const proto = keys[o]! & 255;
    const bIsOrig = this.iv[o + I_ORIG_IS_B] === 1;
    const i = reserve(out);
    const w = i * 4;
    const aOff = o + 1;
    const bOff = o + 5;
    out.family[i] = fam;
    out.proto[i] = proto;
    for (let j = 0; j < 4; j++) {
      out.src[w + j] = keys[(bIsOrig ? bOff : aOff) + j]!;
      out.dst[w + j] = keys[(bIsOrig ? aOff : bOff) + j]!;
    }
    const pa = keys[o + 9]! | 0;
    const pb = keys[o + 10]! | 0;
    const st = this.iv[o + I_STATE]!;
    if (proto === PROTO_TCP || proto === PROTO_UDP) {
      out.srcPort[i] = bIsOrig ? pb : pa;
      out.dstPort[i] = bIsOrig ? pa : pb;
      // A known originator is passed on as a SYN so the matcher keeps this direction; a midstream
      // connection leaves it to the matcher's service-port rule.
      out.tcpFlags[i] = proto === PROTO_TCP && !(st & S_MIDSTREAM) ? TCP_SYN : NONE;
    } else {
      // ICMP: echo connections are keyed with ports 0; other types carry the type in the src port slot.
      const type = (bIsOrig ? pb : pa) === 0 && (bIsOrig ? pa : pb) === 0 ? (proto === PROTO_ICMP ? 8 : 128) : (bIsOrig ? pb : pa);
      out.icmpType[i] = type;
    }
    out.time[i] = this.fv[fo + F_FIRST_TIME]!;
    out.position[i] = this.fv[fo + F_POSITION]!;
    out.count[i] = 1;

    const action = this.outcome(e, fam, proto, st);
    let evidence = this.evidence;
    if (action === ACTION_BLOCKED && evidence.startsWith("unanswered") && !this.senders.has(addrHash(out.dst, w))) {
      // Zeek's S0 cannot tell a dropped SYN from a capture that saw one direction only (split routing,
      // a SPAN port with one direction): say so when the destination was never heard from at all.
      evidence += `; no packet from ${formatAddr(fam, out.dst, w)} anywhere in this capture: a drop, or a capture that sees one direction only`;
    }
    out.action[i] = action;
    out.label[i] = out.labels.intern(evidence);
    commit(out);
  }

  /** Evidence text of the last `outcome` call (kept aside so that no pair is allocated per connection). */
  private evidence = "";

  private outcome(e: number, fam: number, proto: number, st: number): number {
    const o = e * STRIDE;
    const fo = e * F_STRIDE;
    const reqs = this.iv[o + I_REQ_COUNT]!;
    const span = (this.fv[fo + F_LAST_REQ_TIME]! - this.fv[fo + F_FIRST_REQ_TIME]!) / 1000;
    const tail = this.now - this.fv[fo + F_LAST_TIME]!;
    if (st & S_ICMP_ERR && !(st & (S_SYNACK))) {
      const from = formatAddr(this.iv[o + I_ICMP_FROM_FAMILY]!, this.uv, o + I_ICMP_FROM);
      const where = st & S_ICMP_FROM_DST ? `from the destination ${from}` : `from router ${from}`;
      const type = this.iv[o + I_ICMP_TYPE]!;
      const code = this.iv[o + I_ICMP_CODE]!;
      const kind = (fam === 4 ? "icmp" : "icmpv6") + `-${type}-${code}` + icmpErrorName(fam, type, code);
      if (!(st & S_RESP_SEEN) || proto !== PROTO_UDP) return this.say(ACTION_BLOCKED, `${kind} ${where}`);
    }
    if (proto === PROTO_TCP) {
      if (st & S_SYNACK) return this.say(ACTION_ALLOWED, st & S_RST_RESP ? "handshake, then reset by responder (RSTR)" : st & S_RST_ORIG ? "handshake, then reset by originator (RSTO)" : "handshake completed (SF/S1)");
      if (st & S_SYN) {
        if (st & S_RST_RESP) {
          const dst = formatAddr(fam, this.uv, o + (this.iv[o + I_ORIG_IS_B] === 1 ? 1 : 5));
          return this.say(ACTION_BLOCKED, `rst: SYN answered by RST from ${dst}, the destination itself: nothing listening, or a firewall answering in its name (REJ)`);
        }
        if (reqs >= 2) return this.say(ACTION_BLOCKED, `unanswered: ${reqs} SYNs over ${span.toFixed(1)} s (S0)`);
        if (tail >= this.timeouts.unansweredAfter) return this.say(ACTION_BLOCKED, `unanswered: 1 SYN, no retransmission or answer in ${(tail / 1000).toFixed(1)} s (S0)`);
        return this.say(ACTION_UNKNOWN, "single SYN too close to the end of the capture (S0)");
      }
      // Midstream.
      if ((st & S_RESP_SEEN) && (st & S_ORIG_SEEN)) return this.say(ACTION_ALLOWED, "traffic in both directions, start not captured (OTH)");
      return this.say(ACTION_UNKNOWN, "one direction only, start not captured (OTH)");
    }
    if (st & S_RESP_SEEN && st & S_ORIG_SEEN) return this.say(ACTION_ALLOWED, proto === PROTO_UDP ? "request and reply (SF)" : "echo request and reply");
    if (st & S_MIDSTREAM) return this.say(ACTION_UNKNOWN, "reply only, request not captured (OTH)");
    if (reqs >= 2) return this.say(ACTION_BLOCKED, `unanswered: ${reqs} ${proto === PROTO_UDP ? "datagrams" : "echo requests"} over ${span.toFixed(1)} s (S0)`);
    if (proto !== PROTO_UDP && tail >= this.timeouts.unansweredAfter) return this.say(ACTION_BLOCKED, `unanswered: 1 echo request, no reply in ${(tail / 1000).toFixed(1)} s (S0)`);
    return this.say(ACTION_UNKNOWN, proto === PROTO_UDP ? "one datagram, no reply (S0)" : "single request too close to the end of the capture (S0)");
  }

  private say(action: number, evidence: string): number {
    this.evidence = evidence;
    return action;
  }

  /** Connections tracked right now (for the memory-bound test). */
  get liveConnections(): number {
    return this.liveCount;
  }
}
