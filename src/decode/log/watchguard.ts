/**
 * WatchGuard Firebox (Fireware OS) traffic logs, in the forms a syslog server receives them:
 * - Syslog, positional after the message id (Fireware "Read a Log Message"; Fireware Log Catalog,
 *   message 3000-0148 "Allowed/denied packet"):
 *     firewall: msg_id="3000-0148" Allow 1-Trusted 0-External 60 tcp 20 64 10.0.1.5 203.0.113.9 51514 443
 *       offset 10 S 3141592 win 8192 (Outgoing-00)
 *     firewall: msg_id="3000-0148" Allow Trusted Firebox 60 icmp 20 128 192.168.100.99 192.168.100.254 8 0 id=1 seq=2 (Ping-00)
 *   disposition, source and destination interface (names may hold spaces: "WAN - Aruba"), packet length,
 *   protocol, header length, TTL, source, destination, then ports (TCP/UDP) or type and code (ICMP).
 * - The Traffic Monitor layout, which newer Fireware also sends:
 *     Allow 10.0.1.2 100.100.100.11 http/tcp 42017 80 Trusted External Allowed (HTTP-proxy.1-00) ... msg_id="3000-0176"
 *     Deny 10.0.1.131 10.0.1.1 echo-request/icmp Trusted Firebox Denied 84 64 (Ping-00) ... type="8"
 * - LEEF (Fireware's "IBM LEEF" syslog format), tab-separated, or "1.0|WatchGuard|..." with rsyslog's
 *   "#011" for the tabs: disp=Allow|Deny, src, srcPort, dst, dstPort, proto, policy, msg.
 * A record is traffic when it states a disposition (Allow/Deny) for a source and a destination. Proxy
 * records are traffic when their proxy action decides the connection (ProxyAllow, ProxyDeny, ProxyDrop,
 * ProxyBlock, or the proxy's "HTTP request" / "DNS request" log); content handling of an allowed
 * connection (ProxyAvScan, ProxyStrip, ProxyReplace...) is not. Events (authentication, SSL VPN,
 * DHCP...) carry no disposition and are skipped with the logging process's name.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import type { FlowFields, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";
import { cefTime, ianaProtocol, leefStart, mappedAction, parseLeef } from "./cef.js";
import { readTime, skipPriority } from "./syslog-time.js";

/** The syslog header's time in front of `end` (the relay's stamp), NaN when there is none. */
function syslogTime(line: string, end: number, ctx: ParseContext): number {
  if (end <= 0) return NaN;
  const b = Buffer.from(line.slice(0, Math.min(end, 80)), "latin1");
  return readTime(b, skipPriority(b, 0, b.length), b.length, ctx.opts.year, ctx.opts.nowMs).time;
}

const LEEF_SNIFF = /(?:LEEF:[12]\.0|(?:^|[\s>])\d\.\d)\|WatchGuard\|/;
const MSG_ID = /\bmsg_id="([0-9A-Fa-f]{4}-[0-9A-Fa-f]{4})"/;

const IP = String.raw`(\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]+)`;
const PROTO = String.raw`(tcp|udp|icmp|icmp6|icmpv6|ipv6-icmp|igmp|gre|esp|ah|sctp|pim|ospf|vrrp|l2tp|\d{1,3})`;
/**
 * Syslog: disposition, interfaces, [len] proto [hlen ttl] src dst [a b], right after the message id.
 * The interface names are bounded so a hostile line costs linear time.
 */
const SYSLOG_BODY = new RegExp(String.raw`^\s*(Allow|Deny)\s+(.{1,120}?)\s+(?:\d+\s+)?${PROTO}\s+(?:\d+\s+\d+\s+)?${IP}\s+${IP}(?:\s+(\d+)\s+(\d+))?(?=\s|$)`, "i");
/** Traffic Monitor: disposition src dst service/proto [sport dport]. */
const MONITOR_BODY = new RegExp(String.raw`\b(Allow|Deny)\s+${IP}\s+${IP}\s+\S*?\/${PROTO}(?:\s+(\d+)\s+(\d+))?(?=\s|$)`, "i");
const POLICY = /\(([^()]+)\)(?=\s+(?:proc_id=|msg_id=|\w+=|$)|\s*$)/;

function disposition(word: string | undefined): ActionCode {
  const w = (word ?? "").trim().toLowerCase();
  if (w === "allow" || w === "allowed") return ACTION_ALLOWED;
  if (w === "deny" || w === "denied" || w === "drop" || w === "block") return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

/**
 * A proxy's message names its action first ("ProxyDeny: HTTP Request categories"). Actions on the
 * connection are verdicts; the others act on content inside a connection already allowed.
 */
function proxyContentAction(msg: string | undefined): string | undefined {
  const m = msg ? /^Proxy([A-Za-z]+):/.exec(msg.trim()) : null;
  if (!m) return undefined;
  const a = m[1]!.toLowerCase();
  return a === "allow" || a === "deny" || a === "drop" || a === "block" || a === "reset" ? undefined : a;
}

function label(disp: string, policy: string | undefined, msg: string | undefined): string {
  return `${disp}${policy ? ` (${policy})` : ""}${msg ? ` ${msg}` : ""}`;
}

/** "LEEF:1.0|WatchGuard|..." or the header without its tag, "1.0|WatchGuard|...". */
function leefAt(line: string): number {
  const at = leefStart(line);
  if (at >= 0) return at;
  const m = /(?:^|[\s>])(\d\.\d\|WatchGuard\|)/.exec(line);
  return m ? m.index + m[0].length - m[1]!.length : -1;
}

function parseLeefForm(line: string, ctx: ParseContext): ParseResult {
  const at = leefAt(line);
  const r = at >= 0 ? parseLeef(line, at) : null;
  if (!r || r.vendor !== "WatchGuard") return { skip: "not-watchguard" };
  const a = r.attrs;
  const disp = a.get("disp");
  const msg = a.get("msg");
  if (disp === undefined || (a.get("src") === undefined && a.get("dst") === undefined)) {
    return { skip: `not-traffic:${/^[0-9A-F]{8}$/i.test(r.eventId) ? `msg-${r.eventId.slice(0, 4).toLowerCase()}` : "event"}` };
  }
  const content = proxyContentAction(msg);
  if (content) return { skip: `not-traffic:proxy-${content}` };
  const flow: FlowFields = {
    src: a.get("src") ?? "", dst: a.get("dst") ?? "", proto: ianaProtocol(a.get("proto") ?? ""),
    sport: a.get("srcPort"), dport: a.get("dstPort"), icmpType: a.get("type"), icmpCode: a.get("code"),
    action: mappedAction(disp, ctx, disposition),
    label: label(disp, a.get("policy"), msg),
  };
  // A record that names no protocol cannot be checked against ports (and "" would read as IP protocol 0).
  if (String(flow.proto).trim() === "") return { skip: "missing-protocol" };
  let t = cefTime(a.get("devTime"), ctx.opts.year);
  if (!Number.isFinite(t)) t = syslogTime(line, at, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

function quoted(line: string, key: string): string | undefined {
  const m = new RegExp(String.raw`\b${key}="([^"]*)"`).exec(line);
  return m?.[1];
}

function parseSyslogForm(line: string, ctx: ParseContext): ParseResult {
  const id = MSG_ID.exec(line);
  if (!id) return { skip: "not-watchguard" };
  const idAt = id.index;
  const msg = quoted(line, "msg");
  const content = proxyContentAction(msg);
  const body = line.slice(idAt + id[0].length);
  const sys = SYSLOG_BODY.exec(body);
  const mon = sys ? null : MONITOR_BODY.exec(line.slice(0, idAt)) ?? MONITOR_BODY.exec(body);
  if (!sys && !mon) {
    // A disposition right after the id, but not the layout above: a traffic record this reader cannot place.
    if (/^\s*(?:Allow|Deny)\s/i.test(body)) return { skip: "unrecognised-layout" };
    const prog = /([A-Za-z][\w-]*)(?:\[\d+\])?:\s*$/.exec(line.slice(0, idAt));
    return { skip: `not-traffic:${(prog?.[1] ?? `msg-${id[1]!.slice(0, 4)}`).toLowerCase()}` };
  }
  if (content) return { skip: `not-traffic:proxy-${content}` };
  let flow: FlowFields;
  if (sys) {
    const proto = sys[3]!.toLowerCase();
    const icmp = proto.startsWith("icmp") || proto === "ipv6-icmp";
    flow = {
      src: sys[4]!, dst: sys[5]!, proto: ianaProtocol(proto), action: mappedAction(sys[1]!, ctx, disposition),
      ...(icmp ? { icmpType: sys[6], icmpCode: sys[7] } : { sport: sys[6], dport: sys[7] }),
    };
  } else {
    const proto = mon![4]!.toLowerCase();
    const icmp = proto.startsWith("icmp") || proto === "ipv6-icmp";
    flow = {
      src: mon![2]!, dst: mon![3]!, proto: ianaProtocol(proto), action: mappedAction(mon![1]!, ctx, disposition),
      ...(icmp ? { icmpType: quoted(line, "type"), icmpCode: quoted(line, "code") } : { sport: mon![5], dport: mon![6] }),
    };
  }
  const disp = (sys ?? mon)![1]!;
  flow.label = label(disp, POLICY.exec(line)?.[1], msg);
  const t = syslogTime(line, idAt, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

function parseWatchguard(line: string, ctx: ParseContext): ParseResult {
  if (LEEF_SNIFF.test(line)) return parseLeefForm(line, ctx);
  return parseSyslogForm(line, ctx);
}

export const watchguardFormat: TextFormatSpec = {
  name: "watchguard",
  doc: { detectedBy: "Fireware message ids `3000-0148` and friends, WatchGuard CEF", notes: "WatchGuard Firebox traffic logs, positional syslog and CEF" },
  sniff: (line) => LEEF_SNIFF.test(line) || MSG_ID.test(line),
  parse: parseWatchguard,
};
