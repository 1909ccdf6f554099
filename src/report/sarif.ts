/**
 * SARIF 2.1.0 (OASIS), for code scanning. Each violation is a result:
 *
 * - located at the line of its rule in the ruleset file; traffic no rule expects (allowed-unexpected)
 *   at the first rule between the same roles (where a rule for it would go), else the first rule
 *   towards its destination's role, else from its source's role, else at the record itself;
 * - with the first record of the finding (the input's line, or a capture's byte offset) as a related
 *   location, linked from the message;
 * - with file locations relative to %SRCROOT% or PORTMATRIX (sarif-places.ts);
 * - with --baseline, with a `baselineState` on every result (§3.27.24): new, unchanged, updated (the
 *   same flow failed before with another verdict), and an `absent` result for each violation of the
 *   baseline that fails no more.
 */
import type { CoverageEntry, Finding, Report, RuleInfo } from "./types.js";
import { VERSION } from "./build.js";
import { failsOn } from "./fail-on.js";
import { stoppedBy } from "./attribution.js";
import { Places, type ArtifactLocation, type SarifPlaces } from "./sarif-places.js";

export type { SarifPlaces } from "./sarif-places.js";

type Region = { startLine: number; startColumn?: number } | { byteOffset: number };
interface Location {
  id?: number;
  physicalLocation: { artifactLocation: ArtifactLocation; region?: Region };
  message?: { text: string };
}
type BaselineState = "new" | "unchanged" | "updated" | "absent";

interface SarifResult {
  ruleId: string;
  level: "error" | "warning" | "note";
  message: { text: string };
  locations: Location[];
  relatedLocations?: Location[];
  partialFingerprints: { flow: string };
  baselineState?: BaselineState;
  properties: Record<string, unknown>;
}

const LEVEL: Record<string, SarifResult["level"]> = { "blocked-required": "error", "allowed-unexpected": "warning", "unobserved-required": "note" };

/** A text as a sentence of the message: ends with a full stop. */
const sentence = (t: string) => (/[.!?]$/.test(t) ? t : `${t}.`);

const flows = (n: number) => `${n} flow${n === 1 ? "" : "s"}`;

function flowName(f: Finding): string {
  return f.port !== null ? `${f.protocol}/${f.port}` : `${f.protocol} type ${f.icmpType ?? "?"}`;
}

/** Rules by id, and the first rule of each role pair, destination role and source role. */
class RuleIndex {
  readonly byId = new Map<string, RuleInfo>();
  private readonly byPair = new Map<string, RuleInfo>();
  private readonly byTo = new Map<string, RuleInfo>();
  private readonly byFrom = new Map<string, RuleInfo>();
  constructor(rules: readonly RuleInfo[]) {
    for (const x of rules) {
      if (!this.byId.has(x.id)) this.byId.set(x.id, x);
      const pair = `${x.from}\u0000${x.to}`;
      if (!this.byPair.has(pair)) this.byPair.set(pair, x);
      if (!this.byTo.has(x.to)) this.byTo.set(x.to, x);
      if (!this.byFrom.has(x.from)) this.byFrom.set(x.from, x);
    }
  }

  /**
   * The rule a result is shown at, and why there when it is not the finding's own rule. A host of
   * several roles has them joined by "+" (no rule matched): each is tried.
   */
  locate(f: Finding): { rule: RuleInfo; why: string } | undefined {
    const own = f.rule !== null ? this.byId.get(f.rule) : undefined;
    if (own) return { rule: own, why: "" };
    const srcs = f.srcRole?.split("+") ?? [], dsts = f.dstRole?.split("+") ?? [];
    for (const s of srcs) for (const d of dsts) {
      const rule = this.byPair.get(`${s}\u0000${d}`);
      if (rule) return { rule, why: `shown at the first rule from ${s} to ${d}, where a rule for it would go` };
    }
    for (const d of dsts) {
      const rule = this.byTo.get(d);
      if (rule) return { rule, why: `no rule goes from ${f.srcRole} to ${d}: shown at the first rule towards ${d}` };
    }
    for (const s of srcs) {
      const rule = this.byFrom.get(s);
      if (rule) return { rule, why: `no rule goes to ${f.dstRole}: shown at the first rule from ${s}` };
    }
    return undefined;
  }
}

class SarifBuilder {
  readonly places: Places;
  private readonly rules: RuleIndex;
  private readonly ruleset: ArtifactLocation;
  /** Inputs that are files: not standard input, not a probe's attempts. */
  private readonly fileInputs: Set<string>;

  constructor(private readonly r: Report, p: SarifPlaces) {
    this.places = new Places(p);
    this.rules = new RuleIndex(r.ruleset.rules);
    this.ruleset = this.places.artifact(r.ruleset.file);
    this.fileInputs = new Set(r.inputs.filter((i) => i.path !== "-" && i.format !== "probe").map((i) => i.path));
  }

  private atRule(rule: RuleInfo | undefined): Location {
    return { physicalLocation: { artifactLocation: this.ruleset, ...(rule ? { region: { startLine: rule.line, startColumn: rule.column } } : {}) } };
  }

  /** Where the finding's first record is: the input's line, or for a capture its byte offset (§3.30.3). */
  private firstRecord(f: Finding): Location | undefined {
    if (!this.fileInputs.has(f.example.input)) return undefined;
    const region: Region | undefined = f.example.line !== undefined ? { startLine: Math.max(1, f.example.line) } : f.example.offset !== undefined ? { byteOffset: f.example.offset } : undefined;
    return { id: 1, physicalLocation: { artifactLocation: this.places.artifact(f.example.input), ...(region ? { region } : {}) }, message: { text: "the first record of this finding" } };
  }

  private message(f: Finding, why: string, first: Location | undefined): string {
    const inferred = f.ruleInferred === true ? ` Rule ${f.rule} is inferred, not stated by the document: ${sentence(f.ruleInferredReason ?? "")}` : "";
    const seen = `${flows(f.count)}; ${f.evidence.join("; ")}`;
    const body = f.verdict === "blocked-required"
      ? `${flowName(f)} from ${f.src} (${f.srcRole}) to ${f.dst} (${f.dstRole}) is required by rule ${f.rule} but was blocked: ${stoppedBy(f, f.dst) || "no attribution"} (${seen}).${inferred}`
      : f.action === "blocked"
        ? `${flowName(f)} from ${f.src} (${f.srcRole ?? "?"}) to ${f.dst} (${f.dstRole ?? "?"}) was blocked (${f.verdict}): ${stoppedBy(f, f.dst)} (${seen}).`
        : `${flowName(f)} from ${f.src} (${f.srcRole ?? "?"}) to ${f.dst} (${f.dstRole ?? "?"}) was ${f.action === "allowed" ? "allowed but no rule expects it" : `${f.verdict}`} (${seen}).`;
    const was = f.baseline === "changed" ? ` Changed since the baseline: it was ${(f.baselineBefore ?? []).join(", ")}.` : "";
    return `${body}${was}${why ? ` (${why}.)` : ""}${first ? " First record: [here](1)." : ""}`;
  }

  /** §3.27.24 for a failing finding: a changed one is `updated` when the flow failed before too. */
  private stateOf(f: Finding): BaselineState | undefined {
    if (!this.r.baseline) return undefined;
    if (f.baseline === "unchanged") return "unchanged";
    if (f.baseline === "changed") {
      const failedBefore = (f.baselineBefore ?? []).some((s) => {
        const [verdict, by] = s.split(":");
        return failsOn(this.r.failOn, { verdict: verdict!, blockedBy: (by ?? null) as Finding["blockedBy"] });
      });
      return failedBefore ? "updated" : "new";
    }
    return "new";
  }

  finding(f: Finding, state = this.stateOf(f)): SarifResult {
    const at = this.rules.locate(f);
    const first = this.firstRecord(f);
    // No rule to show it at (no rule names either role): the record itself is the place.
    const primary = at ? this.atRule(at.rule) : first ? { physicalLocation: first.physicalLocation } : this.atRule(undefined);
    const why = at ? at.why : first ? "no rule names either role: shown at its first record" : "no rule names either role";
    const res: SarifResult = {
      ruleId: f.verdict,
      level: LEVEL[f.verdict] ?? "warning",
      message: { text: this.message(f, why, first) },
      locations: [primary],
      ...(first ? { relatedLocations: [first] } : {}),
      partialFingerprints: { flow: `${f.verdict}|${f.src}|${f.dst}|${f.protocol}|${f.port ?? f.icmpType ?? ""}${f.blockedBy ? `|${f.blockedBy}` : ""}` },
      properties: {
        src: f.src, dst: f.dst, srcRole: f.srcRole, dstRole: f.dstRole, protocol: f.protocol, port: f.port, rule: f.rule,
        ruleInferred: f.ruleInferred ?? null, blockedBy: f.blockedBy ?? null, count: f.count, firstSeen: f.firstSeen, lastSeen: f.lastSeen,
      },
    };
    if (state) res.baselineState = state;
    return res;
  }

  unobserved(c: Pick<CoverageEntry, "rule" | "from" | "to" | "services" | "inferred" | "inferredReason">, state: BaselineState | undefined): SarifResult {
    const res: SarifResult = {
      ruleId: "unobserved-required",
      level: "note",
      message: { text: `Required rule ${c.rule} (${c.from} -> ${c.to} ${c.services.join(", ")}) has hosts on both sides but no traffic was seen.${c.inferred ? ` The rule is inferred, not stated by the document: ${c.inferredReason ?? ""}` : ""}` },
      locations: [this.atRule(this.rules.byId.get(c.rule))],
      partialFingerprints: { flow: `unobserved-required|${c.rule}` },
      properties: { rule: c.rule, ruleInferred: c.inferred },
    };
    if (state) res.baselineState = state;
    return res;
  }

  /** A run that was not a complete check, located at the input (or, for the inventory, at the inventory). */
  notChecked(p: Report["checked"]["problems"][number]): SarifResult {
    const file = p.input !== null ? (this.fileInputs.has(p.input) ? p.input : undefined) : p.code === "inventory-matches-nothing" ? this.r.inventory.file : undefined;
    const res: SarifResult = {
      ruleId: "not-checked",
      level: "error",
      message: { text: p.message },
      locations: [file !== undefined ? { physicalLocation: { artifactLocation: this.places.artifact(file) } } : this.atRule(undefined)],
      partialFingerprints: { flow: `not-checked|${p.code}|${p.input ?? ""}` },
      properties: { code: p.code, input: p.input },
    };
    // §3.27.24: with a baseline every result has a state; a run's own failure to check is new to it.
    if (this.r.baseline) res.baselineState = "new";
    return res;
  }
}

/** The places of a run in this directory: %SRCROOT% the directory itself (the CLI finds the work tree). */
function defaultPlaces(): SarifPlaces {
  return { srcRoot: process.cwd(), cwd: process.cwd() };
}

export function renderSarif(r: Report, places: SarifPlaces = defaultPlaces()): string {
  const b = new SarifBuilder(r, places);
  const results: SarifResult[] = r.findings.filter((f) => failsOn(r.failOn, f)).map((f) => b.finding(f));
  for (const f of r.baseline?.absent ?? []) results.push(b.finding(f, "absent"));
  if (r.failOn.includes("unobserved-required")) {
    for (const c of r.coverage.filter((x) => x.status === "unobserved")) {
      results.push(b.unobserved(c, r.baseline ? (c.baseline === "unchanged" ? "unchanged" : "new") : undefined));
    }
    const byRule = new Map(r.ruleset.rules.map((x) => [x.id, x] as const));
    for (const id of r.baseline?.absentRules ?? []) {
      const x = byRule.get(id);
      results.push(b.unobserved({ rule: id, from: x?.from ?? "?", to: x?.to ?? "?", services: x?.services ?? [], inferred: x?.inferred ?? false, inferredReason: x?.inferredReason ?? null }, "absent"));
    }
  }
  // A run that was not a complete check says so: a code-scanning view must not look clean.
  for (const p of r.checked.problems.filter((q) => q.fatal)) results.push(b.notChecked(p));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: "portmatrix",
          version: VERSION,
          rules: [
            { id: "blocked-required", shortDescription: { text: "Required traffic was blocked: stopped on the way (a firewall), or refused by the destination itself" }, defaultConfiguration: { level: "error" } },
            { id: "allowed-unexpected", shortDescription: { text: "Traffic no rule expects was allowed: the firewall is wider than the spec" }, defaultConfiguration: { level: "warning" } },
            { id: "unobserved-required", shortDescription: { text: "A required rule with hosts on both sides saw no traffic" }, defaultConfiguration: { level: "note" } },
            { id: "not-checked", shortDescription: { text: "The run did not check an input: unreadable, no usable record, or no flow between inventory hosts" }, defaultConfiguration: { level: "error" } },
            ...otherVerdictRules(results),
          ],
        },
      },
      originalUriBaseIds: b.places.originalUriBaseIds(),
      results,
    }],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}

/** A --fail-on that names other verdicts (allowed-required, unclassified, ...) gets them declared too. */
function otherVerdictRules(results: readonly SarifResult[]): { id: string; shortDescription: { text: string }; defaultConfiguration: { level: "warning" } }[] {
  const known = new Set(["blocked-required", "allowed-unexpected", "unobserved-required", "not-checked"]);
  const ids = new Set(results.map((x) => x.ruleId).filter((id) => !known.has(id)));
  return [...ids].sort().map((id) => ({ id, shortDescription: { text: `A flow with verdict ${id}, which --fail-on names` }, defaultConfiguration: { level: "warning" } }));
}
