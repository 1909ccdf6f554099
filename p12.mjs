import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
const c = await (await DuckDBInstance.create(":memory:")).connect();
await c.run("SET disabled_optimizers = 'build_side_probe_side'");
const sql = readFileSync("/tmp/pmx/diff/last-duckdb.sql", "utf8");
for (let k = 0; k < 2; k++) {
let t0 = Date.now();
await c.runAndReadAll("EXPLAIN " + sql);
console.log("explain", Date.now() - t0);
t0 = Date.now();
await c.runAndReadAll(sql.replace(/read_parquet\([^)]*\)/g, (m) => m) + "");
console.log("run", Date.now() - t0);
}
