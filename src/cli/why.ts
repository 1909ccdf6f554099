import { Command, Option } from "commander";
import { ExitCode, checkInputFormat, collect, collectRaw, decodeOptionsFrom, parseSets, say, sayProblems, type Io } from "./common.js";
import { fatalProblems, savedReportProblems } from "../report/checked.js";
import type { WhyResult } from "../pipeline/why.js";
import { UsageError } from "../errors.js";
import { parseFailOn, runCheck, setupCheck, setupIdentity, type CheckOptions } from "../pipeline/check.js";
import { requireComparable } from "../report/identity.js";
import { expandInputs } from "../source/inputs.js";
import { readReport } from "./check.js";
import { REPORT_SCHEMA, type Report } from "../report/types.js";
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
  program
    .command("why")
    .description("why a host cannot connect: every rule of its roles, what the inputs show, what to do")
    .argument("<host>", "an address or an inventory host name")
    .argument("[inputs...]", "logs, captures, or JSON reports (from check or probe)")
    .requiredOption("-r, --ruleset <id|file>", "shipped ruleset id or a YAML file")
    .requiredOption("-i, --inventory <file>", "inventory (YAML or CSV)")
    .option("-s, --scenario <ids>", "only rules of these scenarios", collect)
    .option("--set <name=value>", "override a ruleset variable (repeatable)", collectRaw)
    .option("--documented-only", "only the rules the document states: leave out rules marked inferred (the ruleset's reading of lost diagrams, loose wording)")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--input-format <format>", "skip detection and read every input as this format")
    .option("--action-map <prefix=action>", "map your own log prefixes to allowed/blocked (repeatable)", collectRaw)
    .option("--year <yyyy>", "year for syslog timestamps that carry none")
    .option("--allow-mismatch", "read a saved report made with another ruleset or inventory (refused without it; warned with it)")
    .option("--allow-empty", "accept inputs that contribute nothing (no record used, or no flow with both ends in the inventory); without it they make the exit status 2")
    .addHelpText("after", `
Exit status: 0 no blocked required flow for the host, 1 one was found (the likely cause), 2 a usage
error, an input that could not be read, an input (or saved report) that checked nothing, or a saved
report made with another ruleset or inventory (see --allow-mismatch).

Examples:
  portmatrix why 10.99.1.100 -r kcps-file-server -i fixtures/kcps/inventory.yaml fixtures/kcps/kern.log
  portmatrix why launcher-pc-12 -r skydiv-desktop-client -i inv.yaml capture.pcapng probe.json`)
    .action(async (host: string, inputs: string[], f: WhyFlags) => {
      await preloadConfig([[f.ruleset, "ruleset"], [f.inventory, "inventory"]]);
      const setup = setupCheck(f.ruleset, f.inventory, f.scenario ?? [], parseSets(f.set ?? []), { documentedOnly: f.documentedOnly === true });
      const paths = expandInputs(inputs);
      if (inputs.length > 0 && paths.length === 0) throw new UsageError("no input files found in the given paths");
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
      const { explain, renderWhy } = await import("../pipeline/why.js");
      const w = explain(setup, host, report, paths);
      if (sources.length > 0) w.checked = whyChecked(sources, report!, problems);
      io.stdout(f.format === "json" ? JSON.stringify(w, null, 2) + "\n" : renderWhy(w));
      throw new ExitCode(problems.length > 0 ? 2 : w.verdict.cause ? 1 : 0);
    });
}

interface WhyFlags {
  ruleset: string;
  inventory: string;
  scenario?: string[];
  set?: string[];
  documentedOnly?: boolean;
  format: string;
  inputFormat?: string;
  actionMap?: string[];
  year?: string;
  allowEmpty?: boolean;
  allowMismatch?: boolean;
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
