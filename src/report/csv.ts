/** One row per finding (`count`: the flows it stands for), for spreadsheets; cells that would start a formula are neutralised. */
import type { Finding, Report } from "./types.js";
import { csvCell } from "./escape.js";
import { exampleWhere } from "./example.js";

const COLUMNS = [
  "verdict", "action", "blocked_by", "src", "src_name", "src_role", "dst", "dst_name", "dst_role", "protocol", "port", "icmp_type",
  "services", "rule", "rule_requirement", "rule_source", "rule_inferred", "rule_inferred_reason", "count", "first_seen", "last_seen", "evidence", "example",
  // With --baseline: new, changed or unchanged, and for a changed finding the verdicts it had (empty without a baseline).
  "baseline", "baseline_before",
] as const;

export function renderCsv(r: Report): string {
  return [...csvChunks(r)].join("");
}

/**
 * The same text in pieces of about `chunkChars` characters, each ending with a whole row: a report of
 * hundreds of thousands of findings is written without its whole text in memory at once. `findings`
 * (each once, in report order) stand for `r.findings` when given: then no array of them is needed.
 */
export function* csvChunks(r: Report, findings: Iterable<Finding> = r.findings, chunkChars = 1 << 20): Generator<string> {
  let rows = [COLUMNS.join(",")];
  let size = 0;
  for (const f of findings) {
    const example = exampleWhere(f.example);
    const row: (string | number | null)[] = [
      f.verdict, f.action, f.blockedBy ?? null, f.src, f.srcName, f.srcRole, f.dst, f.dstName, f.dstRole, f.protocol, f.port, f.icmpType,
      f.services.join(" "), f.rule, f.ruleRequirement, f.ruleSource, f.ruleInferred === null || f.ruleInferred === undefined ? null : String(f.ruleInferred),
      f.ruleInferredReason ?? null, f.count, f.firstSeen, f.lastSeen, f.evidence.join("; "), example,
      f.baseline ?? null, f.baselineBefore?.join("; ") ?? null,
    ];
    const line = row.map(csvCell).join(",");
    rows.push(line);
    size += line.length + 2;
    if (size >= chunkChars) {
      yield rows.join("\r\n") + "\r\n";
      rows = [];
      size = 0;
    }
  }
  if (rows.length > 0) yield rows.join("\r\n") + "\r\n";
}
