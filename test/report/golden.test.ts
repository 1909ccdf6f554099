import { describe, it, expect } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { setupCheck, runCheck, parseFailOn } from "../../src/pipeline/check.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { renderText } from "../../src/report/text.js";
import { render, REPORT_FORMATS } from "../../src/report/render.js";
import type { Report } from "../../src/report/types.js";
import { compileSchema } from "../helpers/ajv.js";
import { parseReport } from "../helpers/report.js";
import { parseSarif } from "../helpers/sarif.js";

/**
 * Golden files for every report format, from one fixture run (the lab's kern.log).
 * Update them with `npm run golden:update` and review the diff.
 */
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const NOW = new Date("2026-11-23T12:00:00Z");

/** Compare with the golden file; only `npm run golden:update` writes one, so a missing file fails. */
function golden(name: string, actual: string): void {
  const path = `test/report/golden/${name}`;
  if (UPDATE) writeFileSync(path, actual);
  expect(existsSync(path), `${path} is missing: run npm run golden:update and review the diff`).toBe(true);
  expect(actual).toBe(readFileSync(path, "utf8"));
}

async function fixtureReport(): Promise<Report> {
  const setup = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
  return runCheck(setup, ["fixtures/kcps/kern.log"], {
    decode: defaultDecodeOptions(Date.UTC(2026, 10, 23, 12)),
    failOn: parseFailOn(undefined),
    now: NOW,
  });
}

describe("report golden files", () => {
  it("JSON", async () => {
    golden("kcps-kern.report.json", JSON.stringify(await fixtureReport(), null, 2) + "\n");
  });
  it("terminal text", async () => {
    golden("kcps-kern.report.txt", renderText(await fixtureReport(), { color: false }));
  });
  it("terminal text, --all", async () => {
    golden("kcps-kern.report.all.txt", renderText(await fixtureReport(), { color: false, all: true }));
  });
});

describe("every report format renders from the same JSON report", () => {
  const ext: Record<string, string> = { json: "json", html: "html", md: "md", csv: "csv", junit: "junit.xml", sarif: "sarif" };
  for (const f of REPORT_FORMATS) {
    if (f === "text") continue;
    it(f, async () => {
      // SARIF names its base directories' absolute URIs: a fixed tree, so the golden file is the same on any machine.
      const text = render(await fixtureReport(), f, { sarif: { srcRoot: "/src/portmatrix", cwd: "/src/portmatrix", packageRoot: "/src/portmatrix" } });
      if (f === "sarif") parseSarif(text);
      if (f === "json") parseReport(text);
      golden(`kcps-kern.report.${ext[f]}`, text);
    });
  }
});

describe("report JSON Schema (docs/report.schema.json)", () => {
  it("the fixture report validates, and read = used + skipped holds per input", async () => {
    const validate = compileSchema(JSON.parse(readFileSync("docs/report.schema.json", "utf8")) as object);
    const r = await fixtureReport();
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    for (const i of r.inputs) {
      expect(i.records.read).toBe(i.records.used + i.records.skipped);
      expect(Object.values(i.skippedByReason).reduce((a, b) => a + b, 0)).toBe(i.records.skipped);
    }
    // A report with a field the schema does not know is rejected (the test can fail).
    expect(validate({ ...r, extra: 1 })).toBe(false);
  });
});
