/**
 * Windows Defender Firewall log (pfirewall.log), W3C extended log format: "#Version", "#Software",
 * "#Time Format" and "#Fields:" header lines, then space-separated rows with "-" for empty fields.
 * The column order is read from the "#Fields:" line (Windows Firewall 1.5 appends "pid" on newer
 * systems); before one is seen the documented default order is assumed:
 *   date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin
 *   icmptype icmpcode info path
 * Actions: ALLOW, DROP, and on older systems OPEN / CLOSE / OPEN-INBOUND (a connection the firewall let
 * through); INFO-EVENTS-LOST rows are bookkeeping, skipped with their own reason.
 */
import {
  ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
  TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, commit, protocolNumber, reserve, type EventBatch,
} from "../batch.js";
import type { InputStats } from "../stats.js";
import { parseIPv4Bytes, parseIPv6 } from "../../net/addr.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import { readTime } from "./syslog-time.js";
import { icmpNotAFlow } from "./netfilter.js";
import type { DecodeOptions } from "./options.js";
import type { Decoder } from "../decoder.js";

const DEFAULT_FIELDS = "date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path";
const MAX_TOKENS = 64;

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
  private readonly tok = new Int32Array(MAX_TOKENS * 2);
  private readonly v6 = new Uint32Array(4);
  private readonly actionIds = new Map<string, { id: number; action: number }>();
  private readonly protoIds = new Map<string, number>();

  constructor(private readonly opts: DecodeOptions) {}

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean {
    if (start === end) { stats.skip("blank", lineNo); return true; }
    if (b[start] === 35) {
      // "#Fields: ..." sets the column order; other "#" lines are headers.
      const text = b.toString("utf8", start, end);
      if (/^#Fields:/i.test(text)) {
        const cols = columnsFrom(text.slice(8).trim().split(/\s+/).map((f) => f.toLowerCase()));
        if (typeof cols === "string") { stats.skip("bad-fields-header", lineNo, text); return true; }
        this.cols = cols;
      }
      stats.skip("header", lineNo);
      return true;
    }
    // Tokenise on spaces.
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
    const c = this.cols;
    const get = (col: number): [number, number] | null => {
      if (col < 0 || col >= n) return null;
      const s = tok[col * 2]!, e = tok[col * 2 + 1]!;
      return e - s === 1 && b[s] === 45 ? null : [s, e];
    };
    const action = get(c.action);
    const protocol = get(c.protocol);
    const src = get(c.src);
    const dst = get(c.dst);
    if (!action || !protocol) { stats.skip("not-windows-firewall", lineNo, lineText(b, start, end)); return true; }

    const actionText = b.toString("latin1", action[0], action[1]).toUpperCase();
    let a = this.actionIds.get(actionText);
    if (!a) {
      const code = actionText.includes("DROP") ? ACTION_BLOCKED
        : actionText === "ALLOW" || actionText.startsWith("OPEN") || actionText === "CLOSE" ? ACTION_ALLOWED
        : ACTION_UNKNOWN;
      a = { id: batch.labels.intern(actionText), action: code };
      this.actionIds.set(actionText, a);
    }
    if (actionText === "INFO-EVENTS-LOST") { stats.skip("info-events-lost", lineNo); return true; }
    if (!src || !dst) { stats.skip("missing-address", lineNo, lineText(b, start, end)); return true; }

    const slot = reserve(batch);
    batch.position[slot] = lineNo;
    batch.label[slot] = a.id;
    batch.action[slot] = a.action;
    const dt = get(c.date);
    if (dt) batch.time[slot] = readTime(b, dt[0], end, this.opts.year, this.opts.nowMs).time;

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

export function createWindowsFirewallDecoder(opts: DecodeOptions): Decoder {
  return createLineDecoder(new WindowsFirewallFormat(opts));
}
