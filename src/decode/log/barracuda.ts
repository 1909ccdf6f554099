/**
 * Barracuda CloudGen Firewall (formerly NG Firewall / phion netfence) syslog stream. Only the firewall's
 * activity log (box_Firewall_Activity.log) records connections:
 *   2018 01 30 13:12:21 Security +01:00 Block: type=FWD|proto=UDP|srcIF=eth0|srcIP=10.17.34.12|srcPort=54915|
 *     srcMAC=...|dstIP=10.17.34.255|dstPort=54915|dstService=|dstIF=|rule=BLOCKALL|info=Block by Rule|...|count=1|...
 *   Info     MACHINE-F380 Allow: LOUT|UDP|bond0.603|1.2.3.4|61988|00:11:22:33:44:55|5.6.7.8|53|domain||RULE|0|...
 * The field order and names come from Barracuda's "Firewall Activity Log" article (campus.barracuda.com,
 * CloudGen Firewall, "Structure of Log Entry Components"): type (LIN, LOUT, LB, FWD, IFWD, PXY, IPXY,
 * or <cumulative> for aggregated entries), proto, srcIF, srcIP, srcPort, srcMAC, dstIP, dstPort,
 * dstService, dstIF, rule, info, srcNAT, dstNAT, duration, count, receivedBytes, sentBytes,
 * receivedPackets, sentPackets, user, protocol, application, target, content, urlcat; written as
 * key=value pairs ("Log-Pipe-Separated-Key-Value-List") or values only ("Log-Pipe-Separated-Value-List").
 * The action before the colon is the rule's outcome, "Local" prefixed for the host firewall: Allow,
 * Remove (an allowed session that ended) are allowed; Block, Drop, Deny, Reset are blocked; any other
 * word (Fail, for an attempt that failed after the rule let it through) is kept as evidence, verdict
 * unknown. ICMP has no type in these fields ("Port" is the ICMP id, per the History page article), so an
 * ICMP entry is a flow of unknown ICMP type rather than a guess.
 *
 * Every other line of the stream (box events relayed by the event service, authentication, config
 * sessions, watchdog, user accounting, IPS and port-scan notices) is skipped: the event service's
 * "Insert Event ... (TCP a:p -> b:q)" names a connection only as the context of a Security Event, which
 * is not the firewall's record of it.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import type { FlowFields, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";
import { ianaProtocol, mappedAction } from "./cef.js";
import { readTime, skipPriority } from "./syslog-time.js";

/** The syslog header's time in front of `end` (the relay's stamp), NaN when there is none. */
function syslogTime(line: string, end: number, ctx: ParseContext): number {
  if (end <= 0) return NaN;
  const b = Buffer.from(line.slice(0, Math.min(end, 80)), "latin1");
  return readTime(b, skipPriority(b, 0, b.length), b.length, ctx.opts.year, ctx.opts.nowMs).time;
}

const FIELDS = [
  "type", "proto", "srcIF", "srcIP", "srcPort", "srcMAC", "dstIP", "dstPort", "dstService", "dstIF", "rule", "info",
  "srcNAT", "dstNAT", "duration", "count", "receivedBytes", "sentBytes", "receivedPackets", "sentPackets", "user",
  "protocol", "application", "target", "content", "urlcat",
] as const;

/** "Action: type|proto|..." or "Action: type=...|proto=...|...". */
const ACTIVITY = /(?:^|\s)([A-Z][A-Za-z]{1,24}):\s+((?:type=)?(?:<[a-z-]+>|[A-Z]{1,8})\|(?:proto=)?[A-Za-z0-9-]*\|.*)$/;
/** The box log's level, padded to nine columns ("Info     ", "Warning  ", "Security "), then the box name. */
const BOX_LINE = /^(?:<\d{1,3}>)?(?:\S+\s+)?(?:Info {5}|Notice {3}|Warning {2}|Error {4}|Security |Fatal {4}|Panic {4}|Debug {4}|Critical )\S+ /;

function actionOf(word: string): ActionCode {
  const w = word.replace(/^Local/, "").toLowerCase();
  if (w === "allow" || w === "remove") return ACTION_ALLOWED;
  if (w === "block" || w === "drop" || w === "deny" || w === "reset") return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

function fieldsOf(list: string): Map<string, string> {
  const parts = list.split("|");
  const out = new Map<string, string>();
  const keyed = parts[0]!.startsWith("type=");
  parts.forEach((p, i) => {
    if (keyed) {
      const eq = p.indexOf("=");
      if (eq > 0) out.set(p.slice(0, eq), p.slice(eq + 1));
    } else if (i < FIELDS.length) out.set(FIELDS[i]!, p);
  });
  return out;
}

/** "2018 01 30 13:12:21 Security +01:00" (the activity log file's own stamp), else a syslog header. */
function stamp(line: string, end: number, ctx: ParseContext): number {
  const m = /(?:^|>|\s)(\d{4}) (\d\d) (\d\d) (\d\d):(\d\d):(\d\d)(?:\s+\w+\s+([+-])(\d\d):(\d\d))?/.exec(line.slice(0, end));
  if (m) {
    let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
    if (m[7]) ms -= (m[7] === "+" ? 1 : -1) * (Number(m[8]) * 60 + Number(m[9])) * 60000;
    return ms;
  }
  return syslogTime(line, end, ctx);
}

function parseBarracuda(line: string, ctx: ParseContext): ParseResult {
  const a = ACTIVITY.exec(line);
  if (!a) {
    if (!BOX_LINE.test(line)) return { skip: "not-barracuda" };
    // The logging module: "event:", "phibs:", "firewall:", "control:"..., else a box service's own line.
    const rest = line.replace(BOX_LINE, "").trimStart();
    const mod = /^([A-Za-z][\w-]*):\s/.exec(rest)?.[1];
    return { skip: `not-traffic:${mod ? mod.toLowerCase() : "box"}` };
  }
  const word = a[1]!;
  const f = fieldsOf(a[2]!);
  const proto = (f.get("proto") ?? "").trim();
  const count = Number(f.get("count"));
  const flow: FlowFields = {
    src: f.get("srcIP") ?? "", dst: f.get("dstIP") ?? "", proto: ianaProtocol(proto),
    sport: f.get("srcPort"), dport: f.get("dstPort"),
    action: mappedAction(word, ctx, actionOf),
    label: [word, f.get("rule"), f.get("info")].filter((x) => x !== undefined && x !== "").join(" ") || word,
  };
  // A record that names no protocol cannot be checked against ports (and "" would read as IP protocol 0).
  if (String(flow.proto).trim() === "") return { skip: "missing-protocol" };
  if (Number.isInteger(count) && count >= 1) flow.count = count;
  const at = a.index;
  const t = stamp(line, at, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

export const barracudaFormat: TextFormatSpec = {
  name: "barracuda-cloudgen",
  doc: { detectedBy: "`box_Firewall_Activity` / `Block:`/`Allow:` records with `srcIP=`", notes: "Barracuda CloudGen Firewall activity log" },
  sniff: (line) => ACTIVITY.test(line) || BOX_LINE.test(line),
  parse: parseBarracuda,
};
