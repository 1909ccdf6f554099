/**
 * Generated classic pcap captures for the flow tracker: random packets over small pools of addresses,
 * ports, flags, sequence numbers, TTLs and times, so that keys repeat in both directions, connections
 * open and close in every order, expire after idle gaps, and thousands are alive at once (sweeps).
 * Ethernet frames of IPv4 and IPv6 with TCP (every flag combination the tracker reads), UDP, ICMP and
 * ICMPv6 echo and other queries, ICMP errors quoting a packet (either direction, or too short to quote),
 * and ICMP control messages (no flow). Deterministic for a seed.
 */
import { prng } from "../decode/pcap/mutate.js";

type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const TCP_FLAGS = [0x02, 0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x01, 0x03, 0x06, 0x05, 0x00, 0x12, 0x02];
const TTLS = [64, 63, 128, 127, 255, 57, 1];

interface Endpoint { v6: boolean; addr: Buffer }

function addrPool(rnd: Rnd, n: number, v6: boolean, base: number): Endpoint[] {
  const out: Endpoint[] = [];
  for (let k = 0; k < n; k++) {
    const a = Buffer.alloc(v6 ? 16 : 4);
    if (v6) { a.writeUInt32BE(0x20010db8, 0); a.writeUInt32BE(base, 8); a.writeUInt32BE(Math.floor(rnd() * 0xffffffff) >>> 0, 12); }
    // Servers in 10.2.0.0/24, clients in 10.1.0.0/16: bench/inventory.yaml's roles.
    else { a[0] = 10; a[1] = base; a[2] = base === 2 ? 0 : Math.floor(rnd() * 256); a[3] = 1 + Math.floor(rnd() * 254); }
    out.push({ v6, addr: a });
  }
  return out;
}

function tcp(rnd: Rnd, sp: number, dp: number): Buffer {
  const len = pick(rnd, [0, 0, 0, 12]);
  const h = Buffer.alloc(20 + len);
  h.writeUInt16BE(sp, 0); h.writeUInt16BE(dp, 2);
  h.writeUInt32BE(pick(rnd, [1000, 1000, 2000, 77777, 4294967295]), 4);
  h[12] = 0x50; h[13] = pick(rnd, TCP_FLAGS);
  return h;
}

function udp(sp: number, dp: number, rnd: Rnd): Buffer {
  const len = pick(rnd, [0, 8, 40]);
  const h = Buffer.alloc(8 + len);
  h.writeUInt16BE(sp, 0); h.writeUInt16BE(dp, 2); h.writeUInt16BE(8 + len, 4);
  return h;
}

function ip(src: Endpoint, dst: Endpoint, proto: number, ttl: number, body: Buffer): Buffer {
  if (src.v6) {
    const h = Buffer.alloc(40);
    h[0] = 0x60; h.writeUInt16BE(body.length, 4); h[6] = proto; h[7] = ttl;
    src.addr.copy(h, 8); dst.addr.copy(h, 24);
    return Buffer.concat([h, body]);
  }
  const h = Buffer.alloc(20);
  h[0] = 0x45; h.writeUInt16BE(20 + body.length, 2); h[8] = ttl; h[9] = proto;
  src.addr.copy(h, 12); dst.addr.copy(h, 16);
  return Buffer.concat([h, body]);
}

function icmp(type: number, code: number, rest: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = type; h[1] = code; h.writeUInt16BE(0x0101, 4);
  return Buffer.concat([h, rest]);
}

/**
 * A capture of `n` packets; `gapMs` is the largest idle gap between two packets. With `interfaces`
 * (> 0) the capture is Linux cooked v2 (SLL2), each packet seen on one of that many interfaces (indices
 * 1..interfaces, picked at random), so that TTL samples, RSTs and ICMP errors carry their interface.
 * With `backMs` (> 0) one packet in ten is stamped up to that much earlier than the packets before it
 * (a capture merged from two points out of order), so that a connection's last time goes back.
 */
export function flowCapture(seed: number, n: number, gapMs = 300, interfaces = 0, backMs = 0): Buffer {
  const rnd = prng(seed);
  const clients = [...addrPool(rnd, 300, false, 1), ...addrPool(rnd, 30, true, 1)];
  const servers = [...addrPool(rnd, 30, false, 2), ...addrPool(rnd, 6, true, 2)];
  const routers = [...addrPool(rnd, 2, false, 3), ...addrPool(rnd, 1, true, 3)];
  const sports = [1025, 40000, 40001, 51515, 60000, 53, 80, 0];
  const dports = [1, 22, 53, 80, 443, 445, 3389, 0];
  const recs: Buffer[] = [];
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16); head.writeUInt32LE(interfaces > 0 ? 276 : 1, 20);
  recs.push(head);
  let t = 1_700_000_000_000;
  /** Recent packets (IP layer), quoted by later ICMP errors. */
  const recent: { pkt: Buffer; src: Endpoint; dst: Endpoint }[] = [];
  const convs: { v6: boolean; c: Endpoint; s: Endpoint; cp: number; sp: number }[] = [];
  for (let k = 0; k < n; k++) {
    t += rnd() < 0.002 ? gapMs * 40 : Math.floor(rnd() * rnd() * gapMs);
    // Mostly a packet of a recent conversation (more likely the more recent), either way; else a new one.
    if (convs.length === 0 || rnd() < 0.3) {
      const v6 = rnd() < 0.12;
      convs.push({
        v6, c: pick(rnd, clients.filter((e) => e.v6 === v6)), s: pick(rnd, servers.filter((e) => e.v6 === v6)),
        cp: pick(rnd, sports), sp: pick(rnd, dports),
      });
    }
    const conv = convs[convs.length - 1 - Math.floor(rnd() ** 3 * Math.min(convs.length, 1000))]!;
    const { v6, c, s } = conv;
    const fromClient = rnd() < 0.6;
    const [src, dst] = fromClient ? [c, s] : [s, c];
    const [sp, dp] = fromClient ? [conv.cp, conv.sp] : [conv.sp, conv.cp];
    const ttl = pick(rnd, TTLS);
    const what = rnd();
    let pkt: Buffer;
    if (what < 0.55) pkt = ip(src, dst, 6, ttl, tcp(rnd, sp, dp));
    else if (what < 0.75) pkt = ip(src, dst, 17, ttl, udp(sp, dp, rnd));
    else if (what < 0.83) {
      // Echo request or reply, or another query (timestamp, information).
      const type = v6 ? pick(rnd, [128, 129, 128, 200]) : pick(rnd, [8, 0, 8, 13, 14, 15]);
      pkt = ip(src, dst, v6 ? 58 : 1, ttl, icmp(type, 0, Buffer.alloc(8)));
    } else if (what < 0.97 && recent.length > 0) {
      // An error quoting a recent packet, from its destination, a router or its source; sometimes cut short.
      const q = pick(rnd, recent);
      if (q.src.v6 !== v6) continue;
      const from = pick(rnd, [q.dst, q.dst, pick(rnd, routers.filter((e) => e.v6 === v6)), q.src]);
      const quote = q.pkt.subarray(0, pick(rnd, [q.pkt.length, (v6 ? 40 : 20) + 8, 10]));
      const type = v6 ? pick(rnd, [1, 1, 3, 2, 4]) : pick(rnd, [3, 3, 11, 4, 5, 12]);
      pkt = ip(from, q.src, v6 ? 58 : 1, pick(rnd, TTLS), icmp(type, pick(rnd, [0, 1, 3, 4, 13]), quote));
    } else {
      pkt = ip(src, dst, v6 ? 58 : 1, 255, icmp(v6 ? pick(rnd, [133, 134, 135, 136, 143]) : pick(rnd, [9, 10]), 0, Buffer.alloc(8)));
    }
    if (pkt[v6 ? 6 : 9] === 6 || pkt[v6 ? 6 : 9] === 17) {
      recent.push({ pkt, src, dst });
      if (recent.length > 50) recent.shift();
    }
    // Now and then the same packet again, exactly 0, 1, 3 or 100 ms later: a copy from a second
    // capture point or a retransmission, on either side of the duplicate windows the tests use.
    const iface = interfaces > 0 ? 1 + Math.floor(rnd() * interfaces) : 0;
    if (rnd() < 0.08) {
      addRecord(recs, pkt, v6, t, iface);
      t += pick(rnd, [0, 1, 3, 100]);
    }
    // (No draw without backMs: the captures made without it stay as they were.)
    const back = backMs > 0 && rnd() < 0.1 ? Math.floor(rnd() * backMs) : 0;
    addRecord(recs, pkt, v6, t - back, iface);
  }
  return Buffer.concat(recs);
}

/** One record: the packet behind an Ethernet header, or behind an SLL2 header naming interface `iface` (> 0). */
function addRecord(recs: Buffer[], pkt: Buffer, v6: boolean, t: number, iface = 0): void {
  let link: Buffer;
  if (iface > 0) {
    link = Buffer.alloc(20);
    link.writeUInt16BE(v6 ? 0x86dd : 0x0800, 0);
    link.writeUInt32BE(iface, 4);
    link.writeUInt16BE(1, 8);
    link[11] = 6;
  } else {
    link = Buffer.alloc(14);
    link.writeUInt16BE(v6 ? 0x86dd : 0x0800, 12);
  }
  const frame = Buffer.concat([link, pkt]);
  const rh = Buffer.alloc(16);
  rh.writeUInt32LE(Math.floor(t / 1000), 0); rh.writeUInt32LE((t % 1000) * 1000, 4);
  rh.writeUInt32LE(frame.length, 8); rh.writeUInt32LE(frame.length, 12);
  recs.push(rh, frame);
}
