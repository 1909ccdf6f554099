import { Command, CommanderError, Option } from "commander";
import { PortmatrixError, ValidationErrors } from "../errors.js";
import { ExitCode, processIo, say, type Io } from "./common.js";
import { settle } from "./output.js";
import { registerCheck } from "./check.js";
import { registerRules } from "./rules.js";
import { registerEvents } from "./events.js";
import { registerDiff } from "./diff.js";
import { registerProbe } from "./probe.js";
import { registerWhy } from "./why.js";
import { registerExport } from "./export.js";
import { registerCollect } from "./collect.js";
import { registerSql } from "./sql.js";
import { registerMerge } from "./merge.js";
import { VERSION } from "../report/build.js";

export function buildProgram(io: Io): Command {
  const program = new Command("portmatrix");
  program
    .description("Check real network traffic (firewall logs, captures) against a product's port matrix.")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Examples:
  portmatrix check --ruleset kcps-file-server --inventory fixtures/kcps/inventory.yaml fixtures/kcps/kern.log
  portmatrix rules show kcps-file-server --format md
  portmatrix events fixtures/kcps/kern.log | head

Exit status: 0 no violation, 1 violations (see --fail-on), 2 usage or input error, or a run that
checked nothing (an input with no usable record, no flow between inventory hosts; see --allow-empty).`,
    );
  registerCheck(program, io);
  registerRules(program, io);
  registerEvents(program, io);
  registerDiff(program, io);
  registerProbe(program, io);
  registerWhy(program, io);
  registerExport(program, io);
  registerCollect(program, io);
  registerSql(program, io);
  registerMerge(program, io);
  return program;
}

/** Run the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const code = await run(argv, io);
  // A signal that came during the last synchronous work is handled now, with a true message, not lost.
  await settle();
  return code;
}

async function run(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof ExitCode) return e.code;
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return 2;
    }
    if (e instanceof ValidationErrors) {
      // Each problem on its own line, so that every one can be fixed before the next run.
      for (const p of e.problems) say(io, p.message);
      say(io, `${e.problems.length} problems; nothing was checked`);
      return 2;
    }
    if (e instanceof PortmatrixError) {
      say(io, e.message);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EPIPE") return 0;
    io.stderr(`portmatrix: internal error: ${err.stack ?? String(e)}\n`);
    return 70;
  }
}

export { Option };
