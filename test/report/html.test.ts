import { describe, it, expect } from "vitest";
import { setupCheck, runCheck, parseFailOn } from "../../src/pipeline/check.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { htmlChunks, renderHtml } from "../../src/report/html.js";
import { applyBaseline } from "../../src/report/diff.js";
import { VIOLATION_LIMITS } from "../../src/report/html-groups.js";
import { MAX_INPUT_ROWS } from "../../src/report/html-tables.js";
import type { Finding, InputReport, Report } from "../../src/report/types.js";

/**
 * The HTML report's content, read as text: groups and their caps, the counting words, baseline marks,
 * attribution and inferred marks, clipping and escaping. How it looks is html-browser.test.ts.
 */
async function kcps(failOn?: string[]): Promise<Report> {
  const setup = setupCheck("kcps-file-server", "fixtures/kcps/inventory.yaml", [], new Map());
  return runCheck(setup, ["fixtures/kcps/kern.log"], {
    decode: defaultDecodeOptions(Date.UTC(2026, 10, 23, 12)),
    failOn: parseFailOn(failOn),
    now: new Date("2026-11-23T12:00:00Z"),
  });
}

/** The report's first allowed-unexpected finding (tcp/8080), as `n` findings from distinct sources. */
function unexpected(r: Report, n: number, port = (k: number) => 8080 + 0 * k): Finding[] {
  const t = r.findings.find((f) => f.verdict === "allowed-unexpected")!;
  return Array.from({ length: n }, (_, k) => ({ ...t, src: `10.99.${(k >>> 8) & 255}.${k & 255}`, port: port(k), count: 2 }));
}

/** The text of the elements matching a simple tag-and-id/class pattern, tags stripped. */
function texts(html: string, re: RegExp): string[] {
  return [...html.matchAll(re)].map((m) => m[1]!.replace(/<[^>]+>/g, "").replace(/&amp;/g, "&"));
}

describe("HTML report: violations grouped by role pair and service", () => {
  it("puts one finding per row under a heading per verdict, role pair and service, with counts of both kinds", async () => {
    const html = renderHtml(await kcps());
    const headings = texts(html, /<details class="group [^>]*><summary>(.*?)<\/summary>/g);
    expect(headings.slice(0, 5)).toEqual([
      "✗ blocked-required · customer-admin-pc → kcps-fs · winrm-http (tcp/5985) · 1 violation (1 flow) · 1 stopped on the way",
      "✗ blocked-required · file-share-client → kcps-fs · rpc-epmap (tcp/135) · 1 violation (1 flow) · 1 stopped on the way",
      "✗ blocked-required · file-share-client → kcps-fs · netbios-ssn (tcp/139) · 1 violation (3 flows) · 1 stopped on the way",
      "✗ blocked-required · file-share-client → kcps-fs · kerberos (udp/88) · 1 violation (2 flows) · 1 stopped on the way",
      "⚠ allowed-unexpected · file-share-client → kcps-fs · tcp/8080 · 1 violation (1 flow)",
    ]);
    expect(html).toContain(`<h2>5 violations (8 flows)</h2>`);
    // The rule, its seed row, who stopped the flows, and when, under the heading.
    expect(html).toMatch(/<p class="dim">Rule <code>netbios-client-to-kcps-fs<\/code> \(required\)\. Seed row: seed 004 table 1/);
    expect(html).toMatch(/<p class="dim">1 stopped on the way: a firewall drops or rejects it<\/p>/);
    // A group of one finding leaves its times to the row.
    expect(html.slice(html.indexOf(`id="violations"`), html.indexOf(`id="matrix"`))).not.toMatch(/<p class="dim">Seen (from|at) /);
  });

  it("never puts a record count next to the word violations: chips count findings and flows, each labelled", async () => {
    const html = renderHtml(await kcps());
    const chips = texts(html, /<li class="chip[^>]*>(.*?)<\/li>/g);
    expect(chips).toEqual([
      "✗ blocked-required: 4 findings (7 flows)", "⚠ allowed-unexpected: 1 finding (1 flow)", "○ unobserved-required: 23 rules",
      "? inconclusive: 0 findings", "· unclassified: 0 findings", "⊘ blocked-unexpected: 1 finding (3 flows)", "✓ allowed-required: 7 findings (7 flows)",
    ]);
    expect(html).not.toMatch(/Violations \(\d/);
    // Every "N violation(s)" is followed by its flows in words, or by nothing numeric.
    for (const m of html.matchAll(/([\d,]+) violations? \(([^)]*)\)/g)) expect(m[2]).toMatch(/^[\d,]+ flows?$|new, [\d,]+ changed/);
    expect(html).toContain(`<p id="result"><b>Result: 5 violations</b> (fail-on: blocked-required, allowed-unexpected; exit 1).</p>`);
    expect(html).toContain(`<p id="accounting">18 records read: 18 used, 0 skipped; 13 findings (distinct flows, each with one verdict).</p>`);
  });

  it("shows a group's first 20 findings and says how many more, with their flows", async () => {
    const r = await kcps();
    const many = unexpected(r, VIOLATION_LIMITS.rowsPerGroup + 7);
    const html = renderHtml({ ...r, findings: many });
    expect(html.match(/<tr class="fr">/g)!.length - r.coverage.length - r.inputs.length).toBe(VIOLATION_LIMITS.rowsPerGroup);
    expect(html).toContain(`<b>27 violations (54 flows)</b>`);
    expect(html).toContain(`<p class="more">7 more violations (14 flows) in this group are not shown: see the CSV or JSON report.</p>`);
    expect(html).toContain(`<p class="dim">Seen at <span class="t">2026-11-23 09:14:35</span> (UTC).</p>`);
  });

  it("shows the first 50 groups, folded when there are many, and says what the rest hold", async () => {
    const r = await kcps();
    const many = unexpected(r, VIOLATION_LIMITS.groups + 3, (k) => 9000 + k);
    const html = renderHtml({ ...r, findings: many });
    expect(html.match(/<details class="group v-allowed-unexpected"/g)).toHaveLength(VIOLATION_LIMITS.groups);
    expect(html).not.toMatch(/<details class="group v-allowed-unexpected"[^>]* open>/);
    expect(html).toContain(`<p class="more">3 more violations (6 flows) in further groups are not shown (the page shows the first 50 groups, 20 rows each): see the CSV or JSON report.</p>`);
    expect(html).toMatch(/<p class="dim" id="left-out">This page shows 50 findings of 53 \(/);
  });

  it("lists the ports a service group saw, and counts the rest", async () => {
    const r = await kcps();
    const t = r.findings.find((f) => f.rule === "rpc-client-to-kcps-fs")!;
    const dyn = Array.from({ length: 9 }, (_, k) => ({ ...t, port: 49152 + k, services: ["rpc-dynamic"] }));
    const html = renderHtml({ ...r, findings: dyn });
    expect(html).toContain(`rpc-dynamic <span class="dim">(tcp/49152, tcp/49153, tcp/49154, tcp/49155, tcp/49156, tcp/49157 and 3 other ports)</span>`);
  });

  it("reads the findings once, from a generator too, and renders only the rows it shows", async () => {
    const r = await kcps();
    const many = unexpected(r, 5000, (k) => 9000 + (k % 80));
    let evidenceReads = 0;
    const counted = many.map((f) => {
      const ev = f.evidence;
      return Object.defineProperty({ ...f }, "evidence", { enumerable: true, get: () => { evidenceReads++; return ev; } });
    });
    function* each(): Generator<Finding> { yield* counted; }
    const lazy = [...htmlChunks({ ...r, findings: [] }, each())].join("");
    expect(evidenceReads).toBe(VIOLATION_LIMITS.groups * VIOLATION_LIMITS.rowsPerGroup);
    expect(lazy).toBe(renderHtml({ ...r, findings: many }));
  });
});

describe("HTML report: what a finding carries", () => {
  it("marks groups and rules that rest on an inferred rule, with the reason", async () => {
    const r = await kcps();
    const t = r.findings.find((f) => f.verdict === "blocked-required")!;
    const html = renderHtml({ ...r, findings: [{ ...t, ruleInferred: true, ruleInferredReason: "the diagram is lost" }] });
    expect(html).toMatch(/1 stopped on the way <span class="tag inferred" title="not stated by the document: the diagram is lost">inferred<\/span><\/summary>/);
    expect(html).toMatch(/\(required\): <b>inferred<\/b>, not stated by the document: the diagram is lost\./);
  });

  it("says who stopped each blocked finding, naming the destination that refused", async () => {
    const r = await kcps();
    const t = r.findings.find((f) => f.verdict === "blocked-required")!;
    const html = renderHtml({ ...r, findings: [{ ...t, blockedBy: "destination", dstName: "fs01" }, { ...t, src: "10.99.1.9", blockedBy: "unknown" }] });
    expect(html).toMatch(/<span data-blocked-by="destination" title="refused by fs01 itself: is the service running, and does its own firewall let it in\?">refused by fs01 itself<\/span>/);
    expect(html).toMatch(/<span data-blocked-by="unknown" title="not known who stopped it: too little was seen to tell a firewall on the way from the destination">not known who stopped it<\/span>/);
    expect(html).toMatch(/1 refused by the destination, 1 not known who<\/summary>/);
  });

  it("clips and escapes text from inputs, and keeps times to the second on one width", async () => {
    const r = await kcps();
    const t = r.findings.find((f) => f.verdict === "allowed-unexpected")!;
    const name = `<script>alert(1)</script>${"n".repeat(300)}`;
    const f: Finding = { ...t, srcName: name, evidence: ["<b>x</b>" + "e".repeat(500)], firstSeen: "2026-11-23T09:14:34.127Z", lastSeen: "2026-11-23T09:14:35.000Z" };
    const html = renderHtml({ ...r, findings: [f] });
    expect(html).not.toContain("<script>alert");
    expect(html).toContain(`<span class="name">&lt;script&gt;alert(1)&lt;/script&gt;nnnnnnnnnnnnnn…</span>`);
    expect(html).toMatch(/<td class="ev">&lt;b&gt;x&lt;\/b&gt;e{171}…<div/);
    expect(html).toContain(`<td class="t"><time datetime="2026-11-23T09:14:34.127Z" title="2026-11-23T09:14:34.127Z">2026-11-23 09:14:34</time><br><time datetime="2026-11-23T09:14:35.000Z">2026-11-23 09:14:35</time></td>`);
  });

  it("names a capture finding's Wireshark frame beside its byte offset, as text and CSV do; a log line as file:line", async () => {
    const path = "fixtures/pcap/samba-ad-lab/ad-client.pcap";
    const setup = setupCheck("kcps-file-server", "fixtures/pcap/samba-ad-lab/inventory.yaml", [], new Map());
    const r = await runCheck(setup, [path], { decode: defaultDecodeOptions(Date.UTC(2026, 10, 23, 12)), failOn: parseFailOn(["none"]) });
    const rdp = r.findings.find((f) => f.port === 3389)!;
    expect(rdp.example.frame).toBeTypeOf("number");
    const html = renderHtml({ ...r, findings: [rdp] });
    expect(html).toContain(`<div class="src">${path} frame ${rdp.example.frame} (byte ${rdp.example.offset})</div>`);
    // A long input name is clipped; the frame, what a person looks up, is kept whole.
    const long = `${"d/".repeat(100)}ad-client.pcap`;
    const clipped = renderHtml({ ...r, findings: [{ ...rdp, example: { ...rdp.example, input: long } }] });
    expect(clipped).toMatch(new RegExp(`<div class="src">(d/){59}d… frame ${rdp.example.frame} \\(byte ${rdp.example.offset}\\)</div>`));
    const log = (await kcps()).findings[0]!;
    expect(renderHtml({ ...r, findings: [log] })).toContain(`<div class="src">fixtures/kcps/kern.log:${log.example.line}</div>`);
  });
});

describe("HTML report: baseline, unobserved rules, unreadable inputs", () => {
  it("marks each finding new, changed or unchanged, counts only new and changed, and lists the accepted apart", async () => {
    const before = await kcps();
    const r = await kcps();
    // The baseline had the 8080 flow, and the netbios flow with another verdict; not the others.
    const keep = before.findings.filter((f) => f.port === 8080 || f.port === 139);
    const old = { ...before, findings: keep.map((f) => (f.port === 139 ? { ...f, verdict: "allowed-required" as const, blockedBy: null } : f)) };
    applyBaseline(r, old, "last-week.json");
    const html = renderHtml(r);
    expect(html).toContain(`<p id="result"><b>Result: 4 violations (3 new, 1 changed since the baseline; 1 unchanged one accepted)</b>`);
    expect(html).toMatch(/<p id="baseline">Compared with the baseline <code>last-week\.json<\/code>: 11 new, 1 changed and 1 unchanged findings, 0 gone\./);
    expect(html).toContain(`<h2>4 violations (7 flows)</h2>`);
    expect(html).toContain(`<h2>Accepted by the baseline: 1 finding (1 flow)</h2>`);
    expect(texts(html, /<details class="group [^>]*><summary>(.*?)<\/summary>/g)).toContain("✗ blocked-required · file-share-client → kcps-fs · netbios-ssn (tcp/139) · 1 violation (3 flows) · 1 stopped on the way · 1 changed");
    expect(html).toContain(`<tr class="fr"><td><span class="tag b-changed" title="in the baseline with another verdict or attribution">changed</span></td>`);
    const accepted = html.slice(html.indexOf(`id="accepted"`), html.indexOf(`id="matrix"`));
    expect(accepted).toContain(`<span class="tag b-unchanged" title="in the baseline with this verdict">unchanged</span>`);
    expect(accepted).toContain("tcp/8080");
  });

  it("counts each required rule never observed as a violation when --fail-on names it", async () => {
    const r = await kcps(["blocked-required", "allowed-unexpected", "unobserved-required"]);
    const html = renderHtml(r);
    expect(r.totals.violations).toBe(28);
    expect(html).toContain(`<h2>28 violations: 5 findings (8 flows) and 23 required rules never observed</h2>`);
    expect(html).toContain(`<b>23 required rules never observed</b>`);
    const rules = html.slice(html.indexOf(`<details class="group v-unobserved-required"`), html.indexOf(`id="matrix"`));
    expect(rules.match(/<tr class="fr">/g)).toHaveLength(23);
    expect(rules).toMatch(/<tr class="fr"><td><code>dns-kcps-fs-dns-to-customer-dns<\/code><\/td><td>kcps-fs-dns → customer-dns<div class="dim">dns<\/div><\/td>/);
  });

  it("lists every rule's coverage, naming the reading coverage counts for another reading of the same seed row", async () => {
    const r = await kcps();
    const html = renderHtml(r);
    expect(html).toMatch(/<h2>Coverage: 9 of 43 required rules observed; 23 unobserved-required \(1 on inferred rules\); 11 other readings of the same rows not asked for<\/h2>/);
    const start = html.indexOf(`<table id="coverage-table">`);
    const table = html.slice(start, html.indexOf("</table>", start));
    expect(table.match(/<tr class="fr">/g)).toHaveLength(r.coverage.length);
    // trust-w32time (the KCPS-FS(AD) reading) is counted with trust-fs-w32time, which stays unobserved-required.
    expect(table).toMatch(/<code>trust-w32time<\/code>.*?<td><span class="none">○ not observed \(another reading\)<\/span><div class="dim">required, counted with trust-fs-w32time<\/div><\/td>/);
    expect(table).toMatch(/<code>trust-fs-w32time<\/code><\/td><td>kcps-fs → customer-ad<div class="dim">w32time<\/div><\/td><td><span class="none">○ not observed<\/span><div class="dim">required<\/div><\/td>/);
    // A conditional rule keeps its own words.
    expect(table).toMatch(/<code>smtp-kcps-fs-to-customer-mail<\/code>.*?○ not observed \(conditional\)<\/span><div class="dim">conditional<\/div>/);
  });

  it("keeps the violation count in the result when an input could not be read, and shows that input first", async () => {
    const r = await kcps();
    const bad: InputReport = { ...r.inputs[0]!, path: "logs/README.md", format: "unknown", records: { read: 0, used: 0, skipped: 0 }, error: "logs/README.md: not a known format" };
    const fine = Array.from({ length: MAX_INPUT_ROWS + 4 }, (_, k) => ({ ...r.inputs[0]!, path: `logs/fw-${k}.log` }));
    const problem = { code: "input-error" as const, input: bad.path, fatal: true, message: bad.error! };
    const html = renderHtml({ ...r, exitCode: 2, inputs: [...fine, bad], checked: { ...r.checked, problems: [problem] } });
    expect(html).toContain(`<b>Result: not a complete check (an input could not be read)</b>; 5 violations in what was read (fail-on:`);
    expect(html).toContain(`<ul id="problems"><li class="bad">✗ logs/README.md: not a known format</li></ul>`);
    expect(html).toMatch(/<tbody>\n<tr class="fr"><td>logs\/README\.md<\/td>/);
    expect(html).toContain(`<p class="more">5 more inputs not shown (0 of them could not be read, 0 had skipped records): see the JSON report.</p>`);
    expect(html).toMatch(/<details class="section" id="inputs" open><summary><h2>Inputs: 105 inputs, 18 records read, 1 could not be read<\/h2>/);
  });
});
