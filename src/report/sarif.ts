/**
 * SARIF 2.1.0 (OASIS): each violation is a result located at the line of the rule in the ruleset
 * file (for traffic no rule expects, the first rule between the same roles, else the ruleset's first
 * line), so code-scanning views point at the rule.
 */
import type { Finding, Report, RuleInfo } from "./types.js";
import { VERSION } from "./build.js";
import { failsOn } from "./fail-on.js";
import { stoppedBy } from "./attribution.js";

interface SarifResult {
  ruleId: string;
  level: "error" | "warning" | "note";
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[];
  partialFingerprints: { flow: string };
  properties: Record<string, unknown>;
}

const LEVEL: Record<string, SarifResult["level"]> = { "blocked-required": "error", "allowed-unexpected": "warning", "unobserved-required": "note" };

/** A relative path as a relative URI reference; an absolute one as a file: URI (RFC 8089). */
function uri(path: string): string {
  const enc = path.split(/[\\/]/).map(encodeURIComponent).join("/");
  return path.startsWith("/") ? `file://${enc}` : enc;
}

export function renderSarif(r: Report): string {
  const file = uri(r.ruleset.file);
  // The first rule of each id and of each role pair, indexed once (a scan per finding is quadratic).
  const byId = new Map<string, RuleInfo>();
  const byPair = new Map<string, RuleInfo>();
  for (const x of r.ruleset.rules) {
    if (!byId.has(x.id)) byId.set(x.id, x);
    const pair = `${x.from}\u0000${x.to}`;
    if (!byPair.has(pair)) byPair.set(pair, x);
  }
  const locate = (f: Finding): { line: number; column: number } => {
    const rule = (f.rule !== null ? byId.get(f.rule) : undefined)
      ?? (f.srcRole !== null && f.dstRole !== null ? byPair.get(`${f.srcRole}\u0000${f.dstRole}`) : undefined);
    return rule ? { line: rule.line, column: rule.column } : { line: 1, column: 1 };
  };
  const results: SarifResult[] = r.findings.filter((f) => failsOn(r.failOn, f)).map((f) => {
    const loc = locate(f);
    const flow = f.port !== null ? `${f.protocol}/${f.port}` : `${f.protocol} type ${f.icmpType ?? "unknown"}`;
    const inferred = f.ruleInferred === true ? ` Rule ${f.rule} is inferred, not stated by the document: ${f.ruleInferredReason ?? ""}` : "";
    const text = f.verdict === "blocked-required"
      ? `${flow} from ${f.src} (${f.srcRole}) to ${f.dst} (${f.dstRole}) is required by rule ${f.rule} but was blocked: ${stoppedBy(f, f.dst) || "no attribution"} (${f.count}x; ${f.evidence.join("; ")}).${inferred}`
      : f.action === "blocked"
        ? `${flow} from ${f.src} (${f.srcRole ?? "?"}) to ${f.dst} (${f.dstRole ?? "?"}) was blocked (${f.verdict}): ${stoppedBy(f, f.dst)} (${f.count}x; ${f.evidence.join("; ")}).`
        : `${flow} from ${f.src} (${f.srcRole ?? "?"}) to ${f.dst} (${f.dstRole ?? "?"}) was ${f.action === "allowed" ? "allowed but no rule expects it" : `${f.verdict}`} (${f.count}x; ${f.evidence.join("; ")}).`;
    return {
      ruleId: f.verdict,
      level: LEVEL[f.verdict] ?? "warning",
      message: { text },
      locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: loc.line, startColumn: loc.column } } }],
      partialFingerprints: { flow: `${f.verdict}|${f.src}|${f.dst}|${f.protocol}|${f.port ?? f.icmpType ?? ""}${f.blockedBy ? `|${f.blockedBy}` : ""}` },
      properties: {
        src: f.src, dst: f.dst, srcRole: f.srcRole, dstRole: f.dstRole, protocol: f.protocol, port: f.port, rule: f.rule,
        ruleInferred: f.ruleInferred ?? null, blockedBy: f.blockedBy ?? null, count: f.count, firstSeen: f.firstSeen, lastSeen: f.lastSeen,
      },
    };
  });
  if (r.failOn.includes("unobserved-required")) {
    for (const c of r.coverage.filter((x) => x.status === "unobserved")) {
      const rule = byId.get(c.rule);
      results.push({
        ruleId: "unobserved-required",
        level: "note",
        message: { text: `Required rule ${c.rule} (${c.from} -> ${c.to} ${c.services.join(", ")}) has hosts on both sides but no traffic was seen.${c.inferred ? ` The rule is inferred, not stated by the document: ${c.inferredReason ?? ""}` : ""}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: rule?.line ?? 1, startColumn: rule?.column ?? 1 } } }],
        partialFingerprints: { flow: `unobserved-required|${c.rule}` },
        properties: { rule: c.rule, ruleInferred: c.inferred },
      });
    }
  }
  // A run that was not a complete check says so: a code-scanning view must not look clean.
  for (const p of r.checked.problems.filter((q) => q.fatal)) {
    results.push({
      ruleId: "not-checked",
      level: "error",
      message: { text: p.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: file }, region: { startLine: 1, startColumn: 1 } } }],
      partialFingerprints: { flow: `not-checked|${p.code}|${p.input ?? ""}` },
      properties: { code: p.code, input: p.input },
    });
  }
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
          ],
        },
      },
      results,
    }],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}
