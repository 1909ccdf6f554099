import { readFileSync } from "node:fs";
import { compileSchema, type Validator } from "./ajv.js";
import type { Report } from "../../src/report/types.js";

let compiled: Validator | undefined;

/** docs/report.schema.json, the published schema of the JSON report. */
export function reportValidator(): Validator {
  compiled ??= compileSchema(JSON.parse(readFileSync("docs/report.schema.json", "utf8")) as object);
  return compiled;
}

/**
 * Parse a JSON report and throw, listing the schema's complaints, unless it validates against
 * docs/report.schema.json: every report a test reads is also a test of the published schema.
 */
export function parseReport(text: string): Report {
  const r = JSON.parse(text) as Report;
  const validate = reportValidator();
  if (!validate(r)) throw new Error(`report does not validate against docs/report.schema.json: ${JSON.stringify(validate.errors, null, 1).slice(0, 4000)}`);
  return r;
}
