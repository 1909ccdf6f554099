import { DuckDBInstance } from "@duckdb/node-api";
const c = await (await DuckDBInstance.create(":memory:")).connect();
const P = "read_parquet('/tmp/pmx/diff/f1000000-2000.parquet')";
const words = ["allow","allowed","accept","accepted","pass","passed","permit","permitted","ok","success","open","established"].map((w) => `'${w}'`).join(",");
async function t(label, sql) { const t0 = process.cpuUsage(); const w = Date.now(); await c.runAndReadAll(sql); const u = process.cpuUsage(t0); console.log(label, Date.now() - w, "ms wall", Math.round((u.user + u.system) / 1000), "ms cpu"); }
for (let k = 0; k < 2; k++) {
await t("IN", `SELECT sum(CASE WHEN lower(trim(action)) IN (${words}) THEN 1 ELSE 0 END) FROM ${P}`);
await t("list_contains", `SELECT sum(CASE WHEN list_contains([${words}], lower(trim(action))) THEN 1 ELSE 0 END) FROM ${P}`);
await t("CASE", `SELECT sum(CASE lower(trim(action)) ${["allow","allowed","accept","accepted","pass","passed","permit","permitted","ok","success","open","established"].map((w) => `WHEN '${w}' THEN 1`).join(" ")} ELSE 0 END) FROM ${P}`);
await t("scan", `SELECT count(action) FROM ${P}`);
}
