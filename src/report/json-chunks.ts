import type { PreparedReport } from "./build.js";
import type { Report } from "./types.js";
import { JsonBytes } from "./json-bytes.js";
import { COMPACT_JSON_ABOVE } from "./formats.js";

/**
 * The JSON report as one text: indented for people and diffs; a report with very many findings is
 * written compact (same data, about half the bytes and time).
 */
export function renderJson(r: Report): string {
  return JSON.stringify(r, null, r.findings.length > COMPACT_JSON_ABOVE ? undefined : 2) + "\n";
}

/**
 * The compact JSON report (what `render(report, "json")` writes above COMPACT_JSON_ABOVE findings),
 * byte for byte, as UTF-8 chunks of about `chunkBytes`, written from the prepared report: no object or
 * string per finding and no string of the whole report. Keys in the report's own order; undefined
 * members are left out as JSON.stringify does. A chunk ends after a whole finding, so each chunk is
 * valid UTF-8 on its own.
 *
 * With `reuse` a chunk is written into the memory of the chunk before the last one: for a consumer that
 * is done with each chunk (has written it out) by the time it asks for the one after the next, as
 * the CLI's writers are (cli/output.ts writeReport, and stdout: Io.stdoutWritesThrough); collecting the chunks would then see
 * them overwritten.
 */
export function* jsonReportChunks(p: PreparedReport, chunkBytes = 1 << 20, reuse = false): Generator<Buffer> {
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
    if (objects) {
      for (let k = 0; k < p.length; k++) {
        if (k > 0) w.bytes(comma);
        w.bytes(Buffer.from(JSON.stringify(objects[k]), "utf8"));
        if (w.pos >= chunkBytes) yield w.detach(reuse);
      }
    } else {
      // A chunk's findings at a time: a chunk ends after the finding that fills it, as above.
      for (let k = 0; k < p.length;) {
        k = p.writeFindings(k, w, chunkBytes);
        if (w.pos >= chunkBytes) yield w.detach(reuse);
      }
    }
    w.ascii("]");
  }
  w.ascii("}\n");
  yield w.detach();
}
