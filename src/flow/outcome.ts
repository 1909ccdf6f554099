/**
 * The outcome of one connection attempt, as one pure function of what the tracker saw of it: which
 * packets each side sent (state bits), how many requests, the Zeek history, and the TTL facts that say
 * who sent a refusal. docs/outcomes.md explains each rule, compares the states with Zeek's conn_state
 * and lists where portmatrix differs and why.
 */
import {
  ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, BLOCKED_BY_DESTINATION, BLOCKED_BY_NETWORK, BLOCKED_BY_UNKNOWN, BLOCKED_BY_UNSET,
  NONE, PROTO_TCP, PROTO_UDP, type ActionCode,
} from "../decode/batch.js";
import { icmpErrorLabel } from "./icmp.js";

// What each side of a connection sent (the tracker's per-connection state word).
/** The originator sent a SYN without ACK. */
export const S_SYN = 1;
/** The responder sent a SYN+ACK. */
export const S_SYNACK = 2;
export const S_RST_RESP = 4;
export const S_RST_ORIG = 8;
/** The first packet was not an opening one (no SYN, a reply first): the start was not captured. */
export const S_MIDSTREAM = 16;
/** An ICMP error quoted a packet of the originator. */
export const S_ICMP_ERR = 32;
export const S_RESP_SEEN = 64;
export const S_ORIG_SEEN = 128;
/** The ICMP error came from the address the attempt was sent to. */
export const S_ICMP_FROM_DST = 256;
export const S_FIN_ORIG = 512;
export const S_FIN_RESP = 1024;
/** The originator sent a segment with ACK and without SYN (its side of the handshake is done). */
export const S_ACK_ORIG = 2048;

/** Everything the outcome depends on; plain values, so a test can write one down. */
export interface ConnFacts {
  proto: number;
  family: number;
  /** S_* bits. */
  state: number;
  /** Zeek-style history letters (see history.ts). */
  history: string;
  /** Requests before any answer: SYNs, datagrams or echo requests (copies within the duplicate window count once). */
  requests: number;
  /** From the first request to the last. */
  requestSpanMs: number;
  /** From the first request to the connection's last packet. */
  waitedMs: number;
  /** From the connection's last packet to the latest time in the capture. */
  idleMs: number;
  /** A single unanswered request is "unanswered" when nothing followed it for this long. */
  unansweredAfterMs: number;
  /** The destination address as text. */
  dst: string;
  /** Whether any packet from the destination was seen anywhere in the capture. */
  dstHeardFrom: boolean;
  /** TTL or hop limit of the responder's RST (the first one), or NONE. */
  rstTtl: number;
  /** The destination's own TTLs on the interface the RST came in on ([] none seen, null too varied); see TtlTable. */
  dstTtlsAtRst: readonly number[] | null;
  /** The ICMP error quoting the attempt: type and code (NONE without one), sender as text, its TTL. */
  icmpType: number;
  icmpCode: number;
  icmpFrom: string;
  icmpTtl: number;
  /** The destination's own TTLs on the interface the ICMP error came in on. */
  dstTtlsAtIcmp: readonly number[] | null;
}

export interface Outcome {
  action: ActionCode;
  /** BLOCKED_BY_*: set for every blocked outcome, BLOCKED_BY_UNSET otherwise. */
  blockedBy: number;
  /** Zeek's conn_state for the same packets. */
  connState: string;
  /** What shows it, for people: the clue, then "(conn_state, history ...)". */
  evidence: string;
}

// Zeek's endpoint states (TCP_ENDPOINT_*), as far as the state bits tell them.
const INACTIVE = 0, SYN_SENT = 1, SYN_ACK_SENT = 2, PARTIAL = 3, ESTABLISHED = 4, CLOSED = 5, RESET = 6;

function endpointState(st: number, orig: boolean): number {
  const rst = st & (orig ? S_RST_ORIG : S_RST_RESP);
  const fin = st & (orig ? S_FIN_ORIG : S_FIN_RESP);
  const seen = st & (orig ? S_ORIG_SEEN : S_RESP_SEEN);
  const handshake = (st & S_SYN) && (st & S_SYNACK) && (st & S_ACK_ORIG);
  if (rst) return RESET;
  if (fin) return CLOSED;
  if (handshake) return ESTABLISHED;
  if (orig && (st & S_SYN)) return SYN_SENT;
  if (!orig && (st & S_SYNACK)) return SYN_ACK_SENT;
  return seen ? PARTIAL : INACTIVE;
}

/** Zeek's `conn_state` (base/protocols/conn/main.zeek) computed from the state bits and history. */
export function zeekConnState(proto: number, st: number, history: string): string {
  if (proto === PROTO_UDP) {
    const o = st & S_ORIG_SEEN, r = st & S_RESP_SEEN;
    return o ? (r ? "SF" : "S0") : r ? "SHR" : "OTH";
  }
  if (proto !== PROTO_TCP) return "OTH";
  const os = endpointState(st, true), rs = endpointState(st, false);
  const oInactive = os === INACTIVE || os === PARTIAL;
  const rInactive = rs === INACTIVE || rs === PARTIAL;
  if (rs === RESET) {
    // Zeek also counts "both reset, no bytes" as REJ; payload sizes are not kept here.
    if (os === SYN_SENT || os === SYN_ACK_SENT) return "REJ";
    return oInactive ? "RSTRH" : "RSTR";
  }
  if (os === RESET) {
    if (rInactive) return /^\^?S[^HAFGIQ]*R.*$/.test(history) ? "RSTOS0" : "OTH";
    return "RSTO";
  }
  if (rs === CLOSED && os === CLOSED) return "SF";
  if (os === CLOSED) return rInactive ? "SH" : "S2";
  if (rs === CLOSED) return oInactive ? "SHR" : "S3";
  if (os === SYN_SENT && rs === INACTIVE) return "S0";
  if (os === ESTABLISHED && rs === ESTABLISHED) return "S1";
  return "OTH";
}

/** A time as the evidence texts show it: seconds with one decimal. */
export const seconds = (ms: number): string => (ms / 1000).toFixed(1);
const list = (ttls: readonly number[]) => ttls.join(" or ");

interface Who { by: number; clue: string }

/**
 * Who sent a refusal that carries the destination's address (a RST, or an ICMP error from the
 * destination address): its TTL against the destination's own packets on the same interface.
 */
function byTtl(ttl: number, own: readonly number[] | null, dst: string, what: string): Who {
  if (ttl === NONE) return { by: BLOCKED_BY_UNKNOWN, clue: `${what} (TTL not captured)` };
  if (own === null) return { by: BLOCKED_BY_UNKNOWN, clue: `${what} with TTL ${ttl}; ${dst}'s packets arrive with too many different TTLs to tell who sent it` };
  if (own.length === 0) {
    return { by: BLOCKED_BY_UNKNOWN, clue: `${what} with TTL ${ttl}; no other packet from ${dst} in this capture to compare it with: ${dst} itself, or a firewall answering in its name` };
  }
  if (own.includes(ttl)) return { by: BLOCKED_BY_DESTINATION, clue: `${what} with TTL ${ttl}, as ${dst}'s own packets arrive: refused by ${dst} itself` };
  return { by: BLOCKED_BY_NETWORK, clue: `${what} with TTL ${ttl}, while ${dst}'s own packets arrive with ${list(own)}: made on the way, by a firewall answering in its name` };
}

/** An ICMP error quoting the attempt: from another address it is the path's; from the destination address, the destination's unless its TTL says otherwise. */
function byIcmp(f: ConnFacts): Who {
  const label = icmpErrorLabel(f.family, f.icmpType, f.icmpCode);
  if (!(f.state & S_ICMP_FROM_DST)) return { by: BLOCKED_BY_NETWORK, clue: `${label} from router ${f.icmpFrom}` };
  const own = f.dstTtlsAtIcmp;
  if (own !== null && own.length > 0 && f.icmpTtl !== NONE && !own.includes(f.icmpTtl)) {
    return { by: BLOCKED_BY_NETWORK, clue: `${label} from the destination address ${f.icmpFrom} with TTL ${f.icmpTtl}, while its own packets arrive with ${list(own)}: made on the way` };
  }
  return { by: BLOCKED_BY_DESTINATION, clue: `${label} from the destination ${f.icmpFrom} itself` };
}

/** The outcome with its evidence: the clue, Zeek's state and history, then any remark. */
function out(action: ActionCode, blockedBy: number, clue: string, connState: string, history: string, remark = ""): Outcome {
  return { action, blockedBy, connState, evidence: `${clue} (${connState}${history ? `, history ${history}` : ""})${remark}` };
}

/** Requests with no answer: blocked when retransmitted or long unanswered, else too early to say. Silence never names who stopped it. */
function unanswered(f: ConnFacts, what: string, cs: string): Outcome {
  const noDst = f.dstHeardFrom ? "" : `; no packet from ${f.dst} anywhere in this capture: a drop, or a capture that sees one direction only`;
  const plural = f.requests === 1 ? what : `${what}s`;
  if (f.requests >= 2) return out(ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, `unanswered: ${f.requests} ${plural} over ${seconds(f.requestSpanMs)} s`, cs, f.history, noDst);
  if (f.state & S_RST_ORIG && f.waitedMs >= f.unansweredAfterMs) {
    return out(ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, `unanswered: 1 ${what}, then the originator gave up (RST) after ${seconds(f.waitedMs)} s`, cs, f.history, noDst);
  }
  if (!(f.state & S_RST_ORIG) && f.proto !== PROTO_UDP && f.idleMs >= f.unansweredAfterMs) {
    return out(ACTION_BLOCKED, BLOCKED_BY_UNKNOWN, `unanswered: 1 ${what}, no retransmission or answer in ${seconds(f.idleMs)} s`, cs, f.history, noDst);
  }
  const clue = f.proto === PROTO_UDP ? "one datagram, no reply" : f.state & S_RST_ORIG ? `one ${what}, then the originator gave up (RST) before an answer was due` : `single ${what} too close to the end of the capture`;
  return out(ACTION_UNKNOWN, BLOCKED_BY_UNSET, clue, cs, f.history);
}

/**
 * Whether decideOutcome ends in `unanswered` for these state bits: not answered, no ICMP error quoting
 * the attempt, no refusal by the responder to judge (a TCP RST), and not a reply whose request was not
 * captured. (Not the facts' times or counts: those choose `unanswered`'s branch, see unansweredVariant.)
 */
export function goesUnanswered(proto: number, st: number): boolean {
  if (st & S_ICMP_ERR) return false;
  if (proto === PROTO_TCP) return (st & S_SYNACK) === 0 && (st & S_SYN) !== 0 && (st & S_RST_RESP) === 0;
  return !((st & S_RESP_SEEN) && (st & S_ORIG_SEEN)) && (st & S_MIDSTREAM) === 0;
}

/** Tenths of a second are kept below this in unansweredVariant (2^26: 77 days). */
const MAX_TENTHS = 67108864;
/** Requests counted in unansweredVariant (more: no variant). */
const MAX_REQUESTS = 1048576;

/**
 * `n` such that `seconds(ms)` is n / 10 written with one decimal, without making the string; -1 when ms
 * is negative or not finite, 2^26 tenths or more, or within 10^-6 of a tenth from the midpoint between
 * two tenths (there the two roundings could part; the caller then makes the string). toFixed(1) picks
 * the tenth nearest to ms / 1000; in this range ms / 100 differs from ten times that by rounding errors
 * below 10^-8, so away from a midpoint the nearest whole number is the same.
 */
export function tenthsOf(ms: number): number {
  const x = ms / 100;
  if (!(x >= 0 && x < MAX_TENTHS)) return -1;
  if (Math.abs(x - Math.floor(x) - 0.5) < 1e-6) return -1;
  return Math.round(x);
}

/**
 * For a connection that goesUnanswered and whose destination was heard from (so the text does not name
 * it): a number that, with the protocol (TCP, UDP or another), the state bits and the history, fixes
 * decideOutcome's result exactly: `unanswered`'s branch, the requests where the text counts them, and
 * the tenths of the seconds it shows. -1 when there is none (see tenthsOf). Mirrors `unanswered`'s
 * order of tests; test/flow/outcome.test.ts holds facts with equal variants to equal outcomes.
 */
export function unansweredVariant(proto: number, st: number, requests: number, requestSpanMs: number, waitedMs: number, idleMs: number, unansweredAfterMs: number): number {
  let branch: number;
  let ms: number;
  if (requests >= 2) {
    if (requests >= MAX_REQUESTS) return -1;
    branch = 1; ms = requestSpanMs;
  } else if (st & S_RST_ORIG && waitedMs >= unansweredAfterMs) {
    branch = 2; ms = waitedMs;
  } else if (!(st & S_RST_ORIG) && proto !== PROTO_UDP && idleMs >= unansweredAfterMs) {
    branch = 3; ms = idleMs;
  } else return 0;
  const tenths = tenthsOf(ms);
  if (tenths < 0) return -1;
  return ((branch === 1 ? requests : 0) * MAX_TENTHS + tenths) * 4 + branch;
}

function tcpOutcome(f: ConnFacts, cs: string): Outcome {
  const st = f.state;
  if (st & S_SYNACK) {
    const clue = !(st & S_SYN) ? "SYN-ACK seen, SYN not captured"
      : st & S_RST_RESP ? "handshake, then reset by the responder"
      : st & S_RST_ORIG ? "handshake, then reset by the originator"
      : "handshake completed";
    return out(ACTION_ALLOWED, BLOCKED_BY_UNSET, clue, cs, f.history);
  }
  if (st & S_SYN) {
    if (st & S_RST_RESP) {
      const who = byTtl(f.rstTtl, f.dstTtlsAtRst, f.dst, `rst: SYN answered by RST from ${f.dst}`);
      return out(ACTION_BLOCKED, who.by, who.clue, cs, f.history);
    }
    return unanswered(f, "SYN", cs);
  }
  if ((st & S_RESP_SEEN) && (st & S_ORIG_SEEN)) return out(ACTION_ALLOWED, BLOCKED_BY_UNSET, "traffic in both directions, start not captured", cs, f.history);
  return out(ACTION_UNKNOWN, BLOCKED_BY_UNSET, "one direction only, start not captured", cs, f.history);
}

/** The outcome of one connection. */
export function decideOutcome(f: ConnFacts): Outcome {
  const st = f.state;
  const cs = zeekConnState(f.proto, st, f.history);
  const answered = f.proto === PROTO_TCP ? (st & S_SYNACK) !== 0 : (st & S_RESP_SEEN) !== 0 && (st & S_ORIG_SEEN) !== 0;
  if (st & S_ICMP_ERR && !answered) {
    const who = byIcmp(f);
    return out(ACTION_BLOCKED, who.by, who.clue, cs, f.history);
  }
  if (f.proto === PROTO_TCP) return tcpOutcome(f, cs);
  if (answered) {
    // An error after a reply is about a later datagram: the flow itself got through (Zeek keeps it SF).
    const later = st & S_ICMP_ERR ? `; a later one drew ${byIcmp(f).clue}` : "";
    return out(ACTION_ALLOWED, BLOCKED_BY_UNSET, (f.proto === PROTO_UDP ? "request and reply" : "echo request and reply") + later, cs, f.history);
  }
  if (st & S_MIDSTREAM) return out(ACTION_UNKNOWN, BLOCKED_BY_UNSET, "reply only, request not captured", cs, f.history);
  return unanswered(f, f.proto === PROTO_UDP ? "datagram" : "echo request", cs);
}
