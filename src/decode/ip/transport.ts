import { NONE, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, type EventBatch } from "../batch.js";
import { u16, u32 } from "./bytes.js";
import { walkIpv6Extensions } from "./ext.js";
import { DECODED, SKIP_IP_PROTO, SKIP_TRUNCATED_L4 } from "./skip.js";

const PROTO_SCTP = 132;

/** ICMP messages that quote the offending datagram's header and first 8 octets (RFC 792, RFC 1812 4.3.2.3). */
function isIcmpError(type: number): boolean {
  // 3 destination unreachable, 4 source quench, 5 redirect, 11 time exceeded, 12 parameter problem.
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** ICMPv6 error messages (RFC 4443 section 3): types 1..4; 0..127 are errors, the rest informational. */
function isIcmpv6Error(type: number): boolean {
  return type >= 1 && type <= 4;
}

/**
 * Where the payload of the last UDP datagram `decodeTransport` read lies in its buffer (captured bytes
 * only): flow exports inside a capture are read from there (decode/flow/export-capture.ts). Written, never
 * allocated, per datagram.
 */
export const lastUdpPayload = { start: 0, end: 0 };

/**
 * The upper layer of an IP datagram: `off` is where it starts, `end` where the captured bytes of the
 * datagram end (the smaller of the capture and the IP length), `wireLength` its length by the IP
 * header (what was on the wire). Writes proto, ports, flags, ICMP type/code, payload length and the
 * quoted header of an ICMP error. Returns DECODED or a skip code.
 */
export function decodeTransport(
  buf: Uint8Array,
  off: number,
  end: number,
  wireLength: number,
  proto: number,
  b: EventBatch,
  i: number,
): number {
  const n = end - off;
  switch (proto) {
    case PROTO_TCP: {
      if (n < 4) return SKIP_TRUNCATED_L4;
      b.proto[i] = proto;
      b.srcPort[i] = u16(buf, off);
      b.dstPort[i] = u16(buf, off + 2);
      if (n >= 8) b.tcpSeq[i] = u32(buf, off + 4);
      // Data offset and flags (RFC 9293 section 3.1) when the capture holds them.
      if (n >= 14) b.tcpFlags[i] = buf[off + 13]!;
      if (n >= 13) {
        const hlen = (buf[off + 12]! >>> 4) * 4;
        if (hlen >= 20 && hlen <= wireLength) b.payloadLength[i] = wireLength - hlen;
      }
      return DECODED;
    }
    case PROTO_UDP: {
      if (n < 4) return SKIP_TRUNCATED_L4;
      b.proto[i] = proto;
      b.srcPort[i] = u16(buf, off);
      b.dstPort[i] = u16(buf, off + 2);
      if (wireLength >= 8) {
        // The UDP length (RFC 768) when it is consistent with the IP length; 0 (jumbogram) or a
        // bogus value falls back to the IP length.
        const ulen = n >= 6 ? u16(buf, off + 4) : 0;
        b.payloadLength[i] = ulen >= 8 && ulen <= wireLength ? ulen - 8 : wireLength - 8;
      }
      lastUdpPayload.start = n >= 8 ? off + 8 : end;
      lastUdpPayload.end = b.payloadLength[i]! >= 0 && off + 8 + b.payloadLength[i]! < end ? off + 8 + b.payloadLength[i]! : end;
      return DECODED;
    }
    case PROTO_ICMP:
    case PROTO_ICMPV6: {
      if (n < 2) return SKIP_TRUNCATED_L4;
      const type = buf[off]!;
      b.proto[i] = proto;
      b.icmpType[i] = type;
      b.icmpCode[i] = buf[off + 1]!;
      if (proto === PROTO_ICMP ? isIcmpError(type) : isIcmpv6Error(type)) {
        decodeQuote(buf, off + 8, end, proto === PROTO_ICMP ? 4 : 6, b, i);
      }
      return DECODED;
    }
    default:
      return SKIP_IP_PROTO + proto;
  }
}

/**
 * The datagram an ICMP error quotes (starting `off`, bounded by `end`): its addresses, protocol and
 * ports go to the inner* fields. A quote cut short leaves the rest unset; it never skips the error.
 */
function decodeQuote(buf: Uint8Array, off: number, end: number, version: 4 | 6, b: EventBatch, i: number): void {
  if (end - off < 1 || buf[off]! >>> 4 !== version) return;
  const w = i * 4;
  let l4: number;
  let proto: number;
  if (version === 4) {
    if (end - off < 20) return;
    const hlen = (buf[off]! & 0x0f) * 4;
    if (hlen < 20 || end - off < hlen) return;
    b.innerSrc[w] = u32(buf, off + 12);
    b.innerDst[w] = u32(buf, off + 16);
    proto = buf[off + 9]!;
    b.innerProto[i] = proto;
    if ((u16(buf, off + 6) & 0x1fff) !== 0) return;
    l4 = off + hlen;
  } else {
    if (end - off < 40) return;
    const r = walkIpv6Extensions(buf, off + 40, end, buf[off + 6]!);
    if (r < 0) return;
    for (let k = 0; k < 4; k++) {
      b.innerSrc[w + k] = u32(buf, off + 8 + 4 * k);
      b.innerDst[w + k] = u32(buf, off + 24 + 4 * k);
    }
    proto = r & 0xff;
    l4 = (r - proto) / 256;
    b.innerProto[i] = proto;
  }
  if ((proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP) && end - l4 >= 4) {
    b.innerSrcPort[i] = u16(buf, l4);
    b.innerDstPort[i] = u16(buf, l4 + 2);
  } else {
    b.innerSrcPort[i] = NONE;
    b.innerDstPort[i] = NONE;
  }
}
