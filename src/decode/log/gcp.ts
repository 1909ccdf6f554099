/**
 * Google Cloud logs exported from Cloud Logging as LogEntry JSON (one entry per line from a sink or
 * `gcloud logging read --format=json` / the Logs Explorer download, which print a pretty JSON array):
 *
 * - Firewall rules logging (logName ".../logs/compute.googleapis.com%2Ffirewall"; Cloud NGFW "Firewall
 *   rules logging" log format): jsonPayload.connection {src_ip, src_port, dest_ip, dest_port, protocol
 *   (IANA number)}, jsonPayload.disposition ALLOWED or DENIED, rule_details.reference naming the rule.
 * - VPC Flow Logs (".../logs/compute.googleapis.com%2Fvpc_flows"; "About VPC Flow Logs records"): the
 *   same IpConnection, reporter SRC/DEST, start_time. A flow record says traffic was seen, not what a
 *   firewall decided: the action is unknown.
 *
 * Other log entries in the same export are skipped as not-traffic. ICMP connections carry no ports and
 * no ICMP type in either log: they are flows of unknown ICMP type.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN } from "../batch.js";
import { mergeResults, type FlowFields, type ParseContext, type ParseResult, type TextFormatSpec } from "./text-format.js";

/** Longest JSON document spread over several lines that is gathered before it is given up (bytes). */
export const MAX_JSON_DOCUMENT = 16 * 1024 * 1024;

/**
 * Gathers JSON documents written over several lines (pretty-printed exports), one line at a time, and
 * hands back each complete top-level object, or each element of a top-level array as soon as it closes,
 * so a long array is not held whole. A compact document on one line comes back from that line. Relies
 * on JSON strings never holding a raw line break (RFC 8259 section 7).
 */
export class JsonCollector {
  private depth = 0;
  private inArray = false;
  private collecting = false;
  private parts: string[] = [];
  private size = 0;

  /** True while a document is open (the next line continues it). */
  get open(): boolean {
    return this.depth > 0;
  }

  private reset(): void {
    this.depth = 0;
    this.inArray = false;
    this.collecting = false;
    this.parts = [];
    this.size = 0;
  }

  /** Feed one line: the documents it completes, or an error reason (the open document is dropped). */
  feed(line: string): { values: string[] } | { error: string } {
    // An object opening at the first column while a document is open inside an object: the open one was
    // cut short (a truncated line, a file joined to another). Pretty-printers indent inner objects, and
    // the elements of a top-level array are at depth 1, so neither starts a new document here.
    if (this.depth > (this.inArray ? 1 : 0) && line.charCodeAt(0) === 123) this.reset();
    const values: string[] = [];
    let start = this.collecting ? 0 : -1;
    let inString = false;
    const n = line.length;
    for (let i = 0; i < n; i++) {
      const c = line.charCodeAt(i);
      if (inString) {
        if (c === 92) i++;
        else if (c === 34) inString = false;
        continue;
      }
      if (c === 34) {
        if (this.depth === 0) { this.reset(); return { error: "not-json" }; }
        inString = true;
      } else if (c === 123 || c === 91) {
        if (this.depth === 0) {
          if (c === 91) this.inArray = true;
          else { this.collecting = true; start = i; }
        } else if (this.depth === 1 && this.inArray && !this.collecting) {
          this.collecting = true;
          start = i;
        }
        this.depth++;
      } else if (c === 125 || c === 93) {
        this.depth--;
        if (this.depth < 0) { this.reset(); return { error: "bad-json" }; }
        if (this.collecting && this.depth === (this.inArray ? 1 : 0)) {
          values.push(this.parts.join("") + line.slice(start, i + 1));
          this.parts = [];
          this.size = 0;
          this.collecting = false;
          start = -1;
        }
        if (this.depth === 0) this.inArray = false;
      } else if (this.depth === 0 && c > 32 && c !== 44) {
        this.reset();
        return { error: "not-json" };
      }
    }
    if (inString) { this.reset(); return { error: "bad-json" }; }
    if (this.collecting) {
      const piece = line.slice(start) + "\n";
      this.size += piece.length;
      if (this.size > MAX_JSON_DOCUMENT) { this.reset(); return { error: "json-too-long" }; }
      this.parts.push(piece);
    }
    return { values };
  }
}

/**
 * The shared loop of the JSON-based formats: collect the line, parse what it completes, read each value
 * with `read`. A line that only continues an open document is a "json-part".
 */
export function parseJsonLine(line: string, ctx: ParseContext, read: (value: unknown) => ParseResult): ParseResult {
  let collector = ctx.state.json as JsonCollector | undefined;
  if (!collector) {
    collector = new JsonCollector();
    ctx.state.json = collector;
  }
  const fed = collector.feed(line);
  if ("error" in fed) return { skip: fed.error };
  if (fed.values.length === 0) return { skip: "json-part" };
  // Every value the line completes is counted: a flow, or a skip with its reason.
  return mergeResults(fed.values.map((text): ParseResult => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { skip: "bad-json" };
    }
    return read(value);
  }));
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function port(v: unknown): string | number | undefined {
  return typeof v === "number" || typeof v === "string" ? v : undefined;
}

function timeOf(...candidates: unknown[]): number | undefined {
  for (const c of candidates) {
    if (typeof c !== "string") continue;
    const t = Date.parse(c);
    if (!Number.isNaN(t)) return t;
  }
  return undefined;
}

/** The last part of a logName ("projects/p/logs/compute.googleapis.com%2Ffirewall" -> "firewall"). */
function logKind(logName: string | undefined): string | undefined {
  if (!logName) return undefined;
  const tail = decodeURIComponent(logName.slice(logName.lastIndexOf("/logs/") + 6));
  return tail.slice(tail.lastIndexOf("/") + 1);
}

function readEntry(value: unknown): ParseResult {
  if (Array.isArray(value)) return mergeResults(value.map(readEntry));
  const entry = obj(value);
  if (!entry) return { skip: "not-gcp" };
  // A LogEntry, or a payload exported on its own (BigQuery rows keep the names).
  const payload = obj(entry.jsonPayload) ?? entry;
  const kind = logKind(str(entry.logName));
  const conn = obj(payload.connection);
  if (!conn) return { skip: kind ? `not-traffic:${kind}` : "not-gcp" };
  const src = str(conn.src_ip);
  const dst = str(conn.dest_ip);
  if (src === undefined || dst === undefined) return { skip: "missing-address" };
  const proto = typeof conn.protocol === "number" || typeof conn.protocol === "string" ? conn.protocol : undefined;
  if (proto === undefined) return { skip: "unknown-protocol" };
  const f: FlowFields = { src, dst, proto, sport: port(conn.src_port), dport: port(conn.dest_port), action: ACTION_UNKNOWN };
  const disposition = str(payload.disposition);
  if (disposition !== undefined) {
    // Firewall rules logging: the rule's verdict.
    const d = disposition.toUpperCase();
    f.action = d === "ALLOWED" ? ACTION_ALLOWED : d === "DENIED" ? ACTION_BLOCKED : ACTION_UNKNOWN;
    const rule = obj(payload.rule_details);
    f.label = `${d} ${str(rule?.reference) ?? str(rule?.direction) ?? ""}`.trim();
  } else {
    f.label = `vpc flow, reported by ${str(payload.reporter) ?? "?"}`;
  }
  const t = timeOf(payload.start_time, entry.timestamp, entry.receiveTimestamp);
  if (t !== undefined) f.time = t;
  return f;
}

export const gcpFormat: TextFormatSpec = {
  name: "gcp",
  doc: { detectedBy: "Cloud Logging LogEntry JSON (`compute.googleapis.com/firewall`, `vpc_flows`)", notes: "Google Cloud firewall rule logs (ALLOWED/DENIED) and VPC flow logs" },
  sniff: (line) =>
    /compute\.googleapis\.com(?:%2F|\/)(?:firewall|vpc_flows)/.test(line) ||
    (line.includes('"jsonPayload"') && /"(?:disposition|reporter)"/.test(line) && line.includes('"connection"')),
  parse: (line, ctx) => parseJsonLine(line, ctx, readEntry),
};
