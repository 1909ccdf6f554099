/**
 * Reading tshark's oracle CSVs (shared/corpus/pcap/MANIFEST.md: one row per frame, fields joined by
 * "|" when a frame holds a header twice, outermost first) and running a capture reader so that each
 * record can be set beside its row.
 */
import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { createBatch, NONE, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, reserve } from "../../../src/decode/batch.js";
import { decodeFrame } from "../../../src/decode/link/frame.js";
import { DECODED, skipReason } from "../../../src/decode/ip/skip.js";
import { PcapReader } from "../../../src/decode/pcap/classic.js";
import type { PacketSink } from "../../../src/decode/pcap/packets.js";
import { PcapngReader } from "../../../src/decode/pcapng/reader.js";
import { eventToObject, type EventObject } from "../helpers.js";

export interface OracleRow {
  number: number;
  /** frame.time_epoch as printed ("" when the frame has no time). */
  epoch: string;
  len: number;
  capLen: number;
  protocols: string[];
  ipSrc: string[];
  ipDst: string[];
  ipProto: string[];
  ipFragOffset: string[];
  ipv6Src: string[];
  ipv6Dst: string[];
  ipv6Nxt: string[];
  tcpSrcport: string[];
  tcpDstport: string[];
  tcpFlags: string[];
  udpSrcport: string[];
  udpDstport: string[];
  icmpType: string[];
  icmpCode: string[];
  icmpv6Type: string[];
  icmpv6Code: string[];
}

const multi = (s: string | undefined): string[] => (s === undefined || s === "" ? [] : s.split("|"));

export function readOracle(path: string): OracleRow[] {
  const rows = parse(readFileSync(path), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.map((r) => ({
    number: Number(r["frame.number"]),
    epoch: r["frame.time_epoch"] ?? "",
    len: Number(r["frame.len"]),
    capLen: Number(r["frame.cap_len"]),
    protocols: (r["frame.protocols"] ?? "").split(":").filter((t) => t !== ""),
    ipSrc: multi(r["ip.src"]),
    ipDst: multi(r["ip.dst"]),
    ipProto: multi(r["ip.proto"]),
    ipFragOffset: multi(r["ip.frag_offset"]),
    ipv6Src: multi(r["ipv6.src"]),
    ipv6Dst: multi(r["ipv6.dst"]),
    ipv6Nxt: multi(r["ipv6.nxt"]),
    tcpSrcport: multi(r["tcp.srcport"]),
    tcpDstport: multi(r["tcp.dstport"]),
    tcpFlags: multi(r["tcp.flags"]),
    udpSrcport: multi(r["udp.srcport"]),
    udpDstport: multi(r["udp.dstport"]),
    icmpType: multi(r["icmp.type"]),
    icmpCode: multi(r["icmp.code"]),
    icmpv6Type: multi(r["icmpv6.type"]),
    icmpv6Code: multi(r["icmpv6.code"]),
  }));
}

/** The event fields a row pins down. */
export type ExpectedEvent = Pick<
  EventObject,
  "family" | "src" | "dst" | "proto" | "srcPort" | "dstPort" | "icmpType" | "icmpCode" | "tcpFlags"
> &
  Partial<Pick<EventObject, "innerProto" | "innerSrc" | "innerDst" | "innerSrcPort" | "innerDstPort">>;

const IPV6_EXT_TOKENS = new Set(["ipv6.hopopts", "ipv6.routing", "ipv6.dstopts", "ipv6.fraghdr"]);
const L4: Record<string, number> = { tcp: PROTO_TCP, udp: PROTO_UDP, icmp: PROTO_ICMP, icmpv6: PROTO_ICMPV6 };
const num = (s: string | undefined): number => (s === undefined ? NONE : Number(s));

/**
 * What the row says the decoder must produce, from the outermost IP header and the header right
 * after it (past IPv6 extension headers); undefined when tshark did not decode the frame as IPv4 or
 * IPv6 carrying TCP, UDP, ICMP or ICMPv6 (ARP, OSPF, a tunnel, a non-first fragment, a cut header).
 */
export function expectedEvent(row: OracleRow): ExpectedEvent | undefined {
  const t = row.protocols;
  let k = t.findIndex((x) => x === "ip" || x === "ipv6");
  if (k < 0) return undefined;
  // Wireshark's IPv4 dissector hands a version-6 packet to IPv6 ("ip:ipv6", no ip.* fields).
  if (t[k] === "ip" && row.ipSrc.length === 0 && t[k + 1] === "ipv6") k++;
  const family = t[k] === "ip" ? 4 : 6;
  const src = family === 4 ? row.ipSrc[0] : row.ipv6Src[0];
  const dst = family === 4 ? row.ipDst[0] : row.ipv6Dst[0];
  if (src === undefined || dst === undefined) return undefined;
  let j = k + 1;
  while (j < t.length && IPV6_EXT_TOKENS.has(t[j]!)) j++;
  const proto = L4[t[j] ?? ""];
  if (proto === undefined) return undefined;
  const e: ExpectedEvent = { family, src, dst, proto, srcPort: NONE, dstPort: NONE, icmpType: NONE, icmpCode: NONE, tcpFlags: NONE };
  if (proto === PROTO_TCP) {
    if (row.tcpSrcport[0] === undefined) return undefined;
    e.srcPort = num(row.tcpSrcport[0]);
    e.dstPort = num(row.tcpDstport[0]);
    // tshark shows 12 flag bits (with the reserved and AE bits); the event keeps the flag byte.
    if (row.tcpFlags[0] !== undefined) e.tcpFlags = Number.parseInt(row.tcpFlags[0], 16) & 0xff;
    return e;
  }
  if (proto === PROTO_UDP) {
    if (row.udpSrcport[0] === undefined) return undefined;
    e.srcPort = num(row.udpSrcport[0]);
    e.dstPort = num(row.udpDstport[0]);
    return e;
  }
  const type = proto === PROTO_ICMP ? row.icmpType : row.icmpv6Type;
  const code = proto === PROTO_ICMP ? row.icmpCode : row.icmpv6Code;
  if (type[0] === undefined) return undefined;
  e.icmpType = num(type[0]);
  e.icmpCode = num(code[0]);
  // An ICMP error: the quoted header is the second IP layer; its ports are the first TCP/UDP ones.
  const q = t.indexOf(family === 4 ? "ip" : "ipv6", j + 1);
  if (q > 0) {
    e.innerSrc = (family === 4 ? row.ipSrc[1] : row.ipv6Src[1]) ?? "";
    e.innerDst = (family === 4 ? row.ipDst[1] : row.ipv6Dst[1]) ?? "";
    let r = q + 1;
    while (r < t.length && IPV6_EXT_TOKENS.has(t[r]!)) r++;
    const inner = L4[t[r] ?? ""];
    e.innerProto = family === 4 ? num(row.ipProto[1]) : (inner ?? num(row.ipv6Nxt[1]));
    if (inner === PROTO_TCP) {
      e.innerSrcPort = num(row.tcpSrcport[0]);
      e.innerDstPort = num(row.tcpDstport[0]);
    } else if (inner === PROTO_UDP) {
      e.innerSrcPort = num(row.udpSrcport[0]);
      e.innerDstPort = num(row.udpDstport[0]);
    }
  }
  return e;
}

/** tshark's epoch text as whole seconds and nanoseconds (the digits after the point as a count). */
export function parseEpoch(s: string): { sec: number; nanos: number } {
  const neg = s.startsWith("-");
  const [a = "0", b = "0"] = (neg ? s.slice(1) : s).split(".");
  return { sec: (neg ? -1 : 1) * Number(a), nanos: Number(b.padEnd(9, "0")) };
}

/** One record as a capture reader handed it over, and what decodeFrame made of it. */
export interface RecordResult {
  position: number;
  /** The frame number the reader gave (Wireshark's), NONE for a container-level skip. */
  frame: number;
  capLen: number;
  origLen: number;
  time: number;
  /** Set when the frame became an event. */
  event?: EventObject;
  /** The skip reason otherwise (a container-level one when `container`). */
  reason?: string;
  container?: boolean;
}

class Recorder implements PacketSink {
  readonly records: RecordResult[] = [];
  private readonly batch = createBatch(1);
  packet(buf: Buffer, off: number, end: number, origLength: number, linkType: number, time: number, position: number, _iface: number, _dataPosition: number, frame: number): void {
    const b = this.batch;
    b.length = 0;
    const i = reserve(b);
    b.time[i] = time;
    b.position[i] = position;
    const code = decodeFrame(buf, off, end, linkType, b, i);
    const r: RecordResult = { position, frame, capLen: end - off, origLen: origLength, time };
    if (code === DECODED) r.event = eventToObject(b, i);
    else r.reason = skipReason(code);
    this.records.push(r);
  }
  skip(reason: string, position: number): void {
    this.records.push({ position, frame: NONE, capLen: NONE, origLen: NONE, time: NaN, reason, container: true });
  }
}

/** Every record of a capture file, with its outcome, read by the container reader itself. */
export function readRecords(data: Buffer, format: "pcap" | "pcapng"): RecordResult[] {
  const rec = new Recorder();
  const reader = format === "pcap" ? new PcapReader(rec) : new PcapngReader(rec);
  reader.push(data);
  reader.finish();
  return rec.records;
}

/** Unit in the last place of a double. */
export function ulp(x: number): number {
  return 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);
}
