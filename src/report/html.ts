/**
 * One self-contained HTML file: no external fetch (a Content-Security-Policy forbids it), readable
 * offline and from an email attachment, every status shown by symbol and word as well as colour.
 * All text from inputs goes through escapeHtml.
 */
import type { CoverageEntry, Finding, Report } from "./types.js";
import { escapeHtml as h } from "./escape.js";
import { VERDICT_ORDER } from "./build.js";
import { checkedSummary, notCheckedReasons } from "./checked.js";
import { failsOn } from "./fail-on.js";
import { stoppedBy } from "./attribution.js";

const SYMBOL: Record<string, string> = {
  "blocked-required": "✗",
  "allowed-unexpected": "⚠",
  "unobserved-required": "○",
  inconclusive: "?",
  unclassified: "·",
  "blocked-unexpected": "⊘",
  "allowed-required": "✓",
};

const STATUS_CELL: Record<CoverageEntry["status"], [string, string]> = {
  allowed: ["ok", "✓ allowed seen"],
  blocked: ["bad", "✗ blocked seen"],
  "allowed-and-blocked": ["bad", "✗ blocked and allowed seen"],
  unobserved: ["none", "○ not observed"],
  "not-observed": ["none", "○ not observed (conditional)"],
  "no-hosts": ["none", "– no hosts in inventory"],
};

function flow(f: Pick<Finding, "protocol" | "port" | "icmpType">): string {
  return f.port !== null ? `${f.protocol}/${f.port}` : f.icmpType !== null ? `${f.protocol} type ${f.icmpType}` : f.protocol === "icmp" || f.protocol === "icmpv6" ? `${f.protocol} type unknown` : f.protocol;
}

function host(addr: string, name: string | null): string {
  return name ? `${h(name)} <span class="addr">${h(addr)}</span>` : `<span class="addr">${h(addr)}</span>`;
}

function where(f: Finding): string {
  return f.example.line !== undefined ? `${f.example.input}:${f.example.line}` : f.example.offset !== undefined ? `${f.example.input} @${f.example.offset}` : f.example.input;
}

function findingRow(f: Finding): string {
  return `<tr class="v-${h(f.verdict)}" data-verdict="${h(f.verdict)}">` +
    `<td class="verdict"><span class="sym">${SYMBOL[f.verdict] ?? ""}</span> ${h(f.verdict)}${f.blockedBy ? `<div class="by" data-blocked-by="${h(f.blockedBy)}">${h(stoppedBy(f, f.dst))}</div>` : ""}</td>` +
    `<td>${host(f.src, f.srcName)}<div class="role">${h(f.srcRole ?? "not in inventory")}</div></td>` +
    `<td>${host(f.dst, f.dstName)}<div class="role">${h(f.dstRole ?? "not in inventory")}</div></td>` +
    `<td>${h(flow(f))}${f.services.length ? `<div class="role">${h(f.services.join(", "))}</div>` : ""}</td>` +
    `<td>${f.rule ? `<code>${h(f.rule)}</code>` : "–"}${inferredTag(f.ruleInferred === true, f.ruleInferredReason)}${f.ruleSource ? `<div class="src">${h(f.ruleSource)}</div>` : ""}</td>` +
    `<td class="num">${f.count}</td>` +
    `<td>${h(f.firstSeen ?? "–")}<br>${h(f.lastSeen ?? "–")}</td>` +
    `<td>${f.evidence.map((e) => `<div>${h(e)}</div>`).join("")}<div class="src">${h(where(f))}</div></td></tr>`;
}

/** The mark of a rule the document does not state; its reason on hover and in the text for the filter. */
function inferredTag(inferred: boolean, reason: string | null | undefined): string {
  return inferred ? ` <span class="tag inferred" title="${h(`not stated by the document: ${reason ?? ""}`)}">inferred</span>` : "";
}

const FINDING_HEAD = "<tr><th>verdict</th><th>source</th><th>destination</th><th>protocol / port</th><th>rule (seed row)</th><th>count</th><th>first / last seen</th><th>evidence</th></tr>";

/** A matrix wider than this is not drawn: nobody reads 10,000 cells, and 100,000 roles would make 10^10. */
const MAX_MATRIX_ROLES = 60;

/** The role-by-role matrix: per cell the required services with their status, and unexpected traffic. */
function roleMatrix(roleIds: readonly string[], coverageByPair: ReadonlyMap<string, CoverageEntry[]>, unexpectedByPair: ReadonlyMap<string, number>): string[] {
  const matrix: string[] = [];
  matrix.push(`<table class="matrix"><thead><tr><th class="corner">from ↓ / to →</th>${roleIds.map((id) => `<th>${h(id)}</th>`).join("")}</tr></thead><tbody>`);
  for (const from of roleIds) {
    matrix.push(`<tr><th>${h(from)}</th>`);
    for (const to of roleIds) {
      const k = `${from}\u0000${to}`;
      const rules = coverageByPair.get(k) ?? [];
      const unexpected = unexpectedByPair.get(k) ?? 0;
      if (rules.length === 0 && unexpected === 0) { matrix.push(`<td class="empty"></td>`); continue; }
      const items = rules.map((c) => {
        const [cls, label] = STATUS_CELL[c.status];
        return `<div class="cell-item ${cls}" title="${h(`${c.rule}: ${c.source}`)}"><span class="svc">${h(c.services.join(", "))}</span>${inferredTag(c.inferred, c.inferredReason)} <span class="status">${h(label)}</span></div>`;
      });
      if (unexpected > 0) items.push(`<div class="cell-item warn"><span class="status">⚠ unexpected traffic allowed (${unexpected})</span></div>`);
      matrix.push(`<td data-from="${h(from)}" data-to="${h(to)}">${items.join("")}</td>`);
    }
    matrix.push("</tr>");
  }
  matrix.push("</tbody></table>");
  return matrix;
}

/** Where the finding rows go in the page (markers no escaped text can hold: NUL never passes escapeHtml). */
const VIOLATION_ROWS = "\u0000violation-rows\u0000";
const OTHER_ROWS = "\u0000other-rows\u0000";
/** Finding rows per chunk: a page of 200,000 findings is written in pieces, never held whole. */
const ROWS_PER_CHUNK = 2000;

function* rowChunks(findings: readonly Finding[]): Generator<string> {
  for (let i = 0; i < findings.length; i += ROWS_PER_CHUNK) {
    yield (i > 0 ? "\n" : "") + findings.slice(i, i + ROWS_PER_CHUNK).map(findingRow).join("\n");
  }
}

export function renderHtml(r: Report): string {
  return [...htmlChunks(r)].join("");
}

/** The page in pieces: the finding rows in chunks of ROWS_PER_CHUNK, the rest around them. */
export function* htmlChunks(r: Report): Generator<string> {
  const violations = r.findings.filter((f) => failsOn(r.failOn, f));
  const others = r.findings.filter((f) => !failsOn(r.failOn, f));
  const coverageByPair = new Map<string, CoverageEntry[]>();
  for (const c of r.coverage) {
    const k = `${c.from}\u0000${c.to}`;
    const list = coverageByPair.get(k);
    if (list) list.push(c);
    else coverageByPair.set(k, [c]);
  }
  const unexpectedByPair = new Map<string, number>();
  for (const f of r.findings) {
    if (f.verdict !== "allowed-unexpected" || !f.srcRole || !f.dstRole) continue;
    for (const s of f.srcRole.split("+")) for (const d of f.dstRole.split("+")) {
      const k = `${s}\u0000${d}`;
      unexpectedByPair.set(k, (unexpectedByPair.get(k) ?? 0) + f.count);
    }
  }
  const inPlay = new Set<string>();
  for (const c of r.coverage) { inPlay.add(c.from); inPlay.add(c.to); }
  for (const k of unexpectedByPair.keys()) for (const id of k.split("\u0000")) inPlay.add(id);
  const roleIds = r.ruleset.roles.map((x) => x.id).filter((id) => inPlay.has(id));

  const matrix = roleIds.length > MAX_MATRIX_ROLES
    ? [`<p class="none">${roleIds.length} roles are in play; the matrix is drawn for up to ${MAX_MATRIX_ROLES} (it would have ${roleIds.length * roleIds.length} cells). The coverage table below lists every rule.</p>`]
    : roleMatrix(roleIds, coverageByPair, unexpectedByPair);


  const summary = VERDICT_ORDER.map((v) => `<li class="chip v-${h(v)}"><span class="sym">${SYMBOL[v]}</span> ${h(v)} <b>${r.summary[v]}</b></li>`).join("");
  const coverageRows = r.coverage.map((c) => {
    const [cls, label] = STATUS_CELL[c.status];
    return `<tr><td><code>${h(c.rule)}</code>${inferredTag(c.inferred, c.inferredReason)}</td><td>${h(c.from)} → ${h(c.to)}</td><td>${h(c.services.join(", "))}</td><td>${h(c.requirement)}</td><td class="${cls}">${h(label)}</td><td class="num">${c.allowed}</td><td class="num">${c.blocked}</td><td class="src">${h(c.source)}</td></tr>`;
  }).join("\n");
  const inputRows = r.inputs.map((i) => `<tr><td>${h(i.path)}</td><td>${h(i.format)}${i.compressed ? " (compressed)" : ""}</td><td class="num">${i.records.read}</td><td class="num">${i.records.used}</td><td class="num">${i.records.skipped}</td><td>${h(Object.entries(i.skippedByReason).map(([k, n]) => `${k} ${n}`).join(", "))}</td><td class="num">${i.events.total}</td><td class="num">${i.events.classified}</td><td>${i.error ? h(i.error) : ""}</td></tr>`).join("\n");

  const verdictLine = r.exitCode === 2 ? `not a complete check (${notCheckedReasons(r)})` : violations.length > 0 ? `${r.totals.violations} violation(s)` : "no violations";
  const problems = r.checked.problems.length === 0 ? "" : `\n<ul id="problems">${r.checked.problems.map((p) => `<li class="${p.fatal ? "bad" : "none"}">${p.fatal ? "✗" : "•"} ${h(p.message)}${p.fatal ? "" : " (accepted: --allow-empty)"}</li>`).join("")}</ul>`;
  const page = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>portmatrix: ${h(r.ruleset.id)}: ${h(verdictLine)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.5em 0 .5em}
table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}.num{text-align:right}.addr{font-family:ui-monospace,monospace}.role,.src{color:#555;font-size:.85em}
.chip{display:inline-block;margin:.2em .4em .2em 0;padding:.2em .6em;border-radius:1em;border:1px solid #aaa;list-style:none}
ul.chips{padding:0}.sym{font-weight:bold}
.v-blocked-required .sym,.bad{color:#b00000}.v-allowed-unexpected .sym,.warn{color:#8a5a00}.v-allowed-required .sym,.ok{color:#0a6b0a}
.none{color:#666}.by{font-size:.85em;color:#333;margin-top:.2em}.v-unobserved-required .sym{color:#7a2a8a}
tr.v-blocked-required td.verdict{background:#fde8e8}tr.v-allowed-unexpected td.verdict{background:#fff4dc}
.matrix td{min-width:9em;font-size:.85em}.matrix td.empty{background:#fafafa}.cell-item{margin:.15em 0}.cell-item .svc{font-weight:600}
.corner{font-size:.8em}.tag{font-size:.75em;border:1px solid #999;border-radius:.3em;padding:0 .3em}.tag.inferred{border-style:dashed}
#filter{font-size:1em;padding:.3em;width:24em}.hidden{display:none}
</style></head>
<body>
<h1>portmatrix: ${h(r.ruleset.title)}</h1>
<p>Ruleset <code>${h(r.ruleset.id)}</code> (${h(r.ruleset.file)})${r.ruleset.documentedOnly === true ? ", documented rules only" : ""}, scenarios: ${h(r.ruleset.scenarios.join(", ") || "all")}; inventory ${h(r.inventory.file)} (${r.inventory.entries} entries); generated ${h(r.generatedAt)} by portmatrix ${h(r.generator.version)}.</p>
<p id="result"><b>Result: ${h(verdictLine)}</b>${(r.totals.violationsOnInferredRules ?? 0) > 0 ? `, ${r.totals.violationsOnInferredRules} of them on <span class="tag inferred">inferred</span> rules (not stated by the document)` : ""} (fail-on: ${h(r.failOn.join(", "))}, exit ${r.exitCode}); ${r.totals.records.read} records read, ${r.totals.records.used} used, ${r.totals.records.skipped} skipped.</p>
<p id="checked">Checked: ${h(checkedSummary(r.checked))}.</p>${problems}
<ul class="chips">${summary}</ul>
<p><label for="filter">Filter rows: </label><input id="filter" type="search" placeholder="address, role, port, rule, verdict…" autocomplete="off"></p>

<h2 id="violations">Violations (${violations.length})</h2>
${violations.length ? `<table class="findings" id="violation-table"><thead>${FINDING_HEAD}</thead><tbody>\n${VIOLATION_ROWS}\n</tbody></table>` : "<p>None.</p>"}

<h2 id="matrix">Role matrix</h2>
<p>Each cell lists the services the ruleset requires from the row's role to the column's role and what the inputs show: ✓ allowed seen, ✗ blocked seen, ○ not observed, ⚠ unexpected traffic allowed between these roles. <span class="tag inferred">inferred</span> marks a rule the document does not state (hover for the reason).</p>
${matrix.join("")}

<h2 id="coverage">Coverage of the rules in play</h2>
<table class="filterable" id="coverage-table"><thead><tr><th>rule</th><th>roles</th><th>services</th><th>requirement</th><th>status</th><th>allowed</th><th>blocked</th><th>seed row</th></tr></thead><tbody>
${coverageRows}
</tbody></table>

<h2 id="findings">Other findings (${others.length})</h2>
<details><summary>show</summary>
<table class="findings" id="other-table"><thead>${FINDING_HEAD}</thead><tbody>
${OTHER_ROWS}
</tbody></table></details>

<h2 id="inputs">Inputs</h2>
<table id="input-table"><thead><tr><th>input</th><th>format</th><th>read</th><th>used</th><th>skipped</th><th>skipped by reason</th><th>flow records</th><th>classified</th><th>error</th></tr></thead><tbody>
${inputRows}
</tbody></table>
<script>
(function () {
  var box = document.getElementById("filter");
  box.addEventListener("input", function () {
    var q = box.value.toLowerCase();
    var rows = document.querySelectorAll("table.findings tbody tr, #coverage-table tbody tr");
    for (var i = 0; i < rows.length; i++) {
      var show = q === "" || rows[i].textContent.toLowerCase().indexOf(q) >= 0;
      rows[i].classList.toggle("hidden", !show);
    }
  });
})();
</script>
</body></html>
`;
  // The page's text between the markers, and the rows in chunks where a marker stands.
  const parts = page.split(/\u0000(violation|other)-rows\u0000/);
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) yield parts[i]!;
    else yield* rowChunks(parts[i] === "violation" ? violations : others);
  }
}
