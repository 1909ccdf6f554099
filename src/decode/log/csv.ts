/**
 * Generic CSV flow logs with a header row (RFC 4180: quoted fields, doubled quotes, quoted line breaks).
 * Columns are found by name (case and punctuation ignored: "Source IP", "src_ip", "source.ip" are one
 * name) or given by the user (`--csv-columns src=From,dst=To,dport=Port`). Fields: src, dst (required),
 * sport, dport, proto, action, time; a "src:port" / "[v6]:port" value in src/dst is split.
 * The tests check this scanner against csv-parse on the same files.
 */
import {
  ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
  commit, protocolNumber, reserve, type EventBatch,
} from "../batch.js";
import type { InputStats } from "../stats.js";
import { parseAddr, parseIPv4Bytes } from "../../net/addr.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import { readTime, scanTime } from "./syslog-time.js";
import { isBlank, parseIPv6Bytes } from "./text-bytes.js";
import { icmpNotAFlow } from "../icmp.js";
import type { DecodeOptions } from "./options.js";
import type { Decoder } from "../decoder.js";
import { ByteKeys } from "./byte-keys.js";
import type { FormatRecord } from "../format.js";
import { CsvFastPath } from "./csv-wasm.js";
import { logDecoderKind } from "./wasm-rows.js";

export const CSV_FIELDS = ["src", "dst", "sport", "dport", "proto", "action", "time", "type"] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

/** Column names of each field (after normaliseName); also read by the SQL engines' canonical mapping. */
export const CSV_ALIASES: Readonly<Record<CsvField, readonly string[]>> = {
  src: ["src", "srcip", "source", "sourceip", "sourceaddress", "srcaddr", "saddr", "ipsrc", "sourceipaddress", "from", "client", "clientip"],
  dst: ["dst", "dstip", "dest", "destination", "destinationip", "destinationaddress", "dstaddr", "daddr", "ipdst", "destip", "to", "server", "serverip"],
  sport: ["sport", "srcport", "sourceport", "spt", "clientport"],
  dport: ["dport", "dstport", "destinationport", "destport", "dpt", "port", "serverport", "service"],
  proto: ["proto", "protocol", "transport", "ipprotocol", "l4protocol", "networktransport"],
  action: ["action", "disposition", "verdict", "decision", "result", "outcome", "eventaction", "eventoutcome"],
  time: ["time", "timestamp", "ts", "datetime", "date", "eventtime", "starttime", "start"],
  type: ["icmptype", "type"],
};

export function normaliseName(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/**
 * Split one CSV record (RFC 4180). Returns null when a quoted field is still open at the end (the record
 * goes on after a line break). Spaces and tabs around a field are dropped, a quoted field's own content
 * is kept as it is, and a quote inside an unquoted field is an ordinary character: csv-parse's
 * `{ trim: true, relax_quotes: true }`. Where csv-parse gives up (text after a closing quote, `"a"x`),
 * the text is kept after the quoted part instead, so the record is still judged by its fields.
 */
export function splitCsv(text: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (true) {
    while (i < n && (text[i] === " " || text[i] === "\t")) i++;
    if (i < n && text[i] === '"') {
      let v = "";
      i++;
      while (true) {
        const q = text.indexOf('"', i);
        if (q < 0) return null;
        v += text.slice(i, q);
        if (text[q + 1] === '"') { v += '"'; i = q + 2; continue; }
        i = q + 1;
        break;
      }
      const comma = text.indexOf(",", i);
      v += text.slice(i, comma < 0 ? n : comma).replace(/^[ \t]+|[ \t]+$/g, "");
      out.push(v);
      if (comma < 0) return out;
      i = comma + 1;
    } else {
      const comma = text.indexOf(",", i);
      out.push(text.slice(i, comma < 0 ? n : comma).replace(/[ \t]+$/, ""));
      if (comma < 0) return out;
      i = comma + 1;
    }
  }
}

/** Action words of a CSV action column (lower case); the SQL engines map them with the same lists. */
export const ALLOW_WORDS: readonly string[] = [
  "allow", "allowed", "accept", "accepted", "pass", "passed", "permit", "permitted", "ok", "success", "open", "established",
];
export const BLOCK_WORDS: readonly string[] = [
  "deny", "denied", "drop", "dropped", "reject", "rejected", "block", "blocked", "fail", "failure", "refused", "reset",
];
const ALLOW_SET = new Set(ALLOW_WORDS);
const BLOCK_SET = new Set(BLOCK_WORDS);

export function actionFromWord(w: string): number {
  const k = w.trim().toLowerCase();
  return ALLOW_SET.has(k) ? ACTION_ALLOWED : BLOCK_SET.has(k) ? ACTION_BLOCKED : ACTION_UNKNOWN;
}

export class CsvFormat implements LineFormat {
  readonly format = "csv";
  private cols: Record<CsvField, number> | null = null;
  private headerTried = false;
  private readonly words = new Uint32Array(4);
  private readonly actionIds = new Map<string, { id: number; action: number }>();

  /** The WebAssembly reader of ordinary records (csv-wasm.ts), when used. */
  private readonly fast: CsvFastPath | undefined;

  constructor(private readonly opts: DecodeOptions, fast?: CsvFastPath) {
    this.fast = fast;
  }

  createBatch(capacity: number | undefined): EventBatch | undefined {
    return capacity === undefined || capacity === this.fast?.batch.capacity ? this.fast?.batch : undefined;
  }

  newBytes(): void {
    this.fast?.forget();
  }

  bulk(b: Buffer, pos: number, lineNo: number, batch: EventBatch, stats: InputStats): number {
    return this.fast === undefined ? 0 : this.fast.bulk(b, pos, lineNo, batch, stats);
  }

  get bulkEnd(): number {
    return this.fast?.bulkEnd ?? 0;
  }

  private header(fields: string[], lineNo: number, stats: InputStats): void {
    const names = fields.map(normaliseName);
    const cols = {} as Record<CsvField, number>;
    for (const f of CSV_FIELDS) {
      const user = this.opts.csvColumns[f];
      if (user !== undefined) {
        cols[f] = names.indexOf(normaliseName(user));
        if (cols[f] < 0) cols[f] = fields.indexOf(user);
      } else {
        cols[f] = -1;
        for (const alias of CSV_ALIASES[f]) {
          const k = names.indexOf(alias);
          if (k >= 0) { cols[f] = k; break; }
        }
      }
    }
    if (cols.src < 0 || cols.dst < 0) {
      // Each record is tried as the header until one names both addresses (a file may open with a
      // preamble such as Excel's "sep=,"); the first failure says why, the rows after it say that
      // they were read without a header.
      if (this.headerTried) stats.skip("no-csv-header", lineNo);
      else stats.skip("csv-header-without-addresses", lineNo, fields.join(","));
      this.headerTried = true;
      return;
    }
    this.cols = cols;
    this.fast?.columns(cols);
    stats.skip("header", lineNo);
  }

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean {
    if (isBlank(b, start, end)) { stats.skip("blank", lineNo); return true; }
    // A comment is one line, whatever quotes it holds.
    if (b[start] === 35) { stats.skip("comment", lineNo); return true; }
    if (this.cols && this.splitPlain(b, start, end)) return this.plainRecord(b, start, end, lineNo, batch, stats, this.cols);
    const text = b.toString("utf8", start, end);
    const fields = splitCsv(text);
    if (fields === null) return false;
    if (!this.cols) { this.header(fields, lineNo, stats); return true; }
    const c = this.cols;
    const get = (k: number) => (k >= 0 && k < fields.length ? fields[k]!.trim() : "");

    const slot = reserve(batch);
    batch.position[slot] = lineNo;
    let family = 0;
    const ports = [-1, -1];
    for (const [side, col] of [[0, c.src], [1, c.dst]] as const) {
      let v = get(col);
      // "addr:port", "[v6]:port"
      const br = /^\[([^\]]+)\]:(\d+)$/.exec(v);
      let port = -1;
      if (br) { v = br[1]!; port = Number(br[2]); }
      else {
        const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(v);
        if (m) { v = m[1]!; port = Number(m[2]); }
      }
      const fam = parseAddr(v, this.words);
      if (fam === 0 || (family !== 0 && fam !== family)) {
        stats.skip(v === "" ? "missing-address" : "bad-address", lineNo, lineText(b, start, end));
        return true;
      }
      family = fam;
      (side === 0 ? batch.src : batch.dst).set(this.words, slot * 4);
      ports[side] = port;
    }
    batch.family[slot] = family;
    const protoText = get(c.proto);
    let proto = protoText === "" ? PROTO_TCP : protocolNumber(protoText) ?? -1;
    if (proto < 0) { stats.skip("unknown-protocol", lineNo, lineText(b, start, end)); return true; }
    if (proto === PROTO_ICMP && family === 6) proto = PROTO_ICMPV6;
    batch.proto[slot] = proto;
    const num = (s: string) => (/^\d{1,5}$/.test(s) ? Number(s) : -1);
    if (proto === PROTO_TCP || proto === PROTO_UDP) {
      const sp = ports[0]! >= 0 ? ports[0]! : num(get(c.sport));
      const dp = ports[1]! >= 0 ? ports[1]! : num(get(c.dport));
      if (dp < 0 || dp > 65535 || sp > 65535) { stats.skip("missing-port", lineNo, lineText(b, start, end)); return true; }
      batch.srcPort[slot] = sp;
      batch.dstPort[slot] = dp;
    } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      // No readable type: a flow of unknown ICMP type (icmpType NONE), matched as such.
      const n = num(get(c.type) || get(c.dport));
      const t = n > 255 ? -1 : n;
      batch.icmpType[slot] = t;
      const notFlow = t < 0 ? undefined : icmpNotAFlow(proto, t);
      if (notFlow) { stats.skip(notFlow, lineNo); return true; }
    }
    const at = get(c.action);
    let a = this.actionIds.get(at);
    if (!a) {
      a = { id: at === "" ? -1 : batch.labels.intern(at), action: actionFromWord(at) };
      this.actionIds.set(at, a);
    }
    batch.action[slot] = a.action;
    batch.label[slot] = a.id;
    const ts = get(c.time);
    if (ts !== "") {
      if (/^\d{9,10}(\.\d+)?$/.test(ts)) batch.time[slot] = Number(ts) * 1000;
      else if (/^\d{12,13}$/.test(ts)) batch.time[slot] = Number(ts);
      else {
        const tb = Buffer.from(ts);
        batch.time[slot] = readTime(tb, 0, tb.length, this.opts.year, this.opts.nowMs).time;
      }
    }
    commit(batch);
    stats.use();
    return true;
  }
  // ---- the plain-record fast path ---------------------------------------------------------------
  // A record without quotes and in plain ASCII is split on commas in place and read from its bytes:
  // splitCsv and String.trim would give the same fields (spaces, tabs and the other ASCII white space
  // trimmed at both ends), so every decision below is the string path's, made without a string.

  /** Trimmed field bounds of the current plain record: start, end per field. */
  private readonly fb = new Int32Array(MAX_PLAIN_FIELDS * 2);
  private nf = 0;
  private readonly protoBytes = new ByteKeys<number>();
  private readonly actionBytes = new ByteKeys<{ id: number; action: number }>();

  /** Split a record with no quote and no byte above 127 into trimmed fields; false for any other record. */
  private splitPlain(b: Uint8Array, start: number, end: number): boolean {
    const fb = this.fb;
    let n = 0;
    let fs = start;
    for (let i = start; ; i++) {
      const c = i < end ? b[i]! : 44;
      if (c === 34 || c >= 128) return false;
      if (c !== 44) continue;
      if (n === MAX_PLAIN_FIELDS) return false;
      let s = fs;
      let e = i;
      while (s < e && isAsciiSpace(b[s]!)) s++;
      while (e > s && isAsciiSpace(b[e - 1]!)) e--;
      fb[n * 2] = s;
      fb[n * 2 + 1] = e;
      n++;
      fs = i + 1;
      if (i >= end) break;
    }
    this.nf = n;
    return true;
  }

  /** Start of field k (trimmed), -1 when the record has no such field. */
  private fs(k: number): number {
    return k >= 0 && k < this.nf ? this.fb[k * 2]! : -1;
  }
  private fe(k: number): number {
    return k >= 0 && k < this.nf ? this.fb[k * 2 + 1]! : -1;
  }
  /** True when field k is missing or empty. */
  private empty(k: number): boolean {
    return !(k >= 0 && k < this.nf) || this.fb[k * 2] === this.fb[k * 2 + 1];
  }

  private plainRecord(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats, c: Record<CsvField, number>): boolean {
    const slot = reserve(batch);
    batch.position[slot] = lineNo;
    let family = 0;
    let port0 = -1;
    let port1 = -1;
    for (let side = 0; side < 2; side++) {
      const col = side === 0 ? c.src : c.dst;
      const words = side === 0 ? batch.src : batch.dst;
      let fam: number;
      let port = -1;
      let emptyField = false;
      const s = this.fs(col);
      const e = this.fe(col);
      // Dotted IPv4 first (the common case); the other readings only when it is not one.
      const v4first = s < 0 ? -1 : parseIPv4Bytes(b, s, e);
      const kind = s < 0 || v4first >= 0 ? 0 : addressChars(b, s, e);
      if (kind === 0) {
        // Digits and dots (or nothing): dotted IPv4 or not an address.
        emptyField = s < 0 || s === e;
        const v4 = v4first;
        fam = v4 >= 0 ? 4 : 0;
        if (v4 >= 0) { words[slot * 4] = v4; words[slot * 4 + 1] = 0; words[slot * 4 + 2] = 0; words[slot * 4 + 3] = 0; }
      } else if (kind === 1 && parseIPv6Bytes(b, s, e, this.words)) {
        // Hex digits and colons: IPv6, an IPv4-mapped one read as the IPv4 host (as parseAddr does).
        const w = this.words;
        if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) { w[0] = w[3]!; w[1] = 0; w[2] = 0; w[3] = 0; fam = 4; }
        else fam = 6;
        words.set(w, slot * 4);
      } else if (kind === 1) {
        fam = 0;
      } else {
        // Anything else ("[v6]:port", "a.b.c.d:port", names): the string path's own reading.
        const v0 = b.toString("latin1", s, e);
        const r = splitAddressPort(v0);
        fam = parseAddr(r.addr, this.words);
        if (fam !== 0) words.set(this.words, slot * 4);
        emptyField = r.addr === "";
        port = r.port;
      }
      if (fam === 0 || (family !== 0 && fam !== family)) {
        stats.skip(emptyField ? "missing-address" : "bad-address", lineNo, lineText(b, start, end));
        return true;
      }
      family = fam;
      if (side === 0) port0 = port; else port1 = port;
    }
    batch.family[slot] = family;
    let proto: number;
    if (this.empty(c.proto)) proto = PROTO_TCP;
    else {
      const ps = this.fs(c.proto);
      const pe = this.fe(c.proto);
      const known = this.protoBytes.find(b, ps, pe);
      proto = known ?? this.protoBytes.add(b, ps, pe, protocolNumber(b.toString("latin1", ps, pe)) ?? -1);
    }
    if (proto < 0) { stats.skip("unknown-protocol", lineNo, lineText(b, start, end)); return true; }
    if (proto === PROTO_ICMP && family === 6) proto = PROTO_ICMPV6;
    batch.proto[slot] = proto;
    if (proto === PROTO_TCP || proto === PROTO_UDP) {
      const sp = port0 >= 0 ? port0 : this.num(b, c.sport);
      const dp = port1 >= 0 ? port1 : this.num(b, c.dport);
      if (dp < 0 || dp > 65535 || sp > 65535) { stats.skip("missing-port", lineNo, lineText(b, start, end)); return true; }
      batch.srcPort[slot] = sp;
      batch.dstPort[slot] = dp;
    } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      const n = this.num(b, this.empty(c.type) ? c.dport : c.type);
      const t = n > 255 ? -1 : n;
      batch.icmpType[slot] = t;
      const notFlow = t < 0 ? undefined : icmpNotAFlow(proto, t);
      if (notFlow) { stats.skip(notFlow, lineNo); return true; }
    }
    let a: { id: number; action: number } | undefined;
    const as = this.fs(c.action);
    const ae = this.fe(c.action);
    if (as >= 0) a = this.actionBytes.find(b, as, ae);
    if (!a) {
      const at = as >= 0 ? b.toString("latin1", as, ae) : "";
      a = this.actionIds.get(at);
      if (!a) {
        a = { id: at === "" ? -1 : batch.labels.intern(at), action: actionFromWord(at) };
        this.actionIds.set(at, a);
      }
      if (as >= 0) this.actionBytes.add(b, as, ae, a);
    }
    batch.action[slot] = a.action;
    batch.label[slot] = a.id;
    if (!this.empty(c.time)) batch.time[slot] = this.stamp(b, this.fs(c.time), this.fe(c.time));
    if (this.fast !== undefined && (proto === PROTO_TCP || proto === PROTO_UDP || (proto === PROTO_ICMP && family === 4))) {
      // A used record teaches the fast path its words (csv-wasm.ts): the same bytes always give the same
      // label, action and protocol (ICMP only between IPv4 addresses: the only ones the module reads).
      if (as >= 0) this.fast.learnAction(b, as, ae, a.id, a.action);
      if (!this.empty(c.proto)) this.fast.learnProto(b, this.fs(c.proto), this.fe(c.proto), proto);
    }
    commit(batch);
    stats.use();
    return true;
  }

  /** A port or ICMP type field: one to five digits, else -1 (the string path's /^\d{1,5}$/). */
  private num(b: Uint8Array, k: number): number {
    const s = this.fs(k);
    const e = this.fe(k);
    if (s < 0 || e - s < 1 || e - s > 5) return -1;
    let v = 0;
    for (let i = s; i < e; i++) {
      const ch = b[i]!;
      if (ch < 48 || ch > 57) return -1;
      v = v * 10 + (ch - 48);
    }
    return v;
  }

  /** A time field: Unix seconds (with a fraction), Unix milliseconds, or a syslog / ISO 8601 stamp. */
  private stamp(b: Buffer, s: number, e: number): number {
    let digitsEnd = s;
    while (digitsEnd < e && b[digitsEnd]! >= 48 && b[digitsEnd]! <= 57) digitsEnd++;
    const d = digitsEnd - s;
    if (digitsEnd === e && (d === 9 || d === 10 || d === 12 || d === 13)) {
      let v = 0;
      for (let i = s; i < e; i++) v = v * 10 + (b[i]! - 48);
      return d <= 10 ? v * 1000 : v;
    }
    if ((d === 9 || d === 10) && b[digitsEnd] === 46 && digitsEnd + 1 < e) {
      let k = digitsEnd + 1;
      while (k < e && b[k]! >= 48 && b[k]! <= 57) k++;
      // Seconds with a fraction: Number() rounds the decimal as the string path does.
      if (k === e) return Number(b.toString("latin1", s, e)) * 1000;
    }
    // A syslog or ISO 8601 stamp. scanTime's time depends on the bytes before `e` only (a byte it reads
    // past the end only ever meets a length check that fails), so the field is read in place, as the
    // string path reads a buffer of its own.
    return scanTime(b, s, e, this.opts.year, this.opts.nowMs);
  }
}

const MAX_PLAIN_FIELDS = 256;

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** 0: only digits and dots (or empty); 1: only hex digits and colons; 2: anything else. */
function addressChars(b: Uint8Array, s: number, e: number): number {
  let digitsDots = true;
  let hexColons = true;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    const digit = c >= 48 && c <= 57;
    if (!(digit || c === 46)) digitsDots = false;
    if (!(digit || c === 58 || (c >= 97 && c <= 102) || (c >= 65 && c <= 70))) hexColons = false;
    if (!digitsDots && !hexColons) return 2;
  }
  return digitsDots ? 0 : 1;
}

/** "addr:port" and "[v6]:port" split as the string path does: the address text and the port, or -1. */
function splitAddressPort(v: string): { addr: string; port: number } {
  const br = /^\[([^\]]+)\]:(\d+)$/.exec(v);
  if (br) return { addr: br[1]!, port: Number(br[2]) };
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(v);
  if (m) return { addr: m[1]!, port: Number(m[2]) };
  return { addr: v, port: -1 };
}

/** `kind` "js" reads every line with the reference (CsvFormat.line) alone. */
export function createCsvDecoder(opts: DecodeOptions, batchCapacity?: number, kind = logDecoderKind()): Decoder {
  const fast = kind === "wasm" ? new CsvFastPath(batchCapacity) : undefined;
  return createLineDecoder(new CsvFormat(opts, fast), batchCapacity);
}

const SRC_NAMES = ["src", "srcip", "source", "sourceip", "sourceaddress", "srcaddr", "saddr", "from", "client", "clientip"];
const DST_NAMES = ["dst", "dstip", "dest", "destination", "destinationip", "destinationaddress", "dstaddr", "daddr", "to", "server", "serverip", "destip"];

/** A CSV header naming a source and a destination column. */
export function sniffCsvHeader(line: string): boolean {
  if (!line.includes(",")) return false;
  const names = line.split(",").map((s) => s.replace(/^\s*"|"\s*$/g, "").toLowerCase().replace(/[^a-z0-9]/g, ""));
  return names.some((x) => SRC_NAMES.includes(x)) && names.some((x) => DST_NAMES.includes(x));
}

export const csvFormat: FormatRecord = {
  name: "csv",
  stage: "events",
  sniffLine: sniffCsvHeader,
  headerOnly: true,
  create: (o) => createCsvDecoder(o),
  doc: { detectedBy: "a header naming source and destination columns", notes: "columns found by name (`src`, `Source IP`, `destination.port`, ...) or `--csv-columns src=From,dport=Port`" },
};
