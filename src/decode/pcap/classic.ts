import { InputError, type Where } from "../../errors.js";
import { u16, u16le, u32, u32le } from "../ip/bytes.js";
import { InputStats } from "../stats.js";
import { Framer } from "./framer.js";
import { BatchWriter, type CaptureDecoder, type CaptureDecoderOptions, type PacketSink } from "./packets.js";
import type { FormatRecord } from "../format.js";
import { createWasmPcapDecoder, pcapDecoderKind } from "./wasm.js";

/**
 * Classic libpcap savefiles (draft-ietf-opsawg-pcap section 4): a 24-byte file header, then records
 * of a 16-byte header and `incl_len` captured bytes. Either byte order, microsecond or nanosecond
 * timestamps.
 *
 * Damage policy (the same for pcapng): a record whose `incl_len` is absurd cannot be stepped over,
 * because nothing says where the next record starts. It is counted as one skip "bad-record-length"
 * at its offset, reading stops there (`stoppedAt`), and every record before it has been emitted.
 * A file cut inside a record gives one skip "truncated-record" at end(). Only an input that is not
 * a pcap file at all (bad magic, unknown version, a header cut short) throws an InputError here; after
 * either skip the pipeline reports the input as not read to its end (`cutReasons` below, exit 2).
 */

export const PCAP_FILE_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
/**
 * The largest `incl_len` believed: libpcap's MAXIMUM_SNAPLEN (256 KiB), or the file's snaplen when
 * that is larger (up to PCAP_MAX_RECORD_CAP). Not "snaplen plus slack": real files carry records
 * longer than their snaplen (smb_print_trans-oobr1.pcap: snaplen 143, a 210-byte record), and
 * libpcap and Wireshark read them.
 */
export const PCAP_MAX_RECORD = 262144;
export const PCAP_MAX_RECORD_CAP = 16 * 1024 * 1024;

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;
const MAGIC_PCAPNG = 0x0a0d0d0a;

/** What the file header says. */
export interface PcapFileHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  /** LINKTYPE_* (the low 16 bits of the header's link-type field; the upper bits hold FCS info). */
  linkType: number;
}

function where(file: string | undefined, offset: number): Where {
  const w: Where = { offset };
  if (file !== undefined) w.file = file;
  return w;
}

/** The record layer of a classic pcap file: packets go to a PacketSink. */
export class PcapReader extends Framer {
  header: PcapFileHeader | undefined = undefined;
  private le = true;
  /** Divisor taking the sub-second field to milliseconds: 1e3 for microseconds, 1e6 for nanoseconds. */
  private fractionPerMs = 1000;
  private linkType = 0;
  private maxRecord = PCAP_MAX_RECORD;
  private finished = false;
  /** Packet records met so far: the next record is frame `frames + 1`, as Wireshark numbers them. */
  private frames = 0;

  constructor(
    private readonly sink: PacketSink,
    private readonly file?: string,
  ) {
    super();
  }

  push(chunk: Buffer): void {
    this.feed(chunk);
  }

  /** The input is over: a partial record left is counted as "truncated-record". */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.stoppedAt !== undefined || this.pendingLength === 0) return;
    if (this.header === undefined) {
      throw truncatedHeaderError(this.pendingLength, this.file);
    }
    this.sink.skip("truncated-record", this.pendingPosition);
  }

  protected prefixLength(): number {
    return this.header === undefined ? PCAP_FILE_HEADER_LENGTH : PCAP_RECORD_HEADER_LENGTH;
  }

  protected unitLength(buf: Buffer, off: number, position: number): number {
    if (this.header === undefined) return PCAP_FILE_HEADER_LENGTH;
    const incl = this.le ? u32le(buf, off + 8) : u32(buf, off + 8);
    if (incl > this.maxRecord) {
      this.sink.skip("bad-record-length", position);
      return -1;
    }
    return PCAP_RECORD_HEADER_LENGTH + incl;
  }

  protected unit(buf: Buffer, off: number, end: number, position: number): void {
    if (this.header === undefined) {
      this.readFileHeader(buf, off);
      return;
    }
    const le = this.le;
    const sec = le ? u32le(buf, off) : u32(buf, off);
    const frac = le ? u32le(buf, off + 4) : u32(buf, off + 4);
    const orig = le ? u32le(buf, off + 12) : u32(buf, off + 12);
    // A sub-second field beyond its range (timestamp_invalid_nano.pcap) carries into the seconds.
    const time = sec * 1000 + frac / this.fractionPerMs;
    this.sink.packet(buf, off + PCAP_RECORD_HEADER_LENGTH, end, orig, this.linkType, time, position, 0, position + PCAP_RECORD_HEADER_LENGTH, ++this.frames);
  }

  private readFileHeader(buf: Buffer, off: number): void {
    const h = readPcapFileHeader(buf, off, this.file);
    this.le = h.littleEndian;
    this.fractionPerMs = h.nanosecond ? 1e6 : 1e3;
    this.linkType = h.linkType;
    this.maxRecord = pcapMaxRecord(h.snaplen);
    this.header = h;
  }
}

/** The largest incl_len believed for a file of this snaplen (see PCAP_MAX_RECORD). */
export function pcapMaxRecord(snaplen: number): number {
  return snaplen > PCAP_MAX_RECORD ? Math.min(snaplen, PCAP_MAX_RECORD_CAP) : PCAP_MAX_RECORD;
}

/** The 24-byte file header at `off`; an InputError when the input is no pcap file this reads. */
export function readPcapFileHeader(buf: Buffer, off: number, file: string | undefined): PcapFileHeader {
  const be = u32(buf, off);
  const le = u32le(buf, off);
  let littleEndian: boolean;
  let nanosecond: boolean;
  if (be === MAGIC_USEC || be === MAGIC_NSEC) {
    littleEndian = false;
    nanosecond = be === MAGIC_NSEC;
  } else if (le === MAGIC_USEC || le === MAGIC_NSEC) {
    littleEndian = true;
    nanosecond = le === MAGIC_NSEC;
  } else {
    const hint = be === MAGIC_PCAPNG ? " (this is a pcapng file)" : "";
    throw new InputError(
      `not a pcap file: magic 0x${be.toString(16).padStart(8, "0")}${hint}; expected a1b2c3d4 or a1b23c4d in either byte order`,
      where(file, off),
    );
  }
  const versionMajor = littleEndian ? u16le(buf, off + 4) : u16(buf, off + 4);
  const versionMinor = littleEndian ? u16le(buf, off + 6) : u16(buf, off + 6);
  if (versionMajor !== 2) {
    throw new InputError(`unsupported pcap version ${versionMajor}.${versionMinor}; expected 2.4`, where(file, off + 4));
  }
  const snaplen = littleEndian ? u32le(buf, off + 16) : u32(buf, off + 16);
  const network = littleEndian ? u32le(buf, off + 20) : u32(buf, off + 20);
  return { littleEndian, nanosecond, versionMajor, versionMinor, snaplen, linkType: network & 0xffff };
}

/** The error of a file that ends inside its header (classic.ts finish). */
export function truncatedHeaderError(have: number, file: string | undefined): InputError {
  return new InputError(`truncated pcap file header: ${have} of ${PCAP_FILE_HEADER_LENGTH} bytes`, where(file, 0));
}

/**
 * A push-style decoder of a classic pcap file into EventBatches (see Decoder). `file` names the
 * input in errors.
 */
export function createPcapDecoder(file?: string, options: CaptureDecoderOptions = {}): CaptureDecoder {
  const stats = new InputStats();
  const writer = new BatchWriter(stats, options.batchCapacity);
  const reader = new PcapReader(writer, file);
  return {
    format: "pcap",
    stats,
    get stoppedAt() {
      return reader.stoppedAt;
    },
    push(chunk, emit) {
      stats.bytes += chunk.length;
      writer.emit = emit;
      reader.push(chunk);
    },
    end(emit) {
      writer.emit = emit;
      reader.finish();
      writer.flush();
    },
  };
}

/** A classic pcap file header: magic a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds), either byte order. */
export function isPcapHead(head: Buffer): boolean {
  if (head.length < 4) return false;
  const m = head.readUInt32LE(0);
  return m === MAGIC_USEC || m === 0xd4c3b2a1 || m === MAGIC_NSEC || m === 0x4d3cb2a1;
}

export const pcapFormat: FormatRecord = {
  name: "pcap",
  stage: "packets",
  sniffHead: isPcapHead,
  // The WebAssembly decoder when it was built (wasm.ts); this file's decoder is the reference and the fallback.
  create: (_o, file) => (pcapDecoderKind() === "wasm" ? createWasmPcapDecoder(file) : createPcapDecoder(file)),
  cutReasons: {
    "bad-record-length": "a record header gives a captured length beyond any capture's, so where the next record starts is lost and nothing after it can be read: the records before it were checked, whatever the capture held after it was not",
    "truncated-record": "the file ends inside a record (cut short while written or copied?): the records before it were checked, whatever the capture held after it was not",
  },
  doc: { detectedBy: "magic `a1b2c3d4` / `a1b23c4d`, either byte order", notes: "tcpdump, Wireshark: microsecond and nanosecond, any snaplen, records cut by snaplen; read as connections with an inferred outcome" },
};
