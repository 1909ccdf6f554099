import { LineCounter, parseDocument, isMap, isSeq, isScalar, visit, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import { ValidationError, ValidationErrors } from "../errors.js";

/** Largest YAML file we read: rulesets and inventories are small; anything bigger is a mistake. */
export const MAX_YAML_BYTES = 8 * 1024 * 1024;

/** Path into a parsed document: keys and indices. */
export type YamlPath = (string | number)[];

/**
 * A parsed YAML file that can say where any value came from (line:column), so validation errors point
 * at the offending text the way the yaml library's own syntax errors do.
 */
export class YamlSource {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly value: unknown;
  private readonly lines: LineCounter;

  private constructor(file: string, doc: Document.Parsed, lines: LineCounter, value: unknown) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
    this.value = value;
  }

  static parse(file: string, text: string): YamlSource {
    if (text.length > MAX_YAML_BYTES) {
      throw new ValidationError(`file is ${text.length} bytes; expected a YAML file under ${MAX_YAML_BYTES} bytes`, { file });
    }
    const lines = new LineCounter();
    // Duplicate keys are found below in one pass: the library's own check compares every key of a
    // mapping with every other (an inventory of 100,000 roles would take minutes).
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, strict: true });
    const first = doc.errors[0];
    if (first) {
      const pos = lines.linePos(first.pos[0]);
      const msg = first.message.split("\n")[0] ?? first.message;
      throw new ValidationError(`YAML error: ${msg}`, { file, line: pos.line, column: pos.col });
    }
    const dups = duplicateKeys(doc).map((dup) => {
      const pos = lines.linePos(dup.range?.[0] ?? 0);
      return new ValidationError(`YAML error: Map keys must be unique ("${String(dup.value)}" is given twice)`, { file, line: pos.line, column: pos.col });
    });
    if (dups.length === 1) throw dups[0]!;
    if (dups.length > 1) throw new ValidationErrors(dups);
    let value: unknown;
    try {
      // maxAliasCount bounds "billion laughs" expansion; deep nesting is bounded by the depth check below.
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new ValidationError(`YAML error: ${msg.split("\n")[0]} (aliases are limited to 100 expansions)`, { file, line: 1, column: 1 });
    }
    checkDepth(file, value, 0);
    return new YamlSource(file, doc, lines, value);
  }

  /** Per mapping, its entries by key, made on first use: a lookup is then one Map read, not a scan. */
  private readonly pairsByKey = new WeakMap<YAMLMap, Map<unknown, Pair>>();

  private pairOf(map: YAMLMap, key: unknown): Pair | undefined {
    let index = this.pairsByKey.get(map);
    if (!index) {
      index = new Map();
      for (const item of map.items) {
        const k = isScalar(item.key) ? item.key.value : item.key;
        if (!index.has(k)) index.set(k, item as Pair);
      }
      this.pairsByKey.set(map, index);
    }
    return index.get(key);
  }

  /** The node at `path` (as doc.getIn, in time independent of the size of the mappings on the way). */
  private nodeAt(path: YamlPath): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const step of path) {
      if (isMap(node)) node = this.pairOf(node, step)?.value;
      else if (isSeq(node) && typeof step === "number") node = node.items[step];
      else return undefined;
    }
    return (node ?? undefined) as Node | undefined;
  }

  /** line:column of the node at `path`, or of its nearest existing ancestor. */
  position(path: YamlPath): { line: number; column: number } {
    for (let n = path.length; n >= 0; n--) {
      const node = this.nodeAt(path.slice(0, n));
      const range = node && (isMap(node) || isSeq(node) || isScalar(node)) ? node.range : undefined;
      if (range) {
        const p = this.lines.linePos(range[0]);
        return { line: p.line, column: p.col };
      }
    }
    return { line: 1, column: 1 };
  }

  /** The position of the key (not the value) of a mapping entry, when there is one. */
  keyPosition(path: YamlPath): { line: number; column: number } {
    const parent = this.nodeAt(path.slice(0, -1));
    const k = isMap(parent) ? this.pairOf(parent, path[path.length - 1])?.key : undefined;
    if (isScalar(k) && k.range) {
      const p = this.lines.linePos(k.range[0]);
      return { line: p.line, column: p.col };
    }
    return this.position(path);
  }

  error(path: YamlPath, message: string): ValidationError {
    const p = this.position(path);
    return new ValidationError(message, { file: this.file, line: p.line, column: p.column });
  }
}

/** The second key of the first mapping that repeats a scalar key, as YAML 1.2 section 3.2.1.1 forbids. */
/** Every key given a second time in its mapping (one run names them all), in document order. */
function duplicateKeys(doc: Document.Parsed): { value: unknown; range?: readonly number[] | null }[] {
  const dups: { value: unknown; range?: readonly number[] | null }[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const item of map.items) {
        if (!isScalar(item.key)) continue;
        if (seen.has(item.key.value)) dups.push(item.key);
        seen.add(item.key.value);
      }
      return undefined;
    },
  });
  return dups.sort((a, b) => (a.range?.[0] ?? 0) - (b.range?.[0] ?? 0));
}

const MAX_DEPTH = 64;

function checkDepth(file: string, v: unknown, depth: number): void {
  if (depth > MAX_DEPTH) {
    throw new ValidationError(`YAML nesting deeper than ${MAX_DEPTH} levels; expected a flat ruleset or inventory`, { file, line: 1, column: 1 });
  }
  if (Array.isArray(v)) for (const x of v) checkDepth(file, x, depth + 1);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) checkDepth(file, x, depth + 1);
}
