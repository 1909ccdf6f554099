#!/usr/bin/env node
// Which classic-pcap reader to use: pcap-parser 0.2.1 (an event and a Buffer per packet) or
// portmatrix's own reader (walks 1 MiB chunks, decodes into typed-array batches, no per-packet
// allocation). Both do the same minimal decode (Ethernet/VLAN, IPv4/IPv6, ports) and count packets.
//   node bench/pcap-reader.mjs [FILE]   (default: bench/data/reader-200k.pcap, generated if missing)
import { createReadStream, existsSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { createPcapDecoder } from "../dist/decode/pcap/classic.js";

const require = createRequire(import.meta.url);
const file = process.argv[2] ?? "bench/data/reader-200k.pcap";
if (!existsSync(file)) {
  mkdirSync("bench/data", { recursive: true });
  execFileSync("node", ["bench/gen-pcap.mjs", file, "200000", "20000"], { stdio: "inherit" });
}

async function ours() {
  const d = createPcapDecoder(file);
  let n = 0;
  const emit = (b) => { n += b.length; };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) d.push(chunk, emit);
  d.end(emit);
  return d.stats.read;
}

function theirs() {
  const pcapp = require("pcap-parser");
  return new Promise((resolve) => {
    const parser = pcapp.parse(createReadStream(file, { highWaterMark: 1 << 20 }));
    let n = 0;
    let sum = 0;
    parser.on("packet", (p) => {
      const b = p.data;
      let o = 12;
      let et = b.readUInt16BE(o);
      if (et === 0x8100) { o += 4; et = b.readUInt16BE(o); }
      o += 2;
      if (et === 0x0800) { const ihl = (b[o] & 15) * 4; sum += b.readUInt32BE(o + 12) ^ b.readUInt16BE(o + ihl + 2); }
      else if (et === 0x86dd) { sum += b.readUInt32BE(o + 20) ^ b.readUInt16BE(o + 42); }
      n++;
    });
    parser.on("end", () => resolve(n + (sum & 0)));
  });
}

async function time(fn) {
  const runs = [];
  let count = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    count = await fn();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  runs.sort((a, b) => a - b);
  return { median: runs[2], count };
}

const a = await time(ours);
const b = await time(theirs);
console.log(`| reader | packets | median s | packets/s |`);
console.log(`|---|---|---|---|`);
console.log(`| portmatrix reader + full decode into batches | ${a.count} | ${a.median.toFixed(3)} | ${(a.count / a.median / 1e6).toFixed(2)} M |`);
console.log(`| pcap-parser 0.2.1 + minimal decode | ${b.count} | ${b.median.toFixed(3)} | ${(b.count / b.median / 1e6).toFixed(2)} M |`);
console.log(`\nportmatrix / pcap-parser: ${(b.median / a.median).toFixed(1)}x (${file}, node ${process.version})`);
