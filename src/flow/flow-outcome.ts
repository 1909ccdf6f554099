/**
 * What a connection's flow records show about the path between its ends, when no record states the
 * firewall's decision (plain NetFlow, IPFIX, nfdump output). The same reading as for captures
 * (tracker.ts) and Zeek's conn_state, from what flow records keep: per direction the packet count and
 * the OR of the TCP flags seen, and whether the reverse direction was exported at all.
 *
 *   TCP  reverse flow with SYN and ACK                   allowed  handshake (SF/S1)
 *        originator's flow has SYN and ACK, no reverse   allowed  it acknowledged a SYN-ACK the export lacks
 *        reverse flow with RST, no SYN-ACK               blocked  refused (REJ)
 *        SYN only, no reverse flow                       blocked  unanswered (S0), N SYNs
 *        no SYN seen, both directions                    allowed  midstream (OTH)
 *        no SYN seen, one direction                      unknown
 *   UDP  both directions                                 allowed  request and reply
 *        one direction, 2+ datagrams                     blocked  unanswered (S0)
 *        one direction, 1 datagram                       unknown
 *   ICMP echo request and reply                          allowed
 *        requests only, 2+                               blocked  unanswered
 *        other ICMP messages: both directions allowed, else unknown
 *   other protocols: both directions allowed, else unknown.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, BLOCKED_BY_UNKNOWN, NONE, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_RST, TCP_SYN } from "../decode/batch.js";

/** One direction of a connection as its flow records tell it. */
export interface FlowSide {
  /** Records seen for this direction (0: the direction was never exported). */
  records: number;
  /** Packets (NaN when no record said). */
  packets: number;
  /** OR of the TCP flags of its records, or NONE when no record carried them. */
  flags: number;
}

export interface FlowVerdict {
  action: number;
  evidence: string;
}

/**
 * Who stopped a blocked connection, as flow records can tell: never. A RST in the reverse flow reads the
 * same whether the destination or a firewall in its name sent it, and silence names nobody (the capture
 * tracker can look at TTLs and ICMP senders; flow records keep neither).
 */
export const FLOW_BLOCKED_BY = BLOCKED_BY_UNKNOWN;

function has(flags: number, bit: number): boolean {
  return flags !== NONE && (flags & bit) !== 0;
}

function seen(s: FlowSide): boolean {
  // A biflow record that says the reverse direction had 0 packets did not see it.
  return s.records > 0 && !(s.packets === 0);
}

function count(n: number, one: string, many: string): string {
  return n === n ? `${n} ${n === 1 ? one : many}` : many;
}

/** The outcome of one connection from its originator's side and the responder's (see the file comment). */
export function flowOutcome(proto: number, orig: FlowSide, resp: FlowSide, echo = true): FlowVerdict {
  const reverse = seen(resp);
  if (proto === PROTO_TCP) {
    if (has(resp.flags, TCP_SYN) && has(resp.flags, TCP_ACK)) return { action: ACTION_ALLOWED, evidence: "handshake: SYN-ACK in the reverse flow (SF/S1)" };
    if (has(orig.flags, TCP_SYN) && has(orig.flags, TCP_ACK)) {
      return { action: ACTION_ALLOWED, evidence: reverse ? "handshake: the originator acknowledged (SF/S1)" : "handshake: the originator's flow has SYN and ACK; the reverse flow was not exported (S1)" };
    }
    if (has(resp.flags, TCP_RST)) return { action: ACTION_BLOCKED, evidence: "rst: the reverse flow carries RST and no SYN-ACK: refused by the destination or a firewall in its name (REJ)" };
    if (has(orig.flags, TCP_SYN)) {
      if (!reverse) return { action: ACTION_BLOCKED, evidence: `unanswered: ${count(orig.packets, "SYN", "SYN packets")}, no reverse flow (S0)` };
      return { action: ACTION_UNKNOWN, evidence: "SYN, and a reverse flow without SYN-ACK or RST (OTH)" };
    }
    if (orig.flags === NONE && resp.flags === NONE) {
      return reverse ? { action: ACTION_ALLOWED, evidence: "traffic in both directions, no TCP flags in the records" } : { action: ACTION_UNKNOWN, evidence: "one direction only, no TCP flags in the records" };
    }
    return reverse ? { action: ACTION_ALLOWED, evidence: "traffic in both directions, start not seen (OTH)" } : { action: ACTION_UNKNOWN, evidence: "one direction only, start not seen (OTH)" };
  }
  const icmp = proto === PROTO_ICMP || proto === PROTO_ICMPV6;
  if (icmp && !echo) {
    return reverse ? { action: ACTION_ALLOWED, evidence: "ICMP in both directions" } : { action: ACTION_UNKNOWN, evidence: "ICMP (not echo) in one direction only" };
  }
  if (reverse) {
    const what = proto === PROTO_UDP ? "request and reply: reverse flow seen (SF)" : proto === PROTO_ICMP || proto === PROTO_ICMPV6 ? "echo request and reply" : "traffic in both directions";
    return { action: ACTION_ALLOWED, evidence: what };
  }
  if ((proto === PROTO_UDP || icmp) && orig.packets >= 2) {
    return { action: ACTION_BLOCKED, evidence: `unanswered: ${orig.packets} ${proto === PROTO_UDP ? "datagrams" : "echo requests"}, no reverse flow (S0)` };
  }
  return { action: ACTION_UNKNOWN, evidence: proto === PROTO_UDP ? `${count(orig.packets, "datagram", "datagrams")}, no reverse flow (S0)` : "one direction only, no reverse flow" };
}
