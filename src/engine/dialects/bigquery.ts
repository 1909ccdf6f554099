/**
 * BigQuery GoogleSQL. Address halves are signed INT64 bit patterns from NET.SAFE_IP_FROM_STRING's 4 or
 * 16 bytes. Verified by parsing (node-sql-parser's BigQuery grammar), not by running it here.
 */
import { IPV4_RE, literal, type Dialect, type LiteralColumn, type Step } from "../dialect.js";
import { signed64 } from "./trino.js";

const str = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const ident = (s: string) => `\`${s.replace(/`/g, "\\`")}\``;

/** A signed INT64 from 8 bytes: two 32-bit halves, each exact in a hex cast. */
function int64Of(bytes: string): string {
  const half = (from: number) => `CAST(CONCAT('0x', TO_HEX(SUBSTR(${bytes}, ${from}, 4))) AS INT64)`;
  return `((${half(1)} << 32) | ${half(5)})`;
}

export const bigquery: Dialect = {
  name: "bigquery",
  note: "BigQuery (GoogleSQL): run in the console or with bq query --use_legacy_sql=false (the query reads the table named by --table).",
  ident,
  str,
  text: (e) => `CAST(${e} AS STRING)`,
  jsonText: (e) => `JSON_VALUE(${e})`,
  int: (e) => `SAFE_CAST(${e} AS INT64)`,
  dbl: (e) => `SAFE_CAST(${e} AS FLOAT64)`,
  matches: (e, re) => `REGEXP_CONTAINS(${e}, ${str(`^(?:${re})$`)})`,
  inWords: (e, words) => `${e} IN (${words.map(str).join(", ")})`,
  replace: (e, from, to) => `REPLACE(${e}, ${str(from)}, ${str(to)})`,
  length: (e) => `CHAR_LENGTH(${e})`,
  isoMs: (e) => `CAST(UNIX_MILLIS(SAFE_CAST(${e} AS TIMESTAMP)) AS FLOAT64)`,
  timestampMs: (e) => `CAST(UNIX_MILLIS(${e}) AS FLOAT64)`,
  bitAnd: (a, b) => `(${a} & ${b})`,
  shiftRight: (a, n) => `(${a} >> ${n})`,
  u64: signed64,
  nullU64: "CAST(NULL AS INT64)",
  toU64: (e) => `CAST(${e} AS INT64)`,
  addressSteps(col, o): Step[] {
    const b = `${o}_b`;
    return [
      [
        [`${o}_is4`, `COALESCE(REGEXP_CONTAINS(${col}, ${str(`^(?:${IPV4_RE})$`)}), FALSE)`],
        [`${o}_t6`, `CASE WHEN STRPOS(${col}, ':') > 0 AND CHAR_LENGTH(REGEXP_REPLACE(SPLIT(${col}, '%')[OFFSET(0)], r'^\\[(.*)\\]$', r'\\1')) BETWEEN 2 AND 45 THEN REGEXP_REPLACE(SPLIT(${col}, '%')[OFFSET(0)], r'^\\[(.*)\\]$', r'\\1') END`],
      ],
      [[b, `CASE WHEN ${o}_is4 THEN NET.SAFE_IP_FROM_STRING(${col}) WHEN ${o}_t6 IS NOT NULL THEN NET.SAFE_IP_FROM_STRING(${o}_t6) END`]],
      [
        [`${o}_hi6`, `CASE WHEN BYTE_LENGTH(${b}) = 16 THEN ${int64Of(`${b}`)} END`],
        [`${o}_lo6`, `CASE WHEN BYTE_LENGTH(${b}) = 16 THEN ${int64Of(`SUBSTR(${b}, 9, 8)`)} END`],
      ],
      [[`${o}_map`, `COALESCE(${o}_hi6 = 0 AND ((${o}_lo6 >> 32) & 4294967295) = 65535, FALSE)`]],
      [
        [`${o}_fam`, `CASE WHEN BYTE_LENGTH(${b}) = 4 OR ${o}_map THEN 4 WHEN BYTE_LENGTH(${b}) = 16 THEN 6 ELSE 0 END`],
        [`${o}_v4`, `CASE WHEN BYTE_LENGTH(${b}) = 4 THEN NET.IPV4_TO_INT64(${b}) WHEN ${o}_map THEN ${o}_lo6 & 4294967295 END`],
        [`${o}_hi`, `CASE WHEN BYTE_LENGTH(${b}) = 16 AND NOT ${o}_map THEN ${o}_hi6 END`],
        [`${o}_lo`, `CASE WHEN BYTE_LENGTH(${b}) = 16 AND NOT ${o}_map THEN ${o}_lo6 END`],
      ],
    ];
  },
  argMin: (value, order) => `ARRAY_AGG(STRUCT(${value.map((v, i) => `${v} AS f${i}`).join(", ")}) ORDER BY ${order.join(", ")} LIMIT 1)[OFFSET(0)]`,
  field: (e, i) => `${e}.f${i}`,
  firstLabels: (label, order, n) => `ARRAY_AGG(${label} IGNORE NULLS ORDER BY ${order.join(", ")} LIMIT ${n})`,
  grouping: (col) => `GROUPING(${col})`,
  values(alias, cols, rows) {
    const type = (t: LiteralColumn[1]) => (t === "text" ? "STRING" : "INT64");
    if (rows.length === 0) return `(SELECT ${cols.map(([n, t]) => `CAST(NULL AS ${type(t)}) AS ${ident(n)}`).join(", ")} LIMIT 0) AS ${alias}`;
    const [firstRow, ...rest] = rows;
    const firstStruct = `STRUCT(${firstRow!.map((v, i) => `${literal(bigquery, v, cols[i]![1])} AS ${ident(cols[i]![0])}`).join(", ")})`;
    const body = [firstStruct, ...rest.map((r) => `(${r.map((v, i) => literal(bigquery, v, cols[i]![1])).join(", ")})`)].join(", ");
    return `(SELECT * FROM UNNEST([${body}])) AS ${alias}`;
  },
  maxDouble: "CAST('inf' AS FLOAT64)",
  prologue: "",
  epilogue: "",
  asof: false,
  structField: (parent, field) => `${parent}.${ident(field)}`,
};
