/**
 * NetFlow/IPFIX export datagrams inside a packet capture (pcap or pcapng, recognised by its magic): the
 * capture a collector's host or a SPAN port made of the export traffic. Each UDP datagram to a flow
 * export port (2055 NetFlow, 9995 nfdump and Cisco ASA, 4739 IPFIX, or the ports the user gives) is
 * read as one export message (netflow.ts), with templates kept per exporter address; the flows in it are
 * the records. A packet that carries no export is one record skipped with its reason ("not-flow-export",
 * or the packet decoder's own: "ethertype-arp", "ip-fragment"...).
 */
import { PROTO_UDP, createBatch, reserve } from "../batch.js";
import { InputStats } from "../stats.js";
import { formatAddr } from "../../net/addr.js";
import { decodeFrame } from "../link/frame.js";
import { DECODED, skipReason } from "../ip/skip.js";
import { lastUdpPayload } from "../ip/transport.js";
import { PcapReader } from "../pcap/classic.js";
import { PcapngReader } from "../pcapng/reader.js";
import type { PacketSink } from "../pcap/packets.js";
import { decodeExport, exportVersion, type ExportContext } from "./netflow.js";
import { createFlowRecordBatch, type FlowRecordDecoder } from "./records.js";
import { TemplateCache } from "./templates.js";
import type { EventBatch } from "../batch.js";

import { DEFAULT_FLOW_EXPORT_PORTS } from "./ports.js";
import type { FormatRecord } from "../format.js";
import { isPcapHead } from "../pcap/classic.js";
import { isPcapngHead } from "../pcapng/reader.js";

/** The packet sink that reads export datagrams; `onExport` sees each one. */
class ExportSink implements PacketSink {
  private readonly scratch = createBatch(1);

  constructor(
    private readonly ports: ReadonlySet<number>,
    private readonly stats: InputStats,
    private readonly onExport: (buf: Buffer, start: number, end: number, exporter: string, position: number) => void,
  ) {}

  packet(buf: Buffer, off: number, end: number, _orig: number, linkType: number, _time: number, position: number, _iface: number, dataPosition: number): void {
    const b = this.scratch;
    b.length = 0;
    const i = reserve(b);
    const code = decodeFrame(buf, off, end, linkType, b, i);
    if (code !== DECODED) { this.stats.skip(skipReason(code), position); return; }
    if (b.proto[i] !== PROTO_UDP || !this.ports.has(b.dstPort[i]!)) { this.stats.skip("not-flow-export", position); return; }
    const payloadAt = dataPosition + (lastUdpPayload.start - off);
    this.onExport(buf, lastUdpPayload.start, lastUdpPayload.end, formatAddr(b.family[i]!, b.src, 0), payloadAt);
  }

  skip(reason: string, position: number): void {
    this.stats.skip(reason, position);
  }
}

function readerFor(first: Buffer, sink: PacketSink, file: string | undefined): PcapReader | PcapngReader {
  return first.length >= 4 && first.readUInt32LE(0) === 0x0a0d0d0a ? new PcapngReader(sink, file) : new PcapReader(sink, file);
}

/** A capture of flow export datagrams, decoded into flow records (see FlowRecordDecoder). */
export function createExportCaptureDecoder(file?: string, ports: readonly number[] = DEFAULT_FLOW_EXPORT_PORTS): FlowRecordDecoder {
  const stats = new InputStats();
  const out = createFlowRecordBatch();
  const cache = new TemplateCache();
  let emit: ((b: EventBatch) => void) | undefined;
  const flush = () => {
    if (out.batch.length > 0 && emit) {
      emit(out.batch);
      out.batch.length = 0;
    }
  };
  const ctx: ExportContext = { out, stats, cache, makeRoom: flush };
  const sink = new ExportSink(new Set(ports), stats, (buf, s, e, exporter, position) => decodeExport(buf, s, e, exporter, position, ctx));
  let reader: PcapReader | PcapngReader | undefined;
  return {
    format: "netflow",
    stats,
    extras: out.extras,
    push(chunk, e) {
      stats.bytes += chunk.length;
      emit = e;
      reader ??= readerFor(chunk, sink, file);
      reader.push(chunk);
    },
    end(e) {
      emit = e;
      reader?.finish();
      flush();
    },
  };
}

/**
 * Whether a capture's first bytes hold flow exports: at least one datagram to an export port whose
 * header is a consistent NetFlow v5/v9 or IPFIX header, and such datagrams are at least half of the IP
 * packets seen. A capture of other traffic that happens to carry a few exports is read as traffic.
 */
export function looksLikeExportCapture(head: Buffer, ports: readonly number[] = DEFAULT_FLOW_EXPORT_PORTS): boolean {
  const portSet = new Set(ports);
  let ip = 0;
  let exports = 0;
  const scratch = createBatch(1);
  const sink: PacketSink = {
    packet(buf, off, end, _orig, linkType) {
      scratch.length = 0;
      const i = reserve(scratch);
      if (decodeFrame(buf, off, end, linkType, scratch, i) !== DECODED) return;
      ip++;
      if (scratch.proto[i] === PROTO_UDP && portSet.has(scratch.dstPort[i]!) && exportVersion(buf, lastUdpPayload.start, lastUdpPayload.end) !== 0) exports++;
    },
    skip() {},
  };
  try {
    const reader = readerFor(head, sink, undefined);
    reader.push(head);
  } catch {
    return false;
  }
  return exports > 0 && exports * 2 >= ip;
}

export const netflowFormat: FormatRecord = {
  name: "netflow",
  stage: "flow-records",
  sniffHead: (head, o) => (isPcapHead(head) || isPcapngHead(head)) && looksLikeExportCapture(head, o.flowExportPorts),
  create: (o, file) => createExportCaptureDecoder(file, o.flowExportPorts),
  doc: {
    detectedBy: "a pcap/pcapng capture whose packets are mostly UDP to 2055, 4739, 9995 (or `--netflow-port`) holding NetFlow/IPFIX",
    notes: "NetFlow v5, v9 and IPFIX export datagrams: templates and options templates per exporter, variable-length fields, enterprise fields counted and left unread; Cisco NSEL and IPFIX firewallEvent decide; other flows paired with their reverse and judged by TCP flags",
  },
};
