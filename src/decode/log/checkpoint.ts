/**
 * Check Point Security Gateway logs, in the encodings they reach a log file:
 *
 * - Log Exporter, syslog format (R80.x and later, `cp_log_export ... format syslog`): an RFC 5424 line
 *   whose structured data is `[key:"value"; key:"value"; ...]` ("syslog[action:..." when a collector
 *   took "syslog" for the header), `\"` and `\]` escaped in values.
 * - Log Exporter, CEF and LEEF formats ("CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|https|
 *   Unknown|act=Accept ... src= dst= spt= dpt= proto= rt=<ms> product=..."); the exporter has been seen
 *   writing an empty field after the CEF version, which cef.ts's parseCef drops.
 * - FireWall-1 syslog of the R6x/R7x era (`fw log` to syslog): "3Sep2007 15:10:28 accept 192.168.99.1
 *   >eth2 rule: 9; ...; src: a; dst: b; proto: udp; service: 53; s_port: 32769;".
 * - The quoted, space-separated export: "22" "10Dec2019" "23:44:49" "eth1" "origin" "Log" "Accept" "443"
 *   "44250" "src" "dst" "tcp" "rule" "rule name" ... "inzone: External; ...". Check Point documents no
 *   column list for it; the order is the one SEKOIA-IO intake-formats' Check Point parser reads
 *   (number, date, time, interface, origin, type, action, service, s_port, src, dst, proto, ...).
 *
 * Field names (Check Point sk144192, "Description of Fields in Check Point Logs"): src, dst, proto (IANA
 * number or name), s_port, service (destination port), action, product (the blade), icmp_type,
 * icmp_code, time (epoch seconds). Actions (R80.40 Logging and Monitoring Administration Guide,
 * "Selecting Query Fields", the Action filter): Accept ("allowed traffic based on the Access Control
 * Security Policy"), Allow ("allowed traffic after a Firewall or VPN alert"), Block ("blocked traffic based
 * on URL Filtering or Application Control"), Drop and Reject (R81.20 SmartConsole "Action Settings": drop
 * sends nothing back, reject sends a TCP RST), Encrypt / Decrypt (a VPN connection, let through), Bypass /
 * HTTPS Bypass (let through uninspected). Redirect, Ask User and Inform are kept as unknown labels.
 *
 * Not traffic: records of the threat blades (SmartDefense/IPS, Threat Emulation, Anti-Bot, Anti-Virus...,
 * and the actions Detect, Prevent, Monitored, Inspect, Flag, Quarantine, Replace Malicious code:
 * "not-traffic:threat"), IKE and key exchange ("Key Install", records with an `ike` field:
 * "not-traffic:vpn"), logins and client authentication ("not-traffic:auth"), FireWall-1 "ctl"
 * ("not-traffic:control").
 *
 * A "matched optimized drop" record (R81.10+ fast drop) lists several dropped packets in
 * `packets:"<src,sport,dst,dport,proto;iface> ..."` (maybe after "(sample only)"): one flow each.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { cefStart, cefTime, ianaProtocol, leefStart, mappedAction, parseCef, parseLeef } from "./cef.js";
import type { FlowFields, FlowSkip, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";
import { readTime, skipPriority } from "./syslog-time.js";

const THREAT_PRODUCT = /smartdefense|^ips$|threat|anti[- ]?(bot|virus|malware|spam|phishing)|new anti virus|\bdlp\b|data loss|zero phishing|forensics/i;
const THREAT_ACTIONS = new Set(["detect", "prevent", "monitored", "inspect", "flag", "quarantine", "replace malicious code"]);
const AUTH_ACTIONS = new Set(["login", "logout", "log out", "log in", "failed log in", "authorize", "deauthorize", "authcrypt"]);
const VPN_ACTIONS = new Set(["key install", "keyinst"]);

/** A Check Point action word: allowed, blocked, or unknown (kept as the label). */
export function checkpointAction(w: string): ActionCode {
  const a = w.trim().toLowerCase();
  if (a === "accept" || a === "allow" || a === "encrypt" || a === "decrypt" || a === "bypass" || a === "https bypass") return ACTION_ALLOWED;
  if (a === "drop" || a === "reject" || a === "block") return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

/** "key: value; key: value;" (FireWall-1 syslog and the export's info column); keys lower-cased, spaces as "_". */
function colonPairs(text: string, out: Map<string, string>): void {
  for (const part of text.split(";")) {
    const c = part.indexOf(":");
    if (c <= 0) continue;
    const key = part.slice(0, c).trim().toLowerCase().replace(/\s+/g, "_");
    if (key === "" || out.has(key)) continue;
    out.set(key, part.slice(c + 1).trim());
  }
}

const SD_PAIR = /([A-Za-z_][\w.-]*):{1,2}"((?:[^"\\]|\\.)*)"/g;

/** Log Exporter's `[key:"value"; ...]` (also `key::"value"`, as IKE fields are written). */
function exporterPairs(text: string, from: number): Map<string, string> {
  const out = new Map<string, string>();
  SD_PAIR.lastIndex = from;
  for (let m = SD_PAIR.exec(text); m; m = SD_PAIR.exec(text)) {
    if (!out.has(m[1]!)) out.set(m[1]!, m[2]!.replace(/\\(["\]\\])/g, "$1"));
  }
  return out;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** "3Sep2007" "15:10:28" (the gateway's local time, read as UTC). */
function cpDate(date: string, time: string): number {
  const d = /^(\d{1,2})([A-Z][a-z]{2})(\d{4})$/.exec(date.trim());
  const t = /^(\d{1,2}):(\d\d):(\d\d)$/.exec(time.trim());
  if (!d || !t) return NaN;
  const mo = MONTHS[d[2]!];
  if (mo === undefined) return NaN;
  return Date.UTC(Number(d[3]), mo, Number(d[1]), Number(t[1]), Number(t[2]), Number(t[3]));
}

function num(v: string | undefined): number | undefined {
  return v !== undefined && /^\d{1,3}$/.test(v.trim()) ? Number(v) : undefined;
}

const PACKET = /^<([^,<>\s]+),(\d{1,5}),([^,<>\s]+),(\d{1,5}),(\d{1,3})(?:;[^>]*)?>$/;

/**
 * Flows of a record in Check Point's own field names. `f` holds src, dst, proto, s_port, service,
 * action, product, icmp_type, icmp_code, packets...
 */
function recordFlows(f: Map<string, string>, time: number, ctx: ParseContext): ParseResult {
  const action = (f.get("action") ?? "").trim();
  const a = action.toLowerCase();
  const product = f.get("product") ?? "";
  if (THREAT_PRODUCT.test(product) || THREAT_ACTIONS.has(a)) return { skip: "not-traffic:threat" };
  if (VPN_ACTIONS.has(a) || f.has("ike") || f.get("vpn_feature_name")?.toUpperCase() === "IKE") return { skip: "not-traffic:vpn" };
  if (AUTH_ACTIONS.has(a)) return { skip: "not-traffic:auth" };
  if (a === "ctl") return { skip: "not-traffic:control" };
  const code = mappedAction(action, ctx, checkpointAction);
  const packets = f.get("packets");
  if (packets !== undefined) {
    // Every <...> entry is a flow; one that does not read as src,sport,dst,dport,proto is a skipped flow.
    const out: (FlowFields | FlowSkip)[] = [];
    for (const entry of packets.match(/<[^<>]*>/g) ?? []) {
      const m = PACKET.exec(entry);
      out.push(m ? { src: m[1]!, sport: m[2], dst: m[3]!, dport: m[4], proto: Number(m[5]), action: code, label: action, time } : { skip: "bad-packet-entry" });
    }
    return out.length > 0 ? out : { skip: "no-flow" };
  }
  const src = f.get("src");
  const dst = f.get("dst");
  if (!src && !dst) return { skip: "not-traffic:no-addresses" };
  const proto = f.get("proto");
  if (proto === undefined || proto.trim() === "") return { skip: "missing-protocol" };
  return {
    src: src ?? "",
    dst: dst ?? "",
    proto: ianaProtocol(proto),
    sport: f.get("s_port"),
    dport: f.get("service"),
    icmpType: num(f.get("icmp_type")),
    icmpCode: num(f.get("icmp_code")),
    action: code,
    label: action,
    time,
  };
}

function isCheckPointCef(line: string, at: number): boolean {
  return /^\|\|?Check Point\|/.test(line.slice(at + 1, at + 16));
}

function parseCefDialect(line: string, at: number, ctx: ParseContext): ParseResult {
  const rec = parseCef(line, at);
  if (!rec) return { skip: "truncated-header" };
  const x = rec.ext;
  const f = new Map(x);
  const put = (k: string, v: string | undefined) => { if (v !== undefined) f.set(k, v); };
  put("action", x.get("act"));
  put("s_port", x.get("spt"));
  put("service", x.get("dpt"));
  if (!f.has("product")) f.set("product", rec.product);
  return recordFlows(f, cefTime(x.get("rt"), ctx.opts.year), ctx);
}

function parseLeefDialect(line: string, at: number, ctx: ParseContext): ParseResult {
  const rec = parseLeef(line, at);
  if (!rec) return { skip: "truncated-header" };
  const f = new Map(rec.attrs);
  const put = (k: string, v: string | undefined) => { if (v !== undefined && !f.has(k)) f.set(k, v); };
  put("s_port", rec.attrs.get("srcPort"));
  put("service", rec.attrs.get("dstPort"));
  put("action", rec.eventId);
  put("product", rec.product);
  return recordFlows(f, cefTime(rec.attrs.get("devTime"), ctx.opts.year), ctx);
}

function parseExporter(line: string, open: number, ctx: ParseContext): ParseResult {
  const f = exporterPairs(line, open);
  let time = NaN;
  const t = f.get("time");
  if (t !== undefined && /^\d{9,10}$/.test(t)) time = Number(t) * 1000;
  else {
    const b = Buffer.from(line.slice(0, Math.min(open, 64)), "latin1");
    time = readTime(b, skipPriority(b, 0, b.length), b.length, ctx.opts.year, ctx.opts.nowMs).time;
  }
  return recordFlows(f, time, ctx);
}

/** FireWall-1 syslog: "<date> <time> <action> <origin> <dir><interface> key: value; ...". */
const FW1 = /(?:^|\s)(\d{1,2}[A-Z][a-z]{2}\d{4}) (\d{1,2}:\d\d:\d\d) +([a-z][a-z-]*) +(\S+) +[<>]\S* +(.*)$/;

function parseFw1(m: RegExpExecArray, ctx: ParseContext): ParseResult {
  const f = new Map<string, string>([["action", m[3]!]]);
  colonPairs(m[5]!, f);
  return recordFlows(f, cpDate(m[1]!, m[2]!), ctx);
}

const EXPORT_HEAD = /^\s*"\d+" "\d{1,2}[A-Z][a-z]{2}\d{4}" "\d{1,2}:\d\d:\d\d" /;
/** Columns of the quoted export, as read by SEKOIA-IO's parser. */
const EXPORT_COLUMNS = ["num", "date", "time", "interface", "origin", "type", "action", "service", "s_port", "src", "dst", "proto", "rule", "rule_name", "policy", "", "info", "product"];

function parseExport(line: string, ctx: ParseContext): ParseResult {
  const vals: string[] = [];
  for (const m of line.matchAll(/"([^"]*)"/g)) vals.push(m[1]!);
  const f = new Map<string, string>();
  EXPORT_COLUMNS.forEach((c, i) => { const v = vals[i]; if (c !== "" && v !== undefined && v !== "") f.set(c, v); });
  const info = f.get("info");
  if (info !== undefined) colonPairs(info, f);
  return recordFlows(f, cpDate(vals[1] ?? "", vals[2] ?? ""), ctx);
}

/** Where Log Exporter's structured data opens ("[action:" after the header, or "syslog["), or -1. */
function exporterOpen(line: string): number {
  const m = /(?:^syslog|\s)\[(?=[A-Za-z_][\w.-]*:")/.exec(line);
  return m ? m.index + m[0].length : -1;
}

export const checkpointFormat: TextFormatSpec = {
  name: "checkpoint",
  doc: { detectedBy: "Check Point Log Exporter (syslog, CEF, LEEF, key=value), old FireWall-1 lines", notes: "Check Point gateways; a \"matched optimized drop\" record counts each dropped packet as a flow" },
  sniff(line) {
    const at = cefStart(line, true);
    if (at >= 0) return isCheckPointCef(line, at);
    const l = leefStart(line);
    if (l >= 0) return /^LEEF:\s?[\d.]+\|Check Point\|/.test(line.slice(l, l + 30));
    if (EXPORT_HEAD.test(line)) return true;
    const open = exporterOpen(line);
    if (open >= 0) return /(?:^|[\s[])action:"/.test(line) || / CheckPoint \d+ - \[/.test(line);
    return FW1.test(line) && /(?:^|; )(src|dst|rule|proto): /.test(line);
  },
  parse(line, ctx) {
    const at = cefStart(line, true);
    if (at >= 0) return isCheckPointCef(line, at) ? parseCefDialect(line, at, ctx) : { skip: "not-checkpoint" };
    const l = leefStart(line);
    if (l >= 0) return parseLeefDialect(line, l, ctx);
    if (EXPORT_HEAD.test(line)) return parseExport(line, ctx);
    const open = exporterOpen(line);
    if (open >= 0) return parseExporter(line, open, ctx);
    const m = FW1.exec(line);
    if (m) return parseFw1(m, ctx);
    return { skip: "not-checkpoint" };
  },
};
