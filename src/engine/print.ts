/** `portmatrix sql`: the query for a table whose columns are the mapping's documented ones. */
import type { CheckSetup } from "../pipeline/check.js";
import { VERSION } from "../report/build.js";
import { UsageError } from "../errors.js";
import { dialectByName } from "./dialects/index.js";
import { buildQuery, choosePlan, RESULT_COLUMNS, type Plan } from "./query.js";
import { compileTables } from "./tables.js";
import { fieldsWithOverrides, mappingById, mappingContext } from "./schema.js";
import type { SourceOptions } from "./sources.js";

export function printQuery(setup: CheckSetup, dialectName: string, table: string, o: SourceOptions, plan: Plan | "auto"): string {
  const d = dialectByName(dialectName);
  if (!d) throw new UsageError(`--dialect ${dialectName}: unknown`);
  const mapping = mappingById(o.mapping === "auto" ? "canonical" : o.mapping);
  const ctx = mappingContext(d, mapping.schema);
  const fields = fieldsWithOverrides(mapping, ctx, o.columns);
  const where = [...o.where];
  if (o.fromMs !== undefined || o.toMs !== undefined) {
    where.push(...(mapping.timeFilter?.(ctx, o.fromMs, o.toMs) ?? []));
    if (o.fromMs !== undefined) where.push(`${fields.time} >= ${o.fromMs}`);
    if (o.toMs !== undefined) where.push(`${fields.time} < ${o.toMs}`);
  }
  const from = table.split(".").map((p) => d.ident(p)).join(".");
  const tables = compileTables(setup.matcher);
  const sql = buildQuery(d, tables, [{ from, input: d.str(table), pos: "NULL", fields, where, columns: mapping.schema.map((c) => c.name) }], { plan });
  const head = [
    `-- portmatrix ${VERSION}: ruleset ${setup.ruleset.id}, inventory ${setup.inventory.file} (${setup.inventory.entries.length} entries), ` +
      `scenarios ${setup.scenarios.length > 0 ? setup.scenarios.join(",") : "all"}; mapping ${mapping.id}; plan ${choosePlan(d, tables, plan)}.`,
    `-- ${d.note}`,
    "-- Rows: pm_kind 1 = one finding (verdict code, addresses as 64-bit halves, counts, first/last ms, evidence);",
    "-- pm_kind 0 = an input's records used (pm_reason NULL) or skipped for pm_reason. Columns: docs/engines.md.",
    `-- ${RESULT_COLUMNS.join(", ")}`,
  ];
  return `${head.join("\n")}\n${sql};\n`;
}
