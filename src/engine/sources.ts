/**
 * From the command line's INPUT arguments to what the query reads: each argument is a file, a glob
 * (expanded and read by the engine itself), or `table:NAME` (a table or view in the DuckDB file or
 * ClickHouse database of --engine-url). Files are told apart by name (.parquet, .csv, .tsv, .json,
 * .ndjson, .jsonl, each optionally .gz); any other name is read as text and recognised by its content
 * with the native detector: AWS VPC flow logs (space separated), Zeek conn.log (TSV or JSON lines), CSV.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { openInput } from "../source/inputs.js";
import { hasGlob } from "./glob.js";
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

/** The line-level skip reason column of a line source (see lineSource). */
export const LINE_SKIP = "pm_line_skip";

export async function resolveSources(s: EngineSession, args: readonly string[], o: SourceOptions): Promise<ResolvedSource[]> {
  const out: ResolvedSource[] = [];
  for (const arg of args.flatMap(directoryGlobs)) out.push(await resolveSource(s, arg, o));
  return out;
}

/**
 * A directory (a data lake's prefix; the native path reads directories too) is read as one glob per
 * file ending found under it at any depth (every .parquet, every .log.gz...), so that the engine reads
 * each kind with its own reader; a file without an extension is read on its own. Names starting with
 * "." or "_" (Spark's and Hive's _SUCCESS and _committed markers, hidden files) add no ending.
 */
export function directoryGlobs(arg: string): string[] {
  if (TABLE.test(arg) || hasGlob(arg) || statSync(arg, { throwIfNoEntry: false })?.isDirectory() !== true) return [arg];
  const endings = new Set<string>();
  const single: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw new InputError(`cannot read directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: dir });
    }
    for (const n of names) {
      if (n.startsWith(".") || n.startsWith("_")) continue;
      const p = join(dir, n);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) { walk(p); continue; }
      const ending = /(\.[A-Za-z0-9]+)?(\.gz)?$/i.exec(n.slice(1))?.[0] ?? "";
      if (ending === "" || ending.toLowerCase() === ".gz") single.push(p);
      else endings.add(ending);
    }
  };
  walk(arg);
  const out = [...[...endings].sort().map((e) => `${join(arg, "**", "*")}${e}`), ...single];
  if (out.length === 0) throw new InputError("an empty directory: no file to read", { file: arg });
  return out;
}

async function resolveSource(s: EngineSession, arg: string, o: SourceOptions): Promise<ResolvedSource> {
  const d = s.dialect;
  const table = TABLE.exec(arg);
  if (table) {
    const name = table[1]!;
    // Dotted names (database.table) are quoted part by part.
    const from = name.split(".").map((p) => d.ident(p)).join(".");
    const cols = await describe(s, from, arg);
    const mapping = pickMapping(o.mapping, cols, arg);
    return finish(d, arg, [], "table", false, mapping, cols, from, d.str(name), "NULL", o);
  }
  const files = await s.glob(arg);
  if (files.length === 0) throw new InputError("no file matches", { file: arg });
  const first = files[0]!;
  const compressed = /\.gz$/i.test(first);
  const format = await fileFormat(first);
  const { from, input, pos } = await fileSource(s, arg, first, format);
  const cols = (await describe(s, from, arg)).filter((c) => !INTERNAL.has(c.name));
  const implied = format.kind === "vpc-text" ? "aws-vpc-flow" : format.kind === "zeek-tsv" || format.zeek ? "zeek-conn" : undefined;
  const mapping = pickMapping(o.mapping === "auto" && implied ? implied : o.mapping, cols, arg);
  return finish(d, arg, files, format.kind, compressed, mapping, cols, from, input, pos, o);
}

/** The columns of a source, or an error that names the input. */
async function describe(s: EngineSession, from: string, arg: string): Promise<SourceColumn[]> {
  try {
    return await s.describe(from);
  } catch (e) {
    throw new InputError(`the ${s.dialect.name} engine cannot read it: ${(e as Error).message.replace(/^[^:]*: /, "")}`, { file: arg });
  }
}

/** Columns a reader adds (file name, row number), never source data. */
const INTERNAL = new Set(["filename", "file_row_number", "_path", "_file", "_row_number", "pm_f", "pm_file", "pm_line", LINE_SKIP]);

function finish(
  d: Dialect, arg: string, files: string[], format: FileFormat | "table", compressed: boolean, mapping: Mapping,
  cols: SourceColumn[], from: string, input: string, pos: string, o: SourceOptions,
): ResolvedSource {
  const ctx = mappingContext(d, cols);
  const fields = fieldsWithOverrides(mapping, ctx, o.columns);
  // A line source's own reasons (header, comment, width) come before the mapping's.
  if (format === "vpc-text" || format === "zeek-tsv") fields.skip = `coalesce(${LINE_SKIP}, ${fields.skip})`;
  const where = [...o.where];
  if (o.fromMs !== undefined || o.toMs !== undefined) {
    where.push(...(mapping.timeFilter?.(ctx, o.fromMs, o.toMs) ?? []));
    // The exact range on the canonical time (the predicate above only lets the engine skip data).
    if (o.fromMs !== undefined) where.push(`${fields.time} >= ${o.fromMs}`);
    if (o.toMs !== undefined) where.push(`${fields.time} < ${o.toMs}`);
  }
  const columns = [...cols.map((c) => c.name), ...(format === "vpc-text" || format === "zeek-tsv" ? [LINE_SKIP] : [])];
  return { arg, files, format, compressed, mapping, sql: { from, input, pos, fields, where, columns } };
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
  if (f.kind === "vpc-text" || f.kind === "zeek-tsv") return lineSource(s, lit, f);
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
    }
  }
  // ClickHouse file(): globs are its own.
  switch (f.kind) {
    case "parquet":
      return { from: `file(${lit}, 'Parquet')`, input: "_path", pos: "_row_number + 1" };
    case "json":
      return { from: `file(${lit}, 'JSONEachRow')`, input: "_path", pos: "NULL" };
    case "csv": case "tsv": {
      // The header as the native reader reads it, every field as text, short rows padded.
      const names = (await headerLine(first)).split(f.kind === "csv" ? "," : "\t").map((n) => n.trim().replace(/^"(.*)"$/, "$1"));
      const structure = names.map((n) => `${d.ident(n)} Nullable(String)`).join(", ");
      return { from: `file(${lit}, '${f.kind === "csv" ? "CSVWithNames" : "TSVWithNames"}', ${d.str(structure)})`, input: "_path", pos: "NULL" };
    }
  }
  throw new EngineError(`cannot read ${f.kind} files with ${d.name}`);
}

async function headerLine(path: string): Promise<string> {
  const opened = await openInput(path);
  const text = opened.head.toString("utf8");
  await opened.close();
  return text.split("\n")[0]!.replace(/\r$/, "");
}

/**
 * VPC text and Zeek TSV read line by line and split in SQL, so that every line is a record with the
 * native reader's accounting: header and comment lines, and rows of the wrong width (truncated-row,
 * extra-fields), are skipped with its reasons. One layout per file: the first line's header (VPC), the
 * #fields line (Zeek), or VPC's default version 2 layout.
 */
function lineSource(s: EngineSession, lit: string, f: Detected): { from: string; input: string; pos: string } {
  const d = s.dialect;
  const names = f.names!;
  const n = names.length;
  const duck = s.fileReader === "duckdb";
  const lines = duck
    ? `SELECT line AS pm_line, filename AS pm_file FROM read_csv(${lit}, filename = true, header = false, auto_detect = false, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', strict_mode = false)`
    : `SELECT line AS pm_line, _path AS pm_file FROM file(${lit}, 'LineAsString')`;
  let body: string;
  let skip: string;
  const el = (list: string, i: number) => (duck ? `${list}[${i + 1}]` : `arrayElement(${list}, ${i + 1})`);
  const len = (list: string) => (duck ? `len(${list})` : `length(${list})`);
  const starts = (e: string) => (duck ? `starts_with(${e}, '#')` : `startsWith(${e}, '#')`);
  if (f.kind === "vpc-text") {
    // Fields are split on runs of white space; AWS's examples end a record with "#comment".
    const split = duck ? `regexp_split_to_array(trim(split_part(pm_line, ' #', 1)), '\\s+')` : `splitByRegexp('\\\\s+', trim(splitByString(' #', pm_line)[1]))`;
    body = `SELECT *, ${split} AS pm_f FROM (${lines})`;
    const header = f.header ? `WHEN pm_line = ${d.str(f.names!.join(" "))} THEN 'header' ` : "";
    skip = `CASE WHEN trim(pm_line) = '' THEN 'blank' WHEN ${starts("trim(pm_line)")} THEN 'comment' ${header}` +
      `WHEN ${len("pm_f")} < ${n} THEN 'truncated-row' WHEN ${len("pm_f")} > ${n} THEN 'extra-fields' END`;
  } else {
    const split = duck ? `string_split(pm_line, ${d.str(f.sep!)})` : `splitByString(${d.str(f.sep!)}, pm_line)`;
    body = `SELECT *, ${split} AS pm_f FROM (${lines})`;
    const headers = ["#separator", "#set_separator", "#empty_field", "#unset_field", "#path", "#open", "#fields", "#types", "#close"];
    const first = duck ? `split_part(replace(pm_line, ${d.str(f.sep!)}, ' '), ' ', 1)` : `splitByChar(' ', replaceAll(pm_line, ${d.str(f.sep!)}, ' '))[1]`;
    skip = `CASE WHEN pm_line = '' THEN 'blank' WHEN ${starts("pm_line")} THEN CASE WHEN ${first} IN (${headers.map((h) => d.str(h)).join(", ")}) THEN 'header' ELSE 'comment' END ` +
      `WHEN ${len("pm_f")} < ${n} THEN 'truncated-row' WHEN ${len("pm_f")} > ${n} THEN 'extra-fields' END`;
  }
  const cols = names.map((name, i) => `${el("pm_f", i)} AS ${d.ident(name)}`).join(", ");
  return { from: `(SELECT *, ${cols}, ${skip} AS ${LINE_SKIP} FROM (${body}) AS pm_l1) AS pm_l2`, input: "pm_file", pos: "NULL" };
}
