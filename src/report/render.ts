/** Every report format, rendered from the JSON report. */
import type { Report } from "./types.js";
import type { ReportFormat } from "./formats.js";
import { renderJson } from "./json-chunks.js";
import { renderText } from "./text.js";
import { htmlChunks, renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { csvChunks, renderCsv } from "./csv.js";
import { renderJunit } from "./junit.js";
import { renderSarif, type SarifPlaces } from "./sarif.js";

export interface RenderOptions {
  color?: boolean;
  all?: boolean;
  /** Where the SARIF log's files are (%SRCROOT% and the package root); the working directory when unset. */
  sarif?: SarifPlaces;
}

export function render(r: Report, format: ReportFormat, o: RenderOptions = {}): string {
  switch (format) {
    case "json": return renderJson(r);
    case "html": return renderHtml(r);
    case "md": return renderMarkdown(r);
    case "csv": return renderCsv(r);
    case "junit": return renderJunit(r);
    case "sarif": return renderSarif(r, o.sarif);
    default: return renderText(r, { color: o.color === true, all: o.all === true });
  }
}

/**
 * The report in `format` as a sequence of strings: CSV rows and HTML finding rows in chunks (a writer
 * lets the event loop run between them, so a signal is handled while a large report is written); the
 * others whole.
 */
export function renderChunks(r: Report, format: ReportFormat, o: RenderOptions = {}): Iterable<string> {
  return format === "csv" ? csvChunks(r) : format === "html" ? htmlChunks(r) : [render(r, format, o)];
}

export { COMPACT_JSON_ABOVE, REPORT_FORMATS, formatFromPath, type ReportFormat } from "./formats.js";
export { jsonReportChunks, renderJson } from "./json-chunks.js";
