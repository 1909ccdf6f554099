/**
 * The findings part of the HTML report: a group per verdict, role pair, rule and service, its heading
 * one line a person can scan, its findings (a row per address pair and port) folded under it. Every
 * text from an input is escaped and clipped to MAX_TEXT characters (with a visible "…"): a page must
 * stay small whatever a log holds; the JSON and CSV reports keep the text whole.
 */
import type { CoverageEntry, Finding } from "./types.js";
import { escapeHtml as h } from "./escape.js";
import { stoppedBy } from "./attribution.js";
import { exampleWhere } from "./example.js";
import { flowLabel, type Group, type Section } from "./html-groups.js";

export const SYMBOL: Record<string, string> = {
  "blocked-required": "✗",
  "allowed-unexpected": "⚠",
  "unobserved-required": "○",
  inconclusive: "?",
  unclassified: "·",
  "blocked-unexpected": "⊘",
  "allowed-required": "✓",
};

/**
 * Characters of one text from an input that the page shows: in general, and in a finding's row, where
 * a host name or evidence longer than this would make one row a screen tall (the evidence of a capture,
 * "rst: SYN answered by RST from ... (REJ, history Sr)", is about 170).
 */
export const MAX_TEXT = 200;
const ROW_NAME = 40;
const ROW_EVIDENCE = 180;
const ROW_WHERE = 120;

/** Groups a section shows open; with more, every group starts folded and the headings make the list. */
export const OPEN_GROUPS_UP_TO = 8;

/** At most `n` characters of `s`, with "…" when cut (never inside a surrogate pair). */
export function clip(s: string, n = MAX_TEXT): string {
  if (s.length <= n) return s;
  let cut = s.slice(0, n - 1);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Text from an input, clipped and escaped. */
export function text(s: string, n = MAX_TEXT): string {
  return h(clip(s, n));
}

/** 1234567 as "1,234,567": an auditor reads six-digit counts. */
export function num(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "1 violation", "3 violations". */
export function plural(n: number, word: string): string {
  return `${num(n)} ${n === 1 ? word : `${word}s`}`;
}

/** "3 violations (7 flows)": a count of findings, always with the flows they stand for. */
export function findingsAndFlows(findings: number, noun: string, records: number): string {
  return findings === 0 && records === 0 ? plural(0, noun) : `${plural(findings, noun)} (${plural(records, "flow")})`;
}

/**
 * "2026-11-23 09:14:34" from ISO 8601 UTC: to the second, so that every time has one width and its
 * column one size; the milliseconds are in the element's `datetime` (and on hover). Other text as it is.
 */
export function timeText(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

function timeTag(iso: string): string {
  const shown = timeText(iso);
  const ms = /\.(?!0+Z)\d+Z$/.test(iso) ? ` title="${h(iso)}"` : "";
  return `<time datetime="${h(iso)}"${ms}>${h(shown)}</time>`;
}

function timeCell(first: string | null, last: string | null): string {
  const a = first === null ? "–" : timeTag(first);
  const b = last === null || last === first ? "" : `<br>${timeTag(last)}`;
  return `<td class="t">${a}${b}</td>`;
}


function hostCell(addr: string, name: string | null): string {
  return name ? `<td><span class="name">${text(name, ROW_NAME)}</span><br><span class="addr">${h(addr)}</span></td>` : `<td><span class="addr">${h(addr)}</span></td>`;
}

/**
 * Where the finding's first record is, as text and CSV say it (`kern.log:13`, a capture's Wireshark
 * frame beside its byte offset). Only the input's name is clipped: the line or frame is what a person
 * looks up, so it is never cut off.
 */
function where(f: Finding): string {
  return h(exampleWhere({ ...f.example, input: clip(f.example.input, ROW_WHERE) }));
}

export function baselineTag(state: Finding["baseline"]): string {
  return state ? `<span class="tag b-${state}" title="${h(BASELINE_TITLE[state])}">${state}</span>` : "";
}
const BASELINE_TITLE: Record<NonNullable<Finding["baseline"]>, string> = {
  new: "not in the baseline report",
  changed: "in the baseline with another verdict or attribution",
  unchanged: "in the baseline with this verdict",
};

interface Columns { blocked: boolean; baseline: boolean }

function colgroup(c: Columns): string {
  const cols = [
    c.baseline ? `<col style="width:5.5em">` : "",
    `<col style="width:11%">`, `<col style="width:11%">`, `<col style="width:6em">`,
    c.blocked ? `<col style="width:11.5em">` : "",
    `<col style="width:5.5em">`, `<col style="width:calc(19ch + 1.2em)">`, "<col>",
  ];
  return `<colgroup>${cols.join("")}</colgroup>`;
}

function headRow(c: Columns): string {
  return `<tr>${c.baseline ? "<th>baseline</th>" : ""}<th>source</th><th>destination</th><th>port</th>${c.blocked ? "<th>stopped by</th>" : ""}` +
    `<th class="num">flows</th><th>first / last seen (UTC)</th><th>evidence, first record</th></tr>`;
}

function findingRow(f: Finding, c: Columns): string {
  // The phrase every format uses ("refused by 10.99.2.10 itself"), its advice on hover.
  const phrase = f.blockedBy ? stoppedBy(f, f.dstName ?? f.dst) : "";
  const colon = phrase.indexOf(":");
  const by = f.blockedBy ? `<span data-blocked-by="${h(f.blockedBy)}" title="${text(phrase, 400)}">${text(colon > 0 ? phrase.slice(0, colon) : phrase)}</span>` : "–";
  return `<tr class="fr">${c.baseline ? `<td>${baselineTag(f.baseline)}</td>` : ""}${hostCell(f.src, f.srcName)}${hostCell(f.dst, f.dstName)}` +
    `<td>${h(flowLabel(f))}</td>${c.blocked ? `<td>${by}</td>` : ""}<td class="num">${num(f.count)}</td>${timeCell(f.firstSeen, f.lastSeen)}` +
    `<td class="ev">${text(f.evidence.join("; "), ROW_EVIDENCE)}<div class="src">${where(f)}</div></td></tr>`;
}

/** The mark of a rule the document does not state; its reason on hover. */
export function inferredTag(inferred: boolean, reason: string | null | undefined): string {
  return inferred ? ` <span class="tag inferred" title="${text(`not stated by the document: ${reason ?? ""}`, 400)}">inferred</span>` : "";
}

const SEP = ` <span class="sep">·</span> `;

/** "2 stopped on the way, 1 refused by the destination" for a group's heading. */
function stoppedCounts(g: Group): string {
  const parts: string[] = [];
  if (g.stoppedBy.network) parts.push(`${num(g.stoppedBy.network)} stopped on the way`);
  if (g.stoppedBy.destination) parts.push(`${num(g.stoppedBy.destination)} refused by the destination`);
  if (g.stoppedBy.unknown) parts.push(`${num(g.stoppedBy.unknown)} not known who`);
  return parts.join(", ");
}

function baselineCounts(g: Group): string {
  const b = g.baseline;
  return (["new", "changed", "unchanged"] as const).filter((k) => b[k] > 0).map((k) => `${num(b[k])} ${k}`).join(", ");
}

function flowsText(g: Group): string {
  if (g.flows.length === 1 && g.flows[0] === g.service) return h(g.service);
  const more = g.moreFlows > 0 ? ` and ${plural(g.moreFlows, "other port")}` : "";
  return `${h(g.service)} <span class="dim">(${h(g.flows.join(", "))}${more})</span>`;
}

function groupHeading(g: Group, noun: string): string {
  const parts = [
    `<span class="sym">${SYMBOL[g.verdict] ?? ""}</span> ${h(g.verdict)}`,
    `${h(g.srcRole ?? "not in inventory")} → ${h(g.dstRole ?? "not in inventory")}`,
    flowsText(g),
    `<b>${findingsAndFlows(g.findings, noun, g.records)}</b>`,
  ];
  const stopped = stoppedCounts(g);
  if (stopped) parts.push(stopped);
  const base = baselineCounts(g);
  if (base) parts.push(base);
  return parts.join(SEP) + inferredTag(g.ruleInferred, g.ruleInferredReason);
}

function groupBody(g: Group): string {
  const out: string[] = [];
  out.push(g.rule
    ? `<p class="dim">Rule <code>${h(g.rule)}</code> (${h(g.ruleRequirement ?? "")})${g.ruleInferred ? `: <b>inferred</b>, not stated by the document: ${text(g.ruleInferredReason ?? "", 400)}` : ""}${g.ruleSource ? `. Seed row: ${text(g.ruleSource, 400)}` : ""}</p>`
    : `<p class="dim">No rule of the ruleset expects this flow.</p>`);
  for (const b of ["network", "destination", "unknown"] as const) {
    if (g.stoppedBy[b] > 0) out.push(`<p class="dim">${num(g.stoppedBy[b])} ${h(stoppedBy({ blockedBy: b }, "the destination"))}</p>`);
  }
  if (g.first !== null && g.findings > 1) {
    const last = g.last ?? g.first;
    out.push(last === g.first
      ? `<p class="dim">Seen at <span class="t">${h(timeText(g.first))}</span> (UTC).</p>`
      : `<p class="dim">Seen from <span class="t">${h(timeText(g.first))}</span> to <span class="t">${h(timeText(last))}</span> (UTC).</p>`);
  }
  return out.join("");
}

function groupBlock(g: Group, noun: string, open: boolean, showBaseline: boolean): string {
  const c: Columns = { blocked: g.stoppedBy.network + g.stoppedBy.destination + g.stoppedBy.unknown > 0, baseline: showBaseline };
  const more = g.moreFindings > 0
    ? `<p class="more">${findingsAndFlows(g.moreFindings, `more ${noun}`, g.moreRecords)} in this group are not shown: see the CSV or JSON report.</p>`
    : "";
  return `<details class="group v-${h(g.verdict)}" data-verdict="${h(g.verdict)}"${open ? " open" : ""}><summary>${groupHeading(g, noun)}</summary>` +
    `${groupBody(g)}<table class="findings">${colgroup(c)}<thead>${headRow(c)}</thead><tbody>\n` +
    `${g.rows.map((f) => findingRow(f, c)).join("\n")}\n</tbody></table>${more}</details>`;
}

/** A section's groups, folded when there are many, and what was left out. */
export function* sectionGroups(s: Section, noun: string, showBaseline: boolean): Generator<string> {
  const open = s.groups.size <= OPEN_GROUPS_UP_TO;
  for (const g of s.groups.values()) yield groupBlock(g, noun, open, showBaseline) + "\n";
  if (s.moreFindings > 0) {
    yield `<p class="more">${findingsAndFlows(s.moreFindings, `more ${noun}`, s.moreRecords)} in further groups are not shown (the page shows the first ${s.limits.groups} groups, ${s.limits.rowsPerGroup} rows each): see the CSV or JSON report.</p>\n`;
  }
}

/** "kcps-fs → customer-ad" with the services under it: one cell, so that the seed row has the width. */
export function rolesCell(c: CoverageEntry): string {
  return `<td>${text(c.from)} → ${text(c.to)}<div class="dim">${text(c.services.join(", "))}</div></td>`;
}

/** Rules a section lists at most (required rules never observed). */
export const MAX_RULE_ROWS = 50;

/** The required rules never observed, as a group of the violations section. */
export function unobservedBlock(rules: readonly CoverageEntry[], counted: number, open: boolean): string {
  const note = counted !== rules.length
    ? `<p class="dim">${num(counted)} of them ${counted === 1 ? "counts as a violation" : "count as violations"}: the others were unobserved in the baseline too.</p>`
    : "";
  const rows = rules.slice(0, MAX_RULE_ROWS).map((c) =>
    `<tr class="fr"><td><code>${text(c.rule)}</code>${inferredTag(c.inferred, c.inferredReason)}</td>${rolesCell(c)}<td class="src">${text(c.source, 400)}</td></tr>`);
  const more = rules.length > MAX_RULE_ROWS ? `<p class="more">${num(rules.length - MAX_RULE_ROWS)} more rules are not shown: see the coverage in the JSON report.</p>` : "";
  return `<details class="group v-unobserved-required" data-verdict="unobserved-required"${open ? " open" : ""}><summary><span class="sym">○</span> unobserved-required${SEP}<b>${plural(rules.length, "required rule")} never observed</b>${SEP}hosts of both roles are in the inventory, and no traffic was seen</summary>` +
    `${note}<table><colgroup><col style="width:22%"><col style="width:22%"><col></colgroup><thead><tr><th>rule</th><th>roles, services</th><th>seed row</th></tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>${more}</details>\n`;
}
