import { Command, Option } from "commander";
import { ExitCode, collect, type Io } from "./common.js";
import { readReport } from "./check.js";
import { preloadConfig } from "../source/config.js";
import { diffReports, renderDiff } from "../report/diff.js";
import { parseFailOn } from "../pipeline/check.js";
import { failsOn } from "../report/fail-on.js";

export function registerDiff(program: Command, io: Io): void {
  program
    .command("diff")
    .description("what changed between two JSON reports: new findings, changed verdicts, gone, coverage")
    .argument("<old>", "the earlier report (--format json)")
    .argument("<new>", "the later report")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .option("--fail-on <verdicts>", "exit 1 when a new or changed finding has one of these verdicts (default: the new report's fail-on)", collect)
    .addHelpText("after", "\nExample:\n  portmatrix diff last-week.json today.json")
    .action(async (oldPath: string, newPath: string, f: { format: string; failOn?: string[] }) => {
      await preloadConfig([[oldPath, "report"], [newPath, "report"]]);
      const before = readReport(oldPath);
      const after = readReport(newPath);
      const d = diffReports(before, after);
      const failOn: string[] = f.failOn ? parseFailOn(f.failOn) : after.failOn;
      if (f.format === "json") io.stdout(JSON.stringify({ old: oldPath, new: newPath, ...d }, null, 2) + "\n");
      else io.stdout(renderDiff(d, failOn));
      const failing = [...d.added, ...d.changed.map((c) => c.finding)].some((x) => failsOn(failOn, x));
      throw new ExitCode(failing ? 1 : 0);
    });
}
