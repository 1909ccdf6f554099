/**
 * Sophos firewalls, both families:
 * - Sophos Firewall (XG / SFOS) syslog, key=value with quoted strings:
 *     device="SFW" date=2018-05-30 time=13:14:26 timezone="IST" device_name="XG125w" log_id=010102600002
 *     log_type="Firewall" log_component="Firewall Rule" log_subtype="Denied" status="Deny" ...
 *     src_ip=10.198.32.19 dst_ip=1.128.3.4 protocol="ICMP" icmp_type=8 icmp_code=0 ...
 *   Fields from Sophos's "Syslog descriptions" (docs.sophos.com/nsg/sophos-firewall/21.5/syslog) and
 *   "Log ID" structure (log type, component, subtype, priority, message id; type 01 Firewall, 05 Content
 *   filtering). SFOS 19+ quotes every value and drops `status` (log_subtype then says Allowed/Denied).
 *   Every log_type="Firewall" record is a packet or connection verdict (Firewall Rule, Invalid Traffic,
 *   Appliance Access, DoS Attack, ICMP Redirection, Fragmented Traffic, Heartbeat, IP/MAC filters...).
 *   A "Content Filtering" record of the SSL/TLS inspection or web proxy (log_component SSL, HTTP, HTTPS)
 *   is a TCP connection the firewall let through to be inspected; other log types (Event, IDP,
 *   Anti-Virus, SD-WAN...) are not traffic.
 * - Sophos UTM (ASG) syslog: `id="2002" severity="info" sys="SecureNet" sub="packetfilter"
 *   name="Packet accepted" action="accept" ... srcip="a" dstip="b" proto="17" srcport="1" dstport="53"`
 *   (proto is the IP protocol number). Only sub="packetfilter" records are packets (Packet accepted /
 *   dropped / rejected / logged, DNS request); flood and scan detections and every other subsystem
 *   (auth, WAF reverse proxy, web proxy...) are skipped.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { parseKeyValues, type FlowFields, type ParseContext, type ParseResult, type TextFormatSpec } from "./text-format.js";
import { ianaProtocol, mappedAction } from "./cef.js";
import { readTime, skipPriority } from "./syslog-time.js";

/** The syslog header's time in front of `end` (the relay's stamp), NaN when there is none. */
function syslogTime(line: string, end: number, ctx: ParseContext): number {
  if (end <= 0) return NaN;
  const b = Buffer.from(line.slice(0, Math.min(end, 80)), "latin1");
  return readTime(b, skipPriority(b, 0, b.length), b.length, ctx.opts.year, ctx.opts.nowMs).time;
}

const XG_SNIFF = /\blog_id="?\d{12}"?\s|\blog_type="[^"]*"\s+log_component="|\bdevice="SFW"/;
const UTM_SNIFF = /\bid="\d{4}"\s+(?:severity|srcip)="/;

function slug(s: string): string {
  return s.trim().toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "unknown";
}

/** status / log_subtype words ("Syslog descriptions": Status 1 Allow, 2 Deny, 3 Allow Session, ...). */
function xgAction(status: string | undefined, subtype: string | undefined): ActionCode {
  for (const w of [status, subtype]) {
    const s = (w ?? "").trim().toLowerCase();
    if (s === "") continue;
    if (/^(allow|allowed|allow session|established|decrypt|do not decrypt|don't decrypt)$/.test(s)) return ACTION_ALLOWED;
    // "Would deny": a rule in monitor mode that lets the traffic through.
    if (s === "would deny") return ACTION_ALLOWED;
    if (/^(deny|denied|deny session|drop|dropped|reject|rejected|block|blocked)$/.test(s)) return ACTION_BLOCKED;
  }
  return ACTION_UNKNOWN;
}

/** date=2018-05-30 time=13:14:26 timezone="+11" or timestamp="2012-12-01T11:02:24+0200". */
function xgTime(kv: Map<string, string>): number {
  const stamp = kv.get("timestamp");
  let m = stamp ? /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:([+-])(\d\d):?(\d\d))?/.exec(stamp) : null;
  let zone = m?.[7] ? `${m[7]}${m[8]}${m[9]}` : "";
  if (!m) {
    const d = kv.get("date");
    const t = kv.get("time");
    if (!d || !t) return NaN;
    m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(`${d} ${t}`);
    // Named zones ("IST", "CET") are ambiguous and read as UTC, like other stamps without an offset.
    const tz = /^([+-])(\d{1,2}):?(\d\d)?$/.exec(kv.get("timezone") ?? "");
    zone = tz ? `${tz[1]}${tz[2]!.padStart(2, "0")}${tz[3] ?? "00"}` : "";
  }
  if (!m) return NaN;
  let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (zone) ms -= (zone[0] === "+" ? 1 : -1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60000;
  return ms;
}

const UNSPECIFIED = /^(?:0\.0\.0\.0|::|0:0:0:0:0:0:0:0)$/;

function parseXg(line: string, start: number, ctx: ParseContext): ParseResult {
  const kv = parseKeyValues(line, start);
  const type = kv.get("log_type") ?? "";
  const component = kv.get("log_component") ?? "";
  const subtype = kv.get("log_subtype");
  const firewall = /^firewall$/i.test(type);
  const inspected = /^content filtering$/i.test(type) && /^(ssl|https?|web ?proxy)$/i.test(component);
  if (!firewall && !inspected) return { skip: `not-traffic:${slug(type || "event")}` };
  const src = kv.get("src_ip") ?? "";
  const dst = kv.get("dst_ip") ?? "";
  // Fragmented traffic the firewall could not attribute is logged with 0.0.0.0 for both ends.
  if (UNSPECIFIED.test(dst.trim())) return { skip: "missing-address" };
  const flow: FlowFields = {
    src, dst,
    proto: ianaProtocol(kv.get("protocol") ?? (inspected ? "tcp" : "")),
    sport: kv.get("src_port"), dport: kv.get("dst_port"),
    icmpType: kv.get("icmp_type"), icmpCode: kv.get("icmp_code"),
    action: mappedAction(kv.get("status") ?? subtype ?? "", ctx, () => xgAction(kv.get("status"), subtype)),
    label: [component, subtype].filter((x) => x).join(": ") || type,
  };
  // A record that names no protocol cannot be checked against ports (and "" would read as IP protocol 0).
  if (String(flow.proto).trim() === "") return { skip: "missing-protocol" };
  let t = xgTime(kv);
  if (!Number.isFinite(t)) t = syslogTime(line, start, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

/** UTM packet filter actions (ulogd: accept, drop, reject; "Packet logged" passes). */
function utmAction(action: string | undefined, name: string): ActionCode {
  const a = (action ?? "").trim().toLowerCase();
  if (a === "accept" || a === "log") return ACTION_ALLOWED;
  if (a === "drop" || a === "reject") return ACTION_BLOCKED;
  if (/^packet (accepted|logged)$/i.test(name)) return ACTION_ALLOWED;
  if (/^packet (dropped|rejected)/i.test(name)) return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

/** "2014:09:30-12:06:15 utm ulogd[11342]: id=..." (UTM's own log file stamp). */
function utmTime(line: string, end: number, ctx: ParseContext): number {
  const m = /^(?:<\d+>)?(\d{4}):(\d\d):(\d\d)-(\d\d):(\d\d):(\d\d)\s/.exec(line);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return syslogTime(line, end, ctx);
}

function parseUtm(line: string, start: number, ctx: ParseContext): ParseResult {
  const kv = parseKeyValues(line, start);
  const sub = kv.get("sub") ?? "";
  const name = kv.get("name") ?? "";
  if (sub.toLowerCase() !== "packetfilter") {
    // No subsystem: the UTM program that wrote the line ("rproxy httpd: id=..." is the WAF's access log).
    const prog = /([A-Za-z][\w-]*)(?:\[\d+\])?:\s*$/.exec(line.slice(0, start));
    return { skip: `not-traffic:${slug(sub || prog?.[1] || "event")}` };
  }
  if (/flood|scan/i.test(name)) return { skip: "not-traffic:dos" };
  const action = kv.get("action");
  const flow: FlowFields = {
    src: kv.get("srcip") ?? "", dst: kv.get("dstip") ?? "", proto: kv.get("proto") ?? "",
    sport: kv.get("srcport"), dport: kv.get("dstport"), icmpType: kv.get("type"), icmpCode: kv.get("code"),
    action: mappedAction(action ?? name, ctx, () => utmAction(action, name)),
    label: name || action,
  };
  // A record that names no protocol cannot be checked against ports (and "" would read as IP protocol 0).
  if (String(flow.proto).trim() === "") return { skip: "missing-protocol" };
  const t = utmTime(line, start, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

function parseSophos(line: string, ctx: ParseContext): ParseResult {
  const xg = XG_SNIFF.exec(line);
  if (xg) {
    // Key=value pairs start at the first key the firewall writes; a syslog header may come before it.
    const first = /\b(?:device|date|timestamp|device_name|log_id)=/.exec(line);
    return parseXg(line, first ? first.index : xg.index, ctx);
  }
  const utm = UTM_SNIFF.exec(line);
  if (utm) return parseUtm(line, utm.index, ctx);
  return { skip: "not-sophos" };
}

export const sophosFormat: TextFormatSpec = {
  name: "sophos",
  doc: { detectedBy: "Sophos XG `log_component=`, UTM `ulogd`/`fw_action`", notes: "Sophos Firewall (SFOS) key=value and Sophos UTM packet filter lines" },
  sniff: (line) => XG_SNIFF.test(line) || UTM_SNIFF.test(line),
  parse: parseSophos,
};
