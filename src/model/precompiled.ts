/**
 * Shipped rulesets, precompiled: `npm run build` (scripts/build.mjs) parses and checks each YAML file
 * under rulesets/ once and writes dist/rulesets/<id>.json with the checked value and the line:column of
 * every node. Loading that instead of parsing ~50 KB of YAML saves most of a short run's start-up. The
 * JSON holds the YAML text it was made from and is used only when that text is the file's text today, so
 * an edited ruleset is never answered from a stale compilation (it is parsed as before).
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { ValidationError } from "../errors.js";
import type { YamlPath, YamlSource } from "./yaml-source.js";
import type { RulesetRaw } from "./ruleset-types.js";

/** What a ruleset's resolution needs of its source: where a path's value was written. */
export type PositionSource = Pick<YamlSource, "file" | "position" | "error">;

/** The file format of dist/rulesets/<id>.json. */
export interface PrecompiledRuleset {
  /** The YAML text this was compiled from (compared whole: cheaper than hashing, and exact). */
  yaml: string;
  raw: RulesetRaw;
  /** rulesetDigest(raw), made by the build so that a run need not (model/digest.ts). */
  sha256: string;
  /** JSON.stringify(path) -> [line, column], for every node of the document. */
  positions: Record<string, [number, number]>;
}

/** Where `npm run build` writes them, beside the compiled code: <package>/dist/rulesets. */
export function precompiledDir(shippedDir: string): string {
  return resolve(shippedDir, "..", "dist", "rulesets");
}

/** Positions of every node of a parsed document, as YamlSource.position gives them. */
export function nodePositions(src: YamlSource): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  const walk = (v: unknown, path: YamlPath): void => {
    const p = src.position(path);
    out[JSON.stringify(path)] = [p.line, p.column];
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(src.value, []);
  return out;
}

/** Positions read back from the table: a path not in it (no such node) answers its nearest ancestor's, as YamlSource does. */
export class PrecompiledSource implements PositionSource {
  constructor(readonly file: string, private readonly positions: Readonly<Record<string, [number, number]>>) {}

  position(path: YamlPath): { line: number; column: number } {
    for (let n = path.length; n >= 0; n--) {
      const p = this.positions[JSON.stringify(path.slice(0, n))];
      if (p) return { line: p[0], column: p[1] };
    }
    return { line: 1, column: 1 };
  }

  error(path: YamlPath, message: string): ValidationError {
    const p = this.position(path);
    return new ValidationError(message, { file: this.file, line: p.line, column: p.column });
  }
}

/**
 * The precompiled form of shipped ruleset `abs` whose text is `text`, or undefined when there is none
 * or it was made from another text (then the caller parses the YAML).
 */
export function loadPrecompiled(shippedDir: string, abs: string, text: string, display: string): { src: PositionSource; raw: RulesetRaw; sha256: string } | undefined {
  if (resolve(abs, "..") !== resolve(shippedDir)) return undefined;
  const json = join(precompiledDir(shippedDir), basename(abs).replace(/\.ya?ml$/i, "") + ".json");
  if (!existsSync(json)) return undefined;
  let pre: PrecompiledRuleset;
  try {
    pre = JSON.parse(readFileSync(json, "utf8")) as PrecompiledRuleset;
  } catch {
    return undefined;
  }
  if (pre.yaml !== text || typeof pre.sha256 !== "string") return undefined;
  return { src: new PrecompiledSource(display, pre.positions), raw: pre.raw, sha256: pre.sha256 };
}
