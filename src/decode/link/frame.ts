import type { EventBatch } from "../batch.js";
import { decodeIp } from "../ip/ip.js";
import { SKIP_LINK_TYPE } from "../ip/skip.js";
import { decodeSll, decodeSll2 } from "./cooked.js";
import { decodeEthernet } from "./ethernet.js";
import { decodeLoop, decodeNull } from "./loopback.js";

/** Link-layer header types (LINKTYPE_* values as stored in pcap and pcapng files). */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW's value in old files: 12 on most systems, 14 on OpenBSD; LINKTYPE_RAW is 101. */
export const LINKTYPE_RAW_12 = 12;
export const LINKTYPE_RAW_14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

/**
 * Decode one captured frame, `buf[off, end)`, of link type `linkType` into slot `i` of `b` (which the
 * caller reserved and stamped with time and position). Returns 0 (DECODED) when the slot holds an
 * event to commit, else a skip code for `skipReason`. Allocates nothing.
 */
export function decodeFrame(buf: Uint8Array, off: number, end: number, linkType: number, b: EventBatch, i: number): number {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return decodeEthernet(buf, off, end, b, i);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_12:
    case LINKTYPE_RAW_14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return decodeIp(buf, off, end, b, i);
    case LINKTYPE_LINUX_SLL:
      return decodeSll(buf, off, end, b, i);
    case LINKTYPE_LINUX_SLL2:
      return decodeSll2(buf, off, end, b, i);
    case LINKTYPE_NULL:
      return decodeNull(buf, off, end, b, i);
    case LINKTYPE_LOOP:
      return decodeLoop(buf, off, end, b, i);
    default:
      return SKIP_LINK_TYPE + linkType;
  }
}
