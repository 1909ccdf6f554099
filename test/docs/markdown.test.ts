import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import MarkdownIt from "markdown-it";
import { runCli } from "../helpers/cli.js";

/**
 * The README and docs/ as a reader sees them, parsed by a real CommonMark + GFM-tables parser
 * (markdown-it): a table row cut off from its table by a blank line renders as a stray paragraph of
 * pipes. Every line that starts with "|" must lie inside a table (or a code block).
 */
/** Every Markdown file a reader opens: the README, docs/ and bench/ (generated tables included). */
const FILES = ["README.md", ...["docs", "bench"].flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".md")).map((f) => `${d}/${f}`))];
const md = new MarkdownIt();

/** Lines (0-based) starting with "|" that the parser did not read as part of a table or code. */
export function strayTableLines(text: string): number[] {
  const covered = new Set<number>();
  for (const t of md.parse(text, {})) {
    if (t.map && (t.type === "table_open" || t.type === "fence" || t.type === "code_block" || t.type === "html_block")) {
      for (let l = t.map[0]; l < t.map[1]; l++) covered.add(l);
    }
  }
  return text.split("\n").flatMap((line, n) => (/^\s{0,3}\|/.test(line) && !covered.has(n) ? [n] : []));
}

/**
 * Rows (0-based lines) whose cells, counted in the source, are not the header's: a `|` left unescaped in
 * a cell splits it (GFM drops the extra cells, and their text with them), and a line glued under a
 * table (an HTML comment marking a generated table's end) becomes a row of its own.
 */
export function mismatchedRows(text: string): number[] {
  const lines = text.split("\n");
  const tokens = md.parse(text, {});
  const out: number[] = [];
  tokens.forEach((t, i) => {
    if (t.type !== "table_open" || !t.map) return;
    let header = 0;
    for (let j = i + 1; tokens[j]!.type !== "tr_close"; j++) if (tokens[j]!.type === "th_open") header++;
    for (let l = t.map[0]; l < t.map[1]; l++) {
      if (l === t.map[0] + 1) continue; // the delimiter row
      const cells = lines[l]!.replace(/\\\|/g, "").trim().replace(/^\|/, "").replace(/\|$/, "").split("|").length;
      if (cells !== header) out.push(l);
    }
  });
  return out;
}

describe("Markdown renders as meant", () => {
  it("finds a table broken by a blank line (the check can fail)", () => {
    expect(strayTableLines("| a | b |\n|---|---|\n| 1 | 2 |\n\n| 3 | 4 |\n")).toEqual([4]);
    expect(strayTableLines("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n```\n| not a table |\n```\n")).toEqual([]);
  });

  it("finds a row whose cells are not the header's (an unescaped pipe, a marker glued to the table)", () => {
    expect(mismatchedRows("| a | b |\n|---|---|\n| `x|y` | 2 |\n| `x\\|y` | 2 |\n<!-- end -->\n")).toEqual([2, 4]);
    expect(mismatchedRows("| a | b |\n|---|---|\n| 1 | 2 |\n\n<!-- end -->\n")).toEqual([]);
  });

  it.each(FILES)("%s: every table is whole", (file) => {
    const text = readFileSync(file, "utf8");
    const stray = strayTableLines(text).map((n) => `${file}:${n + 1}: ${text.split("\n")[n]!.slice(0, 60)}`);
    expect(stray).toEqual([]);
    expect(mismatchedRows(text).map((n) => `${file}:${n + 1}: ${text.split("\n")[n]!.slice(0, 60)}`)).toEqual([]);
  });
});

/** Backticked identifiers (`line`, `srcPort`) in a piece of Markdown. */
const fieldNames = (s: string) => [...s.matchAll(/`([a-z][A-Za-z]*)`/g)].map((m) => m[1]!);

describe("the events field list says what events prints", () => {
  async function printedFields(): Promise<Set<string>> {
    const keys = new Set<string>();
    for (const input of ["fixtures/kcps/kern.log", "fixtures/lab/captures/customer-side.pcap"]) {
      const r = await runCli(["events", input]);
      expect(r.code).toBe(0);
      for (const line of r.stdout.trim().split("\n")) for (const k of Object.keys(JSON.parse(line) as object)) keys.add(k);
    }
    return keys;
  }

  it("in the README's command table", async () => {
    const readme = readFileSync("README.md", "utf8");
    const row = readme.split("\n").find((l) => l.startsWith("| `portmatrix events"))!;
    const list = row.slice(row.indexOf("one JSON object per record"), row.indexOf("accounting on stderr"));
    expect(new Set(fieldNames(list))).toEqual(await printedFields());
  });

  it("in docs/report-format.md's table", async () => {
    const doc = readFileSync("docs/report-format.md", "utf8");
    const section = doc.slice(doc.indexOf("# `portmatrix events`"), doc.indexOf("## Skip reasons"));
    const first = section.split("\n").filter((l) => /^\| `/.test(l)).flatMap((l) => fieldNames(l.split("|")[1]!));
    expect(new Set(first)).toEqual(await printedFields());
  });
});

describe("the README's Inputs table", () => {
  it("names every input format portmatrix reads", async () => {
    const { knownFormats } = await import("../../src/pipeline/formats.js");
    const readme = readFileSync("README.md", "utf8");
    const table = readme.slice(readme.indexOf("## Inputs"), readme.indexOf("Captures: link types"));
    const cells = table.split("\n").filter((l) => l.startsWith("| `")).map((l) => l.split(" | ")[0]!);
    const listed = new Set(cells.flatMap((c) => [...c.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1]!)));
    expect([...knownFormats()].filter((f) => !listed.has(f))).toEqual([]);
  });
});
