/**
 * SonicWall (SonicOS) syslog, in its own key=value form and in CEF:
 *   id=firewall sn=0017C5178994 time="2018-02-06 16:11:09" fw=64.107.153.15 pri=6 c=1024 m=537
 *     msg="Connection Closed" src=192.168.97.214:60622:X0-V999 dst=172.27.14.5:53:X0-V51 proto=udp/dns
 *   CEF:0|SonicWall|NSa 4500|7.0.1|537|Connection Closed|4|src=192.0.2.1 spt=40000 dst=... dpt=55 proto=udp/dns
 * Fields from SonicWall's "SonicOS Log Event Reference Guide" (its "Index of Syslog Tag Field
 * Description"): `m` the message id, `msg` its text, `src`/`dst` "ip:port:interface[:resolved name]"
 * (IPv6 endpoints go in `srcV6`/`dstV6` and leave the ip part of `src`/`dst` empty, ":28503:WAN"),
 * `proto` "transport/service" where service is a service name or the port ("tcp/https", "udp/500"),
 * `fw_action` the firewall's own verdict ("NA" when it states none), `type`/`code` for ICMP, `gcat` the
 * event group (1 System, 2 Log, 3 Security Services, 4 Users, 5 Firewall Settings, 6 Network, 7 VPN...).
 *
 * A record is read as traffic when it names both endpoints and the transport: `proto`, or a message
 * text that starts with it ("TCP connection dropped" m=36, "UDP packet dropped" m=37, "ICMP packet
 * dropped" m=38). Login, VPN/IKE, IPS and system events quote addresses and ports too but carry no
 * transport; they are skipped. NAT Mapping (m=1197) names a protocol but reports a translation, not a
 * connection. The verdict: `fw_action` when it states one, else the message words ("dropped",
 * "denied"... blocked; "Connection Opened/Closed", "Web site hit" allowed), else unknown.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { parseKeyValues, type FlowFields, type ParseContext, type ParseResult, type TextFormatSpec } from "./text-format.js";
import { cefLabelledIpv6, cefStart, ianaProtocol, mappedAction, parseCef } from "./cef.js";
import { readTime, skipPriority } from "./syslog-time.js";

/** The syslog header's time in front of `end` (the relay's stamp), NaN when there is none. */
function syslogTime(line: string, end: number, ctx: ParseContext): number {
  if (end <= 0) return NaN;
  const b = Buffer.from(line.slice(0, Math.min(end, 80)), "latin1");
  return readTime(b, skipPriority(b, 0, b.length), b.length, ctx.opts.year, ctx.opts.nowMs).time;
}

const SYSLOG_SNIFF = /\bsn=\S+\s+(?:time="[^"]*"\s+)?fw=\S+\s+pri=\d/;
const CEF_SNIFF = /CEF:\d+\|(?:SonicWall|SonicWALL|Dell SonicWALL)\|/i;

/** gcat group names (SonicOS 6.5+ log categories), for the skip reason of a non-traffic event. */
const GCAT: Record<string, string> = {
  "1": "system", "2": "log", "3": "security-services", "4": "users", "5": "firewall-settings", "6": "network",
  "7": "vpn", "8": "high-availability", "9": "modem", "10": "firewall", "11": "wireless", "12": "voip",
  "13": "ssl-vpn", "14": "anti-spam", "15": "wan-acceleration", "16": "sd-wan", "17": "multi-tenancy",
};

/**
 * The text of the connection messages (Log Event Reference), for a record that gives `m` but no `msg`
 * (SonicOS omits msg for some Web site hit records): the text carries the transport and the verdict.
 */
const MESSAGE_TEXT: Record<string, string> = {
  "14": "Web site access denied", "36": "TCP connection dropped", "37": "UDP packet dropped",
  "38": "ICMP packet dropped", "97": "Web site hit", "98": "Connection Opened", "537": "Connection Closed",
  "1233": "Unhandled link-local or multicast IPv6 packet dropped",
};

/** Message ids that name a protocol but are not a connection record. */
const NOT_CONNECTION: Record<string, string> = { "1197": "nat-mapping" };

interface Endpoint { addr: string; port: string | undefined }

/**
 * "ip:port:iface[:host]", ":port:iface" with the address in the V6 field, or (CEF) a bare address.
 * An IPv6 address in `src` itself (no V6 field) is taken whole, without a port.
 */
function endpoint(value: string | undefined, v6: string | undefined, cefPort?: string): Endpoint {
  const v = value?.trim() ?? "";
  if (v6 !== undefined && v6 !== "") {
    const port = v.startsWith(":") ? v.split(":")[1] : undefined;
    return { addr: v6, port: cefPort ?? (port || undefined) };
  }
  if (/^[0-9.]*(?::|$)/.test(v)) {
    const parts = v.split(":");
    return { addr: parts[0] ?? "", port: cefPort ?? (parts[1] || undefined) };
  }
  return { addr: v, port: cefPort };
}

function unquote(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

function verdict(fwAction: string | undefined, msg: string): ActionCode {
  const a = (fwAction ?? "").trim().toLowerCase();
  if (a === "drop" || a === "deny" || a === "reject" || a === "block" || a === "reset") return ACTION_BLOCKED;
  if (a === "forward" || a === "allow" || a === "permit" || a === "accept") return ACTION_ALLOWED;
  if (/\b(dropped|denied|blocked|rejected|discarded|refused)\b/i.test(msg)) return ACTION_BLOCKED;
  if (/^connection (opened|closed)$|^web site hit$|\ballowed\b/i.test(msg.trim())) return ACTION_ALLOWED;
  return ACTION_UNKNOWN;
}

function nonTrafficKind(gcat: string | undefined, msg: string): string {
  if (gcat !== undefined && GCAT[gcat]) return GCAT[gcat]!;
  if (/log ?in|logged|authenticat|password|credentials/i.test(msg)) return "users";
  if (/\bIKE\b|IPsec|VPN|\bSA\b|quick mode|main mode/i.test(msg)) return "vpn";
  if (/\bIPS\b|anti-?virus|\bGAV\b|spyware|application control|botnet|geo-?ip/i.test(msg)) return "security-services";
  return "event";
}

/** time="2019-03-14 16:37:19 UTC" (the firewall's clock; read as UTC when it names no zone). */
function deviceTime(s: string | undefined): number {
  const m = s ? /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)/.exec(s.trim()) : null;
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : NaN;
}

function parseSonicwall(line: string, ctx: ParseContext): ParseResult {
  let get: (k: string) => string | undefined;
  let id: string | undefined;
  let msg: string;
  let src: Endpoint;
  let dst: Endpoint;
  let headerEnd: number;
  const at = CEF_SNIFF.test(line) ? cefStart(line) : -1;
  const cef = at >= 0 ? parseCef(line, at) : null;
  if (cef) {
    // SonicOS quotes some CEF values (fw_action="NA", cs1="..."), which CEF itself does not do.
    get = (k) => unquote(cef.ext.get(k));
    id = cef.signatureId;
    msg = cef.name;
    src = endpoint(get("src"), get("srcV6") ?? cefLabelledIpv6(cef.ext, /source/i), get("spt"));
    dst = endpoint(get("dst"), get("dstV6") ?? cefLabelledIpv6(cef.ext, /destination/i), get("dpt"));
    headerEnd = line.lastIndexOf("CEF:", at);
  } else {
    const sn = SYSLOG_SNIFF.exec(line);
    if (!sn) return { skip: "not-sonicwall" };
    const kv = parseKeyValues(line, sn.index);
    get = (k) => kv.get(k);
    id = kv.get("m");
    msg = kv.get("msg") ?? "";
    src = endpoint(kv.get("src"), kv.get("srcV6"));
    dst = endpoint(kv.get("dst"), kv.get("dstV6"));
    const idAt = line.lastIndexOf("id=", sn.index);
    headerEnd = idAt >= 0 ? idAt : sn.index;
  }
  if (msg === "" && id !== undefined) msg = MESSAGE_TEXT[id] ?? "";
  const proto = get("proto")?.trim() ?? "";
  let transport = proto.split("/")[0]!.toLowerCase();
  if (transport === "") transport = /^(TCP|UDP|ICMP)\b/i.exec(msg.trim())?.[1]?.toLowerCase() ?? "";
  if (transport === "" || (src.addr === "" && dst.addr === "" && src.port === undefined)) {
    return { skip: `not-traffic:${nonTrafficKind(get("gcat"), msg)}` };
  }
  if (id !== undefined && NOT_CONNECTION[id]) return { skip: `not-traffic:${NOT_CONNECTION[id]}` };
  const fwAction = get("fw_action");
  const flow: FlowFields = {
    src: src.addr, dst: dst.addr, proto: ianaProtocol(transport), sport: src.port, dport: dst.port,
    action: mappedAction(fwAction && !/^na$/i.test(fwAction) ? fwAction : msg, ctx, () => verdict(fwAction, msg)),
    label: msg !== "" ? msg : id !== undefined ? `m=${id}` : undefined,
  };
  if (transport === "icmp" || transport === "icmpv6") {
    flow.icmpType = get("type");
    flow.icmpCode = get("code");
  }
  let t = deviceTime(get("time"));
  if (!Number.isFinite(t)) t = syslogTime(line, headerEnd, ctx);
  if (Number.isFinite(t)) flow.time = t;
  return flow;
}

export const sonicwallFormat: TextFormatSpec = {
  name: "sonicwall",
  doc: { detectedBy: "`id=firewall sn=... m=...`, SonicWall CEF", notes: "SonicOS key=value and CEF; `src=ip:port:iface`; the message id gives the action" },
  sniff: (line) => SYSLOG_SNIFF.test(line) || CEF_SNIFF.test(line),
  parse: parseSonicwall,
};
