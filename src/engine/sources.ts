/**
 * From the command line's INPUT arguments to what the query reads: each argument is a file, a glob
 * (expanded and read by the engine itself), or `table:NAME` (a table or view in the DuckDB file or
 * ClickHouse database of --engine-url). Files are told apart by name (.parquet, .csv, .tsv, .json,
 * .ndjson, .jsonl, each optionally .gz); any other name is read as text and recognised by its content
 * with the native detector: AWS VPC flow logs (space separated), Zeek conn.log (TSV or JSON lines), CSV.
 */
import { openInput } from "../source/inputs.js";
import { detectFormat } from "../pipeline/formats.js";
import { EngineError, InputError } from "../errors.js";
import type { Dialect } from "./dialect.js";
import type { SourceSql } from "./query.js";
import {
  VPC_DEFAULT_FIELDS, detectMapping, fieldsWithOverrides, mappingById, mappingContext, type CanonicalField, type Mapping,
  type SourceColumn,
} from "./schema.js";
import type { EngineSession } from "./runners/session.js";

export type FileFormat = "parquet" | "csv" | "tsv" | "json" | "vpc-text" | "zeek-tsv";

export interface SourceOptions {
  /** A mapping id, or "auto". */
  mapping: string;
  columns: ReadonlyMap<CanonicalField, string>;
  /** --since / --until, ms since the epoch. */
  fromMs?: number;
  toMs?: number;
  /** --where: predicates over the source's own columns (partitions). */
  where: readonly string[];
  /** Read Hive-style partition folders (year=2026/month=11) as columns. */
  hive?: boolean;
}

/** One INPUT argument as the query reads it. */
export interface ResolvedSource {
  arg: string;
  /** Files it names (none for a table). */
  files: string[];
  format: FileFormat | "table";
  compressed: boolean;
  mapping: Mapping;
  sql: SourceSql;
}

const TABLE = /^table:(.+)$/;

export async function resolveSources(s: EngineSession, args: readonly string[], o: SourceOptions): Promise<ResolvedSource[]> {
  const out: ResolvedSource[] = [];
  for (const arg of args) out.push(await resolveSource(s, arg, o));
  return out;
}

async function resolveSource(s: EngineSession, arg: string, o: SourceOptions): Promise<ResolvedSource> {
  const d = s.dialect;
  const table = TABLE.exec(arg);
  if (table) {
    const name = table[1]!;
    // Dotted names (database.table) are quoted part by part.
    const from = name.split(".").map((p) => d.ident(p)).join(".");
    const cols = await s.describe(from);
    const mapping = pickMapping(o.mapping, cols, arg);
    return finish(d, arg, [], "table", false, mapping, cols, from, d.str(name), "NULL", o);
  }
  const files = await s.glob(arg);
  if (files.length === 0) throw new InputError("no file matches", { file: arg });
  const first = files[0]!;
  const compressed = /\.gz$/i.test(first);
  const format = await fileFormat(first);
  const { from, input, pos } = await fileSource(s, arg, first, format);
  const cols = (await s.describe(from)).filter((c) => !INTERNAL.has(c.name));
  const implied = format.kind === "vpc-text" ? "aws-vpc-flow" : format.kind === "zeek-tsv" || format.zeek ? "zeek-conn" : undefined;
  const mapping = pickMapping(o.mapping === "auto" && implied ? implied : o.mapping, cols, arg);
  return finish(d, arg, files, format.kind, compressed, mapping, cols, from, input, pos, o);
}

/** Columns a reader adds (file name, row number), never source data. */
const INTERNAL = new Set(["filename", "file_row_number", "_path", "_file", "_row_number", "pm_f", "pm_file"]);

function finish(
  d: Dialect, arg: string, files: string[], format: FileFormat | "table", compressed: boolean, mapping: Mapping,
  cols: SourceColumn[], from: string, input: string, pos: string, o: SourceOptions,
): ResolvedSource {
  const ctx = mappingContext(d, cols);
  const fields = fieldsWithOverrides(mapping, ctx, o.columns);
  const where = [...o.where];
  if (o.fromMs !== undefined || o.toMs !== undefined) {
    where.push(...(mapping.timeFilter?.(ctx, o.fromMs, o.toMs) ?? []));
    // The exact range on the canonical time (the predicate above only lets the engine skip data).
    if (o.fromMs !== undefined) where.push(`${fields.time} >= ${o.fromMs}`);
    if (o.toMs !== undefined) where.push(`${fields.time} < ${o.toMs}`);
  }
  return { arg, files, format, compressed, mapping, sql: { from, input, pos, fields, where } };
}

function pickMapping(id: string, cols: readonly SourceColumn[], arg: string): Mapping {
  if (id !== "auto") return mappingById(id);
  const m = detectMapping(cols);
  if (!m) {
    throw new InputError(`no built-in mapping fits the columns (${cols.slice(0, 12).map((c) => c.name).join(", ")}${cols.length > 12 ? ", ..." : ""}); ` +
      "name one with --mapping, or give the canonical fields with --columns src=...,dst=...", { file: arg });
  }
  return m;
}

interface Detected {
  kind: FileFormat;
  /** Zeek JSON lines (read as JSON, mapped as zeek-conn). */
  zeek?: boolean;
  /** Text formats: the column names, and whether the first line holds them. */
  names?: string[];
  header?: boolean;
  /** Zeek: the separator. */
  sep?: string;
}

async function fileFormat(path: string): Promise<Detected> {
  const name = path.toLowerCase().replace(/\.gz$/, "");
  if (/\.(parquet|parq)$/.test(name)) return { kind: "parquet" };
  if (name.endsWith(".csv")) return { kind: "csv" };
  if (name.endsWith(".tsv")) return { kind: "tsv" };
  if (/\.(json|ndjson|jsonl)$/.test(name)) return { kind: "json" };
  let head: Buffer;
  try {
    const opened = await openInput(path);
    head = opened.head;
    await opened.close();
  } catch (e) {
    throw new InputError(`cannot read (${(e as Error).message})`, { file: path });
  }
  const format = detectFormat(head);
  const lines = head.toString("utf8").split("\n").map((l) => l.replace(/\r$/, ""));
  if (format === "aws-vpc-flow") {
    const first = (lines[0] ?? "").trim();
    if (first.startsWith("{")) return { kind: "json" };
    const tokens = first.split(/\s+/).map((t) => t.replace(/^\$\{|\}$/g, ""));
    const isHeader = tokens.includes("srcaddr") || tokens.includes("pkt-srcaddr") || tokens.includes("srcaddr".replace("-", "_"));
    return isHeader ? { kind: "vpc-text", names: tokens, header: true } : { kind: "vpc-text", names: VPC_DEFAULT_FIELDS, header: false };
  }
  if (format === "zeek-conn") {
    const json = lines.find((l) => l.trim() !== "" && !l.startsWith("#"))?.trimStart().startsWith("{") === true;
    if (json) return { kind: "json", zeek: true };
    const sepLine = lines.find((l) => l.startsWith("#separator"));
    const sep = sepLine ? sepLine.slice(10).trim().replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) || "\t" : "\t";
    const fields = lines.find((l) => l.startsWith("#fields"));
    if (!fields) throw new InputError("a Zeek log without a #fields line: its columns are unknown to the engine", { file: path });
    return { kind: "zeek-tsv", names: fields.slice(8).split(sep), sep };
  }
  if (format === "csv") return { kind: "csv" };
  throw new InputError(`${format ?? "an unknown format"}: the SQL engines read Parquet, CSV/TSV, NDJSON, AWS VPC flow logs and Zeek conn logs; read this input without --engine`, { file: path });
}

/** The FROM item, input name and position expressions for a file or glob on this engine. */
async function fileSource(s: EngineSession, arg: string, first: string, f: Detected): Promise<{ from: string; input: string; pos: string }> {
  const d = s.dialect;
  const lit = d.str(arg);
  if (s.fileReader === "duckdb") {
    const common = "filename = true";
    switch (f.kind) {
      case "parquet":
        return { from: `read_parquet(${lit}, ${common}, file_row_number = true, union_by_name = true)`, input: "filename", pos: "file_row_number + 1" };
      case "csv": case "tsv":
        // Every field as text: the conversions then read values as the native CSV reader does.
        // RFC 4180 as the native reader reads it: the delimiter is not guessed.
        return { from: `read_csv(${lit}, ${common}, header = true, all_varchar = true, null_padding = true, quote = '"', escape = '"', delim = ${f.kind === "tsv" ? "'\\t'" : "','"})`, input: "filename", pos: "NULL" };
      case "json":
        return { from: `read_json(${lit}, ${common}, union_by_name = true)`, input: "filename", pos: "NULL" };
      case "vpc-text": {
        const cols = f.names!.map((n) => `${d.str(n)}: 'VARCHAR'`).join(", ");
        return { from: `read_csv(${lit}, ${common}, delim = ' ', header = ${f.header ? "true" : "false"}, auto_detect = false, columns = {${cols}}, null_padding = true)`, input: "filename", pos: "NULL" };
      }
      case "zeek-tsv": {
        const cols = f.names!.map((n) => `${d.str(n)}: 'VARCHAR'`).join(", ");
        return { from: `read_csv(${lit}, ${common}, delim = ${d.str(f.sep!)}, header = false, comment = '#', auto_detect = false, columns = {${cols}}, quote = '', escape = '', null_padding = true)`, input: "filename", pos: "NULL" };
      }
    }
  }
  // ClickHouse file(): globs are its own; text formats are split here so that every field is text.
  switch (f.kind) {
    case "parquet":
      return { from: `file(${lit}, 'Parquet')`, input: "_path", pos: "_row_number + 1" };
    case "json":
      return { from: `file(${lit}, 'JSONEachRow')`, input: "_path", pos: "NULL" };
    case "csv": case "tsv": {
      const fmt = f.kind === "csv" ? "CSVWithNames" : "TSVWithNames";
      const names = (await s.describe(`file(${d.str(first)}, '${fmt}')`)).map((c) => c.name);
      const structure = names.map((n) => `${d.ident(n)} Nullable(String)`).join(", ");
      return { from: `file(${lit}, '${fmt}', ${d.str(structure)})`, input: "_path", pos: "NULL" };
    }
    case "vpc-text": case "zeek-tsv": {
      const sep = f.kind === "vpc-text" ? " " : f.sep!;
      const cols = f.names!.map((n, i) => `arrayElement(pm_f, ${i + 1}) AS ${d.ident(n)}`).join(", ");
      const skipHeader = f.kind === "zeek-tsv" ? "NOT startsWith(line, '#')" : f.header ? `line <> ${d.str(f.names!.join(" "))}` : "1";
      return {
        from: `(SELECT splitByString(${d.str(sep)}, line) AS pm_f, _path AS pm_file, ${cols} FROM file(${lit}, 'LineAsString') WHERE ${skipHeader} AND line <> '')`,
        input: "pm_file",
        pos: "NULL",
      };
    }
  }
  throw new EngineError(`cannot read ${f.kind} files with ${d.name}`);
}
