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

/**
 * `text` cut into lines of at most `width` characters: after spaces, commas, semicolons, hyphens and
 * slashes where it can (so a port list or a rule id wraps between its parts), inside a word only when
 * the word alone is wider than the column. Nothing is dropped.
 */
export function wrapCell(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const tokens = text.split(/(?<=[ ,;/-])/);
  const lines: string[] = [];
  let cur = "";
  const flush = () => {
    if (cur.trimEnd() !== "" || lines.length === 0) lines.push(cur.trimEnd());
    cur = "";
  };
  for (let t of tokens) {
    if ((cur + t).trimEnd().length <= w) { cur += t; continue; }
    if (cur !== "") flush();
    t = t.trimStart();
    while (t.trimEnd().length > w) {
      lines.push(t.slice(0, w));
      t = t.slice(w);
    }
    cur = t;
  }
  if (cur !== "" || lines.length === 0) flush();
  return lines;
}

/** The width a column cannot go below: its header, and its longest word up to 12 (longer words break). */
function minWidth(header: string, cells: readonly string[]): number {
  let longest = 0;
  for (const c of cells) for (const word of c.split(/(?<=[ ,;/-])/)) longest = Math.max(longest, word.trimEnd().length);
  return Math.max(header.length, Math.min(longest, 12));
}

/**
 * Column widths that fit `width`: each column as wide as its widest cell when that fits; otherwise the
 * column widest for its weight gives way, one character at a time, never below its minimum (then the
 * table is wider than asked, and still whole). A heavier column keeps more of its width.
 */
export function fitColumns(natural: readonly number[], min: readonly number[], width: number, gap: number, weight: readonly number[] = []): number[] {
  const w = [...natural];
  let total = w.reduce((a, b) => a + b, 0) + gap * (w.length - 1);
  while (total > width) {
    let k = -1;
    for (let j = 0; j < w.length; j++) {
      if (w[j]! <= min[j]!) continue;
      if (k < 0 || w[j]! / (weight[j] ?? 1) > w[k]! / (weight[k] ?? 1)) k = j;
    }
    if (k < 0) break;
    w[k]!--;
    total--;
  }
  return w;
}

/**
 * A terminal table of the columns a person scans, `width` characters wide: long cells (rule ids, port
 * lists, scenarios) wrap inside their column, nothing is cut. `*` marks an inferred rule.
 */
export function rulesTable(rs: Ruleset, rows: RuleRow[], width = 100, documentedOnly = false): string {
  const cols: [string, (r: RuleRow) => string][] = [
    ["RULE", (r) => r.rule], ["FROM", (r) => r.from], ["TO", (r) => r.to], ["PORTS", (r) => r.protocols],
    ["SCENARIOS", (r) => r.scenarios],
    ["REQ", (r) => (r.requirement.startsWith("cond") ? "conditional" : "required") + (r.inferred.startsWith("inferred") ? "*" : "")],
  ];
  const cells = rows.map((r) => cols.map(([, get]) => get(r)));
  const natural = cols.map(([h], j) => Math.max(h.length, ...cells.map((c) => c[j]!.length)));
  const min = cols.map(([h], j) => minWidth(h, cells.map((c) => c[j]!)));
  // Rule ids and port lists are what a person scans for: they keep more room than roles and scenarios.
  const widths = fitColumns(natural, min, width, 1, [1.6, 1, 1, 1.4, 0.8, 1]);
  const line = (parts: readonly string[]) => parts.map((p, j) => p.padEnd(widths[j]!)).join(" ").trimEnd();
  const out: string[] = wrapCell(`${rs.title} (${rs.id}), ${rows.length} rules${documentedOnly ? " stated by the document (--documented-only: inferred rules left out)" : ""}`, width);
  out.push(line(cols.map(([h]) => h)));
  for (const c of cells) {
    const wrapped = c.map((text, j) => wrapCell(text, widths[j]!));
    const height = Math.max(...wrapped.map((l) => l.length));
    for (let k = 0; k < height; k++) out.push(line(wrapped.map((l) => l[k] ?? "")));
  }
  out.push("", ...wrapCell("* inferred: not stated by the document's text (see --format md for the reason)", width));
  return out.join("\n") + "\n";
}
