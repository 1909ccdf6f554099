import { Command, Option } from "commander";
import { ExitCode, addPathFilterOptions, inputPaths, sayFormatList, checkInputFormat, collect, collectRaw, decodeOptionsFrom, inputFormatHelp, parseSets, say, sayInventoryWarnings, sayProblems, type Io } from "./common.js";
import { checkOutputs, planReports, writeReport, type ReadFile } from "./output.js";
import { fatalProblems, savedReportProblems } from "../report/checked.js";
import type { WhyResult } from "../pipeline/why.js";
import { UsageError } from "../errors.js";
import { parseFailOn, runCheck, setupCheck, setupIdentity, type CheckOptions } from "../pipeline/check.js";
import { requireComparable } from "../report/identity.js";
import { readReport } from "./check.js";
import { REPORT_SCHEMA, type Report } from "../report/types.js";
import { formatFromPath } from "../report/formats.js";
import { escapeTerminal } from "../report/escape.js";
import { WHY_SHOWN } from "../pipeline/why-text.js";
import { preloadConfig, readFileStart } from "../source/config.js";

/** How every JSON report starts: `schema` is its first field (see src/report/types.ts). */
const REPORT_HEAD = new RegExp(`^\\s*\\{\\s*"schema"\\s*:\\s*${JSON.stringify(REPORT_SCHEMA)}`);

/** True for a JSON report (a saved `check --format json` or `probe --format json`, pretty or compact). */
function isReportFile(path: string): boolean {
  if (path === "-" || !/\.json$/i.test(path)) return false;
  const head = readFileStart(path, 256);
  return head !== undefined && REPORT_HEAD.test(head);
}

export function registerWhy(program: Command, io: Io): void {
  const cmd = program
    .command("why")
    .description("why a host cannot connect: every rule of its roles, what the inputs show, what to do")
    .argument("<host>", "an address or an inventory host name (names are matched ignoring case)")
    .argument("[inputs...]", "logs, captures, or JSON reports (from check or probe)")
    .requiredOption("-r, --ruleset <id|file>", "shipped ruleset id or a YAML file")
    .requiredOption("-i, --inventory <file>", "inventory (YAML or CSV)")
    .option("-s, --scenario <ids>", "only rules of these scenarios", collect)
    .option("--set <name=value>", "override a ruleset variable (repeatable)", collectRaw)
    .option("--documented-only", "only the rules the document states: leave out rules marked inferred (the ruleset's reading of lost diagrams, loose wording)")
    .addOption(new Option("-f, --format <format>", "output format on stdout (or for a single --output)").choices(["text", "json"]))
    .option("-o, --output <file>", "write the answer to a file instead of stdout: .json or .txt (repeatable); written whole, then renamed into place", collectRaw)
    .option("--fail-on <verdicts>", "verdicts of this host's flows that make the exit status 1, as for check (default blocked-required; 'none')", collect)
    .option("--all", `every observation, advice and attempt (the text shows the first ${WHY_SHOWN} of each, then how many more)`)
    .option("-q, --quiet", "with --output: do not print the verdict line on stderr")
    .option("--input-format <format>", inputFormatHelp())
    .option("--action-map <prefix=action>", "map your own log prefixes to allowed/blocked (repeatable)", collectRaw)
    .option("--year <yyyy>", "year for syslog timestamps that carry none")
    .option("--allow-mismatch", "read a saved report made with another ruleset or inventory (refused without it; warned with it)")
    .option("--allow-empty", "accept inputs that contribute nothing (no record used, or no flow with both ends in the inventory); without it they make the exit status 2");
  addPathFilterOptions(cmd)
    .addHelpText("after", `
Exit status: 0 nothing of this host's flows meets --fail-on, 1 something does (by default: a required
flow of the host was blocked), 2 a usage error, an input that could not be read, an input (or saved
report) that checked nothing, or a saved report made with another ruleset or inventory (see
--allow-mismatch).

Examples:
  portmatrix why 10.99.1.100 -r kcps-file-server -i fixtures/kcps/inventory.yaml fixtures/kcps/kern.log
  portmatrix why launcher-pc-12 -r skydiv-desktop-client -i inv.yaml capture.pcapng probe.json
  portmatrix why CLIENT01 -r kcps-file-server -i inv.yaml --all -o why.txt -o why.json deny.log
  portmatrix why 10.99.1.100 -r kcps-file-server -i inv.yaml --allow-mismatch saved-skydiv-report.json`)
    .action(async (host: string, inputs: string[], f: WhyFlags) => {
      const outputs = whyOutputs(f);
      await preloadConfig([[f.ruleset, "ruleset"], [f.inventory, "inventory"]]);
      const setup = setupCheck(f.ruleset, f.inventory, f.scenario ?? [], parseSets(f.set ?? []), { documentedOnly: f.documentedOnly === true });
      sayInventoryWarnings(io, setup.inventory);
      const failOn = f.failOn ? parseFailOn(f.failOn) : ["blocked-required"];
      const paths = inputs.length > 0 ? inputPaths(inputs, f) : [];
      // Before anything is read: no answer may overwrite a file this run reads.
      const reads: ReadFile[] = [...paths.map((path) => ({ path, what: "an input" })), { path: f.inventory, what: "the inventory" }, { path: setup.ruleset.file, what: "the ruleset" }];
      checkOutputs(outputs.map((o) => o.path), reads);
      const reports = paths.filter(isReportFile);
      const logs = paths.filter((p) => !reports.includes(p));
      const sources: Report[] = [];
      /** What makes this answer rest on less than the inputs promise: exit status 2. */
      const problems: string[] = [];
      // Saved reports first, before any log is read: one made against another matrix has no finding of
      // this one's rules, so its blocked flows would vanish from the answer.
      const identity = setupIdentity(setup);
      const saved = reports.map((p) => {
        const r = readReport(p);
        for (const w of requireComparable(r, p, identity, "this run", f.allowMismatch === true)) say(io, w);
        return [p, r] as const;
      });
      if (logs.length > 0) {
        const opts: CheckOptions = { decode: decodeOptionsFrom(f), failOn: parseFailOn(undefined), allowEmpty: f.allowEmpty === true };
        const fmt = checkInputFormat(f.inputFormat);
        if (fmt !== undefined) opts.inputFormat = fmt;
        const r = await runCheck(setup, logs, opts);
        sayProblems(io, r);
        sayFormatList(io, r.inputs.map((i) => i.error));
        problems.push(...fatalProblems(r.checked).map((p) => p.message));
        sources.push(r);
      }
      for (const [p, r] of saved) {
        for (const q of savedReportProblems(r)) {
          const message = `${p}: that run was not a complete check: ${q.message}`;
          say(io, message);
          problems.push(message);
        }
        sources.push(r);
      }
      const report = mergeFindings(sources);
      const { explain } = await import("../pipeline/why.js");
      const { renderWhy } = await import("../pipeline/why-text.js");
      const w = explain(setup, host, report, paths, { failOn });
      if (sources.length > 0) w.checked = whyChecked(sources, report!, problems);
      const render = (fmt: string) => (fmt === "json" ? JSON.stringify(w, null, 2) + "\n" : renderWhy(w, { all: f.all === true }));
      planReports(outputs.map((o) => o.path));
      for (const o of outputs) await writeReport(o.path, render(o.fmt));
      if (outputs.length === 0 || f.format !== undefined && outputs.length > 1) io.stdout(render(f.format ?? "text"));
      else if (!f.quiet) io.stderr(`Verdict: ${escapeTerminal(w.verdict.text)}\n`);
      throw new ExitCode(problems.length > 0 ? 2 : w.fails ? 1 : 0);
    });
}

interface WhyFlags {
  ruleset: string;
  inventory: string;
  scenario?: string[];
  set?: string[];
  documentedOnly?: boolean;
  format?: string;
  output?: string[];
  failOn?: string[];
  all?: boolean;
  quiet?: boolean;
  inputFormat?: string;
  actionMap?: string[];
  year?: string;
  allowEmpty?: boolean;
  include?: string[];
  exclude?: string[];
  allowMismatch?: boolean;
}

/** The format of each --output: json or text from the name, or --format with a single --output. */
function whyOutputs(f: WhyFlags): { path: string; fmt: "text" | "json" }[] {
  return (f.output ?? []).map((path) => {
    const byName = formatFromPath(path);
    const fmt = f.output!.length === 1 && f.format !== undefined ? f.format : byName;
    if (fmt !== "text" && fmt !== "json") throw new UsageError(`--output ${path}: why writes .json or .txt (or --format text|json with one --output)`);
    return { path, fmt };
  });
}

/** The first source with every other source's findings added (not push(...): 100k+ findings). */
function mergeFindings(sources: readonly Report[]): Report | undefined {
  const [first, ...rest] = sources;
  for (const r of rest) for (const x of r.findings) first!.findings.push(x);
  return first;
}

/**
 * How much the answer rests on (README "Words"): records and inputs of every source, the flows they
 * held, and the findings after merging.
 */
function whyChecked(sources: readonly Report[], merged: Report, problems: string[]): NonNullable<WhyResult["checked"]> {
  const records = sources.reduce((n, r) => n + r.totals.records.used, 0);
  const inputs = sources.reduce((n, r) => n + r.inputs.length, 0);
  // A report written before `checked` existed: its inputs' matcher counts, or failing those its findings' flows.
  const flowsOf = (r: Report): [number, number] => r.checked
    ? [r.checked.events, r.checked.eventsClassified]
    : r.inputs.every((i) => i.events !== undefined)
      ? [r.inputs.reduce((n, i) => n + i.events.total, 0), r.inputs.reduce((n, i) => n + i.events.classified, 0)]
      : [r.findings.reduce((n, x) => n + x.count, 0), r.findings.reduce((n, x) => n + (x.verdict === "unclassified" ? 0 : x.count), 0)];
  let flows = 0, flowsClassified = 0;
  for (const r of sources) {
    const [a, b] = flowsOf(r);
    flows += a;
    flowsClassified += b;
  }
  const findings = merged.findings.length;
  const findingsClassified = merged.findings.filter((x) => x.verdict !== "unclassified").length;
  return { records, inputs, flows, flowsClassified, findings, findingsClassified, problems };
}
