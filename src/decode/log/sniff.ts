/**
 * Line sniffers of the first log formats, for content-based detection (the vendor formats carry
 * their own `sniff` in their TextFormatSpec).
 */

/** A netfilter LOG line: "IN=... OUT=..." then "SRC=... DST=...". */
export function sniffNetfilter(line: string): boolean {
  return /IN=\S*\s+OUT=/.test(line) && / SRC=\S+ DST=\S+/.test(line);
}

/** Windows Firewall: its W3C header lines, or a data row "2024-01-02 03:04:05 DROP TCP a b ...". */
export function sniffWindowsFirewall(line: string): boolean {
  return /^#Fields:\s+date\s+time\s+action/i.test(line) || /^#Software:\s+Microsoft Windows Firewall/i.test(line) ||
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (ALLOW|DROP|OPEN|CLOSE|OPEN-INBOUND|INFO-EVENTS-LOST) \S+ \S+ \S+ /.test(line);
}

const SRC_NAMES = ["src", "srcip", "source", "sourceip", "sourceaddress", "srcaddr", "saddr", "from", "client", "clientip"];
const DST_NAMES = ["dst", "dstip", "dest", "destination", "destinationip", "destinationaddress", "dstaddr", "daddr", "to", "server", "serverip", "destip"];

/** A CSV header naming a source and a destination column. */
export function sniffCsvHeader(line: string): boolean {
  if (!line.includes(",")) return false;
  const names = line.split(",").map((s) => s.replace(/^\s*"|"\s*$/g, "").toLowerCase().replace(/[^a-z0-9]/g, ""));
  return names.some((x) => SRC_NAMES.includes(x)) && names.some((x) => DST_NAMES.includes(x));
}
