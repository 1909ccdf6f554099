/**
 * `check --engine` and `sql` from the command line: the engine's report is the native one, filters and
 * overrides reach the query, errors are one line with exit 2, a missing optional engine package says
 * which and how to install it, and a ClickHouse server is reached through @clickhouse/client (here a
 * loopback HTTP server that runs what it is sent in chDB, speaking ClickHouse's HTTP interface).
 */
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { join, resolve } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { HAVE_CHDB, HAVE_DUCKDB, have, needs } from "../helpers/engines.js";

const R = ["-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml"];
const CSV = `time,src,dst,proto,sport,dport,action
2026-11-01T10:00:00Z,10.99.1.100,10.99.2.10,tcp,41759,445,ACCEPT
2026-11-02T10:00:00Z,10.99.1.200,10.99.2.10,tcp,41761,5985,DROP
2026-11-03T10:00:00Z,10.99.1.100,10.99.2.10,udp,41762,137,DROP
2026-11-04T10:00:00Z,10.99.1.100,10.99.2.10,icmp,,,DROP
2026-11-05T10:00:00Z,fd00:99:1::100,fd00:99:2::10,tcp,50000,445,deny
`;
/** The text report without the per-record line numbers only the native reader knows. */
const noLines = (s: string) => s.replace(/(first at [^\s]+\.csv):\d+/g, "$1").replace(/\(csv( \(canonical\))?\)/g, "(csv)");

describe.skipIf(!needs("@duckdb/node-api", HAVE_DUCKDB))("check --engine duckdb", () => {
  it("prints the native text report", async () => {
    const dir = tmpFiles({ "f.csv": CSV });
    const native = await runCli(["check", ...R, join(dir, "f.csv")]);
    const engine = await runCli(["check", ...R, "--engine", "duckdb", join(dir, "f.csv")]);
    expect(engine.code).toBe(native.code);
    expect(noLines(engine.stdout)).toBe(noLines(native.stdout));
    expect(engine.stdout).toContain("icmp type unknown");
  });

  it("reads a glob itself, and --since/--until keep only the records in the range", async () => {
    const dir = tmpFiles({ "a.csv": CSV, "b.csv": CSV });
    const all = JSON.parse((await runCli(["check", ...R, "--engine", "duckdb", "-f", "json", join(dir, "*.csv")])).stdout);
    expect(all.inputs.map((i: { path: string }) => i.path)).toEqual([join(dir, "a.csv"), join(dir, "b.csv")]);
    expect(all.totals.records).toEqual({ read: 12, used: 10, skipped: 2 });
    const some = JSON.parse((await runCli(["check", ...R, "--engine", "duckdb", "-f", "json", "--since", "2026-11-02", "--until", "2026-11-04", join(dir, "*.csv")])).stdout);
    expect(some.totals.records.used).toBe(4);
    expect(some.findings.map((f: { port: number | null }) => f.port).sort()).toEqual([137, 5985]);
    // --where filters on the source's own columns (partitions, here a column of the file).
    const where = JSON.parse((await runCli(["check", ...R, "--engine", "duckdb", "-f", "json", "--where", "action = 'DROP'", join(dir, "a.csv")])).stdout);
    expect(where.totals.records).toEqual({ read: 4, used: 3, skipped: 1 });
  });

  it("reads a directory as the native path does: every file under it, each kind with its own reader, in both engines", async () => {
    // A data lake's layout: partitions, Parquet beside gzip CSV, Spark's marker files and a hidden file.
    const dir = tmpFiles({});
    mkdirSync(join(dir, "year=2026", "month=11"), { recursive: true });
    mkdirSync(join(dir, "text"));
    writeFileSync(join(dir, "year=2026", "month=11", "b.csv"), CSV);
    writeFileSync(join(dir, "text", "a.csv.gz"), gzipSync(CSV));
    writeFileSync(join(dir, "_SUCCESS"), "");
    writeFileSync(join(dir, ".part.crc"), "junk");
    const { openDuckdb } = await import("../../src/engine/runners/duckdb.js");
    const s = await openDuckdb();
    await s.query(`COPY (SELECT * FROM read_csv('${join(dir, "year=2026", "month=11", "b.csv")}', all_varchar = true)) TO '${join(dir, "year=2026", "month=11", "c.parquet")}' (FORMAT parquet)`);
    await s.close();
    const files = [join(dir, "text", "a.csv.gz"), join(dir, "year=2026", "month=11", "b.csv"), join(dir, "year=2026", "month=11", "c.parquet")];
    const native = JSON.parse((await runCli(["check", ...R, "-f", "json", join(dir, "text", "a.csv.gz"), join(dir, "year=2026", "month=11", "b.csv"), join(dir, "year=2026", "month=11", "b.csv")])).stdout);
    for (const engine of HAVE_CHDB ? ["duckdb", "clickhouse"] : ["duckdb"]) {
      const r = await runCli(["check", ...R, "--engine", engine, "-f", "json", dir]);
      expect(r.stderr).toBe("");
      const got = JSON.parse(r.stdout);
      expect(got.inputs.map((i: { path: string }) => i.path).sort()).toEqual(files);
      expect(got.summary).toEqual(native.summary);
      expect(got.totals.records.used).toBe(native.totals.records.used);
    }
    const empty = await runCli(["check", ...R, "--engine", "duckdb", tmpFiles({ _SUCCESS: "" })]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/: an empty directory: no file to read\n$/);
  }, 120_000);

  it("a truncated gzip file is an error naming it (exit 2): DuckDB's records before the break counted, chDB refuses the file", async () => {
    // DuckDB itself reads a truncated gzip to the break and says nothing.
    const rows = CSV + CSV.split("\n").slice(1).join("\n").repeat(400);
    const whole = gzipSync(rows);
    const dir = tmpFiles({ "cut.csv.gz": whole.subarray(0, Math.floor(whole.length / 2)) });
    for (const engine of HAVE_CHDB ? ["duckdb", "clickhouse"] : ["duckdb"]) {
      const r = await runCli(["check", ...R, "--engine", engine, "-f", "json", join(dir, "cut.csv.gz")]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("cut.csv.gz");
      expect(r.stderr).toMatch(engine === "duckdb" ? /cut\.csv\.gz: byte offset \d+: truncated gzip/ : /inflate failed/);
      if (engine === "duckdb") {
        const input = JSON.parse(r.stdout).inputs[0];
        expect(input.error).toMatch(/truncated gzip/);
        expect(input.records.read).toBeGreaterThan(100);
        expect(input.records.read).toBe(input.records.used + input.records.skipped);
      }
    }
  }, 120_000);

  it("refuses --partial with a report output", async () => {
    const r = await runCli(["check", ...R, "--partial", "x.part", "-o", "r.json", "fixtures/kcps/kern.log"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--partial writes a partial result, not a report: drop --output/);
  });

  it("takes --columns for a source whose names no mapping knows", async () => {
    const dir = tmpFiles({ "odd.csv": "when,a,b,p,x,y,what\n" + CSV.split("\n").slice(1).join("\n") });
    const bad = await runCli(["check", ...R, "--engine", "duckdb", join(dir, "odd.csv")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/odd\.csv: no built-in mapping fits the columns \(when, a, b, p, x, y, what\)/);
    const r = await runCli(["check", ...R, "--engine", "duckdb", "-f", "json", "--mapping", "canonical",
      "--columns", "time=\"when\"", "--columns", "src=a", "--columns", "dst=b", "--columns", "proto=p", "--columns", "sport=x", "--columns", "dport=y", "--columns", "action=what", join(dir, "odd.csv")]);
    const native = JSON.parse((await runCli(["check", ...R, "-f", "json", join(tmpFiles({ "f.csv": CSV }), "f.csv")])).stdout);
    expect(JSON.parse(r.stdout).summary).toEqual(native.summary);
  });

  it("gives one-line errors with exit 2", async () => {
    const pcap = await runCli(["check", ...R, "--engine", "duckdb", "fixtures/lab/captures/customer-side.pcap"]);
    expect(pcap.code).toBe(2);
    expect(pcap.stderr).toMatch(/customer-side\.pcap: pcap: the SQL engines read Parquet, CSV\/TSV, NDJSON/);
    expect(pcap.stderr.trim().split("\n")).toHaveLength(1);
    const none = await runCli(["check", ...R, "--engine", "duckdb", "/nonexistent/*.parquet"]);
    expect(none.stderr).toMatch(/\/nonexistent\/\*\.parquet: no file matches/);
    const cols = await runCli(["check", ...R, "--engine", "duckdb", "--columns", "nope=1", "x.csv"]);
    expect(cols.stderr).toMatch(/--columns nope=1: expected FIELD=SQL/);
    const since = await runCli(["check", ...R, "--engine", "duckdb", "--since", "yesterday", "x.csv"]);
    expect(since.stderr).toMatch(/--since yesterday: expected an ISO 8601 time/);
  });
});

describe("sql --dialect", () => {
  it("prints the query for each dialect and exits 0", async () => {
    for (const d of ["duckdb", "clickhouse", "trino", "spark", "bigquery"]) {
      const r = await runCli(["sql", "--dialect", d, ...R, "--table", "db.flows"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^-- portmatrix 0\.1\.0: ruleset kcps-file-server/);
      expect(r.stdout).toMatch(/GROUP BY GROUPING SETS/);
    }
  });
  it("refuses an unknown dialect or mapping", async () => {
    expect((await runCli(["sql", "--dialect", "oracle", ...R, "--table", "t"])).code).toBe(2);
    const m = await runCli(["sql", "--dialect", "trino", ...R, "--table", "t", "--mapping", "syslog"]);
    expect(m.stderr).toMatch(/--mapping syslog: unknown mapping; known: aws-vpc-flow, zeek-conn, nfdump, ecs, canonical, auto/);
  });
});

/** The CLI run from a copy of the package whose node_modules lacks `missing`. */
function runWithout(missing: string[], args: string[]): { code: number | null; stderr: string } {
  const root = resolve(".");
  const dir = tmpFiles({});
  for (const f of ["bin", "dist", "rulesets", "package.json", "fixtures"]) symlinkSync(join(root, f), join(dir, f));
  mkdirSync(join(dir, "node_modules"));
  for (const name of readdirSync(join(root, "node_modules"))) {
    if (name.startsWith(".")) continue;
    if (name.startsWith("@")) {
      mkdirSync(join(dir, "node_modules", name));
      for (const sub of readdirSync(join(root, "node_modules", name))) {
        if (!missing.includes(`${name}/${sub}`)) symlinkSync(join(root, "node_modules", name, sub), join(dir, "node_modules", name, sub));
      }
    } else if (!missing.includes(name)) symlinkSync(join(root, "node_modules", name), join(dir, "node_modules", name));
  }
  writeFileSync(join(dir, "f.csv"), CSV);
  const r = spawnSync(process.execPath, ["--preserve-symlinks", "--preserve-symlinks-main", join(dir, "bin", "portmatrix.js"), ...args, join(dir, "f.csv")], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stderr: r.stderr };
}

describe("a missing optional engine package", () => {
  it("is a one-line error naming the package and how to install it, not a crash", () => {
    const duck = runWithout(["@duckdb/node-api", "@duckdb/node-bindings", "@duckdb/node-bindings-linux-x64"], ["check", ...R, "--engine", "duckdb"]);
    expect(duck.code).toBe(2);
    expect(duck.stderr).toMatch(/^portmatrix: --engine duckdb needs the optional package @duckdb\/node-api, which is not installed or does not load here \(.*\); install it with: npm install @duckdb\/node-api\n$/);
    const ch = runWithout(["chdb", "@chdb/lib-linux-x64-gnu"], ["check", ...R, "--engine", "clickhouse"]);
    expect(ch.code).toBe(2);
    expect(ch.stderr).toMatch(/needs the optional package chdb .*npm install chdb, or give --engine-url/);
    const cl = runWithout(["@clickhouse/client"], ["check", ...R, "--engine", "clickhouse", "--engine-url", "http://127.0.0.1:1"]);
    expect(cl.stderr).toMatch(/needs the optional package @clickhouse\/client/);
  }, 60_000);
});

const HAVE_CLIENT = await have("@clickhouse/client");
describe.skipIf(!(needs("chdb", HAVE_CHDB) && needs("@clickhouse/client", HAVE_CLIENT)))("check --engine clickhouse --engine-url", () => {
  it("sends the query to the server through @clickhouse/client and reports as chDB does", async () => {
    const { queryAsync } = (await import("chdb")) as unknown as { queryAsync(q: string, o: { format: string }): Promise<{ text(): string }> };
    const seen: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => { body += c.toString("utf8"); });
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://x");
        const query = url.searchParams.get("query") ?? body;
        seen.push(query);
        // Settings arrive as URL parameters: passed on as a SET before the query.
        const settings = [...url.searchParams].filter(([k]) => !["query", "query_id", "database", "default_format"].includes(k)).map(([k, v]) => `${k} = ${/^\d+$/.test(v) ? v : `'${v}'`}`);
        queryAsync(`${settings.length > 0 ? `SET ${settings.join(", ")}; ` : ""}${query}`, { format: "JSONEachRow" })
          .then((r) => { res.writeHead(200, { "Content-Type": "application/x-ndjson" }); res.end(r.text()); })
          .catch((e: Error) => { res.writeHead(500); res.end(`Code: 62. DB::Exception: ${e.message}`); });
      });
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
    const port = (server.address() as { port: number }).port;
    try {
      const dir = tmpFiles({ "f.csv": CSV });
      const viaServer = await runCli(["check", ...R, "--engine", "clickhouse", "--engine-url", `http://default:secret@127.0.0.1:${port}`, "-f", "json", join(dir, "f.csv")]);
      const embedded = await runCli(["check", ...R, "--engine", "clickhouse", "-f", "json", join(dir, "f.csv")]);
      expect(viaServer.stderr).toBe("");
      const f = (s: string) => JSON.parse(s).findings;
      expect(f(viaServer.stdout)).toEqual(f(embedded.stdout));
      expect(seen.some((q) => q.includes("GROUP BY GROUPING SETS"))).toBe(true);
      // A server error is one line naming the server without its password.
      const bad = await runCli(["check", ...R, "--engine", "clickhouse", "--engine-url", `http://default:secret@127.0.0.1:${port}`, "table:no_such_table"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).not.toContain("secret");
      expect(bad.stderr).toMatch(/no_such_table/);
    } finally {
      server.close();
    }
  }, 120_000);
});
