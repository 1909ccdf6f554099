/** `check`'s options for SQL engines and partial results (argument parsing, and handing over). */
import { Command, Option } from "commander";
import { ExitCode, type Io } from "./common.js";
import { writeReport } from "./output.js";
import { addSourceOptions, planFrom, sourceOptionsFrom, type SourceFlags } from "./engine-options.js";
import type { EngineName, EngineOptions } from "../engine/run.js";
import type { CheckSetup } from "../pipeline/check.js";
import type { FindingTable } from "../match/aggregate.js";
import type { InputResult } from "../pipeline/run.js";
import { UsageError } from "../errors.js";

export interface EngineCheckFlags extends SourceFlags {
  engine?: string;
  engineUrl?: string;
  partial?: string;
  format?: string;
  output?: string[];
}

/** (Spelled here: the engine machinery is loaded only when a run asks for it, not at start-up.) */
const ENGINES: readonly EngineName[] = ["duckdb", "clickhouse"];

export function engineCheckOptions(): Option[] {
  const tmp = addSourceOptions(new Command());
  return [
    new Option("--engine <engine>", "run the matrix inside a SQL engine that reads the inputs itself (Parquet, CSV/TSV, NDJSON, VPC and Zeek logs, globs, table:NAME)").choices([...ENGINES]),
    new Option("--engine-url <url>", "DuckDB: a database file; ClickHouse: http(s)://user:password@host:8123 (default: chDB, embedded)"),
    ...tmp.options.map((o) => {
      // Engine-only options say so in --help.
      o.description = `(--engine) ${o.description}`;
      return o;
    }),
    new Option("--partial <file>", "write a mergeable partial result (findings, input accounting, ruleset and inventory) for `portmatrix merge` instead of a report"),
  ];
}

export async function runCheckEngine(setup: CheckSetup, inputs: string[], f: EngineCheckFlags): Promise<{ table: FindingTable; results: InputResult[] }> {
  const o: EngineOptions = { engine: f.engine as EngineName, plan: planFrom(f), source: sourceOptionsFrom(f) };
  if (f.engineUrl !== undefined) o.url = f.engineUrl;
  const { runEngine } = await import("../engine/run.js");
  return runEngine(setup, inputs, o);
}

/**
 * Write the partial result and end: the verdict is the merge's to give. Exit 2 when an input could not
 * be read (the part records it), else 0.
 */
export async function writePartial(io: Io, path: string, setup: CheckSetup, table: FindingTable, results: readonly InputResult[]): Promise<never> {
  checkPartialName(path);
  const { partialBytes } = await import("../pipeline/partial.js");
  await writeReport(path, [partialBytes(setup, table, results)]);
  let failed = false;
  for (const r of results) if (r.error !== undefined) { io.stderr(`portmatrix: ${r.error}\n`); failed = true; }
  io.stderr(`portmatrix: partial result ${path}: ${results.length} inputs, ${table.size} findings\n`);
  throw new ExitCode(failed ? 2 : 0);
}

/** Before any input is read: --partial takes a part's name, and no report options. */
export function checkPartialFlags(f: EngineCheckFlags): void {
  if (f.partial === undefined) return;
  if ((f.output ?? []).length > 0 || f.format !== undefined) {
    throw new UsageError("--partial writes a partial result, not a report: drop --output and --format, and give them to `portmatrix merge`");
  }
  checkPartialName(f.partial);
}

function checkPartialName(path: string): void {
  if (/\.(json|html|md|csv|xml|sarif|txt)$/i.test(path)) {
    throw new UsageError(`--partial ${path}: a partial result is not a report; name it e.g. ${path.replace(/\.[^.]+$/, "")}.part`);
  }
}
