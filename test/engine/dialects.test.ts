/**
 * What `portmatrix sql` prints, checked by the engine or by a real parser of each dialect:
 *   duckdb, clickhouse  executed (DuckDB embedded, chDB) against a table made from a fixture; the
 *                       result gives the native report's findings
 *   trino, spark        parsed by Trino's and Spark's own ANTLR grammars (dt-sql-parser's TrinoSQL and
 *                       SparkSQL, generated from the projects' SqlBase grammars); not executed
 *   bigquery            parsed by sql-parser-cst in its BigQuery dialect; not executed
 * A damaged query must fail each parser, so that a parser that accepts anything cannot pass.
 */
import { describe, it, expect } from "vitest";
import { SparkSQL, TrinoSQL } from "dt-sql-parser";
import { parse as parseCst } from "sql-parser-cst";
import { printQuery } from "../../src/engine/print.js";
import { collectCheck, prepareFromTable, setupCheck } from "../../src/pipeline/check.js";
import { parseColumnOverrides } from "../../src/engine/schema.js";
import { collectResults, inputList } from "../../src/engine/results.js";
import { materialise } from "../../src/report/build.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { InputStats } from "../../src/decode/stats.js";
import { tmpFiles } from "../helpers/tmp.js";
import { HAVE_CHDB, HAVE_DUCKDB, needs } from "../helpers/engines.js";
import type { SourceOptions } from "../../src/engine/sources.js";

const KCPS = () => setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
const opts = (o: Partial<SourceOptions> = {}): SourceOptions => ({ mapping: "canonical", columns: new Map(), where: [], ...o });
const strip = (sql: string) => sql.replace(/^--.*\n/gm, "").replace(/;\s*$/, "");

/** Queries that reach every part of the generator: plans, mappings, time range, partitions, IPv6. */
function variants(dialect: string): [string, string][] {
  const s = KCPS();
  const big = setupCheck("kcps-file-server", "bench/inventory.yaml", [], new Map());
  return [
    ["canonical, CASE tree", printQuery(s, dialect, "db.flows", opts(), "auto")],
    ["aws-vpc-flow, equi-joins, --since/--until, --where", printQuery(big, dialect, "flow_logs", opts({
      mapping: "aws-vpc-flow", fromMs: Date.UTC(2026, 10, 1), toMs: Date.UTC(2026, 11, 1), where: ["year = '2026'"],
    }), "joins")],
    ["zeek-conn", printQuery(s, dialect, "conn", opts({ mapping: "zeek-conn" }), "auto")],
    ["ecs with --columns", printQuery(s, dialect, "fw", opts({ mapping: "ecs", columns: parseColumnOverrides(["label=observer_name"]) }), "case")],
    ["nfdump", printQuery(s, dialect, "nf", opts({ mapping: "nfdump" }), "auto")],
  ];
}

describe("trino: Trino's grammar", () => {
  const p = new TrinoSQL();
  for (const [name, sql] of variants("trino")) {
    it(`parses the ${name} query`, () => expect(p.validate(strip(sql)).map((e) => e.message)).toEqual([]), 120_000);
  }
  it("rejects a damaged query (the check can fail)", () => {
    expect(p.validate(strip(variants("trino")[0]![1]).replace("GROUP BY GROUPING SETS", "GROUP GROUPING SETS")).length).toBeGreaterThan(0);
  }, 120_000);
});

describe("spark: Spark's grammar", () => {
  const p = new SparkSQL();
  for (const [name, sql] of variants("spark")) {
    it(`parses the ${name} query`, () => expect(p.validate(strip(sql)).map((e) => e.message)).toEqual([]), 300_000);
  }
  it("rejects a damaged query (the check can fail)", () => {
    expect(p.validate(strip(variants("spark")[0]![1]).replace(/\) AS pm_c/g, ") pm_c AS")).length).toBeGreaterThan(0);
  }, 300_000);
});

describe("bigquery: sql-parser-cst's BigQuery dialect", () => {
  for (const [name, sql] of variants("bigquery")) {
    it(`parses the ${name} query`, () => expect(() => parseCst(strip(sql), { dialect: "bigquery" })).not.toThrow());
  }
  it("rejects a damaged query (the check can fail)", () => {
    expect(() => parseCst(strip(variants("bigquery")[0]![1]).replace("ARRAY_AGG(", "ARRAY_AGG(("), { dialect: "bigquery" })).toThrow();
  });
});

// ---- executed --------------------------------------------------------------------------------------

const CSV = `time,src,dst,proto,sport,dport,icmp_type,action
1795424461000,10.99.1.100,10.99.2.10,tcp,41759,445,,ACCEPT
1795424462000,10.99.2.10,10.99.1.100,tcp,445,41759,,ACCEPT
1795424464000,10.99.1.200,10.99.2.10,tcp,41761,5985,,DROP
1795424465000,10.99.1.100,10.99.2.10,icmp,,,8,ACCEPT
1795424466000,10.99.2.10,10.99.1.100,icmp,,,0,ACCEPT
1795424467000,10.99.1.100,10.99.2.10,icmp,,,,DROP
1795424468000,fd00:99:1::100,fd00:99:2::10,tcp,50000,445,,deny
1795424469000,10.99.1.100,10.99.2.10,tcp,41763,8080,,whatever
1795424470000,not-an-ip,10.99.2.10,tcp,1,80,,allow
1795424471000,10.99.1.100,10.99.2.10,icmp,,,3,allow
1795424472000,192.0.2.1,10.99.2.10,udp,5353,53,,allow
`;

async function nativeFindings(path: string) {
  const setup = KCPS();
  const { table, results } = await collectCheck(setup, [path], { decode: defaultDecodeOptions(), failOn: [], jobs: 1 });
  return materialise(prepareFromTable(setup, table, results, { failOn: [], now: new Date(0) })).findings.map((f) => ({ ...f, example: undefined }));
}

/** The printed query's result, read back as `check --engine` reads it. */
function reportOf(res: Parameters<typeof collectResults>[0], table: string) {
  const setup = KCPS();
  const inputs = [{ path: table, format: "table", compressed: false, stats: new InputStats() }];
  const t = collectResults(res, inputs);
  return materialise(prepareFromTable(setup, t, inputs, { failOn: [], now: new Date(0) }));
}

describe.skipIf(!needs("@duckdb/node-api", HAVE_DUCKDB))("duckdb: the printed query runs in DuckDB", () => {
  it("over a table gives the native findings", async () => {
    const dir = tmpFiles({ "flows.csv": CSV });
    const { openDuckdb } = await import("../../src/engine/runners/duckdb.js");
    const s = await openDuckdb();
    try {
      await s.query(`CREATE TABLE flows AS SELECT CAST(time AS BIGINT) AS time, src, dst, proto, TRY_CAST(sport AS INTEGER) AS sport,
        TRY_CAST(dport AS INTEGER) AS dport, TRY_CAST(icmp_type AS INTEGER) AS icmp_type, action FROM read_csv('${dir}/flows.csv', all_varchar = true, delim = ',')`);
      const res = await s.columns(strip(printQuery(KCPS(), "duckdb", "flows", opts(), "auto")));
      const r = reportOf(res, "flows");
      expect(r.findings.map((f) => ({ ...f, example: undefined }))).toEqual(await nativeFindings(`${dir}/flows.csv`));
      expect(r.inputs[0]!.records).toEqual({ read: 11, used: 9, skipped: 2 });
    } finally {
      await s.close();
    }
  });
  void inputList;
});

describe.skipIf(!needs("chdb", HAVE_CHDB))("clickhouse: the printed query runs in chDB", () => {
  it("over a table gives the native findings", async () => {
    const dir = tmpFiles({ "flows.csv": CSV });
    const chdb = (await import("chdb")) as unknown as { Session: new (path?: string) => { query(q: string, f: string): string; cleanup(): void } };
    const session = new chdb.Session(`${dir}/db`);
    try {
      session.query(`CREATE TABLE flows ENGINE = Memory AS SELECT toInt64(time) AS time, src, dst, proto, toInt32OrNull(toString(sport)) AS sport,
        toInt32OrNull(toString(dport)) AS dport, toInt32OrNull(toString(icmp_type)) AS icmp_type, action
        FROM file('${dir}/flows.csv', 'CSVWithNames', 'time String, src String, dst String, proto String, sport String, dport String, icmp_type String, action String')`, "CSV");
      const text = session.query(`SET max_query_size = 100000000; ${strip(printQuery(KCPS(), "clickhouse", "flows", opts(), "auto"))} FORMAT JSONEachRow`, "JSONEachRow");
      const rows = text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
      const names = Object.keys(rows[0]!);
      const r = reportOf({ names, data: names.map((n) => rows.map((x) => x[n])), length: rows.length }, "flows");
      expect(r.findings.map((f) => ({ ...f, example: undefined }))).toEqual(await nativeFindings(`${dir}/flows.csv`));
    } finally {
      session.cleanup();
    }
  });
});
