/**
 * Forcepoint NGFW (formerly Stonesoft / McAfee NGFW) log export over syslog, in the two forms the SMC's
 * Log Server forwards: CEF and LEEF.
 *   CEF:0|FORCEPOINT|Firewall|6.8.6|70018|Connection_Allowed|0|src=a dst=b spt=1 dpt=443 proto=6 act=Allow ...
 *   LEEF:1.0|Forcepoint|Firewall|7.1.5|Connection_Discarded|devTimeFormat=...<TAB>src=a<TAB>...<TAB>action=Discard
 * Field meanings from Forcepoint's "Exportable Firewall and Layer 2 Firewall log entry fields" (SMC
 * help, GUID-106A79FF...: ACTION is Allow, Discard, Refuse, Terminate, Wait for further actions, Wait for
 * authentication; EVENT names New connection, Connection closed, Connection discarded...). The event
 * name in the header is the log's Situation ("Connection_Allowed", "Connection_Discarded",
 * "Connection_Closed"...). The LEEF attributes are the ones "LEEF format log fields forwarded by SMC"
 * lists (devTime, proto, src, dst, srcPort, dstPort, srcPostNAT...; action when the entry has one).
 * Records that are not about a connection (file filtering, DHCP relay, engine commands, VPN negotiation)
 * are skipped with their own reason even when they quote addresses. The envelopes are read by cef.ts.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { cefStart, cefTime, ianaProtocol, leefStart, mappedAction, parseCef, parseLeef } from "./cef.js";
import { readTime, skipPriority } from "./syslog-time.js";
import type { FlowFields, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";

/** The syslog header's time in front of `end` (the relay's stamp), NaN when there is none. */
function syslogTime(line: string, end: number, ctx: ParseContext): number {
  if (end <= 0) return NaN;
  const b = Buffer.from(line.slice(0, Math.min(end, 80)), "latin1");
  return readTime(b, skipPriority(b, 0, b.length), b.length, ctx.opts.year, ctx.opts.nowMs).time;
}

/** Forcepoint ACTION values (SMC log entry fields), then the situation when no ACTION is given. */
function forcepointAction(act: string | undefined, name: string, ctx: ParseContext): ActionCode {
  if (act !== undefined && act.trim() !== "") {
    return mappedAction(act, ctx, (w) => {
      const a = w.trim().toLowerCase();
      if (a === "allow" || a === "permit") return ACTION_ALLOWED;
      if (a === "discard" || a === "refuse" || a === "terminate" || a.startsWith("terminate ") || a === "block" || a === "reject") return ACTION_BLOCKED;
      return ACTION_UNKNOWN;
    });
  }
  // Connection_Closed ends a connection that was let through.
  const s = name.toLowerCase();
  if (/^connection_(allowed|closed|opened|established)/.test(s)) return ACTION_ALLOWED;
  if (/^connection_(discarded|refused|terminated|blocked)/.test(s)) return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

function isVendor(v: string): boolean {
  const s = v.toLowerCase();
  return s === "forcepoint" || s === "stonesoft" || s === "mcafee";
}

interface Envelope { name: string; at: number; time: number; get(k: string): string | undefined }

function envelope(line: string, ctx: ParseContext): Envelope | undefined {
  const c = cefStart(line);
  const cef = c >= 0 ? parseCef(line, c) : null;
  if (cef && isVendor(cef.vendor)) {
    return { name: cef.name, at: line.lastIndexOf("CEF:", c), time: cefTime(cef.ext.get("rt"), ctx.opts.year), get: (k) => cef.ext.get(k) };
  }
  const l = leefStart(line);
  const leef = l >= 0 ? parseLeef(line, l) : null;
  if (leef && isVendor(leef.vendor)) {
    return { name: leef.eventId, at: l, time: cefTime(leef.attrs.get("devTime"), ctx.opts.year), get: (k) => leef.attrs.get(k) };
  }
  return undefined;
}

function parseForcepoint(line: string, ctx: ParseContext): ParseResult {
  const e = envelope(line, ctx);
  if (!e) return { skip: "not-forcepoint" };
  const act = e.get("act") ?? e.get("action");
  // A connection record: its situation is a Connection_* one, or it carries a firewall ACTION. Other
  // situations (VPN trigger, DHCP relay, file filtering, engine commands) quote addresses as context.
  if (!/^connection_/i.test(e.name) && act === undefined) {
    const facility = e.get("deviceFacility");
    return { skip: `not-traffic:${(facility ?? "event").toLowerCase().replace(/\s+/g, "-")}` };
  }
  const src = e.get("src") ?? e.get("c6a2") ?? "";
  const dst = e.get("dst") ?? e.get("c6a3") ?? "";
  if (src === "" && dst === "") return { skip: "not-traffic:no-addresses" };
  const flow: FlowFields = {
    src, dst, proto: ianaProtocol(e.get("proto") ?? ""),
    sport: e.get("spt") ?? e.get("srcPort"),
    dport: e.get("dpt") ?? e.get("dstPort"),
    action: forcepointAction(act, e.name, ctx),
    label: act ? `${e.name} (${act})` : e.name,
  };
  // A record that names no protocol cannot be checked against ports (and "" would read as IP protocol 0).
  if (String(flow.proto).trim() === "") return { skip: "missing-protocol" };
  // The LEEF export's attribute list (SMC "LEEF format log fields forwarded by SMC") has no ICMP type or
  // code, nor does the CEF one: an ICMP record is then a flow of unknown ICMP type, not a guess.
  const t = Number.isFinite(e.time) ? e.time : syslogTime(line, e.at, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

export const forcepointFormat: TextFormatSpec = {
  name: "forcepoint-ngfw",
  doc: { detectedBy: "Forcepoint CEF / LEEF headers", notes: "Forcepoint NGFW (Stonesoft) connection events over syslog" },
  sniff: (line) => /(?:CEF:\s?\d+|LEEF:\s?[12]\.0)\|(?:FORCEPOINT|Forcepoint|Stonesoft)\|/.test(line),
  parse: parseForcepoint,
};
