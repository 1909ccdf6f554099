/**
 * A reader for the plain shape inventories are written in (README "Inventory"): top-level keys, each
 * with a flow sequence of addresses or a block mapping one level deep whose values are single
 * addresses or flow sequences of them, with comments and blank lines. A 1-packet `check` spent 7-8 ms
 * and ~590 KB of young heap in the yaml library on a 532-byte inventory (bench/README.md, "Start-up,
 * sixth round"); this does the same in a fraction of it.
 *
 * It answers only for text it recognises whole, and `undefined` for anything else (flow mappings,
 * block sequences, anchors, escapes, tabs, a key twice, a scalar the YAML 1.2 core schema would read as
 * a number, boolean or null, ...), which the caller then parses with the yaml library. So it never
 * reports an error of its own: every YAML error comes from the library, and for what it accepts it
 * gives the same value and the same line:column for every path as YamlSource
 * (test/model/inventory-plain.test.ts checks both against the library on every inventory of the
 * repository and on generated and mutated ones).
 */
import { ValidationError } from "../errors.js";
import { MAX_YAML_BYTES, type YamlPath, type YamlSource } from "./yaml-source.js";

/** What the inventory's checks need of a parsed file: its value, and where each part of it was written. */
export type InventorySource = Pick<YamlSource, "value" | "position" | "keyPosition" | "error">;

/** A parsed node: the offset its text starts at, and its entries or items when it is a collection. */
interface PlainNode {
  start: number;
  value: unknown;
  entries?: Map<string, { keyStart: number; node: PlainNode }>;
  items?: PlainNode[];
}

/** A plain scalar of the subset: an address, a prefix, a role id or a host name (no ":", "#", "," or space). */
const PLAIN = /[A-Za-z0-9][A-Za-z0-9._/-]*/y;
/** Plain scalars the YAML 1.2 core schema reads as a boolean, null, integer or float (yaml's schema/core tests). */
const NOT_A_STRING = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE|[Nn]ull|NULL)$|^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
/** Quoted scalars without escapes or line breaks: their value is the text between the quotes. */
const DOUBLE_QUOTED = /"([\x20\x21\x23-\x5b\x5d-\x7e]*)"/y;
const SINGLE_QUOTED = /'([\x20-\x26\x28-\x7e]*)'/y;
/** What a comment may hold here: printable characters, no C1 controls, BOM or Unicode line separators. */
const COMMENT = /^#[\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;
/** Keys longer than this are left to the library (YAML limits an implicit key to 1024 characters). */
const MAX_KEY = 256;

/** Reads one line of the subset; every method returns undefined when the text is outside it. */
class Line {
  i: number;
  constructor(readonly text: string, readonly start: number, from: number) {
    this.i = from;
  }

  spaces(): number {
    const from = this.i;
    while (this.text.charCodeAt(this.i) === 32) this.i++;
    return this.i - from;
  }

  /** True at the end of the line's content (spaces skipped): nothing left, or a comment at the line's start or after a space. */
  atEnd(): boolean {
    this.spaces();
    if (this.i >= this.text.length) return true;
    return (this.i === 0 || this.text[this.i - 1] === " ") && COMMENT.test(this.text.slice(this.i));
  }

  /** True after at least one space (skipped): what separates a key's ":" from its value. */
  spaced(): boolean {
    return this.spaces() > 0;
  }

  /** A plain or quoted scalar that is a string: its value, at its start. */
  scalar(): PlainNode | undefined {
    const start = this.start + this.i;
    for (const re of [DOUBLE_QUOTED, SINGLE_QUOTED]) {
      re.lastIndex = this.i;
      const m = re.exec(this.text);
      if (m) {
        this.i = re.lastIndex;
        return { start, value: m[1]! };
      }
    }
    const word = this.plain();
    return word === undefined ? undefined : { start, value: word };
  }

  plain(): string | undefined {
    PLAIN.lastIndex = this.i;
    const m = PLAIN.exec(this.text);
    if (!m || NOT_A_STRING.test(m[0])) return undefined;
    this.i = PLAIN.lastIndex;
    return m[0];
  }

  /** `[a, "b", 'c']` on this line, at least one item, no trailing comma. */
  flowSequence(): PlainNode | undefined {
    const start = this.start + this.i;
    if (this.text[this.i] !== "[") return undefined;
    this.i++;
    const items: PlainNode[] = [];
    for (;;) {
      this.spaces();
      const item = this.scalar();
      if (item === undefined) return undefined;
      items.push(item);
      this.spaces();
      const c = this.text[this.i++];
      if (c === "]") return { start, value: items.map((x) => x.value), items };
      if (c !== ",") return undefined;
    }
  }

  /** A value after `key: `: a flow sequence or a scalar. */
  value(): PlainNode | undefined {
    return this.text[this.i] === "[" ? this.flowSequence() : this.scalar();
  }
}

/** A block mapping being read: its entries and the indentation they share. */
class Mapping {
  readonly node: PlainNode;
  readonly entries = new Map<string, { keyStart: number; node: PlainNode }>();
  /** The entries' indentation, set by the first one. */
  indent = -1;
  constructor() {
    this.node = { start: -1, value: undefined, entries: this.entries };
  }

  /** Adds `key`, false when it is already there (a duplicate key is the library's error to report). */
  add(key: string, keyStart: number, node: PlainNode): boolean {
    if (this.entries.has(key)) return false;
    if (this.node.start < 0) this.node.start = keyStart;
    this.entries.set(key, { keyStart, node });
    return true;
  }

  /** The mapping's value as the yaml library's toJS makes it: an object in key order. */
  finish(): PlainNode {
    const o: Record<string, unknown> = {};
    for (const [k, e] of this.entries) o[k] = e.node.value;
    this.node.value = o;
    return this.node;
  }
}

/** The document's node tree when `text` is entirely in the subset, else undefined. */
function readTree(text: string): PlainNode | undefined {
  if (text.length > MAX_YAML_BYTES) return undefined;
  const top = new Mapping();
  /** The top-level key whose block mapping is being read. */
  let open: { key: string; keyStart: number; map: Mapping } | undefined;
  const close = (): boolean => {
    if (open === undefined) return true;
    const ok = open.map.entries.size > 0 && top.add(open.key, open.keyStart, open.map.finish());
    open = undefined;
    return ok;
  };
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = new Line(text.slice(start, end), start, 0);
    const indent = line.spaces();
    if (!line.atEnd()) {
      const keyStart = start + line.i;
      const key = line.plain();
      if (key === undefined || key.length > MAX_KEY || line.text[line.i] !== ":") return undefined;
      line.i++;
      if (indent === 0) {
        if (!close()) return undefined;
        if (line.atEnd()) open = { key, keyStart, map: new Mapping() };
        else if (!topSequence(line, top, key, keyStart)) return undefined;
      } else {
        if (open === undefined || (open.map.indent >= 0 && indent !== open.map.indent) || !line.spaced()) return undefined;
        const v = line.value();
        if (v === undefined || !line.atEnd()) return undefined;
        open.map.indent = indent;
        if (!open.map.add(key, keyStart, v)) return undefined;
      }
    }
    start = end + 1;
  }
  if (!close() || top.entries.size === 0) return undefined;
  return top.finish();
}

/** `key: [ ... ]` at the top level (`firewall:`, or a role list written there by mistake). */
function topSequence(line: Line, top: Mapping, key: string, keyStart: number): boolean {
  if (line.text[line.i - 1] !== " " || line.text[line.i] !== "[") return false;
  const seq = line.flowSequence();
  return seq !== undefined && line.atEnd() && top.add(key, keyStart, seq);
}

/** The node at `path`, as YamlSource finds it: keys in mappings, numbers in sequences. */
function nodeAt(root: PlainNode, path: YamlPath): PlainNode | undefined {
  let node: PlainNode | undefined = root;
  for (const step of path) {
    if (node === undefined) return undefined;
    if (node.entries !== undefined) node = typeof step === "string" ? node.entries.get(step)?.node : undefined;
    else if (node.items !== undefined && typeof step === "number") node = node.items[step];
    else return undefined;
  }
  return node;
}

/** Line and column (1-based) of offset `at`, as the yaml library's LineCounter gives them. */
function lineColumn(lineStarts: readonly number[], at: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: at - lineStarts[lo]! + 1 };
}

class PlainSource implements InventorySource {
  readonly value: unknown;
  /** Offsets where lines start, made on the first position asked for. */
  private lineStarts: number[] | undefined;
  constructor(readonly file: string, private readonly text: string, private readonly root: PlainNode) {
    this.value = root.value;
  }

  private lineColumn(at: number): { line: number; column: number } {
    if (this.lineStarts === undefined) {
      this.lineStarts = [0];
      for (let nl = this.text.indexOf("\n"); nl >= 0; nl = this.text.indexOf("\n", nl + 1)) this.lineStarts.push(nl + 1);
    }
    return lineColumn(this.lineStarts, at);
  }

  position(path: YamlPath): { line: number; column: number } {
    for (let n = path.length; n >= 0; n--) {
      const node = nodeAt(this.root, path.slice(0, n));
      if (node !== undefined) return this.lineColumn(node.start);
    }
    return { line: 1, column: 1 };
  }

  keyPosition(path: YamlPath): { line: number; column: number } {
    const parent = nodeAt(this.root, path.slice(0, -1));
    const last = path[path.length - 1];
    const entry = typeof last === "string" ? parent?.entries?.get(last) : undefined;
    return entry !== undefined ? this.lineColumn(entry.keyStart) : this.position(path);
  }

  error(path: YamlPath, message: string): ValidationError {
    const p = this.position(path);
    return new ValidationError(message, { file: this.file, line: p.line, column: p.column });
  }
}

/** The inventory text `text` of `file` read without the yaml library, or undefined when it is outside the subset. */
export function readPlainInventory(file: string, text: string): InventorySource | undefined {
  const root = readTree(text);
  return root === undefined ? undefined : new PlainSource(file, text, root);
}
