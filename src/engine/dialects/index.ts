/** Every SQL dialect portmatrix writes, one module each; `sql --dialect` and the engines pick from here. */
import type { Dialect, DialectName } from "../dialect.js";
import { duckdb } from "./duckdb.js";
import { clickhouse } from "./clickhouse.js";
import { trino } from "./trino.js";
import { spark } from "./spark.js";
import { bigquery } from "./bigquery.js";

export const DIALECTS: readonly Dialect[] = [duckdb, clickhouse, trino, spark, bigquery];

export function dialectByName(name: string): Dialect | undefined {
  return DIALECTS.find((d) => d.name === name);
}

export type { DialectName };
