/**
 * A second, independent reading of classic pcap files: pcap-parser 0.2.1 (an old, simple
 * event-based reader). Same record count, captured and wire lengths, and timestamps. It knows only
 * the microsecond magic; nanosecond files it rejects, and that is asserted too.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { CAPTURES, FIXTURES, fixtureBytes } from "./fixtures.js";
import { readRecords } from "./oracle.js";

interface PacketHeader {
  timestampSeconds: number;
  timestampMicroseconds: number;
  capturedLength: number;
  originalLength: number;
}
interface ParserEvents {
  on(event: "packet", f: (p: { header: PacketHeader; data: Buffer }) => void): ParserEvents;
  on(event: "error", f: (e: Error) => void): ParserEvents;
  on(event: "end", f: () => void): ParserEvents;
}
const pcapParser = createRequire(import.meta.url)("pcap-parser") as { parse(input: string): ParserEvents };

function parseWithPcapParser(path: string): Promise<{ headers: PacketHeader[]; error: Error | undefined }> {
  return new Promise((resolve) => {
    const headers: PacketHeader[] = [];
    let error: Error | undefined;
    pcapParser
      .parse(path)
      .on("packet", (p) => headers.push(p.header))
      .on("error", (e) => (error = e))
      .on("end", () => resolve({ headers, error }));
  });
}

const classic = CAPTURES.filter((f) => f.format === "pcap");

describe("classic pcap reader against pcap-parser 0.2.1", () => {
  for (const fx of classic) {
    const data = fixtureBytes(fx.path);
    const nano = data.readUInt32LE(0) === 0xa1b23c4d || data.readUInt32BE(0) === 0xa1b23c4d;
    if (nano) {
      it(`reads ${fx.path}, a nanosecond file pcap-parser rejects`, async () => {
        const theirs = await parseWithPcapParser(FIXTURES + fx.path);
        expect(theirs.error?.message).toMatch(/unknown magic number/);
        expect(readRecords(data, "pcap").length).toBeGreaterThan(0);
      });
      continue;
    }
    it(`reads the same records as pcap-parser in ${fx.path}`, async () => {
      const theirs = await parseWithPcapParser(FIXTURES + fx.path);
      expect(theirs.error).toBeUndefined();
      const ours = readRecords(data, "pcap");
      expect(ours.filter((r) => r.container)).toEqual([]);
      expect(ours.map((r) => [r.capLen, r.origLen, r.time])).toEqual(
        theirs.headers.map((h) => [h.capturedLength, h.originalLength, h.timestampSeconds * 1000 + h.timestampMicroseconds / 1000]),
      );
    });
  }
});
