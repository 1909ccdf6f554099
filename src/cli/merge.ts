import { Command, Option } from "commander";
import { collect, collectRaw, say, type Io } from "./common.js";
import { readReport } from "./check.js";
import { requireComparable } from "../report/identity.js";
import { checkReportOutputs, emitReport, type OutputFlags } from "./report-output.js";
import { parseFailOn, prepareFromTable, setupIdentity } from "../pipeline/check.js";
import { REPORT_FORMATS } from "../report/formats.js";

interface MergeFlags extends OutputFlags {
  failOn?: string[];
  allowMismatch?: boolean;
}

export function registerMerge(program: Command, io: Io): void {
  program
    .command("merge")
    .description("merge partial results (check --partial) into the report one run over all their inputs gives")
    .argument("<parts...>", "partial results, in input order (the first occurrence of a finding is the earlier part's)")
    .addOption(new Option("-f, --format <format>", "report format on stdout (or for a single --output)").choices([...REPORT_FORMATS]))
    .option("-o, --output <file>", "write the report to a file, format from its extension; repeatable", collectRaw)
    .option("--fail-on <verdicts>", "verdicts that make the exit status 1 (default blocked-required,allowed-unexpected; 'none')", collect)
    .option("--baseline <report.json>", "a previous JSON report: fail only on findings that are new or changed verdict")
    .option("--allow-mismatch", "compare with a --baseline made with another ruleset or inventory (refused without it; warned with it)")
    .option("--all", "list every verdict group and every unobserved rule in the text report")
    .addHelpText("after", `
Parts made with another ruleset, inventory, scenarios, variables or portmatrix version are refused.
Examples:
  ls parts/*.part | sort | xargs portmatrix merge --format json -o report.json
  portmatrix merge shard-0.part shard-1.part -o report.html -o report.json`)
    .action(async (parts: string[], f: MergeFlags) => {
      const failOn = parseFailOn(f.failOn);
      checkReportOutputs(f, parts.map((path) => ({ path, what: "a partial result" })));
      const { mergeParts } = await import("../pipeline/partial.js");
      const { setup, table, results } = mergeParts(parts);
      // As check: a baseline made against another matrix would mark the wrong findings unchanged.
      const baseline = f.baseline !== undefined ? readReport(f.baseline) : undefined;
      if (baseline) for (const w of requireComparable(baseline, `--baseline ${f.baseline}`, setupIdentity(setup), "these parts", f.allowMismatch === true)) say(io, w);
      await emitReport(io, prepareFromTable(setup, table, results, { failOn }), f, baseline);
    });
}
