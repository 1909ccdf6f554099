import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { renderHtml } from "../../src/report/html.js";
import type { CoverageEntry, Report } from "../../src/report/types.js";

const golden = (): Report => JSON.parse(readFileSync("test/report/golden/kcps-kern.report.json", "utf8")) as Report;

/** A report whose ruleset has n roles in play: rule i from r_i to r_(i+1). */
function withRoles(n: number): Report {
  const r = golden();
  const model = r.coverage[0]!;
  r.ruleset.roles = Array.from({ length: n }, (_, i) => ({ id: `r${i}`, title: `r${i}` }));
  r.coverage = Array.from({ length: n }, (_, i): CoverageEntry => ({ ...model, rule: `u${i}`, from: `r${i}`, to: `r${(i + 1) % n}` }));
  return r;
}

describe("HTML role matrix", () => {
  it("is drawn up to 60 roles in play", () => {
    const html = renderHtml(withRoles(60));
    expect(html).toContain('<table class="matrix">');
    expect(html.match(/<td data-from=/g)).toHaveLength(60);
  });
  it("is replaced by a note past 60 roles (5,000 roles would be 25 million cells), the coverage table listing every rule", () => {
    const html = renderHtml(withRoles(5000));
    expect(html).not.toContain('<table class="matrix">');
    expect(html).toContain("5000 roles are in play; the matrix is drawn for up to 60");
    expect(html.match(/<td><code>u\d+<\/code>/g)).toHaveLength(5000);
  }, 60_000);
});
