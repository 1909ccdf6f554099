/**
 * Trino (and Amazon Athena engine 3, which is Trino). Address halves are signed BIGINT bit patterns:
 * CAST(text AS IPADDRESS) holds every address as 16 bytes (IPv4 mapped), read as two big-endian halves.
 * Verified by parsing with Trino's own grammar (dt-sql-parser's TrinoSQL), not by running it here.
 */
import { IPV4_RE, ansiIdent, ansiString, literal, type Dialect, type LiteralColumn, type Step } from "../dialect.js";

export function signed64(v: bigint): string {
  const s = BigInt.asIntN(64, v);
  // -2^63 has no positive literal to negate.
  return s === -(2n ** 63n) ? "(-9223372036854775807 - 1)" : String(s);
}

export const trino: Dialect = {
  name: "trino",
  note: "Trino 400 or later, Amazon Athena engine 3: run in the Trino CLI or the Athena console (the query reads the table named by --table).",
  ident: ansiIdent,
  str: ansiString,
  text: (e) => `CAST(${e} AS VARCHAR)`,
  jsonText: (e) => `json_format(${e})`,
  int: (e) => `TRY_CAST(${e} AS BIGINT)`,
  dbl: (e) => `TRY_CAST(${e} AS DOUBLE)`,
  matches: (e, re) => `regexp_like(${e}, ${ansiString(`^(?:${re})$`)})`,
  inWords: (e, words) => `${e} IN (${words.map(ansiString).join(", ")})`,
  replace: (e, from, to) => `replace(${e}, ${ansiString(from)}, ${ansiString(to)})`,
  length: (e) => `length(${e})`,
  isoMs: (e) => `CAST(to_unixtime(TRY(from_iso8601_timestamp(replace(${e}, ' ', 'T')))) * 1000 AS DOUBLE)`,
  timestampMs: (e) => `CAST(to_unixtime(${e}) * 1000 AS DOUBLE)`,
  bitAnd: (a, b) => `bitwise_and(${a}, ${b})`,
  shiftRight: (a, n) => `bitwise_right_shift(${a}, ${n})`,
  u64: signed64,
  nullU64: "CAST(NULL AS BIGINT)",
  toU64: (e) => `CAST(${e} AS BIGINT)`,
  addressSteps(col, o): Step[] {
    const b = `${o}_b`;
    return [
      [
        [`${o}_is4`, `coalesce(regexp_like(${col}, ${ansiString(`^(?:${IPV4_RE})$`)}), false)`],
        [`${o}_t6`, `CASE WHEN strpos(${col}, ':') > 0 THEN regexp_replace(split_part(${col}, '%', 1), '^\\[(.*)\\]$', '$1') END`],
      ],
      [[b, `CAST(TRY_CAST(CASE WHEN ${o}_is4 THEN ${col} WHEN length(${o}_t6) BETWEEN 2 AND 45 THEN ${o}_t6 END AS IPADDRESS) AS VARBINARY)`]],
      [
        [`${o}_hi6`, `from_big_endian_64(substr(${b}, 1, 8))`],
        [`${o}_lo6`, `from_big_endian_64(substr(${b}, 9, 8))`],
      ],
      // IPADDRESS keeps IPv4 as ::ffff:a.b.c.d: mapped means IPv4, as in the native reader.
      [[`${o}_map`, `coalesce(${o}_hi6 = 0 AND bitwise_right_shift(${o}_lo6, 32) = 65535, false)`]],
      [
        [`${o}_fam`, `CASE WHEN ${o}_map THEN 4 WHEN ${o}_b IS NOT NULL THEN 6 ELSE 0 END`],
        [`${o}_v4`, `CASE WHEN ${o}_map THEN bitwise_and(${o}_lo6, 4294967295) END`],
        [`${o}_hi`, `CASE WHEN ${o}_b IS NOT NULL AND NOT ${o}_map THEN ${o}_hi6 END`],
        [`${o}_lo`, `CASE WHEN ${o}_b IS NOT NULL AND NOT ${o}_map THEN ${o}_lo6 END`],
      ],
    ];
  },
  argMin: (value, order) => `min_by(ROW(${value.join(", ")}), ROW(${order.join(", ")}))`,
  field: (e, i) => `${e}[${i + 1}]`,
  firstLabels: (label, order, n) => `slice(array_agg(${label} ORDER BY ${order.join(", ")}) FILTER (WHERE ${label} IS NOT NULL), 1, ${n})`,
  grouping: (col) => `grouping(${col})`,
  values(alias, cols, rows) {
    const type = (t: LiteralColumn[1]) => (t === "text" ? "VARCHAR" : "BIGINT");
    if (rows.length === 0) return `(SELECT ${cols.map(([n, t]) => `CAST(NULL AS ${type(t)}) AS ${ansiIdent(n)}`).join(", ")} WHERE false) AS ${alias}`;
    const body = rows.map((r) => `(${r.map((v, i) => literal(trino, v, cols[i]![1])).join(", ")})`).join(", ");
    return `(VALUES ${body}) AS ${alias}(${cols.map(([n]) => ansiIdent(n)).join(", ")})`;
  },
  maxDouble: "infinity()",
  prologue: "",
  epilogue: "",
  asof: false,
  structField: (parent, field) => `${parent}.${ansiIdent(field)}`,
};
