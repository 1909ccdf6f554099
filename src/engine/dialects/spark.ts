/**
 * Spark SQL (3.4 and later, also Databricks SQL). Address halves are signed BIGINT bit patterns; IPv6
 * text is parsed with array functions (Spark has no address type). Verified by parsing with Spark's
 * own grammar (dt-sql-parser's SparkSQL), not by running it here.
 */
import { IPV4_RE, literal, type Dialect, type LiteralColumn, type Step } from "../dialect.js";
import { signed64 } from "./trino.js";

const str = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
const ident = (s: string) => `\`${s.replace(/`/g, "``")}\``;
const HEX_GROUP = "[0-9a-fA-F]{1,4}";

function v4Value(e: string): string {
  return `aggregate(split(${e}, '\\\\.'), CAST(0 AS BIGINT), (a, y) -> a * 256 + CAST(y AS BIGINT))`;
}
function hexGroups(list: string): string {
  return `transform(${list}, g -> CASE WHEN g RLIKE ${str(`^${HEX_GROUP}$`)} THEN CAST(conv(g, 16, 10) AS BIGINT) END)`;
}

export const spark: Dialect = {
  name: "spark",
  note: "Spark SQL 3.4 or later (Databricks SQL): run with spark-sql -e, or spark.sql(...) (the query reads the table or view named by --table).",
  ident,
  str,
  text: (e) => `CAST(${e} AS STRING)`,
  jsonText: (e) => `CAST(${e} AS STRING)`,
  int: (e) => `try_cast(${e} AS BIGINT)`,
  dbl: (e) => `try_cast(${e} AS DOUBLE)`,
  matches: (e, re) => `(${e} RLIKE ${str(`^(?:${re})$`)})`,
  inWords: (e, words) => `${e} IN (${words.map(str).join(", ")})`,
  replace: (e, from, to) => `replace(${e}, ${str(from)}, ${str(to)})`,
  length: (e) => `char_length(${e})`,
  isoMs: (e) => `CAST(unix_millis(try_to_timestamp(${e})) AS DOUBLE)`,
  timestampMs: (e) => `CAST(unix_millis(${e}) AS DOUBLE)`,
  bitAnd: (a, b) => `(${a} & ${b})`,
  shiftRight: (a, n) => `shiftright(${a}, ${n})`,
  u64: signed64,
  nullU64: "CAST(NULL AS BIGINT)",
  toU64: (e) => `CAST(${e} AS BIGINT)`,
  addressSteps(col, o): Step[] {
    const h = `${o}_h`, ga = `${o}_ga`, gb = `${o}_gb`, na = `${o}_na`, nb = `${o}_nb`, g = `${o}_g`;
    // split() takes a regular expression: "::" and ":" are literal there.
    return [
      [
        [`${o}_is4`, `coalesce(${col} RLIKE ${str(`^(?:${IPV4_RE})$`)}, false)`],
        [`${o}_t6`, `CASE WHEN instr(${col}, ':') > 0 THEN regexp_replace(split_part(${col}, '%', 1), '^\\\\[(.*)\\\\]$', '$1') END`],
      ],
      [[h, `CASE WHEN char_length(${o}_t6) BETWEEN 2 AND 45 THEN split(${o}_t6, '::', -1) END`]],
      [
        [ga, `CASE WHEN size(${h}) = 2 THEN CASE WHEN ${h}[0] = '' THEN array() ELSE split(${h}[0], ':', -1) END END`],
        [gb, `CASE WHEN size(${h}) = 2 THEN CASE WHEN ${h}[1] = '' THEN array() ELSE split(${h}[1], ':', -1) END WHEN size(${h}) = 1 THEN split(${h}[0], ':', -1) END`],
      ],
      [
        [na, hexGroups(ga)],
        [nb, `CASE WHEN size(${gb}) > 0 AND instr(element_at(${gb}, -1), '.') > 0 THEN concat(${hexGroups(`slice(${gb}, 1, size(${gb}) - 1)`)}, ` +
          `CASE WHEN element_at(${gb}, -1) RLIKE ${str(`^(?:${IPV4_RE})$`)} THEN array(shiftright(${v4Value(`element_at(${gb}, -1)`)}, 16), ${v4Value(`element_at(${gb}, -1)`)} & 65535) ELSE array(CAST(NULL AS BIGINT), CAST(NULL AS BIGINT)) END) ` +
          `ELSE ${hexGroups(gb)} END`],
      ],
      [[g, `CASE WHEN size(${h}) = 2 AND size(${na}) + size(${nb}) <= 7 THEN concat(${na}, array_repeat(CAST(0 AS BIGINT), 8 - size(${na}) - size(${nb})), ${nb}) ` +
        `WHEN size(${h}) = 1 AND size(${nb}) = 8 THEN ${nb} END`]],
      [[`${o}_ok6`, `coalesce(size(filter(${g}, x -> x IS NULL)) = 0, false)`]],
      [
        [`${o}_hi6`, `CASE WHEN ${o}_ok6 THEN shiftleft(${g}[0], 48) | shiftleft(${g}[1], 32) | shiftleft(${g}[2], 16) | ${g}[3] END`],
        [`${o}_lo6`, `CASE WHEN ${o}_ok6 THEN shiftleft(${g}[4], 48) | shiftleft(${g}[5], 32) | shiftleft(${g}[6], 16) | ${g}[7] END`],
      ],
      [[`${o}_map`, `coalesce(${o}_hi6 = 0 AND shiftrightunsigned(${o}_lo6, 32) = 65535, false)`]],
      [
        [`${o}_fam`, `CASE WHEN ${o}_is4 OR ${o}_map THEN 4 WHEN ${o}_ok6 THEN 6 ELSE 0 END`],
        [`${o}_v4`, `CASE WHEN ${o}_is4 THEN ${v4Value(col)} WHEN ${o}_map THEN ${o}_lo6 & 4294967295 END`],
        [`${o}_hi`, `CASE WHEN ${o}_ok6 AND NOT ${o}_map THEN ${o}_hi6 END`],
        [`${o}_lo`, `CASE WHEN ${o}_ok6 AND NOT ${o}_map THEN ${o}_lo6 END`],
      ],
    ];
  },
  argMin: (value, order) => `min_by(struct(${value.map((v, i) => `${v} AS f${i}`).join(", ")}), struct(${order.map((v, i) => `${v} AS o${i}`).join(", ")}))`,
  field: (e, i) => `${e}.f${i}`,
  firstLabels: (label, order, n) =>
    `slice(transform(array_sort(collect_list(CASE WHEN ${label} IS NOT NULL THEN struct(${order.map((v, i) => `${v} AS o${i}`).join(", ")}, ${label} AS l) END)), x -> x.l), 1, ${n})`,
  grouping: (col) => `grouping(${col})`,
  values(alias, cols, rows) {
    const type = (t: LiteralColumn[1]) => (t === "text" ? "STRING" : "BIGINT");
    if (rows.length === 0) return `(SELECT ${cols.map(([n, t]) => `CAST(NULL AS ${type(t)}) AS ${ident(n)}`).join(", ")} WHERE false) AS ${alias}`;
    const body = rows.map((r) => `(${r.map((v, i) => literal(spark, v, cols[i]![1])).join(", ")})`).join(", ");
    return `(VALUES ${body}) AS ${alias}(${cols.map(([n]) => ident(n)).join(", ")})`;
  },
  maxDouble: "double('infinity')",
  prologue: "",
  epilogue: "",
  asof: false,
  structField: (parent, field) => `${parent}.${ident(field)}`,
};
