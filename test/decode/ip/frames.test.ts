/**
 * decodeFrame on hand-built packets, one header feature at a time: what the captures in the
 * oracle tests do not show (IPv4 options, AH, Ethernet padding, quotes cut short, payload lengths).
 */
import { describe, expect, it } from "vitest";
import { createBatch, reserve } from "../../../src/decode/batch.js";
import { DECODED, skipReason } from "../../../src/decode/ip/skip.js";
import { decodeFrame, LINKTYPE_ETHERNET, LINKTYPE_RAW } from "../../../src/decode/link/frame.js";
import { eventToObject, type EventObject } from "../helpers.js";

function decode(frame: Buffer, linkType = LINKTYPE_RAW): EventObject | string {
  const b = createBatch(1);
  const i = reserve(b);
  // Decode from the middle of a larger buffer: offsets and ends are explicit, not buf.length.
  const buf = Buffer.concat([Buffer.alloc(5, 0xee), frame, Buffer.alloc(7, 0xee)]);
  const code = decodeFrame(buf, 5, 5 + frame.length, linkType, b, i);
  return code === DECODED ? eventToObject(b, i) : skipReason(code);
}

function ipv4(proto: number, payload: Buffer, opts: { options?: Buffer; total?: number; frag?: number } = {}): Buffer {
  const optLen = opts.options?.length ?? 0;
  const h = Buffer.alloc(20 + optLen);
  h[0] = 0x40 | ((20 + optLen) / 4);
  h.writeUInt16BE(opts.total ?? h.length + payload.length, 2);
  h.writeUInt16BE(opts.frag ?? 0, 6);
  h[8] = 64;
  h[9] = proto;
  h.set([198, 51, 100, 1], 12);
  h.set([198, 51, 100, 2], 16);
  if (opts.options) h.set(opts.options, 20);
  return Buffer.concat([h, payload]);
}

function ipv6(nh: number, payload: Buffer, plen = payload.length): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(plen, 4);
  h[6] = nh;
  h[7] = 64;
  h.set([0x20, 0x01, 0x0d, 0xb8], 8);
  h[23] = 1;
  h.set([0x20, 0x01, 0x0d, 0xb8], 24);
  h[39] = 2;
  return Buffer.concat([h, payload]);
}

function tcp(sport: number, dport: number, flags: number, data = 0, hlen = 20): Buffer {
  const t = Buffer.alloc(hlen + data);
  t.writeUInt16BE(sport, 0);
  t.writeUInt16BE(dport, 2);
  t[12] = (hlen / 4) << 4;
  t[13] = flags;
  return t;
}

function udp(sport: number, dport: number, data = 0, len = 8 + data): Buffer {
  const u = Buffer.alloc(8 + data);
  u.writeUInt16BE(sport, 0);
  u.writeUInt16BE(dport, 2);
  u.writeUInt16BE(len, 4);
  return u;
}

const icmp = (type: number, code: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([type, code, 0, 0, 0, 0, 0, 0]), body]);
/** An extension header of `len8` 8-octet units with next header `nh`. */
const ext = (nh: number, len8 = 1): Buffer => Buffer.concat([Buffer.from([nh, len8 - 1]), Buffer.alloc(len8 * 8 - 2)]);

describe("decodeFrame: IPv4", () => {
  it("steps over IPv4 options and counts TCP payload from the IP length", () => {
    const e = decode(ipv4(6, tcp(1234, 443, 0x18, 100), { options: Buffer.from([1, 1, 1, 0]) }));
    expect(e).toMatchObject({ family: 4, src: "198.51.100.1", dst: "198.51.100.2", proto: 6, srcPort: 1234, dstPort: 443, tcpFlags: 0x18, payloadLength: 100 });
  });

  it("ignores Ethernet padding after the datagram", () => {
    const frame = Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x00]), ipv4(17, udp(53, 5353, 2)), Buffer.alloc(16)]);
    expect(decode(frame, LINKTYPE_ETHERNET)).toMatchObject({ proto: 17, payloadLength: 2 });
  });

  it("counts a TCP payload with header options", () => {
    expect(decode(ipv4(6, tcp(1, 2, 0x02, 0, 40)))).toMatchObject({ payloadLength: 0, tcpFlags: 2 });
  });

  it("keeps the ports of a TCP header cut before its flags, with flags unknown", () => {
    const p = ipv4(6, tcp(1, 2, 0x02)).subarray(0, 20 + 8);
    expect(decode(p)).toMatchObject({ srcPort: 1, dstPort: 2, tcpFlags: -1 });
  });

  it("skips a datagram cut before its ports as truncated-l4", () => {
    expect(decode(ipv4(17, udp(1, 2)).subarray(0, 22))).toBe("truncated-l4");
    expect(decode(ipv4(6, tcp(1, 2, 2), { total: 22 }))).toBe("truncated-l4");
  });

  it("skips a header length below 5 words and a total length below the header", () => {
    const bad = ipv4(17, udp(1, 2));
    bad[0] = 0x44;
    expect(decode(bad)).toBe("ip-bad-header-length");
    expect(decode(ipv4(17, udp(1, 2), { total: 19 }))).toBe("ip-bad-header-length");
  });

  it("reads total length 0 (TSO) as the captured length", () => {
    expect(decode(ipv4(17, udp(1, 2, 10, 0), { total: 0 }))).toMatchObject({ proto: 17, payloadLength: 10 });
  });

  it("reports the first fragment with its ports and skips the later ones", () => {
    expect(decode(ipv4(17, udp(1, 2, 100), { frag: 0x2000 }))).toMatchObject({ srcPort: 1, dstPort: 2 });
    expect(decode(ipv4(17, Buffer.alloc(100), { frag: 0x2000 | 185 }))).toBe("ip-fragment");
  });

  it("steps over an IPsec AH header", () => {
    const ah = Buffer.concat([Buffer.from([6, 4]), Buffer.alloc(22)]);
    expect(decode(ipv4(51, Buffer.concat([ah, tcp(5, 6, 0x10)])))).toMatchObject({ proto: 6, srcPort: 5, dstPort: 6 });
  });

  it("labels other protocols by number", () => {
    expect(decode(ipv4(47, Buffer.alloc(8)))).toBe("ip-proto-47");
    expect(decode(ipv4(50, Buffer.alloc(8)))).toBe("ip-proto-50");
  });

  it("reads the header quoted by an ICMP error, and what of it there is", () => {
    const quoted = ipv4(17, udp(40000, 9999, 20));
    const e = decode(ipv4(1, icmp(3, 3, quoted.subarray(0, 28))));
    expect(e).toMatchObject({ proto: 1, icmpType: 3, icmpCode: 3, innerProto: 17, innerSrc: "198.51.100.1", innerDst: "198.51.100.2", innerSrcPort: 40000, innerDstPort: 9999 });
    const short = decode(ipv4(1, icmp(11, 0, quoted.subarray(0, 22))));
    expect(short).toMatchObject({ icmpType: 11, innerProto: 17, innerSrcPort: -1, innerDstPort: -1 });
    const none = decode(ipv4(1, icmp(3, 1, quoted.subarray(0, 10))));
    expect(none).toMatchObject({ icmpType: 3, innerProto: 0, innerSrc: "" });
  });

  it("reads no quote from an ICMP message that is not an error", () => {
    expect(decode(ipv4(1, icmp(8, 0, ipv4(17, udp(1, 2)))))).toMatchObject({ icmpType: 8, innerProto: 0 });
  });
});

describe("decodeFrame: IPv6", () => {
  it("walks hop-by-hop, routing and destination options to the transport header", () => {
    const chain = Buffer.concat([ext(43, 1), ext(60, 2), ext(17, 1), udp(546, 547, 12)]);
    expect(decode(ipv6(0, chain))).toMatchObject({ family: 6, src: "2001:db8::1", dst: "2001:db8::2", proto: 17, srcPort: 546, dstPort: 547, payloadLength: 12 });
  });

  it("reports a first fragment and skips a later one", () => {
    const frag = (offset: number, more: boolean, payload: Buffer): Buffer =>
      Buffer.concat([Buffer.from([17, 0, (offset << 3) >> 8, ((offset << 3) & 0xff) | (more ? 1 : 0), 0, 0, 0, 1]), payload]);
    expect(decode(ipv6(44, frag(0, true, udp(1, 2, 100))))).toMatchObject({ srcPort: 1, dstPort: 2 });
    expect(decode(ipv6(44, frag(13, false, Buffer.alloc(50))))).toBe("ip-fragment");
  });

  it("skips no-next-header and an extension chain cut short", () => {
    expect(decode(ipv6(59, Buffer.alloc(8)))).toBe("ip-no-next-header");
    expect(decode(ipv6(0, ext(17, 2).subarray(0, 12)))).toBe("truncated-ip");
  });

  it("reads the packet quoted by an ICMPv6 error past its extension headers", () => {
    const quoted = ipv6(60, Buffer.concat([ext(6, 1), tcp(33000, 22, 0x02)]));
    const e = decode(ipv6(58, icmp(1, 4, quoted)));
    expect(e).toMatchObject({ proto: 58, icmpType: 1, icmpCode: 4, innerProto: 6, innerSrc: "2001:db8::1", innerDst: "2001:db8::2", innerSrcPort: 33000, innerDstPort: 22 });
  });

  it("labels an IPv6-in-IPv6 tunnel by its protocol number", () => {
    expect(decode(ipv6(41, ipv6(17, udp(1, 2))))).toBe("ip-proto-41");
  });

  it("follows the version nibble whatever the link layer says", () => {
    const frame = Buffer.concat([Buffer.alloc(12), Buffer.from([0x08, 0x00]), ipv6(17, udp(1, 2))]);
    expect(decode(frame, LINKTYPE_ETHERNET)).toMatchObject({ family: 6, proto: 17 });
    expect(decode(Buffer.from([0x50, 0, 0, 0]))).toBe("ip-bad-version");
    expect(decode(Buffer.alloc(0))).toBe("truncated-ip");
  });
});

describe("skip reasons", () => {
  it("names link types, EtherTypes, loopback families and IP protocols, and numbers the rest", () => {
    const eth = (type: number): Buffer => Buffer.concat([Buffer.alloc(12), Buffer.from([type >> 8, type & 255]), Buffer.alloc(30)]);
    expect(decode(eth(0x0806), LINKTYPE_ETHERNET)).toBe("ethertype-arp");
    expect(decode(eth(0x88cc), LINKTYPE_ETHERNET)).toBe("ethertype-lldp");
    expect(decode(eth(0x886f), LINKTYPE_ETHERNET)).toBe("ethertype-0x886f");
    expect(decode(eth(0x0026), LINKTYPE_ETHERNET)).toBe("ethertype-llc");
    expect(decode(Buffer.alloc(10), LINKTYPE_ETHERNET)).toBe("truncated-link");
    expect(decode(Buffer.alloc(40), 105)).toBe("link-type-ieee802-11");
    expect(decode(Buffer.alloc(40), 239)).toBe("link-type-nflog");
    expect(decode(Buffer.alloc(40), 162)).toBe("link-type-user15");
    expect(decode(Buffer.alloc(40), 4242)).toBe("link-type-4242");
    expect(decode(Buffer.from([23, 0, 0, 0, 0x45]), 0)).toBe("loopback-af-23");
    expect(decode(ipv4(89, Buffer.alloc(40)))).toBe("ip-proto-89");
  });
});
