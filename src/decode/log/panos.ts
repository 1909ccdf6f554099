/**
 * Palo Alto Networks PAN-OS firewall logs, in the three encodings a firewall or Panorama / Strata Logging
 * Service forwards them:
 *
 * - CSV, raw or behind a syslog header. Field positions per the PAN-OS Administrator's Guide, "Syslog
 *   Field Descriptions" > "Traffic Log Fields" (PAN-OS 9.1 to 11.x; the first fields never moved):
 *     0 FUTURE_USE, 1 Receive Time, 2 Serial Number, 3 Type, 4 Threat/Content Type (subtype),
 *     5 FUTURE_USE, 6 Generated Time, 7 Source Address, 8 Destination Address, 9 NAT Source IP,
 *     10 NAT Destination IP, 11 Rule Name, ... 14 Application, ... 23 Repeat Count, 24 Source Port,
 *     25 Destination Port, 26 NAT Source Port, 27 NAT Destination Port, 28 Flags, 29 Protocol, 30 Action
 * - CEF: the firewall's own CEF profile ("PAN-OS CEF Configuration Guide": Device Event Class ID is the
 *   subtype, Name the type, "CEF:0|Palo Alto Networks|PAN-OS|$sender_sw_version|$subtype|$type|...")
 *   and Strata Logging Service / Cortex Data Lake's ("CEF:0|Palo Alto Networks|LF|2.0|TRAFFIC|end|...",
 *   type first): whichever of the two fields is a log type is taken as the type. src, dst, spt, dpt,
 *   proto, act, cnt (repeat count), rt.
 * - JSON, as Strata Logging Service forwards it: LogType, Subtype, SourceAddress, DestinationAddress,
 *   SourcePort, DestinationPort, Protocol, Action, RepeatCount, TimeGenerated.
 *
 * Only Type TRAFFIC is traffic. Its subtypes (Traffic Log Fields, "Type"): start, end, drop ("session
 * dropped before the application is identified and there is no rule that allows the session") and deny
 * ("session dropped after the application is identified and there is a rule to block or no rule that
 * allows the session"). Action (same page): allow, deny, drop, drop ICMP, reset server, reset client,
 * reset both; all but allow are a block (Security Policy Actions: reset-* send a TCP reset in place of the
 * session). THREAT (url, file, virus, spyware, wildfire...), DECRYPTION, SYSTEM, CONFIG, GLOBALPROTECT,
 * USERID, AUTH, HIPMATCH, IPTAG, SCTP, TUNNEL, GTP, CORRELATION records describe events about a session
 * that has (or will have) its own TRAFFIC record, or no session at all; they are skipped as
 * "not-traffic:<type>".
 *
 * A traffic record carries no ICMP type. Application "ping" (App-ID: ICMP echo) is an echo request
 * (type 8, ICMPv6 128); other ICMP sessions are flows of unknown ICMP type (docs/report-format.md).
 * Repeat Count ("number of sessions with same Source IP, Destination IP, Application, and Subtype seen
 * within 5 seconds") becomes the event's count.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { splitCsv } from "./csv.js";
import { cefStart, cefTime, countOf, ianaProtocol, isoTime, mappedAction, parseCef } from "./cef.js";
import type { FlowFields, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";

const TYPES = new Set([
  "TRAFFIC", "THREAT", "CONFIG", "SYSTEM", "HIPMATCH", "HIP-MATCH", "GLOBALPROTECT", "USERID", "AUTH",
  "DECRYPTION", "TUNNEL", "GTP", "SCTP", "CORRELATION", "IPTAG", "AUDIT", "DNS",
]);

/** "<FUTURE_USE>,<Receive Time>,<Serial>,<TYPE>," after the start of the line or a syslog header. */
const CSV_HEAD = /(?:^|[\s:>])(\d*|FUTURE_USE),([^,]*),([^,]*),([A-Z][A-Z-]+),/;

function notTraffic(type: string): { skip: string } {
  const t = type.toUpperCase();
  return { skip: TYPES.has(t) ? `not-traffic:${t.toLowerCase().replace("hip-match", "hipmatch")}` : "not-traffic:other" };
}

/** The Action field of a traffic record; subtypes drop and deny are blocks whatever the action says. */
export function panosAction(action: string, subtype = ""): ActionCode {
  const s = subtype.trim().toLowerCase();
  if (s === "drop" || s === "deny") return ACTION_BLOCKED;
  const a = action.trim().toLowerCase();
  if (a === "allow") return ACTION_ALLOWED;
  if (/^(deny|drop|drop[- ]icmp|drop-all-packets|reset[- ](client|server|both))$/.test(a)) return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

/**
 * Generated Time: "2023/06/16 10:41:44" (the firewall's local time, read as UTC), ISO 8601 from Strata
 * Logging Service, or "9/16/19 10:00" as some exports write it.
 */
export function panosTime(text: string | undefined): number {
  if (text === undefined) return NaN;
  const s = text.trim();
  let m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(s);
  if (m) {
    const mo = Number(m[2]);
    const d = Number(m[3]);
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
    return Date.UTC(Number(m[1]), mo - 1, d, Number(m[4]), Number(m[5]), Number(m[6]));
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4}) (\d{1,2}):(\d\d)(?::(\d\d))?$/.exec(s);
  if (m) {
    const y = m[3]!.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    return Date.UTC(y, Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  }
  return isoTime(s);
}

function icmpTypeFor(app: string | undefined, dst: string): number | undefined {
  if (app?.trim().toLowerCase() !== "ping") return undefined;
  return dst.includes(":") ? 128 : 8;
}

function traffic(
  ctx: ParseContext, src: string, dst: string, proto: string, sport: string | undefined, dport: string | undefined,
  action: string, subtype: string, app: string | undefined, count: string | undefined, time: number,
): FlowFields | { skip: string } {
  // batch.ts's protocolNumber reads "" as 0 (HOPOPT): an empty field is no protocol.
  if (proto.trim() === "") return { skip: "missing-protocol" };
  const p = ianaProtocol(proto);
  return {
    src, dst, proto: p, sport, dport,
    icmpType: icmpTypeFor(app, dst),
    action: mappedAction(action, ctx, (w) => panosAction(w, subtype)),
    label: action || subtype,
    time,
    count: countOf(count),
  };
}

function parseCsv(line: string, at: number, ctx: ParseContext): ParseResult {
  const f = splitCsv(line.slice(at));
  if (f === null) return { skip: "truncated-record" };
  const type = f[3] ?? "";
  if (type !== "TRAFFIC") return notTraffic(type);
  if (f.length < 31) return { skip: "truncated-record" };
  const g = (i: number) => f[i] ?? "";
  return traffic(ctx, g(7), g(8), g(29), g(24), g(25), g(30), g(4), f[14], f[23], panosTime(f[6] || f[1]));
}

function parseCefDialect(line: string, at: number, ctx: ParseContext): ParseResult {
  const rec = parseCef(line, at);
  if (!rec) return { skip: "truncated-header" };
  const sig = rec.signatureId.toUpperCase();
  const name = rec.name.toUpperCase();
  const typeFirst = TYPES.has(sig);
  const type = typeFirst ? sig : TYPES.has(name) ? name : sig;
  const subtype = typeFirst ? rec.name : rec.signatureId;
  if (type !== "TRAFFIC") return notTraffic(type);
  const x = rec.ext;
  const proto = x.get("proto");
  if (!proto) return { skip: "missing-protocol" };
  return traffic(ctx, x.get("src") ?? "", x.get("dst") ?? "", proto, x.get("spt"), x.get("dpt"), x.get("act") ?? "", subtype,
    x.get("app"), x.get("cnt"), cefTime(x.get("start") ?? x.get("rt"), ctx.opts.year));
}

function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

function parseJson(line: string, ctx: ParseContext): ParseResult {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return { skip: "bad-json" };
  }
  if (o === null || typeof o !== "object" || Array.isArray(o)) return { skip: "bad-json" };
  const r = o as Record<string, unknown>;
  const type = str(r.LogType) ?? "";
  if (type.toUpperCase() !== "TRAFFIC") return notTraffic(type);
  const proto = str(r.Protocol);
  if (!proto) return { skip: "missing-protocol" };
  return traffic(ctx, str(r.SourceAddress) ?? "", str(r.DestinationAddress) ?? "", proto, str(r.SourcePort), str(r.DestinationPort),
    str(r.Action) ?? "", str(r.Subtype) ?? str(r.SubType) ?? "", str(r.Application), str(r.RepeatCount),
    isoTime(str(r.TimeGenerated) ?? str(r.TimeReceived)));
}

function cefVendor(line: string, at: number): boolean {
  return line.startsWith("|Palo Alto Networks|", at + 1);
}

function jsonLike(line: string): boolean {
  return line.trimStart().startsWith("{") && line.includes('"LogType"') && (line.includes('"DeviceSN"') || line.includes('"LogSourceID"') || line.includes('"SourceAddress"'));
}

export const panosFormat: TextFormatSpec = {
  name: "panos",
  doc: { detectedBy: "PAN-OS CSV `TRAFFIC` records, PAN-OS CEF and LEEF", notes: "Palo Alto Networks traffic logs; `action` allow/deny/drop/reset-*; threat, system and other log types skipped as not-traffic" },
  sniff(line) {
    const at = cefStart(line, true);
    if (at >= 0) return cefVendor(line, at);
    if (jsonLike(line)) return true;
    const m = CSV_HEAD.exec(line);
    return m !== null && TYPES.has(m[4]!);
  },
  parse(line, ctx) {
    const at = cefStart(line, true);
    if (at >= 0) return cefVendor(line, at) ? parseCefDialect(line, at, ctx) : { skip: "not-panos" };
    if (line.trimStart().startsWith("{")) return parseJson(line, ctx);
    const m = CSV_HEAD.exec(line);
    if (!m) return { skip: "not-panos" };
    // The match may open with the one character before the record (a space, ":" or ">").
    const lead = m[0].length - (m[1]!.length + m[2]!.length + m[3]!.length + m[4]!.length + 4);
    return parseCsv(line, m.index + lead, ctx);
  },
};
