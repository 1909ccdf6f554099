/**
 * pfSense / OPNsense `filterlog`: pf's log as one CSV record per packet, behind a syslog header
 *   <134>Jul  3 19:10:30 filterlog[72237]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,63,...
 *   <134>1 2022-06-09T14:44:11-06:00 host filterlog 76404 - [meta sequenceId="1"] 124,,,fae5...,...
 * Field layout from Netgate's "Raw Filter Log Format" (docs.netgate.com/pfsense/en/latest/monitoring/
 * raw-filter-log-format.html); the ICMP words from filterlog's own printer (icmp.c, a tcpdump fork):
 *   common   rule, sub rule, anchor, tracker, interface, reason, action, direction, IP version
 *   IPv4     TOS, ECN, TTL, ID, offset, flags, protocol id, protocol text, length, source, destination
 *   IPv6     class, flow label, hop limit, protocol text, protocol id, length, source, destination
 *   TCP/UDP  source port, destination port, data length [TCP: flags, seq, ack, window, urg, options]
 *   ICMP     a word naming the type (request, reply, unreachport, needfrag...) and its own fields
 *   other    "datalength=N" (IGMP, ICMPv6, ESP...); CARP: type, ttl, vhid, version, advskew, advbase
 * Other programs' lines in the same syslog stream (dhcpd, unbound...) are not traffic and are skipped.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, PROTO_ICMP, PROTO_TCP, PROTO_UDP, type ActionCode } from "../batch.js";
import { priorityEnd, readTime, versionEnd } from "./syslog-time.js";
import type { FlowFields, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";

const IPV4_DATA = 20;
const IPV6_DATA = 17;
/** Fields before the protocol's own data: the common nine plus the IPv4 or IPv6 header fields. */
const IPV4_PROTO_ID = 15;
const IPV6_PROTO_ID = 13;

/**
 * filterlog's ICMP type words (icmp.c) as [type, code]; code -1 when the word does not fix it. The
 * fallback descriptions ("source quench", "router solicitation"...) come from its icmp2str table;
 * filterlog appends the length to them without a separator, so they are matched as prefixes.
 */
const ICMP_WORDS: readonly (readonly [string, number, number])[] = [
  ["request", 8, 0], ["reply", 0, 0], ["unreachproto", 3, 2], ["unreachport", 3, 3], ["needfrag", 3, 4],
  ["unreach", 3, -1], ["redirect", 5, -1], ["routeradv", 9, -1], ["timexceed", 11, -1], ["paramprob", 12, -1],
  ["tstampreply", 14, 0], ["tstamp", 13, 0], ["maskreply", 18, 0], ["echo reply", 0, 0], ["source quench", 4, 0],
  ["echo request", 8, 0], ["router solicitation", 10, 0], ["time stamp request", 13, 0], ["time stamp reply", 14, 0],
  ["information request", 15, 0], ["information reply", 16, 0], ["address mask request", 17, 0],
];

export function icmpFromWord(word: string): [number, number] | undefined {
  const w = word.trim().toLowerCase();
  for (const [name, type, code] of ICMP_WORDS) {
    // "tstampreply" before "tstamp" and "unreachproto" before "unreach": the table lists longer words first.
    if (w === name || (name.includes(" ") && w.startsWith(name)) || (name === "routeradv" && w.startsWith(name))) return [type, code];
  }
  return undefined;
}

function actionOf(word: string): ActionCode {
  // pf's actions: pass, block (drop or return-rst/return-icmp), and match/scrub/nat/rdr/binat for rules
  // that change a packet without deciding its fate.
  if (word === "pass") return ACTION_ALLOWED;
  if (word === "block" || word === "reject" || word === "drop") return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

/** The CSV after "filterlog[pid]:" (RFC 3164), after "filterlog PROCID MSGID SD " (RFC 5424), or a bare record. */
function csvStart(line: string): { header: number; csv: number } | undefined {
  const at = line.indexOf("filterlog");
  if (at < 0) return BARE.test(line) ? { header: 0, csv: 0 } : undefined;
  let i = at + 9;
  if (line[i] === "[") {
    const close = line.indexOf("]", i);
    if (close < 0) return undefined;
    i = close + 1;
  }
  if (line[i] === ":") {
    i++;
    while (line[i] === " ") i++;
    return { header: at, csv: i };
  }
  // RFC 5424: APP-NAME "filterlog", then PROCID, MSGID, STRUCTURED-DATA ("-" or [id k="v" ...]...).
  const m = RFC5424_TAIL.exec(line.slice(i));
  return m ? { header: at, csv: i + m[0].length } : undefined;
}

const RFC5424_TAIL = /^ \S+ \S+ (?:-|(?:\[(?:[^\]"\\]|"(?:[^"\\]|\\.)*")*\])+) ?/;
/** A record without a syslog header: rule,subrule,anchor,tracker,iface,reason,action,direction,ipver,... */
const BARE = /^\d*,\d*,[^,]*,[^,]*,[^,]*,[^,]*,[a-z]+,(?:in|out),[46],/;
const SYSLOG_PROGRAM = /^(?:<\d{1,3}>)?(?:\d \S+ \S+ (\S+)|[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d (?:\S+ )?([^\s:[]+)(?:\[\d+\])?:)/;

function parseFilterlog(line: string, ctx: ParseContext): ParseResult {
  const at = csvStart(line);
  if (!at) {
    // Another program of the same firewall (dhcpd, unbound, sshd...): its line, not a packet.
    const prog = SYSLOG_PROGRAM.exec(line);
    const name = prog?.[1] ?? prog?.[2];
    return name && name !== "filterlog" ? { skip: `not-traffic:${name.toLowerCase()}` } : { skip: "not-filterlog" };
  }
  const f = line.slice(at.csv).trimEnd().split(",");
  if (f.length < 12) return { skip: "truncated-row" };
  const ipVersion = f[8];
  const v4 = ipVersion === "4";
  if (!v4 && ipVersion !== "6") return { skip: "unknown-ip-version" };
  const protoId = Number(f[v4 ? IPV4_PROTO_ID : IPV6_PROTO_ID]);
  const src = f[v4 ? 18 : 15];
  const dst = f[v4 ? 19 : 16];
  if (src === undefined || dst === undefined || !Number.isInteger(protoId)) return { skip: "truncated-row" };
  const data = v4 ? IPV4_DATA : IPV6_DATA;
  const actionWord = f[6] ?? "";
  const flow: FlowFields = {
    src, dst, proto: protoId, action: actionOf(actionWord),
    label: `${actionWord} ${f[7] ?? ""} on ${f[4] ?? ""} (rule ${f[3] || f[0] || "?"})`,
  };
  if (protoId === PROTO_TCP || protoId === PROTO_UDP) {
    flow.sport = f[data];
    flow.dport = f[data + 1];
  } else if (protoId === PROTO_ICMP && v4) {
    const t = icmpFromWord(f[data] ?? "");
    if (t) {
      flow.icmpType = t[0];
      if (t[1] >= 0) flow.icmpCode = t[1];
    }
  }
  if (at.header > 0) {
    const b = Buffer.from(line.slice(0, at.header), "latin1");
    const p = versionEnd(b, priorityEnd(b, 0, b.length), b.length);
    const t = readTime(b, p, b.length, ctx.opts.year, ctx.opts.nowMs).time;
    if (Number.isFinite(t)) flow.time = t;
  }
  return flow;
}

export const filterlogFormat: TextFormatSpec = {
  name: "pfsense-filterlog",
  doc: { detectedBy: "`filterlog[pid]: rule,,,tracker,iface,reason,action,...`", notes: "pfSense / OPNsense filterlog CSV behind syslog; IPv4 and IPv6" },
  sniff: (line) => (line.includes("filterlog") && /,(?:pass|block|match|rdr|nat|binat|scrub),(?:in|out),[46],/.test(line)) || BARE.test(line),
  parse: parseFilterlog,
};
