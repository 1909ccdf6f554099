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
  ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, BLOCKED_BY_DESTINATION, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
  TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, commit, protocolNumber, reserve, type EventBatch,
} from "../batch.js";
import type { InputStats } from "../stats.js";
import { parseIPv4Bytes } from "../../net/addr.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import { isBlank, parseIPv6Bytes } from "./text-bytes.js";
import { icmpNotAFlow } from "../icmp.js";
import { utcDay } from "./syslog-time.js";
import type { DecodeOptions } from "./options.js";
import type { Decoder } from "../decoder.js";
import { ByteKeys } from "./byte-keys.js";
import type { FormatRecord } from "../format.js";
import { WfwFastPath } from "./windows-firewall-wasm.js";
import { logDecoderKind } from "./wasm-rows.js";

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

interface ActionEntry {
  /** The action word as the report shows it (upper case). */
  text: string;
  /** Set once the row has reached the point where the word becomes a label. */
  label: { id: number; action: number } | undefined;
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
  private readonly actionBytes = new ByteKeys<ActionEntry>();
  private readonly protoBytes = new ByteKeys<number>();
  /** Tokens of the current row. */
  private n = 0;

  /** The WebAssembly reader of ordinary rows (windows-firewall-wasm.ts), when used. */
  private readonly fast: WfwFastPath | undefined;

  /** Rows carry full dates, so no option (year, action map) applies; the parameter keeps the factories alike. */
  constructor(_opts: DecodeOptions, fast?: WfwFastPath) {
    this.fast = fast;
    fast?.columns(this.cols, this.fieldCount);
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

  /** Start of column `col`'s token, or -1 when the row has no such column or it holds "-". */
  private at(b: Uint8Array, col: number): number {
    if (col < 0 || col >= this.n || col >= MAX_TOKENS) return -1;
    const s = this.tok[col * 2]!;
    return this.tok[col * 2 + 1]! - s === 1 && b[s] === 45 ? -1 : s;
  }

  /** End of column `col`'s token (after `at` said it is there). */
  private endOf(col: number): number {
    return this.tok[col * 2 + 1]!;
  }

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
        this.fast?.columns(cols, fields.length);
      }
      stats.skip("header", lineNo);
      return true;
    }
    // Tokenise on spaces; one token more than MAX_TOKENS is enough to know the row is too long.
    const tok = this.tok;
    let n = 0;
    let i = start;
    while (i < end && n < MAX_TOKENS) {
      let c = b[i]!;
      while (c === 32 || c === 9) {
        if (++i >= end) break;
        c = b[i]!;
      }
      if (i >= end) break;
      const s = i;
      i++;
      while (i < end) {
        c = b[i]!;
        if (c === 32 || c === 9) break;
        i++;
      }
      tok[n * 2] = s;
      tok[n * 2 + 1] = i;
      n++;
    }
    while (i < end && (b[i] === 32 || b[i] === 9)) i++;
    if (i < end) n = MAX_TOKENS + 1;
    this.n = n;
    const c = this.cols;
    // A row starts with its date and time; anything else is a line of another log.
    const dt = this.at(b, c.date);
    const tm = this.at(b, c.time);
    const time = dt >= 0 && tm >= 0 ? rowTime(b, dt, this.endOf(c.date), tm, this.endOf(c.time)) : NaN;
    if (time !== time) { stats.skip("not-windows-firewall", lineNo, lineText(b, start, end)); return true; }

    const as = this.at(b, c.action);
    let act: ActionEntry | undefined;
    if (as >= 0) {
      const ae = this.endOf(c.action);
      act = this.actionBytes.find(b, as, ae) ?? this.actionBytes.add(b, as, ae, { text: b.toString("latin1", as, ae).toUpperCase(), label: undefined });
    }
    // Bookkeeping, not traffic: the firewall could not write some events (all other fields are "-").
    if (act !== undefined && act.text === "INFO-EVENTS-LOST") { stats.skip("info-events-lost", lineNo); return true; }
    // W3C extended log format: every row has one value per "#Fields:" name ("-" when empty). A row with
    // fewer was cut (a log still being written, a copy that lost its end); one with more is two rows run
    // together. Either way its columns cannot be trusted.
    const want = this.fieldCount;
    if (want > 0 ? n < want : n < DEFAULT_FIELD_COUNT) { stats.skip("truncated-row", lineNo, lineText(b, start, end)); return true; }
    if (want > 0 ? n > want : n > DEFAULT_FIELD_COUNT + 1) { stats.skip("extra-fields", lineNo, lineText(b, start, end)); return true; }

    const ps = this.at(b, c.protocol);
    if (act === undefined || ps < 0) { stats.skip("not-windows-firewall", lineNo, lineText(b, start, end)); return true; }
    let a = act.label;
    if (!a) {
      const actionText = act.text;
      a = this.actionIds.get(actionText);
      if (!a) {
        // ALLOW/DROP; XP-era logs write OPEN, CLOSE and OPEN-INBOUND for connections the firewall let through.
        const code = actionText.includes("DROP") ? ACTION_BLOCKED
          : actionText === "ALLOW" || actionText.startsWith("OPEN") || actionText === "CLOSE" ? ACTION_ALLOWED
          : ACTION_UNKNOWN;
        a = { id: batch.labels.intern(actionText), action: code };
        this.actionIds.set(actionText, a);
      }
      act.label = a;
    }
    const ss = this.at(b, c.src);
    const ds = this.at(b, c.dst);
    if (ss < 0 || ds < 0) { stats.skip("missing-address", lineNo, lineText(b, start, end)); return true; }

    const slot = reserve(batch);
    batch.position[slot] = lineNo;
    batch.label[slot] = a.id;
    batch.action[slot] = a.action;
    batch.time[slot] = time;
    // Windows Firewall is a host firewall: a packet it dropped on RECEIVE was addressed to this host,
    // so the destination's own firewall stopped it (SEND: this host's outbound rules, on the way).
    const pathAt = this.at(b, c.path);
    if (pathAt >= 0 && this.endOf(c.path) - pathAt === 7 && b[pathAt] === 82 && b[pathAt + 2] === 67) batch.blockedBy[slot] = BLOCKED_BY_DESTINATION;

    const fs = this.address(b, ss, this.endOf(c.src), batch.src, slot * 4);
    if (fs === 0) { stats.skip("bad-address", lineNo, lineText(b, start, end)); return true; }
    const fd = this.address(b, ds, this.endOf(c.dst), batch.dst, slot * 4);
    if (fd === 0 || fd !== fs) { stats.skip("bad-address", lineNo, lineText(b, start, end)); return true; }
    const family = fs;
    batch.family[slot] = family;

    const pe = this.endOf(c.protocol);
    let proto = this.protoBytes.find(b, ps, pe);
    if (proto === undefined) {
      const pt = b.toString("latin1", ps, pe);
      proto = this.protoIds.get(pt);
      if (proto === undefined) {
        proto = protocolNumber(pt) ?? -1;
        this.protoIds.set(pt, proto);
      }
      this.protoBytes.add(b, ps, pe, proto);
    }
    if (proto < 0) { stats.skip("unknown-protocol", lineNo, lineText(b, start, end)); return true; }
    const pe0 = pe;
    // Windows logs ICMPv6 as protocol "ICMPv6" or 58; some versions log it as ICMP with an IPv6 address.
    if (proto === PROTO_ICMP && family === 6) proto = PROTO_ICMPV6;
    batch.proto[slot] = proto;

    if (proto === PROTO_TCP || proto === PROTO_UDP) {
      const sp = this.at(b, c.sport);
      const dp = this.at(b, c.dport);
      const s = sp >= 0 ? uint(b, sp, this.endOf(c.sport)) : -1;
      const d = dp >= 0 ? uint(b, dp, this.endOf(c.dport)) : -1;
      if (s < 0 || d < 0 || s > 65535 || d > 65535) { stats.skip("missing-port", lineNo, lineText(b, start, end)); return true; }
      batch.srcPort[slot] = s;
      batch.dstPort[slot] = d;
      if (proto === PROTO_TCP) {
        const f = this.at(b, c.flags);
        if (f >= 0) {
          // Letters as Windows writes them: S(YN) A(CK) F(IN) R(ST) P(SH) U(RG).
          let flags = 0;
          const fe = this.endOf(c.flags);
          for (let k = f; k < fe; k++) {
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
      // A used row teaches the fast path its words (windows-firewall-wasm.ts): the same bytes always
      // give the same label, action and protocol.
      if (this.fast !== undefined) {
        this.fast.learnAction(b, as, this.endOf(c.action), a.id, a.action);
        this.fast.learnProto(b, ps, pe0, proto);
      }
    } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
      const t = this.at(b, c.icmptype);
      const cd = this.at(b, c.icmpcode);
      // "-" (or no field): a flow of unknown ICMP type (icmpType NONE), matched as such.
      const read = t >= 0 ? uint(b, t, this.endOf(c.icmptype)) : -1;
      const type = read > 255 ? -1 : read;
      batch.icmpType[slot] = type;
      batch.icmpCode[slot] = cd >= 0 ? uint(b, cd, this.endOf(c.icmpcode)) : -1;
      const notFlow = type < 0 ? undefined : icmpNotAFlow(proto, type);
      if (notFlow) { stats.skip(notFlow, lineNo); return true; }
      // The fast path takes ICMP between IPv4 addresses only (its protocol word means ICMP there).
      if (this.fast !== undefined && proto === PROTO_ICMP) {
        this.fast.learnAction(b, as, this.endOf(c.action), a.id, a.action);
        this.fast.learnProto(b, ps, pe0, proto);
      }
    }
    commit(batch);
    stats.use();
    return true;
  }

  /** An address column into words[o..o+3]: 4 or 6, or 0 when it is none. */
  private address(b: Buffer, s: number, e: number, words: Uint32Array, o: number): number {
    const v4 = parseIPv4Bytes(b, s, e);
    if (v4 >= 0) { words[o] = v4; return 4; }
    if (parseIPv6Bytes(b, s, e, this.v6)) { words.set(this.v6, o); return 6; }
    return 0;
  }
}

/**
 * "YYYY-MM-DD" and "HH:MM:SS" columns as ms since the epoch, or NaN when either is not one.
 * "#Time Format: Local" says the stamps are the machine's local time, which the log does not name: they
 * are read as UTC.
 */
function rowTime(b: Uint8Array, d0: number, d1: number, t0: number, t1: number): number {
  if (d1 - d0 !== 10 || t1 - t0 < 8 || b[d0 + 4] !== 45 || b[d0 + 7] !== 45 || b[t0 + 2] !== 58 || b[t0 + 5] !== 58) return NaN;
  const y = uint(b, d0, d0 + 4);
  const mo = uint(b, d0 + 5, d0 + 7);
  const da = uint(b, d0 + 8, d0 + 10);
  const hh = uint(b, t0, t0 + 2);
  const mm = uint(b, t0 + 3, t0 + 5);
  const ss = uint(b, t0 + 6, t0 + 8);
  if (y < 0 || mo < 1 || mo > 12 || da < 1 || da > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) return NaN;
  let ms = 0;
  if (t1 - t0 > 8) {
    // Fractions of a second, if a writer adds them ("08:05:57.123").
    if (b[t0 + 8] !== 46) return NaN;
    let scale = 100;
    for (let k = t0 + 9; k < t1; k++) {
      const ch = b[k]!;
      if (ch < 48 || ch > 57) return NaN;
      ms += (ch - 48) * scale;
      scale /= 10;
    }
  }
  return utcDay(y, mo - 1, da) + (hh * 3600000 + mm * 60000 + ss * 1000) + ms;
}

/** `kind` "js" reads every line with the reference (WindowsFirewallFormat.line) alone. */
export function createWindowsFirewallDecoder(opts: DecodeOptions, batchCapacity?: number, kind = logDecoderKind()): Decoder {
  const fast = kind === "wasm" ? new WfwFastPath(batchCapacity) : undefined;
  return createLineDecoder(new WindowsFirewallFormat(opts, fast), batchCapacity);
}

/** Windows Firewall: its W3C header lines, or a data row "2024-01-02 03:04:05 DROP TCP a b ...". */
export function sniffWindowsFirewall(line: string): boolean {
  return /^#Fields:\s+date\s+time\s+action/i.test(line) || /^#Software:\s+Microsoft Windows Firewall/i.test(line) ||
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (ALLOW|DROP|OPEN|CLOSE|OPEN-INBOUND|INFO-EVENTS-LOST) \S+ \S+ \S+ /.test(line);
}

export const windowsFirewallFormat: FormatRecord = {
  name: "windows-firewall",
  stage: "events",
  sniffLine: sniffWindowsFirewall,
  create: (o) => createWindowsFirewallDecoder(o),
  doc: { detectedBy: "`#Fields: date time action` / `#Software: Microsoft Windows Firewall`", notes: "pfirewall.log; the column order comes from the `#Fields:` line" },
};
