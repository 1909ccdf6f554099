/**
 * FreeBSD ipfw (and its Windows port wipfw) logs, as the kernel writes them to syslog (security.log):
 *   ipfw: 1000 Deny TCP 75.126.23.220:80 192.168.47.1:9839 in via eth2
 *   ipfw: 100 Accept ICMP:8.0 10.0.0.1 10.0.0.2 out via em0
 *   ipfw: 200 Deny UDP [2001:db8::1]:53 [2001:db8::2]:5353 in via em0
 *   ipfw: 300 Deny TCP 10.0.0.1 10.0.0.2 in via em0 (frag 1234:1480@1480+)
 * The layout is ipfw_log() in FreeBSD's sys/netpfil/ipfw/ip_fw_log.c: "ipfw: %d %s %s %s via %s%s" with
 * the rule number, the action (Accept, Deny, Reset, Reject, "Unreach N", Count, "Divert N", "Tee N",
 * "SkipTo N", "Pipe N", "Queue N", "Forward to a[:p]", Nat, Reass, "Call N", Return, Refuse for a
 * packet no rule matched), then "TCP src:port dst:port", "UDP ...", "ICMP:type.code src dst",
 * "ICMPv6:type.code [src] [dst]" or "P:proto src dst" (IPv6 addresses in brackets; fragments after the
 * first carry no ports and no ICMP type), the direction and interface, or "[no if info]". The kernel's
 * other ipfw lines ("ipfw: limit 100 reached on entry 1000") are not packets.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import type { FlowFields, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";
import { mappedAction } from "./cef.js";
import { readTime, skipPriority } from "./syslog-time.js";

/** The syslog header's time in front of `end` (the relay's stamp), NaN when there is none. */
function syslogTime(line: string, end: number, ctx: ParseContext): number {
  if (end <= 0) return NaN;
  const b = Buffer.from(line.slice(0, Math.min(end, 80)), "latin1");
  return readTime(b, skipPriority(b, 0, b.length), b.length, ctx.opts.year, ctx.opts.nowMs).time;
}

const LINE = /\bipfw:\s+(-?\d+)\s+(.+?)\s+(TCP|UDP|ICMP(?:v6)?(?::(\d+)\.(\d+))?|P:(\d+)|MAC)\s+(.*)$/;
const ENDPOINT = /^(?:\[([0-9A-Fa-f:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3}))(?::(\d+))?$/;

function actionOf(word: string): ActionCode {
  const w = word.split(" ")[0]!.toLowerCase();
  if (w === "accept") return ACTION_ALLOWED;
  if (w === "deny" || w === "reset" || w === "reject" || w === "unreach" || w === "refuse") return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

/** wipfw's "2006.12.07 08:49:58.002" in front of "ipfw:", else the syslog header. */
function stamp(line: string, end: number, ctx: ParseContext): number {
  const m = /(?:^|\s)(\d{4})\.(\d\d)\.(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?\s/.exec(line.slice(0, end));
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ? Number(m[7].padEnd(3, "0")) : 0);
  return syslogTime(line, end, ctx);
}

function parseIpfw(line: string, ctx: ParseContext): ParseResult {
  const m = LINE.exec(line);
  if (!m) return /\bipfw:/.test(line) ? { skip: /\bipfw: limit \d+ reached/.test(line) ? "not-traffic:log-limit" : "not-traffic:ipfw" } : { skip: "not-ipfw" };
  const [, rulenum, act, protoText, icmpType, icmpCode, protoNum, rest] = m;
  if (protoText === "MAC") return { skip: "not-traffic:layer2" };
  const tokens = rest!.trim().split(/\s+/);
  const s = ENDPOINT.exec(tokens[0] ?? "");
  const d = ENDPOINT.exec(tokens[1] ?? "");
  if (!s || !d) return { skip: "bad-address" };
  const proto = protoNum !== undefined ? Number(protoNum) : protoText!.startsWith("ICMPv6") ? "icmpv6" : protoText!.startsWith("ICMP") ? "icmp" : protoText!.toLowerCase();
  const flow: FlowFields = {
    src: s[1] ?? s[2]!, dst: d[1] ?? d[2]!, proto,
    sport: s[3], dport: d[3], icmpType, icmpCode,
    action: mappedAction(act!, ctx, actionOf),
    label: `${act} (rule ${rulenum})`,
  };
  // A fragment after the first has no transport header: no ports, no ICMP type (ip_fw_log.c "frag").
  if (/\(frag [^)]*\)\s*$/.test(rest!) && flow.dport === undefined && flow.icmpType === undefined) return { skip: "fragment" };
  const t = stamp(line, m.index, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

export const ipfwFormat: TextFormatSpec = {
  name: "ipfw",
  doc: { detectedBy: "`ipfw: N Accept|Deny PROTO a:p b:p`", notes: "FreeBSD ipfw / wipfw security log" },
  sniff: (line) => /\bipfw:\s+-?\d+\s+\S/.test(line),
  parse: parseIpfw,
};
