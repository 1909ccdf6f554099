/**
 * Writing a prepared report as `check` does (formats on stdout and to --output files, a large JSON
 * report in chunks, --baseline, the problems that make a run incomplete): for `merge`.
 */
import { ExitCode, sarifPlaces, say, sayFormatList, sayProblems, useColor, type Io } from "./common.js";
import { readReport } from "./check.js";
import { checkOutputs, planReports, settle, writeReport, type ReadFile } from "./output.js";
import { eachFinding, materialiseInSteps, type PreparedReport } from "../report/build.js";
import type { Report } from "../report/types.js";
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
  quiet?: boolean;
  /** --sarif-root: what SARIF paths are relative to (check). */
  sarifRoot?: string;
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

/**
 * Write the report to its --output files and stdout. `baseline` is the saved report already read (check
 * reads it before the inputs, to refuse one of another matrix); `sarifRoot` is resolved before the run.
 */
export async function emitReport(io: Io, prepared: PreparedReport, f: OutputFlags, baseline: Report | undefined = f.baseline !== undefined ? readReport(f.baseline) : undefined): Promise<never> {
  const outputs = outputsOf(f);
  const sarifAt = f.sarifRoot !== undefined ? sarifPlaces(f.sarifRoot) : undefined;
  const sarif = () => sarifAt ?? sarifPlaces(undefined);
  const toStdout = outputs.length === 0 || (f.format !== undefined && outputs.length > 1);
  const stdoutFmt = (f.format ?? "text") as ReportFormat;
  const formats = [...outputs.map((o) => o.fmt), ...(toStdout ? [stdoutFmt] : [])];
  // A large JSON report is written straight from the finding table, in chunks, and the HTML page, the
  // text and the CSV from one finding at a time; the findings become objects all at once only for the
  // other formats and for --baseline.
  const streamJson = baseline === undefined && prepared.length > COMPACT_JSON_ABOVE;
  const oneAtATime = (x: ReportFormat) => (x === "json" ? streamJson : x === "html" || x === "text" || x === "csv");
  let report = baseline === undefined && formats.every(oneAtATime) ? prepared.skeleton : await materialiseInSteps(prepared, settle);
  if (baseline) {
    for (const p of savedReportProblems(baseline)) say(io, `${f.baseline!}: the baseline run was not a complete check: ${p.message}; flows it lacks count as new`);
    report = applyBaseline(report, baseline, f.baseline!);
  }
  sayProblems(io, report);
  sayFormatList(io, report.inputs.map((i) => i.error));
  // writeReport writes each chunk before asking for the next (cli/output.ts writeAll); stdout, when the Io says so.
  const chunks = async (fmt: ReportFormat, color = false, writtenThrough = true): Promise<Iterable<string | Uint8Array>> => {
    if (fmt === "json") return streamJson ? jsonReportChunks(prepared, undefined, writtenThrough) : [renderJson(report)];
    if (report.findings.length !== prepared.length) {
      if (fmt === "html") {
        const { htmlChunks } = await import("../report/html.js");
        return htmlChunks(report, eachFinding(prepared));
      }
      if (fmt === "csv") {
        const { csvChunks } = await import("../report/csv.js");
        return csvChunks(report, eachFinding(prepared));
      }
      if (fmt === "text") {
        const { renderText } = await import("../report/text.js");
        return [renderText(report, { color, all: f.all === true }, eachFinding(prepared))];
      }
    }
    const { renderChunks } = await import("../report/render.js");
    return renderChunks(report, fmt, { color, all: f.all === true, sarif: sarif() });
  };
  planReports(outputs.map((o) => o.path));
  for (const o of outputs) await writeReport(o.path, await chunks(o.fmt));
  if (toStdout) {
    for (const c of await chunks(stdoutFmt, stdoutFmt === "text" && useColor(io, io.stdoutIsTTY), io.stdoutWritesThrough === true)) {
      io.stdout(c);
      await io.drain?.();
    }
  } else if (!f.quiet) {
    // Reports went to files only: the one line that says how the run ended still reaches the person.
    const { resultLine } = await import("../report/text.js");
    io.stderr(`${resultLine(report)}\n`);
  }
  throw new ExitCode(report.exitCode);
}
