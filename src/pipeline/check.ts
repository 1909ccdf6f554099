import { loadRulesetDef, resolveRuleset, parseVariableValue, activeRules, checkScenarios, type Ruleset, type Rule, type RulesetDef } from "../model/ruleset.js";
import { loadInventory, type Inventory } from "../model/inventory.js";
import { RoleLookup } from "../match/roles.js";
import { Matcher, createClassified, ALL_VERDICTS } from "../match/matcher.js";
import { FindingTable } from "../match/aggregate.js";
import { DEFAULT_FAIL_ON, materialise, prepareReport, reportIdentity, type PreparedReport, type ReportIdentity } from "../report/build.js";
import type { Report } from "../report/types.js";
import { BLOCKED_BY_VALUES, BLOCKED_VERDICTS, isFailOn, type FailOn } from "../report/fail-on.js";
import { runInputs, type InputResult } from "./run.js";
import type { DecodeOptions } from "../decode/log/options.js";
import { UsageError } from "../errors.js";
import type { EventBatch } from "../decode/batch.js";
import { STDIN } from "../source/inputs.js";
import { statSync } from "node:fs";
import { availableParallelism } from "node:os";

export interface CheckSetup {
  ruleset: Ruleset;
  rules: Rule[];
  inventory: Inventory;
  matcher: Matcher;
  scenarios: string[];
  /** Only the rules the document states are in play (`--documented-only`): inferred rules are left out. */
  documentedOnly: boolean;
  /** What the setup was made from, so that a worker thread can make the same one. */
  args: SetupArgs;
}

export interface SetupArgs {
  ruleset: string;
  inventory: string;
  scenarios: string[];
  sets: [string, string][];
  documentedOnly: boolean;
}

/** Ruleset + inventory + variables (defaults < inventory < --set) compiled once. */
export function setupCheck(
  rulesetArg: string,
  inventoryPath: string,
  scenarios: readonly string[],
  sets: ReadonlyMap<string, string>,
  opts: { documentedOnly?: boolean } = {},
): CheckSetup {
  const documentedOnly = opts.documentedOnly === true;
  const def = loadRulesetDef(rulesetArg);
  const inventory = loadInventory(inventoryPath, def.raw.roles.map((r) => r.id));
  return setupFrom(def, inventory, { ruleset: rulesetArg, inventory: inventoryPath, scenarios: [...scenarios], sets: [...sets], documentedOnly });
}

/** The setup of a loaded ruleset definition and inventory (from files, or from a partial result's copies). */
export function setupFrom(def: RulesetDef, inventory: Inventory, args: SetupArgs): CheckSetup {
  const { scenarios, documentedOnly } = args;
  const sets = new Map(args.sets);
  const inventoryPath = inventory.file;
  const roleIds = def.raw.roles.map((r) => r.id);
  const fromInv = new Map<string, number | string>();
  for (const [k, v] of inventory.variables) fromInv.set(k, parseVariableValue(def, k, v, inventoryPath));
  const fromCli = new Map<string, number | string>();
  for (const [k, v] of sets) fromCli.set(k, parseVariableValue(def, k, v, `--set ${k}=${v}`));
  const ruleset = resolveRuleset(def, fromInv, fromCli);
  checkScenarios(ruleset, scenarios);
  const rules = activeRules(ruleset, scenarios, documentedOnly);
  const matcher = new Matcher(rules, new RoleLookup(roleIds, inventory));
  return { ruleset, rules, inventory, matcher, scenarios: [...scenarios], documentedOnly, args: { ...args, documentedOnly } };
}

/** What a report of this setup will say it was made with: compared with saved reports before they are read against it. */
export function setupIdentity(setup: CheckSetup): ReportIdentity {
  return reportIdentity({ ruleset: setup.ruleset, activeRules: setup.rules, scenarios: setup.scenarios, documentedOnly: setup.documentedOnly, inventory: setup.inventory });
}

/** --fail-on items: verdicts, `none`, or a blocked verdict narrowed by who stopped it (`blocked-required:network`). */
export function parseFailOn(list: readonly string[] | undefined): FailOn[] {
  if (!list || list.length === 0) return [...DEFAULT_FAIL_ON];
  const out: FailOn[] = [];
  for (const v of list) {
    if (v === "none") continue;
    if (!isFailOn(v)) {
      throw new UsageError(`--fail-on ${v}: unknown verdict; known: ${ALL_VERDICTS.join(", ")}, none; a blocked verdict narrowed by who stopped it: ${BLOCKED_VERDICTS.map((x) => `${x}:${BLOCKED_BY_VALUES.join("|")}`).join(", ")}`);
    }
    out.push(v);
  }
  return out;
}

export interface CheckOptions {
  decode: DecodeOptions;
  inputFormat?: string;
  failOn: FailOn[];
  onChunk?: (input: InputResult, bytes: number, rawBytes: number) => void | Promise<void>;
  now?: Date;
  /**
   * Worker threads for several inputs (`--jobs`). Unset: the number of cores, used only when the inputs
   * are large enough to repay starting the workers (AUTO_JOBS_MIN_BYTES). 1: everything in this thread.
   */
  jobs?: number;
  /** Accept inputs that contribute nothing (`--allow-empty`; see report/checked.ts). */
  allowEmpty?: boolean;
}

/** Inputs smaller than this in total are read in one thread unless --jobs asks otherwise. */
export const AUTO_JOBS_MIN_BYTES = 64 * 1024 * 1024;

/**
 * The classify-and-count stage for one stream of event batches: what both a single-threaded run and
 * each worker thread do with the events of an input.
 */
export function findingSink(matcher: Matcher, table: FindingTable): (batch: EventBatch, inputIdx: number) => void {
  let classified = createClassified(8192);
  return (batch, inputIdx) => {
    if (classified.verdict.length < batch.length) classified = createClassified(batch.capacity);
    table.addEvents(batch, matcher, classified, inputIdx);
  };
}

/** How many worker threads to use for these inputs (1: none). */
export function jobsFor(inputs: readonly string[], jobs: number | undefined): number {
  if (inputs.length < 2 || inputs.includes(STDIN)) return 1;
  if (jobs !== undefined) return Math.max(1, Math.min(jobs, inputs.length));
  let bytes = 0;
  for (const p of inputs) bytes += statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  if (bytes < AUTO_JOBS_MIN_BYTES) return 1;
  return Math.max(1, Math.min(availableParallelism(), inputs.length));
}

/** Decode every input, classify every event, aggregate, and build the JSON report. */
export async function runCheck(setup: CheckSetup, inputs: readonly string[], o: CheckOptions): Promise<Report> {
  return materialise(await prepareCheck(setup, inputs, o));
}

/** As runCheck, the findings left in the table until they are written (see PreparedReport). */
export async function prepareCheck(setup: CheckSetup, inputs: readonly string[], o: CheckOptions): Promise<PreparedReport> {
  const { table, results } = await collectCheck(setup, inputs, o);
  return prepareFromTable(setup, table, results, o);
}

/** Decode, classify and count every input: the finding table and each input's accounting. */
export async function collectCheck(setup: CheckSetup, inputs: readonly string[], o: CheckOptions): Promise<{ table: FindingTable; results: InputResult[] }> {
  const jobs = jobsFor(inputs, o.jobs);
  let table: FindingTable;
  let results: InputResult[];
  if (jobs > 1) {
    const { runParallel } = await import("./parallel.js");
    ({ table, results } = await runParallel(setup, inputs, o, jobs));
  } else {
    table = new FindingTable();
    const runOpts: Parameters<typeof runInputs>[1] = { decode: o.decode, sink: findingSink(setup.matcher, table) };
    if (o.inputFormat !== undefined) runOpts.inputFormat = o.inputFormat;
    if (o.onChunk) runOpts.onChunk = o.onChunk;
    results = await runInputs(inputs, runOpts);
  }
  return { table, results };
}

/** The report of a finding table and its inputs' accounting (from this process, an engine, or merged parts). */
export function prepareFromTable(setup: CheckSetup, table: FindingTable, results: readonly InputResult[], o: Pick<CheckOptions, "failOn" | "now" | "allowEmpty">): PreparedReport {
  const build: Parameters<typeof prepareReport>[0] = {
    table,
    matcher: setup.matcher,
    ruleset: setup.ruleset,
    activeRules: setup.rules,
    scenarios: setup.scenarios,
    documentedOnly: setup.documentedOnly,
    inventory: setup.inventory,
    inputs: results,
    failOn: o.failOn,
  };
  if (o.now) build.now = o.now;
  if (o.allowEmpty) build.allowEmpty = true;
  return prepareReport(build);
}
