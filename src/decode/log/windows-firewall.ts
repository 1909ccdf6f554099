/**
 * Windows Defender Firewall log (pfirewall.log), W3C extended log format: "#Version", "#Software",
 * "#Time Format" and "#Fields:" header lines, then space-separated rows with "-" for empty fields.
 * The column order is read from the "#Fields:" line (Windows Firewall 1.5 appends "pid" on newer
 * systems); before one is seen the documented default order is assumed:
 *   date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin
 *   icmptype icmpcode info path
 * Actions: ALLOW, DROP, and on older systems OPEN / CLOSE / OPEN-INBOUND (a connection the firewall let
 * through); INFO-EVENTS-LOST rows are bookkeeping, skipped with their own reason. A row whose token count
 * differs from the "#Fields:" line is skipped ("truncated-row", "extra-fields").
 */
import {
  ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
  TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, commit, protocolNumber, reserve, type EventBatch,
} from "../batch.js";
import type { InputStats } from "../stats.js";
import { parseIPv4Bytes, parseIPv6 } from "../../net/addr.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import { icmpNotAFlow, isBlank } from "./netfilter.js";
import type { DecodeOptions } from "./options.js";
import type { Decoder } from "../decoder.js";

const DEFAULT_FIELDS = "date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path";
const DEFAULT_FIELD_COUNT = 17;
const MAX_TOKENS = 64;
/** URG as in the TCP header (RFC 9293 section 3.1); batch.ts names the other flags. */
const TCP_URG = 0x20;

interface Columns {
  date: number; time: number; action: number; protocol: number; src: number; dst: number;
  sport: number; dport: number; flags: number; icmptype: number; icmpcode: number; path: number;
}

function columnsFrom(fields: string[]): Columns | string {
  const at = (n: string) => fields.indexOf(n);
  const c: Columns = {
    date: at("date"), time: at("time"), action: at("action"), protocol: at("protocol"), src: at("src-ip"),
    dst: at("dst-ip"), sport: at("src-port"), dport: at("dst-port"), flags: at("tcpflags"),
    icmptype: at("icmptype"), icmpcode: at("icmpcode"), path: at("path"),
  };
  const missing = (["action", "protocol", "src", "dst"] as const).filter((k) => c[k] < 0);
  if (missing.length > 0) return `#Fields line lacks ${missing.map((m) => (m === "src" ? "src-ip" : m === "dst" ? "dst-ip" : m)).join(", ")}`;
  return c;
}

function uint(b: Uint8Array, s: number, e: number): number {
  if (s >= e || e - s > 9) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const ch = b[i]!;
    if (ch < 48 || ch > 57) return -1;
    v = v * 10 + (ch - 48);
  }
  return v;
}

export class WindowsFirewallFormat implements LineFormat {
  readonly format = "windows-firewall";
  private cols: Columns = columnsFrom(DEFAULT_FIELDS.split(" ")) as Columns;
  /** Tokens a row must have: the "#Fields:" count, or 17 (or 18 with "pid") before one is seen. */
  private fieldCount = 0;
  private readonly tok = new Int32Array(MAX_TOKENS * 2);
  private readonly v6 = new Uint32Array(4);
  private readonly actionIds = new Map<string, { id: number; action: number }>();
  private readonly protoIds = new Map<string, number>();

  /** Rows carry full dates, so no option (year, action map) applies; the parameter keeps the factories alike. */
  constructor(_opts: DecodeOptions) {}

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean {
    if (isBlank(b, start, end)) { stats.skip("blank", lineNo); return true; }
    if (b[start] === 35) {
      // "#Fields: ..." sets the column order; other "#" lines are headers.
      const text = b.toString("utf8", start, end);
      if (/^#Fields:/i.test(text)) {
        const fields = text.slice(8).trim().split(/\s+/).map((f) => f.toLowerCase());
        const cols = columnsFrom(fields);
        if (typeof cols === "string") { stats.skip("bad-fields-header", lineNo, text); return true; }
        this.cols = cols;
        this.fieldCount = fields.length;
      }
      stats.skip("header", lineNo);
      return true;
    }
    // Tokenise on spaces; one token more than MAX_TOKENS is enough to know the row is too long.
    const tok = this.tok;
    let n = 0;
    let i = start;
    while (i < end && n < MAX_TOKENS) {
      while (i < end && (b[i] === 32 || b[i] === 9)) i++;
      if (i >= end) break;
      const s = i;
      while (i < end && b[i] !== 32 && b[i] !== 9) i++;
      tok[n * 2] = s;
      tok[n * 2 + 1] = i;
      n++;
    }
    while (i < end && (b[i] === 32 || b[i] === 9)) i++;
    if (i < end) n = MAX_TOKENS + 1;
    const c = this.cols;
    const get = (col: number): [number, number] | null => {
      if (col < 0 || col >= n || col >= MAX_TOKENS) return null;
      const s = tok[col * 2]!, e = tok[col * 2 + 1]!;
      return e - s === 1 && b[s] === 45 ? null : [s, e];
    };
    // A row starts with its date and time; anything else is a line of another log.
    const dt = get(c.date);
    const tm = get(c.time);
    const time = dt && tm ? rowTime(b, dt, tm) : NaN;
    if (Number.isNaN(time)) { stats.skip("not-windows-firewall", lineNo, lineText(b, start, end)); return true; }

    const action = get(c.action);
    const actionText = action ? b.toString("latin1", action[0], action[1]).toUpperCase() : "";
    // Bookkeeping, not traffic: the firewall could not write some events (all other fields are "-").
    if (actionText === "INFO-EVENTS-LOST") { stats.skip("info-events-lost", lineNo); return true; }
    // W3C extended log format: every row has one value per "#Fields:" name ("-" when empty). A row with
    // fewer was cut (a log still being written, a copy that lost its end); one with more is two rows run
    // together. Either way its columns cannot be trusted.
    const want = this.fieldCount;
    if (want > 0 ? n < want : n < DEFAULT_FIELD_COUNT) { stats.skip("truncated-row", lineNo, lineText(b, start, end)); return true; }
    if (want > 0 ? n > want : n > DEFAULT_FIELD_COUNT + 1) { stats.skip("extra-fields", lineNo, lineText(b, start, end)); return true; }

    const protocol = get(c.protocol);
    if (!action || !protocol) { stats.skip("not-windows-firewall", lineNo, lineText(b, start, end)); return true; }
    let a = this.actionIds.get(actionText);
    if (!a) {
      // ALLOW/DROP; XP-era logs write OPEN, CLOSE and OPEN-INBOUND for connections the firewall let through.
      const code = actionText.includes("DROP") ? ACTION_BLOCKED
        : actionText === "ALLOW" || actionText.startsWith("OPEN") || actionText === "CLOSE" ? ACTION_ALLOWED
        : ACTION_UNKNOWN;
      a = { id: batch.labels.intern(actionText), action: code };
      this.actionIds.set(actionText, a);
    }
    const src = get(c.src);
    const dst = get(c.dst);
    if (!src || !dst) { stats.skip("missing-address", lineNo, lineText(b, start, end)); return true; }

    const slot = reserve(batch);
    batch.position[slot] = lineNo;
    batch.label[slot] = a.id;
    batch.action[slot] = a.action;
    batch.time[slot] = time;

    let family = 0;
    for (const [range, words] of [[src, batch.src], [dst, batch.dst]] as const) {
      const v4 = parseIPv4Bytes(b, range[0], range[1]);
      let fam = 0;
      if (v4 >= 0) { words[slot * 4] = v4; fam = 4; }
      else if (parseIPv6(b.toString("latin1", range[0], range[1]), this.v6)) { words.set(this.v6, slot * 4); fam = 6; }
      if (fam === 0 || (family !== 0 && fam !== family)) { stats.skip("bad-address", lineNo, lineText(b, start, end)); return true; }
      family = fam;
    }
    batch.family[slot] = family;

    const pt = b.toString("latin1", protocol[0], protocol[1]);
    let proto = this.protoIds.get(pt);
    if (proto === undefined) {
      proto = protocolNumber(pt) ?? -1;
      this.protoIds.set(pt, proto);
    }
    if (proto < 0) { stats.skip("unknown-protocol", lineNo, lineText(b, start, end)); return true; }
    // Windows logs ICMPv6 as protocol "ICMPv6" or 58; some versions log it as ICMP with an IPv6 address.
    if (proto === PROTO_ICMP && family === 6) proto = PROTO_ICMPV6;
    batch.proto[slot] = proto;

    if (proto === PROTO_TCP || proto === PROTO_UDP) {
      const sp = get(c.sport);
      const dp = get(c.dport);
      const s = sp ? uint(b, sp[0], sp[1]) : -1;
      const d = dp ? uint(b, dp[0], dp[1]) : -1;
      if (s < 0 || d < 0 || s > 65535 || d > 65535) { stats.skip("missing-port", lineNo, lineText(b, start, end)); return true; }
      batch.srcPort[slot] = s;
      batch.dstPort[slot] = d;
      if (proto === PROTO_TCP) {
        const f = get(c.flags);
        if (f) {
          // Letters as Windows writes them: S(YN) A(CK) F(IN) R(ST) P(SH) U(RG).
          let flags = 0;
          for (let k = f[0]; k < f[1]; k++) {
            const ch = b[k]! | 0x20;
            if (ch === 115) flags |= TCP_SYN;
            else if (ch === 97) flags |= TCP_ACK;
            else if (ch === 102) flags |= TCP_FIN;
            else if (ch === 114) flags |= TCP_RST;
            else if (ch === 112) flags |= TCP_PSH;
            else if (ch === 117) flags |= TCP_URG;
          }
          batch.tcpFlags[slot] = flags;
        }
      }
    } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      const t = get(c.icmptype);
      const cd = get(c.icmpcode);
      const type = t ? uint(b, t[0], t[1]) : -1;
      if (type < 0 || type > 255) { stats.skip("missing-icmp-type", lineNo, lineText(b, start, end)); return true; }
      batch.icmpType[slot] = type;
      batch.icmpCode[slot] = cd ? uint(b, cd[0], cd[1]) : -1;
      const notFlow = icmpNotAFlow(proto, type);
      if (notFlow) { stats.skip(notFlow, lineNo); return true; }
    }
    commit(batch);
    stats.use();
    return true;
  }
}

/**
 * "YYYY-MM-DD" and "HH:MM:SS" columns as ms since the epoch, or NaN when either is not one.
 * "#Time Format: Local" says the stamps are the machine's local time, which the log does not name: they
 * are read as UTC.
 */
function rowTime(b: Uint8Array, d: readonly [number, number], t: readonly [number, number]): number {
  if (d[1] - d[0] !== 10 || t[1] - t[0] < 8 || b[d[0] + 4] !== 45 || b[d[0] + 7] !== 45 || b[t[0] + 2] !== 58 || b[t[0] + 5] !== 58) return NaN;
  const y = uint(b, d[0], d[0] + 4);
  const mo = uint(b, d[0] + 5, d[0] + 7);
  const da = uint(b, d[0] + 8, d[0] + 10);
  const hh = uint(b, t[0], t[0] + 2);
  const mm = uint(b, t[0] + 3, t[0] + 5);
  const ss = uint(b, t[0] + 6, t[0] + 8);
  if (y < 0 || mo < 1 || mo > 12 || da < 1 || da > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) return NaN;
  let ms = 0;
  if (t[1] - t[0] > 8) {
    // Fractions of a second, if a writer adds them ("08:05:57.123").
    if (b[t[0] + 8] !== 46) return NaN;
    let scale = 100;
    for (let k = t[0] + 9; k < t[1]; k++) {
      const ch = b[k]!;
      if (ch < 48 || ch > 57) return NaN;
      ms += (ch - 48) * scale;
      scale /= 10;
    }
  }
  return Date.UTC(y, mo - 1, da, hh, mm, ss) + ms;
}

export function createWindowsFirewallDecoder(opts: DecodeOptions): Decoder {
  return createLineDecoder(new WindowsFirewallFormat(opts));
}
