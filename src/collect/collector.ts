/**
 * `portmatrix collect`: a collector, not a hardened internet-facing service. It listens for NetFlow v5/v9
 * and IPFIX export datagrams over UDP and for syslog over UDP (RFC 5426: one message per datagram) and
 * TCP (RFC 6587: octet-counted or line-feed framing), decodes them with the decoders `check` uses for
 * files (a message's format is detected from its own text, as a file's is from its first lines), and
 * keeps the findings, so that a report can be written at any time.
 *
 * Bounds: a syslog message is at most `maxMessage` bytes (a longer one is dropped and counted), at most
 * `maxConnections` TCP senders at once (more are closed at once and counted), idle TCP connections are
 * closed, templates are kept for a bounded number of exporters, flow records wait for their reverse
 * direction for `pairWindowMs` of arrival time and then become connections; memory then grows only with
 * the distinct findings. Nothing is ever sent back: no reply, no amplification.
 */
import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server, type Socket as TcpSocket } from "node:net";
import { isIP } from "node:net";
import type { EventBatch } from "../decode/batch.js";
import type { Decoder } from "../decode/decoder.js";
import type { DecodeOptions } from "../decode/log/options.js";
import { InputStats } from "../decode/stats.js";
import { decodeExport, type ExportContext } from "../decode/flow/netflow.js";
import { createFlowRecordBatch } from "../decode/flow/records.js";
import { TemplateCache } from "../decode/flow/templates.js";
import { FlowPairer } from "../flow/flow-pairing.js";
import { FindingTable } from "../match/aggregate.js";
import { findingSink, type CheckSetup } from "../pipeline/check.js";
import { decoderFor, detectFormat } from "../pipeline/formats.js";
import type { InputResult } from "../pipeline/run.js";
import { prepareReport, type PreparedReport } from "../report/build.js";
import type { FailOn } from "../report/fail-on.js";
import { InputError } from "../errors.js";
import { SyslogFramer } from "./framing.js";

export interface ListenAddress {
  host: string;
  port: number;
}

export interface CollectorOptions {
  setup: CheckSetup;
  decode: DecodeOptions;
  failOn: FailOn[];
  netflow?: ListenAddress;
  syslog?: ListenAddress;
  /** Largest syslog message kept (bytes). */
  maxMessage: number;
  /** TCP syslog senders at once. */
  maxConnections: number;
  /** A TCP sender silent for this long is closed (ms). */
  idleMs: number;
  /** How long a flow record waits for its reverse direction (ms of arrival time). */
  pairWindowMs: number;
}

export interface BoundPorts {
  netflow?: number;
  syslogUdp?: number;
  syslogTcp?: number;
}

export const DEFAULT_MAX_MESSAGE = 64 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 64;

const NEWLINE = Buffer.from("\n");

/** "udp://127.0.0.1:2055", "tcp://[::1]:514". */
function url(proto: string, a: ListenAddress): string {
  return `${proto}://${isIP(a.host) === 6 ? `[${a.host}]` : a.host}:${a.port}`;
}

export class Collector {
  private readonly table = new FindingTable();
  private readonly sink: (batch: EventBatch, inputIdx: number) => void;
  readonly inputs: InputResult[] = [];
  private readonly decoders = new Map<string, { decoder: Decoder; idx: number }>();
  private netflowIdx = -1;
  private syslogIdx = -1;
  private readonly pairer: FlowPairer;
  private readonly records = createFlowRecordBatch(1024);
  private readonly templates = new TemplateCache();
  private exportBytes = 0;
  private messages = 0;
  private udp: Socket[] = [];
  private tcp: Server | undefined;
  private readonly connections = new Set<TcpSocket>();
  private bound: BoundPorts = {};

  constructor(private readonly o: CollectorOptions) {
    this.sink = findingSink(o.setup.matcher, this.table);
    this.pairer = new FlowPairer(o.pairWindowMs);
  }

  private addInput(path: string, format: string, stats = new InputStats()): number {
    this.inputs.push({ path, format, compressed: false, stats });
    return this.inputs.length - 1;
  }

  /** Bind every listener; a port already in use is an InputError naming it. */
  async start(): Promise<void> {
    if (this.o.netflow) {
      this.netflowIdx = this.addInput("", "netflow");
      const s = await this.bindUdp(this.o.netflow, (msg, from) => this.exportDatagram(msg, from));
      this.udp.push(s);
      // The input is named by the port actually bound (a listener given port 0 gets one from the system).
      this.inputs[this.netflowIdx]!.path = url("udp", { host: this.o.netflow.host, port: s.address().port });
    }
    if (this.o.syslog) {
      this.udp.push(await this.bindUdp(this.o.syslog, (msg) => this.syslogDatagram(msg)));
      this.tcp = await this.listenTcp(this.o.syslog);
    }
    this.bound = this.boundPorts();
  }

  private bindUdp(a: ListenAddress, onMessage: (msg: Buffer, from: string) => void): Promise<Socket> {
    const s = createSocket({ type: isIP(a.host) === 6 ? "udp6" : "udp4" });
    return new Promise((resolve, reject) => {
      s.once("error", (e: NodeJS.ErrnoException) => reject(listenError("udp", a, e)));
      s.on("message", (msg, rinfo) => onMessage(msg, rinfo.address));
      s.bind(a.port, a.host, () => {
        s.removeAllListeners("error");
        // A receive error on a bound socket (ICMP feedback on some systems) loses nothing of ours.
        s.on("error", () => undefined);
        resolve(s);
      });
    });
  }

  private listenTcp(a: ListenAddress): Promise<Server> {
    const server = createServer((c) => this.tcpConnection(c));
    return new Promise((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) => reject(listenError("tcp", a, e)));
      server.listen(a.port, a.host, () => {
        server.removeAllListeners("error");
        server.on("error", () => undefined);
        resolve(server);
      });
    });
  }

  // ---- NetFlow / IPFIX ---------------------------------------------------------------------------

  private exportDatagram(msg: Buffer, from: string): void {
    const stats = this.inputs[this.netflowIdx]!.stats;
    const ctx: ExportContext = { out: this.records, stats, cache: this.templates, makeRoom: () => this.flushRecords() };
    // Positions are byte offsets in the stream of datagrams received, as a capture of them would give.
    decodeExport(msg, 0, msg.length, from, this.exportBytes, ctx);
    this.exportBytes += msg.length;
    this.flushRecords();
  }

  private readonly emitConnections = (b: EventBatch) => this.sink(b, this.netflowIdx);

  private flushRecords(): void {
    const b = this.records.batch;
    if (b.length === 0) return;
    this.pairer.add(b, this.records.extras, this.emitConnections, Date.now());
    b.length = 0;
  }

  // ---- syslog ------------------------------------------------------------------------------------

  /**
   * The listener's own accounting: messages no format decoder took (unknown format, too long, framing
   * damage) and refused connections, as skipped records. An input of its own in the report, made when the
   * first such thing happens (a listener whose every message went to a format has nothing to say here).
   */
  private listenerStats(): InputStats {
    if (this.syslogIdx < 0) this.syslogIdx = this.addInput(this.syslogName(), "syslog");
    return this.inputs[this.syslogIdx]!.stats;
  }

  private syslogDatagram(msg: Buffer): void {
    if (msg.length > this.o.maxMessage) { this.messages++; this.listenerStats().skip("message-too-long", this.messages); return; }
    // RFC 5426 section 3.1: one message per datagram; a trailing line feed is no part of it.
    let end = msg.length;
    while (end > 0 && (msg[end - 1] === 10 || msg[end - 1] === 13 || msg[end - 1] === 0)) end--;
    this.message(msg.subarray(0, end), "udp-messages");
  }

  private tcpConnection(c: TcpSocket): void {
    this.messages++;
    if (this.connections.size >= this.o.maxConnections) {
      // Refused whole: counted as one record, so that what was not read is never silent.
      this.listenerStats().skip("connection-refused", this.messages);
      c.destroy();
      return;
    }
    this.messages--;
    this.connections.add(c);
    const framer = new SyslogFramer({
      message: (m) => this.message(m, "tcp-messages"),
      dropped: (reason) => { this.messages++; this.listenerStats().skip(reason, this.messages); },
    }, this.o.maxMessage);
    c.setTimeout(this.o.idleMs, () => c.destroy());
    c.on("data", (chunk: Buffer) => framer.push(chunk));
    c.on("error", () => undefined);
    c.on("close", () => {
      framer.end();
      this.connections.delete(c);
    });
  }

  /** One syslog message: its format detected from its own text, then the decoder `check` uses for it. */
  private message(m: Buffer, via: "udp-messages" | "tcp-messages"): void {
    this.messages++;
    if (m.length === 0) return;
    const format = detectFormat(m, this.o.decode.flowExportPorts);
    const decoder = format === undefined ? undefined : this.decoders.get(format) ?? this.formatInput(format);
    if (decoder === undefined) {
      this.listenerStats().skip("unknown-format", this.messages, m.toString("utf8", 0, Math.min(m.length, 200)));
      return;
    }
    const d = decoder;
    d.decoder.stats.note(via);
    const idx = d.idx;
    // Each message is one line of that format; the line decoders keep no partial line between calls.
    d.decoder.push(Buffer.concat([m, NEWLINE]), (b) => this.sink(b, idx));
  }

  /** The decoder and report input of a format seen on the syslog listener for the first time. */
  private formatInput(format: string): { decoder: Decoder; idx: number } | undefined {
    const decoder = decoderFor(format, this.o.decode, `syslog ${format}`);
    if (decoder === undefined) return undefined;
    const d = { decoder, idx: this.addInput(`${this.syslogName()} (${format})`, format, decoder.stats) };
    this.decoders.set(format, d);
    return d;
  }

  // ---- reports -----------------------------------------------------------------------------------

  /**
   * Everything decoded so far, as a report: the line decoders hand over what they hold (their `end`
   * only flushes: every message was a whole line), and flow records that waited longer than the
   * pairing window become connections. `final` also pairs what is still waiting.
   */
  report(final: boolean, now = new Date()): PreparedReport {
    // A syslog listener that has heard nothing is an input with no record, as an empty file is for check.
    if (this.o.syslog && this.decoders.size === 0) this.listenerStats();
    for (const { decoder, idx } of this.decoders.values()) decoder.end((b) => this.sink(b, idx));
    if (this.netflowIdx >= 0) {
      if (final) this.pairer.expire(this.emitConnections, true);
      else this.pairer.advance(Date.now(), this.emitConnections);
    }
    return prepareReport({
      table: this.table, matcher: this.o.setup.matcher, ruleset: this.o.setup.ruleset, activeRules: this.o.setup.rules,
      scenarios: this.o.setup.scenarios, documentedOnly: this.o.setup.documentedOnly, inventory: this.o.setup.inventory,
      inputs: this.inputs, failOn: this.o.failOn, now,
    });
  }

  /** Stop listening; what was received stays for the final report. */
  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await Promise.all(this.udp.map((s) => new Promise<void>((res) => s.close(() => res()))));
    if (this.tcp) await new Promise<void>((res) => this.tcp!.close(() => res()));
  }

  /** The syslog listener as the report names it: both sockets, with the ports actually bound. */
  private syslogName(): string {
    const host = this.o.syslog!.host;
    const p = this.ports();
    return `${url("udp", { host, port: p.syslogUdp ?? this.o.syslog!.port })} ${url("tcp", { host, port: p.syslogTcp ?? this.o.syslog!.port })}`;
  }

  /** The ports actually bound (for a listener given port 0), as `start` found them. */
  ports(): BoundPorts {
    return this.bound;
  }

  private boundPorts(): BoundPorts {
    const out: BoundPorts = {};
    let k = 0;
    if (this.o.netflow) out.netflow = this.udp[k++]!.address().port;
    if (this.o.syslog) {
      out.syslogUdp = this.udp[k]!.address().port;
      const a = this.tcp?.address();
      if (a && typeof a === "object") out.syslogTcp = a.port;
    }
    return out;
  }
}

function listenError(proto: string, a: ListenAddress, e: NodeJS.ErrnoException): InputError {
  const why = e.code === "EADDRINUSE" ? "the port is in use (another collector, syslog daemon or nfcapd?)" :
    e.code === "EACCES" ? "permission denied (ports below 1024 need privileges)" :
    e.code === "EADDRNOTAVAIL" ? "this machine has no such address" : (e.code ?? e.message);
  return new InputError(`cannot listen on ${url(proto, a)}: ${why}`);
}
