/**
 * nfdump's JSON output (`nfdump -r FILE -o json`, nfdump 1.7: src/output/output_json.c): an array of
 * objects, each printed over many lines ("{", one `"key" : value,` per line, "},"), or one object per
 * line (newer nfdump's `-o ndjson`). An object's fields: `first`/`last` (local time, ms), `proto`,
 * `src4_addr`/`src6_addr`, `dst4_addr`/`dst6_addr`, `src_port`/`dst_port` or `icmp_type`/`icmp_code`,
 * `tcp_flags` ("...AP.S."), `in_packets`, `out_packets` (a biflow's reverse direction), and for an NSEL
 * export `type` "EVENT" with `event` CREATE, DELETE, DENIED, ALERT or UPDATE (nfdump's FwEventString),
 * which is the firewall's decision. A record's line is the line its object opens on.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, PROTO_ICMP, PROTO_ICMPV6, type ActionCode, type EventBatch } from "../batch.js";
import type { InputStats } from "../stats.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import { parseNfdumpFlags, type FlowRecordDecoder } from "../flow/records.js";
import { nfdumpTime, textFlowExtras, writeTextFlow } from "../flow/text-flows.js";
import type { FormatRecord } from "../format.js";

export function sniffNfdumpJson(line: string): boolean {
  return /^\s*"(?:export_sysid|src4_addr|src6_addr|in_packets|ip4_router)" : /.test(line) ||
    (line.startsWith("{") && /"(?:src4_addr|src6_addr)"\s*:/.test(line) && /"in_packets"\s*:/.test(line));
}

/** Brace depth after scanning `s` (strings and their escapes are skipped). */
function depthOf(s: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return depth;
}

const EVENTS: Record<string, [ActionCode, string]> = {
  CREATE: [ACTION_ALLOWED, "NSEL flow created"],
  DELETE: [ACTION_ALLOWED, "NSEL flow deleted"],
  UPDATE: [ACTION_ALLOWED, "NSEL flow updated"],
  DENIED: [ACTION_BLOCKED, "NSEL flow denied"],
  ALERT: [ACTION_UNKNOWN, "NSEL flow alert"],
  IGNORE: [ACTION_UNKNOWN, "NSEL ignore"],
};

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}
function num(v: unknown): number {
  return typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
}

function earlier(a: number, b: number): number {
  return a !== a ? b : b !== b ? a : Math.min(a, b);
}
function later(a: number, b: number): number {
  return a !== a ? b : b !== b ? a : Math.max(a, b);
}

class NfdumpJsonFormat implements LineFormat {
  readonly format = "nfdump-json";
  readonly extras = textFlowExtras();

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean {
    let text = b.toString("utf8", start, end).trim();
    if (text === "") { stats.skip("blank", lineNo); return true; }
    if (text === "[" || text === "]" || text === "],") { stats.skip("array-bracket", lineNo); return true; }
    if (!text.startsWith("{")) { stats.skip("not-nfdump-json", lineNo, lineText(b, start, end)); return true; }
    // An object printed over several lines: ask for the next line until its braces close.
    const depth = depthOf(text);
    if (depth > 0) return false;
    // The last object of the array closes it on the same line: "}]".
    if (depth < 0 && text.endsWith("]")) text = text.slice(0, -1).trimEnd();
    if (text.endsWith(",")) text = text.slice(0, -1);
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      stats.skip("bad-json", lineNo, lineText(b, start, end));
      return true;
    }
    if (o === null || typeof o !== "object" || Array.isArray(o)) { stats.skip("not-nfdump-json", lineNo); return true; }
    const r = o as Record<string, unknown>;
    const type = str(r.type);
    if (type !== undefined && type !== "FLOW" && type !== "EVENT") { stats.skip(`not-traffic:nfdump-${type.toLowerCase()}`, lineNo); return true; }
    const proto = num(r.proto);
    const isIcmp = proto === PROTO_ICMP || proto === PROTO_ICMPV6;
    const event = str(r.event);
    const stated = event !== undefined ? EVENTS[event] : undefined;
    const outPackets = num(r.out_packets);
    const why = writeTextFlow(batch, this.extras, lineNo, {
      src: str(r.src4_addr) ?? str(r.src6_addr) ?? "", dst: str(r.dst4_addr) ?? str(r.dst6_addr) ?? "",
      proto: proto === proto ? proto : str(r.proto) ?? "",
      sport: isIcmp ? undefined : str(r.src_port), dport: isIcmp ? undefined : str(r.dst_port),
      icmpType: isIcmp ? str(r.icmp_type) : undefined, icmpCode: isIcmp ? str(r.icmp_code) : undefined,
      action: stated ? stated[0] : ACTION_UNKNOWN,
      label: stated ? stated[1] + (event === "DENIED" && num(r.xevent_id) > 0 ? ` (extended event ${num(r.xevent_id)})` : "") : "nfdump json",
      // nfdump 1.7.1 prints IPFIX sysUpTime flows with first and last swapped (fixed in 1.7.2): the start
      // is the earlier of the two.
      time: earlier(nfdumpTime(str(r.first)), nfdumpTime(str(r.last))), flags: parseNfdumpFlags(str(r.tcp_flags) ?? ""), packets: num(r.in_packets),
      revPackets: outPackets > 0 ? outPackets : NaN, endTime: later(nfdumpTime(str(r.first)), nfdumpTime(str(r.last))), decided: stated !== undefined,
    });
    if (why === undefined) stats.use();
    else stats.skip(why, lineNo);
    return true;
  }
}

export function createNfdumpJsonDecoder(): FlowRecordDecoder {
  const fmt = new NfdumpJsonFormat();
  return Object.assign(createLineDecoder(fmt), { extras: fmt.extras });
}

export const nfdumpJsonFormat: FormatRecord = {
  name: "nfdump-json",
  stage: "flow-records",
  sniffLine: sniffNfdumpJson,
  create: () => createNfdumpJsonDecoder(),
  doc: { detectedBy: "nfdump's JSON keys (`src4_addr`, `in_packets`, `export_sysid`), pretty-printed or one object per line", notes: "`nfdump -o json`: flows paired like exports; an NSEL `event` (CREATE, DELETE, DENIED...) is the decision" },
};
