/**
 * Several inputs on several threads (`--jobs N`). The inputs, in their order, are cut into N contiguous
 * runs of about equal size. This thread reads the first run itself; a worker thread each of the others
 * decodes, classifies and counts its run into one FindingTable and sends it back (its records as a
 * transferable buffer) with each input's accounting. Merging the tables in run order gives the table one
 * thread reading every input in order makes (FindingTable.merge), so the report is the same.
 */
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { FindingTable, type FindingTableData } from "../match/aggregate.js";
import { InputStats, type SkipSample } from "../decode/stats.js";
import { runInput, type InputResult, type RunOptions } from "./run.js";
import { preloadedTexts } from "../source/config.js";
import { findingSink, type CheckOptions, type CheckSetup } from "./check.js";

/** What a worker is told: how to set up, and its run of inputs (index among all inputs, path). */
export interface WorkerSetup {
  setup: CheckSetup["args"];
  decode: CheckOptions["decode"];
  inputFormat: string | undefined;
  progress: boolean;
  inputs: [number, string][];
  /** Config files this thread read in advance (a FIFO cannot be read twice). */
  configTexts: [string, string][];
}

/** Messages from a worker. */
export type WorkerMessage =
  | { type: "chunk"; idx: number; bytes: number; raw: number; read: number }
  | { type: "done"; inputs: InputSummaryData[]; table: FindingTableData }
  | { type: "fail"; message: string };

/** An input's accounting as plain data. */
export interface InputSummaryData {
  path: string;
  format: string;
  compressed: boolean;
  error: string | undefined;
  read: number;
  used: number;
  bytes: number;
  skipped: [string, number][];
  notes: [string, number][];
  samples: SkipSample[];
  flowsRead: number;
  flowsUsed: number;
  flowsSkipped: [string, number][];
}

export function summaryData(r: InputResult): InputSummaryData {
  return {
    path: r.path, format: r.format, compressed: r.compressed, error: r.error, read: r.stats.read, used: r.stats.used,
    bytes: r.stats.bytes, skipped: [...r.stats.skippedByReason], notes: [...r.stats.notes], samples: [...r.stats.samples],
    flowsRead: r.stats.flowsRead, flowsUsed: r.stats.flowsUsed, flowsSkipped: [...r.stats.flowsSkippedByReason],
  };
}

function inputResult(d: InputSummaryData): InputResult {
  const stats = new InputStats();
  stats.read = d.read;
  stats.used = d.used;
  stats.bytes = d.bytes;
  for (const [k, v] of d.skipped) stats.skippedByReason.set(k, v);
  stats.flowsRead = d.flowsRead;
  stats.flowsUsed = d.flowsUsed;
  for (const [k, v] of d.flowsSkipped) stats.flowsSkippedByReason.set(k, v);
  for (const [k, v] of d.notes) stats.notes.set(k, v);
  stats.samples.push(...d.samples);
  const r: InputResult = { path: d.path, format: d.format, compressed: d.compressed, stats };
  if (d.error !== undefined) r.error = d.error;
  return r;
}

/**
 * Cut inputs 0..n-1 into `jobs` contiguous runs of about equal total size, none empty
 * (jobs <= n). Every input weighs one byte more than its size: empty files still cost an open.
 */
export function contiguousRuns(byteSizes: readonly number[], jobs: number): number[][] {
  const sizes = byteSizes.map((s) => s + 1);
  const n = sizes.length;
  const total = sizes.reduce((a, b) => a + b, 0);
  const runs: number[][] = [];
  let i = 0;
  let cum = 0;
  for (let g = 0; g < jobs; g++) {
    const run: number[] = [];
    const goal = (total * (g + 1)) / jobs;
    const later = jobs - g - 1;
    while (i < n && (run.length === 0 || (n - i > later && (g === jobs - 1 || cum + sizes[i]! / 2 <= goal)))) {
      run.push(i);
      cum += sizes[i]!;
      i++;
    }
    runs.push(run);
  }
  return runs;
}

/** The compiled worker, also when this module runs from the TypeScript sources (tests): dist/ has it. */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts") ? new URL("../../dist/pipeline/check-worker.js", here) : new URL("./check-worker.js", here);
}

export async function runParallel(setup: CheckSetup, inputs: readonly string[], o: CheckOptions, jobs: number): Promise<{ table: FindingTable; results: InputResult[] }> {
  const sizes = inputs.map((p) => statSync(p, { throwIfNoEntry: false })?.size ?? 0);
  const runs = contiguousRuns(sizes, Math.min(jobs, inputs.length));
  const done: ({ inputs: InputSummaryData[]; table: FindingTableData } | undefined)[] = runs.map(() => undefined);
  /** Per input: what the progress display is shown while the input is read elsewhere. */
  const live = new Map<number, InputResult>();
  const workers: Worker[] = [];
  let failure: Error | undefined;
  let finished = 0;
  const workersDone = new Promise<void>((resolve, reject) => {
    const fail = (e: Error) => {
      if (failure) return;
      failure = e;
      reject(e);
    };
    runs.forEach((run, g) => {
      if (g === 0) return;
      const data: WorkerSetup = {
        setup: setup.args, decode: o.decode, inputFormat: o.inputFormat, progress: o.onChunk !== undefined,
        inputs: run.map((idx) => [idx, inputs[idx]!]),
        configTexts: preloadedTexts(),
      };
      const w = new Worker(workerUrl(), { workerData: data });
      workers.push(w);
      w.on("error", (e) => fail(e));
      w.on("exit", (code) => { if (done[g] === undefined) fail(new Error(`worker thread exited with code ${code} before its inputs were read`)); });
      w.on("message", (m: WorkerMessage) => {
        if (failure) return;
        if (m.type === "chunk") {
          let r = live.get(m.idx);
          if (!r) {
            r = { path: inputs[m.idx]!, format: "unknown", compressed: false, stats: new InputStats() };
            live.set(m.idx, r);
          }
          r.stats.read = m.read;
          void o.onChunk?.(r, m.bytes, m.raw);
        } else if (m.type === "fail") {
          fail(new Error(`worker thread failed: ${m.message}`));
        } else {
          done[g] = m;
          if (++finished === runs.length - 1) resolve();
        }
      });
    });
    if (runs.length === 1) resolve();
  });
  // Until this thread awaits it, a failing worker must not count as an unhandled rejection.
  workersDone.catch(() => undefined);
  const table = new FindingTable();
  const results: InputResult[] = [];
  try {
    // The first run, here, straight into the table the others are merged into.
    const runOpts: RunOptions = { decode: o.decode, sink: findingSink(setup.matcher, table) };
    if (o.inputFormat !== undefined) runOpts.inputFormat = o.inputFormat;
    if (o.onChunk) runOpts.onChunk = o.onChunk;
    for (const idx of runs[0]!) {
      if (failure) break;
      results.push(await runInput(inputs[idx]!, idx, runOpts));
    }
    await workersDone;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  // Later runs in input order, each merged into the table.
  for (let g = 1; g < runs.length; g++) {
    const d = done[g];
    if (!d) throw new Error("worker thread sent no result");
    table.merge(d.table);
    for (const i of d.inputs) results.push(inputResult(i));
  }
  return { table, results };
}
