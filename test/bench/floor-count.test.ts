/**
 * The WebAssembly floor of the scan-like capture (assembly/floor-count.ts, bench/floor-count.mjs) counts
 * what the JS count stage counts: the exact number of distinct connection keys, and the same number of
 * decoded packets, as the JS reference decoder (src/decode/pcap/classic.ts) with the JS count over its
 * batches. On every classic pcap of fixtures/ and of the corpus, on generated captures of every link type
 * and IPv4/IPv6 form the decoder handles (VLAN and QinQ tags, SNAP, IP options, AH, IPv6 extension
 * headers, first and later fragments, truncated frames, ICMP, other protocols, both byte orders), fed in
 * chunks of many sizes (a record cut at every point), and on mutated copies. A floor that counts
 * something else proves nothing.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildFloorWasm, countPcapBytesWasm, jsCounter } from "../../bench/floor-count.mjs";
import type { EventBatch } from "../../src/decode/batch.js";
import { createPcapDecoder } from "../../src/decode/pcap/classic.js";
import { corpusDir, describeNeeding, needCorpus, REPO_ROOT } from "../helpers/need.js";
import { mutate, prng } from "../decode/pcap/mutate.js";
import { pcapFiles } from "../helpers/pcap-files.js";

/** The JS reference: the JS decoder's batches through the JS count; undefined when the file is refused. */
async function reference(data: Buffer): Promise<{ connections: number; packets: number } | undefined> {
  const counter = await jsCounter(16);
  const d = createPcapDecoder("f.pcap", { batchCapacity: 64 });
  const emit = (b: EventBatch) => counter.countBatch(b);
  try {
    d.push(data, emit);
    d.end(emit);
  } catch {
    return undefined;
  }
  return { connections: counter.connections, packets: counter.packets };
}

function wasm(data: Buffer, step: number, stride = 16): { connections: number; packets: number } | undefined {
  try {
    const r = countPcapBytesWasm(data, step, { v4Bits: 16, v6Bits: 12, stride });
    return { connections: r.connections, packets: r.packets };
  } catch {
    return undefined;
  }
}

async function expectSame(data: Buffer, steps: readonly number[], what: string): Promise<number> {
  const want = await reference(data);
  for (const step of steps) expect(wasm(data, step), `${what}, chunks of ${step} bytes`).toEqual(want);
  // The wasm-state stage's layout: 64-byte slots with a packet count after the key.
  expect(wasm(data, steps[0]!, 64), `${what}, 64-byte slots`).toEqual(want);
  return want?.connections ?? 0;
}


// ---- generated captures ----
type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const u16 = (v: number) => Buffer.from([(v >>> 8) & 0xff, v & 0xff]);

const V4 = [[10, 0, 0, 1], [10, 0, 0, 2], [192, 168, 1, 9], [172, 16, 0, 1], [10, 0, 0, 1]].map((a) => Buffer.from(a));
const V6 = ["20010db8000000000000000000000001", "20010db8000000000000000000000002", "fe800000000000000000000000000009", "20010db8000000010000000000000001"].map((h) => Buffer.from(h, "hex"));
const PORTS = [0, 53, 80, 443, 1024, 65535, 80];

/** A transport header: TCP, UDP, ICMP echo or error, ICMPv6, SCTP (not decoded), or nothing. */
function transport(rnd: Rnd, v6: boolean): { proto: number; body: Buffer } {
  const r = rnd();
  const sp = pick(rnd, PORTS);
  const dp = pick(rnd, PORTS);
  if (r < 0.4) return { proto: 6, body: Buffer.concat([u16(sp), u16(dp), Buffer.alloc(8), Buffer.from([0x50, 0x12]), Buffer.alloc(6)]) };
  if (r < 0.65) return { proto: 17, body: Buffer.concat([u16(sp), u16(dp), u16(12), Buffer.alloc(6)]) };
  if (r < 0.8) {
    const type = v6 ? pick(rnd, [128, 129, 1, 135]) : pick(rnd, [8, 0, 3, 11]);
    return { proto: v6 ? 58 : pick(rnd, [1, 1, 1, 58]), body: Buffer.concat([Buffer.from([type, pick(rnd, [0, 3])]), Buffer.alloc(10)]) };
  }
  if (r < 0.9) return { proto: 132, body: Buffer.concat([u16(sp), u16(dp), Buffer.alloc(8)]) };
  return { proto: pick(rnd, [6, 17, 1]), body: Buffer.alloc(Math.floor(rnd() * 4)) };
}

function ipv4Packet(rnd: Rnd): Buffer {
  const { proto, body } = transport(rnd, false);
  const options = rnd() < 0.15 ? Buffer.alloc(4 * (1 + Math.floor(rnd() * 3)), 1) : Buffer.alloc(0);
  let payload = body;
  let p = proto;
  if (rnd() < 0.08) {
    payload = Buffer.concat([Buffer.from([proto, 2]), Buffer.alloc(14), body]); // AH of (2 + 2) * 4 bytes
    p = 51;
  }
  const hlen = 20 + options.length;
  const h = Buffer.alloc(hlen);
  h[0] = 0x40 | (hlen / 4);
  const r = rnd();
  h.writeUInt16BE(r < 0.05 ? 0 : r < 0.08 ? hlen - 4 : hlen + payload.length, 2);
  // Fragments: a first one (MF, offset 0) is decoded, a later one (offset > 0) is skipped.
  const f = rnd();
  h.writeUInt16BE(f < 0.1 ? 0x2000 : f < 0.2 ? 0x2000 | (1 + Math.floor(rnd() * 100)) : f < 0.25 ? 185 : 0x4000, 6);
  h[8] = 64;
  h[9] = p;
  pick(rnd, V4).copy(h, 12);
  pick(rnd, V4).copy(h, 16);
  options.copy(h, 20);
  if (rnd() < 0.03) h[0] = 0x43; // header length below 20
  return Buffer.concat([h, payload]);
}

function ipv6Packet(rnd: Rnd): Buffer {
  const { proto, body } = transport(rnd, true);
  const exts: Buffer[] = [];
  let next = proto;
  // Extension headers are built from the innermost out: each names the next.
  for (let k = Math.floor(rnd() * 3); k > 0; k--) {
    const kind = pick(rnd, [0, 43, 60, 44, 44, 51, 59]);
    if (kind === 44) {
      const later = rnd() < 0.5;
      exts.unshift(Buffer.concat([Buffer.from([next, 0]), u16(later ? (1 + Math.floor(rnd() * 50)) << 3 : 1), Buffer.alloc(4)]));
    } else if (kind === 51) exts.unshift(Buffer.concat([Buffer.from([next, 2]), Buffer.alloc(14)]));
    else if (kind === 59) exts.length = 0; // "no next header": the packet ends there
    else exts.unshift(Buffer.concat([Buffer.from([next, 0]), Buffer.alloc(6)]));
    next = kind;
  }
  const payload = Buffer.concat([...exts, body]);
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(rnd() < 0.05 ? 0 : payload.length, 4);
  h[6] = next;
  h[7] = 64;
  pick(rnd, V6).copy(h, 8);
  pick(rnd, V6).copy(h, 24);
  return Buffer.concat([h, payload]);
}

const ipPacket = (rnd: Rnd) => (rnd() < 0.3 ? ipv6Packet(rnd) : ipv4Packet(rnd));
const etherOf = (ip: Buffer) => (ip[0]! >>> 4 === 6 ? 0x86dd : 0x0800);

/** An Ethernet frame: untagged, 802.1Q, QinQ, SNAP-encapsulated, or another EtherType (ARP). */
function ethernet(rnd: Rnd): Buffer {
  const ip = ipPacket(rnd);
  const macs = Buffer.alloc(12, 0x02);
  const r = rnd();
  if (r < 0.15) return Buffer.concat([macs, u16(0x8100), u16(7), u16(etherOf(ip)), ip]);
  if (r < 0.22) return Buffer.concat([macs, u16(0x88a8), u16(1), u16(0x8100), u16(2), u16(etherOf(ip)), ip]);
  if (r < 0.27) return Buffer.concat([macs, u16(ip.length + 8), Buffer.from([0xaa, 0xaa, 3, 0, 0, 0]), u16(etherOf(ip)), ip]);
  if (r < 0.3) return Buffer.concat([macs, u16(0x0806), Buffer.alloc(28)]);
  return Buffer.concat([macs, u16(etherOf(ip)), ip]);
}

/** A frame of the link type, as the decoder reads it. */
function frame(rnd: Rnd, link: number): Buffer {
  switch (link) {
    case 1: return ethernet(rnd);
    case 113: { const ip = ipPacket(rnd); return Buffer.concat([Buffer.alloc(14), u16(etherOf(ip)), ip]); }
    case 276: { const ip = ipPacket(rnd); return Buffer.concat([u16(etherOf(ip)), Buffer.alloc(18), ip]); }
    case 0: { const ip = ipPacket(rnd); const af = Buffer.alloc(4); af.writeUInt32LE(pick(rnd, [2, 24, 28, 30, 7]), 0); return Buffer.concat([af, ip]); }
    case 108: { const ip = ipPacket(rnd); const af = Buffer.alloc(4); af.writeUInt32BE(pick(rnd, [2, 24, 7]), 0); return Buffer.concat([af, ip]); }
    default: return ipPacket(rnd);
  }
}

/** A classic pcap of `n` frames; some records cut short of their frame (incl_len < orig_len). */
function capture(seed: number, n: number, link: number, littleEndian: boolean): Buffer {
  const rnd = prng(seed);
  const w32 = (b: Buffer, v: number, o: number) => (littleEndian ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const head = Buffer.alloc(24);
  w32(head, 0xa1b2c3d4, 0);
  if (littleEndian) { head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6); } else { head.writeUInt16BE(2, 4); head.writeUInt16BE(4, 6); }
  w32(head, 65535, 16);
  w32(head, link, 20);
  const parts: Buffer[] = [head];
  for (let i = 0; i < n; i++) {
    const f = frame(rnd, link);
    const data = rnd() < 0.05 ? f.subarray(0, Math.floor(rnd() * f.length)) : f;
    const rec = Buffer.alloc(16);
    w32(rec, 1_700_000_000 + i, 0);
    w32(rec, 0, 4);
    w32(rec, data.length, 8);
    w32(rec, f.length, 12);
    parts.push(rec, data);
  }
  return Buffer.concat(parts);
}

const LINKS = [1, 101, 228, 229, 113, 276, 0, 108];

describe("the WebAssembly floor's connection count (bench/floor-count.mjs)", () => {
  beforeAll(async () => {
    await buildFloorWasm();
  }, 120_000);

  const fixtures = pcapFiles(join(REPO_ROOT, "fixtures"));
  it("finds classic pcap fixtures to compare on", () => {
    expect(fixtures.length).toBeGreaterThan(40);
  });

  it("counts what the JS reference counts on every classic pcap of fixtures/", async () => {
    let total = 0;
    for (const p of fixtures) total += await expectSame(readFileSync(p), [1 << 20, 1, 7, 4096], relative(REPO_ROOT, p));
    expect(total).toBeGreaterThan(200);
  });

  it("counts what the JS reference counts on generated captures of every link type, both byte orders", async () => {
    for (const link of LINKS) {
      for (const le of [true, false]) {
        const data = capture(link * 2 + (le ? 1 : 0), 600, link, le);
        const n = await expectSame(data, [1 << 20, 1, 13, 100, 1500], `link type ${link}, ${le ? "little" : "big"}-endian`);
        // The pools repeat endpoints both ways round: far fewer connections than packets, but some.
        expect(n, `link type ${link}`).toBeGreaterThan(link === 0 || link === 108 ? 10 : 40);
        expect(n).toBeLessThan(500);
      }
    }
  });

  it("counts each connection once, whichever side sent the packet", async () => {
    // Plain TCP/UDP over IPv4 and IPv6, each frame a second time with the sides (address and port) swapped.
    const rnd = prng(7);
    const frames: Buffer[] = [];
    for (let i = 0; i < 300; i++) {
      const v6 = rnd() < 0.3;
      const [a, b] = v6 ? [pick(rnd, V6), pick(rnd, V6)] : [pick(rnd, V4), pick(rnd, V4)];
      const [pa, pb] = [pick(rnd, PORTS), pick(rnd, PORTS)];
      const proto = pick(rnd, [6, 17]);
      const make = (src: Buffer, dst: Buffer, sp: number, dp: number) => {
        const l4 = Buffer.concat([u16(sp), u16(dp), Buffer.alloc(16)]);
        const h = Buffer.alloc(v6 ? 40 : 20);
        if (v6) {
          h[0] = 0x60; h.writeUInt16BE(l4.length, 4); h[6] = proto; src.copy(h, 8); dst.copy(h, 24);
        } else {
          h[0] = 0x45; h.writeUInt16BE(20 + l4.length, 2); h[9] = proto; src.copy(h, 12); dst.copy(h, 16);
        }
        return Buffer.concat([h, l4]);
      };
      frames.push(make(a, b, pa, pb), make(b, a, pb, pa));
    }
    const head = capture(1, 0, 101, true);
    const recs = frames.map((f) => {
      const r = Buffer.alloc(16);
      r.writeUInt32LE(f.length, 8);
      r.writeUInt32LE(f.length, 12);
      return Buffer.concat([r, f]);
    });
    const data = Buffer.concat([head, ...recs]);
    const want = await reference(data);
    expect(want!.packets).toBe(frames.length);
    expect(wasm(data, 1 << 20)).toEqual(want);
    // The swapped copies add no connection.
    const one = Buffer.concat([head, ...recs.filter((_, k) => k % 2 === 0)]);
    expect(want!.connections).toBe((await reference(one))!.connections);
    expect(wasm(one, 1 << 20)!.connections).toBe(want!.connections);
    expect(want!.connections).toBeGreaterThan(100);
  });

  it("counts what the JS reference counts on mutated and cut captures", async () => {
    const rnd = prng(18);
    for (const link of [1, 101, 113]) {
      const base = capture(100 + link, 300, link, true);
      for (let k = 0; k < 40; k++) await expectSame(mutate(base, rnd, 24), [1 << 20, 9], `link ${link}, mutation ${k}`);
    }
    const seeds = fixtures.filter((_, k) => k % 4 === 0);
    for (const p of seeds) {
      const data = readFileSync(p);
      for (let k = 0; k < 10; k++) await expectSame(mutate(data, rnd, 24), [1 << 20, 11], relative(REPO_ROOT, p));
    }
  }, 120_000);

  it("stops where the JS decoder stops: a record longer than the largest believed", async () => {
    const data = capture(3, 6000, 1, true);
    let at = 24;
    for (let i = 0; i < 20; i++) at += 16 + data.readUInt32LE(at + 8);
    // One byte beyond classic.ts's PCAP_MAX_RECORD, with more than that many bytes of records after it.
    const bad = Buffer.from(data);
    bad.writeUInt32LE(262144 + 1, at + 8);
    expect(data.length - at).toBeGreaterThan(300_000);
    const want = await reference(bad);
    expect(want!.packets).toBeLessThan(25);
    for (const step of [1 << 20, 5, 4096]) expect(wasm(bad, step)).toEqual(want);
  });

  it("keeps a packet count per IPv4 connection in 64-byte slots (the wasm-state stage)", () => {
    const data = capture(5, 3000, 1, true);
    const r = countPcapBytesWasm(data, 4096, { v4Bits: 16, v6Bits: 12, stride: 64 });
    expect(r.ipv4Packets).toBeGreaterThan(1000);
    expect(r.stateTotal()).toBe(r.ipv4Packets);
  });

  it("refuses a table sized too small instead of giving a count", () => {
    const data = capture(4, 2000, 101, true);
    expect(() => countPcapBytesWasm(data, 1 << 20, { v4Bits: 4, v6Bits: 4 })).toThrow(/sized too small/);
  });
});

describeNeeding([needCorpus], "the WebAssembly floor's connection count on the shared corpus", () => {
  beforeAll(async () => {
    await buildFloorWasm();
  }, 120_000);
  it("counts what the JS reference counts on every classic pcap of the corpus", async () => {
    const dir = join(corpusDir()!, "pcap");
    const files = pcapFiles(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const p of files) await expectSame(readFileSync(p), [1 << 20, 7, 4096], `corpus/${relative(dir, p)}`);
  }, 120_000);
});
