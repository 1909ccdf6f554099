/**
 * NetFlow v5, NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) export messages, one datagram at a time, into
 * flow records (records.ts). Every length read from the message is checked against the message's end
 * before it is used; a message that lies about a length is counted, never followed.
 *
 * Accounting: a record is a flow record, a template or an options record. Flow records are used or
 * skipped with a reason (icmp-error, missing-address...); template records count as skipped "template"
 * or "options-template" (they are read, and carry no traffic), options data records as "options-record";
 * a data set whose template has not been received counts as one "template-missing" (how many records it
 * holds cannot be known without the template); damage that makes the rest of a message unreadable
 * counts as one skip at the place it starts ("bad-version", "truncated-header", "bad-set-length",
 * "bad-template", "truncated-record"). Datagrams and enterprise-specific fields left unread are notes.
 *
 * What a record says of the firewall's decision: a Cisco NSEL firewall event (NetFlow v9 field 233
 * NF_F_FW_EVENT, 40005 on ASA 8.4; with 33002 NF_F_FW_EXT_EVENT, Cisco's "NetFlow Implementation Guide
 * for ASA") or an IPFIX forwardingStatus (IE 89, RFC 7270 section 4.12) is final; anything else is left to
 * the pairing stage (src/flow/flow-pairing.ts), which infers it from both directions' TCP flags.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, NONE, PROTO_ICMP, PROTO_ICMPV6, commit, reserve } from "../batch.js";
import type { InputStats } from "../stats.js";
import { icmpNotAFlow } from "../icmp.js";
import { resetExtras, type FlowRecordBatch } from "./records.js";
import { MAX_TEMPLATE_FIELDS, PEN_REVERSE, VARIABLE_LENGTH, makeTemplate, type Exporter, type Template, type TemplateCache } from "./templates.js";

export const V5_HEADER = 24;
export const V5_RECORD = 48;
/** RFC 3954 section 5.1. */
export const V9_HEADER = 20;
/** RFC 7011 section 3.1. */
export const IPFIX_HEADER = 16;
/** NetFlow v5 packets carry at most 30 records (Cisco's format description). */
const V5_MAX_COUNT = 30;

/** Seconds between the NTP era (1900) and the Unix epoch, for IPFIX dateTimeMicro/Nanoseconds (RFC 7011 section 6.1.10). */
const NTP_UNIX_OFFSET = 2208988800;

/** Where decoded records go, and what the caller knows about the message. */
export interface ExportContext {
  readonly out: FlowRecordBatch;
  readonly stats: InputStats;
  readonly cache: TemplateCache;
  /** Hands the batch over when it is full (the caller's emit), then it is reused. */
  makeRoom(): void;
}

/** Information elements read (IANA IPFIX registry; v9 uses the same numbers below 128 and Cisco's above). */
const IE = {
  octets: 1, packets: 2, protocol: 4, tcpFlags: 6, srcPort: 7, srcV4: 8, dstPort: 11, dstV4: 12,
  endSysUp: 21, startSysUp: 22, srcV6: 27, dstV6: 28, icmpTypeCodeV4: 32, packetTotal: 86, forwardingStatus: 89,
  icmpTypeCodeV6: 139, startSec: 150, endSec: 151, startMs: 152, endMs: 153, startUs: 154, endUs: 155,
  startNs: 156, endNs: 157, startDeltaUs: 158, endDeltaUs: 159, systemInitMs: 160, icmpTypeV4: 176,
  icmpCodeV4: 177, icmpTypeV6: 178, icmpCodeV6: 179, firewallEvent: 233, initiatorPackets: 298,
  responderPackets: 299, observationMs: 323, fwExtEvent: 33002, fwEvent84: 40005,
} as const;

/** What one data record said, gathered field by field (one object, reset per record: nothing allocated). */
const r = {
  family: 0, haveSrc: false, haveDst: false, proto: -1, sp: -1, dp: -1, flags: NONE, revFlags: NONE,
  packets: NaN, revPackets: NaN, icmpTypeCode: -1, icmpType: -1, icmpCode: -1,
  startAbs: NaN, endAbs: NaN, startUp: NaN, endUp: NaN, startDelta: NaN, endDelta: NaN, observed: NaN, sysInit: NaN,
  fwEvent: -1, fwExt: -1, fwdStatus: -1, revStart: NaN, version: 0, packetsDelta: false,
};

function resetRecord(): void {
  r.family = 0; r.haveSrc = false; r.haveDst = false; r.proto = -1; r.sp = -1; r.dp = -1; r.flags = NONE; r.revFlags = NONE;
  r.packets = NaN; r.revPackets = NaN; r.icmpTypeCode = -1; r.icmpType = -1; r.icmpCode = -1;
  r.startAbs = NaN; r.endAbs = NaN; r.startUp = NaN; r.endUp = NaN; r.startDelta = NaN; r.endDelta = NaN; r.observed = NaN; r.sysInit = NaN;
  r.fwEvent = -1; r.fwExt = -1; r.fwdStatus = -1; r.revStart = NaN; r.packetsDelta = false;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
/** An unsigned big-endian integer of 1 to 8 bytes (IPFIX reduced-size encoding, RFC 7011 section 6.2). */
function uint(b: Uint8Array, o: number, len: number): number {
  let v = 0;
  for (let k = 0; k < len; k++) v = v * 256 + b[o + k]!;
  return v;
}
/** An NTP timestamp (64 bits: seconds since 1900, binary fraction) in ms since the Unix epoch. */
function ntpMs(b: Uint8Array, o: number): number {
  return (u32(b, o) - NTP_UNIX_OFFSET) * 1000 + (u32(b, o + 4) / 4294967296) * 1000;
}

/**
 * One export message (a UDP datagram's payload, `buf[off, end)`), from `exporterKey` (the exporter's
 * address as text: templates are kept per exporter). `position` is the input's byte offset of `buf[off]`
 * (in a capture, of the UDP payload; in `collect`, the bytes received before it): each record and each
 * skip is reported at the offset of its own bytes (the set, template or record that is damaged), so that
 * a damaged export can be opened at the byte that stopped the reading.
 */
export function decodeExport(buf: Uint8Array, off: number, end: number, exporterKey: string, position: number, ctx: ExportContext): void {
  const base = position - off;
  ctx.stats.note("datagrams");
  if (end - off < 2) { ctx.stats.skip("truncated-header", base + off); return; }
  const version = u16(buf, off);
  switch (version) {
    case 5: decodeV5(buf, off, end, base, ctx); return;
    case 9: decodeV9(buf, off, end, exporterKey, base, ctx); return;
    case 10: decodeIpfix(buf, off, end, exporterKey, base, ctx); return;
    default: ctx.stats.skip(`bad-version-${version}`, base + off);
  }
}

/** The version of a NetFlow/IPFIX message at `off` whose header is consistent, else 0 (for detection). */
export function exportVersion(buf: Uint8Array, off: number, end: number): number {
  if (end - off < IPFIX_HEADER) return 0;
  const version = u16(buf, off);
  const n = end - off;
  if (version === 5) {
    const count = u16(buf, off + 2);
    return count >= 1 && count <= V5_MAX_COUNT && n >= V5_HEADER + count * V5_RECORD ? 5 : 0;
  }
  if (version === 9) {
    if (n < V9_HEADER + 4) return 0;
    const setId = u16(buf, off + V9_HEADER);
    const setLen = u16(buf, off + V9_HEADER + 2);
    return setLen >= 4 && V9_HEADER + setLen <= n && (setId <= 1 || setId >= 256) ? 9 : 0;
  }
  if (version === 10) {
    const len = u16(buf, off + 2);
    if (len < IPFIX_HEADER + 4 || len > n) return 0;
    const setId = u16(buf, off + IPFIX_HEADER);
    const setLen = u16(buf, off + IPFIX_HEADER + 2);
    return setLen >= 4 && IPFIX_HEADER + setLen <= len && (setId === 2 || setId === 3 || setId >= 256) ? 10 : 0;
  }
  return 0;
}

// ---- NetFlow v5 ----------------------------------------------------------------------------------

function decodeV5(buf: Uint8Array, off: number, end: number, base: number, ctx: ExportContext): void {
  if (end - off < V5_HEADER) { ctx.stats.skip("truncated-header", base + off); return; }
  const count = u16(buf, off + 2);
  if (count === 0 || count > V5_MAX_COUNT) { ctx.stats.skip("bad-count", base + off + 2); return; }
  const sysUptime = u32(buf, off + 4);
  // Boot time as nfdump computes it (netflow_v5_v7.c): export time with ms from unix_nsecs, less uptime.
  const boot = u32(buf, off + 8) * 1000 + Math.floor(u32(buf, off + 12) / 1e6) - sysUptime;
  const label = "netflow v5";
  for (let k = 0; k < count; k++) {
    const o = off + V5_HEADER + k * V5_RECORD;
    if (o + V5_RECORD > end) {
      // The header promised more records than the datagram holds: each missing one is a record lost.
      for (let j = k; j < count; j++) ctx.stats.skip("truncated-record", base + o + (j - k) * V5_RECORD);
      return;
    }
    resetRecord();
    r.version = 5;
    r.family = 4;
    r.haveSrc = r.haveDst = true;
    r.packets = u32(buf, o + 16);
    const first = u32(buf, o + 24);
    const last = u32(buf, o + 28);
    r.sp = u16(buf, o + 32);
    r.dp = u16(buf, o + 34);
    r.flags = buf[o + 37]!;
    r.proto = buf[o + 38]!;
    // First > Last: the uptime counter wrapped between the two (nfdump's reading).
    let start = first > last ? boot - 0x100000000 + first : boot + first;
    let stop = boot + last;
    if (last > sysUptime && last - sysUptime > 100000) {
      // nfdump: a wrap after the flow ended but before it was exported (Cisco bug CSCei12353).
      start -= 0x100000000;
      stop -= 0x100000000;
    }
    r.startAbs = start;
    r.endAbs = stop;
    writeRecord(buf, o, o + 4, 4, base + o, label, ctx);
  }
}

// ---- NetFlow v9 and IPFIX: sets ------------------------------------------------------------------

function decodeV9(buf: Uint8Array, off: number, end: number, exporterKey: string, base: number, ctx: ExportContext): void {
  if (end - off < V9_HEADER) { ctx.stats.skip("truncated-header", base + off); return; }
  const sysUptime = u32(buf, off + 4);
  const unixSecs = u32(buf, off + 8);
  const sourceId = u32(buf, off + 16);
  const exporter = ctx.cache.exporter(`9|${exporterKey}|${sourceId}`);
  const hdr: MessageTimes = { boot: unixSecs * 1000 - sysUptime, exportMs: unixSecs * 1000, version: 9 };
  walkSets(buf, off + V9_HEADER, end, 9, exporter, hdr, base, ctx);
}

function decodeIpfix(buf: Uint8Array, off: number, end: number, exporterKey: string, base: number, ctx: ExportContext): void {
  if (end - off < IPFIX_HEADER) { ctx.stats.skip("truncated-header", base + off); return; }
  const length = u16(buf, off + 2);
  if (length < IPFIX_HEADER || length > end - off) { ctx.stats.skip("bad-message-length", base + off + 2); return; }
  const exportSecs = u32(buf, off + 4);
  const domain = u32(buf, off + 12);
  const exporter = ctx.cache.exporter(`10|${exporterKey}|${domain}`);
  const hdr: MessageTimes = { boot: NaN, exportMs: exportSecs * 1000, version: 10 };
  walkSets(buf, off + IPFIX_HEADER, off + length, 10, exporter, hdr, base, ctx);
}

interface MessageTimes {
  /** v9: the exporter's boot time in ms (unix_secs * 1000 - sysUptime); IPFIX: NaN. */
  boot: number;
  exportMs: number;
  version: 9 | 10;
}

function walkSets(buf: Uint8Array, p: number, end: number, version: 9 | 10, exporter: Exporter, hdr: MessageTimes, base: number, ctx: ExportContext): void {
  const templateSet = version === 9 ? 0 : 2;
  const optionsSet = version === 9 ? 1 : 3;
  while (p < end) {
    // v9 allows padding after the last set (RFC 3954 section 5.3 pads sets to 32 bits); fewer than 4
    // bytes left is padding, not a set.
    if (end - p < 4) return;
    const id = u16(buf, p);
    const len = u16(buf, p + 2);
    if (len < 4 || p + len > end) { ctx.stats.skip("bad-set-length", base + p); return; }
    const s = p + 4;
    const e = p + len;
    if (id === templateSet) readTemplates(buf, s, e, version, false, exporter, base, ctx);
    else if (id === optionsSet) readTemplates(buf, s, e, version, true, exporter, base, ctx);
    else if (id >= 256) readDataSet(buf, s, e, id, exporter, hdr, base, ctx);
    else ctx.stats.skip(`reserved-set-${id}`, base + p);
    p = e;
  }
}

const fieldScratch = new Int32Array(MAX_TEMPLATE_FIELDS * 3);

/** Template records (v9 section 5.2/6.1; IPFIX section 3.4.1/3.4.2), to the set's end or its padding. */
function readTemplates(buf: Uint8Array, p: number, end: number, version: 9 | 10, options: boolean, exporter: Exporter, base: number, ctx: ExportContext): void {
  const reason = options ? "options-template" : "template";
  // The smallest template record: a v9 options header (6 bytes) or an IPFIX template header (4 bytes).
  while (end - p >= 4) {
    const id = u16(buf, p);
    let count: number;
    let q: number;
    if (!options) {
      count = u16(buf, p + 2);
      q = p + 4;
      if (id === 0 && count === 0 && version === 9) return; // padding
    } else if (version === 9) {
      if (end - p < 6) return;
      // Scope and option lengths are in bytes, 4 per field.
      const scopeLen = u16(buf, p + 2);
      const optLen = u16(buf, p + 4);
      if (scopeLen % 4 !== 0 || optLen % 4 !== 0) { ctx.stats.skip("bad-template", base + p); return; }
      count = (scopeLen + optLen) / 4;
      q = p + 6;
    } else {
      if (end - p < 6) return;
      count = u16(buf, p + 2);
      q = p + 6;
      // Withdrawal: field count 0 (section 8.1); else at least one scope field (section 3.4.2.2).
      if (count !== 0 && u16(buf, p + 4) === 0) { ctx.stats.skip("bad-template", base + p); return; }
    }
    if (id < 256) {
      // Template ids below 256 are set ids (v9 section 5.2, IPFIX 3.4.1); what follows cannot be trusted.
      if (id === 0 && count === 0) return;
      ctx.stats.skip("bad-template", base + p);
      return;
    }
    if (count === 0) {
      // IPFIX template withdrawal (section 8.1): the template is gone.
      exporter.templates.delete(id);
      ctx.stats.skip(`${reason}-withdrawal`, base + p);
      p = q;
      continue;
    }
    if (count > MAX_TEMPLATE_FIELDS) { ctx.stats.skip("bad-template", base + p); return; }
    for (let k = 0; k < count; k++) {
      if (end - q < 4) { ctx.stats.skip("bad-template", base + q); return; }
      const fieldAt = q;
      let ie = u16(buf, q);
      const len = u16(buf, q + 2);
      q += 4;
      let pen = 0;
      if (version === 10 && ie & 0x8000) {
        // Enterprise bit (section 3.2): the IE id is the low 15 bits and a 4-byte enterprise number follows.
        if (end - q < 4) { ctx.stats.skip("bad-template", base + q); return; }
        ie &= 0x7fff;
        pen = u32(buf, q);
        q += 4;
      }
      if (len === 0 || (len === VARIABLE_LENGTH && version === 9)) { ctx.stats.skip("bad-template", base + fieldAt); return; }
      fieldScratch[k * 3] = ie;
      fieldScratch[k * 3 + 1] = len;
      fieldScratch[k * 3 + 2] = pen;
    }
    if (exporter.templates.size >= ctx.cache.maxTemplates && !exporter.templates.has(id)) {
      ctx.stats.skip(`${reason}-over-limit`, base + p);
    } else {
      exporter.templates.set(id, makeTemplate(id, fieldScratch.slice(0, count * 3), count, options));
      ctx.stats.skip(reason, base + p);
    }
    p = q;
  }
}

function readDataSet(buf: Uint8Array, p: number, end: number, id: number, exporter: Exporter, hdr: MessageTimes, base: number, ctx: ExportContext): void {
  const t = exporter.templates.get(id);
  if (t === undefined) { ctx.stats.skip("template-missing", base + p - 4); ctx.stats.note("template-misses"); return; }
  // Records fill the set; what is left at the end shorter than a record is padding (v9 5.3, IPFIX 3.3.1).
  const min = t.fixedLength >= 0 ? t.fixedLength : minimumLength(t);
  if (min === 0) { ctx.stats.skip("bad-template", base + p - 4); return; }
  while (end - p >= min) {
    if (t.fixedLength < 0 && isZeroPadding(buf, p, end)) return;
    const next = readRecord(buf, p, end, t, exporter, hdr, base, ctx);
    if (next < 0) { ctx.stats.skip("truncated-record", base + p); return; }
    p = next;
  }
}

function minimumLength(t: Template): number {
  let n = 0;
  for (let k = 0; k < t.count; k++) {
    const len = t.fields[k * 3 + 1]!;
    n += len === VARIABLE_LENGTH ? 1 : len;
  }
  return n;
}

function isZeroPadding(buf: Uint8Array, p: number, end: number): boolean {
  for (let i = p; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

// ---- data records --------------------------------------------------------------------------------

/** One data record at `p`; returns the offset after it, or -1 when it runs past `end`. */
function readRecord(buf: Uint8Array, p: number, end: number, t: Template, exporter: Exporter, hdr: MessageTimes, base: number, ctx: ExportContext): number {
  resetRecord();
  r.version = hdr.version;
  let q = p;
  let srcAt = -1;
  let dstAt = -1;
  for (let k = 0; k < t.count; k++) {
    const ie = t.fields[k * 3]!;
    let len = t.fields[k * 3 + 1]!;
    const pen = t.fields[k * 3 + 2]!;
    if (len === VARIABLE_LENGTH) {
      // Section 7: one length byte, or 255 and a two-byte length.
      if (q >= end) return -1;
      len = buf[q]!;
      q++;
      if (len === 255) {
        if (end - q < 2) return -1;
        len = u16(buf, q);
        q += 2;
      }
    }
    if (end - q < len) return -1;
    if (pen === 0) {
      const at = readField(buf, q, len, ie);
      if (at === 1) srcAt = q;
      else if (at === 2) dstAt = q;
    } else if (pen === PEN_REVERSE) {
      readReverseField(buf, q, len, ie);
    }
    q += len;
  }
  if (t.enterpriseFields > 0) {
    for (const pen of t.enterprises) ctx.stats.note(`enterprise-fields:${pen}`, countPen(t, pen));
  }
  if (t.options) {
    // Options records describe the exporter; the one we use is its boot time (IE 160), the base of IPFIX
    // sysUpTime fields.
    if (r.sysInit === r.sysInit) exporter.systemInitMs = r.sysInit;
    ctx.stats.skip("options-record", base + p);
    return q;
  }
  if (srcAt < 0 || dstAt < 0) { ctx.stats.skip("missing-address", base + p); return q; }
  // Times: absolute fields first, then uptime-relative ones (v9: to the header's boot time, as nfdump
  // reads them only when flowEndSysUpTime is not 0; IPFIX: to systemInitTimeMilliseconds), then deltas
  // to the export time, then the NSEL event time.
  if (r.startAbs !== r.startAbs && r.startUp === r.startUp) {
    const base = r.sysInit === r.sysInit ? r.sysInit : hdr.version === 9 ? hdr.boot : exporter.systemInitMs;
    if (base === base && (hdr.version === 10 || r.endUp !== 0)) {
      const endUp = r.endUp === r.endUp ? r.endUp : r.startUp;
      r.startAbs = hdr.version === 9 && r.startUp > endUp ? base - 0x100000000 + r.startUp : base + r.startUp;
      r.endAbs = base + endUp;
    }
  }
  if (r.startAbs !== r.startAbs && r.startDelta === r.startDelta) {
    r.startAbs = hdr.exportMs - r.startDelta / 1000;
    if (r.endDelta === r.endDelta) r.endAbs = hdr.exportMs - r.endDelta / 1000;
  }
  if (r.startAbs !== r.startAbs && r.observed === r.observed) r.startAbs = r.observed;
  writeRecord(buf, srcAt, dstAt, r.family, base + p, hdr.version === 9 ? "netflow v9" : "ipfix", ctx);
  return q;
}

function countPen(t: Template, pen: number): number {
  let n = 0;
  for (let k = 0; k < t.count; k++) if (t.fields[k * 3 + 2] === pen) n++;
  return n;
}

/** Read one IANA (or Cisco v9) field into `r`; returns 1 for the source address, 2 for the destination. */
function readField(b: Uint8Array, o: number, len: number, ie: number): number {
  switch (ie) {
    case IE.srcV4: if (len !== 4) return 0; r.family = 4; r.haveSrc = true; return 1;
    case IE.dstV4: if (len !== 4) return 0; r.family = 4; r.haveDst = true; return 2;
    case IE.srcV6: if (len !== 16) return 0; r.family = 6; r.haveSrc = true; return 1;
    case IE.dstV6: if (len !== 16) return 0; r.family = 6; r.haveDst = true; return 2;
    case IE.protocol: r.proto = b[o + len - 1]!; return 0;
    case IE.srcPort: r.sp = uint(b, o, len) & 0xffff; return 0;
    case IE.dstPort: r.dp = uint(b, o, len) & 0xffff; return 0;
    // tcpControlBits: the classic flags are the low byte (RFC 7125).
    case IE.tcpFlags: r.flags = b[o + len - 1]!; return 0;
    // packetDeltaCount wins over the totals, as nfdump reads them (a delta of 0 is what happened since
    // the last report).
    case IE.packets: r.packets = uint(b, o, len); r.packetsDelta = true; return 0;
    case IE.packetTotal: case IE.initiatorPackets: if (!r.packetsDelta) r.packets = uint(b, o, len); return 0;
    case IE.responderPackets: r.revPackets = uint(b, o, len); return 0;
    case IE.icmpTypeCodeV4: case IE.icmpTypeCodeV6: r.icmpTypeCode = uint(b, o, len) & 0xffff; return 0;
    case IE.icmpTypeV4: case IE.icmpTypeV6: r.icmpType = b[o + len - 1]!; return 0;
    case IE.icmpCodeV4: case IE.icmpCodeV6: r.icmpCode = b[o + len - 1]!; return 0;
    case IE.startSysUp: r.startUp = uint(b, o, len); return 0;
    case IE.endSysUp: r.endUp = uint(b, o, len); return 0;
    case IE.startSec: r.startAbs = uint(b, o, len) * 1000; return 0;
    case IE.endSec: r.endAbs = uint(b, o, len) * 1000; return 0;
    case IE.startMs: if (len === 8) r.startAbs = uint(b, o, 8); return 0;
    case IE.endMs: if (len === 8) r.endAbs = uint(b, o, 8); return 0;
    case IE.startUs: case IE.startNs: if (len === 8) r.startAbs = ntpMs(b, o); return 0;
    case IE.endUs: case IE.endNs: if (len === 8) r.endAbs = ntpMs(b, o); return 0;
    case IE.startDeltaUs: r.startDelta = uint(b, o, len); return 0;
    case IE.endDeltaUs: r.endDelta = uint(b, o, len); return 0;
    case IE.systemInitMs: if (len === 8) r.sysInit = uint(b, o, 8); return 0;
    case IE.observationMs: if (len === 8) r.observed = uint(b, o, 8); return 0;
    case IE.firewallEvent: case IE.fwEvent84: r.fwEvent = b[o + len - 1]!; return 0;
    case IE.fwExtEvent: r.fwExt = uint(b, o, len); return 0;
    // forwardingStatus is unsigned8 (RFC 7270 section 4.12): the status is its top two bits.
    case IE.forwardingStatus: if (len === 1) r.fwdStatus = b[o]! >> 6; return 0;
    default: return 0;
  }
}

/** RFC 5103 reverse information elements (enterprise 29305): the same ids, for the reverse direction. */
function readReverseField(b: Uint8Array, o: number, len: number, ie: number): void {
  switch (ie) {
    case IE.packets: case IE.packetTotal: r.revPackets = uint(b, o, len); return;
    case IE.tcpFlags: r.revFlags = b[o + len - 1]!; return;
    default: return;
  }
}

/** Cisco's extended NSEL event codes that say why a flow was denied (NetFlow Implementation Guide for ASA). */
function deniedWhy(ext: number): string {
  switch (ext) {
    case 1001: return " by an ingress ACL (1001)";
    case 1002: return " by an egress ACL (1002)";
    case 1003: return ": connection attempt to an ASA interface (1003)";
    case 1004: return ": first TCP packet not a SYN (1004)";
    default: return ext > 0 ? ` (extended event ${ext})` : "";
  }
}

const NSEL_EVENTS = ["ignore", "flow created", "flow deleted", "flow denied", "flow alert", "flow updated"];

/** The decision a record states itself, as [action, evidence], or undefined (left to pairing). */
function statedDecision(): [number, string] | undefined {
  if (r.fwEvent >= 0) {
    const name = NSEL_EVENTS[r.fwEvent] ?? `event ${r.fwEvent}`;
    // Created, deleted and updated flows passed the firewall; denied ones did not (NSEL event 3).
    const action = r.fwEvent === 1 || r.fwEvent === 2 || r.fwEvent === 5 ? ACTION_ALLOWED : r.fwEvent === 3 ? ACTION_BLOCKED : ACTION_UNKNOWN;
    // NetFlow v9 carries Cisco's NSEL field; IPFIX the IANA firewallEvent (IE 233) with the same values.
    const source = r.version === 9 ? "NSEL" : "firewallEvent";
    return [action, `${source} ${name}${r.fwEvent === 3 ? deniedWhy(r.fwExt) : r.fwExt > 0 ? ` (extended event ${r.fwExt})` : ""}`];
  }
  if (r.fwdStatus === 1) return [ACTION_ALLOWED, "forwardingStatus: forwarded"];
  if (r.fwdStatus === 2) return [ACTION_BLOCKED, "forwardingStatus: dropped"];
  return undefined;
}

const labelIds = new Map<string, number>();
let labelTable: unknown = undefined;

function labelId(ctx: ExportContext, text: string): number {
  const labels = ctx.out.batch.labels;
  if (labels !== labelTable) { labelIds.clear(); labelTable = labels; }
  let id = labelIds.get(text);
  if (id === undefined) {
    id = labels.intern(text);
    labelIds.set(text, id);
  }
  return id;
}

/** Write the record gathered in `r`, with its addresses at `srcAt`/`dstAt` in `buf`. */
function writeRecord(buf: Uint8Array, srcAt: number, dstAt: number, family: number, position: number, kind: string, ctx: ExportContext): void {
  let proto = r.proto;
  if (proto < 0) { ctx.stats.skip("missing-protocol", position); return; }
  if (proto === PROTO_ICMP && family === 6) proto = PROTO_ICMPV6;
  let icmpType = -1;
  let icmpCode = -1;
  if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
    // As nfdump: icmpTypeCode (32/139) first, then type and code (176-179), else the destination port
    // (type * 256 + code), or Cisco's byte-swapped source port when that is set.
    let tc: number;
    if (r.icmpTypeCode >= 0) tc = r.icmpTypeCode;
    else if (r.icmpType >= 0 || r.icmpCode >= 0) tc = Math.max(r.icmpType, 0) * 256 + Math.max(r.icmpCode, 0);
    else if (r.sp > 0) tc = ((r.sp & 0xff) << 8) | (r.sp >> 8);
    else tc = r.dp >= 0 ? r.dp : -1;
    // No type anywhere: still a flow, matched as "type unknown" like a log record without one (issue 15).
    if (tc >= 0) {
      icmpType = tc >> 8;
      icmpCode = tc & 0xff;
      const notFlow = icmpNotAFlow(proto, icmpType);
      if (notFlow) { ctx.stats.skip(notFlow, position); return; }
    }
  } else if ((proto === 6 || proto === 17) && (r.sp < 0 || r.dp < 0)) {
    ctx.stats.skip("missing-port", position);
    return;
  }
  const out = ctx.out;
  if (out.batch.length >= out.batch.capacity) ctx.makeRoom();
  const b = out.batch;
  const i = reserve(b);
  resetExtras(out.extras, i);
  const w = i * 4;
  b.family[i] = family;
  if (family === 4) {
    b.src[w] = u32(buf, srcAt);
    b.dst[w] = u32(buf, dstAt);
  } else {
    for (let k = 0; k < 4; k++) {
      b.src[w + k] = u32(buf, srcAt + 4 * k);
      b.dst[w + k] = u32(buf, dstAt + 4 * k);
    }
  }
  b.proto[i] = proto;
  if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
    b.icmpType[i] = icmpType;
    b.icmpCode[i] = icmpCode;
  } else if (r.sp >= 0 || r.dp >= 0) {
    b.srcPort[i] = r.sp;
    b.dstPort[i] = r.dp;
  }
  if (proto === 6) b.tcpFlags[i] = r.flags;
  b.time[i] = r.startAbs;
  b.position[i] = position;
  const x = out.extras;
  x.packets[i] = r.packets;
  x.revPackets[i] = r.revPackets;
  x.revFlags[i] = r.revFlags;
  x.endTime[i] = r.endAbs;
  const stated = statedDecision();
  if (stated) {
    b.action[i] = stated[0];
    x.decided[i] = 1;
    b.label[i] = labelId(ctx, stated[1]);
  } else {
    b.label[i] = labelId(ctx, kind);
  }
  commit(b);
  ctx.stats.use();
}
