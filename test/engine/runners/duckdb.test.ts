/**
 * The DuckDB runner's packed result (runners/duckdb.ts packed): each row as one JSON text must give
 * the values the binding's own value-by-value read gives, for every kind of result column, including
 * the values JSON and a JavaScript number cannot carry as they are.
 */
import { describe, it, expect } from "vitest";
import { HAVE_DUCKDB, needs } from "../../helpers/engines.js";
import type { ResultKind } from "../../../src/engine/query.js";

/** Rows that reach every edge of each kind: one column per kind, NULLs included. */
const CASES: { name: string; kind: ResultKind; values: string[] }[] = [
  { name: "i", kind: "int", values: ["0", "-1", "65535", "9007199254740991", "NULL"] },
  // Times in ms, fractional (Zeek's microseconds), not finite, NULL; sums as HUGEINT.
  { name: "n", kind: "number", values: ["1793491205791::DOUBLE", "1793491205791.123::DOUBLE", "'inf'::DOUBLE", "'-inf'::DOUBLE", "NULL::DOUBLE"] },
  { name: "h", kind: "number", values: ["12::HUGEINT", "0::HUGEINT", "123456789012::HUGEINT", "NULL::HUGEINT", "1::HUGEINT"] },
  // IPv6 halves above 2^53 (fd00::/8), the largest, an IPv4 address, 2^53 itself.
  { name: "u", kind: "u64", values: ["18230571291595767808::UBIGINT", "18446744073709551615::UBIGINT", "3232235777::UBIGINT", "9007199254740992::UBIGINT", "NULL::UBIGINT"] },
  // Labels and file names as a log gives them: quotes, backslashes, commas, new lines, non-ASCII, empty.
  { name: "t", kind: "json", values: [`'a"b\\c'`, "'x,y' || chr(10) || 'z'", "'拒否'", "''", "NULL::VARCHAR"] },
  { name: "l", kind: "json", values: [`['ACCEPT', 'de"ny', chr(9)]`, "['x']", "[]::VARCHAR[]", "NULL::VARCHAR[]", "[NULL::VARCHAR]"] },
];

function query(): string {
  const rows = CASES[0]!.values.map((_, r) => `SELECT ${r} AS ord, ${CASES.map((c) => `${c.values[r]} AS ${c.name}`).join(", ")}`);
  return `SELECT * FROM (${rows.join(" UNION ALL ")}) ORDER BY ord`;
}

/** A value as results.ts reads it (num, u64): what the two reads must agree on, per kind. */
function asRead(kind: ResultKind, v: unknown): unknown {
  if (v === null || kind === "json") return v;
  if (kind === "u64") return typeof v === "bigint" && v > BigInt(Number.MAX_SAFE_INTEGER) ? v.toString() : typeof v === "bigint" ? Number(v) : v;
  return Number(v);
}

describe.skipIf(!needs("@duckdb/node-api", HAVE_DUCKDB))("duckdb runner: the packed result", () => {
  it("gives every value the value-by-value read gives", async () => {
    const { openDuckdb } = await import("../../../src/engine/runners/duckdb.js");
    const s = await openDuckdb();
    try {
      const kinds: [string, ResultKind][] = [["ord", "int"], ...CASES.map((c) => [c.name, c.kind] as [string, ResultKind])];
      const packed = await s.columns(query(), kinds);
      const byValue = await s.columns(query());
      expect(packed.names).toEqual(byValue.names);
      expect(packed.length).toBe(5);
      // Row order is the query's here (ORDER BY): compare cell by cell.
      for (const [k, [name, kind]] of kinds.entries()) {
        expect(packed.data[k]!.map((v) => asRead(kind, v)), name).toEqual(byValue.data[k]!.map((v) => asRead(kind, v)));
      }
    } finally {
      await s.close();
    }
  });

  it("keeps address halves above 2^53 exact and not finite numbers as such", async () => {
    const { openDuckdb } = await import("../../../src/engine/runners/duckdb.js");
    const s = await openDuckdb();
    try {
      const r = await s.columns(query(), [["u", "u64"], ["n", "number"]]);
      expect(r.data[0]).toEqual(["18230571291595767808", "18446744073709551615", 3232235777, "9007199254740992", null]);
      expect(r.data[1]!.map((v) => (v === null ? v : Number(v)))).toEqual([1793491205791, 1793491205791.123, Infinity, -Infinity, null]);
    } finally {
      await s.close();
    }
  });

  it("an empty result", async () => {
    const { openDuckdb } = await import("../../../src/engine/runners/duckdb.js");
    const s = await openDuckdb();
    try {
      const r = await s.columns("SELECT 1 AS a WHERE false", [["a", "int"]]);
      expect(r).toEqual({ names: ["a"], data: [[]], length: 0 });
    } finally {
      await s.close();
    }
  });
});
