/**
 * Azure Network Watcher flow logs (JSON), both kinds, read from the flow tuples they hold:
 *
 * - NSG flow logs ("Flow logging for network security groups", section "Log format"): records
 *   {time, category "NetworkSecurityGroupFlowEvent", properties: {Version, flows: [{rule, flows: [{mac,
 *   flowTuples}]}]}}; a tuple is
 *     version 1: "ts,src,dst,sport,dport,T|U,I|O,A|D"
 *     version 2: the same, then flow state B|C|E and packets/bytes sent, packets/bytes received
 * - Virtual network flow logs ("Virtual network flow logs", section "Log format"): records {time,
 *   flowLogVersion, category "FlowLogFlowEvent", flowRecords: {flows: [{aclID, flowGroups: [{rule,
 *   flowTuples}]}]}}; a tuple is "ts(ms),src,dst,sport,dport,protocol (IANA number),I|O,B|C|E|D,encryption,
 *   packets/bytes sent,packets/bytes received". There is no decision field: state D (deny) is a denied
 *   flow, B/C/E a flow the rules let through.
 *
 * Both documents define the tuple's addresses as the flow's source and destination whatever the
 * direction letter says (their outbound examples read "VM address,remote address,...,O"), so a tuple is
 * taken as written. One record holds many tuples; one line may hold many records. Accepted layouts of a
 * file: one JSON document per line, the storage blob form ('{"records":[' then one record per line led
 * by a comma, then ']}'), pretty-printed documents, and records flattened by a collector with the tuple
 * under "flow.N" (SEKOIA's Azure intake).
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, PROTO_TCP, PROTO_UDP } from "../batch.js";
import { parseJsonLine, type JsonCollector } from "./gcp.js";
import type { FlowFields, FlowSkip, ParseContext, ParseResult, TextFormatSpec } from "./text-format.js";

interface Tuple { text: string; rule: string | undefined }

type Obj = Record<string, unknown>;

function collect(node: unknown, rule: string | undefined, out: Tuple[]): void {
  if (Array.isArray(node)) {
    for (const x of node) collect(x, rule, out);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const o = node as Obj;
  const r = typeof o.rule === "string" ? o.rule : rule;
  for (const [k, v] of Object.entries(o)) {
    if (k === "flowTuples" && Array.isArray(v)) {
      for (const t of v) if (typeof t === "string") out.push({ text: t, rule: r });
    } else if (typeof v === "string" && /^flow(?:Tuple|\.\d+)$/.test(k)) {
      out.push({ text: v, rule: r });
    } else if (v !== null && typeof v === "object") {
      collect(v, r, out);
    }
  }
}

/** One flow tuple, or a skip reason. */
export function parseTuple(text: string, rule?: string): FlowFields | string {
  const t = text.split(",");
  if (t.length < 8) return "bad-flow-tuple";
  const [ts, src, dst, sport, dport, proto, dir] = t as [string, string, string, string, string, string, string];
  if (dir !== "I" && dir !== "O") return "bad-flow-tuple";
  const f: FlowFields = { src, dst, sport, dport, proto: 0, action: ACTION_UNKNOWN };
  if (proto === "T" || proto === "U") {
    // NSG flow log: the seventh field is the decision.
    f.proto = proto === "T" ? PROTO_TCP : PROTO_UDP;
    const decision = t[7];
    f.action = decision === "A" ? ACTION_ALLOWED : decision === "D" ? ACTION_BLOCKED : ACTION_UNKNOWN;
    f.label = rule ?? (decision === "A" ? "allowed" : decision === "D" ? "denied" : undefined);
  } else if (/^\d{1,3}$/.test(proto)) {
    // Virtual network flow log: the seventh field is the flow state.
    f.proto = Number(proto);
    const state = t[7];
    f.action = state === "D" ? ACTION_BLOCKED : state === "B" || state === "C" || state === "E" ? ACTION_ALLOWED : ACTION_UNKNOWN;
    f.label = rule ?? (state === "D" ? "denied" : undefined);
  } else {
    return "bad-flow-tuple";
  }
  if (/^\d{10,13}$/.test(ts)) f.time = ts.length > 11 ? Number(ts) : Number(ts) * 1000;
  return f;
}

function readRecords(value: unknown): ParseResult {
  const tuples: Tuple[] = [];
  collect(value, undefined, tuples);
  if (tuples.length === 0) {
    const s = JSON.stringify(value);
    return /NetworkSecurityGroupFlowEvent|FlowLogFlowEvent|"flowLogVersion"/.test(s) ? { skip: "nodata" } : { skip: "not-azure-flow" };
  }
  // One result per tuple: a malformed tuple is a skipped flow of the record, never dropped unseen.
  return tuples.map((tu): FlowFields | FlowSkip => {
    const f = parseTuple(tu.text, tu.rule);
    return typeof f === "string" ? { skip: f } : f;
  });
}

const BLOB_HEAD = /^\{\s*"records"\s*:\s*\[/;

function parseAzureFlow(line: string, ctx: ParseContext): ParseResult {
  const open = (ctx.state.json as JsonCollector | undefined)?.open === true;
  if (!open) {
    const s = line.trim();
    if (s === "]}" || s === "]" || s === "}") return { skip: "json-part" };
    if (s.startsWith("{") || s.startsWith(",")) {
      try {
        return readRecords(JSON.parse(s));
      } catch {
        // The storage blob form: '{"records":[' + record, ',' + record, ..., ']}' on lines of their own.
        let body = s.replace(BLOB_HEAD, "").replace(/^,/, "");
        if (body.endsWith("]}")) body = body.slice(0, -2);
        if (body.endsWith(",")) body = body.slice(0, -1);
        if (body !== s) {
          try {
            return readRecords(JSON.parse(`[${body}]`));
          } catch {
            // Not whole either: a document spread over lines.
          }
        }
      }
    }
  }
  return parseJsonLine(line, ctx, readRecords);
}

export const azureFlowFormat: TextFormatSpec = {
  name: "azure-flow",
  doc: { detectedBy: "Network Watcher JSON with `flowTuples` / `flowRecords`", notes: "Azure NSG and VNet flow logs; each flow tuple is a flow" },
  sniff: (line) =>
    /"flowTuples"|"flowLogVersion"|NetworkSecurityGroupFlowEvent|"FlowLogFlowEvent"/.test(line) ||
    /"\d{10,13},[0-9a-fA-F.:]+,[0-9a-fA-F.:]+,\d*,\d*,(?:T|U|\d{1,3}),[IO],[A-Z]/.test(line),
  parse: parseAzureFlow,
};
