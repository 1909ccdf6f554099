/**
 * The one shape that crosses from decode to match: a batch of events held in typed arrays.
 *
 * A decoder never allocates an object per record. It calls `reserve(batch)` to get the next slot
 * index, writes that slot's fields, and either `commit`s it or leaves it (an uncommitted slot is
 * overwritten by the next record). Strings a record carries (a log prefix, an action word) are
 * interned into `labels` once and referenced by index.
 *
 * Addresses: four 32-bit words per event, network order, most significant word first.
 * IPv4 uses word 0 only (words 1..3 are zero) and `family` 4.
 */

/** IP protocol numbers (IANA), the values stored in `proto`. */
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** What the source says happened to the record's traffic. */
export const ACTION_UNKNOWN = 0;
export const ACTION_ALLOWED = 1;
export const ACTION_BLOCKED = 2;
export type ActionCode = typeof ACTION_UNKNOWN | typeof ACTION_ALLOWED | typeof ACTION_BLOCKED;
export { ACTION_NAMES, type ActionName } from "../net/proto.js";
export {
  BLOCKED_BY_UNSET, BLOCKED_BY_NETWORK, BLOCKED_BY_DESTINATION, BLOCKED_BY_UNKNOWN, BLOCKED_BY_NAMES, type BlockedBy,
} from "../net/proto.js";

/** TCP flag bits as in the TCP header (RFC 9293 section 3.1). -1 in `tcpFlags` means "not known". */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Absent port, ICMP type/code or TCP flags. */
export const NONE = -1;

export interface EventBatch {
  readonly capacity: number;
  /** Committed events. */
  length: number;
  readonly family: Uint8Array;
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  readonly proto: Uint8Array;
  /** Ports, or NONE for protocols without ports. */
  readonly srcPort: Int32Array;
  readonly dstPort: Int32Array;
  /** ICMP / ICMPv6 type and code, or NONE. */
  readonly icmpType: Int16Array;
  readonly icmpCode: Int16Array;
  /** TCP flag byte, or NONE when the source does not say. */
  readonly tcpFlags: Int16Array;
  readonly action: Uint8Array;
  /** Milliseconds since the Unix epoch; NaN when the source gives no absolute time. */
  readonly time: Float64Array;
  /** 1-based line number for text inputs, byte offset for binary inputs. */
  readonly position: Float64Array;
  /**
   * Captures: the 1-based number of the packet record in the file, as Wireshark and tshark number
   * frames (every packet record counts, also one that is skipped); 0 for log records.
   */
  readonly frame: Uint32Array;
  /** Index into `labels`: the evidence text of the record (log prefix, action word), or -1. */
  readonly label: Int32Array;
  /**
   * Blocked records: who stopped the flow (BLOCKED_BY_*; 0 when the source does not say, which for a
   * firewall log means its own firewall). Set by decoders that know better (a host firewall's log, a
   * Zeek REJ) and by the flow tracker for captures.
   */
  readonly blockedBy: Uint8Array;
  /** Captures: IPv4 TTL or IPv6 hop limit as captured, or NONE. */
  readonly ttl: Int16Array;
  /**
   * Captures: the capture point the packet was seen at (pcapng interface id, with a Linux cooked v2
   * capture's interface index above bit 16); equal numbers, same interface. 0 for a single interface.
   */
  readonly iface: Int32Array;
  /** Captures: the TCP sequence number (RFC 9293 section 3.1), when the capture holds it. */
  readonly tcpSeq: Uint32Array;
  /** Connections from a capture: index into `labels` of the Zeek-style history string, or -1. */
  readonly history: Int32Array;
  /** How many connections/packets the record stands for (flow logs aggregate; a log line is 1). */
  readonly count: Uint32Array;
  /** Captures: bytes of L4 payload (TCP/UDP data), or NONE. */
  readonly payloadLength: Int32Array;
  /**
   * ICMP/ICMPv6 errors: the header the error quotes (RFC 792, RFC 4443 section 3), so the error is
   * evidence about that flow. `innerProto` 0 means no quoted packet; addresses as for src/dst.
   */
  readonly innerProto: Uint8Array;
  readonly innerSrc: Uint32Array;
  readonly innerDst: Uint32Array;
  readonly innerSrcPort: Int32Array;
  readonly innerDstPort: Int32Array;
  /** Interned strings referenced by `label`; shared by every batch of one input. */
  readonly labels: LabelTable;
}

export class LabelTable {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  intern(s: string): number {
    let id = this.index.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.index.set(s, id);
    }
    return id;
  }
  get(id: number): string | undefined {
    return id < 0 ? undefined : this.values[id];
  }
}

export const DEFAULT_BATCH_CAPACITY = 8192;

export function createBatch(capacity = DEFAULT_BATCH_CAPACITY, labels = new LabelTable()): EventBatch {
  return {
    capacity,
    length: 0,
    family: new Uint8Array(capacity),
    src: new Uint32Array(capacity * 4),
    dst: new Uint32Array(capacity * 4),
    proto: new Uint8Array(capacity),
    srcPort: new Int32Array(capacity),
    dstPort: new Int32Array(capacity),
    icmpType: new Int16Array(capacity),
    icmpCode: new Int16Array(capacity),
    tcpFlags: new Int16Array(capacity),
    action: new Uint8Array(capacity),
    time: new Float64Array(capacity),
    position: new Float64Array(capacity),
    frame: new Uint32Array(capacity),
    label: new Int32Array(capacity),
    blockedBy: new Uint8Array(capacity),
    ttl: new Int16Array(capacity),
    iface: new Int32Array(capacity),
    tcpSeq: new Uint32Array(capacity),
    history: new Int32Array(capacity),
    count: new Uint32Array(capacity),
    payloadLength: new Int32Array(capacity),
    innerProto: new Uint8Array(capacity),
    innerSrc: new Uint32Array(capacity * 4),
    innerDst: new Uint32Array(capacity * 4),
    innerSrcPort: new Int32Array(capacity),
    innerDstPort: new Int32Array(capacity),
    labels,
  };
}

/** Prepare the next slot with neutral values and return its index. The caller checks `isFull` first. */
export function reserve(b: EventBatch): number {
  const i = b.length;
  const w = i * 4;
  b.family[i] = 0;
  b.src[w] = 0; b.src[w + 1] = 0; b.src[w + 2] = 0; b.src[w + 3] = 0;
  b.dst[w] = 0; b.dst[w + 1] = 0; b.dst[w + 2] = 0; b.dst[w + 3] = 0;
  b.proto[i] = 0;
  b.srcPort[i] = NONE;
  b.dstPort[i] = NONE;
  b.icmpType[i] = NONE;
  b.icmpCode[i] = NONE;
  b.tcpFlags[i] = NONE;
  b.action[i] = ACTION_UNKNOWN;
  b.time[i] = NaN;
  b.position[i] = 0;
  b.frame[i] = 0;
  b.label[i] = -1;
  b.blockedBy[i] = 0;
  b.ttl[i] = NONE;
  b.iface[i] = 0;
  b.tcpSeq[i] = 0;
  b.history[i] = -1;
  b.count[i] = 1;
  b.payloadLength[i] = NONE;
  b.innerProto[i] = 0;
  b.innerSrc[w] = 0; b.innerSrc[w + 1] = 0; b.innerSrc[w + 2] = 0; b.innerSrc[w + 3] = 0;
  b.innerDst[w] = 0; b.innerDst[w + 1] = 0; b.innerDst[w + 2] = 0; b.innerDst[w + 3] = 0;
  b.innerSrcPort[i] = NONE;
  b.innerDstPort[i] = NONE;
  return i;
}

/**
 * `reserve`'s neutral values in rows from..to-1 of the columns a flow tracker's finished connection
 * leaves unwritten (icmpCode, ttl, iface, tcpSeq, count, payloadLength, the quoted header): a block of
 * connections copied in column by column (src/flow/wasm-tracker.ts copyOut). Kept beside `reserve` so
 * the two agree (test/decode/batch.test.ts).
 */
export function neutralConnectionRest(b: EventBatch, from: number, to: number): void {
  b.icmpCode.fill(NONE, from, to);
  b.ttl.fill(NONE, from, to);
  b.iface.fill(0, from, to);
  b.tcpSeq.fill(0, from, to);
  b.count.fill(1, from, to);
  b.payloadLength.fill(NONE, from, to);
  b.innerProto.fill(0, from, to);
  b.innerSrc.fill(0, from * 4, to * 4);
  b.innerDst.fill(0, from * 4, to * 4);
  b.innerSrcPort.fill(NONE, from, to);
  b.innerDstPort.fill(NONE, from, to);
}

export function commit(b: EventBatch): void {
  b.length++;
}

export function isFull(b: EventBatch): boolean {
  return b.length >= b.capacity;
}

/** Copy event `i` of `from` into the next slot of `to` (used by tests and by batch re-packing). */
export function copyEvent(from: EventBatch, i: number, to: EventBatch): void {
  const j = reserve(to);
  const wi = i * 4;
  const wj = j * 4;
  to.family[j] = from.family[i]!;
  for (let k = 0; k < 4; k++) {
    to.src[wj + k] = from.src[wi + k]!;
    to.dst[wj + k] = from.dst[wi + k]!;
    to.innerSrc[wj + k] = from.innerSrc[wi + k]!;
    to.innerDst[wj + k] = from.innerDst[wi + k]!;
  }
  to.payloadLength[j] = from.payloadLength[i]!;
  to.innerProto[j] = from.innerProto[i]!;
  to.innerSrcPort[j] = from.innerSrcPort[i]!;
  to.innerDstPort[j] = from.innerDstPort[i]!;
  to.proto[j] = from.proto[i]!;
  to.srcPort[j] = from.srcPort[i]!;
  to.dstPort[j] = from.dstPort[i]!;
  to.icmpType[j] = from.icmpType[i]!;
  to.icmpCode[j] = from.icmpCode[i]!;
  to.tcpFlags[j] = from.tcpFlags[i]!;
  to.action[j] = from.action[i]!;
  to.time[j] = from.time[i]!;
  to.position[j] = from.position[i]!;
  to.frame[j] = from.frame[i]!;
  const label = from.label[i]!;
  to.label[j] = label < 0 ? -1 : to.labels.intern(from.labels.values[label]!);
  const history = from.history[i]!;
  to.history[j] = history < 0 ? -1 : to.labels.intern(from.labels.values[history]!);
  to.blockedBy[j] = from.blockedBy[i]!;
  to.ttl[j] = from.ttl[i]!;
  to.iface[j] = from.iface[i]!;
  to.tcpSeq[j] = from.tcpSeq[i]!;
  to.count[j] = from.count[i]!;
  commit(to);
}

export { protocolName } from "../net/proto.js";

export function protocolNumber(name: string): number | undefined {
  switch (name.toLowerCase()) {
    case "tcp": case "6": return PROTO_TCP;
    case "udp": case "17": return PROTO_UDP;
    case "icmp": case "1": return PROTO_ICMP;
    case "icmpv6": case "ipv6-icmp": case "icmp6": case "58": return PROTO_ICMPV6;
    default: {
      // Number("") is 0 (HOPOPT): an empty protocol field is no protocol at all.
      if (name.trim() === "") return undefined;
      const n = Number(name);
      return Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
    }
  }
}
