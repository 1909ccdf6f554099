import { InputError, type Where } from "../../errors.js";
import { u16, u16le, u32, u32le } from "../ip/bytes.js";
import { Framer } from "../pcap/framer.js";
import { BatchWriter, type CaptureDecoder, type CaptureDecoderOptions, type PacketSink } from "../pcap/packets.js";
import { InputStats } from "../stats.js";
import type { FormatRecord } from "../format.js";

/**
 * pcapng (draft-ietf-opsawg-pcapng): blocks of `type, total length, body, total length`. Each
 * Section Header Block starts a section with its own byte order and its own interfaces; packets
 * come in Enhanced (EPB), Simple (SPB) and obsolete Packet Blocks (PB); every other block is
 * stepped over by its length.
 *
 * Damage policy, as for classic pcap: a block total length that is not a multiple of 4, is below
 * its type's minimum, above PCAPNG_MAX_BLOCK, or differs from the trailing copy leaves no way to
 * find the next block. It is one skip "bad-block-length" at the block's offset, reading stops
 * (`stoppedAt`), and everything before it has been emitted. Damage inside a packet block whose
 * length is sound is a skip and reading goes on ("bad-captured-length", "unknown-interface").
 * A later section header with a bad byte-order magic or version: "bad-section-header", stop. An
 * input whose first block is not a sound section header throws an InputError. After a skip that stops
 * reading, or a file cut inside a block, the pipeline reports the input as not read to its end
 * (`cutReasons` of pcapngFormat, exit 2).
 */

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 1;
export const BLOCK_PB = 2;
export const BLOCK_SPB = 3;
export const BLOCK_EPB = 6;
/** Blocks that are no packet but that Wireshark lists as frames of their own, so they take a frame number. */
const BLOCK_SYSTEMD_JOURNAL = 9;
const BLOCK_CUSTOM = 0x00000bad;
const BLOCK_CUSTOM_NO_COPY = 0x40000bad;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Wireshark's limit on one block (wiretap MAX_BLOCK_SIZE). */
export const PCAPNG_MAX_BLOCK = 16 * 1024 * 1024;
/** type, length, byte-order magic: enough to learn any block's length, the SHB's included. */
const PREFIX = 12;

const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

function minLength(type: number): number {
  switch (type) {
    case BLOCK_SHB: return 28;
    case BLOCK_IDB: return 20;
    case BLOCK_PB: return 32;
    case BLOCK_SPB: return 16;
    case BLOCK_EPB: return 32;
    default: return 12;
  }
}

function isShb(buf: Buffer, off: number): boolean {
  return buf[off] === 0x0a && buf[off + 1] === 0x0d && buf[off + 2] === 0x0d && buf[off + 3] === 0x0a;
}

/** Byte order from an SHB's byte-order magic at `off`: true little, false big, undefined neither. */
function byteOrder(buf: Buffer, off: number): boolean | undefined {
  const le = u32le(buf, off);
  if (le === BYTE_ORDER_MAGIC) return true;
  if (u32(buf, off) === BYTE_ORDER_MAGIC) return false;
  return undefined;
}

function where(file: string | undefined, offset: number): Where {
  const w: Where = { offset };
  if (file !== undefined) w.file = file;
  return w;
}

/** One interface of the current section (Interface Description Block). */
export interface PcapngInterface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second from if_tsresol (default 10^6). */
  unitsPerSecond: number;
  /** if_tsoffset: seconds added to every timestamp. */
  offsetSeconds: number;
}

/** The block layer of a pcapng file: packets go to a PacketSink. */
export class PcapngReader extends Framer {
  /** Interfaces of the current section, in IDB order (their index is the EPB interface id). */
  readonly interfaces: PcapngInterface[] = [];
  sections = 0;
  private le = true;
  private finished = false;
  /**
   * Frames met so far, in every section, as Wireshark numbers them: packet blocks (EPB, PB, SPB), and
   * the custom and systemd journal blocks it also lists as frames. The next packet is frame `frames + 1`.
   */
  private frames = 0;
  // Per-interface timestamp conversion, parallel to `interfaces`, kept flat for the packet path.
  private exact: boolean[] = [];
  private unitsPerMs: number[] = [];
  private msPerUnit: number[] = [];
  /** Per interface: the count at which the second of the last packet began, and that second (see toMs). */
  private secStart: number[] = [];
  private secOf: number[] = [];

  constructor(
    private readonly sink: PacketSink,
    private readonly file?: string,
  ) {
    super();
  }

  push(chunk: Buffer): void {
    this.feed(chunk);
  }

  /** The input is over: a partial block left is counted as "truncated-record". */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.stoppedAt !== undefined || this.pendingLength === 0) return;
    if (this.sections === 0) {
      throw new InputError(`truncated pcapng section header: the input ends after ${this.pendingLength} bytes`, where(this.file, 0));
    }
    this.sink.skip("truncated-record", this.pendingPosition);
  }

  protected prefixLength(): number {
    return PREFIX;
  }

  protected unitLength(buf: Buffer, off: number, position: number): number {
    let le = this.le;
    let type: number;
    if (isShb(buf, off)) {
      type = BLOCK_SHB;
      const order = byteOrder(buf, off + 8);
      if (order === undefined) {
        if (this.sections === 0) {
          throw new InputError(`not a pcapng file: bad byte-order magic 0x${u32(buf, off + 8).toString(16).padStart(8, "0")}; expected 1a2b3c4d`, where(this.file, position + 8));
        }
        this.sink.skip("bad-section-header", position);
        return -1;
      }
      le = order;
    } else {
      if (this.sections === 0) {
        throw new InputError(
          `not a pcapng file: block type 0x${u32(buf, off).toString(16).padStart(8, "0")} where a section header block (0a0d0d0a) must start`,
          where(this.file, position),
        );
      }
      type = le ? u32le(buf, off) : u32(buf, off);
    }
    const len = le ? u32le(buf, off + 4) : u32(buf, off + 4);
    if (len % 4 !== 0 || len < minLength(type) || len > PCAPNG_MAX_BLOCK) {
      this.sink.skip("bad-block-length", position);
      return -1;
    }
    return len;
  }

  protected unit(buf: Buffer, off: number, end: number, position: number): void {
    const shb = isShb(buf, off);
    const le = shb ? byteOrder(buf, off + 8) === true : this.le;
    const len = end - off;
    const trailing = le ? u32le(buf, end - 4) : u32(buf, end - 4);
    if (trailing !== len) {
      this.sink.skip("bad-block-length", position);
      this.stop(position);
      return;
    }
    if (shb) {
      this.sectionHeader(buf, off, le, position);
      return;
    }
    switch (le ? u32le(buf, off) : u32(buf, off)) {
      case BLOCK_IDB:
        this.interfaceDescription(buf, off, end);
        return;
      case BLOCK_EPB:
        this.enhancedPacket(buf, off, end, position, false);
        return;
      case BLOCK_PB:
        this.enhancedPacket(buf, off, end, position, true);
        return;
      case BLOCK_SPB:
        this.simplePacket(buf, off, end, position);
        return;
      case BLOCK_SYSTEMD_JOURNAL:
      case BLOCK_CUSTOM:
      case BLOCK_CUSTOM_NO_COPY:
        // Nothing for the matcher, but Wireshark (wiretap/pcapng.c) shows each as a frame.
        this.frames++;
        return;
      default:
        // NRB, ISB, DSB and unknown blocks: nothing for the matcher, and no frame.
        return;
    }
  }

  private sectionHeader(buf: Buffer, off: number, le: boolean, position: number): void {
    const major = le ? u16le(buf, off + 12) : u16(buf, off + 12);
    const minor = le ? u16le(buf, off + 14) : u16(buf, off + 14);
    if (major !== 1) {
      if (this.sections === 0) {
        throw new InputError(`unsupported pcapng version ${major}.${minor}; expected 1.0`, where(this.file, position + 12));
      }
      this.sink.skip("bad-section-header", position);
      this.stop(position);
      return;
    }
    this.le = le;
    this.sections++;
    this.interfaces.length = 0;
    this.exact.length = 0;
    this.unitsPerMs.length = 0;
    this.msPerUnit.length = 0;
    this.secStart.length = 0;
    this.secOf.length = 0;
  }

  private interfaceDescription(buf: Buffer, off: number, end: number): void {
    const le = this.le;
    const linkType = le ? u16le(buf, off + 8) : u16(buf, off + 8);
    const snaplen = le ? u32le(buf, off + 12) : u32(buf, off + 12);
    let unitsPerSecond = 1e6;
    let offsetSeconds = 0;
    // Options (section 3.5): code, length, value padded to 4; a malformed option ends the list.
    const optEnd = end - 4;
    let o = off + 16;
    while (optEnd - o >= 4) {
      const code = le ? u16le(buf, o) : u16(buf, o);
      const olen = le ? u16le(buf, o + 2) : u16(buf, o + 2);
      if (code === OPT_ENDOFOPT) break;
      const v = o + 4;
      if (olen > optEnd - v) break;
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        // MSB clear: 10^-n seconds; set: 2^-n seconds (section 4.2, if_tsresol).
        const r = buf[v]!;
        unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        // A signed 64-bit count of seconds.
        const hi = le ? u32le(buf, v + 4) | 0 : u32(buf, v) | 0;
        const lo = le ? u32le(buf, v) : u32(buf, v + 4);
        offsetSeconds = hi * 4294967296 + lo;
      }
      o = v + ((olen + 3) & ~3);
    }
    this.interfaces.push({ linkType, snaplen, unitsPerSecond, offsetSeconds });
    this.exact.push(Number.isInteger(unitsPerSecond) && unitsPerSecond <= 4294967296);
    this.unitsPerMs.push(unitsPerSecond % 1000 === 0 ? unitsPerSecond / 1000 : 0);
    this.msPerUnit.push(1000 / unitsPerSecond);
    this.secStart.push(NaN);
    this.secOf.push(NaN);
  }

  /** EPB (type 6) or the obsolete PB (type 2, 16-bit interface id): identical from offset 12 on. */
  private enhancedPacket(buf: Buffer, off: number, end: number, position: number, obsolete: boolean): void {
    const frame = ++this.frames;
    const le = this.le;
    const iface = obsolete ? (le ? u16le(buf, off + 8) : u16(buf, off + 8)) : le ? u32le(buf, off + 8) : u32(buf, off + 8);
    const hi = le ? u32le(buf, off + 12) : u32(buf, off + 12);
    const lo = le ? u32le(buf, off + 16) : u32(buf, off + 16);
    const cap = le ? u32le(buf, off + 20) : u32(buf, off + 20);
    const orig = le ? u32le(buf, off + 24) : u32(buf, off + 24);
    if (cap > end - off - 32) {
      this.sink.skip("bad-captured-length", position);
      return;
    }
    const desc = this.interfaces[iface];
    if (desc === undefined) {
      this.sink.skip("unknown-interface", position);
      return;
    }
    const time = this.toMs(iface, hi, lo, desc.unitsPerSecond, desc.offsetSeconds);
    // Interface ids restart in every section: the section number keeps two sections' interfaces apart.
    this.sink.packet(buf, off + 28, off + 28 + cap, orig, desc.linkType, time, position, ((this.sections & 0xff) << 8 | (iface & 0xff)) & 0xffff, position + 28, frame);
  }

  /** SPB (type 3): interface 0, no timestamp; captured length is the smaller of the block and the snaplen. */
  private simplePacket(buf: Buffer, off: number, end: number, position: number): void {
    const frame = ++this.frames;
    const desc = this.interfaces[0];
    if (desc === undefined) {
      this.sink.skip("unknown-interface", position);
      return;
    }
    const orig = this.le ? u32le(buf, off + 8) : u32(buf, off + 8);
    let cap = end - off - 16;
    if (orig < cap) cap = orig;
    if (desc.snaplen !== 0 && desc.snaplen < cap) cap = desc.snaplen;
    this.sink.packet(buf, off + 12, off + 12 + cap, orig, desc.linkType, NaN, position, ((this.sections & 0xff) << 8) & 0xffff, position + 12, frame);
  }

  /**
   * Milliseconds since the epoch for a 64-bit timestamp `hi:lo` in the interface's units. For
   * resolutions up to 2^32 units a second (all of 10^0..10^9 and 2^0..2^32) the count is divided
   * into whole seconds and a remainder exactly (16-bit limbs keep every step below 2^49), so a
   * nanosecond stamp loses no more than the final double can hold, as in classic pcap.
   */
  private toMs(iface: number, hi: number, lo: number, units: number, offsetSeconds: number): number {
    if (!this.exact[iface]) return (hi * 4294967296 + lo) * this.msPerUnit[iface]! + offsetSeconds * 1000;
    if (hi < 0x200000) {
      // The count is below 2^53, so it and every step here are exact doubles: the quotient from a
      // division corrected by one either way, and the same seconds and remainder as the limbs below.
      const total = hi * 4294967296 + lo;
      // Packets come many to a second: most fall in the second of the one before, found by a
      // subtraction instead of a division.
      let rem = total - this.secStart[iface]!;
      let sec: number;
      if (rem >= 0 && rem < units) sec = this.secOf[iface]!;
      else {
        sec = Math.floor(total / units);
        rem = total - sec * units;
        if (rem < 0) { sec--; rem += units; } else if (rem >= units) { sec++; rem -= units; }
        this.secStart[iface] = total - rem;
        this.secOf[iface] = sec;
      }
      const pms = this.unitsPerMs[iface]!;
      return (sec + offsetSeconds) * 1000 + (pms !== 0 ? rem / pms : rem * this.msPerUnit[iface]!);
    }
    let r = hi >>> 16;
    const q3 = Math.floor(r / units);
    r -= q3 * units;
    r = r * 65536 + (hi & 0xffff);
    const q2 = Math.floor(r / units);
    r -= q2 * units;
    r = r * 65536 + (lo >>> 16);
    const q1 = Math.floor(r / units);
    r -= q1 * units;
    r = r * 65536 + (lo & 0xffff);
    const q0 = Math.floor(r / units);
    r -= q0 * units;
    const sec = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0;
    const perMs = this.unitsPerMs[iface]!;
    return (sec + offsetSeconds) * 1000 + (perMs !== 0 ? r / perMs : r * this.msPerUnit[iface]!);
  }
}

/** A push-style decoder of a pcapng file into EventBatches (see Decoder). */
export function createPcapngDecoder(file?: string, options: CaptureDecoderOptions = {}): CaptureDecoder {
  const stats = new InputStats();
  const writer = new BatchWriter(stats, options.batchCapacity);
  const reader = new PcapngReader(writer, file);
  return {
    format: "pcapng",
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

/** A pcapng Section Header Block (block type 0x0a0d0d0a, the same in both byte orders). */
export function isPcapngHead(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === 0x0a0d0d0a;
}

export const pcapngFormat: FormatRecord = {
  name: "pcapng",
  stage: "packets",
  sniffHead: isPcapngHead,
  create: (_o, file) => createPcapngDecoder(file),
  cutReasons: {
    "bad-block-length": "a block's total length is not sound (not a multiple of 4, too small or too large for its type, or unlike its trailing copy), so where the next block starts is lost and nothing after it can be read: the records before it were checked, whatever the capture held after it was not",
    "bad-section-header": "a later section header has a bad byte-order magic or version, so nothing after it can be read: the records before it were checked, whatever the capture held after it was not",
    "truncated-record": "the file ends inside a block (cut short while written or copied?): the records before it were checked, whatever the capture held after it was not",
  },
  doc: { detectedBy: "Section Header Block", notes: "dumpcap, Wireshark, pktmon: several sections and interfaces, each with its link type and `if_tsresol`; read as connections" },
};
