import * as ajvModule from "ajv/dist/2020.js";

/** A compiled JSON Schema validator (ajv's 2020-12 build; its CommonJS default export differs by loader). */
export interface Validator {
  (data: unknown): boolean;
  errors?: unknown;
}
type AjvCtor = new (opts: object) => { compile(schema: object): Validator };

export function compileSchema(schema: object): Validator {
  const m = ajvModule as unknown as { default: AjvCtor | { default: AjvCtor } };
  const Ctor = typeof m.default === "function" ? m.default : m.default.default;
  return new Ctor({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
}
