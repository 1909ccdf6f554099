/**
 * Shipped rulesets, precompiled: `npm run build` (scripts/build.mjs) parses and checks each YAML file
 * under rulesets/ once and writes dist/rulesets/<id>.json with the checked value and the line:column of
 * every node. Loading that instead of parsing ~50 KB of YAML saves most of a short run's start-up. The
 * JSON holds the SHA-256 of the YAML text it was made from and is used only when that text is the file's
 * text today, so an edited ruleset is never answered from a stale compilation (it is parsed as before).
 *
 * The positions of the rules, which every run asks for (a rule's line in reports), are in that file;
 * those of every other node, asked for only to place an error, are in <id>.positions.json, read on the
 * first such question. A 1-packet check read and parsed 123 KB of JSON here, the YAML text and ~1,000
 * positions included, in ~3 ms; it now reads 46 KB in ~1 ms (bench/README.md, "Start-up, sixth round").
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { ValidationError } from "../errors.js";
import { sha256 } from "./digest.js";
import { YamlSource, type YamlPath } from "./yaml-source.js";
import type { RulesetRaw } from "./ruleset-types.js";

/** What a ruleset's resolution needs of its source: where a path's value was written. */
export type PositionSource = Pick<YamlSource, "file" | "position" | "error">;

/** The file format of dist/rulesets/<id>.json. */
export interface PrecompiledRuleset {
  /** SHA-256 of the YAML text this was compiled from (as UTF-8): the text a run reads must have it. */
  yamlSha256: string;
  raw: RulesetRaw;
  /** rulesetDigest(raw), made by the build so that a run need not (model/digest.ts). */
  sha256: string;
  /** [line, column] of each rule (the node at ["rules", i]). */
  rulePositions: [number, number][];
}

/** JSON.stringify(path) -> [line, column], for every node of the document. */
export type PositionTable = Record<string, [number, number]>;

/**
 * The file format of dist/rulesets/<id>.positions.json: the table, and the SHA-256 of the YAML text it
 * was made from. It is read long after <id>.json (on an error's first position), so it is checked on
 * its own: a file left from another build (one stopped between the two writes, a partial copy) would
 * otherwise place an error on a line of another version of the ruleset.
 */
export interface PrecompiledPositions {
  yamlSha256: string;
  positions: PositionTable;
}

/** The two files of a precompiled ruleset. */
export function precompiledFiles(shippedDir: string, yamlFile: string): { json: string; positions: string } {
  const base = join(precompiledDir(shippedDir), basename(yamlFile).replace(/\.ya?ml$/i, ""));
  return { json: `${base}.json`, positions: `${base}.positions.json` };
}

/** What the build writes for a ruleset's YAML `text`, its checked value `raw`, digest and node positions. */
export function precompile(text: string, raw: RulesetRaw, digest: string, positions: PositionTable): { json: PrecompiledRuleset; positions: PrecompiledPositions } {
  const rulePositions = raw.rules.map((_, i) => positions[JSON.stringify(["rules", i])]!);
  const yamlSha256 = sha256(text);
  return { json: { yamlSha256, raw, sha256: digest, rulePositions }, positions: { yamlSha256, positions } };
}

/**
 * The position table of `positionsFile` when it was made from `text`; else (damaged, another build's,
 * gone since) the table of `text` parsed now: an error is placed a few milliseconds later, never on
 * the wrong line, and never turned into an internal error.
 */
function positionTable(positionsFile: string, text: string, display: string): PositionTable {
  try {
    const p = JSON.parse(readFileSync(positionsFile, "utf8")) as Partial<PrecompiledPositions> | null;
    if (p?.yamlSha256 === sha256(text) && p.positions !== null && typeof p.positions === "object") return p.positions;
  } catch {
    // Parsed below.
  }
  return nodePositions(YamlSource.parse(display, text));
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

/**
 * Positions read back: a rule's from the rules' list, any other from the whole table (`table()`, called
 * on the first such question); a path not in it (no such node) answers its nearest ancestor's, as
 * YamlSource does.
 */
export class PrecompiledSource implements PositionSource {
  private positions: Readonly<PositionTable> | undefined;
  constructor(readonly file: string, private readonly rulePositions: readonly [number, number][], private readonly table: () => Readonly<PositionTable>) {}

  position(path: YamlPath): { line: number; column: number } {
    const rule = path.length === 2 && path[0] === "rules" && typeof path[1] === "number" ? this.rulePositions[path[1]] : undefined;
    if (rule !== undefined) return { line: rule[0], column: rule[1] };
    this.positions ??= this.table();
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
  const files = precompiledFiles(shippedDir, abs);
  if (!existsSync(files.json) || !existsSync(files.positions)) return undefined;
  let pre: PrecompiledRuleset;
  try {
    pre = JSON.parse(readFileSync(files.json, "utf8")) as PrecompiledRuleset;
  } catch {
    return undefined;
  }
  if (pre.yamlSha256 !== sha256(text) || typeof pre.sha256 !== "string" || !Array.isArray(pre.rulePositions)) return undefined;
  const table = (): PositionTable => positionTable(files.positions, text, display);
  return { src: new PrecompiledSource(display, pre.rulePositions, table), raw: pre.raw, sha256: pre.sha256 };
}
