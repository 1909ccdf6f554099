import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
const c = await (await DuckDBInstance.create(":memory:")).connect();
let sql = readFileSync(process.argv[2], "utf8");
if (process.argv[3]) sql = sql.replaceAll(process.argv[3], process.argv[4]);
let t0 = Date.now();
await c.run("PRAGMA enable_profiling = 'json'; PRAGMA profiling_output = '/tmp/pmx/prof.json';"); if (process.env.DIS) await c.run("SET disabled_optimizers = '" + process.env.DIS + "'");
const r = await c.runAndReadAll(sql);
console.log("rows", r.getRowObjectsJS().length, "ms", Date.now() - t0);
