/**
 * Hand-damaged classic pcap files: the records before the damage are emitted, the damage is a
 * counted skip (or, when the file is no pcap at all, an InputError naming the byte offset), never
 * a crash or a hang.
 */
import { describe, expect, it } from "vitest";
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../../../src/decode/batch.js";
import { InputError } from "../../../src/errors.js";
import { createPcapDecoder, PCAP_MAX_RECORD } from "../../../src/decode/pcap/classic.js";
import { CHUNK_SIZES, runDecoder } from "../helpers.js";
import { CAPTURES, fixtureBytes } from "./fixtures.js";
import { mutate, prng } from "./mutate.js";
import { readRecords } from "./oracle.js";

const dnsTcp = fixtureBytes("tcpdump-tests/dns_tcp.pcap");
const records = readRecords(dnsTcp, "pcap");
const whole = runDecoder(createPcapDecoder(), dnsTcp);
const recordEnd = (r: { position: number; capLen: number }): number => r.position + 16 + r.capLen;

function withLinkType(data: Buffer, linkType: number): Buffer {
  const out = Buffer.from(data);
  out.writeUInt32LE(linkType, 20);
  return out;
}

describe("classic pcap: a file cut short", () => {
  it("counts a record cut by the end of file as truncated, at every cut point", () => {
    const boundaries = new Set([24, ...records.map(recordEnd)]);
    for (let cut = 24; cut <= dnsTcp.length; cut++) {
      for (const size of [undefined, 7]) {
        const d = createPcapDecoder();
        const run = runDecoder(d, dnsTcp.subarray(0, cut), size);
        expect(run.error).toBeUndefined();
        const complete = records.filter((r) => recordEnd(r) <= cut);
        expect(run.events).toEqual(whole.events.filter((e) => complete.some((r) => r.position === e.position)));
        const cutInside = !boundaries.has(cut);
        expect(d.stats.skippedObject()).toEqual(cutInside ? { "truncated-record": 1 } : {});
        expect(d.stats.read).toBe(complete.length + (cutInside ? 1 : 0));
        if (cutInside) expect(d.stats.samples[0]).toEqual({ position: records[complete.length]!.position, reason: "truncated-record" });
      }
    }
  });

  it("reads an empty input as no records and no error", () => {
    const d = createPcapDecoder("empty");
    const run = runDecoder(d, Buffer.alloc(0));
    expect(run.error).toBeUndefined();
    expect(d.stats.read).toBe(0);
  });

  it("throws an InputError at offset 0 for a file header cut short", () => {
    for (let cut = 1; cut < 24; cut++) {
      const run = runDecoder(createPcapDecoder("cut.pcap"), dnsTcp.subarray(0, cut), 5);
      expect(run.error).toBeInstanceOf(InputError);
      const e = run.error as InputError;
      expect(e.where).toEqual({ file: "cut.pcap", offset: 0 });
      expect(e.message).toBe(`cut.pcap: byte offset 0: truncated pcap file header: ${cut} of 24 bytes`);
    }
  });
});

describe("classic pcap: an absurd record length", () => {
  const sixth = records[5]!;

  it("stops at an absurd incl_len after emitting every record before it, at every chunk size", () => {
    const bad = Buffer.from(dnsTcp);
    bad.writeUInt32LE(0x7fffffff, sixth.position + 8);
    for (const size of CHUNK_SIZES) {
      const d = createPcapDecoder();
      const run = runDecoder(d, bad, size);
      expect(run.error).toBeUndefined();
      expect(run.events).toEqual(whole.events.filter((e) => e.position < sixth.position));
      expect(d.stats.skippedObject()).toEqual({ "bad-record-length": 1 });
      expect(d.stats.samples).toEqual([{ position: sixth.position, reason: "bad-record-length" }]);
      expect(d.stats.read).toBe(6);
      expect(d.stoppedAt).toBe(sixth.position);
      expect(d.stats.bytes).toBe(bad.length);
    }
  });

  it("believes an incl_len above the snaplen up to 256 KiB, and no further", () => {
    // dns_tcp's snaplen is 262144; a record claiming 262145 bytes is absurd, one of 262144 is not
    // (it then runs past the end of this file, a truncated record).
    const over = Buffer.from(dnsTcp);
    over.writeUInt32LE(PCAP_MAX_RECORD + 1, sixth.position + 8);
    const d1 = createPcapDecoder();
    runDecoder(d1, over);
    expect(d1.stats.skippedObject()).toEqual({ "bad-record-length": 1 });
    const atMax = Buffer.from(dnsTcp);
    atMax.writeUInt32LE(PCAP_MAX_RECORD, sixth.position + 8);
    const d2 = createPcapDecoder();
    runDecoder(d2, atMax);
    expect(d2.stats.skippedObject()).toEqual({ "truncated-record": 1 });
    expect(d2.stoppedAt).toBeUndefined();
  });

  it("reads the big-endian record length the same way", () => {
    const be = Buffer.from(fixtureBytes("tcpdump-tests/dns_udp-bigendian.pcap"));
    const second = readRecords(be, "pcap")[1]!;
    be.writeUInt32BE(300000, second.position + 8);
    const d = createPcapDecoder();
    const run = runDecoder(d, be, 3);
    expect(run.events.length).toBe(1);
    expect(d.stats.skippedObject()).toEqual({ "bad-record-length": 1 });
    expect(d.stoppedAt).toBe(second.position);
  });

  it("raises the limit to a snaplen above 256 KiB, carrying a large record across chunks", () => {
    const header = Buffer.from(dnsTcp.subarray(0, 24));
    header.writeUInt32LE(0xffffffff, 16);
    const rec = Buffer.alloc(16 + 300000);
    rec.writeUInt32LE(1, 0);
    rec.writeUInt32LE(300000, 8);
    rec.writeUInt32LE(300000, 12);
    const data = Buffer.concat([header, rec, dnsTcp.subarray(24)]);
    for (const size of [4096, 65536, undefined]) {
      const d = createPcapDecoder();
      const run = runDecoder(d, data, size);
      expect(run.error).toBeUndefined();
      // An all-zero Ethernet frame: EtherType 0 is an 802.3 length, LLC follows.
      expect(d.stats.skippedObject()).toEqual({ "ethertype-llc": 1 });
      expect(run.events.length).toBe(whole.events.length);
    }
  });
});

describe("classic pcap: link types", () => {
  it("labels an unknown link type by its name or number and skips every frame", () => {
    const dnsUdp = fixtureBytes("tcpdump-tests/dns_udp.pcap");
    for (const [linkType, reason] of [
      [105, "link-type-ieee802-11"],
      [127, "link-type-ieee802-11-radiotap"],
      [147, "link-type-user0"],
      [239, "link-type-nflog"],
      [9999, "link-type-9999"],
    ] as const) {
      const d = createPcapDecoder();
      const run = runDecoder(d, withLinkType(dnsUdp, linkType));
      expect(run.events).toEqual([]);
      expect(d.stats.skippedObject()).toEqual({ [reason]: 2 });
    }
  });

  it("ignores the FCS bits above the 16-bit link type", () => {
    const dnsUdp = fixtureBytes("tcpdump-tests/dns_udp.pcap");
    const d = createPcapDecoder();
    const run = runDecoder(d, withLinkType(dnsUdp, 0x10000000 | (2 << 29) | 1));
    expect(run.events.length).toBe(2);
  });
});

describe("classic pcap: not a pcap file", () => {
  it("throws an InputError naming the file and offset 0 for an unknown magic", () => {
    const bad = Buffer.from(dnsTcp);
    bad.writeUInt32BE(0xdeadbeef, 0);
    const run = runDecoder(createPcapDecoder("x.pcap"), bad, 1);
    expect(run.error).toBeInstanceOf(InputError);
    expect((run.error as InputError).code).toBe("input");
    expect((run.error as InputError).message).toBe(
      "x.pcap: byte offset 0: not a pcap file: magic 0xdeadbeef; expected a1b2c3d4 or a1b23c4d in either byte order",
    );
  });

  it("says so when it is handed a pcapng file", () => {
    const run = runDecoder(createPcapDecoder(), fixtureBytes("tcpdump-tests/dhcp-option-108.pcapng"));
    expect((run.error as InputError).message).toMatch(/this is a pcapng file/);
  });

  it("rejects a version other than 2.x", () => {
    const bad = Buffer.from(dnsTcp);
    bad.writeUInt16LE(3, 4);
    const run = runDecoder(createPcapDecoder(), bad);
    expect(run.error).toBeInstanceOf(InputError);
    expect((run.error as InputError).where.offset).toBe(4);
  });
});

describe("classic pcap: batches", () => {
  it("hands over full batches of the configured capacity and the rest at the end", () => {
    const data = fixtureBytes("samba-ad-lab/ad-client.pcap");
    const ref = runDecoder(createPcapDecoder(), data);
    const run = runDecoder(createPcapDecoder(undefined, { batchCapacity: 5 }), data, 64);
    expect(run.events).toEqual(ref.events);
    expect(run.batchSizes.slice(0, -1).every((n) => n === 5)).toBe(true);
    expect(run.batchSizes.reduce((a, b) => a + b, 0)).toBe(ref.events.length);
  });
});

describe("classic pcap: hostile bytes", () => {
  const PROTOS: number[] = [PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMPV6];
  for (const fx of CAPTURES.filter((f) => f.format === "pcap")) {
    it(`never crashes or hangs on mutated copies of ${fx.path}`, () => {
      const data = fixtureBytes(fx.path);
      const rnd = prng(0x5eed ^ data.length);
      for (let k = 0; k < 60; k++) {
        // Mostly after the file header; now and then inside it.
        const bad = mutate(data, rnd, k % 10 === 0 ? 0 : 24);
        const size = CHUNK_SIZES[Math.floor(rnd() * CHUNK_SIZES.length)];
        const d = createPcapDecoder();
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
          expect(e.position).toBeGreaterThanOrEqual(24);
          expect(e.position).toBeLessThan(bad.length);
        }
      }
    });
  }
});
