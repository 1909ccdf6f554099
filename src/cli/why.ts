import { Command, Option } from "commander";
import { ExitCode, checkInputFormat, collect, collectRaw, decodeOptionsFrom, parseSets, type Io } from "./common.js";
import { parseFailOn, runCheck, setupCheck, type CheckOptions } from "../pipeline/check.js";
import { expandInputs } from "../source/inputs.js";
import { readReport } from "./check.js";
import { stripControls } from "../report/escape.js";
import { REPORT_SCHEMA, type Report } from "../report/types.js";
import { preloadConfig, readFileStart } from "../source/config.js";

/** True for a JSON report (a saved `check --format json` or `probe --format json`). */
function isReportFile(path: string): boolean {
  if (path === "-" || !/\.json$/i.test(path)) return false;
  return readFileStart(path, 200)?.includes(`"schema": "${REPORT_SCHEMA}"`) === true;
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
    .addHelpText("after", `
Examples:
  portmatrix why 10.99.1.100 -r kcps-file-server -i fixtures/kcps/inventory.yaml fixtures/kcps/kern.log
  portmatrix why launcher-pc-12 -r skydiv-desktop-client -i inv.yaml capture.pcapng probe.json`)
    .action(async (host: string, inputs: string[], f: { ruleset: string; inventory: string; scenario?: string[]; set?: string[]; documentedOnly?: boolean; format: string; inputFormat?: string; actionMap?: string[]; year?: string }) => {
      await preloadConfig([[f.ruleset, "ruleset"], [f.inventory, "inventory"]]);
      const setup = setupCheck(f.ruleset, f.inventory, f.scenario ?? [], parseSets(f.set ?? []), { documentedOnly: f.documentedOnly === true });
      const paths = expandInputs(inputs);
      const reports = paths.filter(isReportFile);
      const logs = paths.filter((p) => !reports.includes(p));
      let report: Report | undefined;
      if (logs.length > 0) {
        const opts: CheckOptions = { decode: decodeOptionsFrom(f), failOn: parseFailOn(undefined) };
        const fmt = checkInputFormat(f.inputFormat);
        if (fmt !== undefined) opts.inputFormat = fmt;
        report = await runCheck(setup, logs, opts);
        for (const i of report.inputs) if (i.error) io.stderr(`portmatrix: ${i.error}\n`);
      }
      for (const p of reports) {
        const r = readReport(p);
        if (!report) report = r;
        else for (const x of r.findings) report.findings.push(x); // not push(...): a report may hold 100k+ findings
      }
      const { explain, renderWhy } = await import("../pipeline/why.js");
      const w = explain(setup, host, report, paths);
      io.stdout(f.format === "json" ? JSON.stringify(w, null, 2) + "\n" : renderWhy(w, stripControls));
      throw new ExitCode(w.verdict.cause ? 1 : 0);
    });
}
