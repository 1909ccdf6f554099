#!/usr/bin/env node
// Synthetic classic pcap for benchmarks: Ethernet, ~5% 802.1Q-tagged, IPv4 with ~70% TCP, 25% UDP,
// 5% ICMP echo, spread over a fixed number of flows; some IPv6. Deterministic (seeded).
// An output name ending in ".pcapng" gets the same packets as pcapng (SHB, one IDB, Enhanced Packet
// Blocks with microsecond stamps), so the two containers can be compared on identical traffic.
// TCP payloads are 0 (30%) or uniform up to `tcpPayload` bytes: 200 by default (the scan-like capture of
// small packets), 1460 for the realistic one (a full Ethernet MSS: about 580 bytes a record on average).
//   node bench/gen-pcap.mjs OUT.pcap|OUT.pcapng [packets=2000000] [flows=200000] [tcpPayload=200]
import { openSync, writeSync, closeSync } from "node:fs";

const [out, nArg, fArg, pArg] = process.argv.slice(2);
if (!out) { console.error("usage: gen-pcap.mjs OUT.pcap [packets] [flows]"); process.exit(2); }
const N = Number(nArg ?? 2_000_000);
const FLOWS = Number(fArg ?? 200_000);
const TCP_PAYLOAD = Number(pArg ?? 200);
let seed = 20261123;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);

const ng = out.endsWith(".pcapng");
const fd = openSync(out, "w");
if (ng) {
  // Section Header Block (28 bytes, no options) and an Interface Description Block: Ethernet, snaplen 65535.
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0); shb.writeUInt32LE(28, 4); shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12); shb.writeUInt16LE(0, 14); shb.writeInt32LE(-1, 16); shb.writeInt32LE(-1, 20); shb.writeUInt32LE(28, 24);
  const idb = Buffer.alloc(20);
  idb.writeUInt32LE(1, 0); idb.writeUInt32LE(20, 4); idb.writeUInt16LE(1, 8); idb.writeUInt32LE(65535, 12); idb.writeUInt32LE(20, 16);
  writeSync(fd, shb); writeSync(fd, idb);
} else {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0); header.writeUInt16LE(2, 4); header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16); header.writeUInt32LE(1, 20);
  writeSync(fd, header);
}

const CHUNK = 1 << 22;
let buf = Buffer.alloc(CHUNK);
let off = 0;
const flush = () => { writeSync(fd, buf, 0, off); off = 0; };
let t = 1_700_000_000;
for (let i = 0; i < N; i++) {
  const flow = Math.floor(rnd() * FLOWS);
  const r = (flow * 2654435761) >>> 0;
  const kind = r % 100;
  const proto = kind < 70 ? 6 : kind < 95 ? 17 : 1;
  const vlan = (r >>> 8) % 20 === 0;
  const v6 = (r >>> 12) % 50 === 0;
  const reply = rnd() < 0.45;
  const client = (0x0a010000 + (flow % 60000)) >>> 0;
  const server = (0x0a020000 + ((r >>> 16) % 200)) >>> 0;
  const services = [445, 135, 389, 53, 88, 3389, 443, 38000, 5985, 8080];
  const dport = proto === 17 ? [53, 88, 123, 389, 137][r % 5] : services[r % services.length];
  const sport = 49152 + (flow % 16000);
  const l4 = proto === 6 ? 20 : proto === 17 ? 8 : 8;
  const payload = proto === 6 ? (rnd() < 0.3 ? 0 : Math.floor(rnd() * TCP_PAYLOAD)) : 32;
  const ipLen = (v6 ? 40 : 20) + l4 + payload;
  const frameLen = 14 + (vlan ? 4 : 0) + ipLen;
  const pad = ng ? (4 - (frameLen % 4)) % 4 : 0;
  const recLen = ng ? 32 + frameLen + pad : 16 + frameLen;
  if (off + recLen > CHUNK) flush();
  t += rnd() * 0.0002;
  const sec = Math.floor(t);
  const usec = Math.floor((t - sec) * 1e6);
  let p;
  if (ng) {
    // Enhanced Packet Block: type, length, interface 0, 64-bit microsecond stamp, captured and original length.
    const us = sec * 1e6 + usec;
    buf.writeUInt32LE(6, off); buf.writeUInt32LE(recLen, off + 4); buf.writeUInt32LE(0, off + 8);
    buf.writeUInt32LE(Math.floor(us / 4294967296), off + 12); buf.writeUInt32LE(us % 4294967296, off + 16);
    buf.writeUInt32LE(frameLen, off + 20); buf.writeUInt32LE(frameLen, off + 24);
    buf.fill(0, off + 28 + frameLen, off + recLen - 4);
    buf.writeUInt32LE(recLen, off + recLen - 4);
    p = off + 28;
  } else {
    buf.writeUInt32LE(sec, off); buf.writeUInt32LE(usec, off + 4);
    buf.writeUInt32LE(frameLen, off + 8); buf.writeUInt32LE(frameLen, off + 12);
    p = off + 16;
  }
  buf.fill(0x02, p, p + 12); p += 12;
  if (vlan) { buf.writeUInt16BE(0x8100, p); buf.writeUInt16BE(100 + (r % 4000), p + 2); p += 4; }
  buf.writeUInt16BE(v6 ? 0x86dd : 0x0800, p); p += 2;
  const [s, d] = reply ? [server, client] : [client, server];
  if (v6) {
    buf.writeUInt32BE(0x60000000, p); buf.writeUInt16BE(l4 + payload, p + 4); buf[p + 6] = proto === 1 ? 58 : proto; buf[p + 7] = 64;
    buf.writeUInt32BE(0xfd000000, p + 8); buf.fill(0, p + 12, p + 20); buf.writeUInt32BE(s, p + 20);
    buf.writeUInt32BE(0xfd000000, p + 24); buf.fill(0, p + 28, p + 36); buf.writeUInt32BE(d, p + 36);
    p += 40;
  } else {
    buf[p] = 0x45; buf[p + 1] = 0; buf.writeUInt16BE(ipLen, p + 2); buf.writeUInt32BE(0, p + 4);
    buf[p + 8] = 64; buf[p + 9] = proto; buf.writeUInt16BE(0, p + 10);
    buf.writeUInt32BE(s, p + 12); buf.writeUInt32BE(d, p + 16);
    p += 20;
  }
  if (proto === 6) {
    buf.writeUInt16BE(reply ? dport : sport, p); buf.writeUInt16BE(reply ? sport : dport, p + 2);
    buf.writeUInt32BE(i, p + 4); buf.writeUInt32BE(0, p + 8);
    buf[p + 12] = 0x50; buf[p + 13] = payload === 0 ? (reply ? 0x12 : 0x02) : 0x18; buf.writeUInt32BE(0xffff0000, p + 14); buf.writeUInt16BE(0, p + 18);
  } else if (proto === 17) {
    buf.writeUInt16BE(reply ? dport : sport, p); buf.writeUInt16BE(reply ? sport : dport, p + 2); buf.writeUInt16BE(8 + payload, p + 4); buf.writeUInt16BE(0, p + 6);
  } else {
    buf[p] = v6 ? (reply ? 129 : 128) : (reply ? 0 : 8); buf[p + 1] = 0; buf.writeUInt32BE(0, p + 2); buf.writeUInt16BE(flow & 0xffff, p + 4); buf.writeUInt16BE(1, p + 6);
  }
  p += l4;
  buf.fill(0x61, p, p + payload);
  off = ng ? off + recLen : p + payload;
}
flush();
closeSync(fd);
console.error(`gen-pcap: wrote ${N} packets, ${FLOWS} flows to ${out}`);
