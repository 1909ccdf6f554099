/**
 * Partial results (`check --partial FILE`) and their merge (`portmatrix merge PARTS...`): a shard's
 * finding table and input accounting, with the ruleset and inventory it was made with, so that merging
 * the parts in input order gives exactly the report of one run over all the inputs. The format
 * (docs/partial-format.md) is gzip-compressed JSON, versioned; a part made with another ruleset,
 * inventory, scenario, variables or portmatrix version is refused.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { readConfigText } from "../source/config.js";
import { FindingTable } from "../match/aggregate.js";
import { InputStats } from "../decode/stats.js";
import { checkRuleset, readRulesetFile } from "../model/ruleset.js";
import { parseInventoryText } from "../model/inventory.js";
import { VERSION } from "../report/build.js";
import { InputError, ValidationError } from "../errors.js";
import { setupFrom, type CheckSetup } from "./check.js";
import type { InputResult } from "./run.js";

export const PARTIAL_FORMAT = "portmatrix-partial";
export const PARTIAL_VERSION = 1;

interface PartInput {
  path: string;
  format: string;
  compressed: boolean;
  error: string | null;
  read: number;
  used: number;
  bytes: number;
  skipped: Record<string, number>;
  samples: { position: number; reason: string; text?: string }[];
  /** Flows of the records (records that hold several): read, used, skipped by reason. */
  flowsRead: number;
  flowsUsed: number;
  flowsSkipped: Record<string, number>;
  /** What the matcher saw: [events, both ends in the inventory, one end] (FindingTable.eventsOf). */
  events: [number, number, number];
}

/** The document inside the gzip stream (docs/partial-format.md). */
export interface PartialDoc {
  format: typeof PARTIAL_FORMAT;
  version: number;
  generator: string;
  /** sha256 over what the findings depend on: generator, ruleset text, inventory text, scenarios, variables. */
  fingerprint: string;
  ruleset: { arg: string; file: string; sha256: string; text: string };
  inventory: { file: string; sha256: string; text: string };
  scenarios: string[];
  sets: [string, string][];
  /** check --documented-only: the inferred rules left out. */
  documentedOnly: boolean;
  inputs: PartInput[];
  evidence: string[];
  findings: {
    /** Ten 32-bit words per finding: verdict | action << 4 | family << 8 | protocol << 16, port, source (4), destination (4). */
    key: number[];
    count: number[];
    /** ms since the epoch, null when unknown. */
    first: (number | null)[];
    last: (number | null)[];
    firstSrcPort: number[];
    /** Index into `inputs` of the first occurrence, and its line (text) or offset (binary), null when unknown. */
    input: number[];
    position: (number | null)[];
    /** A capture's frame number of the first occurrence, 0 for none (absent in parts written before it). */
    frame?: number[];
    /** Three indexes into `evidence` per finding, -1 for an empty slot. */
    evidence: number[];
  };
}

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

function fingerprint(d: Pick<PartialDoc, "generator" | "ruleset" | "inventory" | "scenarios" | "sets" | "documentedOnly">): string {
  return sha256(JSON.stringify([d.generator, d.ruleset.sha256, d.inventory.sha256, [...d.scenarios].sort(), [...d.sets].sort(), d.documentedOnly]));
}

const nullable = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** The partial result of a run, as bytes to write. */
export function partialBytes(setup: CheckSetup, table: FindingTable, results: readonly InputResult[]): Buffer {
  const rulesetFile = setup.ruleset.file;
  const rulesetText = readRulesetFile(rulesetFile);
  // The text this run read (cached: the inventory may have been a FIFO).
  const inventoryText = readConfigText(setup.inventory.file, "inventory");
  const evidence: string[] = [];
  const evidenceIds = new Map<string, number>();
  const f: PartialDoc["findings"] = { key: [], count: [], first: [], last: [], firstSrcPort: [], input: [], position: [], frame: [], evidence: [] };
  const count = table.count, first = table.first, last = table.last, sport = table.firstSrcPort, input = table.input, position = table.position;
  const frame = table.frame;
  for (let e = 0; e < table.size; e++) {
    for (let j = 0; j < 10; j++) f.key.push(table.keyWord(e, j));
    f.count.push(count[e]!);
    f.first.push(nullable(first[e]!));
    f.last.push(nullable(last[e]!));
    f.firstSrcPort.push(sport[e]!);
    f.input.push(input[e]!);
    f.position.push(nullable(position[e]!));
    f.frame!.push(frame[e]! >>> 0);
    const ev = table.evidenceOf(e);
    for (let s = 0; s < 3; s++) {
      const text = ev[s];
      if (text === undefined) { f.evidence.push(-1); continue; }
      let id = evidenceIds.get(text);
      if (id === undefined) { id = evidence.length; evidence.push(text); evidenceIds.set(text, id); }
      f.evidence.push(id);
    }
  }
  const head = {
    generator: `portmatrix ${VERSION}`,
    ruleset: { arg: setup.args.ruleset, file: rulesetFile, sha256: sha256(rulesetText), text: rulesetText },
    inventory: { file: setup.inventory.file, sha256: sha256(inventoryText), text: inventoryText },
    scenarios: [...setup.scenarios],
    sets: setup.args.sets.map(([k, v]) => [k, v] as [string, string]),
    documentedOnly: setup.documentedOnly,
  };
  const doc: PartialDoc = {
    format: PARTIAL_FORMAT,
    version: PARTIAL_VERSION,
    ...head,
    fingerprint: fingerprint(head),
    inputs: results.map((r, i) => {
      const ev = table.eventsOf(i);
      return {
        path: r.path, format: r.format, compressed: r.compressed, error: r.error ?? null, read: r.stats.read, used: r.stats.used,
        bytes: r.stats.bytes, skipped: Object.fromEntries(r.stats.skippedByReason), samples: r.stats.samples.map((s) => ({ ...s })),
        flowsRead: r.stats.flowsRead, flowsUsed: r.stats.flowsUsed, flowsSkipped: Object.fromEntries(r.stats.flowsSkippedByReason),
        events: [ev.total, ev.classified, ev.oneEnd],
      };
    }),
    evidence,
    findings: f,
  };
  return gzipSync(JSON.stringify(doc));
}

/** Read and check one part. */
export function readPartial(path: string): PartialDoc {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read partial result (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: path });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(gunzipSync(raw).toString("utf8"));
  } catch {
    throw new InputError("not a partial result (expected the gzip-compressed JSON that check --partial writes)", { file: path });
  }
  const d = doc as Partial<PartialDoc>;
  if (d === null || typeof d !== "object" || d.format !== PARTIAL_FORMAT) {
    throw new InputError(`not a partial result (expected "format": "${PARTIAL_FORMAT}")`, { file: path });
  }
  if (d.version !== PARTIAL_VERSION) {
    throw new InputError(`partial result format version ${String(d.version)}; this portmatrix reads version ${PARTIAL_VERSION}`, { file: path });
  }
  const p = d as PartialDoc;
  if (!Array.isArray(p.inputs) || p.inputs.some((i) => !Array.isArray(i.events) || i.events.length !== 3 || typeof i.flowsRead !== "number" || typeof i.read !== "number")) {
    throw new InputError("damaged partial result: an input lacks its accounting (read, flows, events)", { file: path });
  }
  const n = p.findings.count.length;
  const f = p.findings;
  if (f.key.length !== n * 10 || f.evidence.length !== n * 3 || [f.first, f.last, f.firstSrcPort, f.input, f.position, f.frame ?? f.position].some((c) => c.length !== n)) {
    throw new InputError("damaged partial result: its finding columns differ in length", { file: path });
  }
  if (fingerprint(p) !== p.fingerprint || sha256(p.ruleset.text) !== p.ruleset.sha256 || sha256(p.inventory.text) !== p.inventory.sha256) {
    throw new InputError("damaged partial result: its fingerprint does not match its ruleset and inventory", { file: path });
  }
  return p;
}

/** Why two parts cannot be merged, or undefined. */
function mismatch(a: PartialDoc, b: PartialDoc): string | undefined {
  if (a.generator !== b.generator) return `made by ${b.generator}, the first part by ${a.generator}`;
  if (a.ruleset.sha256 !== b.ruleset.sha256) return `made with another ruleset (${b.ruleset.file}, sha256 ${b.ruleset.sha256.slice(0, 12)}; the first part: ${a.ruleset.file}, ${a.ruleset.sha256.slice(0, 12)})`;
  if (a.inventory.sha256 !== b.inventory.sha256) return `made with another inventory (${b.inventory.file}, sha256 ${b.inventory.sha256.slice(0, 12)}; the first part: ${a.inventory.file}, ${a.inventory.sha256.slice(0, 12)})`;
  if (a.fingerprint !== b.fingerprint) {
    const what = (p: PartialDoc) => `${p.scenarios.join(",") || "all"} ${JSON.stringify(p.sets)}${p.documentedOnly ? " --documented-only" : ""}`;
    return `made with other scenarios, variables or --documented-only (${what(b)}; the first part: ${what(a)})`;
  }
  return undefined;
}

/** The setup a part was made with, from its own copies of the ruleset and inventory. */
export function setupOfPart(p: PartialDoc): CheckSetup {
  const { def, problems } = checkRuleset(p.ruleset.file, p.ruleset.text);
  if (!def) throw problems[0] ?? new ValidationError("invalid ruleset in partial result", { file: p.ruleset.file });
  const inventory = parseInventoryText(p.inventory.file, p.inventory.text, def.raw.roles.map((r) => r.id));
  return setupFrom(def, inventory, { ruleset: p.ruleset.arg, inventory: p.inventory.file, scenarios: p.scenarios, sets: p.sets, documentedOnly: p.documentedOnly === true });
}

/**
 * Parts in the order given, as one run over their inputs in that order: inputs concatenated, findings
 * merged as FindingTable.merge does (the first occurrence stays the earlier part's).
 */
export function mergeParts(paths: readonly string[]): { setup: CheckSetup; table: FindingTable; results: InputResult[] } {
  if (paths.length === 0) throw new InputError("no partial result given");
  const parts = paths.map((p) => readPartial(p));
  const first = parts[0]!;
  parts.forEach((p, i) => {
    const why = mismatch(first, p);
    if (why) throw new InputError(`cannot merge: ${why}`, { file: paths[i]! });
  });
  const setup = setupOfPart(first);
  const roles = setup.matcher.roles;
  const table = new FindingTable();
  const results: InputResult[] = [];
  const src = new Uint32Array(4);
  const dst = new Uint32Array(4);
  for (const p of parts) {
    const offset = results.length;
    for (const i of p.inputs) {
      const stats = new InputStats();
      stats.read = i.read;
      stats.used = i.used;
      stats.bytes = i.bytes;
      for (const [k, v] of Object.entries(i.skipped)) stats.skippedByReason.set(k, v);
      stats.samples.push(...i.samples);
      stats.flowsRead = i.flowsRead;
      stats.flowsUsed = i.flowsUsed;
      for (const [k, v] of Object.entries(i.flowsSkipped)) stats.flowsSkippedByReason.set(k, v);
      table.addInputEvents(results.length, i.events[0], i.events[1], i.events[2]);
      const r: InputResult = { path: i.path, format: i.format, compressed: i.compressed, stats };
      if (i.error !== null) r.error = i.error;
      results.push(r);
    }
    const f = p.findings;
    for (let e = 0; e < f.count.length; e++) {
      const k = e * 10;
      const m = f.key[k]!;
      const family = (m >>> 8) & 255;
      for (let j = 0; j < 4; j++) { src[j] = f.key[k + 2 + j]!; dst[j] = f.key[k + 6 + j]!; }
      const evidence = [0, 1, 2].map((s) => f.evidence[e * 3 + s]!).filter((id) => id >= 0).map((id) => p.evidence[id]!);
      table.addFinding({
        verdict: m & 15, action: (m >>> 4) & 15, family, proto: (m >>> 16) & 255, blockedBy: (m >>> 24) & 3, port: f.key[k + 1]! | 0, src, dst,
        count: f.count[e]!, first: f.first[e] ?? NaN, last: f.last[e] ?? NaN,
        // Role sets are a function of the address: looked up again rather than trusted from the file.
        srcSet: roles.lookup(family, src, 0), dstSet: roles.lookup(family, dst, 0),
        firstSrcPort: f.firstSrcPort[e]!, input: f.input[e]! + offset, position: f.position[e] ?? NaN, frame: f.frame?.[e] ?? 0, evidence,
      });
    }
  }
  return { setup, table, results };
}
