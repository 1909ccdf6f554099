/**
 * Flow records into connections: the records of both directions of one 5-tuple (a router exports
 * A->B and B->A as two records; an IPFIX biflow carries both in one) are joined, the originator is
 * chosen, and the outcome is inferred from both sides (flow-outcome.ts). A record that states the
 * firewall's decision itself (NSEL, forwardingStatus) is passed on as it is, one event per record.
 *
 * Records wait for their reverse for PAIR_WINDOW_MS of flow time (the newest record time seen): a
 * connection is finalised when no record of it came for that long, or at the end of the input. The
 * table is bounded by MAX_PENDING connections; past that, the oldest half is finalised early (counted
 * in `stats.forced`), so memory does not grow with the input.
 */
import {
  ACTION_BLOCKED, NONE, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, TCP_ACK, TCP_SYN, LabelTable, commit, copyEvent, createBatch,
  isFull, reserve, type EventBatch,
} from "../decode/batch.js";
import type { FlowExtras, FlowRecordDecoder } from "../decode/flow/records.js";
import type { Decoder } from "../decode/decoder.js";
import { formatAddr } from "../net/addr.js";
import { FLOW_BLOCKED_BY, flowOutcome, type FlowSide } from "./flow-outcome.js";

export const PAIR_WINDOW_MS = 120_000;
export const MAX_PENDING = 1 << 20;

interface Side extends FlowSide {
  /** Earliest record start of this direction (ms), NaN when no record had a time. */
  start: number;
}

/** One connection being assembled. Side 0 is the side whose address (then port) sorts first. */
interface Pending {
  family: number;
  proto: number;
  /** Address words of side 0 then side 1. */
  addr: Uint32Array;
  port0: number;
  port1: number;
  icmpType: number;
  sides: [Side, Side];
  /** The side of the first record seen (ties in choosing the originator go to it). */
  firstSide: 0 | 1;
  /** Flow time of the latest record (for the pairing window). */
  last: number;
  position: number;
}

export interface PairingStats {
  connections: number;
  /** Connections finalised before their window passed, to stay within MAX_PENDING. */
  forced: number;
  peakPending: number;
}

function isEcho(proto: number, t: number): boolean {
  return proto === PROTO_ICMP ? t === 8 || t === 0 : proto === PROTO_ICMPV6 && (t === 128 || t === 129);
}

function addrHash(w: ArrayLike<number>, o: number): number {
  let h = Math.imul(w[o]! ^ 0x5bd1e995, 0x01000193);
  h = Math.imul(h ^ w[o + 1]!, 0x01000193);
  h = Math.imul(h ^ w[o + 2]!, 0x01000193);
  return Math.imul(h ^ w[o + 3]!, 0x01000193) >>> 0;
}

function newSide(): Side {
  return { records: 0, packets: NaN, flags: NONE, start: NaN };
}

export class FlowPairer {
  private readonly pending = new Map<string, Pending>();
  /** Hashes of addresses seen as a flow's source: an attempt to a host never heard from may be a one-sided export. */
  private readonly senders = new Set<number>();
  private now = -Infinity;
  private readonly out: EventBatch;
  readonly stats: PairingStats = { connections: 0, forced: 0, peakPending: 0 };

  constructor(private readonly windowMs = PAIR_WINDOW_MS, private readonly maxPending = MAX_PENDING) {
    this.out = createBatch(4096, new LabelTable());
  }

  /**
   * Add a batch of flow records (and their extras); finished connections go to `emit`. The pairing
   * window runs on the records' own times, or on `clockMs` when given (a live collector passes the
   * arrival time: an exporter's clock, or a replay of old traffic, must not expire what just arrived).
   */
  add(b: EventBatch, x: FlowExtras, emit: (conns: EventBatch) => void, clockMs?: number): void {
    for (let i = 0; i < b.length; i++) {
      const t = clockMs ?? (x.endTime[i]! === x.endTime[i]! ? x.endTime[i]! : b.time[i]!);
      if (t > this.now) this.now = t;
      if (this.senders.size < this.maxPending) this.senders.add(addrHash(b.src, i * 4));
      if (x.decided[i] === 1) { this.passOn(b, i, emit); continue; }
      this.record(b, x, i, t === t ? t : this.now);
    }
    if (this.pending.size > this.stats.peakPending) this.stats.peakPending = this.pending.size;
    this.expire(emit, false);
  }

  /** Finalise what has waited longer than the window; everything when `all`. */
  expire(emit: (conns: EventBatch) => void, all: boolean): void {
    const cutoff = this.now - this.windowMs;
    const force = !all && this.pending.size > this.maxPending;
    let dropHalf = force ? this.pending.size >> 1 : 0;
    for (const [k, p] of this.pending) {
      // Map iteration is in order of each connection's latest record: the first entries are the ones
      // heard from longest ago, so the walk stops at the first that is still within its window.
      if (!all && !(p.last < cutoff) && dropHalf === 0) break;
      if (dropHalf > 0) {
        if (!(p.last < cutoff)) this.stats.forced++;
        dropHalf--;
      }
      this.finalise(p, emit);
      this.pending.delete(k);
    }
    if (all) this.flush(emit);
  }

  /** Let time pass to `nowMs` (a live collector's clock) and finalise what waited longer than the window. */
  advance(nowMs: number, emit: (conns: EventBatch) => void): void {
    if (nowMs > this.now) this.now = nowMs;
    this.expire(emit, false);
    this.flush(emit);
  }

  /** Hand over the connections finalised so far. */
  flush(emit: (conns: EventBatch) => void): void {
    if (this.out.length > 0) {
      emit(this.out);
      this.out.length = 0;
    }
  }

  get pendingConnections(): number {
    return this.pending.size;
  }

  private passOn(b: EventBatch, i: number, emit: (conns: EventBatch) => void): void {
    if (isFull(this.out)) this.flush(emit);
    copyEvent(b, i, this.out);
    const j = this.out.length - 1;
    // The record names the initiator as its source: keep that direction for the matcher.
    if (b.proto[i] === PROTO_TCP) this.out.tcpFlags[j] = TCP_SYN;
    this.stats.connections++;
  }

  private record(b: EventBatch, x: FlowExtras, i: number, t: number): void {
    const w = i * 4;
    const proto = b.proto[i]!;
    let sp = b.srcPort[i]!;
    let dp = b.dstPort[i]!;
    let icmpType = -1;
    if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      icmpType = b.icmpType[i]!;
      // Echo request and reply are one exchange (keyed like the capture tracker does); other ICMP
      // messages are keyed by their type.
      sp = isEcho(proto, icmpType) ? 0 : icmpType;
      dp = 0;
    }
    let cmp = 0;
    for (let k = 0; k < 4 && cmp === 0; k++) cmp = b.src[w + k]! - b.dst[w + k]!;
    if (cmp === 0) cmp = sp - dp;
    const srcSide: 0 | 1 = cmp > 0 ? 1 : 0;
    const a = srcSide === 0 ? b.src : b.dst;
    const c = srcSide === 0 ? b.dst : b.src;
    const p0 = srcSide === 0 ? sp : dp;
    const p1 = srcSide === 0 ? dp : sp;
    const key = `${b.family[i]}|${proto}|${a[w]}.${a[w + 1]}.${a[w + 2]}.${a[w + 3]}|${p0}|${c[w]}.${c[w + 1]}.${c[w + 2]}.${c[w + 3]}|${p1}`;
    let p = this.pending.get(key);
    if (p === undefined) {
      const addr = new Uint32Array(8);
      for (let k = 0; k < 4; k++) { addr[k] = a[w + k]!; addr[4 + k] = c[w + k]!; }
      p = { family: b.family[i]!, proto, addr, port0: p0, port1: p1, icmpType, sides: [newSide(), newSide()], firstSide: srcSide, last: t, position: b.position[i]! };
      this.pending.set(key, p);
    } else {
      // A later record moves the connection to the end of the map (the newest).
      this.pending.delete(key);
      this.pending.set(key, p);
      if (t > p.last) p.last = t;
      if (b.position[i]! < p.position) p.position = b.position[i]!;
      if (isEcho(proto, icmpType) && (icmpType === 8 || icmpType === 128)) p.icmpType = icmpType;
    }
    const own = p.sides[srcSide];
    own.records++;
    own.packets = addCount(own.packets, x.packets[i]!);
    own.flags = orFlags(own.flags, b.tcpFlags[i]!);
    const start = b.time[i]!;
    if (start === start && !(own.start <= start)) own.start = start;
    const rp = x.revPackets[i]!;
    if (rp === rp) {
      // A biflow record (RFC 5103) carries the reverse direction's counters too.
      const rev = p.sides[srcSide ^ 1]!;
      rev.records++;
      rev.packets = addCount(rev.packets, rp);
      rev.flags = orFlags(rev.flags, x.revFlags[i]!);
    }
  }

  /** Which side started the connection (see the file comment of flow-outcome.ts for why this order). */
  private originator(p: Pending): 0 | 1 {
    const [s0, s1] = p.sides;
    if (s0.records === 0 || s0.packets === 0) return 1;
    if (s1.records === 0 || s1.packets === 0) return 0;
    if (p.proto === PROTO_TCP) {
      // A side that sent SYN and never ACK is a client whose SYN was refused or unanswered.
      const synOnly0 = (s0.flags & TCP_SYN) !== 0 && (s0.flags & TCP_ACK) === 0 && s0.flags !== NONE;
      const synOnly1 = (s1.flags & TCP_SYN) !== 0 && (s1.flags & TCP_ACK) === 0 && s1.flags !== NONE;
      if (synOnly0 !== synOnly1) return synOnly0 ? 0 : 1;
    }
    if (p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6) {
      // The requester: the side that sent the echo request is the first that was seen sending it.
      return p.firstSide;
    }
    // The SYN (or the request) comes before the answer.
    if (s0.start === s0.start && s1.start === s1.start && s0.start !== s1.start) return s0.start < s1.start ? 0 : 1;
    // Same millisecond: the side sending to the lower port (the service) is the client.
    if (p.port0 !== p.port1) return p.port1 < p.port0 ? 0 : 1;
    return p.firstSide;
  }

  private finalise(p: Pending, emit: (conns: EventBatch) => void): void {
    const o = this.originator(p);
    const orig = p.sides[o];
    const resp = p.sides[o ^ 1]!;
    const verdict = flowOutcome(p.proto, orig, resp, p.proto !== PROTO_ICMP && p.proto !== PROTO_ICMPV6 ? true : isEcho(p.proto, p.icmpType));
    const out = this.out;
    if (isFull(out)) this.flush(emit);
    const i = reserve(out);
    const w = i * 4;
    out.family[i] = p.family;
    out.proto[i] = p.proto;
    for (let k = 0; k < 4; k++) {
      out.src[w + k] = p.addr[o * 4 + k]!;
      out.dst[w + k] = p.addr[(o ^ 1) * 4 + k]!;
    }
    if (p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6) {
      out.icmpType[i] = p.icmpType;
    } else {
      out.srcPort[i] = o === 0 ? p.port0 : p.port1;
      out.dstPort[i] = o === 0 ? p.port1 : p.port0;
      // A known originator goes on as a SYN so the matcher keeps this direction (as the tracker does).
      if (p.proto === PROTO_TCP) out.tcpFlags[i] = orig.flags !== NONE && (orig.flags & TCP_SYN) !== 0 ? TCP_SYN : NONE;
    }
    out.time[i] = orig.start === orig.start ? orig.start : resp.start;
    out.position[i] = p.position;
    out.action[i] = verdict.action;
    if (verdict.action === ACTION_BLOCKED) out.blockedBy[i] = FLOW_BLOCKED_BY;
    let evidence = verdict.evidence;
    if (verdict.action === ACTION_BLOCKED && evidence.startsWith("unanswered") && !this.senders.has(addrHash(out.dst, w))) {
      evidence += `; no flow from ${formatAddr(p.family, out.dst, w)} in this export: a drop, or an exporter that sees one direction only`;
    }
    out.label[i] = out.labels.intern(evidence);
    commit(out);
    this.stats.connections++;
  }
}

function addCount(a: number, b: number): number {
  if (b !== b) return a;
  return a === a ? a + b : b;
}

function orFlags(a: number, b: number): number {
  if (b === NONE) return a;
  return a === NONE ? b : a | b;
}

/**
 * Flow records read as connections (the default for flow inputs; `events --packets` shows the records).
 * The accounting stays the record decoder's: records are used or skipped, connections are what it emits.
 */
export function createFlowConnectionDecoder(records: FlowRecordDecoder, windowMs = PAIR_WINDOW_MS): Decoder & { pairer: FlowPairer } {
  const pairer = new FlowPairer(windowMs);
  return {
    format: records.format,
    stats: records.stats,
    pairer,
    push(chunk, emit) {
      records.push(chunk, (b) => pairer.add(b, records.extras, emit));
    },
    end(emit) {
      try {
        records.end((b) => pairer.add(b, records.extras, emit));
      } finally {
        pairer.expire(emit, true);
      }
    },
  };
}
