/**
 * The checks every capture fixture goes through, shared by the pcap and pcapng test files:
 * per-frame agreement with tshark's oracle, exact skip accounting, and identical results whatever
 * the chunk sizes the input arrives in.
 */
import { describe, expect, it } from "vitest";
import { createPcapDecoder } from "../../../src/decode/pcap/classic.js";
import type { CaptureDecoder } from "../../../src/decode/pcap/packets.js";
import { createPcapngDecoder } from "../../../src/decode/pcapng/reader.js";
import { CHUNK_SIZES, runDecoder } from "../helpers.js";
import { CAPTURES, FIXTURES, fixtureBytes, type CaptureFixture } from "./fixtures.js";
import { expectedEvent, parseEpoch, readOracle, readRecords, ulp } from "./oracle.js";

export function decoderFor(format: "pcap" | "pcapng", file?: string): CaptureDecoder {
  return format === "pcap" ? createPcapDecoder(file) : createPcapngDecoder(file);
}

function checkAgainstOracle(fx: CaptureFixture): void {
  const data = fixtureBytes(fx.path);
  const rows = readOracle(`${FIXTURES}${fx.path}.tshark.csv`).filter((r) => !(fx.notRecords ?? []).includes(r.number));
  const records = readRecords(data, fx.format);

  // Frame count = records read, and nothing cut or damaged in these files.
  expect(records.filter((r) => r.container)).toEqual([]);
  expect(records.length).toBe(rows.length);

  rows.forEach((row, k) => {
    const rec = records[k]!;
    const at = `${fx.path} frame ${row.number}`;
    // The number an admin types into Wireshark's "Go to packet" is the one the report gives.
    expect(rec.frame, `${at}: frame number`).toBe(row.number);
    expect(rec.capLen, `${at}: captured length`).toBe(row.capLen);
    expect(rec.origLen, `${at}: wire length`).toBe(row.len);

    const timeFix = fx.timeDisagree?.[row.number];
    if (timeFix !== undefined) {
      expect(rec.time, `${at}: ${timeFix.why}`).toBeCloseTo(timeFix.time, 3);
    } else if (row.epoch === "") {
      expect(rec.time, `${at}: no timestamp (simple packet block)`).toBeNaN();
    } else {
      // To the nanosecond, as far as a double of milliseconds holds it (1 ulp).
      const { sec, nanos } = parseEpoch(row.epoch);
      const diff = rec.time - sec * 1000 - nanos / 1e6;
      expect(Math.abs(diff), `${at}: time ${rec.time} vs ${row.epoch}`).toBeLessThanOrEqual(ulp(rec.time));
    }

    const dis = fx.disagree?.[row.number];
    const exp = expectedEvent(row);
    if (dis?.skip !== undefined) {
      expect(rec.event, `${at}: ${dis.why}`).toBeUndefined();
      expect(rec.reason, `${at}: ${dis.why}`).toBe(dis.skip);
    } else if (dis?.event !== undefined) {
      expect(rec.event, `${at}: ${dis.why}`).toMatchObject(dis.event);
    } else if (exp !== undefined) {
      expect(rec.reason, `${at}: tshark decodes ${row.protocols.join(":")}`).toBeUndefined();
      expect(rec.event, at).toMatchObject(exp);
      expect(rec.event!.position, at).toBe(rec.position);
    } else {
      expect(rec.event, `${at}: tshark reads ${row.protocols.join(":")}, no IP TCP/UDP/ICMP`).toBeUndefined();
      expect(rec.reason, at).toMatch(/^[a-z0-9.-]+$/);
    }
  });

  // The public decoder gives the same events and counts them all: read = used + skipped.
  const d = decoderFor(fx.format, fx.path);
  const run = runDecoder(d, data);
  expect(run.error).toBeUndefined();
  expect(run.events).toEqual(records.filter((r) => r.event).map((r) => r.event));
  expect(d.stats.read).toBe(rows.length);
  expect(d.stats.read).toBe(d.stats.used + d.stats.skipped);
  expect(d.stats.skippedObject()).toEqual(fx.skipped);
  expect(d.stats.bytes).toBe(data.length);
  expect(d.stoppedAt).toBeUndefined();
}

function checkChunking(fx: CaptureFixture): void {
  const data = fixtureBytes(fx.path);
  const whole = decoderFor(fx.format);
  const ref = runDecoder(whole, data);
  for (const size of CHUNK_SIZES) {
    const d = decoderFor(fx.format);
    const run = runDecoder(d, data, size);
    expect(run.error, `chunk ${size}`).toBeUndefined();
    expect(run.events, `chunk ${size}`).toEqual(ref.events);
    expect(d.stats.skippedObject(), `chunk ${size}`).toEqual(whole.stats.skippedObject());
    expect(d.stats.samples, `chunk ${size}`).toEqual(whole.stats.samples);
    expect([d.stats.read, d.stats.used, d.stats.bytes], `chunk ${size}`).toEqual([whole.stats.read, whole.stats.used, whole.stats.bytes]);
  }
}

export function captureSuite(format: "pcap" | "pcapng"): void {
  const fixtures = CAPTURES.filter((f) => f.format === format);
  describe(`${format} fixtures against the tshark oracle`, () => {
    for (const fx of fixtures) {
      it(`decodes ${fx.path} as tshark does, frame by frame, and counts every skip`, () => checkAgainstOracle(fx));
    }
  });
  describe(`${format} fixtures cut into chunks`, () => {
    for (const fx of fixtures) {
      it(`gives the same events for ${fx.path} at every chunk size`, () => checkChunking(fx));
    }
  });
}
