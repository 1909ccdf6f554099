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
  BLOCKED_BY_DESTINATION, commit, reserve, type EventBatch,
} from "../batch.js";
import type { InputStats } from "../stats.js";
import { parseIPv4Bytes } from "../../net/addr.js";
import { isBlank, parseIPv6Bytes } from "./text-bytes.js";
import { icmpNotAFlow } from "../icmp.js";
import { actionFromPrefix } from "./action-words.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import { priorityEnd, rfc5424MessageStart, scanTime, scanned, versionEnd } from "./syslog-time.js";
import type { DecodeOptions } from "./options.js";
import type { Decoder } from "../decoder.js";
import type { FormatRecord } from "../format.js";
import { NetfilterFastPath } from "./netfilter-wasm.js";
import { logDecoderKind } from "./wasm-rows.js";

const C_SPACE = 32;
const C_EQ = 61;

/** URG as in the TCP header (RFC 9293 section 3.1); batch.ts names the other flags. */
const TCP_URG = 0x20;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const SPACES = 0x20202020;

/**
 * The first space in `b[from, end)`, or `end`. Reads four bytes at a time through `w32`, a
 * little-endian Int32Array view of `b`'s whole ArrayBuffer (`base` is `b.byteOffset`): the classic
 * "has a zero byte" test on the word XOR four spaces, the lowest flagged byte being the first space.
 * Bytes before `from` are forced non-zero first, so no borrow from them can flag a byte. Falls back to a
 * byte loop where the view does not reach (big-endian hosts, the last bytes of the buffer).
 */
function nextSpace(b: Uint8Array, w32: Int32Array, base: number, from: number, end: number): number {
  if (from >= end) return end;
  const stop = base + end;
  if (stop + 4 > w32.length << 2) {
    let i = from;
    while (i < end && b[i] !== C_SPACE) i++;
    return i;
  }
  const a = base + from;
  let wi = a >> 2;
  let x = (w32[wi]! ^ SPACES) | ((1 << ((a & 3) << 3)) - 1);
  let t = (x - 0x01010101) & ~x & 0x80808080;
  while (t === 0) {
    wi++;
    if (wi << 2 >= stop) return end;
    x = w32[wi]! ^ SPACES;
    t = (x - 0x01010101) & ~x & 0x80808080;
  }
  const p = (wi << 2) + ((31 - Math.clz32(t & -t)) >> 3) - base;
  return p < end ? p : end;
}

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

export class NetfilterFormat implements LineFormat {
  readonly format = "netfilter";
  private readonly opts: DecodeOptions;
  /** Small cache: prefix bytes -> label id; most logs use a handful of prefixes. */
  private readonly prefixKeys: Buffer[] = [];
  private readonly prefixIds: number[] = [];
  private readonly prefixActions: number[] = [];
  private readonly v6 = new Uint32Array(4);
  /** "=" signs of the current buffer (see ByteSearch). */
  private readonly eqs = new ByteSearch();

  /** The WebAssembly reader of ordinary lines (netfilter-wasm.ts), when used. */
  private readonly fast: NetfilterFastPath | undefined;

  constructor(opts: DecodeOptions, fast?: NetfilterFastPath) {
    this.opts = opts;
    this.fast = fast;
  }

  createBatch(capacity: number | undefined): EventBatch | undefined {
    return capacity === undefined || capacity === this.fast?.batch.capacity ? this.fast?.batch : undefined;
  }

  bulk(b: Buffer, pos: number, lineNo: number, batch: EventBatch, stats: InputStats): number {
    return this.fast === undefined ? 0 : this.fast.bulk(b, pos, lineNo, batch, stats);
  }

  get bulkEnd(): number {
    return this.fast?.bulkEnd ?? 0;
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

  newBytes(): void {
    this.eqs.forget();
    this.fast?.forget();
  }

  /** The ArrayBuffer `w32` views (a chunk's, read four bytes at a time by nextSpace). */
  private wordsOf: ArrayBufferLike | undefined = undefined;
  private w32: Int32Array<ArrayBufferLike> = new Int32Array(0);

  private viewWords(b: Buffer): void {
    this.wordsOf = b.buffer;
    this.w32 = LITTLE_ENDIAN ? new Int32Array(b.buffer, 0, b.buffer.byteLength >> 2) : new Int32Array(0);
  }

  /** An address value `b[s, e)` into words[o..o+3]: 4 or 6, or 0 when it is none. */
  private address(b: Buffer, s: number, e: number, words: Uint32Array, o: number): number {
    const v4 = parseIPv4Bytes(b, s, e);
    if (v4 >= 0) { words[o] = v4; return 4; }
    if (parseIPv6Bytes(b, s, e, this.v6)) {
      words.set(this.v6, o);
      return 6;
    }
    return 0;
  }

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean {
    if (isBlank(b, start, end)) { stats.skip("blank", lineNo); return true; }
    const inPos = findFieldsStart(b, start, end, this.eqs);
    if (inPos < 0) { stats.skip("not-netfilter", lineNo, lineText(b, start, end)); return true; }

    const slot = reserve(batch);
    batch.position[slot] = lineNo;

    // Header: [<PRI>][VERSION ][timestamp][host] [kernel: ][[ uptime]] PREFIX
    const pri = priorityEnd(b, start, inPos);
    const ver = versionEnd(b, pri, inPos);
    const time = scanTime(b, ver, inPos, this.opts.year, this.opts.nowMs);
    batch.time[slot] = time;
    let p = scanned.next;
    let ps = p;
    let k = -1;
    if (ver > pri) {
      // RFC 5424: HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA, then the kernel's text.
      if (time !== time && b[p] === 45 && b[p + 1] === C_SPACE) p += 2;
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
    if (k < 0 && time === time) {
      // "Nov 23 09:12:01 host PREFIX IN=": skip the host word unless it is the prefix itself.
      let j = ps;
      while (j < inPos && b[j] !== C_SPACE) j++;
      let r = j;
      while (r < inPos && b[r] === C_SPACE) r++;
      if (r < inPos) ps = r;
    }
    this.prefixLabel(b, ps, inPos, batch, slot);
    if (inputHook(b, inPos, end)) batch.blockedBy[slot] = BLOCKED_BY_DESTINATION;

    // Fields: KEY=VALUE tokens and bare TCP flag words, up to "[" (an ICMP error's quoted packet, or the
    // "[N bytes]" of INCOMPLETE). Only the first byte of a token is looked at before its end is found,
    // and keys are compared byte by byte: no string, no number per token.
    let proto = -1;
    let flags = 0;
    let haveSrc = false;
    let haveDst = false;
    let family = 0;
    let fragment = false;
    let incomplete = false;
    let arp = false;
    if (b.buffer !== this.wordsOf) this.viewWords(b);
    const w32 = this.w32;
    const base = b.byteOffset;
    let i = inPos;
    while (i < end) {
      const c0 = b[i]!;
      if (c0 === C_SPACE) { i++; continue; }
      if (c0 === 91) break;
      const j = nextSpace(b, w32, base, i + 1, end);
      const n = j - i;
      // A key is the token's text before its first "=": "SRC" when the token opens with "SRC=".
      switch (c0) {
        case 83: // S: SRC= SPT= SYN
        case 68: { // D: DST= DPT=
          if (n >= 4 && b[i + 3] === C_EQ) {
            const c1 = b[i + 1]!, c2 = b[i + 2]!;
            if ((c1 === 82 && c2 === 67 && c0 === 83) || (c1 === 83 && c2 === 84 && c0 === 68)) {
              const isSrc = c0 === 83;
              const fam = this.address(b, i + 4, j, isSrc ? batch.src : batch.dst, slot * 4);
              if (fam === 0 || (family !== 0 && family !== fam)) { stats.skip("bad-address", lineNo, lineText(b, start, end)); return true; }
              family = fam;
              if (isSrc) haveSrc = true; else haveDst = true;
            } else if (c1 === 80 && c2 === 84) {
              if (c0 === 83) batch.srcPort[slot] = uint(b, i + 4, j);
              else batch.dstPort[slot] = uint(b, i + 4, j);
            }
          } else if (n === 3 && c0 === 83 && b[i + 1] === 89 && b[i + 2] === 78) flags |= TCP_SYN;
          break;
        }
        case 80: // P: PROTO= PSH
          if (n >= 6 && b[i + 5] === C_EQ && b[i + 1] === 82 && b[i + 2] === 79 && b[i + 3] === 84 && b[i + 4] === 79) {
            proto = protoFrom(b, i + 6, j);
            if (proto < 0) { stats.skip("unknown-protocol", lineNo, lineText(b, start, end)); return true; }
          } else if (n === 3 && b[i + 1] === 83 && b[i + 2] === 72) flags |= TCP_PSH;
          break;
        case 84: // T: TYPE=
          if (n >= 5 && b[i + 4] === C_EQ && b[i + 1] === 89 && b[i + 2] === 80 && b[i + 3] === 69) batch.icmpType[slot] = uint(b, i + 5, j);
          break;
        case 67: // C: CODE=
          if (n >= 5 && b[i + 4] === C_EQ && b[i + 1] === 79 && b[i + 2] === 68 && b[i + 3] === 69) batch.icmpCode[slot] = uint(b, i + 5, j);
          break;
        case 65: // A: ACK ARP
          if (n === 3) {
            if (b[i + 1] === 67 && b[i + 2] === 75) flags |= TCP_ACK;
            else if (b[i + 1] === 82 && b[i + 2] === 80) arp = true;
          }
          break;
        case 70: // F: FIN FRAG:<offset>
          if (n === 3 && b[i + 1] === 73 && b[i + 2] === 78) flags |= TCP_FIN;
          else if (n > 5 && b[i + 1] === 82 && b[i + 2] === 65 && b[i + 3] === 71 && b[i + 4] === 58 && uint(b, i + 5, j) > 0) fragment = true;
          break;
        case 82: // R: RST
          if (n === 3 && b[i + 1] === 83 && b[i + 2] === 84) flags |= TCP_RST;
          break;
        case 85: // U: URG
          if (n === 3 && b[i + 1] === 82 && b[i + 2] === 71) flags |= TCP_URG;
          break;
        case 73: // I: INCOMPLETE (its first six letters decide, as they always have), no "=" in it
          if (n === 10 && isWord(b, i, "INCOMP") && b[i + 6] !== C_EQ && b[i + 7] !== C_EQ && b[i + 8] !== C_EQ && b[i + 9] !== C_EQ) incomplete = true;
          break;
        default:
          break;
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
      const sp = batch.srcPort[slot]!;
      const dp = batch.dstPort[slot]!;
      if (sp < 0 || dp < 0 || sp > 65535 || dp > 65535) {
        // A fragment other than the first carries no transport header, and the kernel prints
        // "INCOMPLETE [N bytes]" for a packet cut before it (nf_log_syslog.c, nf_log_dump_tcp_header).
        stats.skip(fragment ? "fragment" : incomplete ? "incomplete" : "missing-port", lineNo, lineText(b, start, end));
        return true;
      }
      if (proto === PROTO_TCP) batch.tcpFlags[slot] = flags;
      // A used line teaches the fast path its prefix (netfilter-wasm.ts): the same prefix bytes always
      // give the same label and action.
      this.fast?.learnPrefix(b, ps, inPos, batch.label[slot]!, batch.action[slot]!);
    } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      const type = batch.icmpType[slot]!;
      if (fragment || incomplete) {
        // A later fragment or a cut packet: no ICMP header at all, so not even an ICMP flow to name.
        if (type < 0 || type > 255) { stats.skip(fragment ? "fragment" : "incomplete", lineNo, lineText(b, start, end)); return true; }
      }
      // Otherwise a line without TYPE= is a flow of unknown ICMP type (icmpType NONE), matched as such.
      if (type > 255) batch.icmpType[slot] = -1;
      const notFlow = type < 0 || type > 255 ? undefined : icmpNotAFlow(proto, type);
      if (notFlow) { stats.skip(notFlow, lineNo); return true; }
    } else {
      // Other IP protocols carry no ports here; a port the kernel printed (UDPLITE) is kept.
    }
    commit(batch);
    stats.use();
    return true;
  }
}

function isWord(b: Uint8Array, i: number, w: string): boolean {
  for (let k = 0; k < w.length; k++) if (b[i + k] !== w.charCodeAt(k)) return false;
  return true;
}

/**
 * "IN=eth0 OUT= ": an input interface and no output interface, the kernel's mark of a packet addressed
 * to the logging host itself (an input hook, as ufw's and firewalld's rules are): what its firewall
 * blocks there, the destination's own firewall blocked. A forwarded packet has both, a packet the
 * host sends has no IN (nf_log_syslog.c prints both always). A prerouting hook's line looks like an
 * input one; docs/outcomes.md says so.
 */
function inputHook(b: Uint8Array, inPos: number, end: number): boolean {
  let j = inPos + 3;
  if (j >= end || b[j] === C_SPACE) return false;
  while (j < end && b[j] !== C_SPACE) j++;
  return j + 5 <= end && b[j + 1] === 79 && b[j + 2] === 85 && b[j + 3] === 84 && b[j + 4] === C_EQ && (j + 5 === end || b[j + 5] === C_SPACE);
}

/**
 * Where the packet fields open. The kernel prints "%sIN=%s OUT=%s " with the rule's prefix glued on
 * (nf_log_syslog.c, nf_log_dump_packet_common), so a prefix without a trailing space gives
 * "DROPIN=eth0 OUT=": the anchor is an "IN=" whose interface word is followed by " OUT=". A line without
 * " OUT=" falls back to an "IN=" at the start of a word.
 */
function findFieldsStart(b: Buffer, start: number, end: number, eqs: ByteSearch): number {
  let fallback = -1;
  // Every "IN=" has its "=" two bytes on: look at the "=" signs only, found by memchr.
  for (let q = eqs.next(b, C_EQ, start + 2, end); q >= 0; q = eqs.next(b, C_EQ, q + 1, end)) {
    if (b[q - 1] !== 78 || b[q - 2] !== 73) continue;
    const i = q - 2;
    let j = q + 1;
    while (j < end && b[j] !== C_SPACE) j++;
    if (j + 5 <= end && b[j + 1] === 79 && b[j + 2] === 85 && b[j + 3] === 84 && b[j + 4] === C_EQ) return i;
    if (fallback < 0 && (i === start || b[i - 1] === C_SPACE || b[i - 1] === 93 || b[i - 1] === 58)) fallback = i;
  }
  return fallback;
}

/**
 * The first `c` in `b[from, end)`, or -1, by memchr (Buffer.indexOf), which searches to the end of the
 * buffer, not of the line. The last hit beyond `end` is remembered, so that a run of lines without `c`
 * costs one search, not one search to the buffer's end per line: it is still the first `c` after any
 * later `from` not past it. `forget` drops it when the bytes may have changed (LineFormat.newBytes).
 */
class ByteSearch {
  private buf: Buffer | undefined = undefined;
  private from = 0;
  private hit = 0;

  forget(): void {
    this.buf = undefined;
  }

  next(b: Buffer, c: number, from: number, end: number): number {
    if (from >= end) return -1;
    let hit: number;
    if (b === this.buf && from >= this.from && (from <= this.hit || this.hit < 0)) {
      hit = this.hit;
    } else {
      hit = b.indexOf(c, from);
      this.buf = b;
      this.from = from;
      this.hit = hit;
    }
    return hit >= 0 && hit < end ? hit : -1;
  }
}

/** `kind` "js" reads every line with the reference (NetfilterFormat.line) alone. */
export function createNetfilterDecoder(opts: DecodeOptions, batchCapacity?: number, kind = logDecoderKind()): Decoder {
  const fast = kind === "wasm" ? new NetfilterFastPath(opts, batchCapacity) : undefined;
  return createLineDecoder(new NetfilterFormat(opts, fast), batchCapacity);
}

/** A netfilter LOG line: "IN=... OUT=..." then "SRC=... DST=...". */
export function sniffNetfilter(line: string): boolean {
  return /IN=\S*\s+OUT=/.test(line) && / SRC=\S+ DST=\S+/.test(line);
}

export const netfilterFormat: FormatRecord = {
  name: "netfilter",
  stage: "events",
  sniffLine: sniffNetfilter,
  create: (o) => createNetfilterDecoder(o),
  doc: {
    detectedBy: "`IN=... OUT=... SRC=... DST=...`",
    notes: "iptables `LOG` / nftables `log`: raw ring buffer (`[ 1234.5] PREFIX IN=`), syslog kern.log (RFC 3164 and RFC 3339 stamps), journalctl short. The action comes from the prefix: DROP/DENY/REJECT/BLOCK mean blocked, ACCEPT/ALLOW/PASS mean allowed, a prefix with both (`ALLOWLIST-DROP`) is read as blocked, UFW's `[UFW BLOCK]`, EdgeOS `[...-D]`/`[...-A]`; `--action-map` for your own",
  },
};
