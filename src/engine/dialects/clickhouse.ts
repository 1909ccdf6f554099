/**
 * ClickHouse (23.8 and later; run here in chDB, the ClickHouse engine embedded, and against a server
 * through @clickhouse/client). Address halves are UInt64; addresses are parsed by ClickHouse's own
 * IPv4StringToNumOrNull / IPv6StringToNumOrNull.
 */
import { IPV4_RE, ansiString, literal, type Dialect, type LiteralColumn, type Step } from "../dialect.js";

export const clickhouse: Dialect = {
  name: "clickhouse",
  note: "ClickHouse 23.8 or later (or chDB): run with clickhouse-client --multiquery, or in the web UI.",
  ident: (s) => `\`${s.replace(/\\/g, "\\\\").replace(/`/g, "\\`")}\``,
  str: (s) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`,
  text: (e) => `CAST(${e} AS Nullable(String))`,
  jsonText: (e) => `toString(${e})`,
  int: (e) => `accurateCastOrNull(${e}, 'Int64')`,
  dbl: (e) => `accurateCastOrNull(${e}, 'Float64')`,
  // match() is a partial match (RE2): anchored here.
  matches: (e, re) => `match(${e}, ${clickhouseRe(re)})`,
  inWords: (e, words) => `${e} IN (${words.map((w) => clickhouse.str(w)).join(", ")})`,
  replace: (e, from, to) => `replaceAll(${e}, ${clickhouse.str(from)}, ${clickhouse.str(to)})`,
  length: (e) => `lengthUTF8(${e})`,
  isoMs: (e) => `toFloat64(toUnixTimestamp64Milli(parseDateTime64BestEffortOrNull(${e}, 3, 'UTC')))`,
  timestampMs: (e) => `toFloat64(toUnixTimestamp64Milli(toDateTime64(${e}, 3, 'UTC')))`,
  bitAnd: (a, b) => `bitAnd(${a}, ${b})`,
  shiftRight: (a, n) => `bitShiftRight(${a}, ${n})`,
  u64: (v) => `toUInt64(${v})`,
  nullU64: "CAST(NULL, 'Nullable(UInt64)')",
  toU64: (e) => `toUInt64(${e})`,
  addressSteps(col, o): Step[] {
    const b = `${o}_b`;
    return [
      [
        [`${o}_is4`, `coalesce(match(${col}, ${clickhouseRe(IPV4_RE)}), false)`],
        // "%zone" and "[...]" are dropped as the native reader does.
        [`${o}_t6`, `if(position(${col}, ':') > 0, replaceRegexpOne(splitByChar('%', ${col})[1], '^\\\\[(.*)\\\\]$', '\\\\1'), NULL)`],
      ],
      [[b, `if(lengthUTF8(${o}_t6) BETWEEN 2 AND 45, IPv6StringToNumOrNull(${o}_t6), NULL)`]],
      [
        [`${o}_hi6`, `if(${b} IS NULL, NULL, reinterpretAsUInt64(reverse(substring(assumeNotNull(${b}), 1, 8))))`],
        [`${o}_lo6`, `if(${b} IS NULL, NULL, reinterpretAsUInt64(reverse(substring(assumeNotNull(${b}), 9, 8))))`],
      ],
      [[`${o}_map`, `coalesce(${o}_hi6 = 0 AND bitShiftRight(${o}_lo6, 32) = 65535, false)`]],
      [
        [`${o}_fam`, `multiIf(${o}_is4 OR ${o}_map, 4, ${o}_hi6 IS NOT NULL, 6, 0)`],
        [`${o}_v4`, `multiIf(${o}_is4, toInt64(IPv4StringToNumOrNull(${col})), ${o}_map, toInt64(bitAnd(${o}_lo6, 4294967295)), NULL)`],
        [`${o}_hi`, `if(${o}_hi6 IS NOT NULL AND NOT ${o}_map, ${o}_hi6, NULL)`],
        [`${o}_lo`, `if(${o}_hi6 IS NOT NULL AND NOT ${o}_map, ${o}_lo6, NULL)`],
      ],
    ];
  },
  argMin: (value, order) => `argMin(tuple(${value.join(", ")}), tuple(${order.join(", ")}))`,
  field: (e, i) => `tupleElement(${e}, ${i + 1})`,
  firstLabels: (label, order, n) =>
    `arraySlice(arrayMap(x -> x.2, arraySort(x -> x.1, groupArrayIf((tuple(${order.join(", ")}), assumeNotNull(${label})), ${label} IS NOT NULL))), 1, ${n})`,
  grouping: (col) => `grouping(${col})`,
  values(alias, cols, rows) {
    const type = (t: LiteralColumn[1]) => (t === "u64" ? "UInt64" : t === "int" ? "Int64" : "String");
    const structure = cols.map(([n, t]) => `${n} ${type(t)}`).join(", ");
    if (rows.length === 0) return `(SELECT * FROM values('${structure}', (${cols.map(([, t]) => (t === "text" ? "''" : "0")).join(", ")})) WHERE 0) AS ${alias}`;
    const body = rows.map((r) => `(${r.map((v, i) => literal(clickhouse, v, cols[i]![1] === "u64" ? "int" : cols[i]![1])).join(", ")})`).join(", ");
    return `(SELECT * FROM values('${structure}', ${body})) AS ${alias}`;
  },
  maxDouble: "inf",
  prologue: "",
  // Standard GROUPING() (1 when the column is aggregated away) and NULL where SQL has NULL.
  // Short-circuit evaluation re-evaluates a lazily computed argument for every branch that masks it: with
  // the nested CASEs of the classification that grows exponentially with the chain (measured: minutes and
  // 21 GiB for 100k rows); evaluated once per step instead.
  epilogue: "\nSETTINGS force_grouping_standard_compatibility = 1, join_use_nulls = 1, allow_experimental_analyzer = 1, short_circuit_function_evaluation = 'disable'",
  asof: true,
  structField: (parent, field) => `tupleElement(${parent}, ${clickhouse.str(field)})`,
  packFirst: {
    pack: (time, pos, sport) => `min(bitOr(bitOr(bitShiftLeft(toInt128(round(coalesce(${time} * 1000, 4611686018427387904))), 64), bitShiftLeft(toInt128(coalesce(${pos}, 0)), 17)), toInt128(${sport} + 1)))`,
    withSport: (p, sport) => `bitOr(bitShiftLeft(bitShiftRight(${p}, 17), 17), toInt128(${sport} + 1))`,
    time: (p) => `bitShiftRight(${p}, 64)`,
    pos: (p) => `toInt64(bitAnd(bitShiftRight(${p}, 17), 140737488355327))`,
    sport: (p) => `toInt64(bitAnd(${p}, 131071)) - 1`,
  },
};

function clickhouseRe(re: string): string {
  return ansiString(`^(?:${re})$`).replace(/\\/g, "\\\\");
}
