/**
 * The matrix as one SQL query: canonical flow rows in, the finding table's columns and the per-input
 * accounting out. Written once against the Dialect interface; every decision the native path makes per
 * record (src/match/matcher.ts classifyBatch, src/match/aggregate.ts FindingTable keys, the shared
 * decoder frame's skip reasons) is made here in the same order, from the tables of engine/tables.ts.
 *
 * Shape: per source `SELECT <mapping> FROM <source> WHERE <pushdown>` (UNION ALL), then a chain of
 * `SELECT *, ...` steps (parse addresses, skip reasons, role sets, orientation, verdict), then a
 * two-stage GROUP BY: (finding key, evidence label) and (input, skip reason) in one pass, then the
 * findings by key with their first occurrence and first three labels, the accounting by input.
 */
import { literal, type Dialect, type LiteralColumn, type Step } from "./dialect.js";
import { cellKey, insignificantSourcePorts, mask64, v4Blocks, type MatrixTables, type PortPredicate } from "./tables.js";
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../decode/batch.js";
import { BLOCKED_BY_NETWORK, BLOCKED_BY_UNSET } from "../net/proto.js";
import {
  V_ALLOWED_REQUIRED, V_ALLOWED_UNEXPECTED, V_BLOCKED_REQUIRED, V_BLOCKED_UNEXPECTED, V_INCONCLUSIVE, V_UNCLASSIFIED,
} from "../match/matcher.js";

/** The canonical fields of one flow record, as SQL expressions over a source's own columns. */
export interface CanonicalExprs {
  /** Milliseconds since the epoch (double), NULL when unknown. */
  time: string;
  /** Address texts. */
  src: string;
  dst: string;
  /** IANA protocol number, NULL when unknown. */
  proto: string;
  /** Integers, NULL when absent. */
  sport: string;
  dport: string;
  icmpType: string;
  tcpFlags: string;
  /** 1 allowed, 2 blocked, 0 unknown. */
  action: string;
  /** Evidence text, NULL for none. */
  label: string;
  /** Records it stands for. */
  count: string;
  /** A skip reason the mapping decides (VPC NODATA), NULL for a flow. */
  skip: string;
  /**
   * Who stopped a blocked record, as the native decoder says (BLOCKED_BY_*): absent for a firewall's
   * own log (read as the network's), BLOCKED_BY_UNKNOWN for a Zeek log (a wire watcher names no firewall).
   */
  blockedBy?: string;
}

export interface SourceSql {
  /** A FROM item. */
  from: string;
  /** SQL for the input's name (a file name column, or a table name literal). */
  input: string;
  /** SQL for the record's 1-based position in its input, or NULL. */
  pos: string;
  fields: CanonicalExprs;
  /** Pushed-down predicates over the source's own columns. */
  where: string[];
  /**
   * The source's columns by name (a line source's skip column included): the records are first grouped
   * by those the fields other than time, count and source port read.
   */
  columns: readonly string[];
}

export type Plan = "case" | "asof" | "joins";

export interface QueryOptions {
  /** Role-set lookup: a CASE tree, a range (ASOF) join, or one equi-join per prefix length. */
  plan?: Plan | "auto";
}

/** Above this many IPv4 intervals plus IPv6 prefixes, "auto" leaves the CASE tree for a join. */
export const CASE_LIMIT = 64;

export function choosePlan(d: Dialect, t: MatrixTables, plan: Plan | "auto" = "auto"): Plan {
  if (plan !== "auto") {
    if (plan === "asof" && !d.asof) throw new Error(`${d.name} has no ASOF join; use the joins plan`);
    return plan;
  }
  if (t.v4Starts.length + t.v6.length <= CASE_LIMIT) return "case";
  return d.asof ? "asof" : "joins";
}

/** Result column names, in order (see results.ts). */
export const RESULT_COLUMNS = [
  "pm_kind", "pm_blocked_by", "pm_verdict", "pm_action", "pm_fam", "pm_proto", "pm_port", "pm_sa_hi", "pm_sa_lo", "pm_da_hi", "pm_da_lo",
  "pm_sset", "pm_dset", "pm_count", "pm_first", "pm_last", "pm_first_sport", "pm_first_input", "pm_first_pos", "pm_evidence",
  "pm_input", "pm_reason", "pm_ends", "pm_records",
] as const;

export function buildQuery(d: Dialect, t: MatrixTables, sources: readonly SourceSql[], o: QueryOptions = {}): string {
  if (sources.length === 0) throw new Error("no source");
  const plan = choosePlan(d, t, o.plan);
  const q = new Ctes();
  // The only pass over the records groups them by what classifies them (see sourceSelect); everything
  // after it, the mapping's text functions included, runs once per group.
  const raw = q.add(sources.map((s) => sourceSelect(d, t, s)).join("\nUNION ALL\n"));
  // Every distinct address text is parsed and given its role set once (an archive repeats its hosts
  // millions of times), then joined back to the records.
  // (The mappings give address texts trimmed, and NULL for none.)
  const addrs = d.materialisesCtes ? raw : q.add(sources.map((s) => addressSelect(d, s)).join("\nUNION ALL\n"));
  let dim = q.add(`SELECT pm_src AS pm_txt, 1 AS pm_one FROM ${addrs}\nUNION DISTINCT\nSELECT pm_dst, 1 FROM ${addrs}`);
  dim = chain(q, dim, d.addressSteps("pm_txt", "pm_a"));
  dim = roleSteps(d, t, plan)(q, dim);
  // A number per address: the findings are grouped by these, and take their addresses back at the end.
  // By the text's rank, so that an engine that computes the step once per use (ClickHouse, Trino) gets
  // the same numbers every time.
  dim = q.add(`SELECT *, dense_rank() OVER (ORDER BY pm_txt) AS pm_aid FROM ${dim}`);
  const side = (s: "sa" | "da") => ["fam", "v4", "hi", "lo"].map((c) => `${s}.pm_a_${c} AS pm_${s}_${c}0`).join(", ") + `, ${s}.pm_aset AS pm_${s}_set0, ${s}.pm_aid AS pm_${s}_id`;
  let cur = q.add(`SELECT r.*, ${side("sa")}, ${side("da")}
FROM (SELECT *, pm_src AS pm_s, pm_dst AS pm_d FROM ${raw}) AS r
LEFT JOIN ${dim} AS sa ON r.pm_s = sa.pm_txt
LEFT JOIN ${dim} AS da ON r.pm_d = da.pm_txt`);
  const steps: Step[] = [];
  steps.push([
    ["pm_sa_fam", "coalesce(pm_sa_fam0, 0)"], ["pm_sa_v4", "pm_sa_v40"], ["pm_sa_hi", "pm_sa_hi0"], ["pm_sa_lo", "pm_sa_lo0"],
    ["pm_da_fam", "coalesce(pm_da_fam0, 0)"], ["pm_da_v4", "pm_da_v40"], ["pm_da_hi", "pm_da_hi0"], ["pm_da_lo", "pm_da_lo0"],
  ]);
  // ICMP over IPv6 is ICMPv6, as the decoders read it.
  steps.push([["pm_p", `CASE WHEN pm_proto = ${PROTO_ICMP} AND pm_sa_fam = 6 THEN ${PROTO_ICMPV6} ELSE pm_proto END`]]);
  steps.push([
    ["pm_sp", `CASE WHEN pm_p IN (${PROTO_TCP}, ${PROTO_UDP}) AND pm_sport BETWEEN 0 AND 65535 THEN pm_sport ELSE -1 END`],
    ["pm_dp", `CASE WHEN pm_p IN (${PROTO_TCP}, ${PROTO_UDP}) AND pm_dport BETWEEN 0 AND 65535 THEN pm_dport ELSE -1 END`],
    ["pm_it", `CASE WHEN pm_p IN (${PROTO_ICMP}, ${PROTO_ICMPV6}) AND pm_icmp_type BETWEEN 0 AND 255 THEN pm_icmp_type ELSE -1 END`],
    ["pm_fl", `coalesce(pm_tcp_flags, -1)`],
  ]);
  steps.push([["pm_reason", reasonExpr(t)]]);
  cur = chain(q, cur, steps);
  cur = chain(q, cur, classifySteps(d, t));
  return finish(d, q, cur, dim);
}

/**
 * The query as a flat list of named steps (WITH a AS (...), b AS (... FROM a) ...) rather than nested
 * subqueries: the same plan to every engine, and a parser's lookahead (ANTLR's, for Spark's and Trino's
 * grammars) stays linear in the query's length instead of its nesting.
 */
class Ctes {
  private readonly list: [string, string][] = [];
  private n = 0;
  /** A fresh name for a literal table or join alias. */
  alias(): string {
    return `pm_t${++this.n}`;
  }
  add(body: string): string {
    const name = `pm_c${this.list.length + 1}`;
    this.list.push([name, body]);
    return name;
  }
  toString(): string {
    return `WITH ${this.list.map(([n, b]) => `${n} AS (\n${b}\n)`).join(",\n")}`;
  }
}

/**
 * One source, grouped. Per record only the time, count, position and source port are read; the records
 * are grouped by the source columns the other fields read (the raw texts: the mapping's trims, case
 * folds and parses run once per group, not per record), the input, and the source port's class
 * (sourcePortClass). Each group carries its records, count, first and last time, and its first record
 * (earliest time, position, source port): the first occurrence the finding is given later.
 */
function sourceSelect(d: Dialect, t: MatrixTables, s: SourceSql): string {
  const f = s.fields;
  const keyText = [f.src, f.dst, f.proto, f.dport, f.icmpType, f.tcpFlags, f.action, f.label, f.skip, f.blockedBy ?? ""].join("\n");
  const group = s.columns.filter((c) => reads(d, keyText, c)).map((c) => d.ident(c));
  const sp = `CASE WHEN pm_sp0 BETWEEN 0 AND 65535 THEN pm_sp0 ELSE -1 END`;
  const spc = sourcePortClass(d, t, "pm_sp0", f.tcpFlags === "NULL" ? null : "pm_fl0");
  const pk = d.packFirst;
  const first = pk
    ? pk.pack("pm_t0", "pm_pos0", sp)
    : d.argMin([sp, "pm_pos0", `coalesce(pm_t0, ${d.maxDouble})`], [`coalesce(pm_t0, ${d.maxDouble})`, "coalesce(pm_pos0, 0)", sp]);
  const perRecord = `SELECT *, ${f.time} AS pm_t0, ${f.count} AS pm_c0, ${s.pos} AS pm_pos0, ${s.input} AS pm_input, ${f.sport} AS pm_sp0, ${f.tcpFlags} AS pm_fl0\nFROM ${s.from}${whereOf(s)}`;
  const keys = [...group, "pm_input", spc];
  const grouped = `SELECT ${[...group, "pm_input"].join(", ")}, ${spc} AS pm_spc,
  count(*) AS pm_rows0, sum(pm_c0) AS pm_cnt0, min(pm_t0) AS pm_tmin0, max(pm_t0) AS pm_tmax0, ${first} AS pm_f0
FROM (${perRecord}) AS pm_r
GROUP BY ${keys.join(", ")}`;
  const firsts: [string, string][] = pk
    ? [["pm_fsp", pk.sport("pm_f0")]]
    : [["pm_fsp", d.field("pm_f0", 0)], ["pm_fp", d.field("pm_f0", 1)], ["pm_ft", d.field("pm_f0", 2)]];
  const cols: [string, string][] = [
    ["pm_src", f.src], ["pm_dst", f.dst], ["pm_proto", f.proto], ["pm_sport", "pm_spc"],
    ["pm_dport", f.dport], ["pm_icmp_type", f.icmpType], ["pm_tcp_flags", f.tcpFlags], ["pm_act", f.action],
    // Labels and reasons typed as text even when a mapping has none to give (a bare NULL has no type).
    ["pm_label", d.text(f.label)], ["pm_skip", d.text(f.skip)], ["pm_input", "pm_input"],
    ["pm_bbraw", f.blockedBy ?? String(BLOCKED_BY_UNSET)],
    ["pm_rows0", "pm_rows0"], ["pm_cnt0", "pm_cnt0"], ["pm_tmin0", "pm_tmin0"], ["pm_tmax0", "pm_tmax0"], ["pm_f0", "pm_f0"], ...firsts,
  ];
  return `SELECT ${cols.map(([n, e]) => `${e} AS ${n}`).join(",\n  ")}\nFROM (${grouped}) AS pm_g`;
}

/** A source's address texts, each distinct pair of raw texts trimmed once. */
function addressSelect(d: Dialect, s: SourceSql): string {
  const f = s.fields;
  const group = s.columns.filter((c) => reads(d, `${f.src}\n${f.dst}`, c)).map((c) => d.ident(c));
  const inner = group.length > 0 ? `(SELECT ${group.join(", ")} FROM ${s.from}${whereOf(s)} GROUP BY ${group.join(", ")}) AS pm_a` : `${s.from}${whereOf(s)}`;
  return `SELECT ${f.src} AS pm_src, ${f.dst} AS pm_dst FROM ${inner}`;
}

/** Does the SQL text read the column (quoted as the dialect quotes it, or bare, in any case)? */
function reads(d: Dialect, sql: string, col: string): boolean {
  if (sql.includes(d.ident(col))) return true;
  const bare = col.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^A-Za-z0-9_])${bare}($|[^A-Za-z0-9_])`, "i").test(sql);
}

/**
 * The source port as the matrix can tell it apart (tables.ts insignificantSourcePorts): a port no cell
 * names, above the system ports and not a SYN-ACK's, becomes one representative port, so that the
 * records of one client towards one service fall into one group whatever their ephemeral ports.
 * (Exported for bench/sql.mjs: its floor groups the records by the same class.)
 */
export function sourcePortClass(d: Dialect, t: MatrixTables, sp: string, fl: string | null): string {
  const { significant, rep } = insignificantSourcePorts(t);
  if (rep === null) return sp;
  const high = significant.filter(([, b]) => b >= 1024).map(([a, b]) => [Math.max(a, 1024), b] as const);
  const named = high.length > 0 ? ` AND NOT ${inRanges(sp, high)}` : "";
  const synAck = fl !== null ? ` AND NOT coalesce(${d.bitAnd(fl, "18")} = 18, false)` : "";
  return `CASE WHEN ${sp} BETWEEN 1024 AND 65535${named}${synAck} THEN ${rep} ELSE ${sp} END`;
}

function whereOf(s: SourceSql): string {
  return s.where.length > 0 ? `\nWHERE ${s.where.map((w) => `(${w})`).join(" AND ")}` : "";
}

/** One `SELECT *, ...` step per Step after `from`; the name of the last. */
function chain(q: Ctes, from: string, steps: readonly Step[]): string {
  let cur = from;
  for (const step of steps) cur = q.add(`SELECT *, ${step.map(([n, e]) => `${e} AS ${n}`).join(",\n  ")}\nFROM ${cur}`);
  return cur;
}

/** The decoder frame's skip reasons, in its order (src/decode/log/text-format.ts writeFlow). */
function reasonExpr(t: MatrixTables): string {
  const notFlow = new Map<string, { proto: number; reason: string; types: number[] }>();
  for (const x of t.icmpNotFlow) {
    const k = `${x.proto}|${x.reason}`;
    let e = notFlow.get(k);
    if (!e) { e = { proto: x.proto, reason: x.reason, types: [] }; notFlow.set(k, e); }
    e.types.push(x.type);
  }
  const icmp = [...notFlow.values()].map((e) => `WHEN pm_p = ${e.proto} AND pm_it IN (${e.types.join(", ")}) THEN '${e.reason}'`);
  return `CASE WHEN pm_skip IS NOT NULL THEN pm_skip
    WHEN pm_s IS NULL OR pm_s = '' OR pm_d IS NULL OR pm_d = '' THEN 'missing-address'
    WHEN pm_sa_fam = 0 OR pm_da_fam = 0 THEN 'bad-address'
    WHEN pm_sa_fam <> pm_da_fam THEN 'mixed-address-families'
    WHEN pm_proto IS NULL OR pm_proto < 0 OR pm_proto > 255 THEN 'unknown-protocol'
    WHEN pm_p IN (${PROTO_TCP}, ${PROTO_UDP}) AND pm_dp < 0 THEN 'missing-port'
    ${icmp.join("\n    ")}
    END`;
}

// ---- role sets -----------------------------------------------------------------------------------

/** Nested CASE: the set of the last interval whose start is <= addr (binary search as SQL). */
function caseTree(addr: string, starts: readonly number[], sets: readonly number[], lo: number, hi: number): string {
  if (lo === hi) return String(sets[lo]!);
  const mid = (lo + hi + 1) >>> 1;
  return `CASE WHEN ${addr} < ${starts[mid]!} THEN ${caseTree(addr, starts, sets, lo, mid - 1)} ELSE ${caseTree(addr, starts, sets, mid, hi)} END`;
}

function v4Case(addr: string, t: MatrixTables): string {
  const starts = [...t.v4Starts];
  const sets = [...t.v4Sets];
  if (starts.length === 0) return "0";
  if (starts[0]! > 0) { starts.unshift(0); sets.unshift(0); }
  return `coalesce(${caseTree(addr, starts, sets, 0, starts.length - 1)}, 0)`;
}

/** lookup6: the prefixes longest first, the first that matches. */
function v6Case(d: Dialect, hi: string, lo: string, t: MatrixTables): string {
  if (t.v6.length === 0) return "0";
  const whens = t.v6.map((p) => `WHEN ${v6Match(d, hi, lo, p.hi, p.lo, p.length)} THEN ${p.set}`);
  return `CASE ${whens.join(" ")} ELSE 0 END`;
}

function v6Match(d: Dialect, hi: string, lo: string, netHi: bigint, netLo: bigint, length: number): string {
  const parts: string[] = [];
  const mh = mask64(length);
  const ml = mask64(length - 64);
  if (mh === 0xffffffffffffffffn) parts.push(`${hi} = ${d.u64(netHi)}`);
  else if (mh !== 0n) parts.push(`${d.bitAnd(hi, d.u64(mh))} = ${d.u64(netHi & mh)}`);
  if (ml === 0xffffffffffffffffn) parts.push(`${lo} = ${d.u64(netLo)}`);
  else if (ml !== 0n) parts.push(`${d.bitAnd(lo, d.u64(ml))} = ${d.u64(netLo & ml)}`);
  return parts.length === 0 ? `${hi} IS NOT NULL` : parts.join(" AND ");
}

/** A function from the address table so far (a step's name) to the step that adds its role set pm_aset. */
function roleSteps(d: Dialect, t: MatrixTables, plan: Plan): (q: Ctes, from: string) => string {
  const bySet = (v4set: string, v6set: string): string =>
    `CASE WHEN pm_a_fam = 4 THEN ${v4set} WHEN pm_a_fam = 6 THEN ${v6set} ELSE 0 END`;
  if (plan === "case") {
    return (q, from) => chain(q, from, [[["pm_aset", bySet(v4Case("pm_a_v4", t), v6Case(d, "pm_a_hi", "pm_a_lo", t))]]]);
  }
  const v6Joins = t.v6.length > CASE_LIMIT;
  return (q, from) => {
    const r = q.alias();
    const joins: string[] = [];
    let v4 = "0";
    let v6 = v6Case(d, "pm_a_hi", "pm_a_lo", t);
    if (plan === "asof") {
      // The interval table, and an equality every engine's ASOF join wants beside the inequality.
      const a = q.alias();
      const rows = t.v4Starts.map((s, i) => [1, s, t.v4Sets[i]!] as const);
      const table = d.values(a, [["one", "int"], ["st", "int"], ["rs", "int"]], rows.length > 0 ? rows : [[1, 0, 0]]);
      joins.push(`ASOF LEFT JOIN ${table} ON ${r}.pm_one = ${a}.one AND coalesce(${r}.pm_a_v4, -1) >= ${a}.st`);
      v4 = `coalesce(${a}.rs, 0)`;
    } else {
      const blocks = v4Blocks(t);
      const lengths = [...new Set(blocks.map((b) => b.length))].sort((x, y) => y - x);
      const found: string[] = [];
      for (const len of lengths) {
        const a = q.alias();
        const rows = blocks.filter((b) => b.length === len).map((b) => [Math.floor(b.net / 2 ** (32 - len)), b.set] as const);
        joins.push(`LEFT JOIN ${d.values(a, [["k", "int"], ["rs", "int"]], rows)} ON ${d.shiftRight(`${r}.pm_a_v4`, 32 - len)} = ${a}.k`);
        found.push(`${a}.rs`);
      }
      v4 = found.length > 0 ? `coalesce(${found.join(", ")}, 0)` : "0";
    }
    if (v6Joins) {
      const lengths = [...new Set(t.v6.map((p) => p.length))].sort((x, y) => y - x);
      const found: string[] = [];
      for (const len of lengths) {
        const a = q.alias();
        const mh = mask64(len);
        const ml = mask64(len - 64);
        const rows = t.v6.filter((p) => p.length === len).map((p) => [p.hi & mh, p.lo & ml, p.set] as const);
        const cols: LiteralColumn[] = [["h", "u64"], ["l", "u64"], ["rs", "int"]];
        joins.push(`LEFT JOIN ${d.values(a, cols, rows)} ON ${d.bitAnd(`${r}.pm_a_hi`, d.u64(mh))} = ${a}.h AND ${d.bitAnd(`${r}.pm_a_lo`, d.u64(ml))} = ${a}.l`);
        found.push(`${a}.rs`);
      }
      // Longest prefix first: the first join that found one.
      v6 = `coalesce(${found.join(", ")}, 0)`;
    }
    const qualify = (e: string) => e.replace(/\bpm_a_(fam|hi|lo)\b/g, `${r}.pm_a_$1`);
    return q.add(`SELECT ${r}.*, ${qualify(bySet(v4, v6))} AS pm_aset\nFROM ${from} AS ${r}\n${joins.join("\n")}`);
  };
}

// ---- classification ------------------------------------------------------------------------------

/** `p` in the inclusive ranges. */
function inRanges(p: string, ranges: readonly (readonly [number, number])[]): string {
  const singles = ranges.filter(([a, b]) => a === b).map(([a]) => a);
  const spans = ranges.filter(([a, b]) => a !== b).map(([a, b]) => `${p} BETWEEN ${a} AND ${b}`);
  if (singles.length > 0) spans.unshift(`${p} IN (${singles.join(", ")})`);
  return spans.length === 0 ? "false" : spans.length === 1 ? spans[0]! : `(${spans.join(" OR ")})`;
}

/** Matcher.expected for one cell's ports: open, or a limited rule's ports from one of its source ports. */
function predicate(pred: PortPredicate, p: string, sp: string): string {
  const parts: string[] = [];
  if (pred.ports.open.length > 0) parts.push(inRanges(p, pred.ports.open));
  for (const l of pred.ports.limited) parts.push(`(${inRanges(p, l.ranges)} AND (${sp} < 0 OR ${inRanges(sp, l.sourcePorts)}))`);
  return parts.length === 0 ? "false" : parts.join(" OR ");
}

function expectedExpr(t: MatrixTables, k: string, p: string, sp: string): string {
  if (t.predicates.length === 0) return "false";
  const whens = t.predicates.map((pr) => `WHEN ${k} IN (${pr.keys.join(", ")}) THEN ${predicate(pr, p, sp)}`);
  return `coalesce(CASE ${whens.join("\n      ")} ELSE false END, false)`;
}

const SLOT_EXPR = `CASE pm_p WHEN ${PROTO_TCP} THEN 0 WHEN ${PROTO_UDP} THEN 1 WHEN ${PROTO_ICMP} THEN 2 WHEN ${PROTO_ICMPV6} THEN 3 END`;
const ICMP = `pm_p IN (${PROTO_ICMP}, ${PROTO_ICMPV6})`;
/** The echo request an echo reply answers (RFC 792 type 8, RFC 4443 type 128). */
const ECHO_REQUEST = `CASE WHEN pm_p = ${PROTO_ICMP} THEN 8 ELSE 128 END`;

function classifySteps(d: Dialect, t: MatrixTables): Step[] {
  const n = t.nSets;
  const anyIn = (k: string, keys: number[]) => (keys.length === 0 ? "false" : `${k} IN (${keys.join(", ")})`);
  // Wider than the 0 slots are: an inventory's sets fit the key's integer range comfortably.
  void cellKey;
  return [
    [
      ["pm_sset", "coalesce(pm_sa_set0, 0)"],
      ["pm_dset", "coalesce(pm_da_set0, 0)"],
      ["pm_slot", SLOT_EXPR],
    ],
    [
      ["pm_kf", `(pm_sset * ${n} + pm_dset) * 4 + pm_slot`],
      ["pm_kr", `(pm_dset * ${n} + pm_sset) * 4 + pm_slot`],
      // The port each direction is matched on (the ICMP type for ICMP; an echo reply is the echo
      // request's answer), and the source port a rule's client-port range is checked against.
      ["pm_pf", `CASE WHEN ${ICMP} THEN pm_it ELSE pm_dp END`],
      ["pm_spf", `CASE WHEN ${ICMP} THEN -1 ELSE pm_sp END`],
      ["pm_pr", `CASE WHEN ${ICMP} THEN ${ECHO_REQUEST} ELSE pm_sp END`],
      ["pm_spr", `CASE WHEN ${ICMP} THEN -1 ELSE pm_dp END`],
    ],
    [
      ["pm_ef", expectedExpr(t, "pm_kf", "pm_pf", "pm_spf")],
      ["pm_er", expectedExpr(t, "pm_kr", "pm_pr", "pm_spr")],
      ["pm_icls", `CASE WHEN ${anyIn("pm_kf", t.icmpAll)} THEN 2 WHEN ${anyIn("pm_kf", t.icmpSome)} THEN 1 ELSE 0 END`],
    ],
    // Orientation (classifyBatch): an echo reply, a SYN-ACK, or a midstream record whose source side is
    // the service (the matrix says so, or a system port towards a high port) runs the other way.
    [["pm_rev", `CASE WHEN ${ICMP} THEN (pm_p = ${PROTO_ICMP} AND pm_it = 0) OR (pm_p = ${PROTO_ICMPV6} AND pm_it = 129)
      WHEN pm_p = ${PROTO_TCP} AND pm_fl >= 0 AND ${d.bitAnd("pm_fl", "2")} <> 0 THEN ${d.bitAnd("pm_fl", "16")} <> 0
      WHEN pm_sp >= 0 AND pm_dp >= 0 THEN (NOT pm_ef) AND (pm_er OR (pm_sp < 1024 AND pm_dp >= 1024))
      ELSE false END`]],
    [
      ["pm_fs", "CASE WHEN pm_rev THEN pm_dset ELSE pm_sset END"],
      ["pm_fd", "CASE WHEN pm_rev THEN pm_sset ELSE pm_dset END"],
      ["pm_exp", "CASE WHEN pm_rev THEN pm_er ELSE pm_ef END"],
      ["pm_kport", `CASE WHEN ${ICMP} THEN CASE WHEN pm_rev THEN ${ECHO_REQUEST} ELSE pm_it END WHEN pm_rev THEN pm_sp ELSE pm_dp END`],
      // The first record's own source port: a group's port may be its class's representative.
      ["pm_ksport", `CASE WHEN ${ICMP} THEN -1 WHEN pm_rev THEN pm_dp WHEN pm_p IN (${PROTO_TCP}, ${PROTO_UDP}) THEN pm_fsp ELSE -1 END`],
      ["pm_ksid", "CASE WHEN pm_rev THEN pm_da_id ELSE pm_sa_id END"],
      ["pm_kdid", "CASE WHEN pm_rev THEN pm_sa_id ELSE pm_da_id END"],
    ],
    [["pm_verdict", `CASE WHEN pm_fs = 0 OR pm_fd = 0 THEN ${V_UNCLASSIFIED}
      WHEN pm_act NOT IN (1, 2) THEN ${V_INCONCLUSIVE}
      WHEN ${ICMP} AND pm_it < 0 THEN CASE WHEN pm_act = 1 THEN CASE WHEN pm_icls = 2 THEN ${V_ALLOWED_REQUIRED} ELSE ${V_ALLOWED_UNEXPECTED} END
        ELSE CASE WHEN pm_icls = 0 THEN ${V_BLOCKED_UNEXPECTED} ELSE ${V_BLOCKED_REQUIRED} END END
      WHEN pm_act = 1 THEN CASE WHEN pm_exp THEN ${V_ALLOWED_REQUIRED} ELSE ${V_ALLOWED_UNEXPECTED} END
      ELSE CASE WHEN pm_exp THEN ${V_BLOCKED_REQUIRED} ELSE ${V_BLOCKED_UNEXPECTED} END END`],
      ["pm_ok", "CASE WHEN pm_reason IS NULL THEN 1 ELSE 0 END"],
      // FindingTable.addBatch's per-input counts: both ends in the inventory (2), one (1), none (0).
      ["pm_ends", "CASE WHEN pm_sset <> 0 AND pm_dset <> 0 THEN 2 WHEN pm_sset <> 0 OR pm_dset <> 0 THEN 1 ELSE 0 END"],
      // effectiveBlockedBy (src/net/proto.ts): none unless blocked; a blocked record that says nothing is the logging firewall's.
      ["pm_bb", `CASE WHEN pm_act = 2 THEN CASE WHEN pm_bbraw = ${BLOCKED_BY_UNSET} THEN ${BLOCKED_BY_NETWORK} ELSE pm_bbraw END ELSE ${BLOCKED_BY_UNSET} END`]],
    // The small parts of the finding key as one integer: who stopped it, verdict, action, protocol, port + 1 (-1..65535).
    [["pm_pk", `(((CAST(pm_bb AS BIGINT) * 16 + pm_verdict) * 16 + pm_act) * 256 + pm_p) * 131072 + pm_kport + 1`]],
  ];
}

/** An address of the distinct-address table `a` as the finding key's two 64-bit halves: IPv4 in the low half. */
function addrHi(d: Dialect, a: string): string {
  return `CASE WHEN ${a}.pm_a_fam = 4 THEN ${d.u64(0n)} ELSE ${a}.pm_a_hi END`;
}
function addrLo(d: Dialect, a: string): string {
  return `CASE WHEN ${a}.pm_a_fam = 4 THEN ${d.toU64(`${a}.pm_a_v4`)} ELSE ${a}.pm_a_lo END`;
}

// ---- aggregation ---------------------------------------------------------------------------------

/** The finding key in the GROUP BYs: the packed small parts, and the oriented addresses' numbers. */
const KEY = ["pm_pk", "pm_ksid", "pm_kdid"];

function finish(d: Dialect, q: Ctes, classified: string, dim: string): string {
  // First occurrence: earliest time (records without one last), then input, position, source port and
  // label, so that the choice is the same on every engine and every run. Within a stage-1 group the
  // input and the label are fixed: the order there is (time, position, source port).
  const pk = d.packFirst;
  const first = pk
    ? `min(${pk.withSport("pm_f0", "pm_ksport")})`
    : d.argMin(["pm_ksport", "pm_fp", "pm_ft"], ["pm_ft", "coalesce(pm_fp, 0)", "pm_ksport"]);
  // Stage 1, per group of records: one GROUP BY over everything later stages split by.
  const s1 = q.add(`SELECT pm_ok, ${KEY.join(", ")}, pm_label, pm_input, pm_reason, pm_ends,
  sum(pm_rows0) AS pm_rows, sum(pm_cnt0) AS pm_cnt, min(pm_tmin0) AS pm_tmin, max(pm_tmax0) AS pm_tmax, ${first} AS pm_f1
FROM ${classified}
GROUP BY pm_ok, ${KEY.join(", ")}, pm_label, pm_input, pm_reason, pm_ends`);
  // Stage 2: each (finding, label) across inputs, and each input's accounting.
  const f = (e: string, i: number) => d.field(e, i);
  const fTime = pk ? pk.time("pm_f1") : f("pm_f1", 2);
  const fPos = pk ? pk.pos("pm_f1") : `coalesce(${f("pm_f1", 1)}, 0)`;
  const fSport = pk ? pk.sport("pm_f1") : f("pm_f1", 0);
  const fPosValue = pk ? `CASE WHEN ${pk.pos("pm_f1")} = 0 THEN NULL ELSE ${pk.pos("pm_f1")} END` : f("pm_f1", 1);
  const order1 = [fTime, "pm_input", fPos, fSport, "coalesce(pm_label, '')"];
  const s1b = q.add(`SELECT *, ${order1.map((e, i) => `${e} AS pm_o${i}`).join(", ")}, ${fSport} AS pm_fsport, ${fPosValue} AS pm_fpos FROM ${s1}`);
  const order1c = [0, 1, 2, 3, 4].map((i) => `pm_o${i}`);
  // (Each stage names its columns anew: ClickHouse lets an alias shadow the column it aggregates.)
  const s2 = q.add(`SELECT ${d.grouping("pm_input")} AS pm_g2, pm_ok, ${KEY.join(", ")}, pm_label, pm_input, pm_reason, pm_ends,
  sum(pm_cnt) AS pm_cnt2, min(pm_tmin) AS pm_tmin2, max(pm_tmax) AS pm_tmax2, ${d.argMin([...order1c, "pm_fsport", "pm_fpos"], order1c)} AS pm_first2,
  sum(pm_rows) AS pm_rows2
FROM ${s1b}
GROUP BY GROUPING SETS ((pm_ok, ${KEY.join(", ")}, pm_label), (pm_input, pm_reason, pm_ends))`);
  // Stage 3: each finding with its first occurrence and first three labels; the accounting passes through.
  const order2 = [0, 1, 2, 3, 4].map((i) => f("pm_first2", i));
  const first3 = d.argMin([5, 6, 1].map((i) => f("pm_first2", i)), order2);
  const s3 = q.add(`SELECT ${d.grouping("pm_input")} AS pm_g3, pm_g2, pm_ok, ${KEY.join(", ")}, pm_input, pm_reason, pm_ends,
  sum(pm_cnt2) AS pm_cnt3, min(pm_tmin2) AS pm_tmin3, max(pm_tmax2) AS pm_tmax3, ${first3} AS pm_first3,
  ${d.firstLabels("pm_label", order2, 3)} AS pm_labels, sum(pm_rows2) AS pm_rows3
FROM ${s2}
GROUP BY GROUPING SETS ((pm_g2, pm_ok, ${KEY.join(", ")}), (pm_g2, pm_input, pm_reason, pm_ends))`);
  const g = (i: number) => d.field("pm_first3", i);
  const bits = (shift: number, mask: number) => d.bitAnd(d.shiftRight("pm_pk", shift), String(mask));
  const out = [
    ["pm_kind", "pm_g3"], ["pm_blocked_by", bits(33, 3)], ["pm_verdict", bits(29, 15)], ["pm_action", bits(25, 15)], ["pm_fam", "sa.pm_a_fam"], ["pm_proto", bits(17, 255)],
    ["pm_port", `${bits(0, 131071)} - 1`], ["pm_sa_hi", addrHi(d, "sa")], ["pm_sa_lo", addrLo(d, "sa")], ["pm_da_hi", addrHi(d, "da")], ["pm_da_lo", addrLo(d, "da")],
    ["pm_sset", "sa.pm_aset"], ["pm_dset", "da.pm_aset"], ["pm_count", "pm_cnt3"], ["pm_first", "pm_tmin3"], ["pm_last", "pm_tmax3"],
    ["pm_first_sport", g(0)], ["pm_first_input", g(2)], ["pm_first_pos", g(1)], ["pm_evidence", "pm_labels"],
    ["pm_input", "pm_input"], ["pm_reason", "pm_reason"], ["pm_ends", "pm_ends"], ["pm_records", "pm_rows3"],
  ];
  // pm_kind 1: a finding, from the (finding, label) rows of used records; 0: an input's count of
  // records used (pm_reason NULL) or skipped for one reason. Findings take their addresses back.
  return `${d.prologue}${q.toString()}
SELECT ${out.map(([n, e]) => `${e} AS ${n}`).join(", ")}
FROM ${s3} AS r
LEFT JOIN ${dim} AS sa ON r.pm_ksid = sa.pm_aid
LEFT JOIN ${dim} AS da ON r.pm_kdid = da.pm_aid
WHERE (pm_g3 = 1 AND pm_g2 = 1 AND pm_ok = 1) OR (pm_g3 = 0 AND pm_g2 = 0)${d.epilogue}`;
}

export { literal };
