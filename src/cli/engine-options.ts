/**
 * The options `check --engine` and `sql` share (argument parsing only): which mapping, column
 * overrides, time range and partition filters, the role-lookup plan.
 */
import { Command, Option } from "commander";
import { collectRaw } from "./common.js";
import { UsageError } from "../errors.js";
import { MAPPINGS, parseColumnOverrides } from "../engine/schema.js";
import type { SourceOptions } from "../engine/sources.js";
import type { Plan } from "../engine/query.js";

export interface SourceFlags {
  mapping?: string;
  columns?: string[];
  since?: string;
  until?: string;
  where?: string[];
  plan?: string;
}

export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option("--mapping <id>", `how the source's columns map to flows: ${MAPPINGS.map((m) => m.id).join(", ")}, or auto (by the columns)`)
    .option("--columns <field=sql>", "a canonical field from an expression over the source's columns, e.g. --columns src=source_address (repeatable)", collectRaw)
    .option("--since <time>", "only records at or after this time (ISO 8601); pushed down to the engine")
    .option("--until <time>", "only records before this time (ISO 8601); pushed down to the engine")
    .option("--where <sql>", "a filter over the source's own columns, e.g. partitions: --where \"year = '2026'\" (repeatable)", collectRaw)
    .addOption(new Option("--plan <plan>", "address lookup in SQL: a CASE tree, a range (ASOF) join, one equi-join per prefix length").choices(["auto", "case", "asof", "joins"]));
}

function timeArg(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(ms)) throw new UsageError(`${flag} ${v}: expected an ISO 8601 time, e.g. 2026-11-01 or 2026-11-01T00:00:00Z`);
  return ms;
}

export function sourceOptionsFrom(f: SourceFlags, defaultMapping = "auto"): SourceOptions {
  const o: SourceOptions = { mapping: f.mapping ?? defaultMapping, columns: parseColumnOverrides(f.columns ?? []), where: f.where ?? [] };
  const from = timeArg("--since", f.since);
  const to = timeArg("--until", f.until);
  if (from !== undefined) o.fromMs = from;
  if (to !== undefined) o.toMs = to;
  if (from !== undefined && to !== undefined && to <= from) throw new UsageError(`--until ${f.until} is not after --since ${f.since}`);
  return o;
}

export function planFrom(f: SourceFlags): Plan | "auto" {
  return (f.plan ?? "auto") as Plan | "auto";
}
