#!/usr/bin/env node
// Peer: pcap-parser 0.2.1 (a stream emitting an event object and a Buffer slice per packet) with the
// minimal decode of performance.md: Ethernet, one 802.1Q tag, IPv4/IPv6 addresses, protocol, destination
// port, and flows counted in a Map keyed by a number. Prints packets and distinct keys.
//   node bench/peers/pcap-parser-flows.mjs FILE.pcap
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pcapp = require("pcap-parser");
const file = process.argv[2];
const parser = pcapp.parse(createReadStream(file, { highWaterMark: 1 << 20 }));
const flows = new Map();
let n = 0;
parser.on("packet", (p) => {
  const b = p.data;
  let o = 12;
  let et = b.readUInt16BE(o);
  if (et === 0x8100) { o += 4; et = b.readUInt16BE(o); }
  o += 2;
  let key;
  if (et === 0x0800) {
    const ihl = (b[o] & 15) * 4;
    const pr = b[o + 9];
    key = b.readUInt32BE(o + 12) * 4294967296 + b.readUInt32BE(o + 16) + pr * 0.5 + (pr === 1 ? 0 : b.readUInt16BE(o + ihl + 2)) / 65536;
  } else if (et === 0x86dd) {
    key = b.readUInt32BE(o + 20) * 4294967296 + b.readUInt32BE(o + 36) + b[o + 6] * 0.5 + b.readUInt16BE(o + 42) / 65536;
  }
  n++;
  if (key !== undefined) flows.set(key, (flows.get(key) ?? 0) + 1);
});
parser.on("end", () => console.log(`${n} packets, ${flows.size} keys`));
