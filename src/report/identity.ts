/**
 * Was a saved report made against the same matrix as the run (or report) it is compared with? A
 * verdict means something only with its ruleset and inventory: a report saved with the SKYDIV ruleset,
 * read by `why` with the KCPS one, has no finding of any KCPS rule, so a blocked RDP attempt vanishes.
 *
 * The rules (README "Comparing reports"):
 * - another ruleset id, another ruleset content (`ruleset.sha256`), or another inventory
 *   (`inventory.sha256`, its address-to-role mapping): refused, unless --allow-mismatch;
 * - the same ruleset and inventory with other choices (scenarios, --documented-only, variables): a
 *   warning that names them; the verdicts that differ because of them show as changed;
 * - a report written before the hashes existed: compared by ruleset id only, with a warning.
 */
import { MismatchError } from "../errors.js";
import type { ReportIdentity } from "./build.js";

/** What a saved report states of its ruleset and inventory (older reports lack the hashes). */
export interface SavedIdentity {
  ruleset: Pick<ReportIdentity["ruleset"], "id" | "scenarios" | "variables"> & Partial<Pick<ReportIdentity["ruleset"], "version" | "sha256" | "rulesSha256" | "documentedOnly">>;
  inventory: Pick<ReportIdentity["inventory"], "file" | "entries"> & Partial<Pick<ReportIdentity["inventory"], "sha256">>;
}

export interface Comparison {
  /** Why the two do not compare (ruleset or inventory differ), or undefined. */
  mismatch: string | undefined;
  /** Differences that do not make the verdicts incomparable, but change some of them. */
  warnings: string[];
}

const short = (hash: string | undefined): string => (hash ? hash.slice(0, 12) : "not recorded");

function rulesetText(r: SavedIdentity["ruleset"]): string {
  return `ruleset ${r.id} (${r.version !== undefined && r.version !== null ? `version ${r.version}, ` : ""}sha256 ${short(r.sha256)})`;
}

function inventoryText(i: SavedIdentity["inventory"]): string {
  return `inventory ${i.file} (${i.entries} entries, sha256 ${short(i.sha256)})`;
}

function choiceWarnings(a: SavedIdentity, aName: string, b: SavedIdentity, bName: string): string[] {
  const out: string[] = [];
  const scen = (s: readonly string[]) => (s.length > 0 ? [...s].sort().join(", ") : "all");
  if (scen(a.ruleset.scenarios) !== scen(b.ruleset.scenarios)) {
    out.push(`${aName} was checked with scenarios ${scen(a.ruleset.scenarios)}, ${bName} with ${scen(b.ruleset.scenarios)}`);
  }
  if (a.ruleset.documentedOnly !== undefined && b.ruleset.documentedOnly !== undefined && a.ruleset.documentedOnly !== b.ruleset.documentedOnly) {
    const only = (x: boolean) => (x ? "documented rules only" : "inferred rules too");
    out.push(`${aName} was checked with ${only(a.ruleset.documentedOnly)}, ${bName} with ${only(b.ruleset.documentedOnly)}`);
  }
  const vars: string[] = [];
  for (const name of new Set([...Object.keys(a.ruleset.variables), ...Object.keys(b.ruleset.variables)])) {
    const va = a.ruleset.variables[name]?.value, vb = b.ruleset.variables[name]?.value;
    if (va !== vb) vars.push(`${name} ${va ?? "unset"} in ${aName}, ${vb ?? "unset"} in ${bName}`);
  }
  if (vars.length > 0) out.push(`${aName} and ${bName} were checked with other variables (${vars.join("; ")})`);
  if (out.length === 0 && a.ruleset.rulesSha256 && b.ruleset.rulesSha256 && a.ruleset.rulesSha256 !== b.ruleset.rulesSha256) {
    out.push(`${aName} and ${bName} were checked with other rules in play (rules sha256 ${short(a.ruleset.rulesSha256)} and ${short(b.ruleset.rulesSha256)})`);
  }
  if (out.length > 0) out[out.length - 1] += ": verdicts that differ because of it show as changed";
  return out;
}

/**
 * Compare the saved report `a` (named `aName`, a file) with `b` (`bName`: "this run" or another file):
 * the verdicts of one may be read against the other only when both were made with the same ruleset
 * and inventory.
 */
export function compareIdentity(a: SavedIdentity, aName: string, b: SavedIdentity, bName: string): Comparison {
  const differ: string[] = [];
  if (a.ruleset.id !== b.ruleset.id || (a.ruleset.sha256 && b.ruleset.sha256 && a.ruleset.sha256 !== b.ruleset.sha256)) differ.push("ruleset");
  if (a.inventory.sha256 && b.inventory.sha256 && a.inventory.sha256 !== b.inventory.sha256) differ.push("inventory");
  const warnings: string[] = [];
  if (!a.ruleset.sha256 || !a.inventory.sha256) {
    warnings.push(`${aName} does not record the hashes of its ruleset and inventory (an older portmatrix wrote it): only the ruleset id could be compared`);
  }
  const mismatch = differ.length === 0 ? undefined
    : `${aName} was made with another ${differ.join(" and ")}: ${rulesetText(a.ruleset)}, ${inventoryText(a.inventory)}; ` +
      `${bName}: ${rulesetText(b.ruleset)}, ${inventoryText(b.inventory)}; its verdicts do not compare`;
  if (mismatch === undefined) warnings.push(...choiceWarnings(a, aName, b, bName));
  return { mismatch, warnings };
}

/**
 * The comparison as a command acts on it: a mismatch is a MismatchError (one line, exit 2) unless
 * `allowMismatch`; then it is the first of the warnings returned for stderr.
 */
export function requireComparable(a: SavedIdentity, aName: string, b: SavedIdentity, bName: string, allowMismatch: boolean): string[] {
  const c = compareIdentity(a, aName, b, bName);
  if (c.mismatch === undefined) return c.warnings;
  if (!allowMismatch) throw new MismatchError(`${c.mismatch} (--allow-mismatch compares them anyway)`);
  return [`${c.mismatch}; going on anyway (--allow-mismatch)`, ...c.warnings];
}
