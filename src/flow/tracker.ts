/**
 * Connection tracking for captures: packets in, one event per connection attempt out, with its
 * inferred outcome as the action, who stopped it (`blockedBy`) and Zeek-style history.
 *
 * Each packet updates its connection's record (conn-table.ts): which side sent what (state bits, in
 * the manner of Zeek's endpoint states), the history letters (history.ts), requests before any answer,
 * the responder's RST and its TTL, an ICMP error quoting the attempt. Every address's own packets also
 * leave their TTL in a per-address table (ttl-table.ts), the yardstick for a refusal that claims to
 * come from a destination. When a connection ends (idle timeout in capture time, or the end of the
 * capture) its facts go to `decideOutcome` (outcome.ts), one pure function, and the result becomes
 * the event. Memory follows the connections alive at once, not the capture's length; nothing is
 * allocated per packet.
 */
import {
  BLOCKED_BY_UNSET, NONE, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN,
  commit, createBatch, isFull, reserve, type EventBatch, LabelTable,
} from "../decode/batch.js";
import { formatAddr } from "../net/addr.js";
import {
  CLASS_TCP, CLASS_UDP, COLD_STRIDE, C_ICMP, C_ICMP_FROM, C_ICMP_FROM_FAMILY, C_ICMP_IFACE, ConnTable, F_FIRST_REQ_TIME, F_FIRST_TIME,
  F_LAST_REQ_TIME, F_LAST_TIME, F_POSITION, F_STRIDE, HISTORY, I_FRAME, I_REQ_COUNT, I_RST_IFACE, I_RST_TTL, I_STATE, I_TTL_RESP, KEY_WORDS,
  STRIDE, S_ORIG_IS_B,
  canonicalKey, hashKey,
} from "./conn-table.js";
import { HISTORY_FLIPPED, historyKey, historyTail, historyTcp, historyText, historyUdp } from "./history.js";
import { icmpControl, isEchoReply, isEchoRequest, isIcmpError } from "./icmp.js";
import {
  S_ACK_ORIG, S_FIN_ORIG, S_FIN_RESP, S_ICMP_ERR, S_ICMP_FROM_DST, S_MIDSTREAM, S_ORIG_SEEN, S_RESP_SEEN, S_RST_ORIG, S_RST_RESP,
  S_SYN, S_SYNACK, decideOutcome, goesUnanswered, unansweredVariant, type ConnFacts,
} from "./outcome.js";
import { RESERVED_RECORDS } from "./hash-index.js";
import type { SharedBatchMemory } from "../decode/pcap/wasm.js";
import { TtlTable } from "./ttl-table.js";
import { U32Set, addrHash } from "./u32-set.js";
import { ICMP_EXPIRED, ICMP_NO_QUOTE, STOP_EXPIRED, STOP_ICMP_CONTROL, WasmTrackerCore, trackerWasmModule, type OutcomeColumns } from "./wasm-tracker.js";

/**
 * What finalise and factsOf read and do to the connection records: ConnTable's, or the WebAssembly
 * module's (wasm-tracker.ts), which keeps the same record layout in its memory. Sweeps have one way
 * each (sweepJs, sweepWasm).
 */
interface RecordStore {
  readonly iv: Int32Array;
  readonly uv: Uint32Array;
  readonly fv: Float64Array;
  /** The cold records (conn-table.ts COLD_STRIDE). */
  readonly cv: Int32Array;
  readonly liveCount: number;
  remove(e: number): void;
  clear(): void;
}

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

const SWEEP_EVERY = 65536;
/** Packets whose table memory is touched ahead of processing them (see `warm`). */
const WARM_GROUP = 64;

export interface TrackerStats {
  connections: number;
  evicted: number;
  /** ICMP errors whose quoted packet started a connection we had not seen. */
  icmpOnly: number;
  peakLive: number;
}

/** Memoised outcomes kept at most (FlowTracker.remember). */
const MEMO_SIZE = 65536;

/**
 * Whether decideOutcome's result for a connection with these state bits depends on its protocol, state
 * bits and history alone (outcome.ts): no ICMP error (its sender and TTLs), and none of the branches
 * that read times, request counts, addresses or TTLs (an unanswered request, a refusal to judge). So:
 * answered; or TCP without a SYN from the originator (traffic both ways or one way, start not
 * captured); or another protocol's reply whose request was not captured. Checked against the outcome
 * without the memo in test/flow/tracker.test.ts.
 */
export function memoisable(proto: number, st: number): boolean {
  if (st & S_ICMP_ERR) return false;
  if (proto === PROTO_TCP) return (st & S_SYNACK) !== 0 || (st & S_SYN) === 0;
  return ((st & S_RESP_SEEN) !== 0 && (st & S_ORIG_SEEN) !== 0) || (st & S_MIDSTREAM) !== 0;
}

/** Decode a stored TTL (+1, 0 none, 257 not captured) back to a TTL or NONE. */
function storedTtl(v: number): number {
  return v === 0 || v === 257 ? NONE : v - 1;
}

export class FlowTracker {
  private readonly table: ConnTable;
  /** The records finalise and sweeps read: `table`, or the module's once it took over (`engine`). */
  private store: RecordStore;
  private ttlSource: Pick<TtlTable, "ttlsOf">;
  private senderSource: Pick<U32Set, "has">;
  /**
   * Which per-packet path runs: "js" (this file, the reference), "wasm" (assembly/tracker.ts, from the
   * first batch), or "auto" (the module when the first batch is full, i.e. the capture is longer than
   * one batch). Set before the first batch (createConnectionDecoder); decided at the first batch.
   */
  engine: "js" | "wasm" | "auto" = "js";
  private core: WasmTrackerCore | undefined;
  /**
   * The memory of the WebAssembly pcap decoder whose batches come here (createConnectionDecoder): the
   * module, when it takes over, shares it and reads the batches in place. Unset: the module has its own
   * memory and each batch is copied in.
   */
  shareMemory: (() => SharedBatchMemory | undefined) | undefined = undefined;
  private started = false;
  /** Each address's own TTLs as a responder, per capture interface (RSTs and ICMP errors left out: they are what is judged). */
  private readonly ttls = new TtlTable();
  /**
   * Hashes of every address seen sending a packet: an attempt to a host never heard from may be a
   * one-sided capture. An address is added by the first packet of each side of a connection.
   */
  private readonly senders = new U32Set();
  private now = -Infinity;
  private readonly k = new Int32Array(KEY_WORDS);
  /** The sender of an ICMP error, copied out of a cold record for formatAddr. */
  private readonly icmpFrom = new Uint32Array(4);
  readonly stats: TrackerStats = { connections: 0, evicted: 0, icmpOnly: 0, peakLive: 0 };
  private out: EventBatch;
  private sinceSweep = 0;
  private sweepAt = 1024;
  /** Reused for every finished connection (decideOutcome reads it; nothing keeps it). */
  private readonly facts: ConnFacts = {
    proto: 0, family: 4, state: 0, history: "", requests: 0, requestSpanMs: 0, waitedMs: 0, idleMs: 0, unansweredAfterMs: 0,
    dst: "", dstHeardFrom: true, rstTtl: NONE, dstTtlsAtRst: [], icmpType: NONE, icmpCode: NONE, icmpFrom: "", icmpTtl: NONE, dstTtlsAtIcmp: [],
  };

  /**
   * Told about each packet that is no flow at all (ICMPv6 neighbour discovery, an ICMP error quoting
   * nothing usable), so the input's accounting can move it from used to skipped.
   */
  notFlow: ((reason: string, position: number) => void) | undefined = undefined;

  constructor(private readonly timeouts: FlowTimeouts = DEFAULT_TIMEOUTS, labels = new LabelTable(), private readonly initial = RESERVED_RECORDS) {
    this.table = new ConnTable(initial);
    this.store = this.table;
    this.ttlSource = this.ttls;
    this.senderSource = this.senders;
    this.out = createBatch(4096, labels);
  }

  /** Whether the WebAssembly path took over (tests). */
  get usesWasm(): boolean {
    return this.core !== undefined;
  }

  /** Whether the module reads the decoder's batches in the decoder's memory (tests). */
  get sharesMemory(): boolean {
    return this.core?.sharesMemory === true;
  }

  private start(b: EventBatch): void {
    this.started = true;
    if (this.engine === "js" || (this.engine === "auto" && (b.length < b.capacity || trackerWasmModule() === undefined))) return;
    let core: WasmTrackerCore;
    try {
      core = new WasmTrackerCore(this.timeouts, this.initial, this.shareMemory?.());
    } catch (e) {
      // An instance that cannot be made (its memory refused, say) leaves the JS path, the reference,
      // which has not been given a packet yet; only a run that asked for the module fails.
      if (this.engine === "wasm") throw e;
      return;
    }
    this.core = core;
    this.store = core;
    this.ttlSource = core;
    this.senderSource = core;
  }

  /**
   * A batch through the module: read in place (a shared memory: one call) or copied in slice by slice,
   * one call per slice, with the packets it hands back handled here in their place (as `packets`
   * handles them).
   */
  private addPacketsWasm(core: WasmTrackerCore, b: EventBatch): void {
    const slice = core.sliceOf(b);
    for (let from = 0; from < b.length; from += slice) {
      const n = Math.min(slice, b.length - from);
      // Packet k of the batch is packet at + (k - from) of the module's columns.
      const at = core.load(b, from, n);
      const end = at + n;
      let i = at;
      while (i < end) {
        i = core.run(i, end);
        this.now = core.now;
        if (i >= end) break;
        const why = core.stoppedFor;
        const k = from + (i - at);
        if (why === STOP_EXPIRED) {
          // The same 5-tuple after its idle timeout: the old connection ends first (as in `packet`); the packet is run again.
          this.evict(core.stoppedRecord);
          continue;
        }
        if (why === STOP_ICMP_CONTROL) this.notFlow?.(icmpControl(b.proto[k]!, b.icmpType[k]!)!, b.position[k]!);
        else {
          let r = core.icmpError(b, k, i);
          if (r === ICMP_EXPIRED) {
            this.evict(core.stoppedRecord);
            r = core.icmpError(b, k, i);
          }
          if (r === ICMP_NO_QUOTE) this.notFlow?.("icmp-error-without-quote", b.position[k]!);
        }
        i++;
      }
    }
    this.stats.connections = core.connections;
    this.stats.peakLive = core.peakLive;
    this.stats.icmpOnly = core.icmpOnly;
  }

  /** Connection e, idle past its timeout, finalised and removed before its key is used again. */
  private evict(e: number): void {
    this.stats.evicted++;
    this.finalise(e, this.emit);
    this.store.remove(e);
  }

  /** Feed a batch of packets; finished connections are emitted in batches through `emit`. */
  addPackets(b: EventBatch, emit: (conns: EventBatch) => void): void {
    this.emit = emit;
    if (!this.started) this.start(b);
    if (this.core !== undefined) this.addPacketsWasm(this.core, b);
    else this.addPacketsJs(b);
    this.sinceSweep += b.length;
    // A sweep only frees memory (a packet finds an expired connection expired by itself, see
    // `packet`), and costs a pass over the table: it runs when the table has doubled since the last
    // one (amortised O(1) per packet, and the table stays within twice what is really alive) and at
    // least once per SWEEP_EVERY packets (a smaller table is a faster one: fewer cache misses).
    const live = this.store.liveCount;
    if (live >= this.sweepAt || (this.sinceSweep >= SWEEP_EVERY && live >= 1024)) {
      this.sinceSweep = 0;
      this.sweep(emit, false);
      this.sweepAt = Math.max(1024, this.store.liveCount * 2);
    }
  }

  /** The reference per-packet path, in groups whose table memory is touched first. */
  private addPacketsJs(b: EventBatch): void {
    for (let g = 0; g < b.length; g += WARM_GROUP) {
      const gEnd = Math.min(b.length, g + WARM_GROUP);
      this.warm(b, g, gEnd);
      this.packets(b, g, gEnd);
    }
  }

  /**
   * Compute the keys of packets [from, to) and touch their index slots and records before they are
   * processed: with hundreds of thousands of connections alive each lookup is a chain of cache (and
   * TLB) misses; issued together as independent loads they overlap. Reads only.
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
      this.groupSide[j] = canonicalKey(b.family[i]!, proto, b.src, w, sp, b.dst, w, dp, this.groupKeys, j * KEY_WORDS);
      const h = hashKey(this.groupKeys, j * KEY_WORDS);
      this.groupHash[j] = h;
      hashes[n++] = h;
    }
    this.warmSink = this.table.touch(hashes, n);
  }
  private readonly warmHashes = new Int32Array(WARM_GROUP);
  /** Per packet of the group being processed: its canonical key, the key's hash, and whether its source is side B. */
  private readonly groupKeys = new Int32Array(WARM_GROUP * KEY_WORDS);
  private readonly groupHash = new Int32Array(WARM_GROUP);
  private readonly groupSide = new Uint8Array(WARM_GROUP);
  /** Keeps the warming loads from being optimised away. */
  warmSink = 0;

  private packets(b: EventBatch, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const t = b.time[i]!;
      if (t > this.now) this.now = t;
      const proto = b.proto[i]!;
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
          this.packet(i - from, b, i, proto, type, 0, -1, true, false);
          continue;
        }
        // Echo request and reply share one key (ports 0); the reply comes from the responder.
        const req = isEchoRequest(proto, type);
        this.packet(i - from, b, i, proto, 0, 0, -1, req, !req);
        continue;
      }
      const sp = b.srcPort[i]!;
      const dp = b.dstPort[i]!;
      if (proto === PROTO_TCP) this.packet(i - from, b, i, proto, sp, dp, b.tcpFlags[i]!, false, false);
      else this.packet(i - from, b, i, proto, sp < 0 ? 0 : sp, dp < 0 ? 0 : dp, -1, false, false);
    }
  }

  /** A connection's first packet: who started it, and whether its start was captured. */
  private open(e: number, j: number, proto: number, sp: number, dp: number, flags: number, isReply: boolean, t: number, pos: number, frame: number): void {
    const t0 = this.table;
    const fo = e * F_STRIDE;
    t0.fv[fo + F_FIRST_TIME] = t;
    t0.fv[fo + F_POSITION] = pos;
    t0.uv[e * STRIDE + I_FRAME] = frame;
    // Who started it: the SYN's sender; for echo the requester; else the side sending to the lower
    // port (the service port), with ties going to this first packet's sender.
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
    const o = e * STRIDE;
    const srcIsB = this.groupSide[j]!;
    t0.iv[o + I_STATE] = st0 | ((sender ? srcIsB : srcIsB ^ 1) ? S_ORIG_IS_B : 0);
    // Zeek's "^": the first packet came from the side that turned out to be the responder (not for ICMP, which has no history).
    if (!sender && (proto === PROTO_TCP || proto === PROTO_UDP)) t0.iv[o + HISTORY.word] = HISTORY_FLIPPED;
  }

  /** One packet of the group, slot `j` (its key computed by `warm`), event `i` of `b`; `sp`/`dp` its ports as keyed. */
  private packet(j: number, b: EventBatch, i: number, proto: number, sp: number, dp: number, flags: number, isRequest: boolean, isReply: boolean): void {
    const table = this.table;
    const srcIsB = this.groupSide[j]!;
    const h = this.groupHash[j]!;
    const ko = j * KEY_WORDS;
    const t = b.time[i]!;
    let e = table.find(this.groupKeys, ko, h);
    if (e !== -1 && this.expired(e, proto)) {
      // The same 5-tuple after its idle timeout is a new connection, whenever the table was last swept.
      this.stats.evicted++;
      this.finalise(e, this.emit);
      table.remove(e);
      e = -1;
    }
    if (e === -1) {
      e = table.insert(this.groupKeys, ko, h);
      this.counted();
      this.open(e, j, proto, sp, dp, flags, isReply, t, b.position[i]!, b.frame[i]!);
    }
    const iv = table.iv;
    const fv = table.fv;
    const o = e * STRIDE;
    const fo = e * F_STRIDE;
    table.setLastTime(e, t);
    let st = iv[o + I_STATE]!;
    const fromOrig = srcIsB === (st & S_ORIG_IS_B ? 1 : 0);
    const w = i * 4;
    if (!(st & (fromOrig ? S_ORIG_SEEN : S_RESP_SEEN))) this.senders.add(addrHash(b.src, w));
    // A destination is judged against its packets as the responder of other connections: only
    // responders' TTLs are kept (RSTs left out: they are what is judged).
    if (!fromOrig && !(proto === PROTO_TCP && flags >= 0 && (flags & TCP_RST) !== 0)) this.sampleTtl(b, i, o);
    if (proto === PROTO_TCP && flags >= 0) historyTcp(iv, o, table.cv, e * COLD_STRIDE, HISTORY, fromOrig, flags, b.tcpSeq[i]!, b.payloadLength[i]!);
    else if (proto === PROTO_UDP) historyUdp(iv, o, HISTORY, fromOrig);
    if (fromOrig) {
      st |= S_ORIG_SEEN;
      const requestLike = proto === PROTO_TCP ? flags >= 0 && (flags & TCP_SYN) !== 0 && (flags & TCP_ACK) === 0 : proto === PROTO_UDP ? !(st & S_RESP_SEEN) : isRequest;
      if (requestLike && !(st & S_RESP_SEEN)) {
        if (proto === PROTO_TCP) st |= S_SYN;
        const last = fv[fo + F_LAST_REQ_TIME]!;
        if (last !== last || t - last > this.timeouts.duplicateWindow) iv[o + I_REQ_COUNT]!++;
        if (fv[fo + F_FIRST_REQ_TIME] !== fv[fo + F_FIRST_REQ_TIME]) fv[fo + F_FIRST_REQ_TIME] = t;
        fv[fo + F_LAST_REQ_TIME] = t;
      }
      if (proto === PROTO_TCP && flags >= 0) {
        if (flags & TCP_RST) st |= S_RST_ORIG;
        if (flags & TCP_FIN) st |= S_FIN_ORIG;
        if ((flags & TCP_ACK) && !(flags & TCP_SYN)) st |= S_ACK_ORIG;
      }
    } else {
      st |= S_RESP_SEEN;
      if (proto === PROTO_TCP && flags >= 0) {
        if ((flags & TCP_SYN) && (flags & TCP_ACK)) st |= S_SYNACK;
        if (flags & TCP_FIN) st |= S_FIN_RESP;
        if (flags & TCP_RST) {
          // The refusal to judge: the responder's first RST before any SYN-ACK, with its TTL and interface.
          if (!(st & S_SYNACK) && iv[o + I_RST_TTL] === 0) {
            const ttl = b.ttl[i]!;
            iv[o + I_RST_TTL] = ttl < 0 ? 257 : ttl + 1;
            iv[o + I_RST_IFACE] = b.iface[i]!;
          }
          st |= S_RST_RESP;
        }
      }
    }
    iv[o + I_STATE] = st;
  }

  /**
   * Leave this responder packet's TTL in its sender's entry, once per connection and capture
   * interface (one sample says what the next would: the same host through the same routers).
   */
  private sampleTtl(b: EventBatch, i: number, o: number): void {
    const ttl = b.ttl[i]!;
    if (ttl < 0) return;
    const iface = b.iface[i]!;
    const slot = o + I_TTL_RESP;
    const iv = this.table.iv;
    if (iv[slot] === iface + 1) return;
    iv[slot] = iface + 1;
    this.ttls.add(this.ttls.entry(b.family[i]!, b.src, i * 4, iface), ttl);
  }

  /**
   * An ICMP error: evidence about the connection whose packet it quotes, when that packet was the
   * originator's (an error about a responder's packet, such as a client's port unreachable for a late
   * DNS answer, says nothing about whether the flow was allowed). Returns false when it quotes nothing usable.
   */
  private icmpError(b: EventBatch, i: number): boolean {
    const innerProto = b.innerProto[i]!;
    if (innerProto === 0) return false;
    const table = this.table;
    const w = i * 4;
    const fam = b.family[i]!;
    let sp = b.innerSrcPort[i]!;
    let dp = b.innerDstPort[i]!;
    if (innerProto !== PROTO_TCP && innerProto !== PROTO_UDP) { sp = 0; dp = 0; }
    const innerSrcIsB = canonicalKey(fam, innerProto, b.innerSrc, w, sp < 0 ? 0 : sp, b.innerDst, w, dp < 0 ? 0 : dp, this.k, 0);
    const h = hashKey(this.k, 0);
    let e = table.find(this.k, 0, h);
    const t = b.time[i]!;
    if (e !== -1 && this.expired(e, innerProto)) {
      // An error quoting a packet of a connection idle past its timeout is about a new attempt.
      this.stats.evicted++;
      this.finalise(e, this.emit);
      table.remove(e);
      e = -1;
    }
    if (e === -1) {
      e = table.insert(this.k, 0, h);
      this.counted();
      table.fv[e * F_STRIDE + F_FIRST_TIME] = t;
      table.fv[e * F_STRIDE + F_POSITION] = b.position[i]!;
      table.uv[e * STRIDE + I_FRAME] = b.frame[i]!;
      // The quoted packet went from the originator (inner source) towards inner destination.
      if (innerSrcIsB) table.iv[e * STRIDE + I_STATE] = S_ORIG_IS_B;
      this.stats.icmpOnly++;
    }
    const iv = table.iv;
    const o = e * STRIDE;
    table.setLastTime(e, t);
    if (innerSrcIsB !== (iv[o + I_STATE]! & S_ORIG_IS_B ? 1 : 0)) return true;
    let st = iv[o + I_STATE]! | S_ICMP_ERR;
    const ttl = b.ttl[i]!;
    const cv = table.cv;
    const c = e * COLD_STRIDE;
    cv[c + C_ICMP] = (b.icmpType[i]! & 0xff) | ((b.icmpCode[i]! & 0xff) << 8) | ((ttl < 0 ? 256 : ttl) << 16);
    cv[c + C_ICMP_IFACE] = b.iface[i]!;
    for (let j = 0; j < 4; j++) cv[c + C_ICMP_FROM + j] = b.src[w + j]!;
    cv[c + C_ICMP_FROM_FAMILY] = fam;
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
    return this.now - this.table.fv[e * F_STRIDE + F_LAST_TIME]! > to;
  }

  /** As `expired`, by the record's timeout class (ConnTable.classOf, not 0). */
  private expiredClass(e: number, cls: number): boolean {
    const to = cls === CLASS_TCP ? this.timeouts.tcp : cls === CLASS_UDP ? this.timeouts.udp : this.timeouts.icmp;
    return this.now - this.table.last[e]! > to;
  }

  /** Where finished connections go (set by addPackets). */
  private emit: (conns: EventBatch) => void = () => undefined;

  /** Finalise connections idle longer than their timeout (all of them when `all`). */
  private sweep(emit: (conns: EventBatch) => void, all: boolean): void {
    if (this.core !== undefined) this.sweepWasm(this.core, emit, all);
    else this.sweepJs(emit, all);
    if (all && this.out.length > 0) {
      emit(this.out);
      this.out.length = 0;
    }
  }

  /** The same sweep with the module finding the records (the same ones, in the same order). */
  private sweepWasm(core: WasmTrackerCore, emit: (conns: EventBatch) => void, all: boolean): void {
    let e = 0;
    for (;;) {
      core.prepareSweep();
      // The module writes the connections it ends (and removes them), with their outcomes when memoised.
      e = core.sweepOut(e, all, this.memoise);
      this.takeOut(core, emit, all);
      if (e < 0) return;
      this.sweepResumed++;
    }
  }
  /** Sweeps resumed where the module's output area was full (tests). */
  private sweepResumed = 0;

  /** The module's finalising (tests): its memo, and sweeps resumed after a full output area; undefined without the module. */
  get moduleFinalise(): { entries: number; slots: number; emptied: number; resumed: number } | undefined {
    return this.core === undefined ? undefined : { ...this.core.memo, resumed: this.sweepResumed };
  }

  /**
   * The connections the module ended in its last sweepOut: each miss decided in its slot of the module's
   * output area, in order (as finalise decides; one decided may put a later one's outcome in the memo),
   * then all appended to `out` in order (emitted as it fills, as finalise emits).
   */
  private takeOut(core: WasmTrackerCore, emit: (conns: EventBatch) => void, all: boolean): void {
    const misses = core.missCount;
    this.learnt = 0;
    for (let m = 0; m < misses; m++) {
      const e = core.missRecord(m);
      // Asked again only when this call has put an outcome in the memo since, and one it could find
      // (the memo holds memoisable outcomes only).
      if (this.learnt > 0 && this.memoise && this.memoisableRecord(e) && core.memoHit(m)) continue;
      this.decide(e, core.outcomes, core.missAt(m), -1, 0);
    }
    const n = core.outCount;
    if (!all) this.stats.evicted += n;
    const out = this.out;
    for (let k = 0; k < n; ) {
      if (isFull(out)) {
        emit(out);
        out.length = 0;
      }
      k += core.copyOut(k, out);
    }
  }

  /** Whether record e's outcome is memoisable (finalise's test, on its stored protocol and state bits). */
  private memoisableRecord(e: number): boolean {
    const o = e * STRIDE;
    return memoisable(this.store.uv[o]! & 255, this.store.iv[o + I_STATE]! & ~S_ORIG_IS_B);
  }

  private sweepJs(emit: (conns: EventBatch) => void, all: boolean): void {
    const table = this.table;
    for (let e = 0; e < table.used; e++) {
      const cls = table.classOf(e);
      if (cls === 0) continue;
      if (all) {
        // Every record goes: end() clears the table whole afterwards.
        this.finalise(e, emit);
        continue;
      }
      if (!this.expiredClass(e, cls)) continue;
      this.stats.evicted++;
      this.finalise(e, emit);
      table.remove(e);
    }
  }

  /** End of capture: finalise everything. */
  end(emit: (conns: EventBatch) => void): void {
    this.sweep(emit, true);
    this.store.clear();
  }

  /** A connection was added. */
  private counted(): void {
    this.stats.connections++;
    if (this.table.liveCount > this.stats.peakLive) this.stats.peakLive = this.table.liveCount;
  }

  /** Connection e as one event: its tuple oriented from the originator, its outcome, history and attribution. */
  private finalise(e: number, emit: (conns: EventBatch) => void): void {
    const out = this.out;
    if (isFull(out)) {
      emit(out);
      out.length = 0;
    }
    const { iv, uv: keys, fv } = this.store;
    const o = e * STRIDE;
    const fo = e * F_STRIDE;
    const fam = keys[o]! >>> 8;
    const proto = keys[o]! & 255;
    const stored = iv[o + I_STATE]!;
    const bIsOrig = (stored & S_ORIG_IS_B) !== 0;
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
    // The outcome's bits alone (outcome.ts), without the side bit.
    const st = stored & ~S_ORIG_IS_B;
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
    out.time[i] = fv[fo + F_FIRST_TIME]!;
    out.position[i] = fv[fo + F_POSITION]!;
    out.frame[i] = keys[o + I_FRAME]!;
    out.count[i] = 1;

    const hasHistory = proto === PROTO_TCP || proto === PROTO_UDP;
    // Most connections' outcomes depend on their protocol, state bits and history alone (memoisable,
    // below), and repeat a few thousand combinations: their labels are looked up, not rebuilt.
    // With the module its memo is the one (its sweeps finalise most connections; this, those expired on lookup).
    const core = this.core;
    const memoKey = core === undefined && this.memoise && memoisable(proto, st) ? ((hasHistory ? historyKey(iv, o, HISTORY) : 0) * 4096 + (st & 4095)) * 4 + (proto === PROTO_TCP ? 0 : proto === PROTO_UDP ? 1 : 2) : -1;
    const tail = memoKey >= 0 && hasHistory ? historyTail(iv, o, HISTORY) : 0;
    let memo = memoKey < 0 ? undefined : tail === 0 ? this.memo.get(memoKey) : this.memoLong.get(memoKey)?.get(tail);
    if (core !== undefined && this.memoise) {
      const m = core.memoOf(e);
      if (m >= 0) memo = m;
    }
    if (memo !== undefined) {
      out.action[i] = memo & 3;
      out.blockedBy[i] = BLOCKED_BY_UNSET;
      const ids = Math.floor(memo / 4);
      out.label[i] = Math.floor(ids / 67108864);
      out.history[i] = ids % 67108864;
      commit(out);
      return;
    }
    this.decide(e, out, i, memoKey, tail);
    commit(out);
  }

  /**
   * The outcome of connection e into row i of `out`, whose tuple is written: decideOutcome, the labels,
   * and the outcome remembered when memoisable: under `memoKey` (with `tail`) in the JS memo, or, with
   * the module (memoKey -1), in the module's.
   */
  private decide(e: number, out: OutcomeColumns, i: number, memoKey: number, tail: number): void {
    const { iv, uv: keys } = this.store;
    const o = e * STRIDE;
    const fam = keys[o]! >>> 8;
    const proto = keys[o]! & 255;
    const st = iv[o + I_STATE]! & ~S_ORIG_IS_B;
    const hasHistory = proto === PROTO_TCP || proto === PROTO_UDP;
    const uKey = this.memoise ? this.unansweredKey(e, proto, st, hasHistory, out.dst, i * 4) : -1;
    let variant = -1;
    if (uKey >= 0) {
      variant = this.unansweredVariantOf(e, proto, st);
      const v = variant < 0 ? undefined : this.unansweredMemo.get(uKey)?.get(variant);
      if (v !== undefined) {
        const low = v % 16;
        out.action[i] = low >> 2;
        out.blockedBy[i] = low & 3;
        out.label[i] = Math.floor(v / 16) % 16777216;
        out.history[i] = Math.floor(v / 268435456);
        return;
      }
    }
    this.decidedAfresh++;
    const history = hasHistory ? historyText(iv, o, HISTORY) : "";
    const r = decideOutcome(this.factsOf(e, fam, proto, st, history, out.dst, i * 4));
    out.action[i] = r.action;
    out.blockedBy[i] = r.blockedBy;
    const labels = this.out.labels;
    const label = (out.label[i] = labels.intern(r.evidence));
    const hist = (out.history[i] = labels.intern(history));
    if (variant >= 0) this.rememberUnanswered(uKey, variant, hist, label, r.action, r.blockedBy);
    if (r.blockedBy !== BLOCKED_BY_UNSET || label >= 1 << 24 || hist >= 67108864) return;
    if (memoKey >= 0) this.remember(memoKey, tail, (label * 67108864 + hist) * 4 + r.action);
    else if (this.core !== undefined && this.memoise && memoisable(proto, st)) {
      this.core.remember(e, label, hist, r.action);
      this.learnt++;
    }
  }

  /**
   * The key of connection e's entry in `unansweredMemo` (its protocol class, state bits and history,
   * as the memo's key), when its outcome is `unanswered`'s with a text that does not name its
   * destination (the destination heard from) and its history has at most 8 letters; else -1.
   */
  private unansweredKey(e: number, proto: number, st: number, hasHistory: boolean, dw: Uint32Array, d: number): number {
    if (!goesUnanswered(proto, st)) return -1;
    const iv = this.store.iv;
    const o = e * STRIDE;
    if (hasHistory && historyTail(iv, o, HISTORY) !== 0) return -1;
    if (!this.senderSource.has(addrHash(dw, d))) return -1;
    return ((hasHistory ? historyKey(iv, o, HISTORY) : 0) * 4096 + (st & 4095)) * 4 + (proto === PROTO_TCP ? 0 : proto === PROTO_UDP ? 1 : 2);
  }

  /** unansweredVariant of connection e, from the facts factsOf would give it. */
  private unansweredVariantOf(e: number, proto: number, st: number): number {
    const { iv, fv } = this.store;
    const fo = e * F_STRIDE;
    const last = fv[fo + F_LAST_TIME]!;
    const first = fv[fo + F_FIRST_REQ_TIME]!;
    return unansweredVariant(proto, st, iv[e * STRIDE + I_REQ_COUNT]!, fv[fo + F_LAST_REQ_TIME]! - first, last - first, this.now - last, this.timeouts.unansweredAfter);
  }

  /**
   * Outcomes of unanswered connections (most of those decided afresh: their texts hold counts and
   * times), by unansweredKey and then unansweredVariant, as ((history label * 2^24 + evidence label) *
   * 16 + action * 4 + blockedBy): at most MEMO_SIZE of them, then forgotten and learnt again.
   */
  private readonly unansweredMemo = new Map<number, Map<number, number>>();
  private unansweredSize = 0;
  /** Connections whose outcome was decided by decideOutcome, not found in a memo (tests). */
  decidedAfresh = 0;
  /** Outcomes remembered in the module's memo since its last sweepOut (takeOut). */
  private learnt = 0;

  private rememberUnanswered(key: number, variant: number, hist: number, label: number, action: number, blockedBy: number): void {
    if (label >= 16777216 || hist >= 4194304) return;
    if (this.unansweredSize >= MEMO_SIZE) {
      this.unansweredMemo.clear();
      this.unansweredSize = 0;
    }
    let m = this.unansweredMemo.get(key);
    if (m === undefined) { m = new Map(); this.unansweredMemo.set(key, m); }
    m.set(variant, (hist * 16777216 + label) * 16 + action * 4 + blockedBy);
    this.unansweredSize++;
  }

  /**
   * Memoised outcomes as ((evidence label * 2^26 + history label) * 4 + action), by protocol, state bits
   * and history (see finalise): histories of up to 8 letters in `memo`, longer ones by their second
   * letter word in `memoLong`. At most MEMO_SIZE of them; then they are forgotten and learnt again.
   */
  private readonly memo = new Map<number, number>();
  /** False: every outcome decided afresh (the reference the memo is tested against). */
  memoise = true;
  private readonly memoLong = new Map<number, Map<number, number>>();
  private memoSize = 0;

  private remember(key: number, tail: number, value: number): void {
    if (this.memoSize >= MEMO_SIZE) {
      this.memo.clear();
      this.memoLong.clear();
      this.memoSize = 0;
    }
    if (tail === 0) this.memo.set(key, value);
    else {
      let m = this.memoLong.get(key);
      if (m === undefined) { m = new Map(); this.memoLong.set(key, m); }
      m.set(tail, value);
    }
    this.memoSize++;
  }

  /** The facts decideOutcome needs about connection e (destination address at dw[d..]); the TTL lists only when a refusal is to be judged. */
  private factsOf(e: number, fam: number, proto: number, st: number, history: string, dw: Uint32Array, d: number): ConnFacts {
    const { iv, fv, cv } = this.store;
    const o = e * STRIDE;
    const fo = e * F_STRIDE;
    const f = this.facts;
    f.proto = proto;
    f.family = fam;
    f.state = st;
    f.history = history;
    f.requests = iv[o + I_REQ_COUNT]!;
    f.requestSpanMs = fv[fo + F_LAST_REQ_TIME]! - fv[fo + F_FIRST_REQ_TIME]!;
    const last = fv[fo + F_LAST_TIME]!;
    f.waitedMs = last - fv[fo + F_FIRST_REQ_TIME]!;
    f.idleMs = this.now - last;
    f.unansweredAfterMs = this.timeouts.unansweredAfter;
    const answered = proto === PROTO_TCP ? (st & S_SYNACK) !== 0 : (st & S_RESP_SEEN) !== 0 && (st & S_ORIG_SEEN) !== 0;
    f.dst = answered && !(st & S_ICMP_ERR) ? "" : formatAddr(fam, dw, d);
    f.dstHeardFrom = answered || this.senderSource.has(addrHash(dw, d));
    const rst = iv[o + I_RST_TTL]!;
    f.rstTtl = storedTtl(rst);
    f.dstTtlsAtRst = rst !== 0 && !answered ? this.ttlSource.ttlsOf(fam, dw, d, iv[o + I_RST_IFACE]!) : [];
    if (st & S_ICMP_ERR) {
      // The cold record's error fields, written with S_ICMP_ERR (tracker.ts icmpError, assembly/tracker.ts).
      const c = e * COLD_STRIDE;
      const icmp = cv[c + C_ICMP]!;
      f.icmpType = icmp & 0xff;
      f.icmpCode = (icmp >>> 8) & 0xff;
      const ttl = (icmp >>> 16) & 0x1ff;
      f.icmpTtl = ttl === 256 ? NONE : ttl;
      const from = this.icmpFrom;
      for (let j = 0; j < 4; j++) from[j] = cv[c + C_ICMP_FROM + j]!;
      f.icmpFrom = formatAddr(cv[c + C_ICMP_FROM_FAMILY]!, from, 0);
      f.dstTtlsAtIcmp = st & S_ICMP_FROM_DST ? this.ttlSource.ttlsOf(fam, dw, d, cv[c + C_ICMP_IFACE]!) : [];
    } else {
      f.icmpType = NONE; f.icmpCode = NONE; f.icmpTtl = NONE; f.icmpFrom = ""; f.dstTtlsAtIcmp = [];
    }
    return f;
  }

  /** Connections tracked right now (for the memory-bound test). */
  get liveConnections(): number {
    return this.store.liveCount;
  }
}
