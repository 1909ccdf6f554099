/**
 * Which format an input is in, from its first bytes (never from its name).
 * Binary captures by magic number; text logs by their first meaningful lines.
 */

export const TEXT_FORMATS = ["netfilter", "windows-firewall", "csv"] as const;
export const CAPTURE_FORMATS = ["pcap", "pcapng"] as const;
export const FORMATS = [...CAPTURE_FORMATS, ...TEXT_FORMATS] as const;
export type Format = (typeof FORMATS)[number];

const MAX_LINES = 50;

export function detectFormat(head: Buffer): Format | undefined {
  if (head.length >= 4) {
    const m = head.readUInt32LE(0);
    // pcap: a1b2c3d4 (usec) / a1b23c4d (nsec), either byte order. pcapng: Section Header Block 0x0a0d0d0a.
    if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return "pcap";
    if (m === 0x0a0d0d0a) return "pcapng";
  }
  // Text: reject data with NUL bytes in the head (binary of an unknown kind).
  const n = Math.min(head.length, 64 * 1024);
  let nul = 0;
  for (let i = 0; i < n; i++) if (head[i] === 0) nul++;
  if (nul > 0) return undefined;
  const text = head.toString("utf8", 0, n);
  const lines = text.split("\n").slice(0, MAX_LINES).map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== "");
  if (lines.length === 0) return undefined;
  if (lines.some((l) => /^#Fields:\s+date\s+time\s+action/i.test(l) || /^#Software:\s+Microsoft Windows Firewall/i.test(l))) {
    return "windows-firewall";
  }
  let nf = 0;
  for (const l of lines) if (/(^|[\s\]:])IN=\S*\s+OUT=/.test(l) && / SRC=\S+ DST=\S+/.test(l)) nf++;
  if (nf > 0 && nf * 4 >= lines.length) return "netfilter";
  const header = lines.find((l) => !l.startsWith("#"));
  if (header && header.includes(",")) {
    const names = header.split(",").map((s) => s.replace(/^"|"$/g, "").toLowerCase().replace(/[^a-z0-9]/g, ""));
    const has = (alts: string[]) => names.some((x) => alts.includes(x));
    if (has(["src", "srcip", "source", "sourceip", "sourceaddress", "srcaddr", "saddr", "from", "client", "clientip"]) &&
        has(["dst", "dstip", "dest", "destination", "destinationip", "destinationaddress", "dstaddr", "daddr", "to", "server", "serverip", "destip"])) {
      return "csv";
    }
  }
  return undefined;
}

/** A file's start that matches no format: say what it looks like, for the error message. */
export function describeHead(head: Buffer): string {
  if (head.length === 0) return "the file is empty";
  if (head.length >= 4) {
    const hex = head.subarray(0, 4).toString("hex");
    const printable = head.subarray(0, 32).every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128);
    if (!printable) return `it starts with bytes ${hex}`;
  }
  const first = head.toString("utf8", 0, Math.min(head.length, 200)).split("\n")[0] ?? "";
  return `its first line is "${first.slice(0, 80)}"`;
}
