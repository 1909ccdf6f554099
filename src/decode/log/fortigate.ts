/**
 * Fortinet FortiGate (FortiOS) logs, as syslog sends them in its three formats (`config log syslogd
 * setting`, `set format default|csv|cef`): key=value pairs separated by spaces ("default"), the same pairs
 * separated by commas ("csv"), or CEF ("CEF:0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward close|3|..."
 * with the FortiOS fields as CEF dictionary keys or prefixed "FTNTFGT", "FortinetFortiGate" or "ad.").
 * FortiADC's traffic log (type=traffic, src/dst/src_port/dst_port, log_id) is read too.
 *
 * Only type "traffic" is traffic (FortiOS Log Message Reference, "Log ID definitions": the log ID's
 * first two digits are the category, 00 traffic, 01 event, 02 virus, 03 webfilter, 04 ips, 05 email,
 * 07 anomaly, ...); event, utm, anomaly, dns... records are skipped as "not-traffic:<type>". In CEF the
 * type is the part of `cat` before ":" ("traffic:forward"), else the log ID's category.
 *
 * The action of a traffic record (FortiOS Log Message Reference, 2 - LOG_ID_TRAFFIC_ALLOW, field
 * "action"): "Deny = blocked by firewall policy. Start = session start log ... This means firewall
 * allowed. All Others = allowed by Firewall Policy and the status indicates how it was closed." The
 * others are accept, close, timeout, client-rst and server-rst (the session was reset by the client or the
 * server, not by the FortiGate), ip-conn (failed connection attempt) and dns (DNS query returned an
 * error); all of them are allowed, and the word is kept as the label.
 *
 * ICMP: traffic records carry no ICMP type field; it is read from "icmp/<type>/<code>" (or "icmp6/...")
 * in service or app, from icmptype/icmpcode ("0x08") where present, and the predefined service "PING"
 * (ICMP type 8; "PING6", ICMPv6 128).
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { cefStart, cefTime, ianaProtocol, mappedAction, parseCef } from "./cef.js";
import { actionWord, type FlowFields, type ParseContext, type ParseResult, type TextFormatSpec } from "./text-format.js";

/** Log categories (FortiOS "Log ID definitions", plus the 5.x names and FortiAnalyzer's appevent). */
const TYPES = new Set([
  "traffic", "event", "utm", "anomaly", "virus", "webfilter", "ips", "email", "emailfilter", "spam", "dlp", "voip",
  "app-ctrl", "waf", "gtp", "dns", "ssh", "ssl", "cifs", "file-filter", "icap", "ztna", "attack", "appevent",
]);

/** The category of a FortiOS log ID's first two digits. */
const LOGID_TYPES: Record<string, string> = {
  "00": "traffic", "01": "event", "02": "virus", "03": "webfilter", "04": "ips", "05": "emailfilter", "07": "anomaly",
  "08": "voip", "09": "dlp", "10": "app-ctrl", "12": "waf", "14": "gtp", "15": "dns", "16": "ssh", "17": "ssl",
  "18": "cifs", "19": "file-filter", "20": "icap", "21": "ztna",
};

function notTraffic(type: string): { skip: string } {
  const t = type.toLowerCase();
  return { skip: TYPES.has(t) ? `not-traffic:${t}` : "not-traffic:other" };
}

/**
 * FortiOS key=value pairs: a value is double-quoted (a backslash escapes the next character) or bare. The
 * separator is found from the first pair: a bare value followed by ",key=" means the csv format, where a
 * bare value ends at a comma; otherwise a bare value ends at whitespace. A syslog "<PRI>" and words
 * without "=" before the pairs (a syslog header) are passed over. The first of repeated keys wins.
 */
export function fortiPairs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const n = text.length;
  let i = 0;
  while (i < n && (text[i] === " " || text[i] === "\t")) i++;
  if (text[i] === "<") {
    const j = text.indexOf(">", i);
    if (j > i && j - i <= 5) i = j + 1;
  }
  let comma: boolean | undefined;
  // [A-Za-z0-9_.-]
  const isKey = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
  while (i < n) {
    while (i < n && (text[i] === " " || text[i] === "\t" || (comma === true && text[i] === ","))) i++;
    const k0 = i;
    while (i < n && isKey(text.charCodeAt(i))) i++;
    if (i === k0 || text[i] !== "=") {
      while (i < n && text[i] !== " " && text[i] !== "\t" && !(comma === true && text[i] === ",")) i++;
      continue;
    }
    const key = text.slice(k0, i);
    i++;
    let value: string;
    if (text[i] === '"') {
      i++;
      let v = "";
      while (i < n && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < n) { v += text[i + 1]; i += 2; continue; }
        v += text[i];
        i++;
      }
      i++;
      value = v;
    } else {
      const v0 = i;
      while (i < n && text[i] !== " " && text[i] !== "\t") {
        if (text[i] === ",") {
          if (comma === true) break;
          if (comma === undefined && /^,[\w.-]+=/.test(text.slice(i, i + 48))) break;
        }
        i++;
      }
      value = text.slice(v0, i);
    }
    comma ??= text[i] === ",";
    if (!out.has(key)) out.set(key, value);
  }
  return out;
}

/** Traffic action per LOG_ID_TRAFFIC_ALLOW's "action": deny blocks; every other status was allowed. */
export function fortigateAction(w: string): ActionCode {
  const a = w.trim().toLowerCase();
  if (a === "") return ACTION_UNKNOWN;
  if (a === "deny") return ACTION_BLOCKED;
  return ACTION_ALLOWED;
}

function hexOrDec(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = v.trim();
  if (/^0x[0-9a-f]{1,2}$/i.test(s)) return parseInt(s.slice(2), 16);
  if (/^\d{1,3}$/.test(s)) return Number(s);
  return undefined;
}

/** ICMP type and code from icmptype/icmpcode, "icmp/8/0" in service or app, or the service PING. */
function icmpOf(get: (k: string) => string | undefined): { type?: number | undefined; code?: number | undefined } {
  const t = hexOrDec(get("icmptype"));
  if (t !== undefined) return { type: t, code: hexOrDec(get("icmpcode")) };
  for (const k of ["service", "app"]) {
    const m = /^icmp6?\/(\d{1,3})\/(\d{1,3})$/i.exec(get(k)?.trim() ?? "");
    if (m) return { type: Number(m[1]), code: Number(m[2]) };
  }
  const svc = get("service")?.trim().toUpperCase();
  if (svc === "PING") return { type: 8 };
  if (svc === "PING6") return { type: 128 };
  return {};
}

/** eventtime in seconds, milliseconds, microseconds or nanoseconds (by its number of digits). */
function epochTime(v: string | undefined): number {
  if (v === undefined || !/^\d{10,19}$/.test(v)) return NaN;
  return v.length >= 13 ? Number(v.slice(0, 13)) : Number(v) * 1000;
}

/** date=2024-03-06 time=22:06:03 tz="+0100". */
function dateTime(date: string | undefined, time: string | undefined, tz: string | undefined): number {
  const d = /^(\d{4})-(\d\d)-(\d\d)$/.exec(date ?? "");
  const t = /^(\d\d):(\d\d):(\d\d)$/.exec(time ?? "");
  if (!d || !t) return NaN;
  const z = /^([+-])(\d\d):?(\d\d)$/.exec(tz ?? "");
  const off = z ? (Number(z[2]) * 60 + Number(z[3])) * (z[1] === "+" ? 1 : -1) : 0;
  return Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]), Number(t[3])) - off * 60000;
}

function flow(
  ctx: ParseContext, get: (k: string) => string | undefined, src: string | undefined, dst: string | undefined,
  sport: string | undefined, dport: string | undefined, actionText: string | undefined, fortiAdc: boolean, time: number,
): FlowFields | { skip: string } {
  const proto = get("proto");
  if (proto === undefined || proto.trim() === "") return { skip: "missing-protocol" };
  const icmp = icmpOf(get);
  const act = actionText ?? "";
  return {
    src: src ?? "",
    dst: dst ?? "",
    proto: ianaProtocol(proto),
    sport,
    dport,
    icmpType: icmp.type,
    icmpCode: icmp.code,
    // FortiADC's traffic log is a load balancer's: its action field is not a firewall verdict.
    action: mappedAction(act, ctx, fortiAdc ? actionWord : fortigateAction),
    label: act,
    time,
  };
}

function parsePairs(line: string, ctx: ParseContext): ParseResult {
  const kv = fortiPairs(line);
  const get = (k: string) => kv.get(k);
  const type = get("type");
  if (type === undefined) return { skip: "missing-log-type" };
  if (type.toLowerCase() !== "traffic") return notTraffic(type);
  const fortiAdc = !kv.has("srcip") && kv.has("src");
  let time = epochTime(get("eventtime"));
  if (Number.isNaN(time)) time = dateTime(get("date"), get("time"), get("tz"));
  if (Number.isNaN(time)) time = epochTime(get("timestamp"));
  return fortiAdc
    ? flow(ctx, get, get("src"), get("dst"), get("src_port"), get("dst_port"), get("action"), true, time)
    : flow(ctx, get, get("srcip"), get("dstip"), get("srcport"), get("dstport"), get("action"), false, time);
}

const VENDOR_PREFIXES = ["", "FTNTFGT", "FortinetFortiGate", "ad."];

function parseCefDialect(line: string, at: number, ctx: ParseContext): ParseResult {
  const rec = parseCef(line, at);
  if (!rec) return { skip: "truncated-header" };
  const x = rec.ext;
  const vendorKey = (k: string) => {
    for (const p of VENDOR_PREFIXES) {
      const v = x.get(p + k);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  let type = x.get("cat")?.split(":")[0]?.trim();
  if (!type) {
    const logid = vendorKey("logid");
    if (logid && /^\d{10}$/.test(logid)) type = LOGID_TYPES[logid.slice(0, 2)] ?? "other";
  }
  // Last, the CEF Name: "traffic:forward close", "forward traffic accept".
  if (!type) type = /\btraffic\b/.test(rec.name) ? "traffic" : rec.name.split(/[:\s]/)[0] ?? "";
  if (type.toLowerCase() !== "traffic") return notTraffic(type);
  // The CEF dictionary's keys first (src, spt, act...), then FortiOS's own names under a vendor prefix.
  const get = (k: string) => (k === "proto" ? x.get("proto") : k === "app" ? x.get("app") ?? vendorKey("app") : vendorKey(k));
  let time = epochTime(vendorKey("eventtime"));
  if (Number.isNaN(time)) time = cefTime(x.get("start") ?? x.get("rt"), ctx.opts.year);
  return flow(ctx, get, x.get("src"), x.get("dst"), x.get("spt"), x.get("dpt"), x.get("act") ?? vendorKey("action"), false, time);
}

function cefVendor(line: string, at: number): boolean {
  return /^\|fortinet\|/i.test(line.slice(at + 1, at + 11));
}

const TYPE_RE = /(?:^|[\s,])type="?[\w-]+"?(?=[\s,]|$)/;
const SUBTYPE_RE = /(?:^|[\s,])subtype="?[\w-]*"?(?=[\s,]|$)/;
const FORTI_KEY_RE = /(?:^|[\s,])(?:logid|log_id|devid|devname|vd|eventtime|logdesc)=/;

export const fortigateFormat: TextFormatSpec = {
  name: "fortigate",
  doc: { detectedBy: "`devname=... type=\"traffic\"`, FortiGate CEF", notes: "FortiGate key=value (space or comma separated) and CEF; `action=accept/deny/close...`" },
  sniff(line) {
    const at = cefStart(line, true);
    if (at >= 0) return cefVendor(line, at);
    return TYPE_RE.test(line) && SUBTYPE_RE.test(line) && FORTI_KEY_RE.test(line);
  },
  parse(line, ctx) {
    const at = cefStart(line, true);
    if (at >= 0) return cefVendor(line, at) ? parseCefDialect(line, at, ctx) : { skip: "not-fortigate" };
    if (!TYPE_RE.test(line)) return { skip: "not-fortigate" };
    return parsePairs(line, ctx);
  },
};
