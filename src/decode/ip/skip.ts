/**
 * Why a captured frame did not become an event. The frame decoders return a number (0 for "event
 * written") so that the hot path builds no string; `skipReason` turns a code into the reason string
 * counted in InputStats, computing each distinct string once.
 *
 * Codes 1..255 are fixed reasons; the ranges above carry a number from the input, which becomes a
 * label (an unknown code is a label, not an error): `ip-proto-<n>`, `ethertype-<name|0xhhhh>`,
 * `link-type-<name|n>`, `loopback-af-<n>`.
 */

export const DECODED = 0;

/** The frame ends inside its link-layer header (Ethernet, VLAN tag, SLL, loopback AF). */
export const SKIP_TRUNCATED_LINK = 1;
/** 802.3 frame with an LLC header that is not SNAP-encapsulated IP (STP, IPX, NetBIOS...). */
export const SKIP_LLC = 2;
/** The frame ends inside the IP header or an IPv6 extension header. */
export const SKIP_TRUNCATED_IP = 3;
/** IP version nibble neither 4 nor 6. */
export const SKIP_IP_BAD_VERSION = 4;
/** IPv4 IHL below 5 words, or a total length shorter than the header (RFC 791 section 3.1). */
export const SKIP_IP_BAD_HEADER_LENGTH = 5;
/** A non-first fragment (IPv4 fragment offset or IPv6 fragment header offset not 0): no ports, no new flow. */
export const SKIP_IP_FRAGMENT = 6;
/** IPv6 next header 59: nothing follows (RFC 8200 section 4.7). */
export const SKIP_IP_NO_NEXT_HEADER = 7;
/** The frame (or the IP datagram by its own length) ends before the ports or the ICMP type/code. */
export const SKIP_TRUNCATED_L4 = 8;

const FIXED: readonly string[] = [
  "",
  "truncated-link",
  "ethertype-llc",
  "truncated-ip",
  "ip-bad-version",
  "ip-bad-header-length",
  "ip-fragment",
  "ip-no-next-header",
  "truncated-l4",
];

/** `SKIP_IP_PROTO + n`: an IP protocol the matcher has no use for (GRE, ESP, OSPF, tunnels...). */
export const SKIP_IP_PROTO = 0x100;
/** `SKIP_ETHERTYPE + t`: a non-IP EtherType (ARP, LLDP...). */
export const SKIP_ETHERTYPE = 0x10000;
/** `SKIP_LINK_TYPE + n`: a pcap/pcapng link type (LINKTYPE_*) this decoder does not read. */
export const SKIP_LINK_TYPE = 0x100000;
/** `SKIP_LOOPBACK_AF + af`: a BSD loopback address family other than IPv4/IPv6. */
export const SKIP_LOOPBACK_AF = 0x200000000;

/** Names of EtherTypes (IEEE registry) seen on real links; others are labelled by their hex value. */
const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0806, "arp"],
  [0x0842, "wake-on-lan"],
  [0x22f0, "avtp"],
  [0x8035, "rarp"],
  [0x809b, "appletalk"],
  [0x80f3, "aarp"],
  [0x8137, "ipx"],
  [0x8808, "ethernet-flow-control"],
  [0x8809, "slow-protocols"],
  [0x8847, "mpls"],
  [0x8848, "mpls-multicast"],
  [0x8863, "pppoe-discovery"],
  [0x8864, "pppoe-session"],
  [0x888e, "eapol"],
  [0x8892, "profinet"],
  [0x88a4, "ethercat"],
  [0x88cc, "lldp"],
  [0x88e5, "macsec"],
  [0x88f7, "ptp"],
  [0x8902, "cfm"],
  [0x893a, "ieee1905"],
  [0x9000, "loopback"],
]);

/** LINKTYPE_* names (tcpdump.org link-layer header types), lower case with "-" for "_". */
const LINK_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "null"],
  [1, "ethernet"],
  [3, "ax25"],
  [6, "ieee802-5"],
  [7, "arcnet-bsd"],
  [8, "slip"],
  [9, "ppp"],
  [10, "fddi"],
  [50, "ppp-hdlc"],
  [51, "ppp-ether"],
  [100, "atm-rfc1483"],
  [101, "raw"],
  [104, "c-hdlc"],
  [105, "ieee802-11"],
  [107, "frelay"],
  [108, "loop"],
  [113, "linux-sll"],
  [114, "ltalk"],
  [117, "pflog"],
  [119, "ieee802-11-prism"],
  [122, "ip-over-fc"],
  [123, "sunatm"],
  [127, "ieee802-11-radiotap"],
  [129, "arcnet-linux"],
  [138, "apple-ip-over-ieee1394"],
  [139, "mtp2-with-phdr"],
  [143, "docsis"],
  [163, "ieee802-11-avs"],
  [187, "bluetooth-hci-h4"],
  [189, "usb-linux"],
  [192, "ppi"],
  [195, "ieee802-15-4-withfcs"],
  [197, "erf"],
  [201, "bluetooth-hci-h4-with-phdr"],
  [204, "ppp-with-dir"],
  [220, "usb-linux-mmapped"],
  [227, "can-socketcan"],
  [228, "ipv4"],
  [229, "ipv6"],
  [230, "ieee802-15-4-nofcs"],
  [239, "nflog"],
  [240, "netanalyzer"],
  [249, "usbpcap"],
  [251, "bluetooth-le-ll"],
  [253, "netlink"],
  [254, "bluetooth-linux-monitor"],
  [276, "linux-sll2"],
]);

function hex4(n: number): string {
  return "0x" + n.toString(16).padStart(4, "0");
}

function computeReason(code: number): string {
  if (code >= SKIP_LOOPBACK_AF) return `loopback-af-${code - SKIP_LOOPBACK_AF}`;
  if (code >= SKIP_LINK_TYPE) {
    const n = code - SKIP_LINK_TYPE;
    if (n >= 147 && n <= 162) return `link-type-user${n - 147}`;
    return `link-type-${LINK_TYPE_NAMES.get(n) ?? String(n)}`;
  }
  if (code >= SKIP_ETHERTYPE) {
    const t = code - SKIP_ETHERTYPE;
    return `ethertype-${ETHERTYPE_NAMES.get(t) ?? hex4(t)}`;
  }
  if (code >= SKIP_IP_PROTO) return `ip-proto-${code - SKIP_IP_PROTO}`;
  const s = FIXED[code];
  return s !== undefined && s !== "" ? s : `skip-${code}`;
}

const cache = new Map<number, string>();

/** The reason string for a skip code; each distinct string is built once. */
export function skipReason(code: number): string {
  let s = cache.get(code);
  if (s === undefined) {
    s = computeReason(code);
    cache.set(code, s);
  }
  return s;
}

/** The `link-type-...` reason for a link type, as a frame of that type would be counted. */
export function linkTypeReason(linkType: number): string {
  return skipReason(SKIP_LINK_TYPE + linkType);
}
