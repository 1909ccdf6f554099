import { readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { setupCheck, collectCheck } from "/work/wt/i15-sql/dist/pipeline/check.js";
import { defaultDecodeOptions } from "/work/wt/i15-sql/dist/decode/log/options.js";
const c = await (await DuckDBInstance.create(":memory:")).connect();
await c.run("SET disabled_optimizers = 'build_side_probe_side'");
const sql = readFileSync("/tmp/pmx/diff/last-duckdb.sql", "utf8");
const setup = setupCheck("kcps-file-server", "/tmp/pmx/diff/inv600.yaml", [], new Map());
for (let k = 0; k < 3; k++) {
  let t0 = Date.now();
  const r = await c.runAndReadAll(sql);
  const q = Date.now() - t0; t0 = Date.now();
  r.getColumnsJS();
  const cv = Date.now() - t0; t0 = Date.now();
  await collectCheck(setup, ["/tmp/pmx/diff/f1000000-2000.csv"], { decode: defaultDecodeOptions(), failOn: [], jobs: 1 });
  console.log("duckdb query", q, "convert", cv, "native collect", Date.now() - t0);
}
