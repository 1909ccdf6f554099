import { readFileSync } from "node:fs";
import type { EventBatch } from "../../../src/decode/batch.js";
import type { Decoder } from "../../../src/decode/decoder.js";
import type { FlowRecordDecoder } from "../../../src/decode/flow/records.js";
import { createExportCaptureDecoder } from "../../../src/decode/flow/export-capture.js";
import { createNfdumpCsvDecoder } from "../../../src/decode/log/nfdump-csv.js";
import { createNfdumpJsonDecoder } from "../../../src/decode/log/nfdump-json.js";
import { createFlowConnectionDecoder } from "../../../src/flow/flow-pairing.js";
import { eventToObject, formatAddress } from "../helpers.js";

export const FLOWS = "fixtures/flows";

/** One flow record as the comparison with nfdump sees it. */
export interface FlowRecordView {
  src: string;
  dst: string;
  proto: number;
  /** Ports, or for ICMP the type and code. */
  a: number;
  b: number;
  flags: number;
  revFlags: number;
  packets: number;
  revPackets: number;
  start: number;
  end: number;
  action: number;
  label: string | undefined;
  decided: number;
  position: number;
}

/** Every record a flow-record decoder emits from `data` (fed in chunks of `chunk` bytes), with its stats. */
export function records(make: () => FlowRecordDecoder, data: Buffer, chunk?: number): { records: FlowRecordView[]; decoder: FlowRecordDecoder } {
  const d = make();
  const out: FlowRecordView[] = [];
  const emit = (b: EventBatch) => {
    for (let i = 0; i < b.length; i++) {
      const icmp = b.proto[i] === 1 || b.proto[i] === 58;
      out.push({
        src: formatAddress(b.src, i * 4, b.family[i]!),
        dst: formatAddress(b.dst, i * 4, b.family[i]!),
        proto: b.proto[i]!,
        a: icmp ? b.icmpType[i]! : b.srcPort[i]!,
        b: icmp ? b.icmpCode[i]! : b.dstPort[i]!,
        flags: b.tcpFlags[i]!,
        revFlags: d.extras.revFlags[i]!,
        packets: d.extras.packets[i]!,
        revPackets: d.extras.revPackets[i]!,
        start: b.time[i]!,
        end: d.extras.endTime[i]!,
        action: b.action[i]!,
        label: b.labels.get(b.label[i]!),
        decided: d.extras.decided[i]!,
        position: b.position[i]!,
      });
    }
  };
  const step = chunk ?? Math.max(1, data.length);
  for (let off = 0; off < data.length; off += step) d.push(Buffer.from(data.subarray(off, off + step)), emit);
  d.end(emit);
  return { records: out, decoder: d };
}

export function exportRecords(name: string, chunk?: number) {
  return records(() => createExportCaptureDecoder(`${name}.pcap`), readFileSync(`${FLOWS}/${name}.pcap`), chunk);
}
export function nfdumpJsonRecords(name: string) {
  return records(() => createNfdumpJsonDecoder(), readFileSync(`${FLOWS}/${name}.nfdump.json`));
}
export function nfdumpCsvRecords(name: string) {
  return records(() => createNfdumpCsvDecoder(), readFileSync(`${FLOWS}/${name}.nfdump.csv`));
}

/** All events a decoder gives for a file. */
export function allEvents(d: Decoder, data: Buffer) {
  const out: ReturnType<typeof eventToObject>[] = [];
  const emit = (b: EventBatch) => { for (let i = 0; i < b.length; i++) out.push(eventToObject(b, i)); };
  d.push(data, emit);
  d.end(emit);
  return out;
}

export function connections(name: string) {
  return allEvents(createFlowConnectionDecoder(createExportCaptureDecoder(name)), readFileSync(`${FLOWS}/${name}.pcap`));
}
