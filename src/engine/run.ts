/**
 * `check --engine`: the matrix compiled into SQL and run inside the engine that holds the records; the
 * result comes back into the native path's finding table and input accounting.
 */
import type { CheckSetup } from "../pipeline/check.js";
import type { InputResult } from "../pipeline/run.js";
import type { FindingTable } from "../match/aggregate.js";
import { EngineError, UsageError } from "../errors.js";
import { compileTables } from "./tables.js";
import { buildQuery, type Plan } from "./query.js";
import { resolveSources, type ResolvedSource, type SourceOptions } from "./sources.js";
import { ACTION_UNKNOWN } from "../decode/batch.js";
import { V_UNCLASSIFIED } from "../match/matcher.js";
import { collectResults, countHeaders, inputList } from "./results.js";
import type { EngineSession } from "./runners/session.js";
import { InputError } from "../errors.js";
import { openInput } from "../source/inputs.js";

/**
 * DuckDB reads a truncated gzip file to where it breaks and says nothing (measured with DuckDB 1.5):
 * the records after the break would be lost in silence. Every compressed local file the engine read is
 * read through once more by the native source, which checks each member's length and CRC; a damaged one
 * becomes the input's error (exit 2), its records before the break still counted, as on the native path.
 */
async function checkCompressed(results: readonly InputResult[]): Promise<void> {
  for (const r of results) {
    if (!/\.gz$/i.test(r.path) || r.error !== undefined) continue;
    let opened: Awaited<ReturnType<typeof openInput>> | undefined;
    try {
      opened = await openInput(r.path);
      for await (const _chunk of opened.rest) { /* read to the end: the checks run as it is read */ }
    } catch (e) {
      if (e instanceof InputError) r.error = e.message;
      else throw e;
    } finally {
      await opened?.close();
    }
  }
}

/**
 * Flow records without a decision (nfdump's fwd 0) are decided on the native path by pairing both
 * directions of a flow and reading their TCP flags; the query does not pair them, so their flows would
 * all come back inconclusive, and a run whose refused connections (blocked-required on the native
 * path) become inconclusive would end green with nothing decided. Refused instead, in one line naming
 * the inputs and the way that decides them.
 */
function refuseUndecided(sources: readonly ResolvedSource[], table: FindingTable): void {
  const pairing = sources.filter((s) => s.mapping.decidedOnlyByPairing !== undefined);
  if (pairing.length === 0) return;
  let undecided = 0;
  const count = table.count;
  for (let e = 0; e < table.size; e++) {
    const k = table.keyOf(e);
    if (k.action === ACTION_UNKNOWN && k.verdict !== V_UNCLASSIFIED) undecided += count[e]!;
  }
  if (undecided === 0) return;
  const names = pairing.map((s) => s.arg).join(", ");
  throw new EngineError(`${names}: ${undecided} flow record${undecided === 1 ? "" : "s"} with both ends in the inventory carry ${pairing[0]!.mapping.decidedOnlyByPairing}: ` +
    "only the native path decides them, by pairing both directions of each flow and reading their TCP flags; run check without --engine (it reads nfdump's CSV and JSON)");
}

export const ENGINES = ["duckdb", "clickhouse"] as const;
export type EngineName = (typeof ENGINES)[number];

export interface EngineOptions {
  engine: EngineName;
  /** DuckDB: a database file; ClickHouse: a server URL (else chDB, embedded). */
  url?: string;
  plan?: Plan | "auto";
  source: SourceOptions;
  /** Told the query before it runs (--verbose, tests). */
  onQuery?: (sql: string) => void;
}

export async function openEngine(engine: EngineName, url: string | undefined): Promise<EngineSession> {
  if (engine === "duckdb") {
    const { openDuckdb } = await import("./runners/duckdb.js");
    return openDuckdb(url);
  }
  const { openChdb, openClickhouseServer } = await import("./runners/clickhouse.js");
  if (url !== undefined && isServer(engine, url)) return openClickhouseServer(url);
  return openChdb(url);
}

function isServer(engine: EngineName, url: string | undefined): boolean {
  return engine === "clickhouse" && url !== undefined && /^https?:\/\//i.test(url);
}

export async function runEngine(setup: CheckSetup, inputs: readonly string[], o: EngineOptions): Promise<{ table: FindingTable; results: InputResult[] }> {
  if (inputs.length === 0) throw new UsageError("no input given");
  const session = await openEngine(o.engine, o.url);
  try {
    const sources = await resolveSources(session, inputs, o.source);
    const results = inputList(sources);
    const sql = buildQuery(session.dialect, compileTables(setup.matcher), sources.map((s) => s.sql), { plan: o.plan ?? "auto" });
    o.onQuery?.(sql);
    const res = await session.columns(sql);
    const table = collectResults(res, results);
    countHeaders(sources, results);
    refuseUndecided(sources, table);
    // (A server's files are its own: only files this machine read are checked.)
    if (!isServer(o.engine, o.url)) await checkCompressed(results);
    if (results.every((r) => r.stats.read === 0) && res.length === 0 && sources.every((s) => s.format === "table")) {
      throw new EngineError(`the engine returned no row for ${inputs.join(", ")}: no record was read`);
    }
    return { table, results };
  } finally {
    await session.close();
  }
}
