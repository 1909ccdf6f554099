import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { formatRecords, knownFormats } from "../../src/pipeline/formats.js";

/**
 * One record per format, and the README's formats table is made from those records: this test
 * compares them and `npm run golden:update` rewrites the table.
 */
const START = "<!-- formats-table:start -->";
const END = "<!-- formats-table:end -->";

function table(): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const rows = formatRecords().map((f) => `| \`${f.name}\` | ${cell(f.doc.detectedBy)} | ${cell(f.doc.notes)} |`);
  return ["| format | detected by | notes |", "|---|---|---|", ...rows].join("\n");
}

describe("the format records", () => {
  it("every format has a unique name, a way to be recognised and a documentation line", () => {
    const names = knownFormats();
    expect(new Set(names).size).toBe(names.length);
    for (const f of formatRecords()) {
      expect(f.sniffLine !== undefined || f.sniffHead !== undefined, f.name).toBe(true);
      expect(f.doc.detectedBy.trim(), f.name).not.toBe("");
      expect(f.doc.notes.trim(), f.name).not.toBe("");
    }
  });
  it("the README's formats table is the records' (npm run golden:update rewrites it)", () => {
    const readme = readFileSync("README.md", "utf8");
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    expect(a, "README.md has the formats-table markers").toBeGreaterThan(0);
    const want = `${START}\n${table()}\n${END}`;
    if (process.env.UPDATE_GOLDEN) writeFileSync("README.md", readme.slice(0, a) + want + readme.slice(b + END.length));
    else expect(readme.slice(a, b + END.length)).toBe(want);
  });
});
