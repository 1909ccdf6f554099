import { loadRulesetDef, resolveRuleset, parseVariableValue, activeRules, checkScenarios, type Ruleset, type Rule } from "../model/ruleset.js";
import { loadInventory, type Inventory } from "../model/inventory.js";
import { RoleLookup } from "../match/roles.js";
import { Matcher, classifyBatch, createClassified, ALL_VERDICTS, type Verdict } from "../match/matcher.js";
import { FindingTable } from "../match/aggregate.js";
import { buildReport, DEFAULT_FAIL_ON } from "../report/build.js";
import type { Report } from "../report/types.js";
import { runInputs, type InputResult } from "./run.js";
import type { DecodeOptions } from "../decode/log/options.js";
import { UsageError } from "../errors.js";

export interface CheckSetup {
  ruleset: Ruleset;
  rules: Rule[];
  inventory: Inventory;
  matcher: Matcher;
  scenarios: string[];
}

/** Ruleset + inventory + variables (defaults < inventory < --set) compiled once. */
export function setupCheck(rulesetArg: string, inventoryPath: string, scenarios: readonly string[], sets: ReadonlyMap<string, string>): CheckSetup {
  const def = loadRulesetDef(rulesetArg);
  const roleIds = def.raw.roles.map((r) => r.id);
  const inventory = loadInventory(inventoryPath, roleIds);
  const fromInv = new Map<string, number | string>();
  for (const [k, v] of inventory.variables) fromInv.set(k, parseVariableValue(def, k, v, inventoryPath));
  const fromCli = new Map<string, number | string>();
  for (const [k, v] of sets) fromCli.set(k, parseVariableValue(def, k, v, `--set ${k}=${v}`));
  const ruleset = resolveRuleset(def, fromInv, fromCli);
  checkScenarios(ruleset, scenarios);
  const rules = activeRules(ruleset, scenarios);
  const matcher = new Matcher(rules, new RoleLookup(roleIds, inventory));
  return { ruleset, rules, inventory, matcher, scenarios: [...scenarios] };
}

export function parseFailOn(list: readonly string[] | undefined): Verdict[] {
  if (!list || list.length === 0) return [...DEFAULT_FAIL_ON];
  const out: Verdict[] = [];
  for (const v of list) {
    if (v === "none") continue;
    if (!(ALL_VERDICTS as readonly string[]).includes(v)) {
      throw new UsageError(`--fail-on ${v}: unknown verdict; known: ${ALL_VERDICTS.join(", ")}, none`);
    }
    out.push(v as Verdict);
  }
  return out;
}

export interface CheckOptions {
  decode: DecodeOptions;
  inputFormat?: string;
  failOn: Verdict[];
  onChunk?: (input: InputResult, bytes: number, rawBytes: number) => void | Promise<void>;
  now?: Date;
}

/** Decode every input, classify every event, aggregate, and build the JSON report. */
export async function runCheck(setup: CheckSetup, inputs: readonly string[], o: CheckOptions): Promise<Report> {
  const table = new FindingTable();
  let classified = createClassified(8192);
  const runOpts: Parameters<typeof runInputs>[1] = {
    decode: o.decode,
    sink: (batch, inputIdx) => {
      if (classified.verdict.length < batch.length) classified = createClassified(batch.capacity);
      classifyBatch(setup.matcher, batch, classified);
      table.addBatch(batch, classified, inputIdx);
    },
  };
  if (o.inputFormat !== undefined) runOpts.inputFormat = o.inputFormat;
  if (o.onChunk) runOpts.onChunk = o.onChunk;
  const results = await runInputs(inputs, runOpts);
  const build: Parameters<typeof buildReport>[0] = {
    table,
    matcher: setup.matcher,
    ruleset: setup.ruleset,
    activeRules: setup.rules,
    scenarios: setup.scenarios,
    inventory: setup.inventory,
    inputs: results,
    failOn: o.failOn,
  };
  if (o.now) build.now = o.now;
  return buildReport(build);
}
