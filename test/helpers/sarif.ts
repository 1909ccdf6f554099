import { readFileSync } from "node:fs";
import * as ajvDraft04 from "ajv-draft-04";
import * as ajvFormats from "ajv-formats";
import type { Validator } from "./ajv.js";

/**
 * SARIF 2.1.0's own JSON Schema (test/report/sarif-schema-2.1.0.json, provenance beside it), a
 * draft-04 schema: compiled with ajv's draft-04 class, with formats (uri, uri-reference, date-time)
 * checked, since GitHub code scanning and other consumers reject a log the schema rejects.
 */
type Ajv04 = new (opts: object) => { compile(schema: object): Validator };
type AddFormats = (ajv: object) => unknown;

/** A CommonJS module's default export, however the loader wraps it. */
function cjsDefault<T>(m: unknown): T {
  const d = (m as { default: unknown }).default;
  return (typeof d === "function" ? d : (d as { default: unknown }).default) as T;
}

let compiled: Validator | undefined;

export function sarifValidator(): Validator {
  if (compiled) return compiled;
  const Ctor = cjsDefault<Ajv04>(ajvDraft04);
  const ajv = new Ctor({ allErrors: true, strict: false });
  cjsDefault<AddFormats>(ajvFormats)(ajv);
  compiled = ajv.compile(JSON.parse(readFileSync("test/report/sarif-schema-2.1.0.json", "utf8")) as object);
  return compiled;
}

/**
 * Parse a SARIF log and throw, listing the schema's complaints, unless it is valid SARIF 2.1.0.
 * `T` names the parts a test reads beyond SarifLog (a result's properties).
 */
export function parseSarif<T = SarifLog>(text: string): T {
  const log = JSON.parse(text) as T;
  const validate = sarifValidator();
  if (!validate(log)) throw new Error(`not valid SARIF 2.1.0: ${JSON.stringify(validate.errors, null, 1).slice(0, 4000)}`);
  return log;
}

/** The parts of a SARIF log the tests read. */
export interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules?: { id: string }[] } };
    results?: { ruleId?: string; level?: string; message: { text?: string }; locations?: unknown[] }[];
    invocations?: { executionSuccessful: boolean; exitCode?: number }[];
  }[];
}
