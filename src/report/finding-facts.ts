/**
 * Report step "rules": what each finding of the table is, as small integers in table order. The rule
 * that expects it and the roles it was matched as (strings that repeat are interned once: id 0 is
 * "no rule" and "no role"), and the counts the summary, coverage and --fail-on read, per verdict code,
 * per (verdict, who stopped it) and per rule. Nothing here makes a string or an object per finding: a
 * report of 200,000 findings pays a rule lookup (an array read: Matcher.ruleFinder) and a few array
 * writes for each.
 */
import type { FindingTable } from "../match/aggregate.js";
import { VERDICTS, type Matcher, type RuleFinder } from "../match/matcher.js";
import type { Rule } from "../model/ruleset.js";

/** Verdict codes (the low 4 bits of key word 0) and who-stopped-it codes (2 bits): 16 x 4 cells. */
export const VERDICT_BY_CELLS = 64;

/** Where a record's address words start in FindingFacts.addr (key words 2-9, after the head and port). */
export const ADDR_BASE = 2;

export interface FindingFacts {
  /** Table entries. */
  readonly n: number;
  /**
   * The table's records as unsigned words (FindingTable.keyWords, not a copy): entry e's key word 0 is
   * addr[e * addrStride] (`headOf`), its port word the next (`portOf`); its source address is the four
   * words from addr[e * addrStride + ADDR_BASE], the destination the four after them.
   */
  readonly addr: Uint32Array;
  readonly addrStride: number;
  /** The rules findings matched; index 0 is no rule. */
  readonly rules: readonly (Rule | undefined)[];
  readonly ruleOf: Int32Array;
  /** Role names as the report writes them; index 0 is null (not in the inventory). */
  readonly roleNames: readonly (string | null)[];
  readonly srcRole: Int32Array;
  readonly dstRole: Int32Array;
  /** Flows (the findings' counts summed) per verdict code. */
  readonly flowsByVerdict: Float64Array;
  /** Findings per verdict code * 4 + who stopped it; and of those, the findings on an inferred rule. */
  readonly findingsByVerdictBy: Float64Array;
  readonly inferredByVerdictBy: Float64Array;
  /** Flows per rule index, allowed-required and blocked-required. */
  readonly allowedByRule: Float64Array;
  readonly blockedByRule: Float64Array;
}

/** Key word 0 of entry e: verdict | action << 4 | family << 8 | protocol << 16 | blockedBy << 24. */
export function headOf(f: FindingFacts, e: number): number {
  return f.addr[e * f.addrStride]!;
}

/** Key word 1 of entry e: the port, or the ICMP type, -1 for none. */
export function portOf(f: FindingFacts, e: number): number {
  return f.addr[e * f.addrStride + 1]! | 0;
}

const V_ALLOWED_REQUIRED = VERDICTS.indexOf("allowed-required");
const V_BLOCKED_REQUIRED = VERDICTS.indexOf("blocked-required");

/** `finder`: the rule lookup (tests pass one that builds its port tables at once). */
export function findingFacts(table: FindingTable, matcher: Matcher, finder: RuleFinder = matcher.ruleFinder(table.size >= 65536 ? 0 : undefined)): FindingFacts {
  const n = table.size;
  const roles = matcher.roles;
  const { words: addr, stride: addrStride } = table.keyWords();
  const rules: (Rule | undefined)[] = [undefined];
  const ruleIds = new Map<Rule, number>();
  const roleNames: (string | null)[] = [null];
  const roleIds = new Map<string, number>();
  const roleId = (name: string | null): number => {
    if (name === null) return 0;
    let id = roleIds.get(name);
    if (id === undefined) { id = roleNames.length; roleNames.push(name); roleIds.set(name, id); }
    return id;
  };
  // Per rule id: its from and to roles' ids, 1 when it is inferred (grown with the counts by rule).
  let ruleFrom = new Int32Array(16), ruleTo = new Int32Array(16), ruleInferred = new Uint8Array(16);
  let allowedByRule = new Float64Array(16), blockedByRule = new Float64Array(16);
  // The id of a rule first met here (the cold path, kept out of the loop below: the rules' objects have
  // more than one shape, and reading their fields in the loop made its optimised code bail out).
  const newRule = (rule: Rule): number => {
    const id = rules.length;
    rules.push(rule);
    ruleIds.set(rule, id);
    if (id >= ruleFrom.length) {
      ruleFrom = grownInt(ruleFrom); ruleTo = grownInt(ruleTo); ruleInferred = grownBytes(ruleInferred);
      allowedByRule = grown(allowedByRule); blockedByRule = grown(blockedByRule);
    }
    ruleFrom[id] = roleId(rule.from);
    ruleTo[id] = roleId(rule.to);
    ruleInferred[id] = rule.inferred === true ? 1 : 0;
    return id;
  };
  // A finding without a rule is named by its host's roles joined by "+" (null when none): the role id
  // of each role set, -1 until first needed.
  let setRole = new Int32Array(64).fill(-1);
  const newSetRole = (set: number): number => {
    while (set >= setRole.length) { const b = new Int32Array(setRole.length * 2).fill(-1); b.set(setRole); setRole = b; }
    const id = roleId(roles.setRoleIds(set).join("+") || null);
    setRole[set] = id;
    return id;
  };
  // Every rule and role set gets its id before the loop (ids are only names inside the report: its
  // order comes from the names), so the loop meets nothing for the first time: code first reached
  // after the loop was compiled made its optimised code bail out, and each time it was compiled again.
  for (const rule of matcher.rules) if (!ruleIds.has(rule)) newRule(rule);
  for (let set = 1; set < roles.sets.length; set++) newSetRole(set);
  const ruleOf = new Int32Array(n), srcRole = new Int32Array(n), dstRole = new Int32Array(n);
  const flowsByVerdict = new Float64Array(16);
  const findingsByVerdictBy = new Float64Array(VERDICT_BY_CELLS), inferredByVerdictBy = new Float64Array(VERDICT_BY_CELLS);
  let lastRule: Rule | undefined = undefined;
  let lastId = 0;
  // Read in the records (table order, sequential): columns of them would be fresh memory. Only
  // integers and typed arrays in the loop; what is met for the first time is in newRule and newSetRole.
  for (let e = 0; e < n; e++) {
    const o = e * addrStride;
    const m = addr[o]!;
    const s = table.srcSetOf(e), d = table.dstSetOf(e);
    const rule = finder.find(s, d, (m >>> 16) & 255, addr[o + 1]! | 0, table.firstSrcPortOf(e));
    let r = 0;
    if (rule !== undefined) {
      if (rule !== lastRule) { lastId = ruleIds.get(rule) ?? newRule(rule); lastRule = rule; }
      r = lastId;
    }
    ruleOf[e] = r;
    let sr = 0, dr = 0;
    if (r !== 0) { sr = ruleFrom[r]!; dr = ruleTo[r]!; } else {
      if (s !== 0) { sr = s < setRole.length ? setRole[s]! : -1; if (sr < 0) sr = newSetRole(s); }
      if (d !== 0) { dr = d < setRole.length ? setRole[d]! : -1; if (dr < 0) dr = newSetRole(d); }
    }
    srcRole[e] = s === 0 ? 0 : sr;
    dstRole[e] = d === 0 ? 0 : dr;
    const v = m & 15, c = table.countOf(e);
    flowsByVerdict[v] = flowsByVerdict[v]! + c;
    const cell = v * 4 + ((m >>> 24) & 3);
    findingsByVerdictBy[cell] = findingsByVerdictBy[cell]! + 1;
    if (r !== 0) {
      inferredByVerdictBy[cell] = inferredByVerdictBy[cell]! + ruleInferred[r]!;
      if (v === V_ALLOWED_REQUIRED) allowedByRule[r] = allowedByRule[r]! + c;
      else if (v === V_BLOCKED_REQUIRED) blockedByRule[r] = blockedByRule[r]! + c;
    }
  }
  return {
    n, addr, addrStride, rules, ruleOf, roleNames, srcRole, dstRole, flowsByVerdict, findingsByVerdictBy, inferredByVerdictBy,
    allowedByRule, blockedByRule,
  };
}

function grown(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function grownInt(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function grownBytes(a: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(a.length * 2);
  b.set(a);
  return b;
}

/** Flows per rule id, allowed-required and blocked-required (as coverage reads them). */
export function flowsPerRule(f: FindingFacts): Map<string, { allowed: number; blocked: number }> {
  const out = new Map<string, { allowed: number; blocked: number }>();
  for (let r = 1; r < f.rules.length; r++) {
    const id = f.rules[r]!.id;
    const pr = out.get(id) ?? { allowed: 0, blocked: 0 };
    pr.allowed += f.allowedByRule[r]!;
    pr.blocked += f.blockedByRule[r]!;
    out.set(id, pr);
  }
  return out;
}
