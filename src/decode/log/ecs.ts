/**
 * Elastic Common Schema documents, one JSON object per line, as Filebeat and Elastic Agent (file
 * output) and Logstash (json_lines) write them: `source.ip`/`source.port`, `destination.ip`/
 * `destination.port`, `network.transport` (or `network.iana_number`), `@timestamp`, and what happened in
 * `event.type` (an array holding "allowed" or "denied" for firewall events, ECS event.type), else
 * `event.action` (the vendor's word: accept, drop, deny...). `event.outcome` is not read: ECS defines it
 * as success or failure from the producer's point of view, so a firewall that denied a connection as
 * configured may well say "success"; taking it for "allowed" would make a block look open. Fields may be nested
 * objects or dotted keys ("source.ip"), as the two writers differ. ICMP type and code are read from
 * `icmp.type`/`icmp.code` or a module's own (`iptables.icmp.type`...). Documents without both
 * addresses (host metrics, process events) are skipped as not-traffic:ecs-<event.category>.
 */
import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";
import { actionWord, type ParseContext, type ParseResult, type TextFormatSpec } from "./text-format.js";

type Obj = Record<string, unknown>;

/** A field by its dotted name, nested or flat or mixed ("source": {"ip"}, "source.ip", "source": {"nat.ip"}). */
export function field(o: Obj, path: string): unknown {
  if (path in o) return o[path];
  const dot = path.indexOf(".");
  if (dot < 0) return undefined;
  for (let i = dot; i >= 0; i = path.indexOf(".", i + 1)) {
    const head = o[path.slice(0, i)];
    if (head !== null && typeof head === "object" && !Array.isArray(head)) {
      const v = field(head as Obj, path.slice(i + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

function scalar(v: unknown): string | number | undefined {
  if (typeof v === "string" || typeof v === "number") return v;
  if (Array.isArray(v) && (typeof v[0] === "string" || typeof v[0] === "number")) return v[0] as string | number;
  return undefined;
}

function words(v: unknown): string[] {
  if (typeof v === "string") return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** ECS event.type "denied"/"allowed" first (it is the categorisation), then the vendor's action word. */
export function ecsAction(o: Obj): ActionCode {
  const types = words(field(o, "event.type")).map((s) => s.toLowerCase());
  if (types.includes("denied")) return ACTION_BLOCKED;
  if (types.includes("allowed")) return ACTION_ALLOWED;
  // The vendor's word, alone ("drop") or inside a name ("flow_denied", "firewall-accept").
  const action = scalar(field(o, "event.action"));
  if (typeof action !== "string") return ACTION_UNKNOWN;
  for (const token of action.split(/[^a-z]+/i)) {
    const a = actionWord(token);
    if (a !== ACTION_UNKNOWN) return a;
  }
  return ACTION_UNKNOWN;
}

const ICMP_TYPES = ["icmp.type", "iptables.icmp.type", "icmp.request.type", "panw.panos.icmp.type"];
const ICMP_CODES = ["icmp.code", "iptables.icmp.code", "icmp.request.code", "panw.panos.icmp.code"];

function first(o: Obj, paths: readonly string[]): string | number | undefined {
  for (const p of paths) {
    const v = scalar(field(o, p));
    if (v !== undefined) return v;
  }
  return undefined;
}

/** IANA protocol names ECS writers use in network.transport beyond tcp/udp/icmp (the IANA keyword, lower case). */
const TRANSPORT_NUMBERS: Record<string, number> = { igmp: 2, gre: 47, esp: 50, ah: 51, "ipv6-icmp": 58, icmpv6: 58, ospf: 89, sctp: 132, udplite: 136 };

function parseEcs(line: string, _ctx: ParseContext): ParseResult {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return { skip: "bad-json" };
  }
  if (o === null || typeof o !== "object" || Array.isArray(o)) return { skip: "not-ecs" };
  const d = o as Obj;
  const src = scalar(field(d, "source.ip"));
  const dst = scalar(field(d, "destination.ip"));
  if (src === undefined || dst === undefined) {
    const category = words(field(d, "event.category"))[0] ?? words(field(d, "event.kind"))[0] ?? "event";
    return { skip: `not-traffic:ecs-${category}` };
  }
  const transport = scalar(field(d, "network.transport"));
  const iana = scalar(field(d, "network.iana_number"));
  const proto = transport ?? iana;
  if (proto === undefined) return { skip: "missing-protocol" };
  const action = ecsAction(d);
  const label = scalar(field(d, "event.action")) ?? words(field(d, "event.type")).join(",");
  const ts = scalar(field(d, "@timestamp"));
  return {
    src: String(src), dst: String(dst), proto: typeof proto === "number" ? proto : TRANSPORT_NUMBERS[proto.toLowerCase()] ?? proto,
    sport: scalar(field(d, "source.port")), dport: scalar(field(d, "destination.port")),
    icmpType: first(d, ICMP_TYPES), icmpCode: first(d, ICMP_CODES),
    action, label: label === undefined ? undefined : String(label),
    time: typeof ts === "string" ? Date.parse(ts) : undefined,
  };
}

export const ecsFormat: TextFormatSpec = {
  name: "ecs",
  doc: { detectedBy: "JSON lines with `source.ip`, `destination.ip` and ECS `event`/`network` fields (nested or dotted)", notes: "Elastic Common Schema as Filebeat, Elastic Agent and Logstash write it: `event.type` allowed/denied, else `event.action`; `event.outcome` (success/failure from the producer's side) is not taken for allowed or blocked" },
  sniff: (line) => line.startsWith("{") && /"source(?:\.ip)?"\s*:/.test(line) && /"destination(?:\.ip)?"\s*:/.test(line) &&
    /"(?:ecs|event|network|@timestamp)[".]/.test(line),
  parse: parseEcs,
};
