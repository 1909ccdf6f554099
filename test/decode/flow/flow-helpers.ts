import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { NONE } from "../../../src/decode/batch.js";
import { parseNfdumpFlags } from "../../../src/decode/flow/records.js";
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

export function exportRecords(name: string, chunk?: number, dir = FLOWS) {
  return records(() => createExportCaptureDecoder(`${name}.pcap`), readFileSync(`${dir}/${name}.pcap`), chunk);
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

export function connections(name: string, dir = FLOWS) {
  return allEvents(createFlowConnectionDecoder(createExportCaptureDecoder(name)), readFileSync(`${dir}/${name}.pcap`));
}

export interface NfdumpFlow {
  type: string; first: string; last: string; proto: number; in_packets: number; out_packets?: number;
  src4_addr?: string; src6_addr?: string; dst4_addr?: string; dst6_addr?: string;
  src_port?: number; dst_port?: number; icmp_type?: number; icmp_code?: number; tcp_flags?: string; event?: string;
}

/** nfdump's local-time stamp (written with TZ=UTC) in ms; its "no time" (the epoch) as NaN. */
export function ms(s: string): number {
  const t = Date.parse(`${s}Z`);
  return t === 0 ? NaN : t;
}

/** The oracle: nfdump's JSON, parsed whole by JSON.parse (not by the decoder under test). */
export function nfdumpView(name: string, dir = FLOWS): NfdumpFlow[] {
  return JSON.parse(readFileSync(`${dir}/${name}.nfdump.json`, "utf8")) as NfdumpFlow[];
}

export function isIcmp(p: number): boolean {
  return p === 1 || p === 58;
}

/** ICMP messages that are errors or link-local control, which portmatrix counts as no flow. */
export function notAFlow(f: NfdumpFlow): string | undefined {
  if (f.proto === 1 && [3, 4, 5, 11, 12].includes(f.icmp_type ?? -1)) return "icmp-error";
  if (f.proto === 58 && (f.icmp_type ?? 0) >= 1 && (f.icmp_type ?? 0) <= 4) return "icmp-error";
  if (f.proto === 58 && (((f.icmp_type ?? 0) >= 130 && (f.icmp_type ?? 0) <= 137) || f.icmp_type === 143)) return "icmpv6-control";
  return undefined;
}

/**
 * For a NetFlow v9 session, the ICMP type and code of each ICMP flow as nfdump shows them in the same
 * producer's IPFIX export of the same capture (the session named with v10 for v9), found by addresses and
 * protocol, in order (the exporters' clocks differ between versions, so times do not match); a flow with
 * no counterpart there fails the test.
 */
function ipfixIcmpTypes(name: string, dir: string): (f: NfdumpFlow) => { icmp_type: number; icmp_code: number } {
  const sibling = nfdumpView(name.replace(/v9$/, "v10"), dir);
  const k = (f: NfdumpFlow) => `${f.src4_addr ?? f.src6_addr} ${f.dst4_addr ?? f.dst6_addr} ${f.proto}`;
  const byKey = new Map<string, NfdumpFlow[]>();
  for (const f of sibling) if (isIcmp(f.proto)) byKey.set(k(f), [...(byKey.get(k(f)) ?? []), f]);
  return (f) => {
    const twin = byKey.get(k(f))?.shift();
    expect(twin, `${name}: ICMP flow ${k(f)} in the IPFIX export of the same capture`).toBeDefined();
    return { icmp_type: twin!.icmp_type ?? 0, icmp_code: twin!.icmp_code ?? 0 };
  };
}

export function key(r: { src: string; dst: string; proto: number; a: number; b: number }): string {
  return `${r.src} ${r.dst} ${r.proto} ${r.a} ${r.b}`;
}

export function expectedOf(f: NfdumpFlow): Omit<FlowRecordView, "position" | "label" | "action" | "decided" | "end" | "revPackets" | "revFlags"> {
  const first = ms(f.first);
  const last = ms(f.last);
  return {
    src: f.src4_addr ?? f.src6_addr ?? "",
    dst: f.dst4_addr ?? f.dst6_addr ?? "",
    proto: f.proto,
    a: isIcmp(f.proto) ? f.icmp_type! : f.src_port!,
    b: isIcmp(f.proto) ? f.icmp_code! : f.dst_port!,
    flags: f.proto === 6 ? parseNfdumpFlags(f.tcp_flags ?? "") : NONE,
    packets: f.in_packets,
    // nfdump 1.7.1 swaps IPFIX flowStart/EndSysUpTime (fixed in 1.7.2, phaag/nfdump 4a4dac0b): the
    // flow's start is the earlier of its two times either way.
    start: first !== first ? NaN : last !== last ? first : Math.min(first, last),
  };
}

/**
 * A record as nfdump prints it: a counter or the TCP flags the template does not carry are 0 in nfdump's
 * output (NaN / NONE here: unknown, which the pairing must not take for "no packets" or "no flags").
 * `biflow`: nfdump 1.7.1 prints an RFC 5103 biflow's reverseTcpControlBits in place of its forward flags
 * (tshark reads the forward flags where portmatrix does; see the test below).
 */
export function comparable(r: FlowRecordView, biflow = false) {
  const flags = biflow && r.revFlags !== NONE ? r.revFlags : r.flags;
  return {
    src: r.src, dst: r.dst, proto: r.proto, a: r.a, b: r.b, flags: r.proto === 6 ? (flags === NONE ? 0 : flags) : NONE,
    packets: r.packets === r.packets ? r.packets : 0, start: Math.round(r.start),
  };
}

export function sortByKey<T extends { src: string; dst: string; proto: number; a: number; b: number }>(xs: T[]): T[] {
  return [...xs].sort((x, y) => key(x).localeCompare(key(y)) || JSON.stringify(x).localeCompare(JSON.stringify(y)));
}


/**
 * Assert that flow records decoded from an export are exactly nfdump's view of it (`nf`): the same flows
 * field by field, the ones portmatrix counts as no flow skipped by the same reason, and the accounting whole.
 */
export function expectNfdumpView(got: { records: FlowRecordView[]; decoder: FlowRecordDecoder }, nf: NfdumpFlow[], name: string, dir = FLOWS): void {
  const { records, decoder } = got;
  const skipped = decoder.stats.skippedObject();
  const dropped: Record<string, number> = {};
  const expected = [];
  const icmpOf = /v9$/.test(name) ? ipfixIcmpTypes(name, dir) : undefined;
  for (const raw of nf) {
    // nfdump 1.7.1 prints every NetFlow v9 ICMP type and code as 0, whether the export carries them in
    // IE 178/179 (softflowd) or as type * 256 + code in L4_DST_PORT (pmacct; PROVENANCE.md). The same
    // producer's IPFIX export of the same capture, which nfdump reads right, gives them (tshark agrees).
    const f = icmpOf && isIcmp(raw.proto) && raw.icmp_type === 0 && raw.icmp_code === 0 ? { ...raw, ...icmpOf(raw) } : raw;
    const why = notAFlow(f);
    if (why !== undefined) { dropped[why] = (dropped[why] ?? 0) + 1; continue; }
    expected.push(expectedOf(f));
  }
  expect(records.length, "no flow record may be lost or invented").toBe(expected.length);
  expect(sortByKey(records.map((r) => comparable(r, name.endsWith("-biflow"))))).toEqual(sortByKey(expected.map((e) => ({ ...e, start: Math.round(e.start) }))));
  for (const [why, n] of Object.entries(dropped)) expect(skipped[why], why).toBe(n);
  expect(decoder.stats.read).toBe(decoder.stats.used + decoder.stats.skipped);
}
