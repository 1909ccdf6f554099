/**
 * The CEF and LEEF envelopes, and the generic "cef" and "leef" formats built on them.
 *
 * CEF (ArcSight Common Event Format, "Implementing ArcSight CEF", revision 25, section "CEF Header"):
 *   CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class ID|Name|Severity|Extension
 * A header field escapes "|" and "\" as "\|" and "\\". The extension is space-separated key=value pairs;
 * a value may hold spaces and ends where the next " key=" begins; in a value "=" and "\" are escaped as
 * "\=" and "\\", and "\n" / "\r" stand for line breaks. Keys used here (section "ArcSight Extension
 * Dictionary"): src, dst, spt, dpt, proto (transportProtocol), act (deviceAction), rt (receipt time),
 * start, end, cnt (baseEventCount), c6a1..c6a4 with their c6aNLabel (IPv6 addresses: "Source IPv6
 * Address", "Destination IPv6 Address"). deviceDirection (0 inbound, 1 outbound) says where the
 * connection came from relative to the device; src is always the initiator, so it changes nothing here.
 *
 * LEEF (IBM QRadar "Log Event Extended Format", versions 1.0 and 2.0):
 *   LEEF:1.0|Vendor|Product|Version|EventID|attr=value<TAB>attr=value...
 *   LEEF:2.0|Vendor|Product|Version|EventID|DelimiterCharacter|attr=value<delim>...
 * The 2.0 delimiter is one character or its hex code ("x09", "0x5E"); when the field is absent the
 * delimiter is a tab, as in 1.0. Predefined attributes used here: src, dst, srcPort, dstPort, proto,
 * devTime with devTimeFormat, sev, cat.
 *
 * The vendor modules (panos.ts, fortigate.ts, checkpoint.ts) read their own CEF dialects with these
 * helpers and come before the generic formats in decode/formats.ts.
 */
import { ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { actionWord, type FlowFields, type ParseContext, type ParseResult, type TextFormatSpec } from "./text-format.js";
import { readTime } from "./syslog-time.js";

/** A parsed CEF record. */
export interface CefRecord {
  version: string;
  vendor: string;
  product: string;
  deviceVersion: string;
  signatureId: string;
  name: string;
  severity: string;
  /** Extension pairs, keys as written; the first of repeated keys wins. */
  ext: Map<string, string>;
}

/** A parsed LEEF record. */
export interface LeefRecord {
  version: string;
  vendor: string;
  product: string;
  deviceVersion: string;
  eventId: string;
  attrs: Map<string, string>;
}

/** Extra header fields tolerated before the extension (see parseCef). */
const MAX_EXTRA_HEADER_FIELDS = 2;

/**
 * Offset of the CEF version digit in `line`, or -1. "CEF:0|" may stand anywhere (after a syslog header;
 * "CEF: 0|" with a space is how FortiOS and Check Point write it behind a syslog tag). With `bare`, a line
 * that starts "0|" also counts: the envelope as a collector leaves it after taking "CEF:" for the syslog
 * tag; only vendor dialects that also check the vendor field use this.
 */
export function cefStart(line: string, bare = false): number {
  let from = 0;
  for (;;) {
    const k = line.indexOf("CEF:", from);
    if (k < 0) break;
    let i = k + 4;
    while (line.charCodeAt(i) === 32) i++;
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57 && line[i + 1] === "|") return i;
    from = k + 4;
  }
  if (bare) {
    let i = 0;
    while (line.charCodeAt(i) === 32) i++;
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57 && line[i + 1] === "|") return i;
  }
  return -1;
}

/** Split header fields on unescaped "|" from `start`; returns the fields and where the rest begins. */
function headerFields(line: string, start: number, count: number): { fields: string[]; rest: number } | null {
  const fields: string[] = [];
  let cur = "";
  let i = start;
  const n = line.length;
  while (i < n && fields.length < count) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < n && (line[i + 1] === "|" || line[i + 1] === "\\")) { cur += line[i + 1]; i += 2; continue; }
    if (ch === "|") { fields.push(cur); cur = ""; i++; continue; }
    cur += ch;
    i++;
  }
  if (fields.length < count) return null;
  return { fields, rest: i };
}

/** Index of the first unescaped "=" at or after `from`, or -1. */
function unescapedEq(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") { i++; continue; }
    if (c === "=") return i;
  }
  return -1;
}

/** Index of the first unescaped "|" in [from, to), or -1. */
function unescapedPipe(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === "\\") { i++; continue; }
    if (c === "|") return i;
  }
  return -1;
}

/** Undo CEF extension escapes: "\=", "\\", "\|", "\n", "\r". */
export function cefUnescape(v: string): string {
  if (!v.includes("\\")) return v;
  let out = "";
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === "\\" && i + 1 < v.length) {
      const d = v[i + 1]!;
      if (d === "n") { out += "\n"; i++; continue; }
      if (d === "r") { out += "\r"; i++; continue; }
      if (d === "=" || d === "\\" || d === "|") { out += d; i++; continue; }
    }
    out += c;
  }
  return out;
}

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

/**
 * CEF extension pairs. A key is the run of characters before an unescaped "=" back to the preceding
 * whitespace (or the start), holding no "=" itself; an "=" with no such key (an unescaped "=" inside a
 * value, "CN=fw,O=corp") stays in the value. The value runs to the whitespace before the next key;
 * trailing spaces are dropped.
 */
export function parseCefExtension(text: string, start = 0): Map<string, string> {
  const out = new Map<string, string>();
  const keys: { k0: number; eq: number }[] = [];
  let from = start;
  for (;;) {
    const eq = unescapedEq(text, from);
    if (eq < 0) break;
    let k0 = eq;
    while (k0 > start && !isSpace(text[k0 - 1]) && text[k0 - 1] !== "=") k0--;
    if (k0 < eq && (k0 === start || isSpace(text[k0 - 1]))) keys.push({ k0, eq });
    from = eq + 1;
  }
  for (let j = 0; j < keys.length; j++) {
    const { k0, eq } = keys[j]!;
    const vEnd = j + 1 < keys.length ? keys[j + 1]!.k0 : text.length;
    const key = text.slice(k0, eq);
    if (out.has(key)) continue;
    out.set(key, cefUnescape(text.slice(eq + 1, vEnd).replace(/[ \t]+$/, "")));
  }
  return out;
}

/**
 * Parse the CEF record whose version digit is at `at` (from cefStart). Returns null when the header has
 * fewer than seven fields. Check Point's Log Exporter has been seen writing an empty field after the
 * version ("CEF:0||Check Point|VPN-1 & FireWall-1|..."): when unescaped "|" still stand before the first
 * "=" of the extension, the header had extra fields, and empty ones right after the version are dropped
 * until seven remain.
 */
export function parseCef(line: string, at: number): CefRecord | null {
  const h = headerFields(line, at, 7);
  if (!h) return null;
  const fields = h.fields;
  let rest = h.rest;
  for (let extra = 0; extra < MAX_EXTRA_HEADER_FIELDS; extra++) {
    const eq = unescapedEq(line, rest);
    const pipe = unescapedPipe(line, rest, eq < 0 ? line.length : eq);
    if (pipe < 0) break;
    const more = headerFields(line, rest, 1);
    if (!more) break;
    fields.push(more.fields[0]!);
    rest = more.rest;
  }
  while (fields.length > 7 && fields[1] === "") fields.splice(1, 1);
  if (fields.length > 7) fields.length = 7;
  const [version, vendor, product, deviceVersion, signatureId, name, severity] = fields as [string, string, string, string, string, string, string];
  return { version, vendor, product, deviceVersion, signatureId, name, severity, ext: parseCefExtension(line, rest) };
}

/** Offset of "LEEF:" in `line`, or -1. */
export function leefStart(line: string): number {
  const k = line.indexOf("LEEF:");
  if (k < 0) return -1;
  return /^LEEF:\s?\d(\.\d)?\|/.test(line.slice(k, k + 12)) ? k : -1;
}

/** The LEEF 2.0 delimiter field: one character, or its hex code ("x09", "0x09", "^"). */
function leefDelimiter(field: string): string | undefined {
  if (field.length === 1) return field;
  const hex = /^(?:0?x)?([0-9a-fA-F]{2,4})$/.exec(field);
  if (hex && field.length >= 3) return String.fromCharCode(parseInt(hex[1]!, 16));
  return undefined;
}

/**
 * Parse the LEEF record at `at` (from leefStart). rsyslog writes a tab it received as "#011" (its control
 * character escape): with a tab delimiter and no tab in the line, "#011" is taken as the delimiter.
 * A value may escape "=" as "\=" (Forcepoint writes it so).
 */
export function parseLeef(line: string, at: number): LeefRecord | null {
  const h = headerFields(line, at, 5);
  if (!h) return null;
  const version = h.fields[0]!.replace(/^LEEF:\s?/, "");
  let rest = h.rest;
  let delim = "\t";
  if (version.startsWith("2")) {
    const pipe = line.indexOf("|", rest);
    const eq = line.indexOf("=", rest);
    if (pipe >= 0 && (eq < 0 || pipe < eq)) {
      const d = leefDelimiter(line.slice(rest, pipe));
      if (d !== undefined) { delim = d; rest = pipe + 1; }
      else if (pipe === rest) rest = pipe + 1;
    }
  }
  if (delim === "\t" && !line.includes("\t", rest) && line.includes("#011", rest)) delim = "#011";
  const attrs = new Map<string, string>();
  for (const part of line.slice(rest).split(delim)) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    if (key === "" || attrs.has(key)) continue;
    attrs.set(key, part.slice(eq + 1).replace(/\\=/g, "=").trim());
  }
  const [, vendor, product, deviceVersion, eventId] = h.fields as [string, string, string, string, string];
  return { version, vendor, product, deviceVersion, eventId, attrs };
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

function zoneOffsetMin(z: string | undefined): number | undefined {
  if (z === undefined || z === "" || /^(UTC|GMT|Z)$/i.test(z)) return 0;
  const m = /^(?:UTC|GMT)?([+-])(\d\d):?(\d\d)?$/i.exec(z);
  if (!m) return undefined;
  return (Number(m[2]) * 60 + Number(m[3] ?? 0)) * (m[1] === "+" ? 1 : -1);
}

/**
 * A time as CEF's rt/start/end and LEEF's devTime write it (CEF revision 25, "Date Formats in the CEF
 * Header and Extension"): milliseconds since the epoch, "MMM dd yyyy HH:mm:ss[.SSS][ zzz]",
 * "MMM dd HH:mm:ss[.SSS][ zzz]" (the year from `year`), or ISO 8601. A zone other than UTC/GMT or a
 * numeric offset (a name such as "CEST") is read as UTC. Returns NaN when none of these.
 */
export function cefTime(text: string | undefined, year: number): number {
  if (text === undefined) return NaN;
  const s = text.trim();
  if (/^\d{12,13}$/.test(s)) return Number(s);
  const m = /^([A-Za-z]{3}) +(\d{1,2})(?: +(\d{4}))? +(\d{1,2}):(\d\d):(\d\d)(?:\.(\d{1,3})\d*)?(?: +(\S+))?$/.exec(s);
  if (m) {
    const mo = MONTHS[m[1]!.toLowerCase()];
    if (mo === undefined) return NaN;
    const off = zoneOffsetMin(m[8]) ?? 0;
    const ms = m[7] ? Number(m[7].padEnd(3, "0")) : 0;
    return Date.UTC(m[3] ? Number(m[3]) : year, mo, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]), ms) - off * 60000;
  }
  if (/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/.test(s)) {
    const b = Buffer.from(s, "latin1");
    // An ISO stamp carries its year; "now" only matters for yearless stamps, which this is not.
    return readTime(b, 0, b.length, year, 0).time;
  }
  return NaN;
}

/** An ISO 8601 timestamp ("2023-02-03T16:46:07.000000Z"), or NaN. */
export function isoTime(text: string | undefined): number {
  if (text === undefined || !/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/.test(text)) return NaN;
  const b = Buffer.from(text, "latin1");
  return readTime(b, 0, b.length, 1970, 0).time;
}

/** The user's --action-map, then the vendor's own reading of its action word. */
export function mappedAction(word: string, ctx: ParseContext, vendor: (w: string) => ActionCode): ActionCode {
  const up = word.toUpperCase();
  for (const e of ctx.opts.actionMap) if (up.includes(e.match.toUpperCase())) return e.action;
  return vendor(word);
}

/** The value of the c6aN address whose c6aNLabel matches `label` (CEF's IPv6 custom addresses). */
export function cefLabelledIpv6(ext: Map<string, string>, label: RegExp): string | undefined {
  for (let k = 1; k <= 4; k++) {
    const l = ext.get(`c6a${k}Label`);
    const v = ext.get(`c6a${k}`);
    if (l !== undefined && v !== undefined && v !== "" && label.test(l)) return v;
  }
  return undefined;
}

/**
 * IANA protocol keywords (the "Keyword" column of the IANA Protocol Numbers registry) that firewalls
 * write instead of numbers, beyond the ones batch.ts's protocolNumber knows; other text is returned as
 * it is for protocolNumber to judge.
 */
const IANA_KEYWORDS: Record<string, number> = {
  hopopt: 0, igmp: 2, ggp: 3, ipv4: 4, ipip: 4, "ip-in-ip": 4, st: 5, egp: 8, igp: 9, ipv6: 41,
  "ipv6-route": 43, "ipv6-frag": 44, rsvp: 46, gre: 47, esp: 50, ah: 51, "ipv6-nonxt": 59,
  "ipv6-opts": 60, eigrp: 88, ospf: 89, ospfigp: 89, pim: 103, vrrp: 112, l2tp: 115, sctp: 132,
  udplite: 136,
};

export function ianaProtocol(text: string): string | number {
  const n = IANA_KEYWORDS[text.trim().toLowerCase()];
  return n ?? text;
}

/** A positive integer, or undefined. */
export function countOf(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,10}$/.test(v.trim())) return undefined;
  const n = Number(v);
  return n >= 1 ? n : undefined;
}

/**
 * The flow of a CEF record from the dictionary keys, or the reason there is none. `action` reads the
 * action word (default: the generic words of text-format.ts).
 */
export function cefFlow(rec: CefRecord, ctx: ParseContext, action: (w: string) => ActionCode = actionWord): FlowFields | { skip: string } {
  const x = rec.ext;
  const src = x.get("src") || cefLabelledIpv6(x, /source/i);
  const dst = x.get("dst") || cefLabelledIpv6(x, /destination/i);
  if (!src && !dst) return { skip: "not-traffic:no-addresses" };
  if (!src || !dst) return { skip: "missing-address" };
  const proto = x.get("proto");
  if (proto === undefined || proto.trim() === "") return { skip: "missing-protocol" };
  const act = x.get("act");
  return {
    src,
    dst,
    proto: ianaProtocol(proto),
    sport: x.get("spt"),
    dport: x.get("dpt"),
    action: act ? mappedAction(act, ctx, action) : ACTION_UNKNOWN,
    label: act || rec.name || rec.signatureId,
    time: cefTime(x.get("rt") ?? x.get("end") ?? x.get("start"), ctx.opts.year),
    count: countOf(x.get("cnt")),
  };
}

/**
 * Generic CEF: any vendor's record with src/dst (or labelled IPv6 addresses) and a protocol is a flow;
 * `act` is read with the common action words and kept as the label. A record without addresses (an
 * endpoint or mail event) is skipped as "not-traffic:no-addresses". Vendors whose CEF mixes traffic with
 * threat or system records have their own dialect module, placed before this one.
 */
export const cefFormat: TextFormatSpec = {
  name: "cef",
  doc: { detectedBy: "`CEF:0|...` anywhere in the line", notes: "ArcSight CEF from any vendor without a dialect of its own: `act`/`deviceAction` give the action" },
  sniff(line) {
    const at = cefStart(line);
    return at >= 0 && headerFields(line, at, 7) !== null;
  },
  parse(line, ctx): ParseResult {
    const at = cefStart(line);
    if (at < 0) return { skip: "not-cef" };
    const rec = parseCef(line, at);
    if (!rec) return { skip: "truncated-header" };
    return cefFlow(rec, ctx);
  },
};

/** Generic LEEF: src/dst/srcPort/dstPort/proto and an "action" attribute when there is one. */
export const leefFormat: TextFormatSpec = {
  name: "leef",
  doc: { detectedBy: "`LEEF:1.0|` / `LEEF:2.0|`", notes: "IBM QRadar LEEF from any vendor without a dialect of its own" },
  sniff(line) {
    const at = leefStart(line);
    return at >= 0 && headerFields(line, at, 5) !== null;
  },
  parse(line, ctx): ParseResult {
    const at = leefStart(line);
    if (at < 0) return { skip: "not-leef" };
    const rec = parseLeef(line, at);
    if (!rec) return { skip: "truncated-header" };
    const a = rec.attrs;
    const src = a.get("src");
    const dst = a.get("dst");
    if (!src && !dst) return { skip: "not-traffic:no-addresses" };
    if (!src || !dst) return { skip: "missing-address" };
    const proto = a.get("proto");
    if (proto === undefined || proto.trim() === "") return { skip: "missing-protocol" };
    const act = a.get("action") ?? a.get("act");
    return {
      src,
      dst,
      proto: ianaProtocol(proto),
      sport: a.get("srcPort"),
      dport: a.get("dstPort"),
      action: act ? mappedAction(act, ctx, actionWord) : ACTION_UNKNOWN,
      label: act || rec.eventId,
      time: cefTime(a.get("devTime"), ctx.opts.year),
    } satisfies FlowFields;
  },
};
