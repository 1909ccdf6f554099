import { ACTION_NAMES, BLOCKED_BY_NAMES, NONE, PROTO_ICMP, PROTO_ICMPV6, protocolName, type EventBatch } from "../decode/batch.js";
import { formatAddr } from "../net/addr.js";
import { effectiveBlockedBy, isBinaryFormat } from "../net/proto.js";
import { isoTime } from "../report/iso-time.js";

/** One normalised event as `portmatrix events` prints it (documented in docs/report-format.md). */
export interface EventJson {
  input: string;
  format: string;
  /** Log records: the 1-based line. */
  line?: number;
  /** Binary inputs: the byte offset of the (first) packet's record; packet captures: its frame number as Wireshark shows it. */
  offset?: number;
  frame?: number;
  time: string | null;
  src: string;
  dst: string;
  protocol: string;
  srcPort: number | null;
  dstPort: number | null;
  icmpType: number | null;
  icmpCode: number | null;
  tcpFlags: string | null;
  action: "allowed" | "blocked" | "unknown";
  /** Blocked events: who stopped the flow (docs/outcomes.md); null otherwise. */
  blockedBy: "network" | "destination" | "unknown" | null;
  evidence: string | null;
  /** Connections from a capture: Zeek-style history letters ("" for ICMP); null for log records and single packets. */
  history: string | null;
  count: number;
}

const FLAG_NAMES: [number, string][] = [[0x02, "SYN"], [0x10, "ACK"], [0x01, "FIN"], [0x04, "RST"], [0x08, "PSH"], [0x20, "URG"]];

export function eventJson(b: EventBatch, i: number, input: string, format: string): EventJson {
  const fam = b.family[i]!;
  const proto = b.proto[i]!;
  const icmp = proto === PROTO_ICMP || proto === PROTO_ICMPV6;
  const n = (v: number) => (v === NONE ? null : v);
  const t = b.time[i]!;
  const flags = b.tcpFlags[i]!;
  const binary = isBinaryFormat(format);
  const e: EventJson = {
    input,
    format,
    time: isoTime(t),
    src: formatAddr(fam, b.src, i * 4),
    dst: formatAddr(fam, b.dst, i * 4),
    protocol: protocolName(proto),
    srcPort: icmp ? null : n(b.srcPort[i]!),
    dstPort: icmp ? null : n(b.dstPort[i]!),
    icmpType: icmp ? n(b.icmpType[i]!) : null,
    icmpCode: icmp ? n(b.icmpCode[i]!) : null,
    tcpFlags: flags === NONE ? null : FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, s]) => s).join(",") || "none",
    action: ACTION_NAMES[b.action[i]!] ?? "unknown",
    blockedBy: BLOCKED_BY_NAMES[effectiveBlockedBy(b.action[i]!, b.blockedBy[i]!)] ?? null,
    evidence: b.labels.get(b.label[i]!) ?? null,
    history: b.history[i]! < 0 ? null : b.labels.get(b.history[i]!) ?? null,
    count: b.count[i]!,
  };
  if (binary) {
    e.offset = b.position[i]!;
    // A flow export's record is no packet of the file: it has no frame number (0).
    if (b.frame[i]! > 0) e.frame = b.frame[i]!;
  } else e.line = b.position[i]!;
  return e;
}
