/**
 * What differs between SQL engines, and nothing else: spellings of casts, bit operations, regular
 * expressions, address parsing, ordered aggregates and literal tables. The query (query.ts) is written
 * once against this interface; each engine is one module in dialects/, registered in dialects/index.ts.
 */

export type DialectName = "duckdb" | "clickhouse" | "trino" | "spark" | "bigquery";

/**
 * One step of a query chain: `SELECT *, <exprs> FROM (previous)`. An expression may name the columns
 * of earlier steps only (not its siblings), which every engine accepts.
 */
export type Step = [alias: string, expr: string][];

/** A column of a literal table and its SQL type name as the dialect spells it. */
export type LiteralColumn = [name: string, type: "int" | "u64" | "text"];

export interface Dialect {
  readonly name: DialectName;
  /** How a person reading `portmatrix sql` runs this against their engine (a comment line). */
  readonly note: string;

  ident(name: string): string;
  str(s: string): string;
  /** The value as text (NULL stays NULL). */
  text(e: string): string;
  /** A JSON value (mixed types in a JSON input) as text: a string without its quotes, a number's digits. */
  jsonText(e: string): string;
  /** The value as a 64-bit integer, NULL when it is not one (text or number input). */
  int(e: string): string;
  /** The value as a double, NULL when it is not a number. */
  dbl(e: string): string;
  /** Does the whole text match the regular expression (RE2 / Java syntax common subset)? */
  matches(e: string, re: string): string;
  /** Is the text one of the (lower-case) words? */
  inWords(e: string, words: readonly string[]): string;
  /** Text of `e` with every `from` replaced by `to`. */
  replace(e: string, from: string, to: string): string;
  /** Number of characters. */
  length(e: string): string;
  /** Milliseconds since the epoch of an ISO 8601 / "YYYY-MM-DD hh:mm:ss" text, NULL when it is not one. */
  isoMs(e: string): string;
  /** Milliseconds since the epoch of a TIMESTAMP value. */
  timestampMs(e: string): string;

  bitAnd(a: string, b: string): string;
  shiftRight(a: string, n: number): string;
  /** A 64-bit literal in the representation the address halves use (unsigned where the engine has it). */
  u64(v: bigint): string;
  /** A NULL of the address-half type (for IPv4 rows). */
  readonly nullU64: string;
  /** A non-negative integer (an IPv4 value) in the address-half type. */
  toU64(e: string): string;

  /**
   * Steps that parse the trimmed address text column `col` into `${out}_fam` (4, 6, or 0 when it is not
   * an address), `${out}_v4` (IPv4 value, else NULL), `${out}_hi` and `${out}_lo` (IPv6 as two 64-bit
   * halves, else NULL). An IPv4-mapped IPv6 address is the IPv4 host, as in the native reader.
   */
  addressSteps(col: string, out: string): Step[];

  /** The `value` expressions of the row whose `order` expressions are least, as one column. */
  argMin(value: readonly string[], order: readonly string[]): string;
  /** Field `i` (0-based) of a column made by argMin. */
  field(e: string, i: number): string;
  /** The non-NULL `label`s ordered by `order`, the first `n`, as an array. */
  firstLabels(label: string, order: readonly string[], n: number): string;
  grouping(col: string): string;
  /** A literal table usable in FROM, with column names and types. */
  values(alias: string, cols: readonly LiteralColumn[], rows: readonly (readonly (number | bigint | string)[])[]): string;
  /** The largest double, for "no time" sorting last. */
  readonly maxDouble: string;
  /** A statement prefix the engine needs (settings), or "". */
  readonly prologue: string;
  /** Text after the final SELECT (SETTINGS ...), or "". */
  readonly epilogue: string;
  /**
   * Does the engine compute a WITH step named twice once (DuckDB materialises it)? Where it inlines each
   * use (ClickHouse, Trino, Spark, BigQuery), the address table reads the sources' address columns
   * again rather than repeating the grouping pass over the records.
   */
  readonly materialisesCtes?: boolean;
  /** Does the engine have a range join (`ASOF LEFT JOIN ... ON a = b AND x >= y`) for the IPv4 intervals? */
  readonly asof: boolean;
  /** Field `field` of the struct (tuple, row) column `parent`. */
  structField(parent: string, field: string): string;
  /**
   * Engines with 128-bit integers: the first occurrence within a group as one min() over (time in µs,
   * position, source port) packed into an integer, far cheaper than an arg_min over a struct. `time` is
   * ms (double, NULL sorts last), `pos` >= 0 or NULL, `sport` -1..65535.
   */
  packFirst?: {
    pack(time: string, pos: string, sport: string): string;
    /** A packed value `p` (not aggregated) with its source port replaced. */
    withSport(p: string, sport: string): string;
    time(p: string): string;
    pos(p: string): string;
    sport(p: string): string;
  };
}

/** SQL string literal with doubled quotes (ANSI). */
export function ansiString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Identifier in double quotes (ANSI), quotes doubled. */
export function ansiIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** A literal value for a literal table. */
export function literal(d: Dialect, v: number | bigint | string, type: LiteralColumn[1]): string {
  if (typeof v === "string") return d.str(v);
  if (type === "u64") return d.u64(BigInt(v));
  return String(v);
}

/** IPv4 dotted quad with each part 0-255 and no leading zero (the native reader's rule). */
export const IPV4_RE = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}";
