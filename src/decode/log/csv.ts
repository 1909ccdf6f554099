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
import { parseAddr } from "../../net/addr.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import { readTime } from "./syslog-time.js";
import { icmpNotAFlow, isBlank } from "./netfilter.js";
import type { DecodeOptions } from "./options.js";
import type { Decoder } from "../decoder.js";

export const CSV_FIELDS = ["src", "dst", "sport", "dport", "proto", "action", "time", "type"] as const;
export type CsvField = (typeof CSV_FIELDS)[number];

const ALIASES: Record<CsvField, string[]> = {
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

export function actionFromWord(w: string): number {
  switch (w.trim().toLowerCase()) {
    case "allow": case "allowed": case "accept": case "accepted": case "pass": case "passed": case "permit":
    case "permitted": case "ok": case "success": case "open": case "established":
      return ACTION_ALLOWED;
    case "deny": case "denied": case "drop": case "dropped": case "reject": case "rejected": case "block":
    case "blocked": case "fail": case "failure": case "refused": case "reset":
      return ACTION_BLOCKED;
    default:
      return ACTION_UNKNOWN;
  }
}

export class CsvFormat implements LineFormat {
  readonly format = "csv";
  private cols: Record<CsvField, number> | null = null;
  private headerTried = false;
  private readonly words = new Uint32Array(4);
  private readonly actionIds = new Map<string, { id: number; action: number }>();

  constructor(private readonly opts: DecodeOptions) {}

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
        for (const alias of ALIASES[f]) {
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
    stats.skip("header", lineNo);
  }

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean {
    if (isBlank(b, start, end)) { stats.skip("blank", lineNo); return true; }
    // A comment is one line, whatever quotes it holds.
    if (b[start] === 35) { stats.skip("comment", lineNo); return true; }
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
      const t = num(get(c.type) || get(c.dport));
      if (t < 0 || t > 255) { stats.skip("missing-icmp-type", lineNo, lineText(b, start, end)); return true; }
      batch.icmpType[slot] = t;
      const notFlow = icmpNotAFlow(proto, t);
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
}

export function createCsvDecoder(opts: DecodeOptions): Decoder {
  return createLineDecoder(new CsvFormat(opts));
}
