/**
 * BSD pf logs as tcpdump prints them from pflog0 (`tcpdump -n -e -ttt -r /var/log/pflog`, pflogd piped
 * to syslog), one packet per line:
 *   Mar 30 15:55:20 enigma pf: Mar 30 15:53:25.793256 rule 2/(match) pass in on xl0: 205.174.165.231.50425 > 192.168.2.10.22: . ack 2450721 win 73
 *   rule 0/0(match): block in on em0: 10.0.0.1.1234 > 10.0.0.2.80: S 1:1(0) win 16384     (older tcpdump)
 *   rule 3.anchor.1/match [uid 0]: block out on em0: fe80::1.546 > ff02::1:2.547: UDP, length 98  (tcpdump.org)
 * The pflog header part comes from tcpdump's print-pflog.c (OpenBSD usr.sbin/tcpdump and tcpdump.org):
 * "rule N[.ruleset.M]/" (or "def"), the reason ("(match)", "0(match)" or "match"), optional "[uid ...]"
 * brackets, then the action (pass, block, match, scrub, nat, binat, rdr), direction and interface. The
 * packet part is tcpdump's own text: "src.port > dst.port: " (IPv4 and IPv6 alike, the port after the
 * last dot) and then the protocol's printer. print-tcp.c always starts with the flags (". ack", "S",
 * "P 1:10(9)", "Flags [S.]"); print-udp.c prints "udp N" / "UDP, length N" or hands over to an
 * application printer (DNS, NTP...), so a ported packet that does not start with TCP flags is UDP.
 * ICMP is named by words (print-icmp.c, print-icmp6.c), mapped back to RFC 792 / RFC 4443 types. With
 * -v the IP header's "proto TCP (6)" states the protocol outright and is used first.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import type { FlowFields, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";
import { mappedAction } from "./cef.js";
import { readTime, skipPriority } from "./syslog-time.js";
import { parseAddr } from "../../net/addr.js";

/** The syslog header's time in front of `end` (the relay's stamp), NaN when there is none. */
function syslogTime(line: string, end: number, ctx: ParseContext): number {
  if (end <= 0) return NaN;
  const b = Buffer.from(line.slice(0, Math.min(end, 80)), "latin1");
  return readTime(b, skipPriority(b, 0, b.length), b.length, ctx.opts.year, ctx.opts.nowMs).time;
}

const RULE = /\brule\s+(def|\d+(?:\.\S+?\.(?:\d+|def))?)\/(?:\d+)?\(?(unkn[ (]?\d+\)?|[a-z-]+)\)?(?:\s*\[[^\]]*\])*:?\s+(pass|block|drop|match|scrub|nat|binat|rdr|unkn\(\d+\))\s+(in|out|in\/out|fwd)\s+on\s+([^\s:]+):\s+(.*)$/;
const PACKET = /^(?:\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s+)?(?:IP6?\s+)?(\S+) > (\S+):(?:\s+(.*))?$/;
const TCP_START = /^(?:Flags \[[^\]]*\]|[SFPRWEU.]+(?:\s|,|$))/;

/** [words, IPv4 type, IPv6 type] as print-icmp.c / print-icmp6.c write them; first match wins. */
const ICMP_WORDS: readonly (readonly [RegExp, number, number])[] = [
  [/^echo request/, 8, 128], [/^echo reply/, 0, 129], [/unreachable/, 3, 1], [/^packet too big/, -1, 2],
  [/time exceeded/, 11, 3], [/parameter problem/, 12, 4], [/^redirect/, 5, 137], [/^source quench/, 4, -1],
  [/^router advertisement/, 9, 134], [/^router solicitation/, 10, 133], [/^neighbor solicitation/, -1, 135],
  [/^neighbor advertisement/, -1, 136], [/^multicast listener query/, -1, 130], [/^multicast listener report v2/, -1, 143],
  [/^multicast listener report/, -1, 131], [/^multicast listener done/, -1, 132], [/^time stamp request/, 13, -1],
  [/^time stamp reply/, 14, -1], [/^information request/, 15, -1], [/^information reply/, 16, -1],
  [/^address mask request/, 17, -1], [/^address mask is/, 18, -1],
];

/** Protocols tcpdump prints without ports, by the word their printer starts with. */
const NAMED: readonly (readonly [RegExp, number])[] = [
  [/^esp\b/i, 50], [/^ah\b/i, 51], [/^gre/i, 47], [/^igmp\b/i, 2], [/^pim/i, 103], [/^ospf/i, 89], [/^(?:vrrp|carp)/i, 112],
];

function actionOf(word: string): ActionCode {
  if (word === "pass") return ACTION_ALLOWED;
  if (word === "block" || word === "drop") return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

const words = new Uint32Array(4);

/** "a.b.c.d.port", "a.b.c.d", "v6addr.port", "v6addr". Port undefined when absent; null when a name. */
function hostPort(s: string): { addr: string; port: string | undefined | null } {
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(s)) return { addr: s, port: undefined };
  const dot = s.lastIndexOf(".");
  if (dot > 0) {
    const head = s.slice(0, dot);
    const tail = s.slice(dot + 1);
    if (parseAddr(head, words) !== 0) return { addr: head, port: /^\d+$/.test(tail) ? tail : null };
  }
  return { addr: s, port: undefined };
}

/** The packet's own time: tcpdump's stamp just before "rule", else the syslog header's. */
function packetTime(line: string, ruleAt: number, ctx: ParseContext): number {
  const before = line.slice(0, ruleAt);
  const m = /(?:^|\s)((?:[A-Z][a-z]{2} +\d{1,2}|\d{4}-\d\d-\d\d) \d\d:\d\d:\d\d(?:\.\d+)?)\s+$/.exec(before);
  if (m) {
    const b = Buffer.from(m[1]!, "latin1");
    const t = readTime(b, 0, b.length, ctx.opts.year, ctx.opts.nowMs).time;
    if (Number.isFinite(t)) return t;
  }
  return syslogTime(line, ruleAt, ctx);
}

function parsePf(line: string, ctx: ParseContext): ParseResult {
  const r = RULE.exec(line);
  if (!r) return { skip: "not-pf" };
  const [, rule, reason, act, dir, ifname, rest] = r;
  const p = PACKET.exec(rest!.trim());
  if (!p) return { skip: "not-traffic:no-packet" };
  const [, ipHeader, srcText, dstText, payload = ""] = p;
  const src = hostPort(srcText!);
  const dst = hostPort(dstText!);
  if (src.port === null || dst.port === null) return { skip: "port-name" };
  const flow: FlowFields = {
    src: src.addr, dst: dst.addr, proto: "", action: mappedAction(act!, ctx, actionOf),
    label: `${act} ${dir} on ${ifname} (rule ${rule}${reason && reason !== "match" ? `, ${reason}` : ""})`,
  };
  const stated = ipHeader ? /\bproto (\w+) \((\d+)\)/.exec(ipHeader) : null;
  const body = payload.trim();
  const icmp = /^(icmp6?|ICMP6?)[:,]\s*(.*)$/.exec(body);
  if (icmp) {
    const v6 = icmp[1]!.endsWith("6");
    flow.proto = v6 ? "icmpv6" : "icmp";
    // "192.168.2.10 udp port 137 unreachable": the host the words are about goes first.
    const text = icmp[2]!.replace(/^[\d.:a-f]+ /i, "").toLowerCase();
    for (const [re, t4, t6] of ICMP_WORDS) {
      if (re.test(text)) {
        const t = v6 ? t6 : t4;
        if (t >= 0) flow.icmpType = t;
        break;
      }
    }
  } else if (stated) {
    flow.proto = Number(stated[2]);
  } else if (src.port !== undefined || dst.port !== undefined) {
    flow.proto = TCP_START.test(body) ? "tcp" : /^sctp\b/i.test(body) ? 132 : /^dccp/i.test(body) ? 33 : "udp";
  } else {
    const named = NAMED.find(([re]) => re.test(body));
    if (!named) return { skip: "unknown-protocol" };
    flow.proto = named[1];
  }
  if (flow.proto === 6 || flow.proto === 17 || flow.proto === "tcp" || flow.proto === "udp") {
    flow.sport = src.port;
    flow.dport = dst.port;
  }
  const t = packetTime(line, r.index, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

export const pfBsdFormat: TextFormatSpec = {
  name: "pf-bsd",
  doc: { detectedBy: "`rule N/(match) pass|block in|out on IF:`", notes: "BSD pf via tcpdump of pflog0 (OpenBSD, FreeBSD)" },
  sniff: (line) => RULE.test(line),
  parse: parsePf,
};
