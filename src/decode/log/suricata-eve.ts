/**
 * Suricata's EVE JSON log (eve.json, one event per line; Suricata user guide, "Eve JSON Format"):
 *   - `flow` events: one per flow when it ends, both directions in one record (`flow.pkts_toserver`,
 *     `flow.pkts_toclient`, `tcp.tcp_flags_ts` / `tcp_flags_tc` in hex), `flow.state` (new, established,
 *     closed, bypassed), `flow.reason` (timeout, forced, shutdown), `flow.alerted`. `src_ip` is the side
 *     that started the flow.
 *   - `netflow` events: one per direction (`netflow.pkts`, `tcp.tcp_flags`), joined by the pairing stage
 *     like NetFlow records.
 *   - `drop` events (IPS mode) and `alert` events whose `alert.action` is "blocked": Suricata dropped
 *     the traffic; the record states it.
 * Both flow kinds become flow records (records.ts) whose outcome the pairing stage infers from both
 * directions' packets and TCP flags, as for NetFlow; the evidence quotes Suricata's state and reason.
 * Other event types (dns, http, tls, alert allowed, stats...) describe the same traffic again, or none:
 * skipped as not-traffic:suricata-<type>.
 */
import { ACTION_BLOCKED, ACTION_UNKNOWN, NONE, PROTO_ICMP, PROTO_ICMPV6, protocolNumber, type EventBatch } from "../batch.js";
import type { InputStats } from "../stats.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import type { FlowRecordDecoder } from "../flow/records.js";
import { textFlowExtras, writeTextFlow } from "../flow/text-flows.js";
import type { FormatRecord } from "../format.js";

export function sniffSuricataEve(line: string): boolean {
  return line.startsWith("{") && /"event_type"\s*:\s*"/.test(line) && (/"src_ip"\s*:/.test(line) || /"timestamp"\s*:/.test(line)) && /"(?:flow_id|in_iface|stats)"/.test(line);
}

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;
}
function num(v: unknown): number {
  return typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
}
function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}
/** Suricata writes TCP flags as hex text ("1b"). */
function flags(v: unknown): number {
  return typeof v === "string" && /^[0-9a-f]{1,2}$/i.test(v) ? parseInt(v, 16) : NONE;
}
/** Suricata's time stamps ("2018-07-05T15:51:23.453468-0400"): the offset without a colon. */
function time(v: unknown): number {
  if (typeof v !== "string") return NaN;
  const t = Date.parse(v.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
  return Number.isNaN(t) ? NaN : t;
}

class SuricataEveFormat implements LineFormat {
  readonly format = "suricata-eve";
  readonly extras = textFlowExtras();

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats): boolean {
    const text = b.toString("utf8", start, end).trim();
    if (text === "") { stats.skip("blank", lineNo); return true; }
    let o: Obj | undefined;
    try {
      o = obj(JSON.parse(text));
    } catch {
      stats.skip("bad-json", lineNo, lineText(b, start, end));
      return true;
    }
    if (!o) { stats.skip("not-suricata-eve", lineNo, lineText(b, start, end)); return true; }
    const type = str(o.event_type) ?? "";
    const alert = obj(o.alert);
    const dropped = type === "drop" || (type === "alert" && str(alert?.action) === "blocked");
    if (type !== "flow" && type !== "netflow" && !dropped) {
      stats.skip(`not-traffic:suricata-${type || "unknown"}`, lineNo);
      return true;
    }
    const proto = protocolNumber(str(o.proto) ?? "") ?? (str(o.proto)?.toLowerCase() === "ipv6-icmp" ? PROTO_ICMPV6 : undefined);
    const icmp = proto === PROTO_ICMP || proto === PROTO_ICMPV6;
    const tcp = obj(o.tcp);
    const flow = obj(o.flow);
    const nf = obj(o.netflow);
    let packets = NaN, revPackets = NaN, fwd = NONE, label: string, start0 = time(o.timestamp), end0 = NaN;
    if (type === "flow" && flow) {
      packets = num(flow.pkts_toserver);
      // The reverse direction is in the same record; 0 packets to the client is a direction that was
      // never seen, which the pairing reads as no reverse flow.
      revPackets = num(flow.pkts_toclient);
      fwd = flags(tcp?.tcp_flags_ts);
      start0 = time(flow.start);
      end0 = time(flow.end);
      const state = str(flow.state);
      const reason = str(flow.reason);
      label = `suricata flow${state ? ` state ${state}` : ""}${reason ? `, ended by ${reason}` : ""}${flow.alerted === true ? ", alerted" : ""}`;
    } else if (type === "netflow" && nf) {
      packets = num(nf.pkts);
      fwd = flags(tcp?.tcp_flags);
      start0 = time(nf.start);
      end0 = time(nf.end);
      label = "suricata netflow";
    } else {
      label = type === "drop" ? "suricata drop" : `suricata alert blocked: ${str(alert?.signature) ?? "signature"}`;
    }
    const why = writeTextFlow(batch, this.extras, lineNo, {
      src: str(o.src_ip) ?? "", dst: str(o.dest_ip) ?? "", proto: proto ?? str(o.proto) ?? "",
      sport: icmp ? undefined : str(o.src_port), dport: icmp ? undefined : str(o.dest_port),
      icmpType: icmp ? str(o.icmp_type) : undefined, icmpCode: icmp ? str(o.icmp_code) : undefined,
      action: dropped ? ACTION_BLOCKED : ACTION_UNKNOWN, label, time: start0,
      flags: fwd, packets, revPackets: type === "flow" ? revPackets : NaN, endTime: end0, decided: dropped,
    });
    if (why !== undefined) { stats.skip(why, lineNo); return true; }
    if (type === "flow") this.extras.revFlags[batch.length - 1] = flags(tcp?.tcp_flags_tc);
    stats.use();
    return true;
  }
}

export function createSuricataEveDecoder(): FlowRecordDecoder {
  const fmt = new SuricataEveFormat();
  return Object.assign(createLineDecoder(fmt), { extras: fmt.extras });
}

export const suricataEveFormat: FormatRecord = {
  name: "suricata-eve",
  stage: "flow-records",
  sniffLine: sniffSuricataEve,
  create: () => createSuricataEveDecoder(),
  doc: { detectedBy: "EVE JSON lines (`event_type`, `flow_id`, `src_ip`)", notes: "Suricata eve.json `flow` and `netflow` events, judged by both directions' packets and TCP flags; `drop` events and blocked alerts decide; other event types skipped" },
};
