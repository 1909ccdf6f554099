/**
 * Other projects' parses of real firewall lines (the shared corpus's logs/, MANIFEST.md there) as test
 * cases: each case is one raw line and what the other project extracted. `runCase` reads the line the
 * way `portmatrix events` does (content detection, then the format's decoder) and `compare` says
 * whether tuple and action agree.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInputs } from "../../src/pipeline/run.js";
import { corpusDir } from "../helpers/need.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { eventJson, type EventJson } from "../../src/pipeline/events.js";
import { parseAddr } from "../../src/net/addr.js";

/** The corpus's logs/ folder (test/helpers/need.ts finds it from the repository root); "" when absent. */
export const CORPUS = ((d) => (d === undefined ? "" : join(d, "logs")))(corpusDir());
export const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

export interface Expect {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  proto?: string;
  action?: "allowed" | "blocked";
}

export interface Case {
  /** Corpus folder (the vendor format). */
  folder: string;
  /** Cases of one raw file share it (header lines and field lists apply to the lines after them). */
  file?: string;
  /** 1-based line within `file`. */
  line?: number;
  /** Where the case comes from: file, or file:line. */
  id: string;
  message: string;
  /**
   * The other project's 5-tuple and action when it calls the line traffic; null when it is not
   * traffic; undefined when the source gives no parse (documentation samples).
   */
  expected: Expect | null | undefined;
}

/** Flatten {"a": {"b": 1}} to {"a.b": 1}. */
export function flatten(x: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  if (x !== null && typeof x === "object" && !Array.isArray(x)) {
    for (const [k, v] of Object.entries(x)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = x;
  return out;
}

/** Event categories that are not traffic: threat, login, system, UTM/security-profile events. */
const NOT_TRAFFIC = ["authentication", "malware", "vulnerability", "file", "intrusion_detection", "anomaly", "event", "utm", "dns", "iam", "configuration", "process", "host", "web", "threat"];

const ALLOW_WORDS = /^(accept|accepted|allow|allowed|pass|passed|permit|permitted|built|close|teardown|success|ok|start|end|passthrough|established|connection)$/i;
const BLOCK_WORDS = /^(deny|denied|drop|dropped|reject|rejected|block|blocked|reset|reset-both|reset-client|reset-server|client-rst|server-rst|discard|denied by acl|failure)$/i;

/**
 * The other project's tuple. `partial`: the source asserts only some fields (plaso's assertions,
 * Logstash specs), so a missing field means "not asserted", not "not traffic".
 */
export function expectedFrom(flat: Record<string, unknown>, partial = false): Expect | null | undefined {
  const src = flat["source.ip"] ?? flat["source.address"];
  const dst = flat["destination.ip"] ?? flat["destination.address"];
  if (typeof src !== "string" || typeof dst !== "string") return partial ? undefined : null;
  const catRaw = flat["event.category"];
  const cats = (Array.isArray(catRaw) ? catRaw : [catRaw]).filter((c): c is string => typeof c === "string");
  if (cats.some((c) => NOT_TRAFFIC.includes(c.toLowerCase()))) return null;
  const dport = flat["destination.port"];
  let proto = flat["network.transport"] ?? flat["network.iana_number"];
  if (proto === "6") proto = "tcp";
  if (proto === "17") proto = "udp";
  if (proto === "1") proto = "icmp";
  if (proto === "58" || proto === "ipv6-icmp" || proto === "icmp6") proto = "icmpv6";
  if (dport === undefined && proto === undefined && !partial) return null;
  const e: Expect = { src, dst };
  if (typeof dport === "number" || (typeof dport === "string" && /^\d+$/.test(dport))) e.dport = Number(dport);
  const sport = flat["source.port"];
  if (typeof sport === "number" || (typeof sport === "string" && /^\d+$/.test(sport))) e.sport = Number(sport);
  if (typeof proto === "string") e.proto = proto.toLowerCase();
  for (const key of ["action.name", "event.action", "action.type"]) {
    const a = flat[key];
    if (typeof a !== "string") continue;
    if (ALLOW_WORDS.test(a)) { e.action = "allowed"; break; }
    if (BLOCK_WORDS.test(a)) { e.action = "blocked"; break; }
  }
  if (e.action === undefined) {
    const types = flat["event.type"];
    const list = Array.isArray(types) ? types : [types];
    if (list.includes("denied")) e.action = "blocked";
    else if (list.includes("allowed")) e.action = "allowed";
  }
  return e;
}

/** SEKOIA intake-format cases: <folder>/*.json with input.message and expected. */
export function sekoiaCases(folder: string): Case[] {
  const dir = join(CORPUS, folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => {
    const d = JSON.parse(readFileSync(join(dir, f), "utf8")) as { input?: { message?: string }; expected?: unknown };
    return { folder, id: `${folder}/${f}`, message: d.input?.message ?? "", expected: expectedFrom(flatten(d.expected ?? {})) };
  });
}

/**
 * Line files from a second source: <folder>/<source>/X (raw lines) with X-expected.fields.jsonl (the
 * other project's fields by 1-based line) when there is one; lines with no expectation are counted but
 * not compared. `*.cases.jsonl` files (classifications only) are read as lines too.
 */
export function lineFileCases(folder: string): Case[] {
  const base = join(CORPUS, folder);
  if (!existsSync(base)) return [];
  const out: Case[] = [];
  for (const sub of readdirSync(base).sort()) {
    const dir = join(base, sub);
    if (sub.endsWith(".json") || sub.endsWith(".md") || sub === "logstash-patterns-core") continue;
    for (const f of readdirSync(dir).sort()) {
      if (f.endsWith(".jsonl") && !f.endsWith(".cases.jsonl")) continue;
      if (f.endsWith(".md")) continue;
      const rawLines = readFileSync(join(dir, f), "utf8").split("\n");
      const exp = join(dir, `${f}-expected.fields.jsonl`);
      const byLine = new Map<number, Record<string, unknown>>();
      if (existsSync(exp)) {
        for (const l of readFileSync(exp, "utf8").split("\n")) {
          if (!l.trim()) continue;
          const o = JSON.parse(l) as Record<string, unknown>;
          // plaso's assertions use their own names: line_in_file, source_ip, dest_port...
          if (typeof o.line_in_file === "number") {
            const m: Record<string, unknown> = { "source.ip": o.source_ip, "destination.ip": o.dest_ip, "source.port": o.source_port, "destination.port": o.dest_port, "network.transport": typeof o.protocol === "string" ? o.protocol.toLowerCase() : undefined, "event.action": o.action };
            byLine.set(o.line_in_file, { ...m, partial: true });
          } else if (typeof o.line === "number") byLine.set(o.line, o);
        }
      }
      rawLines.forEach((raw, i) => {
        let message = raw;
        if (f.endsWith(".cases.jsonl")) {
          if (!raw.trim()) return;
          const o = JSON.parse(raw) as { line?: string; log?: string; message?: string };
          message = o.line ?? o.log ?? o.message ?? "";
        }
        if (message.trim() === "") return;
        const e = byLine.get(i + 1);
        const c: Case = { folder, id: `${folder}/${sub}/${f}:${i + 1}`, message, expected: e ? expectedFrom(e, e.partial === true) : undefined };
        if (!f.endsWith(".cases.jsonl")) { c.file = join(dir, f); c.line = i + 1; }
        out.push(c);
      });
    }
  }
  return out;
}

/** Logstash pattern specs: <folder>/logstash-patterns-core/spec-patterns-cases.jsonl. */
export function logstashCases(folder: string): Case[] {
  const f = join(CORPUS, folder, "logstash-patterns-core", "spec-patterns-cases.jsonl");
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8").split("\n").filter((l) => l.trim()).map((l, i) => {
    const o = JSON.parse(l) as { message: string; expected_ecs_v1_subset: unknown[] | null };
    const flat: Record<string, unknown> = {};
    for (const part of o.expected_ecs_v1_subset ?? []) flatten(part, "", flat);
    return { folder, id: `${folder}/logstash-patterns-core:${i + 1}`, message: o.message, expected: expectedFrom(flat, true) };
  });
}

export function allCases(folder: string): Case[] {
  return [...sekoiaCases(folder), ...lineFileCases(folder), ...logstashCases(folder)];
}

export interface CaseRun {
  format: string;
  events: EventJson[];
  skip?: string;
  error?: string;
}

let tmp: string | undefined;

/** Read one line as `portmatrix events` would: its own file, detection, decoding. */
export async function runCase(message: string): Promise<CaseRun> {
  tmp ??= mkdtempSync(join(tmpdir(), "portmatrix-corpus-"));
  const file = join(tmp, "case.log");
  writeFileSync(file, message + "\n");
  const events: EventJson[] = [];
  let skip: string | undefined;
  const [r] = await runInputs([file], {
    decode: defaultDecodeOptions(NOW),
    sink: (b, _i, input) => { for (let k = 0; k < b.length; k++) events.push(eventJson(b, k, input.path, input.format)); },
    onSkip: (_in, reason) => { skip ??= reason; },
  });
  const out: CaseRun = { format: r!.format, events };
  if (skip !== undefined) out.skip = skip;
  if (r!.error !== undefined) out.error = r!.error;
  return out;
}

/** Read a whole raw file as `portmatrix events` would; results by 1-based line. */
export async function runFile(file: string): Promise<Map<number, CaseRun>> {
  const byLine = new Map<number, CaseRun>();
  const at = (line: number, format: string) => {
    let r = byLine.get(line);
    if (!r) { r = { format, events: [] }; byLine.set(line, r); }
    return r;
  };
  const [r] = await runInputs([file], {
    decode: defaultDecodeOptions(NOW),
    sink: (b, _i, input) => { for (let k = 0; k < b.length; k++) { const e = eventJson(b, k, input.path, input.format); at(e.line ?? 0, input.format).events.push(e); } },
    onSkip: (input, reason, position) => { const x = at(position, input.format); x.skip ??= reason; },
  });
  if (r!.error !== undefined) for (const x of byLine.values()) x.error = r!.error;
  byLine.set(-1, { format: r!.format, events: [], ...(r!.error !== undefined ? { error: r!.error } : {}) });
  return byLine;
}

export type Outcome = "agree" | "disagree" | "skipped-traffic" | "skipped" | "flow-from-non-traffic" | "read-no-oracle" | "skipped-no-oracle";

const PROTO_NAMES: Record<string, string> = { esp: "ip-proto-50", ah: "ip-proto-51", gre: "ip-proto-47", sctp: "ip-proto-132", igmp: "ip-proto-2", udplite: "ip-proto-136", "ipv6-icmp": "icmpv6", icmp6: "icmpv6" };
function protoKey(p: string): string {
  const l = p.toLowerCase();
  return PROTO_NAMES[l] ?? l;
}

/** Compare our reading with the other project's. */
export function compare(c: Case, run: CaseRun): { outcome: Outcome; diff: string } {
  const e = c.expected;
  const ev = run.events;
  if (e === undefined) return ev.length > 0 ? { outcome: "read-no-oracle", diff: "" } : { outcome: "skipped-no-oracle", diff: run.skip ?? run.error ?? "" };
  if (!e) return ev.length > 0 ? { outcome: "flow-from-non-traffic", diff: `read as a flow: ${ev[0]!.src} -> ${ev[0]!.dst}` } : { outcome: "skipped", diff: run.skip ?? run.error ?? "" };
  if (ev.length === 0) return { outcome: "skipped-traffic", diff: run.skip ?? run.error ?? "no event" };
  // A record may hold several flows (Check Point "packets:"); one of them must be the expected one.
  const diffs: string[] = [];
  for (const x of ev) {
    const d: string[] = [];
    const norm = (a: string) => { const w = new Uint32Array(4); const f = parseAddr(a.trim(), w); return f === 0 ? a.toLowerCase() : `${f}:${w.join(".")}`; };
    if (norm(x.src) !== norm(e.src)) d.push(`src ${x.src} != ${e.src}`);
    if (norm(x.dst) !== norm(e.dst)) d.push(`dst ${x.dst} != ${e.dst}`);
    if (e.dport !== undefined && x.protocol !== "icmp" && x.protocol !== "icmpv6" && x.dstPort !== e.dport) d.push(`dport ${x.dstPort} != ${e.dport}`);
    if (e.sport !== undefined && x.srcPort !== null && x.srcPort !== e.sport) d.push(`sport ${x.srcPort} != ${e.sport}`);
    if (e.proto !== undefined && protoKey(x.protocol) !== protoKey(e.proto)) d.push(`proto ${x.protocol} != ${e.proto}`);
    if (e.action !== undefined && x.action !== e.action) d.push(`action ${x.action} != ${e.action}`);
    if (d.length === 0) return { outcome: "agree", diff: "" };
    diffs.push(d.join(", "));
  }
  return { outcome: "disagree", diff: diffs[0]! };
}
