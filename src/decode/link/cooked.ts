import type { EventBatch } from "../batch.js";
import { u16, u32 } from "../ip/bytes.js";
import { SKIP_TRUNCATED_LINK } from "../ip/skip.js";
import { decodeEthertype } from "./ethernet.js";

/**
 * Linux cooked capture v1 (LINKTYPE_LINUX_SLL 113, `tcpdump -i any` before libpcap 1.10): 16 bytes,
 * protocol (an EtherType for the usual ARPHRD types) at 14.
 */
export function decodeSll(buf: Uint8Array, off: number, end: number, b: EventBatch, i: number): number {
  if (end - off < 16) return SKIP_TRUNCATED_LINK;
  return decodeEthertype(buf, off + 16, end, u16(buf, off + 14), b, i);
}

/**
 * Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 276): 20 bytes, protocol first, then the interface
 * index (bytes 4..7), which tells the interfaces of a `tcpdump -i any` capture apart.
 */
export function decodeSll2(buf: Uint8Array, off: number, end: number, b: EventBatch, i: number): number {
  if (end - off < 20) return SKIP_TRUNCATED_LINK;
  b.iface[i] = (b.iface[i]! & 0xffff) | ((u32(buf, off + 4) & 0x7fff) << 16);
  return decodeEthertype(buf, off + 20, end, u16(buf, off), b, i);
}
