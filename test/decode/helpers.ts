import type { EventBatch } from "../../src/decode/batch.js";
import type { Decoder } from "../../src/decode/decoder.js";

/** One event of a batch as a plain object, for assertions. Addresses as text, fields as numbers. */
export interface EventObject {
  family: number;
  src: string;
  dst: string;
  proto: number;
  srcPort: number;
  dstPort: number;
  icmpType: number;
  icmpCode: number;
  tcpFlags: number;
  action: number;
  time: number;
  position: number;
  label: string | undefined;
  count: number;
  payloadLength: number;
  innerProto: number;
  innerSrc: string;
  innerDst: string;
  innerSrcPort: number;
  innerDstPort: number;
}

/** IPv4 dotted quad from word 0, or IPv6 text (RFC 5952: lower case, longest zero run as "::"). */
export function formatAddress(words: Uint32Array, w: number, family: number): string {
  if (family === 4) {
    const a = words[w]!;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }
  if (family !== 6) return "";
  const groups: number[] = [];
  for (let k = 0; k < 4; k++) {
    const x = words[w + k]!;
    groups.push(x >>> 16, x & 0xffff);
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let s = 0; s < 8; ) {
    if (groups[s] !== 0) {
      s++;
      continue;
    }
    let e = s;
    while (e < 8 && groups[e] === 0) e++;
    if (e - s > bestLen && e - s >= 2) {
      bestStart = s;
      bestLen = e - s;
    }
    s = e;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export function eventToObject(b: EventBatch, i: number): EventObject {
  const w = i * 4;
  const family = b.family[i]!;
  return {
    family,
    src: formatAddress(b.src, w, family),
    dst: formatAddress(b.dst, w, family),
    proto: b.proto[i]!,
    srcPort: b.srcPort[i]!,
    dstPort: b.dstPort[i]!,
    icmpType: b.icmpType[i]!,
    icmpCode: b.icmpCode[i]!,
    tcpFlags: b.tcpFlags[i]!,
    action: b.action[i]!,
    time: b.time[i]!,
    position: b.position[i]!,
    label: b.labels.get(b.label[i]!),
    count: b.count[i]!,
    payloadLength: b.payloadLength[i]!,
    innerProto: b.innerProto[i]!,
    innerSrc: b.innerProto[i] === 0 ? "" : formatAddress(b.innerSrc, w, family),
    innerDst: b.innerProto[i] === 0 ? "" : formatAddress(b.innerDst, w, family),
    innerSrcPort: b.innerSrcPort[i]!,
    innerDstPort: b.innerDstPort[i]!,
  };
}

export interface DecodeRun {
  events: EventObject[];
  /** How many times `emit` was called, and with how many events each time. */
  batchSizes: number[];
  /** What push or end threw, if anything. */
  error: unknown;
}

/**
 * Feed `data` to a decoder in chunks of `chunkSize` bytes (the whole input when omitted), then end
 * it; collect every emitted event. The decoder reuses its batch, so events are copied out at once.
 */
export function runDecoder(decoder: Decoder, data: Uint8Array, chunkSize?: number): DecodeRun {
  const events: EventObject[] = [];
  const batchSizes: number[] = [];
  const emit = (b: EventBatch): void => {
    batchSizes.push(b.length);
    for (let i = 0; i < b.length; i++) events.push(eventToObject(b, i));
  };
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const step = chunkSize ?? Math.max(buf.length, 1);
  let error: unknown = undefined;
  try {
    for (let off = 0; off < buf.length; off += step) decoder.push(buf.subarray(off, Math.min(off + step, buf.length)), emit);
    decoder.end(emit);
  } catch (e) {
    error = e;
  }
  return { events, batchSizes, error };
}

/** The chunk sizes every binary fixture is fed in (undefined: whole). */
export const CHUNK_SIZES: readonly (number | undefined)[] = [1, 2, 3, 7, 64, 4096, undefined];
