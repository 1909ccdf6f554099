/**
 * The canonical flow schema (docs/engines.md) and the built-in mappings of the archives people keep:
 * each mapping turns a source's own columns into the canonical fields (query.ts CanonicalExprs), as SQL
 * in the engine's dialect, following what the native decoder of the same format does with a record.
 *
 *   canonical      time, src, dst, proto, sport, dport, icmp_type, tcp_flags, action, label (the native
 *                  CSV reader's column names and aliases: "Source IP", "source.ip", "dstport", ...)
 *   aws-vpc-flow   VPC flow logs, text (version 2 and custom formats with a header line) and the
 *                  Parquet delivery schema (srcaddr, dstaddr, srcport, ..., start, action, log_status)
 *   zeek-conn      Zeek conn.log, TSV or JSON (id.orig_h, id.orig_p, ..., conn_state, history)
 *   nfdump         nfdump -o csv (ts, sa, da, sp, dp, pr, fwd) and -o json (src4_addr, ..., fwd_status)
 *   ecs            Elastic Common Schema (source.ip, destination.port, network.transport, event.action)
 */
import type { Dialect } from "./dialect.js";
import type { CanonicalExprs } from "./query.js";
import { ALLOW_WORDS, BLOCK_WORDS, CSV_ALIASES, CSV_FIELDS, normaliseName, type CsvField } from "../decode/log/csv.js";
import { UsageError } from "../errors.js";
import { BLOCKED_BY_UNKNOWN } from "../net/proto.js";

/** What a source column holds, as far as the conversions care. */
export type ColumnKind = "number" | "text" | "timestamp" | "struct" | "json" | "unknown";

export interface SourceColumn {
  name: string;
  kind: ColumnKind;
  /** For a struct column, its fields. */
  fields?: SourceColumn[];
}

/** The canonical fields a user may set with `--columns name=expr`. */
export const CANONICAL_FIELDS = [
  "time", "src", "dst", "proto", "sport", "dport", "icmp_type", "tcp_flags", "action", "label", "count", "skip",
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

export interface MappingContext {
  d: Dialect;
  /** The source's columns, as described by the engine (or the mapping's documented schema). */
  cols: readonly SourceColumn[];
  /** A column by name (exact, then ignoring case), or a struct field "a.b"; undefined when absent. */
  col(name: string): { sql: string; kind: ColumnKind } | undefined;
}

export interface Mapping {
  id: string;
  title: string;
  /** The columns the mapping expects when the source cannot be described (`portmatrix sql`). */
  schema: readonly SourceColumn[];
  /** Whether a source with these columns is this mapping's (auto detection). */
  detect(cols: readonly SourceColumn[]): boolean;
  fields(ctx: MappingContext): CanonicalExprs;
  /** Predicates on the source's own time column for --since/--until (ms), so the engine can prune. */
  timeFilter?(ctx: MappingContext, fromMs: number | undefined, toMs: number | undefined): string[];
  /**
   * Set when records of this mapping may carry no allow/deny decision that the native path decides by
   * pairing both directions of a flow and reading their TCP flags (src/flow/flow-pairing.ts), which the
   * query does not do: what such records lack, for the error that refuses their undecided flows.
   */
  decidedOnlyByPairing?: string;
}

// ---- conversions shared by the mappings ------------------------------------------------------------

const NULL = "NULL";

/** Text, trimmed, with the placeholders a format writes for "no value" as NULL. */
/** The value as text, whatever its kind (a JSON value of mixed types as its own text). */
function asText(c: MappingContext, e: { sql: string; kind: ColumnKind }): string {
  return e.kind === "text" ? e.sql : e.kind === "json" ? c.d.jsonText(e.sql) : c.d.text(e.sql);
}

function textOf(c: MappingContext, e: { sql: string; kind: ColumnKind } | undefined, placeholders: readonly string[] = []): string {
  if (!e) return NULL;
  const t = `trim(${asText(c, e)})`;
  if (placeholders.length === 0) return `CASE WHEN ${t} = '' THEN NULL ELSE ${t} END`;
  return `CASE WHEN ${t} = '' OR ${t} IN (${placeholders.map((p) => c.d.str(p)).join(", ")}) THEN NULL ELSE ${t} END`;
}

/** An integer of at most `digits` digits (text), or the number itself; NULL otherwise. */
function intOf(c: MappingContext, e: { sql: string; kind: ColumnKind } | undefined, digits = 5): string {
  if (!e) return NULL;
  if (e.kind === "number") return c.d.int(e.sql);
  const t = `trim(${asText(c, e)})`;
  return `CASE WHEN ${c.d.matches(t, `[0-9]{1,${digits}}`)} THEN ${c.d.int(t)} END`;
}

/** protocolNumber (src/decode/batch.ts): a name or an IANA number 0-255. */
export const PROTOCOL_NAMES: readonly [string, number][] = [
  ["tcp", 6], ["udp", 17], ["icmp", 1], ["icmpv6", 58], ["ipv6-icmp", 58], ["icmp6", 58],
];
function protoOf(c: MappingContext, e: { sql: string; kind: ColumnKind } | undefined): string {
  if (!e) return NULL;
  if (e.kind === "number") return c.d.int(e.sql);
  const t = `lower(trim(${asText(c, e)}))`;
  const names = PROTOCOL_NAMES.map(([n, v]) => `WHEN ${t} = '${n}' THEN ${v}`).join(" ");
  return `CASE ${names} WHEN ${c.d.matches(t, "[0-9]{1,3}")} THEN ${c.d.int(t)} END`;
}

/** actionFromWord (src/decode/log/csv.ts) as a code: 1 allowed, 2 blocked, 0 unknown. */
export function actionCode(d: Dialect, text: string): string {
  const t = `lower(trim(${text}))`;
  return `CASE WHEN ${d.inWords(t, ALLOW_WORDS)} THEN 1 WHEN ${d.inWords(t, BLOCK_WORDS)} THEN 2 ELSE 0 END`;
}

/**
 * Milliseconds since the epoch, as the native CSV reader reads a time field: 9-10 digit numbers are
 * seconds (with a fraction), 12-13 digits milliseconds, anything else an ISO 8601 stamp.
 */
function timeOf(c: MappingContext, e: { sql: string; kind: ColumnKind } | undefined): string {
  if (!e) return NULL;
  const d = c.d;
  if (e.kind === "timestamp") return d.timestampMs(e.sql);
  if (e.kind === "number") {
    const x = d.dbl(e.sql);
    return `CASE WHEN ${x} >= 100000000 AND ${x} < 10000000000 THEN ${x} * 1000 WHEN ${x} >= 100000000000 AND ${x} < 10000000000000 THEN ${x} END`;
  }
  const t = `trim(${asText(c, e)})`;
  return `CASE WHEN ${d.matches(t, "[0-9]{9,10}(\\.[0-9]+)?")} THEN ${d.dbl(t)} * 1000 WHEN ${d.matches(t, "[0-9]{12,13}")} THEN ${d.dbl(t)} ` +
    `WHEN ${t} = '' THEN NULL ELSE ${d.isoMs(t)} END`;
}

function rangeFilter(expr: string, fromMs: number | undefined, toMs: number | undefined, scale = 1): string[] {
  const out: string[] = [];
  if (fromMs !== undefined) out.push(`${expr} >= ${fromMs / scale}`);
  if (toMs !== undefined) out.push(`${expr} < ${toMs / scale}`);
  return out;
}

function base(): Pick<CanonicalExprs, "tcpFlags" | "icmpType" | "count" | "skip"> {
  return { tcpFlags: NULL, icmpType: NULL, count: "1", skip: NULL };
}

/** Column lookup over described columns (exact name, then case-insensitive, then a struct path). */
export function columnContext(d: Dialect, cols: readonly SourceColumn[]): MappingContext {
  const exact = new Map(cols.map((c) => [c.name, c]));
  const folded = new Map(cols.map((c) => [c.name.toLowerCase(), c]));
  return {
    d,
    cols,
    col(name) {
      const c = exact.get(name) ?? folded.get(name.toLowerCase());
      if (c) return { sql: d.ident(c.name), kind: c.kind };
      const dot = name.indexOf(".");
      if (dot > 0) {
        const parent = exact.get(name.slice(0, dot)) ?? folded.get(name.slice(0, dot).toLowerCase());
        const field = parent?.fields?.find((f) => f.name.toLowerCase() === name.slice(dot + 1).toLowerCase());
        if (parent && field) return { sql: d.structField(d.ident(parent.name), field.name), kind: field.kind };
      }
      return undefined;
    },
  };
}

// ---- canonical (the native CSV reader's columns) ---------------------------------------------------

/** The CSV reader's column choice: the first alias found (src/decode/log/csv.ts CsvFormat.header). */
function csvColumn(cols: readonly SourceColumn[], f: CsvField): SourceColumn | undefined {
  const byNorm = new Map<string, SourceColumn>();
  for (const c of cols) if (!byNorm.has(normaliseName(c.name))) byNorm.set(normaliseName(c.name), c);
  for (const alias of CSV_ALIASES[f]) {
    const c = byNorm.get(alias);
    if (c) return c;
  }
  return undefined;
}

function canonicalFields(cols: readonly SourceColumn[], c: MappingContext): CanonicalExprs {
  const get = (f: CsvField) => {
    const col = csvColumn(cols, f);
    return col ? c.col(col.name) : undefined;
  };
  const dport = get("dport");
  const type = get("type");
  const actionText = textOf(c, get("action"));
  const flags = cols.find((x) => normaliseName(x.name) === "tcpflags");
  return {
    ...base(),
    time: timeOf(c, get("time")),
    src: textOf(c, get("src")),
    dst: textOf(c, get("dst")),
    // The CSV reader takes a row without a protocol as TCP.
    proto: get("proto") ? `coalesce(${protoOf(c, get("proto"))}, CASE WHEN ${textOf(c, get("proto"))} IS NULL THEN 6 END)` : "6",
    sport: intOf(c, get("sport")),
    dport: intOf(c, dport),
    // The ICMP type column, or the destination port column when there is none or it is empty.
    icmpType: type ? `coalesce(${intOf(c, type)}, ${intOf(c, dport)})` : intOf(c, dport),
    tcpFlags: flags ? intOf(c, c.col(flags.name), 3) : NULL,
    action: actionCode(c.d, `coalesce(${actionText}, '')`),
    label: actionText,
  };
}

// ---- AWS VPC flow logs -----------------------------------------------------------------------------

/** Field names as AWS writes them: "${srcaddr}", "log_status" and "log-status" are one name. */
function vpcName(name: string): string {
  return name.replace(/^\$\{|\}$/g, "").toLowerCase().replace(/_/g, "-");
}

export const VPC_DEFAULT_FIELDS = ["version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "action", "log-status"];

function vpcContext(cols: readonly SourceColumn[], c: MappingContext): (n: string) => { sql: string; kind: ColumnKind } | undefined {
  const byName = new Map(cols.map((x) => [vpcName(x.name), x]));
  return (n) => {
    const col = byName.get(n);
    return col ? c.col(col.name) : undefined;
  };
}

function vpcFields(cols: readonly SourceColumn[], c: MappingContext): CanonicalExprs {
  const get = vpcContext(cols, c);
  const d = c.d;
  const dash = ["-"];
  // pkt-srcaddr/pkt-dstaddr are the packet's own addresses (through a NAT gateway srcaddr is the gateway).
  const pick = (pkt: string, plain: string) => {
    const p = textOf(c, get(pkt), dash);
    return p === NULL ? textOf(c, get(plain), dash) : `coalesce(${p}, ${textOf(c, get(plain), dash)})`;
  };
  const action = textOf(c, get("action"), dash);
  const status = textOf(c, get("log-status"), dash);
  const start = get("start");
  return {
    ...base(),
    time: start ? `CASE WHEN ${intOf(c, start, 15)} IS NOT NULL THEN ${d.dbl(intOf(c, start, 15))} * 1000 ELSE ${d.isoMs(textOf(c, start, dash))} END` : NULL,
    src: pick("pkt-srcaddr", "srcaddr"),
    dst: pick("pkt-dstaddr", "dstaddr"),
    proto: intOf(c, get("protocol"), 15),
    sport: intOf(c, get("srcport"), 15),
    dport: intOf(c, get("dstport"), 15),
    action: `CASE upper(${action}) WHEN 'ACCEPT' THEN 1 WHEN 'REJECT' THEN 2 ELSE 0 END`,
    label: `upper(${action})`,
    skip: `CASE upper(${status}) WHEN 'NODATA' THEN 'nodata' WHEN 'SKIPDATA' THEN 'skipdata' END`,
  };
}

// ---- Zeek conn.log ---------------------------------------------------------------------------------

function zeekFields(c: MappingContext): CanonicalExprs {
  const d = c.d;
  const get = (n: string) => c.col(n) ?? c.col(n.replace(".", "_"));
  const unset = ["-", "(empty)"];
  const proto = `lower(coalesce(${textOf(c, get("proto"), unset)}, ''))`;
  const state = `coalesce(${textOf(c, get("conn_state"), unset)}, '')`;
  const history = `coalesce(${textOf(c, get("history"), unset)}, '')`;
  const origPkts = intOf(c, get("orig_pkts"), 15);
  const respPkts = intOf(c, get("resp_pkts"), 15);
  // src/decode/log/zeek-conn.ts zeekAction, clause by clause. Letters: history without ^ and x.
  const h = d.replace(d.replace(history, "^", ""), "x", "");
  const upper = d.matches(h, ".*[A-Z].*");
  const lower = d.matches(h, ".*[a-z].*");
  const both = `((${origPkts} > 0 AND ${respPkts} > 0) OR (${upper} AND ${lower}))`;
  const syns = `(${d.length(h)} - ${d.length(d.replace(h, "S", ""))})`;
  const synRetransmitted = `(${d.matches(h, "S.*")} AND NOT ${lower} AND (${syns} >= 2 OR coalesce(${origPkts} > ${d.length(h)}, false)))`;
  const hasH = d.matches(history, ".*h.*");
  const flipped = `(${proto} = 'tcp' AND ${state} = 'OTH' AND ${d.matches(h, "H.*")} AND NOT ${d.matches(h, ".*S.*")})`;
  const action = `CASE WHEN ${flipped} THEN 1
    WHEN ${proto} <> 'tcp' THEN CASE WHEN ${both} THEN 1 ELSE 0 END
    WHEN ${state} IN ('SF', 'S1', 'S2', 'S3', 'RSTO', 'RSTR') THEN 1
    WHEN ${state} = 'REJ' THEN 2
    WHEN ${state} IN ('S0', 'SH', 'RSTOS0') THEN CASE WHEN ${synRetransmitted} THEN 2 ELSE 0 END
    WHEN ${state} IN ('SHR', 'RSTRH') THEN CASE WHEN ${hasH} THEN 1 ELSE 0 END
    ELSE CASE WHEN ${both} OR ${d.matches(history, ".*[hH].*")} THEN 1 ELSE 0 END END`;
  const oh = textOf(c, get("id.orig_h"), unset), rh = textOf(c, get("id.resp_h"), unset);
  const op = intOf(c, get("id.orig_p"), 6), rp = intOf(c, get("id.resp_p"), 6);
  const ts = get("ts");
  const path = get("_path");
  return {
    ...base(),
    time: ts ? (ts.kind === "number" ? `round(${d.dbl(ts.sql)} * 1000)` : `CASE WHEN ${d.matches(textOf(c, ts, unset), "[0-9]+(\\.[0-9]+)?")} THEN round(${d.dbl(textOf(c, ts, unset))} * 1000) ELSE ${d.isoMs(textOf(c, ts, unset))} END`) : NULL,
    // A connection whose originator sent only a SYN-ACK is the listening side: turned around.
    src: `CASE WHEN ${flipped} THEN ${rh} ELSE ${oh} END`,
    dst: `CASE WHEN ${flipped} THEN ${oh} ELSE ${rh} END`,
    proto: `CASE ${proto} WHEN 'tcp' THEN 6 WHEN 'udp' THEN 17 WHEN 'icmp' THEN 1 ELSE ${get("ip_proto") ? intOf(c, get("ip_proto"), 3) : NULL} END`,
    sport: `CASE WHEN ${proto} IN ('tcp', 'udp') THEN CASE WHEN ${flipped} THEN ${rp} ELSE ${op} END END`,
    dport: `CASE WHEN ${proto} IN ('tcp', 'udp') THEN CASE WHEN ${flipped} THEN ${op} ELSE ${rp} END END`,
    // For ICMP Zeek writes the type as orig_p and the code as resp_p.
    icmpType: `CASE WHEN ${proto} = 'icmp' THEN ${op} END`,
    action,
    label: `CASE WHEN ${state} = '' AND ${history} = '' THEN NULL WHEN ${history} <> '' THEN ${state} || ' ' || ${history} ELSE ${state} END`,
    // Zeek watches the wire and names no firewall (src/decode/log/zeek-conn.ts).
    blockedBy: String(BLOCKED_BY_UNKNOWN),
    skip: path ? `CASE WHEN ${textOf(c, path)} <> 'conn' THEN 'not-traffic:zeek-' || ${textOf(c, path)} END` : NULL,
  };
}

// ---- nfdump ----------------------------------------------------------------------------------------

/** RFC 7270 forwardingStatus: 64-127 forwarded, 128-191 dropped; 0 (most exporters) says nothing. */
function fwdStatus(e: string): string {
  return `CASE WHEN ${e} BETWEEN 64 AND 127 THEN 1 WHEN ${e} BETWEEN 128 AND 191 THEN 2 ELSE 0 END`;
}

function nfdumpFields(c: MappingContext): CanonicalExprs {
  const d = c.d;
  const json = c.col("src4_addr") !== undefined || c.col("src6_addr") !== undefined;
  if (json) {
    const src = `coalesce(${textOf(c, c.col("src4_addr"))}, ${textOf(c, c.col("src6_addr"))})`;
    const dst = `coalesce(${textOf(c, c.col("dst4_addr"))}, ${textOf(c, c.col("dst6_addr"))})`;
    const proto = intOf(c, c.col("proto"), 3);
    const fwd = intOf(c, c.col("fwd_status"), 3);
    const first = c.col("first");
    return {
      ...base(),
      time: first ? (first.kind === "timestamp" ? d.timestampMs(first.sql) : d.isoMs(textOf(c, first))) : NULL,
      src, dst, proto,
      sport: intOf(c, c.col("src_port")),
      dport: intOf(c, c.col("dst_port")),
      // ICMPv6 type 0 is reserved (RFC 4443): an exporter that wrote 0 did not export the type.
      icmpType: `CASE WHEN ${proto} = 58 AND ${intOf(c, c.col("icmp_type"), 3)} = 0 THEN NULL ELSE ${intOf(c, c.col("icmp_type"), 3)} END`,
      action: fwd === NULL ? "0" : fwdStatus(fwd),
      label: fwd === NULL ? NULL : `'fwd_status ' || ${textOf(c, c.col("fwd_status"))}`,
    };
  }
  const pr = protoOf(c, c.col("pr"));
  const dp = intOf(c, c.col("dp"));
  const fwd = intOf(c, c.col("fwd"), 3);
  const ts = textOf(c, c.col("ts"));
  return {
    ...base(),
    time: d.isoMs(ts),
    src: textOf(c, c.col("sa")),
    dst: textOf(c, c.col("da")),
    proto: pr,
    sport: intOf(c, c.col("sp")),
    dport: dp,
    // NetFlow carries ICMP type and code in the destination port (type * 256 + code).
    icmpType: `CASE WHEN ${pr} = 58 AND ${dp} = 0 THEN NULL ELSE ${d.shiftRight(dp, 8)} END`,
    action: fwd === NULL ? "0" : fwdStatus(fwd),
    label: fwd === NULL ? NULL : `'fwd ' || ${textOf(c, c.col("fwd"))}`,
    // The "Summary" block nfdump prints after the flows is no flow.
    skip: `CASE WHEN NOT coalesce(${d.matches(ts, "[0-9]{4}-.*")}, false) THEN 'nfdump-summary' END`,
  };
}

// ---- ECS -------------------------------------------------------------------------------------------

function ecsFields(c: MappingContext): CanonicalExprs {
  const d = c.d;
  const act = textOf(c, c.col("event.action"));
  const outcome = textOf(c, c.col("event.outcome"));
  const iana = c.col("network.iana_number");
  const ts = c.col("@timestamp") ?? c.col("timestamp");
  return {
    ...base(),
    time: ts ? (ts.kind === "timestamp" ? d.timestampMs(ts.sql) : d.isoMs(textOf(c, ts))) : NULL,
    src: textOf(c, c.col("source.ip")),
    dst: textOf(c, c.col("destination.ip")),
    proto: iana ? `coalesce(${intOf(c, iana, 3)}, ${protoOf(c, c.col("network.transport"))})` : protoOf(c, c.col("network.transport")),
    sport: intOf(c, c.col("source.port")),
    dport: intOf(c, c.col("destination.port")),
    // event.action when it is an action word ("deny", "allow"), else event.outcome ("success", "failure").
    action: `CASE WHEN ${actionCode(d, `coalesce(${act}, '')`)} <> 0 THEN ${actionCode(d, `coalesce(${act}, '')`)} ELSE ${actionCode(d, `coalesce(${outcome}, '')`)} END`,
    label: `coalesce(${act}, ${outcome})`,
  };
}

// ---- the list ----------------------------------------------------------------------------------------

const has = (cols: readonly SourceColumn[], ...names: string[]) => {
  const n = new Set(cols.map((c) => c.name.toLowerCase()));
  const structs = new Map(cols.filter((c) => c.fields).map((c) => [c.name.toLowerCase(), new Set(c.fields!.map((f) => f.name.toLowerCase()))]));
  return names.every((x) => {
    if (n.has(x.toLowerCase())) return true;
    const dot = x.indexOf(".");
    return dot > 0 && structs.get(x.slice(0, dot).toLowerCase())?.has(x.slice(dot + 1).toLowerCase()) === true;
  });
};

const text = (...names: string[]): SourceColumn[] => names.map((name) => ({ name, kind: "text" as const }));

export const MAPPINGS: readonly Mapping[] = [
  {
    id: "aws-vpc-flow",
    title: "AWS VPC flow logs: text (version 2 or a custom format's header line) and the Parquet delivery schema",
    schema: [
      ...text("version", "account_id", "interface_id", "srcaddr", "dstaddr"),
      { name: "srcport", kind: "number" }, { name: "dstport", kind: "number" }, { name: "protocol", kind: "number" },
      { name: "packets", kind: "number" }, { name: "bytes", kind: "number" }, { name: "start", kind: "number" }, { name: "end", kind: "number" },
      ...text("action", "log_status"),
    ],
    detect: (cols) => {
      const n = new Set(cols.map((c) => vpcName(c.name)));
      return (n.has("srcaddr") || n.has("pkt-srcaddr")) && (n.has("dstaddr") || n.has("pkt-dstaddr"));
    },
    fields: (ctx) => vpcFields(ctx.cols, ctx),
    timeFilter: (ctx, from, to) => {
      const start = vpcContext(ctx.cols, ctx)("start");
      return start?.kind === "number" ? rangeFilter(start.sql, from, to, 1000) : [];
    },
  },
  {
    id: "zeek-conn",
    title: "Zeek conn.log (TSV with its #fields header, or JSON)",
    schema: [
      { name: "ts", kind: "number" }, ...text("uid", "id.orig_h"), { name: "id.orig_p", kind: "number" }, ...text("id.resp_h"),
      { name: "id.resp_p", kind: "number" }, ...text("proto", "service", "conn_state", "history"),
      { name: "orig_pkts", kind: "number" }, { name: "resp_pkts", kind: "number" },
    ],
    detect: (cols) => has(cols, "id.orig_h", "id.resp_h") || has(cols, "id_orig_h", "id_resp_h"),
    fields: zeekFields,
    timeFilter: (ctx, from, to) => {
      const ts = ctx.col("ts");
      return ts?.kind === "number" ? rangeFilter(ts.sql, from, to, 1000) : [];
    },
  },
  {
    id: "nfdump",
    title: "nfdump -o csv (ts, sa, da, sp, dp, pr, fwd) and -o json (src4_addr, dst_port, proto, fwd_status)",
    schema: text("ts", "te", "td", "sa", "da", "sp", "dp", "pr", "flg", "fwd"),
    detect: (cols) => has(cols, "sa", "da", "pr") || has(cols, "src4_addr") || has(cols, "src6_addr"),
    fields: nfdumpFields,
    decidedOnlyByPairing: "no forwarding status (fwd 0, what most NetFlow exporters send)",
  },
  {
    id: "ecs",
    title: "Elastic Common Schema (source.ip, destination.port, network.transport, event.action / event.outcome)",
    schema: [...text("@timestamp", "source.ip"), { name: "source.port", kind: "number" }, ...text("destination.ip"),
      { name: "destination.port", kind: "number" }, ...text("network.transport", "event.action", "event.outcome")],
    detect: (cols) => has(cols, "source.ip", "destination.ip"),
    fields: ecsFields,
  },
  {
    id: "canonical",
    title: "the canonical flow schema: time, src, dst, proto, sport, dport, icmp_type, tcp_flags, action (the native CSV reader's names and aliases)",
    schema: [{ name: "time", kind: "number" }, ...text("src", "dst", "proto"), { name: "sport", kind: "number" }, { name: "dport", kind: "number" },
      { name: "icmp_type", kind: "number" }, ...text("action")],
    detect: (cols) => csvColumn(cols, "src") !== undefined && csvColumn(cols, "dst") !== undefined,
    fields: (ctx) => canonicalFields(ctx.cols, ctx),
    timeFilter: (ctx, from, to) => {
      const t = csvColumn(ctx.cols, "time");
      const col = t ? ctx.col(t.name) : undefined;
      if (col?.kind !== "number") return [];
      // Milliseconds or seconds (the magnitudes do not overlap): either range.
      const ms = rangeFilter(col.sql, from, to);
      const s = rangeFilter(col.sql, from, to, 1000);
      return ms.length === 0 ? [] : [`(${ms.join(" AND ")}) OR (${s.join(" AND ")})`];
    },
  },
];

export const mappingContext = columnContext;

export function mappingById(id: string): Mapping {
  const m = MAPPINGS.find((x) => x.id === id);
  if (!m) throw new UsageError(`--mapping ${id}: unknown mapping; known: ${MAPPINGS.map((x) => x.id).join(", ")}, auto`);
  return m;
}

/** The first mapping whose columns the source has (ECS and Zeek before canonical, whose aliases are loose). */
export function detectMapping(cols: readonly SourceColumn[]): Mapping | undefined {
  return MAPPINGS.find((m) => m.detect(cols));
}

/** Parse `--columns name=expr` (repeatable). */
export function parseColumnOverrides(list: readonly string[]): Map<CanonicalField, string> {
  const out = new Map<CanonicalField, string>();
  for (const item of list) {
    const eq = item.indexOf("=");
    const name = item.slice(0, eq).trim();
    if (eq <= 0 || !(CANONICAL_FIELDS as readonly string[]).includes(name) || item.slice(eq + 1).trim() === "") {
      throw new UsageError(`--columns ${item}: expected FIELD=SQL with FIELD one of ${CANONICAL_FIELDS.join(", ")}`);
    }
    out.set(name as CanonicalField, item.slice(eq + 1).trim());
  }
  return out;
}

/**
 * A mapping's fields with the user's overrides: each override is SQL over the source's columns giving
 * the field in the canonical form (read through the same conversions as a text column of that name).
 */
export function fieldsWithOverrides(m: Mapping, ctx: MappingContext, overrides: ReadonlyMap<CanonicalField, string>): CanonicalExprs {
  const f = m.fields(ctx);
  if (overrides.size === 0) return f;
  const d = ctx.d;
  const raw = (e: string) => ({ sql: e, kind: "unknown" as ColumnKind });
  for (const [k, e] of overrides) {
    switch (k) {
      case "time": f.time = timeOf(ctx, raw(e)); break;
      case "src": f.src = textOf(ctx, raw(e)); break;
      case "dst": f.dst = textOf(ctx, raw(e)); break;
      case "proto": f.proto = protoOf(ctx, raw(e)); break;
      case "sport": f.sport = intOf(ctx, raw(e)); break;
      case "dport": f.dport = intOf(ctx, raw(e)); break;
      case "icmp_type": f.icmpType = intOf(ctx, raw(e), 3); break;
      case "tcp_flags": f.tcpFlags = intOf(ctx, raw(e), 3); break;
      case "action": f.action = actionCode(d, `coalesce(${textOf(ctx, raw(e))}, '')`); f.label = textOf(ctx, raw(e)); break;
      case "label": f.label = textOf(ctx, raw(e)); break;
      case "count": f.count = `coalesce(${intOf(ctx, raw(e), 10)}, 1)`; break;
      case "skip": f.skip = textOf(ctx, raw(e)); break;
    }
  }
  return f;
}

export { CSV_FIELDS };
