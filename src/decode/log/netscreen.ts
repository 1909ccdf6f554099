/**
 * Juniper NetScreen / ScreenOS event and traffic logs:
 *   "Jun  2 14:55:46 fire00 fire00: NetScreen device_id=fire00 [Root]system-notification-00257(traffic):
 *    start_time="2006-06-02 14:55:45" duration=0 policy_id=119 service=udp/port:7001 proto=17
 *    src zone=Trust dst zone=Untrust action=Deny sent=0 rcvd=0 src=192.168.2.1 dst=1.2.3.4
 *    src_port=3036 dst_port=7001 [src-xlated ip=... port=... dst-xlated ip=... port=...] [session_id=...
 *    reason=...]"
 * Message 00257 ("traffic") is the policy traffic log (ScreenOS Message Log Reference Guide, 00257:
 * action Permit, Deny, Reject or Tunnel; proto is the IANA number). Every other message (screen alarms
 * such as 00016 port scan or 00008 IP spoofing, VPN, admin and system events) is not a flow and is
 * counted as "not-traffic:screenos-<code>".
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { readTime } from "./syslog-time.js";
import { parseKeyValues, type FlowFields, type ParseContext, type ParseResult, type TextFormatSpec } from "./text-format.js";

/** "[Root]system-notification-00257(traffic):" — vsys in brackets, level, five-digit code, optional kind. */
const EVENT = /(?:\[[^\]]*\])?system-(emergency|alert|critical|error|warning|notification|information|informational|debugging|debug)-(\d{5})(?:\(([^)]*)\))?:\s*/;
const START_TIME = /start_time=\\?"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\\?"/;
/** A custom service without a predefined name: "service=tcp/port:120". */
const SERVICE_PORT = /\bservice=(?:tcp|udp)\/port:(\d+)/i;

/** ScreenOS policy actions (00257): Permit and Tunnel pass the traffic, Deny and Reject drop it. */
function actionOf(a: string | undefined): ActionCode {
  switch ((a ?? "").toLowerCase()) {
    case "permit": case "tunnel": return ACTION_ALLOWED;
    case "deny": case "reject": return ACTION_BLOCKED;
    default: return ACTION_UNKNOWN;
  }
}

function timeOf(line: string, eventAt: number, ctx: ParseContext): number | undefined {
  // The device's own session time has a year; the relay's RFC 3164 header has none.
  const st = START_TIME.exec(line);
  if (st) return Date.UTC(Number(st[1]), Number(st[2]) - 1, Number(st[3]), Number(st[4]), Number(st[5]), Number(st[6]));
  const b = Buffer.from(line.slice(0, Math.min(eventAt, 48)), "latin1");
  let i = 0;
  if (b[0] === 60) { const gt = b.indexOf(62); if (gt > 0 && gt < 5) i = gt + 1; }
  const r = readTime(b, i, b.length, ctx.opts.year, ctx.opts.nowMs);
  return Number.isNaN(r.time) ? undefined : r.time;
}

export function parseNetscreen(line: string, ctx: ParseContext): ParseResult {
  const ev = EVENT.exec(line);
  if (!ev) return { skip: line.includes("NetScreen device_id=") ? "not-traffic:system" : "not-netscreen" };
  const code = ev[2]!;
  if (code !== "00257" || (ev[3] !== undefined && ev[3].toLowerCase() !== "traffic")) return { skip: `not-traffic:screenos-${code}` };
  const kv = parseKeyValues(line, ev.index + ev[0].length);
  const src = kv.get("src");
  const dst = kv.get("dst");
  if (src === undefined || dst === undefined) return { skip: "missing-address" };
  const protoField = kv.get("proto");
  const proto: string | number = protoField !== undefined && /^\d{1,3}$/.test(protoField) ? Number(protoField) : (protoField ?? "");
  const action = kv.get("action");
  const f: FlowFields = { src, dst, proto, action: actionOf(action), label: action ? `00257 ${action}` : "00257" };
  if (proto === 1 || proto === 58) {
    // ICMP sessions are logged as "icmp type=8 icmp code=0" (the keys read as "type" and "code").
    const t = /\bicmp type=(\d+)/.exec(line);
    const c = /\bicmp code=(\d+)/.exec(line);
    if (t) f.icmpType = t[1];
    if (c) f.icmpCode = c[1];
  } else {
    f.sport = kv.get("src_port");
    f.dport = kv.get("dst_port") ?? SERVICE_PORT.exec(line)?.[1];
  }
  const time = timeOf(line, ev.index, ctx);
  if (time !== undefined) f.time = time;
  return f;
}

export const netscreenFormat: TextFormatSpec = {
  name: "netscreen",
  doc: { detectedBy: "`NetScreen device_id=`", notes: "Juniper NetScreen / ScreenOS traffic logs (`action=Permit/Deny`)" },
  sniff: (line) => line.includes("NetScreen device_id=") || EVENT.test(line),
  parse: parseNetscreen,
};
