/**
 * pcapng: damaged blocks, and the container features real captures here do not show (checked
 * against values computed by hand): timestamp resolutions, offsets, simple packet blocks.
 */
import { describe, expect, it } from "vitest";
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../../../src/decode/batch.js";
import { InputError } from "../../../src/errors.js";
import { createPcapngDecoder } from "../../../src/decode/pcapng/reader.js";
import { CHUNK_SIZES, runDecoder } from "../helpers.js";
import { CAPTURES, fixtureBytes } from "../pcap/fixtures.js";
import { mutate, prng } from "../pcap/mutate.js";
import { blocks, epb, idb, shb, spb, udp4 } from "./build.js";

const sections = fixtureBytes("synthetic/sections.pcapng");
const sectionBlocks = blocks(sections);
const whole = runDecoder(createPcapngDecoder(), sections);
const PACKET_TYPES = new Set([2, 3, 6]);

/** Events of `whole` whose block ends at or before `cut`. */
function eventsBefore(cut: number): typeof whole.events {
  const ends = new Map(sectionBlocks.map((b) => [b.off, b.off + b.len]));
  return whole.events.filter((e) => (ends.get(e.position) ?? Infinity) <= cut);
}

/** The file with block `k`'s leading (and trailing, unless `trailing` is false) length set to `len`. */
function withBlockLength(k: number, len: number, leading = true, trailing = true): Buffer {
  const out = Buffer.from(sections);
  const b = sectionBlocks[k]!;
  const be = sectionBlocks.filter((x) => x.off <= b.off && x.type === 0x0a0d0d0a).length === 2;
  const write = (v: number, at: number): void => void (be ? out.writeUInt32BE(v, at) : out.writeUInt32LE(v, at));
  if (leading) write(len, b.off + 4);
  if (trailing) write(len, b.off + b.len - 4);
  return out;
}

describe("pcapng: a file cut short", () => {
  const firstShb = sectionBlocks[0]!;
  it("counts a block cut by the end of file as truncated, at every cut point", () => {
    const boundaries = new Set(sectionBlocks.map((b) => b.off + b.len));
    for (let cut = firstShb.len; cut <= sections.length; cut++) {
      for (const size of [undefined, 3]) {
        const d = createPcapngDecoder();
        const run = runDecoder(d, sections.subarray(0, cut), size);
        expect(run.error).toBeUndefined();
        expect(run.events).toEqual(eventsBefore(cut));
        const inside = !boundaries.has(cut);
        expect(d.stats.skippedObject()["truncated-record"] ?? 0).toBe(inside ? 1 : 0);
        expect(d.stats.read).toBe(d.stats.used + d.stats.skipped);
        if (inside) {
          const at = sectionBlocks.find((b) => b.off < cut && b.off + b.len > cut)!;
          expect(d.stats.samples.at(-1)).toEqual({ position: at.off, reason: "truncated-record" });
        }
      }
    }
  });

  it("throws an InputError when the input ends inside the first section header", () => {
    for (let cut = 1; cut < firstShb.len; cut++) {
      const run = runDecoder(createPcapngDecoder("cut.pcapng"), sections.subarray(0, cut));
      expect(run.error).toBeInstanceOf(InputError);
      expect((run.error as InputError).where).toEqual({ file: "cut.pcapng", offset: 0 });
    }
  });
});

describe("pcapng: a bad block length stops reading after every block before it", () => {
  const k = sectionBlocks.findIndex((b, i) => b.type === 6 && i > 5);
  const target = sectionBlocks[k]!;
  const kBe = sectionBlocks.findIndex((b, i) => i > 0 && b.type === 6 && sectionBlocks.slice(0, i).filter((x) => x.type === 0x0a0d0d0a).length === 2);
  const cases: [string, Buffer, number][] = [
    ["not a multiple of 4", withBlockLength(k, target.len + 2, true, false), target.off],
    ["below the 12-byte minimum", withBlockLength(k, 8, true, false), target.off],
    ["below the enhanced packet block's 32-byte minimum", withBlockLength(k, 28, true, false), target.off],
    ["absurdly large", withBlockLength(k, 0x7ffffff0, true, false), target.off],
    ["different from the trailing copy", withBlockLength(k, target.len + 4, false, true), target.off],
    ["in a big-endian section", withBlockLength(kBe, 6, true, false), sectionBlocks[kBe]!.off],
  ];
  for (const [what, data, at] of cases) {
    it(`stops at a block length ${what}`, () => {
      for (const size of CHUNK_SIZES) {
        const d = createPcapngDecoder();
        const run = runDecoder(d, data, size);
        expect(run.error).toBeUndefined();
        expect(run.events).toEqual(whole.events.filter((e) => e.position < at));
        expect(d.stats.skippedObject()["bad-block-length"]).toBe(1);
        expect(d.stats.samples.at(-1)).toEqual({ position: at, reason: "bad-block-length" });
        expect(d.stoppedAt).toBe(at);
        expect(d.stats.read).toBe(d.stats.used + d.stats.skipped);
      }
    });
  }
});

describe("pcapng: damage inside a sound block is a skip, and reading goes on", () => {
  const le = true;
  const head = Buffer.concat([shb(le), idb(101, le)]);
  const good = (port: number): Buffer => epb(0, 1000000n * BigInt(port), udp4(port), le);

  it("skips an enhanced packet block whose captured length overruns the block", () => {
    const data = Buffer.concat([head, good(1), epb(0, 0n, udp4(2), le, 500), good(3)]);
    const d = createPcapngDecoder();
    const run = runDecoder(d, data, 7);
    expect(run.events.map((e) => e.dstPort)).toEqual([1, 3]);
    expect(d.stats.skippedObject()).toEqual({ "bad-captured-length": 1 });
  });

  it("skips a packet on an interface the section never described", () => {
    const data = Buffer.concat([head, good(1), epb(7, 0n, udp4(2), le), good(3)]);
    const d = createPcapngDecoder();
    const run = runDecoder(d, data);
    expect(run.events.map((e) => e.dstPort)).toEqual([1, 3]);
    expect(d.stats.skippedObject()).toEqual({ "unknown-interface": 1 });
  });

  it("skips a simple packet block that comes before any interface", () => {
    const data = Buffer.concat([shb(le), spb(udp4(1), le), idb(101, le), spb(udp4(2), le)]);
    const d = createPcapngDecoder();
    const run = runDecoder(d, data);
    expect(run.events.map((e) => e.dstPort)).toEqual([2]);
    expect(run.events[0]!.time).toBeNaN();
    expect(d.stats.skippedObject()).toEqual({ "unknown-interface": 1 });
  });

  it("forgets a section's interfaces when a new section starts", () => {
    const data = Buffer.concat([head, good(1), shb(false), epb(0, 0n, udp4(2), false)]);
    const d = createPcapngDecoder();
    const run = runDecoder(d, data);
    expect(run.events.map((e) => e.dstPort)).toEqual([1]);
    expect(d.stats.skippedObject()).toEqual({ "unknown-interface": 1 });
  });

  it("stops at a later section header with a bad byte-order magic", () => {
    const badShb = shb(true);
    badShb.writeUInt32LE(0x12345678, 8);
    const data = Buffer.concat([head, good(1), badShb, head, good(2)]);
    const d = createPcapngDecoder();
    const run = runDecoder(d, data, 2);
    expect(run.events.map((e) => e.dstPort)).toEqual([1]);
    expect(d.stats.skippedObject()).toEqual({ "bad-section-header": 1 });
    expect(d.stoppedAt).toBe(head.length + good(1).length);
  });
});

describe("pcapng: not a pcapng file", () => {
  it("throws an InputError when the first block is no section header", () => {
    const run = runDecoder(createPcapngDecoder("x.pcapng"), fixtureBytes("tcpdump-tests/dns_udp.pcap"));
    expect(run.error).toBeInstanceOf(InputError);
    expect((run.error as InputError).message).toBe(
      "x.pcapng: byte offset 0: not a pcapng file: block type 0xd4c3b2a1 where a section header block (0a0d0d0a) must start",
    );
  });

  it("throws an InputError naming offset 8 for a bad byte-order magic", () => {
    const bad = Buffer.from(sections);
    bad.writeUInt32LE(0x11223344, 8);
    const run = runDecoder(createPcapngDecoder(), bad);
    expect((run.error as InputError).where.offset).toBe(8);
  });

  it("throws an InputError for a major version other than 1", () => {
    const run = runDecoder(createPcapngDecoder(), Buffer.concat([shb(true, 2), idb(1, true)]));
    expect((run.error as InputError).message).toMatch(/unsupported pcapng version 2\.0/);
  });
});

describe("pcapng: timestamps", () => {
  const T = 1795425262n;
  const timeOf = (data: Buffer): number[] => runDecoder(createPcapngDecoder(), data).events.map((e) => e.time);

  it("uses microseconds when the interface gives no if_tsresol", () => {
    expect(timeOf(Buffer.concat([shb(true), idb(101, true), epb(0, T * 1000000n + 123456n, udp4(1), true)]))).toEqual([
      Number(T) * 1000 + 123.456,
    ]);
  });

  it("reads power-of-10 resolutions, to the nanosecond as far as a double holds it", () => {
    const data = Buffer.concat([
      shb(false),
      idb(101, false, { tsresol: 9 }),
      idb(101, false, { tsresol: 3 }),
      idb(101, false, { tsresol: 0 }),
      epb(0, T * 1000000000n + 999999999n, udp4(1), false),
      epb(1, T * 1000n + 7n, udp4(2), false),
      epb(2, T, udp4(3), false),
    ]);
    expect(timeOf(data)).toEqual([Number(T) * 1000 + 999.999999, Number(T) * 1000 + 7, Number(T) * 1000]);
  });

  it("gives every packet of a sequence the time BigInt arithmetic gives, whatever the packet before it", () => {
    // Many packets a second, out of order, across second boundaries and back, on two interfaces with
    // different resolutions: the reader keeps the last packet's second per interface.
    const rnd = prng(7);
    const counts: { iface: number; units: bigint; count: bigint }[] = [];
    for (let k = 0; k < 400; k++) {
      const iface = rnd() < 0.5 ? 0 : 1;
      const units = iface === 0 ? 1000000n : 1000000000n;
      const sec = T + BigInt(Math.floor(rnd() * 4)) - (rnd() < 0.05 ? 100n : 0n);
      const frac = rnd() < 0.1 ? (rnd() < 0.5 ? 0n : units - 1n) : BigInt(Math.floor(rnd() * Number(units)));
      counts.push({ iface, units, count: sec * units + frac });
    }
    const data = Buffer.concat([shb(true), idb(101, true), idb(101, true, { tsresol: 9 }), ...counts.map((c, k) => epb(c.iface, c.count, udp4(1 + k), true))]);
    const expected = counts.map((c) => Number(c.count / c.units) * 1000 + Number(c.count % c.units) / Number(c.units / 1000n));
    expect(timeOf(data)).toEqual(expected);
  });

  it("reads power-of-2 resolutions", () => {
    const data = Buffer.concat([
      shb(true),
      idb(101, true, { tsresol: 0x80 | 20 }),
      idb(101, true, { tsresol: 0x80 | 32 }),
      epb(0, (T << 20n) + 262144n, udp4(1), true),
      epb(1, (T << 32n) + (1n << 31n), udp4(2), true),
    ]);
    expect(timeOf(data)).toEqual([Number(T) * 1000 + 250, Number(T) * 1000 + 500]);
  });

  it("adds if_tsoffset seconds, negative ones too", () => {
    const data = Buffer.concat([
      shb(true),
      idb(101, true, { tsoffset: 86400n }),
      idb(101, true, { tsresol: 9, tsoffset: -3600n }),
      epb(0, (T - 86400n) * 1000000n + 5n, udp4(1), true),
      epb(1, (T + 3600n) * 1000000000n + 5n, udp4(2), true),
    ]);
    expect(timeOf(data)).toEqual([Number(T) * 1000 + 0.005, Number(T) * 1000 + 0.000005]);
  });

  it("approximates resolutions finer than 2^-32 s instead of failing", () => {
    // Picoseconds: a 64-bit count spans only 213 days, so a time 10^7 s after the epoch.
    const data = Buffer.concat([shb(true), idb(101, true, { tsresol: 12 }), epb(0, 10000000n * 1000000000000n + 5n, udp4(1), true)]);
    const [t] = timeOf(data);
    expect(t).toBeCloseTo(1e10, 3);
  });

  it("gives a simple packet block no time", () => {
    const [t] = timeOf(Buffer.concat([shb(true), idb(101, true), spb(udp4(1), true)]));
    expect(t).toBeNaN();
  });

  it("cuts a simple packet block to the interface snaplen", () => {
    const d = createPcapngDecoder();
    const run = runDecoder(d, Buffer.concat([shb(true), idb(101, true, { snaplen: 22 }), spb(udp4(1), true)]));
    // 22 bytes: the IPv4 header and the source port only.
    expect(run.events).toEqual([]);
    expect(d.stats.skippedObject()).toEqual({ "truncated-l4": 1 });
  });
});

describe("pcapng: hostile bytes", () => {
  const PROTOS: number[] = [PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMPV6];
  for (const fx of CAPTURES.filter((f) => f.format === "pcapng")) {
    it(`never crashes or hangs on mutated copies of ${fx.path}`, () => {
      const data = fixtureBytes(fx.path);
      const rnd = prng(0xb10c ^ data.length);
      for (let k = 0; k < 60; k++) {
        const bad = mutate(data, rnd, k % 10 === 0 ? 0 : 12);
        const size = CHUNK_SIZES[Math.floor(rnd() * CHUNK_SIZES.length)];
        const d = createPcapngDecoder();
        const run = runDecoder(d, bad, size);
        if (run.error !== undefined) {
          expect(run.error).toBeInstanceOf(InputError);
          continue;
        }
        expect(d.stats.read).toBe(d.stats.used + d.stats.skipped);
        expect(run.events.length).toBe(d.stats.used);
        for (const e of run.events) {
          expect([4, 6]).toContain(e.family);
          expect(PROTOS).toContain(e.proto);
          expect(e.position).toBeLessThan(bad.length);
        }
      }
    });
  }

  it("reads only packet blocks as records", () => {
    const packets = sectionBlocks.filter((b) => PACKET_TYPES.has(b.type)).length;
    const d = createPcapngDecoder();
    runDecoder(d, sections);
    expect(d.stats.read).toBe(packets);
  });
});

