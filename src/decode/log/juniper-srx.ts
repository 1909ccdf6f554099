/**
 * Juniper SRX (Junos OS) security flow logs and Junos firewall-filter logs.
 *
 * - RT_FLOW session logs, structured (RFC 5424 with "[junos@2636.1.1.1.2.x key="value" ...]", Junos
 *   "structured-data" syslog format) or unstructured ("RT_FLOW_SESSION_CREATE: session created
 *   10.0.0.1/1234->10.0.0.2/80 0x0 junos-http ..."). Tags and fields follow Juniper's System Log
 *   Explorer entries RT_FLOW_SESSION_CREATE, RT_FLOW_SESSION_CLOSE and RT_FLOW_SESSION_DENY (and their
 *   logical-system variants with "_LS"): CREATE and CLOSE are sessions a policy permitted, DENY is a
 *   first packet a policy denied. Fields: source-address, destination-address, source-port,
 *   destination-port, protocol-id (IANA number), icmp-type (DENY only), service-name.
 * - Firewall-filter "syslog" action lines, "FW: <interface> <action> <protocol> <source> <destination>
 *   <source port> <destination port> (<n> packets)" (PFE_FW_SYSLOG_IP or the kernel's "FW:"); the action
 *   letter is the one "show firewall log" prints: A accept, D discard, R reject.
 *
 * Everything else is not traffic: APPTRACK_* (application tracking of a session RT_FLOW already logs),
 * RT_SCREEN_* / RT_IDS / RT_IDP / RT_UTM (attack and content events), UI_* and other system messages,
 * each counted as "not-traffic:srx-<TAG>" (or "not-traffic:system" when the line has no tag).
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { readTime } from "./syslog-time.js";
import { parseKeyValues, type FlowFields, type ParseContext, type ParseResult, type TextFormatSpec } from "./text-format.js";

/** Junos message tags (System Log Explorer names): upper-case words joined by underscores. */
const TAG = /(?:^|[\s:\]])([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?=[:\s[]|$)/;
const SESSION_TAG = /^RT_FLOW_SESSION_(CREATE|CLOSE|DENY)(?:_LS)?$/;
/** The firewall-filter line; ports are printed for every protocol (0 when it has none). */
const FW = /(?:^|\s)FW: +(\S+) +([A-Z]) +(\S+) +(\S+) +(\S+) +(\d+) +(\d+)(?: +\((\d+) packets?\))?/;
/** Unstructured session tuple "a/p->b/p" (IPv4 or IPv6). */
const TUPLE = /([0-9A-Fa-f.:]+)\/(\d+)->([0-9A-Fa-f.:]+)\/(\d+)/;

/** Protocol names a firewall filter prints ("show firewall log": tcp, udp, icmp, pim, ospf, ...). */
const PROTO_NAMES: Record<string, number> = {
  tcp: 6, udp: 17, icmp: 1, icmp6: 58, icmpv6: 58, "ipv6-icmp": 58, igmp: 2, ipip: 4, egp: 8, gre: 47,
  esp: 50, ah: 51, ospf: 89, pim: 103, vrrp: 112, rsvp: 46, sctp: 132,
};

function protoOf(v: string | undefined): number | string {
  if (v === undefined) return "";
  const s = v.trim().toLowerCase();
  if (/^\d{1,3}$/.test(s)) return Number(s);
  return PROTO_NAMES[s] ?? s;
}

const isIcmp = (p: number | string) => p === 1 || p === 58;

function actionOf(kind: string): ActionCode {
  return kind === "DENY" ? ACTION_BLOCKED : ACTION_ALLOWED;
}

/** Structured form: the key="value" pairs after "[junos@...". Curly quotes (”) are read as plain text. */
function structured(tag: string, kind: string, text: string): ParseResult {
  const kv = parseKeyValues(text);
  const src = kv.get("source-address");
  const dst = kv.get("destination-address");
  if (src === undefined || dst === undefined) return { skip: `malformed:srx-${tag}` };
  const p = protoOf(kv.get("protocol-id") ?? kv.get("protocol-name"));
  const f: FlowFields = { src, dst, proto: p, action: actionOf(kind), label: tag };
  if (isIcmp(p)) {
    // Only DENY states the ICMP type; CREATE/CLOSE of an ICMP session give no type (the frame skips them).
    const t = kv.get("icmp-type");
    if (kind === "DENY" && t !== undefined) f.icmpType = t;
  } else {
    f.sport = kv.get("source-port");
    f.dport = kv.get("destination-port");
  }
  return f;
}

/**
 * Unstructured form (the "brief" syslog format). The fields after the tuple vary by release (NAT rule
 * types of two words, "0x0" connection tags), so the protocol is found by its neighbours: DENY writes
 * "protocol-id(icmp-type)"; CREATE and CLOSE write "protocol-id policy-name source-zone destination-zone
 * session-id" and then the first "x(y)" field (username(roles) for CREATE, packets(bytes) for CLOSE).
 */
function unstructured(tag: string, kind: string, rest: string): ParseResult {
  const t = TUPLE.exec(rest);
  if (!t) return { skip: `malformed:srx-${tag}` };
  const f: FlowFields = { src: t[1]!, dst: t[3]!, proto: "", sport: t[2], dport: t[4], action: actionOf(kind), label: tag };
  const after = rest.slice(t.index + t[0].length);
  const tokens = after.trim().split(/\s+/);
  if (kind === "DENY") {
    const pt = tokens.map((x) => /^(\d{1,3})\((\d+)\)$/.exec(x)).find((x) => x !== null);
    if (pt) {
      f.proto = Number(pt[1]);
      if (isIcmp(f.proto)) { f.icmpType = pt[2]; f.sport = undefined; f.dport = undefined; }
    }
    return f;
  }
  const nat = TUPLE.exec(after);
  const from = nat ? after.slice(nat.index + nat[0].length).trim().split(/\s+/) : tokens;
  for (let k = 5; k < from.length; k++) {
    if (!/^[^()]*\([^()]*\)$/.test(from[k]!)) continue;
    const sid = from[k - 1]!;
    const p = from[k - 5]!;
    if (/^\d+$/.test(sid) && /^\d{1,3}$/.test(p) && Number(p) <= 255) {
      f.proto = Number(p);
      break;
    }
  }
  if (isIcmp(f.proto)) { f.sport = undefined; f.dport = undefined; }
  return f;
}

function timeOf(line: string, ctx: ParseContext): number | undefined {
  const b = Buffer.from(line.slice(0, 48), "latin1");
  let i = 0;
  if (b[0] === 60) { const gt = b.indexOf(62); if (gt > 0 && gt < 5) i = gt + 1; }
  if (i + 2 < b.length && b[i]! >= 49 && b[i]! <= 57 && b[i + 1] === 32) i += 2;
  const r = readTime(b, i, b.length, ctx.opts.year, ctx.opts.nowMs);
  return Number.isNaN(r.time) ? undefined : r.time;
}

function classify(line: string): ParseResult {
  const tag = TAG.exec(line);
  return { skip: tag ? `not-traffic:srx-${tag[1]!}` : "not-traffic:system" };
}

export function parseJuniperSrx(line: string, ctx: ParseContext): ParseResult {
  let r: ParseResult | undefined;
  const sd = line.indexOf("[junos@");
  if (sd >= 0) {
    // RFC 5424: "... RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636... key="value" ...]": the MSGID precedes the element.
    const before = line.slice(0, sd).trimEnd();
    const tag = before.slice(before.lastIndexOf(" ") + 1);
    const s = SESSION_TAG.exec(tag);
    r = s ? structured(tag, s[1]!, line.slice(sd + 1)) : { skip: `not-traffic:srx-${/^[A-Z][A-Z0-9_]*$/.test(tag) ? tag : "unknown"}` };
  } else {
    const u = /\b(RT_FLOW_SESSION_(CREATE|CLOSE|DENY)(?:_LS)?):\s+session (?:created|closed|denied)\b(.*)$/.exec(line);
    if (u) r = unstructured(u[1]!, u[2]!, u[3]!);
    else {
      const fw = FW.exec(line);
      if (fw) {
        const a = fw[2]!;
        const p = protoOf(fw[3]);
        const f: FlowFields = {
          src: fw[4]!, dst: fw[5]!, proto: p,
          action: a === "A" ? ACTION_ALLOWED : a === "D" || a === "R" ? ACTION_BLOCKED : ACTION_UNKNOWN,
          label: `FW ${a}`,
        };
        // The two numbers are ports for TCP and UDP; what they hold for ICMP is not documented, so no type is taken.
        if (!isIcmp(p)) { f.sport = fw[6]; f.dport = fw[7]; }
        if (fw[8] !== undefined) f.count = Number(fw[8]);
        r = f;
      } else r = classify(line);
    }
  }
  if ("skip" in r || Array.isArray(r)) return r;
  const time = timeOf(line, ctx);
  if (time !== undefined) r.time = time;
  return r;
}

/** Lines that only Junos writes: RT_FLOW/APPTRACK and other Junos tags, "[junos@" elements, firewall-filter "FW:" lines. */
const SNIFF = /\[junos@|\bRT_FLOW\b|\bRT_FLOW_SESSION_|\bAPPTRACK_SESSION_|\bRT_(?:SCREEN|IDS|IDP|UTM|AAMW|SECINTEL)_?|PFE_FW_SYSLOG|(?:^|\s)FW: +\S+ +[ADR] +\S+ +\S+ +\S+ +\d+ +\d+|\b(?:UI|KMD|RPD|SNMPD|CHASSISD|L2ALD|JSRPD|RTLOG|LICENSE)_[A-Z_]+\b/;

export const juniperSrxFormat: TextFormatSpec = {
  name: "juniper-srx",
  doc: { detectedBy: "`RT_FLOW_SESSION_*` (structured or not), Junos `FW:` filter lines", notes: "Juniper SRX session create/close/deny logs and firewall-filter logs" },
  sniff: (line) => SNIFF.test(line),
  parse: parseJuniperSrx,
};
