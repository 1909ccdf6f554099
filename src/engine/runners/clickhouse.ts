/**
 * ClickHouse: embedded through chDB (the optional package `chdb`) when no --engine-url is given, or a
 * server through the optional package @clickhouse/client when it is (http://user:password@host:8123/db).
 * Files are read by the engine's file() table function (on a server: below its user_files_path);
 * `table:NAME` inputs name tables or views of the server's database.
 */
import { EngineError } from "../../errors.js";
import { clickhouse as dialect } from "../dialects/clickhouse.js";
import { expandGlob } from "../glob.js";
import type { ColumnKind, SourceColumn } from "../schema.js";
import { optionalImport, rowsToColumns, type EngineSession, type Row } from "./session.js";

interface ChdbApi {
  queryAsync(sql: string, opts?: { format?: string }): Promise<{ text(): string }>;
  Session: new (path?: string) => { query(sql: string, format?: string): string; cleanup?(): void; close?(): void };
}

interface ClientApi {
  createClient(o: { url: string; request_timeout?: number; clickhouse_settings?: Record<string, unknown>; log?: { level: number } }): {
    query(o: { query: string; format: string }): Promise<{ json<T>(): Promise<T[]> }>;
    close(): Promise<void>;
  };
}

function firstLine(s: string): string {
  return s.split("\n")[0]!.trim().slice(0, 500);
}

function parseLines(text: string): Row[] {
  const out: Row[] = [];
  for (const line of text.split("\n")) if (line.trim() !== "") out.push(JSON.parse(line) as Row);
  return out;
}

/** Settings that apply to every statement: 64-bit integers as text (exact), and no size limit on the query text. */
const SETTINGS = "output_format_json_quote_64bit_integers = 1, max_query_size = 100000000, max_ast_elements = 10000000, max_expanded_ast_elements = 10000000, " +
  // A JSON field of mixed types is read as text (not a Variant, which aggregates refuse); CSV rows may be short.
  "input_format_try_infer_variants = 0, input_format_csv_allow_variable_number_of_columns = 1, input_format_tsv_allow_variable_number_of_columns = 1";

export async function openChdb(dataPath?: string): Promise<EngineSession> {
  const api = await optionalImport<ChdbApi>("chdb");
  if (api instanceof Error) {
    throw new EngineError(`--engine clickhouse without --engine-url runs ClickHouse embedded, which needs the optional package chdb (${firstLine(api.message)}); install it with: npm install chdb, or give --engine-url http://host:8123 for a server`);
  }
  const session = dataPath !== undefined ? new api.Session(dataPath) : undefined;
  const run = async (sql: string): Promise<Row[]> => {
    // max_query_size is checked before a query's own SETTINGS are read: it is set on the statement before.
    const text = `SET ${SETTINGS}; ${sql} FORMAT JSONEachRow`;
    try {
      const out = session ? session.query(text, "JSONEachRow") : (await api.queryAsync(text, { format: "JSONEachRow" })).text();
      return parseLines(out);
    } catch (e) {
      throw new EngineError(`ClickHouse (chDB): ${firstLine((e as Error).message)}`);
    }
  };
  return makeSession(run, async (p) => expandGlob(p), async () => { session?.cleanup?.(); session?.close?.(); });
}

export async function openClickhouseServer(url: string): Promise<EngineSession> {
  const api = await optionalImport<ClientApi>("@clickhouse/client");
  if (api instanceof Error) {
    throw new EngineError(`--engine clickhouse --engine-url needs the optional package @clickhouse/client (${firstLine(api.message)}); install it with: npm install @clickhouse/client`);
  }
  const settings: Record<string, unknown> = {};
  for (const kv of SETTINGS.split(", ")) {
    const [k, v] = kv.split(" = ");
    settings[k!] = Number(v);
  }
  let client: ReturnType<ClientApi["createClient"]>;
  try {
    // The client's own logging off: its errors come back here and are reported in one line.
    client = api.createClient({ url, request_timeout: 3_600_000, clickhouse_settings: settings, log: { level: 127 } });
  } catch (e) {
    throw new EngineError(`--engine-url ${redact(url)}: ${firstLine((e as Error).message)}`);
  }
  const run = async (sql: string): Promise<Row[]> => {
    try {
      const rs = await client.query({ query: sql, format: "JSONEachRow" });
      return await rs.json<Row>();
    } catch (e) {
      throw new EngineError(`ClickHouse at ${redact(url)}: ${firstLine((e as Error).message)}`);
    }
  };
  // The server's files are not ours to list: a path is passed to file() as written.
  return makeSession(run, async (p) => [p], () => client.close());
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

function makeSession(run: (sql: string) => Promise<Row[]>, glob: (p: string) => Promise<string[]>, close: () => Promise<void>): EngineSession {
  return {
    dialect,
    fileReader: "clickhouse",
    async describe(from) {
      const rows = await run(`DESCRIBE TABLE ${from.startsWith("(") ? `${from}` : from}`);
      return rows.map((r) => column(String(r.name), String(r.type)));
    },
    glob,
    query: run,
    columns: async (sql) => rowsToColumns(await run(sql)),
    close,
  };
}

export function column(name: string, type: string): SourceColumn {
  const t = type.replace(/^(Nullable|LowCardinality)\((.*)\)$/, "$2").replace(/^(Nullable|LowCardinality)\((.*)\)$/, "$2");
  if (t.startsWith("Tuple(")) {
    // Named tuple fields ("ip Nullable(String)"), split at the commas outside parentheses.
    const fields: SourceColumn[] = [];
    const body = t.slice(6, -1);
    let depth = 0;
    let start = 0;
    const parts: string[] = [];
    for (let i = 0; i < body.length; i++) {
      if (body[i] === "(") depth++;
      else if (body[i] === ")") depth--;
      else if (body[i] === "," && depth === 0) { parts.push(body.slice(start, i)); start = i + 1; }
    }
    parts.push(body.slice(start));
    for (const p of parts) {
      const m = /^\s*(`[^`]+`|[A-Za-z_][\w.]*)\s+(.+?)\s*$/s.exec(p);
      if (m) fields.push(column(m[1]!.replace(/`/g, ""), m[2]!));
    }
    return { name, kind: "struct", fields };
  }
  return { name, kind: kindOf(t) };
}

function kindOf(t: string): ColumnKind {
  if (/^(U?Int\d+|Float\d+|Decimal)/.test(t)) return "number";
  if (/^(String|FixedString|Enum)/.test(t)) return "text";
  if (/^(DateTime|Date)/.test(t)) return "timestamp";
  return "unknown";
}
