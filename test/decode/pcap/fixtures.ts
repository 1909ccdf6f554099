/**
 * The capture fixtures (fixtures/pcap/, see PROVENANCE.md there), each with what the decoder must
 * count as skipped, and every frame where it knowingly differs from tshark's reading, with why.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { EventObject } from "../helpers.js";

export const FIXTURES = fileURLToPath(new URL("../../../fixtures/pcap/", import.meta.url));

export interface Disagreement {
  why: string;
  /** The decoder makes this event where tshark has none or another. */
  event?: Partial<EventObject>;
  /** The decoder skips the frame with this reason where tshark decodes it. */
  skip?: string;
}

export interface CaptureFixture {
  /** Path under fixtures/pcap/. */
  path: string;
  format: "pcap" | "pcapng";
  /** The decoder's exact skip counts by reason. */
  skipped: Record<string, number>;
  /** Frame number (tshark's) -> how the decoder differs. */
  disagree?: Record<number, Disagreement>;
  /** Frame number -> the time the decoder gives (ms) where tshark prints another. */
  timeDisagree?: Record<number, { why: string; time: number }>;
  /** tshark frame numbers that are no packet record (pcapng custom blocks shown as "data"). */
  notRecords?: number[];
}

const NFLOG = "LINKTYPE_NFLOG is not decoded (the brief: count it as link-type-nflog); tshark decodes its TLVs";

const tcpdump = (name: string, skipped: Record<string, number> = {}, extra: Partial<CaptureFixture> = {}): CaptureFixture => ({
  path: `tcpdump-tests/${name}`,
  format: name.endsWith(".pcapng") ? "pcapng" : "pcap",
  skipped,
  ...extra,
});

export const CAPTURES: CaptureFixture[] = [
  { path: "samba-ad-lab/ad-client.pcap", format: "pcap", skipped: { "ethertype-arp": 2 } },
  { path: "samba-ad-lab/ad-client.pcapng", format: "pcapng", skipped: { "ethertype-arp": 2 } },

  tcpdump("802.1ad_QinQ.pcap", { "ethertype-arp": 2 }),
  tcpdump("LINKTYPE_IPV4.pcap"),
  tcpdump("LINKTYPE_IPV4_invalid.pcap"),
  tcpdump("LINKTYPE_IPV6.pcap"),
  tcpdump("LINKTYPE_IPV6_invalid.pcap", {}, {
    disagree: {
      1: {
        why: "LINKTYPE_IPV6 holding an IPv4 packet: tshark 4.0 decodes nothing, the decoder follows the packet's version nibble (as tshark itself does for the reverse case, LINKTYPE_IPV4_invalid)",
        event: { family: 4, src: "192.168.1.100", dst: "9.9.9.9", proto: 17, srcPort: 12345, dstPort: 53 },
      },
    },
  }),
  tcpdump("LINKTYPE_RAW_ipv4.pcap"),
  tcpdump("LINKTYPE_RAW_ipv6.pcap"),
  tcpdump("bad-ipv4-version-pgm-heapoverflow.pcap", { "truncated-ip": 1 }),
  tcpdump("dns_tcp.pcap"),
  tcpdump("dns_udp-bigendian.pcap"),
  tcpdump("dns_udp.pcap"),
  tcpdump("dns_udp_2.pcap"),
  tcpdump("empty.pcap"),
  tcpdump("heapoverflow-tcp_print.pcap"),
  tcpdump("icmpv6.pcap"),
  tcpdump("ip6_frag_asan.pcap", { "truncated-ip": 1 }),
  tcpdump("ipv4_invalid_hdr_length.pcap", { "ip-bad-header-length": 1 }),
  tcpdump("ipv4_invalid_length.pcap", { "truncated-ip": 1 }),
  tcpdump("ipv4_invalid_total_length.pcap"),
  tcpdump("ipv4_tcp_http_xml.pcap"),
  tcpdump("ipv4_tcp_http_xml_tso.pcap"),
  tcpdump("ipv6-routing-header.pcap"),
  tcpdump("ipv6-srh-ext-header.pcap", { "ip-proto-41": 1 }),
  tcpdump("ipv6_frag6_negative_len.pcap", { "ip-fragment": 1 }),
  tcpdump("ipv6_no_next_header.pcap", { "ip-no-next-header": 1 }),
  tcpdump("loopback.pcap", { "ethertype-loopback": 6 }),
  tcpdump("mptcp-tcprst.pcap"),
  tcpdump("nbns-valgrind.pcap"),
  tcpdump("nflog.pcap", { "link-type-nflog": 4 }, {
    disagree: { 1: { why: NFLOG, skip: "link-type-nflog" }, 2: { why: NFLOG, skip: "link-type-nflog" }, 3: { why: NFLOG, skip: "link-type-nflog" }, 4: { why: NFLOG, skip: "link-type-nflog" } },
  }),
  tcpdump("ntp-time.pcap"),
  tcpdump("ntp.pcap"),
  tcpdump("smb_print_trans-oobr1.pcap", { "ethertype-llc": 4 }),
  tcpdump("tcp-handshake-nano-bigendian.pcap"),
  tcpdump("tcp-handshake-nano.pcap"),
  tcpdump("tcp_header_heapoverflow.pcap"),
  tcpdump("tcp_rst_data-trunc.pcap"),
  tcpdump("tcp_rst_data.pcap"),
  tcpdump("timestamp_invalid_nano.pcap", {}, {
    timeDisagree: {
      3: {
        why: "nanosecond field 0x80000000: tshark prints it as a negative time, the decoder carries 2147483648 ns into the seconds (as it carries 1000000000 ns in frame 2, where tshark agrees)",
        time: 1418145370 * 1000 + 2147.483648,
      },
    },
  }),
  tcpdump("OSPFv2_Capture_FINAL.pcapng", { "ip-proto-89": 30 }),
  tcpdump("dhcp-option-108.pcapng"),
  tcpdump("empty.pcapng"),
  tcpdump("icmp-length-zero.pcapng"),
  tcpdump("icmpv6-length-zero.pcapng", {}, {
    disagree: {
      1: {
        why: "IPv6 payload length 0: tshark 4.0 gives ICMPv6 no bytes; the decoder reads it as the capture's length (jumbogram, Linux BIG TCP/GSO), as tcpdump does and as both do for IPv4 total length 0",
        event: { family: 6, proto: 58, icmpType: 136, icmpCode: 0 },
      },
    },
  }),
  tcpdump("msnlb2.pcapng", { "ethertype-0x886f": 2 }),
  tcpdump("time_2106_overflow.pcapng"),
  tcpdump("time_2107.pcapng"),

  { path: "lab/lo-nano.pcap", format: "pcap", skipped: { "ip-fragment": 4 } },
  { path: "lab/any-sll.pcap", format: "pcap", skipped: { "ip-fragment": 4 } },
  { path: "lab/any-sll2.pcap", format: "pcap", skipped: { "ip-fragment": 4 } },
  { path: "lab/multi.pcapng", format: "pcapng", skipped: { "ip-fragment": 8 } },

  { path: "synthetic/null-le.pcap", format: "pcap", skipped: { "loopback-af-7": 1, "truncated-link": 1 } },
  { path: "synthetic/loop-be.pcap", format: "pcap", skipped: {} },
  { path: "synthetic/raw12.pcap", format: "pcap", skipped: {} },
  { path: "synthetic/raw14.pcap", format: "pcap", skipped: {} },
  {
    path: "synthetic/vlan-be-nano.pcap",
    format: "pcap",
    skipped: { "ethertype-arp": 1, "ethertype-llc": 1, "ip-fragment": 2, "truncated-link": 1 },
  },
  {
    path: "synthetic/sections.pcapng",
    format: "pcapng",
    skipped: { "ethertype-arp": 1, "link-type-nflog": 1 },
    notRecords: [4],
  },
];

export function fixtureBytes(path: string): Buffer {
  return readFileSync(FIXTURES + path);
}
