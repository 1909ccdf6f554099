import { formatRanges } from "../model/ports.js";
import type { Rule, Ruleset, Service } from "../model/ruleset.js";
import { protocolName } from "../net/proto.js";
import { csvCell, escapeMarkdown as mdCell } from "./escape.js";

/** A ruleset rendered as the document's table: one row per rule. */
export interface RuleRow {
  rule: string;
  from: string;
  to: string;
  protocols: string;
  services: string;
  sourcePorts: string;
  scenarios: string;
  requirement: string;
  purpose: string;
  source: string;
  inferred: string;
}

export function describeFlows(rule: Rule): string {
  return rule.flows
    .map((f) => {
      const p = protocolName(f.proto);
      if (p === "icmp" || p === "icmpv6") {
        const all = f.ranges.length === 1 && f.ranges[0]![0] === 0 && f.ranges[0]![1] === 255;
        return all ? p : `${p} type ${formatRanges(f.ranges)}`;
      }
      return `${p} ${formatRanges(f.ranges)}`;
    })
    .join("; ");
}

export function describeService(s: Service): string {
  return s.ports.map((f) => `${protocolName(f.proto)} ${formatRanges(f.ranges)}`).join("; ");
}

export function ruleRows(rs: Ruleset, rules: readonly Rule[]): RuleRow[] {
  return rules.map((r) => ({
    rule: r.id,
    from: r.from,
    to: r.to,
    protocols: describeFlows(r),
    services: r.services.join(", "),
    sourcePorts: r.sourcePorts ? formatRanges(r.sourcePorts) : "any",
    scenarios: r.scenarios.join(", "),
    requirement: r.requirement === "conditional" ? `conditional: ${r.condition ?? ""}` : "required",
    purpose: r.purpose,
    source: r.source,
    inferred: r.inferred ? `inferred: ${r.inferredReason ?? ""}` : r.mirrorOf ? `mirrors ${r.mirrorOf}` : "",
  }));
  void rs;
}

const COLUMNS: [keyof RuleRow, string][] = [
  ["rule", "rule"], ["from", "from"], ["to", "to"], ["protocols", "protocol / ports"], ["sourcePorts", "client ports"],
  ["scenarios", "scenarios"], ["requirement", "requirement"], ["purpose", "purpose"], ["source", "source"], ["inferred", "inferred"],
];


export function rulesMarkdown(rs: Ruleset, rows: RuleRow[]): string {
  const out: string[] = [];
  out.push(`# ${mdCell(rs.title)} (\`${rs.id}\`)`, "");
  out.push(`Source: ${mdCell(rs.provenance.document)}${rs.provenance.seed ? ` (seed ${mdCell(rs.provenance.seed)})` : ""}`, "");
  out.push(`| ${COLUMNS.map((c) => c[1]).join(" | ")} |`);
  out.push(`|${COLUMNS.map(() => "---").join("|")}|`);
  for (const r of rows) out.push(`| ${COLUMNS.map(([k]) => mdCell(r[k])).join(" | ")} |`);
  const vars = rs.variables;
  if (vars.length > 0) {
    out.push("", "Variables:", "");
    for (const v of vars) out.push(`- \`${v.name}\` = ${mdCell(String(v.value))} (${v.origin}): ${mdCell(v.description)}`);
  }
  return out.join("\n") + "\n";
}


export function rulesCsv(rows: RuleRow[]): string {
  const out = [COLUMNS.map(([k]) => k).join(",")];
  for (const r of rows) out.push(COLUMNS.map(([k]) => csvCell(r[k])).join(","));
  return out.join("\n") + "\n";
}

/** A terminal table: the columns a person scans, long text wrapped off. */
export function rulesTable(rs: Ruleset, rows: RuleRow[], width = 160, documentedOnly = false): string {
  const cols: [keyof RuleRow, string, number][] = [
    ["rule", "RULE", 30], ["from", "FROM", 18], ["to", "TO", 18], ["protocols", "PROTOCOL / PORTS", 34], ["scenarios", "SCENARIOS", 20], ["requirement", "REQ", 11],
  ];
  const cut = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + "…" : s.padEnd(n));
  const out: string[] = [`${rs.title} (${rs.id}), ${rows.length} rules${documentedOnly ? " stated by the document (--documented-only: inferred rules left out)" : ""}`];
  out.push(cols.map(([, h, w]) => cut(h, w)).join(" "));
  for (const r of rows) {
    const cells = cols.map(([k, , w]) => cut(k === "requirement" ? (r.requirement.startsWith("cond") ? "conditional" : "required") + (r.inferred.startsWith("inferred") ? "*" : "") : r[k], w));
    out.push(cells.join(" ").slice(0, width).trimEnd());
  }
  out.push("", "* inferred: not stated by the document's text (see --format md for the reason)");
  return out.join("\n") + "\n";
}
