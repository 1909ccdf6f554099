/**
 * The shared frame for vendor log formats that are parsed as text, one record per line: a format
 * module says whether a line looks like its own (`sniff`, for detection) and turns a line into zero,
 * one or several flows, or a skip reason. This file writes the flows into the batch with the same
 * checks and skip reasons for every vendor, so each vendor module stays a small pure function.
 */
import {
  ACTION_UNKNOWN, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, commit, protocolNumber, reserve,
  type ActionCode, type EventBatch,
} from "../batch.js";
import type { InputStats } from "../stats.js";
import { parseAddr } from "../../net/addr.js";
import { createLineDecoder, lineText, type LineFormat } from "./lines.js";
import type { DecodeOptions } from "./options.js";
import type { Decoder } from "../decoder.js";
import type { FormatDoc } from "../format.js";
import { icmpNotAFlow } from "../icmp.js";

/** One flow as a vendor line states it, before validation. */
export interface FlowFields {
  src: string;
  dst: string;
  /** Protocol name ("tcp", "UDP", "icmp", "ipv6-icmp") or IANA number. */
  proto: string | number;
  sport?: string | number | undefined;
  dport?: string | number | undefined;
  icmpType?: string | number | undefined;
  icmpCode?: string | number | undefined;
  action: ActionCode;
  /** Who stopped a blocked flow, when the source knows better than "this firewall" (BLOCKED_BY_*; see EventBatch.blockedBy). */
  blockedBy?: number | undefined;
  /** Evidence text: the vendor's action word, rule name or message id. */
  label?: string | undefined;
  /** ms since the epoch. */
  time?: number | undefined;
  /** Connections or packets the record stands for (flow logs), default 1. */
  count?: number | undefined;
}

/** A flow the record did not yield, with the reason. */
export interface FlowSkip { skip: string }

/**
 * What a vendor parser returns for one line: one flow, a skip of the whole line, or the several flows a
 * record holds, each a flow or the reason it is not one (counted per flow, see decode/stats.ts).
 */
export type ParseResult = FlowFields | (FlowFields | FlowSkip)[] | FlowSkip;

/** Several results (JSON values of one line, records of one blob) as the one result of a line. */
export function mergeResults(results: readonly ParseResult[]): ParseResult {
  if (results.length === 1) return results[0]!;
  const out: (FlowFields | FlowSkip)[] = [];
  for (const r of results) {
    if (Array.isArray(r)) for (const x of r) out.push(x);
    else out.push(r);
  }
  return out;
}

export interface ParseContext {
  opts: DecodeOptions;
  lineNo: number;
  /** State a format keeps across lines (a header line, a field list). */
  state: Record<string, unknown>;
}

export interface TextFormatSpec {
  /** The format's name as `--input-format` and the report's `inputs[].format` show it. */
  name: string;
  /** Its row in the README's formats table (see decode/format.ts). */
  doc: FormatDoc;
  /** True when a line is of this format (used on a file's first lines for detection). */
  sniff(line: string): boolean;
  /** Parse one line (without its line break). */
  parse(line: string, ctx: ParseContext): ParseResult;
}

const words = new Uint32Array(4);

function num(v: string | number | undefined, max: number): number {
  if (v === undefined || v === "") return -1;
  const n = typeof v === "number" ? v : /^\s*\d{1,6}\s*$/.test(v) ? Number(v) : -1;
  return Number.isInteger(n) && n >= 0 && n <= max ? n : -1;
}

/** Validate and write one flow. Returns a skip reason, or undefined when written. */
export function writeFlow(batch: EventBatch, lineNo: number, f: FlowFields): string | undefined {
  const i = reserve(batch);
  batch.position[i] = lineNo;
  const src = f.src.trim();
  const dst = f.dst.trim();
  if (src === "" || dst === "") return "missing-address";
  const fs = parseAddr(src, words);
  if (fs === 0) return "bad-address";
  batch.src.set(words, i * 4);
  const fd = parseAddr(dst, words);
  if (fd === 0) return "bad-address";
  if (fd !== fs) return "mixed-address-families";
  batch.dst.set(words, i * 4);
  batch.family[i] = fs;
  let proto = typeof f.proto === "number" ? f.proto : protocolNumber(f.proto.trim()) ?? -1;
  if (proto < 0 || proto > 255) return "unknown-protocol";
  if (proto === PROTO_ICMP && fs === 6) proto = PROTO_ICMPV6;
  batch.proto[i] = proto;
  if (proto === PROTO_TCP || proto === PROTO_UDP) {
    const sp = num(f.sport, 65535);
    const dp = num(f.dport, 65535);
    if (dp < 0) return "missing-port";
    batch.srcPort[i] = sp;
    batch.dstPort[i] = dp;
  } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
    // A record that names no ICMP type is still a flow: matched as "type unknown" (icmpType NONE).
    const t = num(f.icmpType, 255);
    const notFlow = t < 0 ? undefined : icmpNotAFlow(proto, t);
    if (notFlow) return notFlow;
    batch.icmpType[i] = t;
    batch.icmpCode[i] = num(f.icmpCode, 255);
  }
  batch.action[i] = f.action;
  if (f.blockedBy !== undefined) batch.blockedBy[i] = f.blockedBy;
  if (f.label !== undefined && f.label !== "") batch.label[i] = batch.labels.intern(f.label);
  if (f.time !== undefined && Number.isFinite(f.time)) batch.time[i] = f.time;
  if (f.count !== undefined && f.count >= 1) batch.count[i] = Math.min(f.count, 0xffffffff);
  commit(batch);
  return undefined;
}

/** Adapt a TextFormatSpec to the line framework. */
export class TextLineFormat implements LineFormat {
  readonly format: string;
  private readonly ctx: ParseContext;
  constructor(private readonly spec: TextFormatSpec, opts: DecodeOptions) {
    this.format = spec.name;
    this.ctx = { opts, lineNo: 0, state: {} };
  }

  line(b: Buffer, start: number, end: number, lineNo: number, batch: EventBatch, stats: InputStats, makeRoom: () => void): boolean {
    if (start === end) { stats.skip("blank", lineNo); return true; }
    const text = b.toString("utf8", start, end);
    if (text.trim() === "") { stats.skip("blank", lineNo); return true; }
    this.ctx.lineNo = lineNo;
    let r: ParseResult;
    try {
      r = this.spec.parse(text, this.ctx);
    } catch {
      // A parser bug on a hostile line must not end the run: the line is counted and kept as a sample.
      stats.skip("parse-error", lineNo, lineText(b, start, end));
      return true;
    }
    if (!Array.isArray(r)) {
      if ("skip" in r) { stats.skip(r.skip, lineNo, r.skip.startsWith("not-") ? lineText(b, start, end) : undefined); return true; }
      if (batch.length >= batch.capacity) makeRoom();
      const why = writeFlow(batch, lineNo, r);
      if (why === undefined) stats.use();
      else stats.skip(why, lineNo, lineText(b, start, end));
      return true;
    }
    if (r.length === 0) { stats.skip("no-flow", lineNo); return true; }
    // A record of several flows: each is used or skipped on its own, and counted (stats.useFlows).
    let written = 0;
    const skipped: string[] = [];
    for (const f of r) {
      if ("skip" in f) { skipped.push(f.skip); continue; }
      if (batch.length >= batch.capacity) makeRoom();
      const why = writeFlow(batch, lineNo, f);
      if (why === undefined) written++;
      else skipped.push(why);
    }
    stats.useFlows(written, skipped, lineNo, () => lineText(b, start, end));
    return true;
  }
}

export function createTextDecoder(spec: TextFormatSpec, opts: DecodeOptions): Decoder {
  return createLineDecoder(new TextLineFormat(spec, opts));
}

/**
 * key=value pairs as firewalls write them (FortiGate, SonicWall, Sophos, Stormshield, CEF extensions):
 * values may be double-quoted (with \" inside) or bare; a bare value runs to the next space. Keys are
 * returned as written. Tolerates junk between pairs.
 */
export function parseKeyValues(text: string, start = 0): Map<string, string> {
  const out = new Map<string, string>();
  const n = text.length;
  let i = start;
  while (i < n) {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === ",")) i++;
    const k0 = i;
    while (i < n && text[i] !== "=" && text[i] !== " ") i++;
    if (i >= n || text[i] !== "=") { while (i < n && text[i] !== " ") i++; continue; }
    const key = text.slice(k0, i);
    i++;
    let value: string;
    if (text[i] === '"') {
      i++;
      let v = "";
      while (i < n && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < n) { v += text[i + 1]; i += 2; continue; }
        v += text[i];
        i++;
      }
      i++;
      value = v;
    } else {
      const v0 = i;
      while (i < n && text[i] !== " ") i++;
      value = text.slice(v0, i);
    }
    if (key !== "" && !out.has(key)) out.set(key, value);
  }
  return out;
}

/** Map common vendor action words to an action (accept/allow/pass/permit vs deny/drop/reject/block). */
export function actionWord(w: string | undefined): ActionCode {
  if (!w) return ACTION_UNKNOWN;
  const s = w.trim().toLowerCase();
  if (/^(accept|accepted|allow|allowed|pass|passed|permit|permitted|built|start|open|opened|success|ok|close|closed)$/.test(s)) return 1;
  if (/^(deny|denied|drop|dropped|reject|rejected|block|blocked|discard|discarded|reset|reset-both|reset-client|reset-server|refused|failure|fail)$/.test(s)) return 2;
  return ACTION_UNKNOWN;
}
