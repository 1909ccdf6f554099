/**
 * The query's result rows into the same FindingTable and per-input accounting the native path makes,
 * so that report building, every report format, --baseline, diff and why work on them unchanged.
 */
import { resolve } from "node:path";
import { FindingTable } from "../match/aggregate.js";
import { InputStats } from "../decode/stats.js";
import type { InputResult } from "../pipeline/run.js";
import type { Columns } from "./runners/session.js";
import type { ResolvedSource } from "./sources.js";
import { EngineError } from "../errors.js";
import { RESULT_COLUMNS } from "./query.js";

/** The inputs of the report: every file of every source (in argument order, files sorted), or the table. */
export function inputList(sources: readonly ResolvedSource[]): InputResult[] {
  const out: InputResult[] = [];
  for (const s of sources) {
    const format = s.format === "table" ? `table (${s.mapping.id})` : `${s.format} (${s.mapping.id})`;
    const names = s.format === "table" ? [s.arg.slice("table:".length)] : s.files;
    for (const path of names) out.push({ path, format, compressed: s.compressed, stats: new InputStats() });
  }
  return out;
}

function num(v: unknown): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v !== "") return Number(v);
  return NaN;
}

function u64(v: unknown): bigint {
  if (typeof v === "bigint") return BigInt.asUintN(64, v);
  if (typeof v === "number") return BigInt.asUintN(64, BigInt(Math.trunc(v)));
  if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt.asUintN(64, BigInt(v));
  return 0n;
}

function words(fam: number, hi: unknown, lo: unknown, out: Uint32Array): void {
  const l = u64(lo);
  if (fam === 4) {
    out[0] = Number(l & 0xffffffffn); out[1] = 0; out[2] = 0; out[3] = 0;
    return;
  }
  const h = u64(hi);
  out[0] = Number(h >> 32n); out[1] = Number(h & 0xffffffffn); out[2] = Number(l >> 32n); out[3] = Number(l & 0xffffffffn);
}

/** The result of buildQuery into the table and the inputs' accounting (inputs as made by inputList). */
export function collectResults(res: Columns, inputs: InputResult[]): FindingTable {
  const index = new Map<string, number>();
  inputs.forEach((r, i) => {
    if (!index.has(r.path)) index.set(r.path, i);
    if (!index.has(resolve(r.path))) index.set(resolve(r.path), i);
  });
  const inputOf = (name: unknown): number => {
    const s = String(name);
    const i = index.get(s) ?? index.get(resolve(s));
    if (i === undefined) throw new EngineError(`the engine read an input that was not asked for: ${s}`);
    return i;
  };
  const table = new FindingTable();
  const src = new Uint32Array(4);
  const dst = new Uint32Array(4);
  const col = (name: string): unknown[] => {
    const k = res.names.indexOf(name);
    if (k < 0) throw new EngineError(`the engine's result has no column ${name}`);
    return res.data[k]!;
  };
  const c = Object.fromEntries(RESULT_COLUMNS.map((n) => [n, col(n)])) as Record<(typeof RESULT_COLUMNS)[number], unknown[]>;
  for (let i = 0; i < res.length; i++) {
    const r = (name: (typeof RESULT_COLUMNS)[number]): unknown => c[name][i];
    if (num(r("pm_kind")) === 0) {
      const stats = inputs[inputOf(r("pm_input"))]!.stats;
      const n = num(r("pm_records"));
      const reason = r("pm_reason");
      stats.read += n;
      if (reason === null || reason === undefined) {
        stats.used += n;
        // Each used record is one flow given to the matcher (the native decoders of these formats: use()).
        stats.flowsRead += n;
        stats.flowsUsed += n;
        const ends = num(r("pm_ends"));
        table.addInputEvents(inputOf(r("pm_input")), n, ends === 2 ? n : 0, ends === 1 ? n : 0);
      }
      else stats.skippedByReason.set(String(reason), (stats.skippedByReason.get(String(reason)) ?? 0) + n);
      continue;
    }
    const fam = num(r("pm_fam"));
    words(fam, r("pm_sa_hi"), r("pm_sa_lo"), src);
    words(fam, r("pm_da_hi"), r("pm_da_lo"), dst);
    const ev = r("pm_evidence");
    const evidence = Array.isArray(ev) ? ev.map(String) : [];
    table.addFinding({
      verdict: num(r("pm_verdict")), action: num(r("pm_action")), blockedBy: num(r("pm_blocked_by")), family: fam, proto: num(r("pm_proto")), port: num(r("pm_port")),
      src, dst, count: num(r("pm_count")), first: num(r("pm_first")), last: num(r("pm_last")),
      srcSet: num(r("pm_sset")), dstSet: num(r("pm_dset")), firstSrcPort: num(r("pm_first_sport")),
      input: inputOf(r("pm_first_input")), position: num(r("pm_first_pos")), evidence: evidence.slice(0, 3),
    });
  }
  return table;
}

/**
 * The header line of a CSV or TSV file is a record to the native reader (skipped as "header"), none to
 * an engine: counted here so that the accounting matches line for line.
 */
export function countHeaders(sources: readonly ResolvedSource[], inputs: InputResult[]): void {
  let k = 0;
  for (const s of sources) {
    const n = s.format === "table" ? 1 : s.files.length;
    if (s.format === "csv" || s.format === "tsv") {
      for (let i = k; i < k + n; i++) {
        const st = inputs[i]!.stats;
        if (st.read === 0) continue;
        st.read++;
        st.skippedByReason.set("header", (st.skippedByReason.get("header") ?? 0) + 1);
      }
    }
    k += n;
  }
}
