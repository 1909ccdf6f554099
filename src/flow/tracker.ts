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

export class FlowTracker {
  private cap: number;
  private index: Int32Array;
  private mask: number;
  private keys: Uint32Array;
  private state: Int32Array;
  /** 0: the key's A side is the originator; 1: B side. */
  private origIsB: Uint8Array;
  private firstTime: Float64Array;
  private lastTime: Float64Array;
  private firstReqTime: Float64Array;
  private lastReqTime: Float64Array;
  private reqCount: Int32Array;
  private pktsOrig: Int32Array;
  private pktsResp: Int32Array;
  private position: Float64Array;
  private icmpType: Int16Array;
  private icmpCode: Int16Array;
  private icmpFrom: Uint32Array;
  private icmpFromFamily: Uint8Array;
  private live: Uint8Array;
  private free: number[] = [];
  private used = 0;
  private liveCount = 0;
  private sinceSweep = 0;
  private sweepAt = 1024;
  /** Hashes of every address seen sending a packet: an attempt to a host never heard from may be a one-sided capture. */
  private readonly senders = new Set<number>();
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
    this.index = new Int32Array(initial * 2).fill(-1);
    this.mask = initial * 2 - 1;
    this.keys = new Uint32Array(initial * KEY_WORDS);
    this.state = new Int32Array(initial);
    this.origIsB = new Uint8Array(initial);
    this.firstTime = new Float64Array(initial);
    this.lastTime = new Float64Array(initial);
    this.firstReqTime = new Float64Array(initial);
    this.lastReqTime = new Float64Array(initial);
    this.reqCount = new Int32Array(initial);
    this.pktsOrig = new Int32Array(initial);
    this.pktsResp = new Int32Array(initial);
    this.position = new Float64Array(initial);
    this.icmpType = new Int16Array(initial);
    this.icmpCode = new Int16Array(initial);
    this.icmpFrom = new Uint32Array(initial * 4);
    this.icmpFromFamily = new Uint8Array(initial);
    this.live = new Uint8Array(initial);
    this.out = createBatch(4096, labels);
  }

  // ---- hash table -------------------------------------------------------------------------------

  private hash(k: Uint32Array): number {
    let h = 0x9e3779b9;
    for (let j = 0; j < KEY_WORDS; j++) {
      h = Math.imul(h ^ k[j]!, 0x85ebca6b);
      h ^= h >>> 13;
    }
    return (h ^ (h >>> 16)) >>> 0;
  }

  private find(k: Uint32Array): number {
    let h = this.hash(k) & this.mask;
    while (true) {
      const e = this.index[h]!;
      if (e === -1) return -1;
      const o = e * KEY_WORDS;
      let same = true;
      for (let j = 0; j < KEY_WORDS; j++) if (this.keys[o + j] !== k[j]) { same = false; break; }
      if (same) return e;
      h = (h + 1) & this.mask;
    }
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Float64Array | Int32Array | Uint32Array | Uint8Array | Int16Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.keys = g(this.keys, cap * KEY_WORDS);
    this.state = g(this.state, cap);
    this.origIsB = g(this.origIsB, cap);
    this.firstTime = g(this.firstTime, cap);
    this.lastTime = g(this.lastTime, cap);
    this.firstReqTime = g(this.firstReqTime, cap);
    this.lastReqTime = g(this.lastReqTime, cap);
    this.reqCount = g(this.reqCount, cap);
    this.pktsOrig = g(this.pktsOrig, cap);
    this.pktsResp = g(this.pktsResp, cap);
    this.position = g(this.position, cap);
    this.icmpType = g(this.icmpType, cap);
    this.icmpCode = g(this.icmpCode, cap);
    this.icmpFrom = g(this.icmpFrom, cap * 4);
    this.icmpFromFamily = g(this.icmpFromFamily, cap);
    this.live = g(this.live, cap);
    this.cap = cap;
    this.rebuildIndex();
  }

  private rebuildIndex(): void {
    const size = this.cap * 2;
    this.index = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    const k = new Uint32Array(KEY_WORDS);
    for (let e = 0; e < this.used; e++) {
      if (!this.live[e]) continue;
      k.set(this.keys.subarray(e * KEY_WORDS, e * KEY_WORDS + KEY_WORDS));
      let h = this.hash(k) & this.mask;
      while (this.index[h] !== -1) h = (h + 1) & this.mask;
      this.index[h] = e;
    }
  }

  private insert(k: Uint32Array): number {
    let e: number;
    if (this.free.length > 0) e = this.free.pop()!;
    else {
      if (this.used >= this.cap) this.grow();
      e = this.used++;
    }
    this.keys.set(k, e * KEY_WORDS);
    this.live[e] = 1;
    this.liveCount++;
    if (this.liveCount > this.stats.peakLive) this.stats.peakLive = this.liveCount;
    let h = this.hash(k) & this.mask;
    while (this.index[h] !== -1) h = (h + 1) & this.mask;
    this.index[h] = e;
    this.state[e] = 0;
    this.reqCount[e] = 0;
    this.pktsOrig[e] = 0;
    this.pktsResp[e] = 0;
    this.firstReqTime[e] = NaN;
    this.lastReqTime[e] = NaN;
    this.icmpType[e] = -1;
    this.icmpCode[e] = -1;
    this.stats.connections++;
    return e;
  }

  /** Remove entry e from the index (linear probing with backward-shift deletion). */
  private remove(e: number): void {
    const k = this.k;
    k.set(this.keys.subarray(e * KEY_WORDS, e * KEY_WORDS + KEY_WORDS));
    let h = this.hash(k) & this.mask;
    while (this.index[h] !== e) h = (h + 1) & this.mask;
    let hole = h;
    let j = (hole + 1) & this.mask;
    while (this.index[j] !== -1) {
      const x = this.index[j]!;
      const kx = this.keys.subarray(x * KEY_WORDS, x * KEY_WORDS + KEY_WORDS);
      const ideal = this.hash(kx as Uint32Array) & this.mask;
      // Move x into the hole if its ideal slot is not cyclically in (hole, j].
      const inRange = hole <= j ? ideal > hole && ideal <= j : ideal > hole || ideal <= j;
      if (!inRange) {
        this.index[hole] = x;
        hole = j;
      }
      j = (j + 1) & this.mask;
    }
    this.index[hole] = -1;
    this.live[e] = 0;
    this.liveCount--;
    this.free.push(e);
  }

  /**
   * Canonical key of a tuple: the side with the smaller (address, port) is A. Returns 1 when the
   * given source is side B.
   */
  private keyOf(fam: number, proto: number, sw: Uint32Array, so: number, sp: number, dw: Uint32Array, d: number, dp: number): number {
    let cmp = 0;
    for (let j = 0; j < 4 && cmp === 0; j++) cmp = sw[so + j]! - dw[d + j]!;
    if (cmp === 0) cmp = sp - dp;
    const k = this.k;
    k[0] = (fam << 8) | proto;
    const srcIsB = cmp > 0 ? 1 : 0;
    if (srcIsB) {
      k[1] = dw[d]!; k[2] = dw[d + 1]!; k[3] = dw[d + 2]!; k[4] = dw[d + 3]!;
      k[5] = sw[so]!; k[6] = sw[so + 1]!; k[7] = sw[so + 2]!; k[8] = sw[so + 3]!;
      k[9] = dp >>> 0; k[10] = sp >>> 0;
    } else {
      k[1] = sw[so]!; k[2] = sw[so + 1]!; k[3] = sw[so + 2]!; k[4] = sw[so + 3]!;
      k[5] = dw[d]!; k[6] = dw[d + 1]!; k[7] = dw[d + 2]!; k[8] = dw[d + 3]!;
      k[9] = sp >>> 0; k[10] = dp >>> 0;
    }
    return srcIsB;
  }

  // ---- packets ----------------------------------------------------------------------------------

  /** Feed a batch of packets; finished connections are emitted in batches through `emit`. */
  addPackets(b: EventBatch, emit: (conns: EventBatch) => void): void {
    for (let i = 0; i < b.length; i++) {
      const t = b.time[i]!;
      if (t > this.now) this.now = t;
      const proto = b.proto[i]!;
      const fam = b.family[i]!;
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
          this.packet(fam, proto, b.src, w, type, b.dst, w, 0, -1, t, b.position[i]!, true, false);
          continue;
        }
        // Echo request and reply share one key (ports 0); the reply comes from the responder.
        const req = isEchoRequest(proto, type);
        this.packet(fam, proto, b.src, w, 0, b.dst, w, 0, -1, t, b.position[i]!, req, !req);
        continue;
      }
      const sp = b.srcPort[i]!;
      const dp = b.dstPort[i]!;
      if (proto === PROTO_TCP) {
        this.packet(fam, proto, b.src, w, sp, b.dst, w, dp, b.tcpFlags[i]!, t, b.position[i]!, false, false);
      } else {
        this.packet(fam, proto, b.src, w, sp < 0 ? 0 : sp, b.dst, w, dp < 0 ? 0 : dp, -1, t, b.position[i]!, false, false);
      }
    }
    this.sinceSweep += b.length;
    // A sweep costs a pass over the table: it runs when the table has doubled since the last one
    // (amortised O(1) per packet, and the table stays within twice what is really alive) and at
    // least once per SWEEP_EVERY packets.
    if (this.liveCount >= this.sweepAt || (this.sinceSweep >= SWEEP_EVERY && this.liveCount >= 1024)) {
      this.sinceSweep = 0;
      this.sweep(emit, false);
      this.sweepAt = Math.max(1024, this.liveCount * 2);
    }
  }

  private packet(fam: number, proto: number, sw: Uint32Array, so: number, sp: number, dw: Uint32Array, d: number, dp: number,
    flags: number, t: number, pos: number, isRequest: boolean, isReply: boolean): void {
    const srcIsB = this.keyOf(fam, proto, sw, so, sp, dw, d, dp);
    let e = this.find(this.k);
    if (e === -1) {
      e = this.insert(this.k);
      this.firstTime[e] = t;
      this.position[e] = pos;
      // Who started it: the SYN's sender; for echo the requester; else the side sending to the
      // lower port (the service port), with ties going to this first packet's sender.
      let sender = 1; // 1: this packet's source is the originator
      if (proto === PROTO_TCP) {
        if (flags >= 0 && (flags & TCP_SYN) && !(flags & TCP_ACK)) sender = 1;
        else if (flags >= 0 && (flags & TCP_SYN) && (flags & TCP_ACK)) sender = 0;
        else sender = dp <= sp ? 1 : 0;
        if (flags < 0 || !(flags & TCP_SYN) || (flags & TCP_ACK)) this.state[e] = this.state[e]! | S_MIDSTREAM;
      } else if (proto === PROTO_UDP) {
        sender = dp <= sp || dp < 1024 ? 1 : 0;
        if (sender === 0) this.state[e] = this.state[e]! | S_MIDSTREAM;
      } else {
        sender = isReply ? 0 : 1;
        if (isReply) this.state[e] = this.state[e]! | S_MIDSTREAM;
      }
      this.origIsB[e] = sender ? srcIsB : srcIsB ^ 1;
    }
    this.lastTime[e] = t;
    this.senders.add(addrHash(sw, so));
    const fromOrig = (srcIsB === this.origIsB[e]);
    let st = this.state[e]!;
    if (fromOrig) {
      this.pktsOrig[e]!++;
      st |= S_ORIG_SEEN;
      const requestLike = proto === PROTO_TCP ? flags >= 0 && (flags & TCP_SYN) !== 0 && (flags & TCP_ACK) === 0 : proto === PROTO_UDP ? !(st & S_RESP_SEEN) : isRequest;
      if (requestLike && !(st & S_RESP_SEEN)) {
        if (proto === PROTO_TCP) st |= S_SYN;
        const last = this.lastReqTime[e]!;
        if (Number.isNaN(last) || t - last > this.timeouts.duplicateWindow) this.reqCount[e]!++;
        if (Number.isNaN(this.firstReqTime[e]!)) this.firstReqTime[e] = t;
        this.lastReqTime[e] = t;
      }
      if (proto === PROTO_TCP && flags >= 0 && (flags & TCP_RST)) st |= S_RST_ORIG;
    } else {
      this.pktsResp[e]!++;
      st |= S_RESP_SEEN;
      if (proto === PROTO_TCP && flags >= 0) {
        if ((flags & TCP_SYN) && (flags & TCP_ACK)) st |= S_SYNACK;
        if (flags & TCP_RST) st |= S_RST_RESP;
      }
    }
    this.state[e] = st;
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
    const srcIsB = this.keyOf(fam, innerProto, b.innerSrc, w, sp < 0 ? 0 : sp, b.innerDst, w, dp < 0 ? 0 : dp);
    let e = this.find(this.k);
    const t = b.time[i]!;
    if (e === -1) {
      e = this.insert(this.k);
      this.firstTime[e] = t;
      this.position[e] = b.position[i]!;
      this.origIsB[e] = srcIsB;
      this.stats.icmpOnly++;
    }
    this.lastTime[e] = t;
    let st = this.state[e]! | S_ICMP_ERR;
    this.icmpType[e] = b.icmpType[i]!;
    this.icmpCode[e] = b.icmpCode[i]!;
    this.icmpFrom.set(b.src.subarray(w, w + 4), e * 4);
    this.icmpFromFamily[e] = fam;
    let same = true;
    for (let j = 0; j < 4; j++) if (b.src[w + j] !== b.innerDst[w + j]) same = false;
    if (same) st |= S_ICMP_FROM_DST;
    else st &= ~S_ICMP_FROM_DST;
    this.state[e] = st;
    return true;
  }

  /** Finalise connections idle longer than their timeout (all of them when `all`). */
  private sweep(emit: (conns: EventBatch) => void, all: boolean): void {
    const now = this.now;
    for (let e = 0; e < this.used; e++) {
      if (!this.live[e]) continue;
      if (!all) {
        const proto = this.keys[e * KEY_WORDS]! & 255;
        const to = proto === PROTO_TCP ? this.timeouts.tcp : proto === PROTO_UDP ? this.timeouts.udp : this.timeouts.icmp;
        if (now - this.lastTime[e]! <= to) continue;
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
    const o = e * KEY_WORDS;
    const fam = this.keys[o]! >>> 8;
    const proto = this.keys[o]! & 255;
    const bIsOrig = this.origIsB[e] === 1;
    const i = reserve(out);
    const w = i * 4;
    const aOff = o + 1;
    const bOff = o + 5;
    out.family[i] = fam;
    out.proto[i] = proto;
    for (let j = 0; j < 4; j++) {
      out.src[w + j] = this.keys[(bIsOrig ? bOff : aOff) + j]!;
      out.dst[w + j] = this.keys[(bIsOrig ? aOff : bOff) + j]!;
    }
    const pa = this.keys[o + 9]! | 0;
    const pb = this.keys[o + 10]! | 0;
    const st = this.state[e]!;
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
    out.time[i] = this.firstTime[e]!;
    out.position[i] = this.position[e]!;
    out.count[i] = 1;

    let [action, evidence] = this.outcome(e, fam, proto, st);
    if (action === ACTION_BLOCKED && evidence.startsWith("unanswered") && !this.senders.has(addrHash(out.dst, w))) {
      // Zeek's S0 cannot tell a dropped SYN from a capture that saw one direction only (split routing,
      // a SPAN port with one direction): say so when the destination was never heard from at all.
      evidence += `; no packet from ${formatAddr(fam, out.dst, w)} anywhere in this capture: a drop, or a capture that sees one direction only`;
    }
    out.action[i] = action;
    out.label[i] = out.labels.intern(evidence);
    commit(out);
  }

  private outcome(e: number, fam: number, proto: number, st: number): [number, string] {
    const reqs = this.reqCount[e]!;
    const span = (this.lastReqTime[e]! - this.firstReqTime[e]!) / 1000;
    const tail = this.now - this.lastTime[e]!;
    if (st & S_ICMP_ERR && !(st & (S_SYNACK))) {
      const from = formatAddr(this.icmpFromFamily[e]!, this.icmpFrom, e * 4);
      const where = st & S_ICMP_FROM_DST ? `from the destination ${from}` : `from router ${from}`;
      const kind = (fam === 4 ? "icmp" : "icmpv6") + `-${this.icmpType[e]}-${this.icmpCode[e]}` + icmpErrorName(fam, this.icmpType[e]!, this.icmpCode[e]!);
      if (!(st & S_RESP_SEEN) || proto !== PROTO_UDP) return [ACTION_BLOCKED, `${kind} ${where}`];
    }
    if (proto === PROTO_TCP) {
      if (st & S_SYNACK) return [ACTION_ALLOWED, st & S_RST_RESP ? "handshake, then reset by responder (RSTR)" : st & S_RST_ORIG ? "handshake, then reset by originator (RSTO)" : "handshake completed (SF/S1)"];
      if (st & S_SYN) {
        if (st & S_RST_RESP) {
          const dst = formatAddr(fam, this.keys, e * KEY_WORDS + (this.origIsB[e] === 1 ? 1 : 5));
          return [ACTION_BLOCKED, `rst: SYN answered by RST from ${dst}, the destination itself: nothing listening, or a firewall answering in its name (REJ)`];
        }
        if (reqs >= 2) return [ACTION_BLOCKED, `unanswered: ${reqs} SYNs over ${span.toFixed(1)} s (S0)`];
        if (tail >= this.timeouts.unansweredAfter) return [ACTION_BLOCKED, `unanswered: 1 SYN, no retransmission or answer in ${(tail / 1000).toFixed(1)} s (S0)`];
        return [ACTION_UNKNOWN, "single SYN too close to the end of the capture (S0)"];
      }
      // Midstream.
      if ((st & S_RESP_SEEN) && (st & S_ORIG_SEEN)) return [ACTION_ALLOWED, "traffic in both directions, start not captured (OTH)"];
      return [ACTION_UNKNOWN, "one direction only, start not captured (OTH)"];
    }
    if (st & S_RESP_SEEN && st & S_ORIG_SEEN) return [ACTION_ALLOWED, proto === PROTO_UDP ? "request and reply (SF)" : "echo request and reply"];
    if (st & S_MIDSTREAM) return [ACTION_UNKNOWN, "reply only, request not captured (OTH)"];
    if (reqs >= 2) return [ACTION_BLOCKED, `unanswered: ${reqs} ${proto === PROTO_UDP ? "datagrams" : "echo requests"} over ${span.toFixed(1)} s (S0)`];
    if (proto !== PROTO_UDP && tail >= this.timeouts.unansweredAfter) return [ACTION_BLOCKED, `unanswered: 1 echo request, no reply in ${(tail / 1000).toFixed(1)} s (S0)`];
    return [ACTION_UNKNOWN, proto === PROTO_UDP ? "one datagram, no reply (S0)" : "single request too close to the end of the capture (S0)"];
  }

  /** Connections tracked right now (for the memory-bound test). */
  get liveConnections(): number {
    return this.liveCount;
  }
}
