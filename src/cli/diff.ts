import { Command, Option } from "commander";
import { ExitCode, collect, say, type Io } from "./common.js";
import { savedReportProblems } from "../report/checked.js";
import { readReport } from "./check.js";
import { preloadConfig } from "../source/config.js";
import { diffReports, renderDiff } from "../report/diff.js";
import { parseFailOn } from "../pipeline/check.js";
import { failsOn } from "../report/fail-on.js";
import { requireComparable } from "../report/identity.js";

export function registerDiff(program: Command, io: Io): void {
  program
    .command("diff")
    .description("what changed between two JSON reports: new findings, changed verdicts, gone, coverage")
    .argument("<old>", "the earlier report (--format json)")
    .argument("<new>", "the later report")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--fail-on <verdicts>", "exit 1 when a new or changed finding has one of these verdicts (default: the new report's fail-on)", collect)
    .option("--allow-mismatch", "compare reports made with another ruleset or inventory (refused without it; warned with it)")
    .addHelpText("after", `
Exit status: 0 nothing new fails, 1 a new or changed finding fails (see --fail-on), 2 a usage error, a
report that cannot be read, two reports made with another ruleset or inventory (see --allow-mismatch),
or a new report that was not a complete check.

Examples:
  portmatrix diff last-week.json today.json
  portmatrix diff --format json --fail-on blocked-required last-week.json today.json
  portmatrix diff --allow-mismatch skydiv-report.json kcps-report.json`)
    .action(async (oldPath: string, newPath: string, f: { format: string; failOn?: string[]; allowMismatch?: boolean }) => {
      await preloadConfig([[oldPath, "report"], [newPath, "report"]]);
      const before = readReport(oldPath);
      const after = readReport(newPath);
      for (const w of requireComparable(before, oldPath, after, newPath, f.allowMismatch === true)) say(io, w);
      // A diff against a run that checked nothing says nothing: the new report must be a check; an old
      // one that was not only makes its missing flows count as new (stricter), so it is said, not refused.
      for (const p of savedReportProblems(before)) say(io, `${oldPath}: that run was not a complete check: ${p.message}; flows it lacks show as new`);
      const notChecked = savedReportProblems(after);
      for (const p of notChecked) say(io, `${newPath}: that run was not a complete check: ${p.message}`);
      const d = diffReports(before, after);
      const failOn: string[] = f.failOn ? parseFailOn(f.failOn) : after.failOn;
      if (f.format === "json") io.stdout(JSON.stringify({ old: oldPath, new: newPath, ...d }, null, 2) + "\n");
      else io.stdout(renderDiff(d, failOn));
      const failing = [...d.added, ...d.changed.map((c) => c.finding)].some((x) => failsOn(failOn, x));
      throw new ExitCode(notChecked.length > 0 ? 2 : failing ? 1 : 0);
    });
}
