/** One row per finding, for spreadsheets; cells that would start a formula are neutralised. */
import type { Report } from "./types.js";
import { csvCell } from "./escape.js";

const COLUMNS = [
  "verdict", "action", "src", "src_name", "src_role", "dst", "dst_name", "dst_role", "protocol", "port", "icmp_type",
  "services", "rule", "rule_requirement", "rule_source", "count", "first_seen", "last_seen", "evidence", "example",
] as const;

export function renderCsv(r: Report): string {
  const out = [COLUMNS.join(",")];
  for (const f of r.findings) {
    const example = f.example.line !== undefined ? `${f.example.input}:${f.example.line}` : `${f.example.input}@${f.example.offset}`;
    const row: (string | number | null)[] = [
      f.verdict, f.action, f.src, f.srcName, f.srcRole, f.dst, f.dstName, f.dstRole, f.protocol, f.port, f.icmpType,
      f.services.join(" "), f.rule, f.ruleRequirement, f.ruleSource, f.count, f.firstSeen, f.lastSeen, f.evidence.join("; "), example,
    ];
    out.push(row.map(csvCell).join(","));
  }
  return out.join("\r\n") + "\r\n";
}
