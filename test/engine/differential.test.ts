/**
 * The same records through the native path (as CSV), through DuckDB (as Parquet) and through chDB with
 * the ClickHouse dialect (the same Parquet) give identical reports: every finding's verdict, addresses,
 * protocol, port, count, first/last seen, roles, rule and evidence, the summary and the coverage, for
 * IPv4 and IPv6, against a tiny inventory (CASE tree), 600 prefixes and 3,000 prefixes (range join for
 * IPv4, one equi-join per prefix length for IPv6), and with the equi-join plan Spark, Trino and BigQuery
 * get, run here in DuckDB and ClickHouse. 1,000,000 records, as issue 15 asks (76 s for the six
 * comparisons on this 2-core machine near idle, measured 2026-12-05; more under the suite's own load,
 * hence the 15-minute limits); PORTMATRIX_DIFF_RECORDS sets another size for a quicker local run.
 * bench/sql.mjs compares DuckDB's 10,000,000-record report with the native one field by field
 * (bench/results-sql.md).
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeInventory, makeRecords } from "../../bench/gen-flows.mjs";
import { collectCheck, prepareFromTable, setupCheck, type CheckSetup } from "../../src/pipeline/check.js";
import { runEngine, type EngineName } from "../../src/engine/run.js";
import type { Plan } from "../../src/engine/query.js";
import { materialise } from "../../src/report/build.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import type { Report } from "../../src/report/types.js";
import { HAVE_CHDB, HAVE_DUCKDB, needs } from "../helpers/engines.js";

const RECORDS = Number(process.env.PORTMATRIX_DIFF_RECORDS ?? 1_000_000);
const ok = needs("@duckdb/node-api", HAVE_DUCKDB) && needs("chdb", HAVE_CHDB);
const NOW = new Date(Date.UTC(2026, 11, 1));

/**
 * The report without what differs by construction: the inputs' names and formats, record positions,
 * and the CSV header line (a record to the CSV reader, none in Parquet).
 */
function comparable(r: Report) {
  const header = (i: Report["inputs"][number]) => i.skippedByReason.header ?? 0;
  return {
    summary: r.summary,
    coverage: r.coverage,
    findings: r.findings.map((f) => ({ ...f, example: undefined })),
    records: r.inputs.map((i) => ({
      read: i.records.read - header(i), used: i.records.used,
      skipped: Object.fromEntries(Object.entries(i.skippedByReason).filter(([k]) => k !== "header")),
    })),
  };
}

describe.skipIf(!ok)(`the same ${RECORDS.toLocaleString("en")} records: native CSV, DuckDB Parquet, chDB Parquet`, () => {
  let dir = "";
  let csv = "";
  let parquet = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "portmatrix-diff-"));
    csv = join(dir, "flows.csv");
    parquet = join(dir, "flows.parquet");
    writeFileSync(csv, "");
    // Records drawn from the 600-prefix inventory's address space (most also inside the others').
    makeRecords(makeInventory(600), RECORDS, (c) => appendFileSync(csv, c));
    for (const n of [8, 600, 3000]) writeFileSync(join(dir, `inv${n}.yaml`), makeInventory(n).yaml);
    // The same rows as typed Parquet: numbers as numbers, damaged fields as NULL or as they were.
    const { openDuckdb } = await import("../../src/engine/runners/duckdb.js");
    const s = await openDuckdb();
    await s.query(`COPY (SELECT CAST(c.time AS BIGINT) AS time, c.src, c.dst, c.proto, TRY_CAST(c.sport AS INTEGER) AS sport, TRY_CAST(c.dport AS INTEGER) AS dport,
      TRY_CAST(c.icmp_type AS INTEGER) AS icmp_type, c.action FROM read_csv('${csv}', header = true, all_varchar = true, delim = ',') AS c)
      TO '${parquet}' (FORMAT parquet, ROW_GROUP_SIZE 100000)`);
    await s.close();
  }, 900_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  const native = new Map<number, Report>();
  async function nativeReport(setup: CheckSetup, n: number): Promise<Report> {
    let r = native.get(n);
    if (!r) {
      const { table, results } = await collectCheck(setup, [csv], { decode: defaultDecodeOptions(), failOn: [], jobs: 1 });
      r = materialise(prepareFromTable(setup, table, results, { failOn: ["blocked-required", "allowed-unexpected"], now: NOW }));
      native.set(n, r);
    }
    return r;
  }
  async function engineReport(setup: CheckSetup, engine: EngineName, plan: Plan | "auto"): Promise<Report> {
    const { table, results } = await runEngine(setup, [parquet], { engine, plan, source: { mapping: "canonical", columns: new Map(), where: [] } });
    return materialise(prepareFromTable(setup, table, results, { failOn: ["blocked-required", "allowed-unexpected"], now: NOW }));
  }

  const cases: [number, EngineName, Plan | "auto"][] = [
    [8, "duckdb", "auto"], [8, "clickhouse", "auto"],
    [600, "duckdb", "auto"], [600, "clickhouse", "joins"],
    [3000, "duckdb", "joins"], [3000, "clickhouse", "auto"],
  ];
  for (const [n, engine, plan] of cases) {
    it(`${n} prefixes: ${engine} (${plan} plan) gives the native report`, async () => {
      const setup = setupCheck("kcps-file-server", join(dir, `inv${n}.yaml`), [], new Map());
      const want = await nativeReport(setup, n);
      // The data reach every verdict and both families, or the comparison proves little.
      expect(want.totals.records.read).toBe(RECORDS + 1);
      if (n >= 600) for (const v of ["allowed-required", "blocked-required", "allowed-unexpected", "blocked-unexpected", "unclassified", "inconclusive"] as const) expect(want.summary[v]).toBeGreaterThan(0);
      expect(want.findings.some((f) => f.src.includes(":"))).toBe(true);
      expect(want.findings.some((f) => f.protocol === "icmp" && f.icmpType === null)).toBe(true);
      const got = await engineReport(setup, engine, plan);
      const a = comparable(want);
      const b = comparable(got);
      // Finding by finding first, so that a failure names the first difference.
      expect(b.findings.length).toBe(a.findings.length);
      for (let i = 0; i < a.findings.length; i++) if (JSON.stringify(a.findings[i]) !== JSON.stringify(b.findings[i])) expect(b.findings[i]).toEqual(a.findings[i]);
      expect(b).toEqual(a);
    }, 900_000);
  }
});
