import { loadRulesetDef, parseVariableValue, resolveRuleset, checkScenarios } from "../model/ruleset.js";
import { loadInventory, type FirewallAddress } from "../model/inventory.js";
import { compileExport, type ExportPlan } from "../export/compile.js";
import { mergeBlocks, type AddressBlock } from "../export/addresses.js";

export interface ExportArgs {
  ruleset: string;
  inventory: string;
  scenarios: readonly string[];
  sets: ReadonlyMap<string, string>;
  documentedOnly: boolean;
}

function firewallBlocks(list: readonly FirewallAddress[]): AddressBlock[] {
  const blocks = list.map((a): AddressBlock => {
    const bits = a.family === 4 ? 32 : 128;
    let first = 0n;
    for (const w of a.family === 4 ? [a.words[0]] : a.words) first = (first << 32n) | BigInt(w >>> 0);
    return { family: a.family, first, last: first + (1n << BigInt(bits - a.prefixLength)) - 1n };
  });
  return [...mergeBlocks(blocks.filter((b) => b.family === 4)), ...mergeBlocks(blocks.filter((b) => b.family === 6))];
}

/** Load the ruleset and inventory exactly as `check` does (variables: defaults < inventory < --set), then compile. */
export function planExport(a: ExportArgs): ExportPlan & { inventoryWarnings: readonly string[] } {
  const def = loadRulesetDef(a.ruleset);
  const inventory = loadInventory(a.inventory, def.raw.roles.map((r) => r.id));
  const fromInv = new Map<string, number | string>();
  for (const [k, v] of inventory.variables) fromInv.set(k, parseVariableValue(def, k, v, a.inventory));
  const fromCli = new Map<string, number | string>();
  for (const [k, v] of a.sets) fromCli.set(k, parseVariableValue(def, k, v, `--set ${k}=${v}`));
  const ruleset = resolveRuleset(def, fromInv, fromCli);
  checkScenarios(ruleset, a.scenarios);
  const plan = compileExport(ruleset, inventory, firewallBlocks(inventory.firewall), { scenarios: [...a.scenarios], documentedOnly: a.documentedOnly });
  return { ...plan, inventoryWarnings: inventory.warnings };
}
