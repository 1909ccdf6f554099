/** Every report format, rendered from the JSON report. */
import type { Report } from "./types.js";
import type { PreparedReport } from "./build.js";
import { JsonBytes } from "./json-bytes.js";
import { renderText } from "./text.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { csvChunks, renderCsv } from "./csv.js";
import { renderJunit } from "./junit.js";
import { renderSarif } from "./sarif.js";

/** Findings above which the JSON report is written without indentation. */
export const COMPACT_JSON_ABOVE = 10_000;

export const REPORT_FORMATS = ["text", "json", "html", "md", "csv", "junit", "sarif"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function render(r: Report, format: ReportFormat, o: { color?: boolean; all?: boolean } = {}): string {
  switch (format) {
    // Indented for people and diffs; a report with very many findings is written compact (same data,
    // about half the bytes and time).
    case "json": return JSON.stringify(r, null, r.findings.length > COMPACT_JSON_ABOVE ? undefined : 2) + "\n";
    case "html": return renderHtml(r);
    case "md": return renderMarkdown(r);
    case "csv": return renderCsv(r);
    case "junit": return renderJunit(r);
    case "sarif": return renderSarif(r);
    default: return renderText(r, { color: o.color === true, all: o.all === true });
  }
}

/**
 * The compact JSON report (what `render(report, "json")` writes above COMPACT_JSON_ABOVE findings),
 * byte for byte, as UTF-8 chunks of about `chunkBytes`, written from the prepared report: no object or
 * string per finding and no string of the whole report. Keys in the report's own order; undefined
 * members are left out as JSON.stringify does. A chunk ends after a whole finding, so each chunk is
 * valid UTF-8 on its own.
 */
export function* jsonReportChunks(p: PreparedReport, chunkBytes = 1 << 20): Generator<Buffer> {
  const w = new JsonBytes(chunkBytes + (64 << 10));
  const comma = Buffer.from(",");
  w.ascii("{");
  let sep = false;
  for (const [key, value] of Object.entries(p.skeleton)) {
    if (value === undefined) continue;
    w.bytes(Buffer.from(`${sep ? "," : ""}${JSON.stringify(key)}:`, "utf8"));
    sep = true;
    if (key !== "findings") {
      w.bytes(Buffer.from(JSON.stringify(value), "utf8"));
      continue;
    }
    w.ascii("[");
    // Findings made objects (materialise) may have been changed since (applyBaseline adds a field):
    // then they are what is written.
    const objects = p.skeleton.findings.length === p.length && p.length > 0 ? p.skeleton.findings : undefined;
    for (let k = 0; k < p.length; k++) {
      if (k > 0) w.bytes(comma);
      if (objects) w.bytes(Buffer.from(JSON.stringify(objects[k]), "utf8"));
      else p.writeFinding(k, w);
      if (w.pos >= chunkBytes) yield w.take();
    }
    w.ascii("]");
  }
  w.ascii("}\n");
  yield w.take();
}

/** The report in `format` as a sequence of strings (CSV row by row in chunks; the others whole). */
export function renderChunks(r: Report, format: ReportFormat, o: { color?: boolean; all?: boolean } = {}): Iterable<string> {
  return format === "csv" ? csvChunks(r) : [render(r, format, o)];
}

/** The format an output file's name asks for, or undefined. */
export function formatFromPath(path: string): ReportFormat | undefined {
  const p = path.toLowerCase();
  if (p.endsWith(".sarif") || p.endsWith(".sarif.json")) return "sarif";
  if (p.endsWith(".json")) return "json";
  if (p.endsWith(".html") || p.endsWith(".htm")) return "html";
  if (p.endsWith(".md") || p.endsWith(".markdown")) return "md";
  if (p.endsWith(".csv")) return "csv";
  if (p.endsWith(".xml") || p.endsWith(".junit")) return "junit";
  if (p.endsWith(".txt")) return "text";
  return undefined;
}
