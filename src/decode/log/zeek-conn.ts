/**
 * Zeek conn.log, in Zeek's ASCII (TSV) writer format or as JSON lines (Zeek's `LogAscii::use_json`,
 * Corelight and Security Onion exports). Field meanings from Zeek's base/protocols/conn/main.zeek
 * (Conn::Info): id.orig_h/id.orig_p -> id.resp_h/id.resp_p, proto (tcp, udp, icmp, unknown_transport
 * with ip_proto), conn_state, history, orig_pkts/resp_pkts. For ICMP, orig_p is the ICMP type and resp_p
 * the code.
 *
 * TSV: "#separator \x09", "#set_separator", "#empty_field", "#unset_field", "#path", "#open", "#fields",
 * "#types", "#close" header lines; "#fields" gives the column order (renamed columns such as "id_orig_h"
 * from a changed Log::default_scope_sep are understood). Rows before any "#fields" are read in the
 * default conn.log layout of their width (20 columns: Zeek 2.x, 21: with local_resp, 22: with
 * ip_proto). A log whose "#path" (or JSON "_path") is not conn is skipped as not-traffic.
 * Timestamps masked as "XXXXXXXXXX.XXXXXX" (Zeek's test baselines) leave the time unknown.
 *
 * The action is what the connection shows of the path between the two hosts (see `zeekAction`).
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, BLOCKED_BY_UNKNOWN, type ActionCode } from "../batch.js";
import type { FlowFields, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";

const BASE = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig"];
const TAIL = ["missed_bytes", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents"];
const DEFAULT_LAYOUTS = new Map<number, string[]>([
  [20, [...BASE, ...TAIL]],
  [21, [...BASE, "local_resp", ...TAIL]],
  [22, [...BASE, "local_resp", ...TAIL, "ip_proto"]],
]);

/** A column name as Zeek's default scope separator writes it: "id_orig_h" -> "id.orig_h". */
function canonical(name: string): string {
  return name.replace(/^id[^a-z0-9]/i, "id.");
}

interface ZeekState {
  sep: string;
  unset: string;
  empty: string;
  fields?: string[];
  path?: string;
}

function zeekState(ctx: ParseContext): ZeekState {
  let s = ctx.state.zeek as ZeekState | undefined;
  if (!s) {
    s = { sep: "\t", unset: "-", empty: "(empty)" };
    ctx.state.zeek = s;
  }
  return s;
}

/** "\x09" escapes as Zeek writes the separator. */
function unescape(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

function count(v: string | number | undefined): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? v : undefined;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * Zeek's letters for what the originator did, then the responder: the ^ (direction flipped) and x
 * (analysis partial) markers carry no packet.
 */
function letters(history: string): string {
  return history.replace(/[\^x]/g, "");
}

/**
 * A SYN that went unanswered and was sent again. History records 's' once per sequence number (a
 * retransmission of the same SYN adds no letter), so it shows as a second 'S' (a new attempt) or as more
 * originator packets than originator letters.
 */
function synRetransmitted(history: string, origPkts: number | undefined): boolean {
  const h = letters(history);
  if (!h.startsWith("S") || /[a-z]/.test(h)) return false;
  const syns = h.split("S").length - 1;
  return syns >= 2 || (origPkts !== undefined && origPkts > h.length);
}

/**
 * What a connection shows about the path between its two ends, as portmatrix reads a capture: a
 * handshake, or packets in both directions, mean the traffic got through (allowed); a SYN answered by a
 * RST (REJ) is a refusal (blocked: a closed port and a firewall's forged RST read the same); a SYN sent
 * again and again with no answer (S0, SH, RSTOS0 with retransmissions) is blocked; one direction only, or
 * a single unanswered SYN, proves nothing (unknown: the capture may see one side of split routing).
 *   SF S1 S2 S3 RSTO RSTR          handshake seen: allowed
 *   REJ                            blocked
 *   S0 SH RSTOS0                   blocked with a retransmitted SYN, else unknown
 *   SHR RSTRH                      the responder's SYN-ACK ('h') shows the SYN arrived: allowed; else unknown
 *   OTH                            packets both ways, or a SYN-ACK: allowed; else unknown
 *   UDP, ICMP, other protocols     packets both ways: allowed; else unknown
 */
export function zeekAction(proto: string, state: string, history: string, origPkts?: number, respPkts?: number): ActionCode {
  const both = (origPkts !== undefined && respPkts !== undefined && origPkts > 0 && respPkts > 0) ||
    (/[A-Z]/.test(letters(history)) && /[a-z]/.test(letters(history)));
  if (proto !== "tcp") return both ? ACTION_ALLOWED : ACTION_UNKNOWN;
  switch (state) {
    case "SF": case "S1": case "S2": case "S3": case "RSTO": case "RSTR":
      return ACTION_ALLOWED;
    case "REJ":
      return ACTION_BLOCKED;
    case "S0": case "SH": case "RSTOS0":
      return synRetransmitted(history, origPkts) ? ACTION_BLOCKED : ACTION_UNKNOWN;
    case "SHR": case "RSTRH":
      return history.includes("h") ? ACTION_ALLOWED : ACTION_UNKNOWN;
    default:
      // OTH: a SYN-ACK ('h' from the responder, or 'H' from an originator that is really the listening
      // side) answers a SYN the capture missed, so that SYN got through.
      return both || /[hH]/.test(history) ? ACTION_ALLOWED : ACTION_UNKNOWN;
  }
}

type Get = (name: string) => string | number | undefined;

function record(get: Get): ParseResult {
  const str = (n: string) => {
    const v = get(n);
    return v === undefined ? undefined : String(v);
  };
  let src = str("id.orig_h");
  let dst = str("id.resp_h");
  if (src === undefined || dst === undefined) return { skip: "missing-address" };
  let sport = get("id.orig_p");
  let dport = get("id.resp_p");
  const proto = (str("proto") ?? "").toLowerCase();
  const state = str("conn_state") ?? "";
  const history = str("history") ?? "";
  const origPkts = count(get("orig_pkts"));
  const respPkts = count(get("resp_pkts"));
  let action = zeekAction(proto, state, history, origPkts, respPkts);
  const h = letters(history);
  if (proto === "tcp" && state === "OTH" && h.startsWith("H") && !h.includes("S")) {
    // The originator sent a SYN-ACK: it is the listening side of a handshake whose SYN was not seen (the
    // direction Zeek's own heuristic marks with '^'). The SYN-ACK shows that SYN was accepted.
    [src, dst, sport, dport] = [dst, src, dport, sport];
    action = ACTION_ALLOWED;
  }
  // Zeek watches the wire and names no firewall: a REJ's RST may be the responder's or forged on the
  // way, and silence is silence. Its log keeps no TTL to tell (docs/outcomes.md).
  const f: FlowFields = { src, dst, proto, action, blockedBy: BLOCKED_BY_UNKNOWN, label: history ? `${state} ${history}` : state };
  if (proto === "icmp") {
    f.icmpType = sport;
    f.icmpCode = dport;
  } else if (proto === "tcp" || proto === "udp") {
    f.sport = sport;
    f.dport = dport;
  } else {
    // unknown_transport: the IP protocol number is its own column (Zeek 6+).
    const ipProto = count(get("ip_proto"));
    if (ipProto === undefined) return { skip: "unknown-protocol" };
    f.proto = ipProto;
  }
  const ts = get("ts");
  if (typeof ts === "number") f.time = Math.round(ts * 1000);
  else if (ts !== undefined && /^\d+(\.\d+)?$/.test(ts)) f.time = Math.round(Number(ts) * 1000);
  else if (ts !== undefined && /^\d{4}-/.test(ts) && !Number.isNaN(Date.parse(ts))) f.time = Date.parse(ts);
  return f;
}

function headerLine(line: string, st: ZeekState): ParseResult {
  if (line.startsWith("#separator")) {
    st.sep = unescape(line.slice(10).trim()) || "\t";
    return { skip: "header" };
  }
  // "#open XXXX-XX-XX-XX-XX-XX": Zeek's test baselines mask the value and write a space before it.
  const key = /^#\w+/.exec(line)?.[0] ?? "#";
  const rest = line.slice(key.length + 1).split(st.sep);
  switch (key) {
    case "#fields": st.fields = rest.map(canonical); return { skip: "header" };
    case "#path": st.path = rest[0] ?? ""; return { skip: "header" };
    case "#unset_field": st.unset = rest[0] ?? "-"; return { skip: "header" };
    case "#empty_field": st.empty = rest[0] ?? "(empty)"; return { skip: "header" };
    case "#set_separator": case "#types": case "#open": case "#close":
      return { skip: "header" };
    default:
      return { skip: "comment" };
  }
}

function jsonRecord(line: string): ParseResult {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return { skip: "bad-json" };
  }
  if (o === null || typeof o !== "object" || Array.isArray(o)) return { skip: "not-zeek-conn" };
  const r = o as Record<string, unknown>;
  const path = r._path;
  if (typeof path === "string" && path !== "conn") return { skip: `not-traffic:zeek-${path}` };
  const id = r.id !== null && typeof r.id === "object" ? (r.id as Record<string, unknown>) : undefined;
  return record((n) => {
    let v = r[n];
    if (v === undefined && n.startsWith("id.")) v = r[n.replace(".", "_")] ?? id?.[n.slice(3)];
    return typeof v === "string" || typeof v === "number" ? v : undefined;
  });
}

function parseZeekConn(line: string, ctx: ParseContext): ParseResult {
  const st = zeekState(ctx);
  if (line.startsWith("#")) return headerLine(line, st);
  if (line.trimStart().startsWith("{")) return jsonRecord(line.trim());
  if (st.path !== undefined && st.path !== "conn") return { skip: `not-traffic:zeek-${st.path}` };
  const values = line.split(st.sep);
  const fields = st.fields ?? DEFAULT_LAYOUTS.get(values.length);
  if (!fields) return { skip: "unknown-layout" };
  if (values.length !== fields.length) return { skip: values.length < fields.length ? "truncated-row" : "extra-fields" };
  const idx = new Map(fields.map((n, i) => [n, i]));
  return record((n) => {
    const i = idx.get(n);
    const v = i === undefined ? undefined : values[i];
    return v === undefined || v === st.unset || v === st.empty ? undefined : v;
  });
}

export const zeekConnFormat: TextFormatSpec = {
  name: "zeek-conn",
  doc: { detectedBy: "`#fields ts uid id.orig_h`, Zeek TSV rows, or JSON lines with `id.orig_h` and `conn_state`", notes: "Zeek conn.log in TSV or JSON; the outcome from conn_state and history as for captures" },
  sniff: (line) =>
    /^#fields(.)ts\1uid\1id[._]orig_h\1/.test(line) || /^#path.conn$/.test(line) ||
    /^(?:\d{9,10}\.\d{1,6}|X{10}\.X{6})\tC[0-9A-Za-z]{8,}\t/.test(line) ||
    (line.startsWith("{") && /"id[._]orig_h"/.test(line) && /"(?:conn_state|uid)"/.test(line)),
  parse: parseZeekConn,
};
