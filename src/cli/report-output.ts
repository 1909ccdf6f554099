/**
 * Writing a prepared report as `check` does (formats on stdout and to --output files, a large JSON
 * report in chunks, --baseline): for `merge`. `check` keeps its own copy of these lines until the
 * output work on it lands, then both call this.
 */
import { ExitCode, useColor, writeFileAtomic, type Io } from "./common.js";
import { readReport } from "./check.js";
import { materialise, type PreparedReport } from "../report/build.js";
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

export async function emitReport(io: Io, prepared: PreparedReport, f: OutputFlags): Promise<never> {
  const outputs = outputsOf(f);
  const baseline = f.baseline !== undefined ? readReport(f.baseline) : undefined;
  const toStdout = outputs.length === 0 || (f.format !== undefined && outputs.length > 1);
  const stdoutFmt = (f.format ?? "text") as ReportFormat;
  const formats = [...outputs.map((o) => o.fmt), ...(toStdout ? [stdoutFmt] : [])];
  const streamJson = baseline === undefined && prepared.length > COMPACT_JSON_ABOVE;
  let report = streamJson && formats.every((x) => x === "json") ? prepared.skeleton : materialise(prepared);
  if (baseline) report = applyBaseline(report, baseline, f.baseline!);
  for (const i of report.inputs) if (i.error) io.stderr(`portmatrix: ${i.error}\n`);
  const chunks = async (fmt: ReportFormat, color = false): Promise<Iterable<string | Uint8Array>> => {
    if (fmt === "json") return streamJson ? jsonReportChunks(prepared) : [renderJson(report)];
    const { renderChunks } = await import("../report/render.js");
    return renderChunks(report, fmt, { color, all: f.all === true });
  };
  for (const o of outputs) writeFileAtomic(o.path, await chunks(o.fmt));
  if (toStdout) {
    for (const c of await chunks(stdoutFmt, stdoutFmt === "text" && useColor(io, io.stdoutIsTTY))) {
      io.stdout(c);
      await io.drain?.();
    }
  }
  throw new ExitCode(report.exitCode);
}
