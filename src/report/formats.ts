/**
 * Report formats and how an output's name picks one: what the command line needs before any report
 * exists, kept apart from the renderers so that start-up does not load them.
 */
/** Findings above which the JSON report is written without indentation. */
export const COMPACT_JSON_ABOVE = 10_000;

export const REPORT_FORMATS = ["text", "json", "html", "md", "csv", "junit", "sarif"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

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
