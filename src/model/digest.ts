/**
 * Content hashes that say which ruleset and inventory a report was made with, so that `diff`, `why`
 * and `--baseline` can refuse to compare verdicts made against another matrix (README "Comparing
 * reports"). Each hash is over a canonical form of what decides verdicts, not over the file's bytes:
 * a comment, a reordered key or a host's name does not change it.
 */
import { createHash } from "node:crypto";
import type { RulesetRaw } from "./ruleset-types.js";
import type { Rule } from "./ruleset.js";
import type { InventoryEntry } from "./inventory.js";

/** JSON with object keys sorted, so that two equal values give the same text whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The ruleset as written (validated, before variables and scenarios): same file content, same hash. */
export function rulesetDigest(raw: RulesetRaw): string {
  return sha256(canonicalJson(raw));
}

/**
 * The rules in play as the matcher uses them: after variables, scenarios and --documented-only. Two
 * runs of one ruleset with other choices differ here and not in `rulesetDigest`.
 */
export function rulesDigest(rules: readonly Rule[]): string {
  return sha256(canonicalJson(rules.map((r) => ({
    id: r.id, from: r.from, to: r.to, requirement: r.requirement, inferred: r.inferred, mirrorOf: r.mirrorOf ?? null,
    // Which reading of a statement coverage counts decides which rule is unobserved-required.
    alternativeOf: r.alternativeOf ?? null,
    flows: r.flows.map((f) => [f.proto, f.ranges]), sourcePorts: r.sourcePorts,
  }))));
}

/**
 * What the inventory says about addresses: each prefix with its roles, in a fixed order. Host names
 * are left out (they name hosts in reports but decide no verdict), and so are `variables:` (they are
 * in the ruleset's hashes when they change a port) and `firewall:` (used by export only).
 */
export function inventoryDigest(entries: readonly InventoryEntry[]): string {
  const lines = entries.map((e) => `${e.family} ${e.words.map((w) => (w >>> 0).toString(16)).join(":")}/${e.prefixLength} ${[...e.roles].sort().join(",")}`);
  return sha256(lines.sort().join("\n"));
}
