/**
 * Writing a prepared report as `check` does (formats on stdout and to --output files, a large JSON
 * report in chunks, --baseline, the problems that make a run incomplete): for `merge`.
 */
import { ExitCode, say, sayProblems, useColor, type Io } from "./common.js";
import { readReport } from "./check.js";
import { checkOutputs, planReports, settle, writeReport, type ReadFile } from "./output.js";
import { materialiseInSteps, type PreparedReport } from "../report/build.js";
import { savedReportProblems } from "../report/checked.js";
import { COMPACT_JSON_ABOVE, formatFromPath, type ReportFormat } from "../report/formats.js";
import { jsonReportChunks, renderJson } from "../report/json-chunks.js";
import { applyBaseline } from "../report/diff.js";
import { UsageError } from "../errors.js";

export interface OutputFlags {
  format?: string;
  output?: string[];
  baseline?: string;
  all?: boolean;
}

export function outputsOf(f: OutputFlags): { path: string; fmt: ReportFormat }[] {
  return (f.output ?? []).map((path) => {
    const fmt = (f.output!.length === 1 && f.format !== undefined ? f.format : formatFromPath(path)) as ReportFormat | undefined;
    if (!fmt) throw new UsageError(`--output ${path}: cannot tell the format from the name; use .json .html .md .csv .xml .sarif or .txt (or --format with one --output)`);
    return { path, fmt };
  });
}

/** Before anything is read: no report may overwrite a file the run reads (`reads`), nor the baseline. */
export function checkReportOutputs(f: OutputFlags, reads: readonly ReadFile[]): void {
  const all = [...reads, ...(f.baseline !== undefined ? [{ path: f.baseline, what: "the baseline" }] : [])];
  checkOutputs(outputsOf(f).map((o) => o.path), all);
}

export async function emitReport(io: Io, prepared: PreparedReport, f: OutputFlags): Promise<never> {
  const outputs = outputsOf(f);
  const baseline = f.baseline !== undefined ? readReport(f.baseline) : undefined;
  const toStdout = outputs.length === 0 || (f.format !== undefined && outputs.length > 1);
  const stdoutFmt = (f.format ?? "text") as ReportFormat;
  const formats = [...outputs.map((o) => o.fmt), ...(toStdout ? [stdoutFmt] : [])];
  const streamJson = baseline === undefined && prepared.length > COMPACT_JSON_ABOVE;
  let report = streamJson && formats.every((x) => x === "json") ? prepared.skeleton : await materialiseInSteps(prepared, settle);
  if (baseline) {
    for (const p of savedReportProblems(baseline)) say(io, `${f.baseline!}: the baseline run was not a complete check: ${p.message}; flows it lacks count as new`);
    report = applyBaseline(report, baseline, f.baseline!);
  }
  sayProblems(io, report);
  const chunks = async (fmt: ReportFormat, color = false): Promise<Iterable<string | Uint8Array>> => {
    if (fmt === "json") return streamJson ? jsonReportChunks(prepared) : [renderJson(report)];
    const { renderChunks } = await import("../report/render.js");
    return renderChunks(report, fmt, { color, all: f.all === true });
  };
  planReports(outputs.map((o) => o.path));
  for (const o of outputs) await writeReport(o.path, await chunks(o.fmt));
  if (toStdout) {
    for (const c of await chunks(stdoutFmt, stdoutFmt === "text" && useColor(io, io.stdoutIsTTY))) {
      io.stdout(c);
      await io.drain?.();
    }
  }
  throw new ExitCode(report.exitCode);
}
