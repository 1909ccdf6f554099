/** What the engine pipeline needs of an engine: describe a source, expand a glob, run the query. */
import type { Dialect } from "../dialect.js";
import type { SourceColumn } from "../schema.js";
export type { SourceColumn };

export type Row = Record<string, unknown>;

/** A result by column (names and one array per column): what large results are read as. */
export interface Columns {
  names: string[];
  data: unknown[][];
  length: number;
}

export function rowsToColumns(rows: readonly Row[]): Columns {
  const names = rows.length > 0 ? Object.keys(rows[0]!) : [];
  return { names, data: names.map((n) => rows.map((r) => r[n])), length: rows.length };
}

export interface EngineSession {
  readonly dialect: Dialect;
  /** How the engine reads files: "duckdb" (read_parquet, read_csv...) or "clickhouse" (file()). */
  readonly fileReader: "duckdb" | "clickhouse";
  /** Columns of a FROM item (a table function over files, or a table), without reading the data. */
  describe(from: string): Promise<SourceColumn[]>;
  /** The files a path or glob names, sorted. */
  glob(pattern: string): Promise<string[]>;
  query(sql: string): Promise<Row[]>;
  /** The same, by column (the engine's own columnar read where it has one). */
  columns(sql: string): Promise<Columns>;
  close(): Promise<void>;
}

/** A package that is an optional dependency, loaded when asked for. */
export async function optionalImport<T>(name: string): Promise<T | Error> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    return e as Error;
  }
}
