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
import { cellKey, mask64, v4Blocks, type MatrixTables, type PortPredicate } from "./tables.js";
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from "../decode/batch.js";
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
  "pm_kind", "pm_verdict", "pm_action", "pm_fam", "pm_proto", "pm_port", "pm_sa_hi", "pm_sa_lo", "pm_da_hi", "pm_da_lo",
  "pm_sset", "pm_dset", "pm_count", "pm_first", "pm_last", "pm_first_sport", "pm_first_input", "pm_first_pos", "pm_evidence",
  "pm_input", "pm_reason", "pm_records",
] as const;

export function buildQuery(d: Dialect, t: MatrixTables, sources: readonly SourceSql[], o: QueryOptions = {}): string {
  if (sources.length === 0) throw new Error("no source");
  const plan = choosePlan(d, t, o.plan);
  const steps: Step[] = [];
  steps.push([["pm_s", `trim(pm_src)`], ["pm_d", `trim(pm_dst)`], ["pm_one", "1"]]);
  const sa = d.addressSteps("pm_s", "pm_sa");
  const da = d.addressSteps("pm_d", "pm_da");
  for (let i = 0; i < Math.max(sa.length, da.length); i++) steps.push([...(sa[i] ?? []), ...(da[i] ?? [])]);
  // ICMP over IPv6 is ICMPv6, as the decoders read it.
  steps.push([["pm_p", `CASE WHEN pm_proto = ${PROTO_ICMP} AND pm_sa_fam = 6 THEN ${PROTO_ICMPV6} ELSE pm_proto END`]]);
  steps.push([
    ["pm_sp", `CASE WHEN pm_p IN (${PROTO_TCP}, ${PROTO_UDP}) AND pm_sport BETWEEN 0 AND 65535 THEN pm_sport ELSE -1 END`],
    ["pm_dp", `CASE WHEN pm_p IN (${PROTO_TCP}, ${PROTO_UDP}) AND pm_dport BETWEEN 0 AND 65535 THEN pm_dport ELSE -1 END`],
    ["pm_it", `CASE WHEN pm_p IN (${PROTO_ICMP}, ${PROTO_ICMPV6}) AND pm_icmp_type BETWEEN 0 AND 255 THEN pm_icmp_type ELSE -1 END`],
    ["pm_fl", `coalesce(pm_tcp_flags, -1)`],
  ]);
  steps.push([["pm_reason", reasonExpr(t)]]);
  const roles = roleSteps(d, t, plan);
  const classify = classifySteps(d, t);

  const q = new Ctes();
  let cur = q.add(sources.map((s) => sourceSelect(s)).join("\nUNION ALL\n"));
  cur = chain(q, cur, steps);
  cur = roles(q, cur);
  cur = chain(q, cur, classify);
  return finish(d, q, cur);
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

function sourceSelect(s: SourceSql): string {
  const f = s.fields;
  const cols: [string, string][] = [
    ["pm_time", f.time], ["pm_src", f.src], ["pm_dst", f.dst], ["pm_proto", f.proto], ["pm_sport", f.sport],
    ["pm_dport", f.dport], ["pm_icmp_type", f.icmpType], ["pm_tcp_flags", f.tcpFlags], ["pm_act", f.action],
    ["pm_label", f.label], ["pm_count", f.count], ["pm_skip", f.skip], ["pm_input", s.input], ["pm_pos", s.pos],
  ];
  const where = s.where.length > 0 ? `\nWHERE ${s.where.map((w) => `(${w})`).join(" AND ")}` : "";
  return `SELECT ${cols.map(([n, e]) => `${e} AS ${n}`).join(",\n  ")}\nFROM ${s.from}${where}`;
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

/** A function from the chain so far (a step's name) to the step that adds pm_sset0/pm_dset0. */
function roleSteps(d: Dialect, t: MatrixTables, plan: Plan): (q: Ctes, from: string) => string {
  const bySide = (side: "sa" | "da", v4set: string, v6set: string): string =>
    `CASE WHEN pm_${side}_fam = 4 THEN ${v4set} WHEN pm_${side}_fam = 6 THEN ${v6set} ELSE 0 END`;
  if (plan === "case") {
    return (q, from) => chain(q, from, [[
      ["pm_sset0", bySide("sa", v4Case("pm_sa_v4", t), v6Case(d, "pm_sa_hi", "pm_sa_lo", t))],
      ["pm_dset0", bySide("da", v4Case("pm_da_v4", t), v6Case(d, "pm_da_hi", "pm_da_lo", t))],
    ]]);
  }
  const v6Joins = t.v6.length > CASE_LIMIT;
  return (q, from) => {
    const r = q.alias();
    const joins: string[] = [];
    const v4: Record<"sa" | "da", string> = { sa: "0", da: "0" };
    const v6: Record<"sa" | "da", string> = { sa: v6Case(d, "pm_sa_hi", "pm_sa_lo", t), da: v6Case(d, "pm_da_hi", "pm_da_lo", t) };
    for (const side of ["sa", "da"] as const) {
      if (plan === "asof") {
        // The interval table, and an equality every engine's ASOF join wants beside the inequality.
        const a = q.alias();
        const rows = t.v4Starts.map((s, i) => [1, s, t.v4Sets[i]!] as const);
        const table = d.values(a, [["one", "int"], ["st", "int"], ["rs", "int"]], rows.length > 0 ? rows : [[1, 0, 0]]);
        joins.push(`ASOF LEFT JOIN ${table} ON ${r}.pm_one = ${a}.one AND coalesce(${r}.pm_${side}_v4, -1) >= ${a}.st`);
        v4[side] = `coalesce(${a}.rs, 0)`;
      } else {
        const blocks = v4Blocks(t);
        const lengths = [...new Set(blocks.map((b) => b.length))].sort((x, y) => y - x);
        const found: string[] = [];
        for (const len of lengths) {
          const a = q.alias();
          const rows = blocks.filter((b) => b.length === len).map((b) => [Math.floor(b.net / 2 ** (32 - len)), b.set] as const);
          joins.push(`LEFT JOIN ${d.values(a, [["k", "int"], ["rs", "int"]], rows)} ON ${d.shiftRight(`${r}.pm_${side}_v4`, 32 - len)} = ${a}.k`);
          found.push(`${a}.rs`);
        }
        v4[side] = found.length > 0 ? `coalesce(${found.join(", ")}, 0)` : "0";
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
          joins.push(`LEFT JOIN ${d.values(a, cols, rows)} ON ${d.bitAnd(`${r}.pm_${side}_hi`, d.u64(mh))} = ${a}.h AND ${d.bitAnd(`${r}.pm_${side}_lo`, d.u64(ml))} = ${a}.l`);
          found.push(`${a}.rs`);
        }
        // Longest prefix first: the first join that found one.
        v6[side] = `coalesce(${found.join(", ")}, 0)`;
      }
    }
    const qualify = (e: string) => e.replace(/\bpm_(sa|da)_(fam|hi|lo)\b/g, `${r}.pm_$1_$2`);
    return q.add(`SELECT ${r}.*, ${qualify(bySide("sa", v4.sa, v6.sa))} AS pm_sset0, ${qualify(bySide("da", v4.da, v6.da))} AS pm_dset0\nFROM ${from} AS ${r}\n${joins.join("\n")}`);
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
      ["pm_sset", "coalesce(pm_sset0, 0)"],
      ["pm_dset", "coalesce(pm_dset0, 0)"],
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
      ["pm_ksport", `CASE WHEN ${ICMP} THEN -1 WHEN pm_rev THEN pm_dp ELSE pm_sp END`],
      ["pm_fam", "pm_sa_fam"],
      ["pm_ksh", `CASE WHEN pm_rev THEN ${addrHi(d, "da")} ELSE ${addrHi(d, "sa")} END`],
      ["pm_ksl", `CASE WHEN pm_rev THEN ${addrLo(d, "da")} ELSE ${addrLo(d, "sa")} END`],
      ["pm_kdh", `CASE WHEN pm_rev THEN ${addrHi(d, "sa")} ELSE ${addrHi(d, "da")} END`],
      ["pm_kdl", `CASE WHEN pm_rev THEN ${addrLo(d, "sa")} ELSE ${addrLo(d, "da")} END`],
    ],
    [["pm_verdict", `CASE WHEN pm_fs = 0 OR pm_fd = 0 THEN ${V_UNCLASSIFIED}
      WHEN pm_act NOT IN (1, 2) THEN ${V_INCONCLUSIVE}
      WHEN ${ICMP} AND pm_it < 0 THEN CASE WHEN pm_act = 1 THEN CASE WHEN pm_icls = 2 THEN ${V_ALLOWED_REQUIRED} ELSE ${V_ALLOWED_UNEXPECTED} END
        ELSE CASE WHEN pm_icls = 0 THEN ${V_BLOCKED_UNEXPECTED} ELSE ${V_BLOCKED_REQUIRED} END END
      WHEN pm_act = 1 THEN CASE WHEN pm_exp THEN ${V_ALLOWED_REQUIRED} ELSE ${V_ALLOWED_UNEXPECTED} END
      ELSE CASE WHEN pm_exp THEN ${V_BLOCKED_REQUIRED} ELSE ${V_BLOCKED_UNEXPECTED} END END`],
      ["pm_ok", "CASE WHEN pm_reason IS NULL THEN 1 ELSE 0 END"]],
  ];
}

/** The address as the finding key's two 64-bit halves: IPv4 in the low half (words 0-1 are the high). */
function addrHi(d: Dialect, side: "sa" | "da"): string {
  return `CASE WHEN pm_${side}_fam = 4 THEN ${d.u64(0n)} ELSE pm_${side}_hi END`;
}
function addrLo(d: Dialect, side: "sa" | "da"): string {
  return `CASE WHEN pm_${side}_fam = 4 THEN ${toU64(d, `pm_${side}_v4`)} ELSE pm_${side}_lo END`;
}
function toU64(d: Dialect, e: string): string {
  return d.toU64(e);
}

// ---- aggregation ---------------------------------------------------------------------------------

const KEY = ["pm_verdict", "pm_act", "pm_fam", "pm_p", "pm_kport", "pm_ksh", "pm_ksl", "pm_kdh", "pm_kdl", "pm_fs", "pm_fd"];

function finish(d: Dialect, q: Ctes, classified: string): string {
  // First occurrence: earliest time (records without one last), then input, position, source port and
  // label, so that the choice is the same on every engine and every run.
  const order = [`coalesce(pm_time, ${d.maxDouble})`, "pm_input", "coalesce(pm_pos, 0)", "pm_ksport", "coalesce(pm_label, '')"];
  const first = d.argMin([...order, "pm_ksport", "pm_input", "pm_pos"], order);
  const stage1 = `SELECT ${d.grouping("pm_input")} AS pm_g1, pm_ok, ${KEY.join(", ")}, pm_label, pm_input, pm_reason,
  count(*) AS pm_rows, sum(pm_count) AS pm_cnt, min(pm_time) AS pm_tmin, max(pm_time) AS pm_tmax, ${first} AS pm_first
FROM ${classified}
GROUP BY GROUPING SETS ((pm_ok, ${KEY.join(", ")}, pm_label), (pm_input, pm_reason))`;
  const f = (i: number) => d.field("pm_first", i);
  const order2 = [0, 1, 2, 3, 4].map(f);
  const first2 = d.argMin([5, 6, 7].map(f), order2);
  const stage2 = `SELECT ${d.grouping("pm_input")} AS pm_g2, pm_g1, pm_ok, ${KEY.join(", ")}, pm_input, pm_reason,
  sum(pm_cnt) AS pm_cnt2, min(pm_tmin) AS pm_tmin2, max(pm_tmax) AS pm_tmax2, ${first2} AS pm_first2,
  ${d.firstLabels("pm_label", order2, 3)} AS pm_labels, sum(pm_rows) AS pm_rows2
FROM ${q.add(stage1)}
GROUP BY GROUPING SETS ((pm_g1, pm_ok, ${KEY.join(", ")}), (pm_g1, pm_input, pm_reason))`;
  const g = (i: number) => d.field("pm_first2", i);
  const out = [
    ["pm_kind", "pm_g2"], ["pm_verdict", "pm_verdict"], ["pm_action", "pm_act"], ["pm_fam", "pm_fam"], ["pm_proto", "pm_p"],
    ["pm_port", "pm_kport"], ["pm_sa_hi", "pm_ksh"], ["pm_sa_lo", "pm_ksl"], ["pm_da_hi", "pm_kdh"], ["pm_da_lo", "pm_kdl"],
    ["pm_sset", "pm_fs"], ["pm_dset", "pm_fd"], ["pm_count", "pm_cnt2"], ["pm_first", "pm_tmin2"], ["pm_last", "pm_tmax2"],
    ["pm_first_sport", g(0)], ["pm_first_input", g(1)], ["pm_first_pos", g(2)], ["pm_evidence", "pm_labels"],
    ["pm_input", "pm_input"], ["pm_reason", "pm_reason"], ["pm_records", "pm_rows2"],
  ];
  // pm_kind 1: a finding (grouped by key, from the rows grouped by key and label, of used records);
  // 0: an input's count of records used (pm_reason NULL) or skipped for one reason.
  const s2 = q.add(stage2);
  return `${d.prologue}${q.toString()}
SELECT ${out.map(([n, e]) => `${e} AS ${n}`).join(", ")}
FROM ${s2}
WHERE (pm_g2 = 1 AND pm_g1 = 1 AND pm_ok = 1) OR (pm_g2 = 0 AND pm_g1 = 0)${d.epilogue}`;
}

export { literal };
