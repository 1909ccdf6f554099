/** ICMP and ICMPv6 message kinds as the flow tracker sees them (numbers: RFC 792, RFC 4443, RFC 4861). */
import { PROTO_ICMP, PROTO_ICMPV6 } from "../decode/batch.js";

export function isEchoRequest(proto: number, t: number): boolean {
  return (proto === PROTO_ICMP && t === 8) || (proto === PROTO_ICMPV6 && t === 128);
}

export function isEchoReply(proto: number, t: number): boolean {
  return (proto === PROTO_ICMP && t === 0) || (proto === PROTO_ICMPV6 && t === 129);
}

/** RFC 792 types 3, 4, 5, 11, 12; RFC 4443 types 1-4. */
export function isIcmpError(proto: number, t: number): boolean {
  return proto === PROTO_ICMP ? t === 3 || t === 4 || t === 5 || t === 11 || t === 12 : proto === PROTO_ICMPV6 && t >= 1 && t <= 4;
}

/** Link-local control messages, never flows: ICMP router advertisement/solicitation (RFC 1256), ICMPv6 MLD (RFC 2710, 3810) and neighbour discovery (RFC 4861). */
export function icmpControl(proto: number, t: number): string | undefined {
  if (proto === PROTO_ICMP) return t === 9 || t === 10 ? "icmp-control" : undefined;
  if ((t >= 130 && t <= 137) || t === 143) return "icmpv6-control";
  return undefined;
}

const V4_UNREACHABLE: Record<number, string> = {
  0: "network unreachable", 1: "host unreachable", 2: "protocol unreachable", 3: "port unreachable", 4: "fragmentation needed",
  9: "network administratively prohibited", 10: "host administratively prohibited", 13: "communication administratively prohibited",
};
const V6_UNREACHABLE: Record<number, string> = {
  0: "no route", 1: "administratively prohibited", 3: "address unreachable", 4: "port unreachable", 5: "source address failed policy", 6: "reject route",
};

/** Names of the ICMP error codes people act on (RFC 792, RFC 1812 section 5.2.7.1, RFC 4443 section 3.1), or "". */
export function icmpErrorName(fam: number, type: number, code: number): string {
  if (fam === 4 && type === 3) return V4_UNREACHABLE[code] ?? "";
  if (fam === 6 && type === 1) return V6_UNREACHABLE[code] ?? "";
  if ((fam === 4 && type === 11) || (fam === 6 && type === 3)) return "time exceeded";
  if (fam === 6 && type === 2) return "packet too big";
  return "";
}

/** "icmp-3-13 (communication administratively prohibited)": the label an ICMP error gets in evidence. */
export function icmpErrorLabel(fam: number, type: number, code: number): string {
  const name = icmpErrorName(fam, type, code);
  return `${fam === 4 ? "icmp" : "icmpv6"}-${type}-${code}${name ? ` (${name})` : ""}`;
}
