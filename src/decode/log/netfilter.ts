/**
 * Linux netfilter LOG / nftables `log` lines (nf_log_syslog: net/netfilter/nf_log_syslog.c):
 *   [ 1234.567890] PREFIX IN=eth0 OUT=eth1 MAC=... SRC=a DST=b LEN=.. ... PROTO=TCP SPT=1 DPT=2 ... SYN URGP=0
 * as the kernel ring buffer, syslog-wrapped kern.log ("Nov 23 09:12:01 host kernel: [..] PREFIX IN=.."),
 * RFC 3339 / RFC 5424 syslog ("<4>1 2026-11-23T09:12:01Z host kernel - - - PREFIX IN=..") or journalctl
 * short output ("Nov 23 09:12:01 host kernel: PREFIX IN=.."). The action comes from the prefix (see
 * action-words.ts). Lines that are no flow are skipped with a reason: not-netfilter, not-ip (ARP),
 * fragment and incomplete (no transport header), icmp-error and icmpv6-control, bad-address,
 * missing-address / -protocol / -port / -icmp-type, unknown-protocol, blank.
 * Scans bytes; creates a string only for a prefix seen for the first time.
 */
import {
  PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN,
  commit, reserve, type EventBatch,
} from "../batch.js";
import type { InputStats } from "../stats.js";
import { parseIPv4Bytes, parseIPv6 } from "../../net/addr.js";
import { actionFromPrefix } from "./action-words.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import { priorityEnd, readTime, rfc5424MessageStart, versionEnd } from "./syslog-time.js";
import type { DecodeOptions } from "./options.js";
import type { Decoder } from "../decoder.js";

const C_SPACE = 32;
const C_EQ = 61;

/** Key codes: the bytes of "SRC", "DST", ... packed into a number for a switch. */
function key3(b: Uint8Array, i: number, len: number): number {
  let k = 0;
  for (let j = 0; j < len && j < 6; j++) k = k * 256 + b[i + j]!;
  return k * 8 + len;
}
const pack = (s: string) => key3(Buffer.from(s), 0, s.length);
const K_SRC = pack("SRC");
const K_DST = pack("DST");
const K_PROTO = pack("PROTO");
const K_SPT = pack("SPT");
const K_DPT = pack("DPT");
const K_TYPE = pack("TYPE");
const K_CODE = pack("CODE");
const F_SYN = pack("SYN");
const F_ACK = pack("ACK");
const F_FIN = pack("FIN");
const F_RST = pack("RST");
const F_PSH = pack("PSH");
const F_URG = pack("URG");
const W_INCOMPLETE = pack("INCOMPLETE");
const W_ARP = pack("ARP");
const W_FRAG = pack("FRAG:");
/** URG as in the TCP header (RFC 9293 section 3.1); batch.ts names the other flags. */
const TCP_URG = 0x20;

function uint(b: Uint8Array, s: number, e: number): number {
  if (s >= e || e - s > 9) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

function protoFrom(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  const c0 = b[s]! | 0x20;
  if (n === 3 && c0 === 116 && (b[s + 1]! | 0x20) === 99 && (b[s + 2]! | 0x20) === 112) return PROTO_TCP;
  if (n === 3 && c0 === 117 && (b[s + 1]! | 0x20) === 100 && (b[s + 2]! | 0x20) === 112) return PROTO_UDP;
  if (n === 4 && c0 === 105 && (b[s + 1]! | 0x20) === 99 && (b[s + 2]! | 0x20) === 109 && (b[s + 3]! | 0x20) === 112) return PROTO_ICMP;
  if (n === 6 && c0 === 105 && (b[s + 4]! | 0x20) === 118 && b[s + 5] === 54) return PROTO_ICMPV6;
  const num = uint(b, s, e);
  if (num >= 0 && num <= 255) return num;
  // Names the kernel prints for other protocols (nf_log_syslog.c): UDPLITE, SCTP, ESP, AH, GRE...
  const name = Buffer.from(b.buffer, b.byteOffset + s, n).toString("latin1").toUpperCase();
  switch (name) {
    case "UDPLITE": return 136;
    case "SCTP": return 132;
    case "ESP": return 50;
    case "AH": return 51;
    case "GRE": return 47;
    case "IGMP": return 2;
    case "DCCP": return 33;
    default: return -1;
  }
}

/** ICMP types that are errors or control, not flows (RFC 792, RFC 4443, RFC 4861, RFC 3810). */
export function icmpNotAFlow(proto: number, type: number): string | undefined {
  if (proto === PROTO_ICMP) {
    if (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) return "icmp-error";
    return undefined;
  }
  if (proto === PROTO_ICMPV6) {
    if (type >= 1 && type <= 4) return "icmp-error";
    if ((type >= 130 && type <= 137) || type === 143) return "icmpv6-control";
  }
  return undefined;
}

export class NetfilterFormat implements LineFormat {
  readonly format = "netfilter";
  private readonly opts: DecodeOptions;
  /** Small cache: prefix bytes -> label id; most logs use a handful of prefixes. */
  private readonly prefixKeys: Buffer[] = [];
  private readonly prefixIds: number[] = [];
  private readonly prefixActions: number[] = [];
  private readonly v6 = new Uint32Array(4);

  constructor(opts: DecodeOptions) {
    this.opts = opts;
  }

  private prefixLabel(b: Buffer, s: number, e: number, batch: EventBatch, slot: number): void {
    const n = e - s;
    for (let k = 0; k < this.prefixKeys.length; k++) {
      const p = this.prefixKeys[k]!;
      if (p.length !== n) continue;
      let same = true;
      for (let j = 0; j < n; j++) if (p[j] !== b[s + j]) { same = false; break; }
      if (same) {
        batch.label[slot] = this.prefixIds[k]!;
        batch.action[slot] = this.prefixActions[k]!;
        return;
      }
    }
    const text = b.toString("utf8", s, e).trim();
    const id = batch.labels.intern(text === "" ? "(no prefix)" : text);
    const action = actionFromPrefix(text, this.opts.actionMap);
    if (this.prefixKeys.length >= 256) { this.prefixKeys.length = 0; this.prefixIds.length = 0; this.prefixActions.length = 0; }
    this.prefixKeys.push(Buffer.from(b.subarray(s, e)));
    this.prefixIds.push(id);
    this.prefixActions.push(action);
    batch.label[slot] = id;
    batch.action[slot] = action;
  }

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean {
    if (isBlank(b, start, end)) { stats.skip("blank", lineNo); return true; }
    const inPos = findFieldsStart(b, start, end);
    if (inPos < 0) { stats.skip("not-netfilter", lineNo, lineText(b, start, end)); return true; }

    const slot = reserve(batch);
    batch.position[slot] = lineNo;

    // Header: [<PRI>][VERSION ][timestamp][host] [kernel: ][[ uptime]] PREFIX
    const pri = priorityEnd(b, start, inPos);
    const ver = versionEnd(b, pri, inPos);
    const t = readTime(b, ver, inPos, this.opts.year, this.opts.nowMs);
    batch.time[slot] = t.time;
    let p = t.next;
    let ps = p;
    let k = -1;
    if (ver > pri) {
      // RFC 5424: HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA, then the kernel's text.
      if (Number.isNaN(t.time) && b[p] === 45 && b[p + 1] === C_SPACE) p += 2;
      const m = rfc5424MessageStart(b, p, inPos);
      ps = m >= 0 ? m : p;
      k = ps;
    } else {
      // The prefix is what follows "kernel:" when present; else what follows the timestamp and host.
      for (let i = inPos - 7; i >= p; i--) {
        if (b[i] === 107 && b[i + 1] === 101 && b[i + 2] === 114 && b[i + 3] === 110 && b[i + 4] === 101 && b[i + 5] === 108 && b[i + 6] === 58) { k = i + 7; break; }
      }
      ps = k >= 0 ? k : p;
    }
    while (ps < inPos && b[ps] === C_SPACE) ps++;
    // Kernel uptime stamp "[ 1234.567890]".
    if (b[ps] === 91) {
      let j = ps + 1;
      while (j < inPos && (b[j] === C_SPACE || (b[j]! >= 48 && b[j]! <= 57) || b[j] === 46)) j++;
      if (j < inPos && b[j] === 93 && j > ps + 1) { ps = j + 1; while (ps < inPos && b[ps] === C_SPACE) ps++; }
    }
    if (k < 0 && !Number.isNaN(t.time)) {
      // "Nov 23 09:12:01 host PREFIX IN=": skip the host word unless it is the prefix itself.
      let j = ps;
      while (j < inPos && b[j] !== C_SPACE) j++;
      let r = j;
      while (r < inPos && b[r] === C_SPACE) r++;
      if (r < inPos) ps = r;
    }
    this.prefixLabel(b, ps, inPos, batch, slot);

    // Fields: KEY=VALUE tokens and bare TCP flag words, up to "[" (an ICMP error's quoted packet, or the
    // "[N bytes]" of INCOMPLETE).
    let proto = -1;
    let flags = 0;
    let haveSrc = false;
    let haveDst = false;
    let family = 0;
    let fragment = false;
    let incomplete = false;
    let arp = false;
    let i = inPos;
    while (i < end) {
      while (i < end && b[i] === C_SPACE) i++;
      if (i >= end || b[i] === 91) break;
      let j = i;
      let eq = -1;
      while (j < end && b[j] !== C_SPACE) { if (eq < 0 && b[j] === C_EQ) eq = j; j++; }
      if (eq > 0) {
        const key = key3(b, i, eq - i);
        const vs = eq + 1;
        if (key === K_SRC || key === K_DST) {
          const words = key === K_SRC ? batch.src : batch.dst;
          const v4 = parseIPv4Bytes(b, vs, j);
          let fam = 0;
          if (v4 >= 0) { words[slot * 4] = v4; fam = 4; }
          else if (parseIPv6(b.toString("latin1", vs, j), this.v6)) {
            words.set(this.v6, slot * 4);
            fam = 6;
          }
          if (fam === 0) { stats.skip("bad-address", lineNo, lineText(b, start, end)); return true; }
          if (family !== 0 && family !== fam) { stats.skip("bad-address", lineNo, lineText(b, start, end)); return true; }
          family = fam;
          if (key === K_SRC) haveSrc = true; else haveDst = true;
        } else if (key === K_PROTO) {
          proto = protoFrom(b, vs, j);
          if (proto < 0) { stats.skip("unknown-protocol", lineNo, lineText(b, start, end)); return true; }
        } else if (key === K_SPT) {
          batch.srcPort[slot] = uint(b, vs, j);
        } else if (key === K_DPT) {
          batch.dstPort[slot] = uint(b, vs, j);
        } else if (key === K_TYPE) {
          batch.icmpType[slot] = uint(b, vs, j);
        } else if (key === K_CODE) {
          batch.icmpCode[slot] = uint(b, vs, j);
        }
      } else {
        const w = key3(b, i, j - i);
        if (w === F_SYN) flags |= TCP_SYN;
        else if (w === F_ACK) flags |= TCP_ACK;
        else if (w === F_FIN) flags |= TCP_FIN;
        else if (w === F_RST) flags |= TCP_RST;
        else if (w === F_PSH) flags |= TCP_PSH;
        else if (w === F_URG) flags |= TCP_URG;
        else if (w === W_INCOMPLETE) incomplete = true;
        else if (w === W_ARP) arp = true;
        else if (j - i > 5 && key3(b, i, 5) === W_FRAG && uint(b, i + 5, j) > 0) fragment = true;
      }
      i = j;
    }

    if (!haveSrc || !haveDst) {
      // nf_log_arp prints "ARP HTYPE=.. OPCODE=.. IPSRC=.. IPDST=..": not IP traffic.
      stats.skip(arp ? "not-ip" : "missing-address", lineNo, lineText(b, start, end));
      return true;
    }
    if (proto < 0) { stats.skip("missing-protocol", lineNo, lineText(b, start, end)); return true; }
    batch.family[slot] = family;
    batch.proto[slot] = proto;
    if (proto === PROTO_TCP || proto === PROTO_UDP) {
      if (batch.srcPort[slot]! < 0 || batch.dstPort[slot]! < 0 || batch.srcPort[slot]! > 65535 || batch.dstPort[slot]! > 65535) {
        // A fragment other than the first carries no transport header, and the kernel prints
        // "INCOMPLETE [N bytes]" for a packet cut before it (nf_log_syslog.c, nf_log_dump_tcp_header).
        stats.skip(fragment ? "fragment" : incomplete ? "incomplete" : "missing-port", lineNo, lineText(b, start, end));
        return true;
      }
      if (proto === PROTO_TCP) batch.tcpFlags[slot] = flags;
    } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      const type = batch.icmpType[slot]!;
      if (type < 0 || type > 255) {
        stats.skip(fragment ? "fragment" : incomplete ? "incomplete" : "missing-icmp-type", lineNo, lineText(b, start, end));
        return true;
      }
      const notFlow = icmpNotAFlow(proto, type);
      if (notFlow) { stats.skip(notFlow, lineNo); return true; }
    } else {
      // Other IP protocols carry no ports here; a port the kernel printed (UDPLITE) is kept.
    }
    commit(batch);
    stats.use();
    return true;
  }
}

/** True when the line holds nothing but spaces and tabs. */
export function isBlank(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== C_SPACE && b[i] !== 9) return false;
  return true;
}

/**
 * Where the packet fields open. The kernel prints "%sIN=%s OUT=%s " with the rule's prefix glued on
 * (nf_log_syslog.c, nf_log_dump_packet_common), so a prefix without a trailing space gives
 * "DROPIN=eth0 OUT=": the anchor is an "IN=" whose interface word is followed by " OUT=". A line without
 * " OUT=" falls back to an "IN=" at the start of a word.
 */
function findFieldsStart(b: Uint8Array, start: number, end: number): number {
  let fallback = -1;
  for (let i = start; i + 3 <= end; i++) {
    if (b[i] !== 73 || b[i + 1] !== 78 || b[i + 2] !== C_EQ) continue;
    let j = i + 3;
    while (j < end && b[j] !== C_SPACE) j++;
    if (j + 5 <= end && b[j + 1] === 79 && b[j + 2] === 85 && b[j + 3] === 84 && b[j + 4] === C_EQ) return i;
    if (fallback < 0 && (i === start || b[i - 1] === C_SPACE || b[i - 1] === 93 || b[i - 1] === 58)) fallback = i;
  }
  return fallback;
}

export function createNetfilterDecoder(opts: DecodeOptions): Decoder {
  return createLineDecoder(new NetfilterFormat(opts));
}
