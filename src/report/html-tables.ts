/**
 * The HTML report's tables that do not grow with the traffic: the role-by-role matrix and the coverage
 * of the rules in play grow with the ruleset (the matrix is not drawn past MATRIX_MAX_ROLES; the coverage
 * lists every rule), the inputs with the files given (capped: an archive may hold thousands).
 */
import type { CoverageEntry, InputReport, Report } from "./types.js";
import { escapeHtml as h } from "./escape.js";
import { flowsText } from "./text.js";
import { MATRIX_MAX_ROLES } from "./html-groups.js";
import { clip, findingsAndFlows, inferredTag, num, plural, rolesCell, text } from "./html-findings.js";

export const STATUS_CELL: Record<CoverageEntry["status"], [string, string]> = {
  allowed: ["ok", "✓ allowed seen"],
  blocked: ["bad", "✗ blocked seen"],
  "allowed-and-blocked": ["bad", "✗ blocked and allowed seen"],
  unobserved: ["none", "○ not observed"],
  "not-observed": ["none", "○ not observed (conditional)"],
  "no-hosts": ["none", "– no hosts in inventory"],
};

/**
 * A rule's status as a class and words. A required rule left "not-observed" is another reading of a
 * document row (alternative_of) that coverage counts once, with its other readings (`countedWith`).
 */
export function statusCell(c: CoverageEntry): [string, string] {
  if (c.status !== "not-observed" || c.requirement !== "required") return STATUS_CELL[c.status];
  return ["none", "○ not observed (another reading)"];
}

/** "required", or for another reading of a row "required, counted with trust-fs-dns". */
function requirementText(c: CoverageEntry): string {
  const others = c.alternatives ?? [];
  if (c.status !== "not-observed" || c.requirement !== "required" || others.length === 0) return c.requirement;
  return `${c.requirement}, counted with ${clip(others.join(", "), 120)}`;
}

/** Inputs the inputs table lists at most: those that could not be read or had skips come first. */
export const MAX_INPUT_ROWS = 100;

type Tally = { findings: number; records: number };

/** The role-by-role matrix, or a sentence saying why it is not drawn. */
export function matrixTable(r: Report, roles: Set<string>, unexpected: Map<string, Tally>): string {
  const ids = r.ruleset.roles.map((x) => x.id).filter((id) => roles.has(id));
  if (ids.length > MATRIX_MAX_ROLES) {
    return `<p class="none">${ids.length} roles are in play; the matrix is drawn for up to ${MATRIX_MAX_ROLES} (it would have ${ids.length * ids.length} cells). The coverage table below lists every rule.</p>`;
  }
  const byPair = new Map<string, CoverageEntry[]>();
  for (const c of r.coverage) {
    const k = `${c.from}\u0000${c.to}`;
    const list = byPair.get(k);
    if (list) list.push(c);
    else byPair.set(k, [c]);
  }
  const out: string[] = [`<div class="scroll"><table class="matrix"><thead><tr><th class="corner">from ↓ / to →</th>${ids.map((id) => `<th>${h(id)}</th>`).join("")}</tr></thead><tbody>`];
  for (const from of ids) {
    out.push(`<tr><th>${h(from)}</th>`);
    for (const to of ids) out.push(matrixCell(from, to, byPair.get(`${from}\u0000${to}`) ?? [], unexpected.get(`${from}\u0000${to}`)));
    out.push("</tr>");
  }
  out.push("</tbody></table></div>");
  return out.join("");
}

function matrixCell(from: string, to: string, rules: CoverageEntry[], unexpected: Tally | undefined): string {
  if (rules.length === 0 && unexpected === undefined) return `<td class="empty"></td>`;
  const items = rules.map((c) => {
    const [cls, label] = statusCell(c);
    return `<div class="cell-item ${cls}" title="${text(`${c.rule}: ${c.source}`, 400)}"><span class="svc">${h(c.services.join(", "))}</span>${inferredTag(c.inferred, c.inferredReason)} <span class="status">${h(label)}</span></div>`;
  });
  if (unexpected) items.push(`<div class="cell-item warn"><span class="status">⚠ unexpected traffic allowed: ${findingsAndFlows(unexpected.findings, "finding", unexpected.records)}</span></div>`);
  return `<td data-from="${h(from)}" data-to="${h(to)}">${items.join("")}</td>`;
}

/**
 * The coverage of every rule in play, in the ruleset's order. Roles share a cell with the services, and
 * the requirement with the status, so that the seed row (the longest text) keeps about half the width
 * and a row stays a few lines at 1280 px.
 */
export function coverageTable(coverage: readonly CoverageEntry[]): string {
  const rows = coverage.map((c) => {
    const [cls, label] = statusCell(c);
    return `<tr class="fr"><td><code>${text(c.rule)}</code>${inferredTag(c.inferred, c.inferredReason)}</td>${rolesCell(c)}` +
      `<td><span class="${cls}">${h(label)}</span><div class="dim">${h(requirementText(c))}</div></td><td class="num">${num(c.allowed)}</td><td class="num">${num(c.blocked)}</td><td class="src">${text(c.source, 400)}</td></tr>`;
  });
  return `<table id="coverage-table"><colgroup><col style="width:16%"><col style="width:17%"><col style="width:12em"><col style="width:5em"><col style="width:5em"><col></colgroup>` +
    `<thead><tr><th>rule</th><th>roles, services</th><th>status, requirement</th><th class="num">allowed flows</th><th class="num">blocked flows</th><th>seed row</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

/** Inputs that could not be read first, then those with skipped records, then the rest, each in run order. */
function inputOrder(inputs: readonly InputReport[]): InputReport[] {
  const rank = (i: InputReport) => (i.error ? 0 : i.records.skipped > 0 ? 1 : 2);
  return inputs.map((i, k) => [i, k] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([i]) => i);
}

function inputRow(i: InputReport): string {
  const reasons = Object.entries(i.skippedByReason).map(([k, n]) => `${k} ${n}`).join(", ");
  const flows = flowsText(i).replace(/^; /, reasons ? "; " : "");
  return `<tr class="fr"><td>${text(i.path, 300)}</td><td>${h(i.format)}${i.compressed ? " (compressed)" : ""}</td><td class="num">${num(i.records.read)}</td><td class="num">${num(i.records.used)}</td>` +
    `<td class="num">${num(i.records.skipped)}</td><td>${text(reasons + flows, 400)}</td>` +
    // Older reports have no `events`.
    `<td class="num">${i.events ? num(i.events.total) : "–"}</td><td class="num">${i.events ? num(i.events.classified) : "–"}</td>` +
    `<td class="${i.error ? "bad" : ""}">${i.error ? text(i.error, 600) : ""}</td></tr>`;
}

export function inputsTable(inputs: readonly InputReport[]): string {
  const ordered = inputOrder(inputs);
  const shown = ordered.slice(0, MAX_INPUT_ROWS);
  const hidden = ordered.slice(MAX_INPUT_ROWS);
  const failed = hidden.filter((i) => i.error).length;
  const skipping = hidden.filter((i) => !i.error && i.records.skipped > 0).length;
  const more = hidden.length > 0
    ? `<p class="more">${plural(hidden.length, "more input")} not shown (${num(failed)} of them could not be read, ${num(skipping)} had skipped records): see the JSON report.</p>`
    : "";
  const n = `<col style="width:6em">`;
  return `<table id="input-table"><colgroup><col style="width:22%"><col style="width:8.5em">${n}${n}${n}<col style="width:15%">${n}${n}<col></colgroup>` +
    `<thead><tr><th>input</th><th>format</th><th class="num">records read</th><th class="num">used</th><th class="num">skipped</th><th>skipped by reason</th>` +
    `<th class="num">flows</th><th class="num">classified</th><th>error</th></tr></thead><tbody>\n` +
    `${shown.map(inputRow).join("\n")}\n</tbody></table>${more}`;
}
