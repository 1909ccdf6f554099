import type { EventBatch } from "../batch.js";
import { u16 } from "../ip/bytes.js";
import { decodeIp } from "../ip/ip.js";
import { SKIP_ETHERTYPE, SKIP_LLC, SKIP_TRUNCATED_LINK } from "../ip/skip.js";

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** IEEE 802.1Q C-tag, 802.1ad S-tag, and the pre-standard QinQ outer tags (0x9100, 0x9200). */
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_QINQ_OLD = 0x9100;
export const ETHERTYPE_QINQ_OLD2 = 0x9200;

/** An Ethernet II / 802.3 frame at `off` (DLT_EN10MB), captured bytes up to `end`. */
export function decodeEthernet(buf: Uint8Array, off: number, end: number, b: EventBatch, i: number): number {
  if (end - off < 14) return SKIP_TRUNCATED_LINK;
  return decodeEthertype(buf, off + 14, end, u16(buf, off + 12), b, i);
}

/**
 * What follows an EtherType field: VLAN tags (any depth; each one moves 4 bytes on, so the loop
 * ends), 802.3 LLC/SNAP, or the network layer. Shared by Ethernet and the Linux cooked headers.
 */
export function decodeEthertype(buf: Uint8Array, off: number, end: number, type: number, b: EventBatch, i: number): number {
  for (;;) {
    if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return decodeIp(buf, off, end, b, i);
    if (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD || type === ETHERTYPE_QINQ_OLD2) {
      // Tag: 2 bytes TCI, then the next EtherType (IEEE 802.1Q section 9.6).
      if (end - off < 4) return SKIP_TRUNCATED_LINK;
      type = u16(buf, off + 2);
      off += 4;
      continue;
    }
    if (type < 0x0600) {
      // An 802.3 length: LLC follows. SNAP with OUI 0 carries an EtherType (RFC 1042).
      if (
        end - off >= 8 &&
        buf[off] === 0xaa && buf[off + 1] === 0xaa && buf[off + 2] === 0x03 &&
        buf[off + 3] === 0 && buf[off + 4] === 0 && buf[off + 5] === 0
      ) {
        type = u16(buf, off + 6);
        off += 8;
        if (type < 0x0600) return SKIP_LLC;
        continue;
      }
      return SKIP_LLC;
    }
    return SKIP_ETHERTYPE + type;
  }
}
