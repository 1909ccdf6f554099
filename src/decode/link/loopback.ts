import type { EventBatch } from "../batch.js";
import { u32, u32le } from "../ip/bytes.js";
import { decodeIp } from "../ip/ip.js";
import { SKIP_LOOPBACK_AF, SKIP_TRUNCATED_LINK } from "../ip/skip.js";

/** AF_INET everywhere; AF_INET6 is 24 on NetBSD/OpenBSD/BSD/OS, 28 on FreeBSD/DragonFly, 30 on Darwin. */
function isIpFamily(af: number): boolean {
  return af === 2 || af === 24 || af === 28 || af === 30;
}

/**
 * BSD loopback (LINKTYPE_NULL 0): a 4-byte AF in the byte order of the capturing host, which need
 * not be the file's. AF values are small, so the smaller of the two readings is the right one.
 */
export function decodeNull(buf: Uint8Array, off: number, end: number, b: EventBatch, i: number): number {
  if (end - off < 4) return SKIP_TRUNCATED_LINK;
  const le = u32le(buf, off);
  const be = u32(buf, off);
  const af = le < be ? le : be;
  return isIpFamily(af) ? decodeIp(buf, off + 4, end, b, i) : SKIP_LOOPBACK_AF + af;
}

/** OpenBSD loopback (LINKTYPE_LOOP 108): the same 4-byte AF, always in network byte order. */
export function decodeLoop(buf: Uint8Array, off: number, end: number, b: EventBatch, i: number): number {
  if (end - off < 4) return SKIP_TRUNCATED_LINK;
  const af = u32(buf, off);
  return isIpFamily(af) ? decodeIp(buf, off + 4, end, b, i) : SKIP_LOOPBACK_AF + af;
}
