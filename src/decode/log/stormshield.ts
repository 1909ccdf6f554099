/**
 * Stormshield Network Security (SNS) audit logs sent over syslog, WELF-style key=value:
 *   id=firewall time="2022-03-03 14:21:10" fw="SN123" tz=+0100 startime="..." pri=5 confid=01 slotlevel=2
 *   ruleid=100 srcif="Ethernet3" ipproto=tcp proto=https src=42.123.123.123 srcport=60355 dst=11.11.11.11
 *   dstport=443 ipv=4 sent=0 rcvd=0 duration=2.00 action=pass logtype="filter"
 * Fields from Stormshield's "Description of Audit logs" (documentation.stormshield.eu, SNS v4: "Fields
 * specific to the l_filter, l_alarm, l_connection and l_plugin logs", "Fields specific to the l_filter
 * log"): `ipproto` is the transport ("tcp", "udp", "icmp"), `proto` the service name of the destination
 * port, `icmptype`/`icmpcode` for ICMP, `action` "pass" or "block" and empty for a rule that only logs,
 * `logtype` the log file the record belongs to. `time` is the firewall's local time and `tz` its offset.
 *
 * l_filter (packets matched by a filter rule that logs) and l_connection (connections the firewall
 * tracked, written when they end) are traffic. Every other log type is skipped with its name: alarm
 * (the ASQ's intrusion alarms, even when they name a blocked packet), auth, vpn, xvpn, server, system,
 * monitor, plugin, web...
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

const FW_TZ = /\bfw="?[^"\s]+"?\s+tz=[+-]\d{4}\b/;
const LOGTYPE = /\blogtype="?\w/;

/** "fw=... tz=+hhmm", or both startime= and logtype= (two tests: one regex with ".*" would be quadratic). */
function sniff(line: string): boolean {
  return FW_TZ.test(line) || (line.includes("startime=") && LOGTYPE.test(line));
}
const TRAFFIC = new Set(["filter", "connection"]);

function action(word: string | undefined): ActionCode {
  const a = (word ?? "").trim().toLowerCase();
  if (a === "pass") return ACTION_ALLOWED;
  if (a === "block") return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

/** time="2022-03-03 14:21:10" with tz=+0100 (also unquoted, as the monitor log writes it). */
function snsTime(line: string): number {
  const m = /\btime="?(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)/.exec(line);
  if (!m) return NaN;
  let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const tz = /\btz="?([+-])(\d\d)(\d\d)\b/.exec(line);
  if (tz) ms -= (tz[1] === "+" ? 1 : -1) * (Number(tz[2]) * 60 + Number(tz[3])) * 60000;
  return ms;
}

function parseStormshield(line: string, ctx: ParseContext): ParseResult {
  const start = /\b(?:id=firewall|time=)/.exec(line);
  if (!start || !sniff(line)) return { skip: "not-stormshield" };
  const kv = parseKeyValues(line, start.index);
  const logtype = (kv.get("logtype") ?? "").trim().toLowerCase();
  if (!TRAFFIC.has(logtype)) return { skip: `not-traffic:${logtype || "unknown"}` };
  const word = kv.get("action");
  const rule = kv.get("ruleid");
  const flow: FlowFields = {
    src: kv.get("src") ?? "", dst: kv.get("dst") ?? "", proto: ianaProtocol(kv.get("ipproto") ?? ""),
    sport: kv.get("srcport"), dport: kv.get("dstport"), icmpType: kv.get("icmptype"), icmpCode: kv.get("icmpcode"),
    action: mappedAction(word ?? "", ctx, action),
    label: `${logtype} ${word || "log"}${rule ? ` (rule ${rule})` : ""}`,
  };
  // A record that names no protocol cannot be checked against ports (and "" would read as IP protocol 0).
  if (String(flow.proto).trim() === "") return { skip: "missing-protocol" };
  let t = snsTime(line);
  if (!Number.isFinite(t)) t = syslogTime(line, start.index, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

export const stormshieldFormat: TextFormatSpec = {
  name: "stormshield",
  doc: { detectedBy: "`id=firewall ... logtype=`", notes: "Stormshield SNS audit logs (WELF key=value); `action=pass/block`" },
  sniff,
  parse: parseStormshield,
};
