import type { YamlPath, YamlSource } from "./yaml-source.js";
import { ValidationError } from "../errors.js";

/**
 * A tiny structural checker over parsed YAML that records every problem with its position.
 * `rules lint` prints them all; loading stops at the first.
 */
export class Checker {
  readonly problems: ValidationError[] = [];
  constructor(readonly src: YamlSource) {}

  fail(path: YamlPath, message: string): void {
    this.problems.push(this.src.error(path, message));
  }

  obj(v: unknown, path: YamlPath, what: string): Record<string, unknown> | undefined {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    this.fail(path, `${what}: expected a mapping, got ${describe(v)}`);
    return undefined;
  }

  arr(v: unknown, path: YamlPath, what: string): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    this.fail(path, `${what}: expected a list, got ${describe(v)}`);
    return undefined;
  }

  str(v: unknown, path: YamlPath, what: string, pattern?: RegExp): string | undefined {
    if (typeof v === "string" && v.length > 0) {
      if (pattern && !pattern.test(v)) {
        this.fail(path, `${what} "${v}" does not match ${pattern.source}`);
        return undefined;
      }
      return v;
    }
    this.fail(path, `${what}: expected a non-empty string, got ${describe(v)}`);
    return undefined;
  }

  optStr(o: Record<string, unknown>, key: string, path: YamlPath, what: string): string | undefined {
    return o[key] === undefined ? undefined : this.str(o[key], [...path, key], what);
  }

  int(v: unknown, path: YamlPath, what: string): number | undefined {
    if (typeof v === "number" && Number.isInteger(v)) return v;
    this.fail(path, `${what}: expected an integer, got ${describe(v)}`);
    return undefined;
  }

  bool(v: unknown, path: YamlPath, what: string): boolean | undefined {
    if (typeof v === "boolean") return v;
    this.fail(path, `${what}: expected true or false, got ${describe(v)}`);
    return undefined;
  }

  /** Report keys that are not in `allowed` (catches typos such as "sevices"). */
  keys(o: Record<string, unknown>, path: YamlPath, what: string, allowed: readonly string[], required: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) {
        const p = this.src.keyPosition([...path, k]);
        this.problems.push(
          new ValidationError(`${what}: unknown field "${k}"; expected one of ${allowed.join(", ")}`, {
            file: this.src.file,
            line: p.line,
            column: p.column,
          }),
        );
      }
    }
    for (const k of required) {
      if (o[k] === undefined) this.fail(path, `${what}: missing field "${k}"`);
    }
  }
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `"${v.length > 40 ? v.slice(0, 40) + "..." : v}"`;
  return String(v);
}

/** "did you mean" for unknown ids. */
export function knownList(ids: Iterable<string>, max = 12): string {
  const all = [...ids];
  return all.length <= max ? all.join(", ") : `${all.slice(0, max).join(", ")}, ... (${all.length} in all)`;
}
