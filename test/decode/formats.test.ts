import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
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
  it("every format a module declares is in the one list (decode/formats.ts), so none is left out of detection", async () => {
    const files = readdirSync("src/decode", { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => join("src/decode", f));
    const declared: string[] = [];
    for (const file of files) {
      const mod = (await import(`../../${file}`)) as Record<string, unknown>;
      for (const [exported, v] of Object.entries(mod)) {
        if (typeof v !== "object" || v === null) continue;
        const r = v as { name?: unknown; doc?: unknown; sniff?: unknown; sniffLine?: unknown; sniffHead?: unknown };
        const isRecord = typeof r.name === "string" && typeof r.doc === "object" && [r.sniff, r.sniffLine, r.sniffHead].some((f) => typeof f === "function");
        if (isRecord) declared.push(`${relative("src/decode", file)}:${exported}:${r.name as string}`);
      }
    }
    expect(declared.length).toBeGreaterThanOrEqual(knownFormats().length);
    const listed = new Set(knownFormats());
    expect(declared.filter((d) => !listed.has(d.split(":")[2]!))).toEqual([]);
  });
  it("the README's formats table is the records' (npm run golden:update rewrites it)", () => {
    const readme = readFileSync("README.md", "utf8");
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    expect(a, "README.md has the formats-table markers").toBeGreaterThan(0);
    // A blank line before the end marker: glued under the table, GFM reads the comment as one more row.
    const want = `${START}\n${table()}\n\n${END}`;
    if (process.env.UPDATE_GOLDEN) writeFileSync("README.md", readme.slice(0, a) + want + readme.slice(b + END.length));
    else expect(readme.slice(a, b + END.length)).toBe(want);
  });
});
