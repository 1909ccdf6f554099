import type { Rule } from "../model/ruleset.js";
import type { Range } from "../model/ports.js";
import { protocolName } from "../net/proto.js";
import { PROTO_ICMP, PROTO_ICMPV6 } from "../decode/batch.js";
import { actionFromPrefix } from "../decode/log/action-words.js";
import { ACTION_ALLOWED, ACTION_BLOCKED } from "../decode/batch.js";
import { UsageError } from "../errors.js";
import type { ExportPlan, Opening } from "./compile.js";

/**
 * The words every export writes beside its rules, so a firewall rule can be traced back to the ruleset
 * rule and the seed row it comes from, and an inferred or conditional rule is never mistaken for one
 * the document states.
 */

export function rangesText(ranges: readonly Range[], sep = ", ", dash = "-"): string {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}${dash}${b}`)).join(sep);
}

/** "tcp 135, 593, 49152-65535" or "icmp types 8". */
export function openingText(o: Opening): string {
  const what = o.proto === PROTO_ICMP || o.proto === PROTO_ICMPV6 ? `${protocolName(o.proto)} types` : protocolName(o.proto);
  const src = o.sourcePorts ? ` from source ports ${rangesText(o.sourcePorts)}` : "";
  return `${what} ${rangesText(o.ports)}${src}`;
}

/** Short marks after a rule id: INFERRED, conditional, mirror. */
export function ruleMarks(rule: Rule): string[] {
  const marks: string[] = [];
  if (rule.inferred) marks.push("INFERRED");
  if (rule.requirement === "conditional") marks.push("conditional");
  if (rule.mirrorOf !== undefined) marks.push(`mirror of ${rule.mirrorOf}`);
  return marks;
}

/** Lines that trace one rule (without comment markers). */
export function traceLines(plan: ExportPlan, rule: Rule): string[] {
  const marks = ruleMarks(rule);
  const out = [
    `rule ${rule.id}${marks.length > 0 ? ` [${marks.join(", ")}]` : ""} (${plan.ruleset.file}:${rule.line}): ${rule.purpose}`,
    `  seed: ${rule.source}`,
  ];
  if (rule.inferred) out.push(`  inferred, not stated by the document: ${oneLine(rule.inferredReason ?? "")}`);
  if (rule.requirement === "conditional") out.push(`  conditional: ${rule.condition ?? ""}`);
  return out;
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** The header every text format starts with (without comment markers). */
export function headerLines(plan: ExportPlan, format: string): string[] {
  const rs = plan.ruleset;
  const vars = rs.variables.map((v) => `${v.name}=${v.value} (${v.origin})`).join(", ");
  const out = [
    `portmatrix export --to ${format}`,
    `ruleset ${rs.id} version ${rs.version} (${rs.file}): ${rs.title}`,
    `inventory ${plan.inventoryFile}`,
    `scenarios: ${plan.options.scenarios.length > 0 ? plan.options.scenarios.join(", ") : "all"}`,
  ];
  if (vars) out.push(`variables: ${vars}`);
  out.push(plan.options.documentedOnly
    ? "inferred rules: left out (--documented-only)"
    : "inferred rules: included, each marked INFERRED (--documented-only leaves them out)");
  out.push(`${plan.openings.length} openings from ${new Set(plan.openings.map((o) => o.rule.id)).size} rules`);
  if (plan.leftOut.length > 0) {
    out.push("not exported:");
    for (const l of plan.leftOut) out.push(`  ${l.rule.id}: ${l.reason}`);
  }
  return out;
}

/** Prefix a block of lines with a comment marker. */
export function comment(lines: readonly string[], marker: string, indent = ""): string {
  return lines.map((l) => `${indent}${marker}${l === "" ? "" : " "}${l}`.trimEnd()).join("\n") + "\n";
}

/**
 * The log prefix with its action word, checked against the netfilter decoder's own words so that
 * `portmatrix check` reads the dropped lines back as blocked (and accepted ones as allowed).
 */
export function logPrefixes(prefix: string, maxLength: number, option = "--log-prefix"): { drop: string; accept: string } {
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(prefix)) {
    throw new UsageError(`${option} ${JSON.stringify(prefix)}: expected 1-64 letters, digits, ".", "_", ":" or "-"`);
  }
  const drop = `${prefix} DROP `;
  const accept = `${prefix} ACCEPT `;
  if (accept.length > maxLength) {
    throw new UsageError(`${option} ${prefix}: "${accept}" is ${accept.length} characters; this format's log prefix holds at most ${maxLength}`);
  }
  if (actionFromPrefix(drop) !== ACTION_BLOCKED || actionFromPrefix(accept) !== ACTION_ALLOWED) {
    throw new UsageError(`${option} ${prefix}: contains an action word (DROP, DENY, REJECT, BLOCK, ACCEPT, ALLOW, PASS, PERMIT...), so check could not read the logged action back; choose another`);
  }
  return { drop, accept };
}
