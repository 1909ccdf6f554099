#!/usr/bin/env node
// Floor for any JavaScript pcap reader: read a classic pcap in 16 MiB chunks and walk the record
// headers, nothing else (performance.md's js_walk). Prints the number of records.
// With --decode, also the floor for a decoder that counts flows (performance.md's js_fast): Ethernet,
// one 802.1Q tag, IPv4/IPv6, the 5-tuple into an open-addressing hash over typed arrays.
//   node bench/peers/js-walk.mjs FILE.pcap [--decode]
import { openSync, readSync, closeSync } from "node:fs";

const [file, mode] = process.argv.slice(2);
const decode = mode === "--decode";
const CHUNK = 16 << 20;
const buf = Buffer.allocUnsafe(CHUNK + (256 << 10));
const fd = openSync(file, "r");
let have = readSync(fd, buf, 0, CHUNK, null);
let o = 24;
let n = 0;
// Flow hash: 1M slots of (a, b, c) words; 0 marks an empty slot.
const SLOTS = 1 << 20;
const keys = new Int32Array(SLOTS * 4);
let flows = 0;
function count(a, b, c) {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca6b), 0x27d4eb2d);
  h = (h ^ (h >>> 15)) & (SLOTS - 1);
  for (;;) {
    const s = h * 4;
    if (keys[s + 3] === 0) { keys[s] = a; keys[s + 1] = b; keys[s + 2] = c; keys[s + 3] = 1; flows++; return; }
    if (keys[s] === a && keys[s + 1] === b && keys[s + 2] === c) { keys[s + 3]++; return; }
    h = (h + 1) & (SLOTS - 1);
  }
}
for (;;) {
  while (o + 16 <= have) {
    const len = buf.readUInt32LE(o + 8);
    if (o + 16 + len > have) break;
    if (decode) {
      let p = o + 16 + 12;
      let et = (buf[p] << 8) | buf[p + 1];
      if (et === 0x8100) { p += 4; et = (buf[p] << 8) | buf[p + 1]; }
      p += 2;
      if (et === 0x0800) {
        const ihl = (buf[p] & 15) * 4;
        const pr = buf[p + 9];
        const ports = pr === 6 || pr === 17 ? buf.readInt32BE(p + ihl) : 0;
        count(buf.readInt32BE(p + 12), buf.readInt32BE(p + 16), (ports ^ (pr << 24)) | 0);
      } else if (et === 0x86dd) {
        const pr = buf[p + 6];
        const ports = pr === 6 || pr === 17 ? buf.readInt32BE(p + 40) : 0;
        count(buf.readInt32BE(p + 20) ^ buf.readInt32BE(p + 12), buf.readInt32BE(p + 36) ^ buf.readInt32BE(p + 28), (ports ^ (pr << 24)) | 0);
      }
    }
    o += 16 + len;
    n++;
  }
  // Carry the partial record to the front and read on.
  buf.copy(buf, 0, o, have);
  have -= o;
  o = 0;
  const got = readSync(fd, buf, have, CHUNK, null);
  if (got === 0) break;
  have += got;
}
closeSync(fd);
console.log(decode ? `${n} ${flows}` : String(n));
