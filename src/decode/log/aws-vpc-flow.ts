/**
 * AWS VPC Flow Logs (Amazon VPC User Guide, "Flow log records" and "Flow log record examples").
 * One flow per record: space-separated fields, "-" when a field does not apply. The default (version 2)
 * layout is
 *   version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
 * A custom format names its own fields and order: S3 delivery writes them as the file's first line,
 * and a line of field names (also as the "${srcaddr} ${dstaddr} ..." format string) sets the layout for
 * the lines after it. Without one, a record is read in the default layout when its first 14 fields fit it
 * (the v3-v5 "all fields" formats extend the default order). JSON records (Firehose/Athena style, keys
 * with "_" or "-") and CloudWatch Logs subscription payloads ({"logEvents": [{"message": ...}]}) too.
 *
 * Addresses: pkt-srcaddr/pkt-dstaddr when the record has them (the packet's own addresses: through a NAT
 * gateway or a transit gateway attachment, srcaddr/dstaddr are the intermediate interface), else
 * srcaddr/dstaddr. action ACCEPT/REJECT; log-status NODATA and SKIPDATA rows carry no flow.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { mergeResults, type FlowFields, type ParseContext, type ParseResult, type TextFormatSpec } from "./text-format.js";

const DEFAULT_FIELDS = ["version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "action", "log-status"];

type Getter = (name: string) => string | number | null | undefined;

function actionOf(a: string): ActionCode {
  const w = a.toUpperCase();
  if (w === "ACCEPT") return ACTION_ALLOWED;
  if (w === "REJECT") return ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

/** An integer field: JSON exports may write 443.0 or "443.0". */
function int(v: string | number | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? v : undefined;
  const m = /^\s*(\d{1,15})(?:\.0*)?\s*$/.exec(v);
  return m ? Number(m[1]) : undefined;
}

function text(v: string | number | null | undefined): string {
  return v === null || v === undefined ? "-" : String(v).trim();
}

/** One record, whatever its layout, read through a field getter. */
function record(get: Getter): ParseResult {
  const status = text(get("log-status")).toUpperCase();
  if (status === "NODATA") return { skip: "nodata" };
  if (status === "SKIPDATA") return { skip: "skipdata" };
  const pick = (pkt: string, plain: string) => {
    const p = text(get(pkt));
    return p !== "-" && p !== "" ? p : text(get(plain));
  };
  const src = pick("pkt-srcaddr", "srcaddr");
  const dst = pick("pkt-dstaddr", "dstaddr");
  if (src === "-" || dst === "-") return { skip: "missing-address" };
  const proto = int(get("protocol"));
  if (proto === undefined) return { skip: "unknown-protocol" };
  const action = text(get("action"));
  const f: FlowFields = {
    src, dst, proto, action: actionOf(action),
    sport: int(get("srcport")), dport: int(get("dstport")),
    label: action === "-" ? undefined : action.toUpperCase(),
  };
  const start = get("start");
  const s = int(start);
  if (s !== undefined) f.time = s * 1000;
  else if (typeof start === "string" && start !== "-" && !Number.isNaN(Date.parse(start))) f.time = Date.parse(start);
  return f;
}

/** Field names as AWS writes them in a format string: "${srcaddr}" -> "srcaddr", "log_status" -> "log-status". */
function fieldName(token: string): string {
  return token.replace(/^\$\{|\}$/g, "").toLowerCase().replace(/_/g, "-");
}

function headerFields(tokens: string[]): string[] | undefined {
  if (tokens.length < 2) return undefined;
  const names = tokens.map(fieldName);
  if (!names.every((n) => /^[a-z][a-z0-9-]*$/.test(n))) return undefined;
  const has = (n: string) => names.includes(n);
  return (has("srcaddr") || has("pkt-srcaddr")) && (has("dstaddr") || has("pkt-dstaddr")) ? names : undefined;
}

function looksDefault(t: string[]): boolean {
  return t.length >= 14 && /^\d+$/.test(t[0]!) && /^(ACCEPT|REJECT|-)$/.test(t[12]!) && /^(OK|NODATA|SKIPDATA)$/.test(t[13]!);
}

function textRecord(line: string, fields: string[] | undefined): ParseResult {
  let tokens = line.trim().split(/\s+/);
  // AWS's examples append "#comment" to a record.
  const hash = tokens.findIndex((x) => x.startsWith("#"));
  if (hash >= 0) tokens = tokens.slice(0, hash);
  let names = fields;
  if (!names) {
    if (!looksDefault(tokens)) return { skip: "unknown-layout" };
    names = DEFAULT_FIELDS;
  } else if (tokens.length !== names.length) {
    // A record of the wrong width, or a line of something else: records hold addresses or "-".
    if (!tokens.some((x) => x === "-" || /^\d{1,3}(?:\.\d{1,3}){3}$|:/.test(x))) return { skip: "not-aws-vpc-flow" };
    return { skip: tokens.length < names.length ? "truncated-row" : "extra-fields" };
  }
  const idx = new Map(names.map((n, i) => [n, i]));
  return record((n) => {
    const i = idx.get(n);
    return i === undefined ? undefined : tokens[i];
  });
}

function jsonRecords(value: unknown, fields: string[] | undefined): ParseResult {
  // Several records in one value (a CloudWatch subscription's logEvents): each counted on its own.
  if (Array.isArray(value)) return mergeResults(value.map((v) => jsonRecords(v, fields)));
  if (value === null || typeof value !== "object") return { skip: "not-aws-vpc-flow" };
  const o = value as Record<string, unknown>;
  // CloudWatch Logs subscription payload: each logEvents[].message is one text record.
  if (Array.isArray(o.logEvents)) {
    return jsonRecords(o.logEvents.map((e) => {
      const m = (e as { message?: unknown }).message;
      return typeof m === "string" ? { __text: m } : null;
    }), fields);
  }
  if (typeof o.__text === "string") return textRecord(o.__text, fields);
  const byName = new Map<string, unknown>();
  for (const [k, v] of Object.entries(o)) byName.set(fieldName(k), v);
  if (!byName.has("srcaddr") && !byName.has("pkt-srcaddr")) return { skip: "not-aws-vpc-flow" };
  return record((n) => {
    const v = byName.get(n);
    return typeof v === "string" || typeof v === "number" ? v : null;
  });
}

function parseAwsVpcFlow(line: string, ctx: ParseContext): ParseResult {
  const s = line.trim();
  if (s.startsWith("{") || s.startsWith("[")) {
    let value: unknown;
    try {
      value = JSON.parse(s);
    } catch {
      return { skip: "bad-json" };
    }
    return jsonRecords(value, ctx.state.fields as string[] | undefined);
  }
  if (s.startsWith("#")) return { skip: "comment" };
  const header = headerFields(s.split(/\s+/));
  if (header) {
    ctx.state.fields = header;
    return { skip: "header" };
  }
  return textRecord(s, ctx.state.fields as string[] | undefined);
}

export const awsVpcFlowFormat: TextFormatSpec = {
  name: "aws-vpc-flow",
  doc: { detectedBy: "`version account-id interface-id ...` rows or their header", notes: "AWS VPC Flow Logs, default and custom fields (the header names them); ACCEPT/REJECT; NODATA/SKIPDATA skipped" },
  sniff: (line) =>
    /(?:^|[\s"{$])srcaddr\b/.test(line) && /\bdstaddr\b/.test(line)
      ? true
      : /^\d+ (?:\d{12}|unknown|-) eni-[0-9a-f]+ /.test(line) || / eni-[0-9a-f]+ .* (?:ACCEPT|REJECT|-) (?:OK|NODATA|SKIPDATA)(?: |$)/.test(line) ||
        (line.includes('"logEvents"') && / eni-[0-9a-f]+ /.test(line)),
  parse: parseAwsVpcFlow,
};
