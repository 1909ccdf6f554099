import { readFileSync } from "node:fs";
import { query } from "chdb";
const sql = readFileSync("/tmp/pmx/diff/last-clickhouse.sql", "utf8");
const withPart = sql.slice(0, sql.lastIndexOf("\nSELECT pm_g2"));
for (const k of process.argv.slice(2)) {
  const q = `SET max_query_size = 100000000; ${withPart}\nSELECT count(), sum(${process.env.COL ?? "1"}) FROM pm_c${k} SETTINGS allow_experimental_analyzer = 1, short_circuit_function_evaluation = 'disable' FORMAT CSV`;
  const t0 = Date.now();
  try { console.log(k, query(q, "CSV").trim(), Date.now() - t0); } catch (e) { console.log(k, String(e.message).slice(0, 200)); }
}
