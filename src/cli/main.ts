import { Command, CommanderError, Option } from "commander";
import { PortmatrixError, ValidationErrors } from "../errors.js";
import { ExitCode, processIo, say, type Io } from "./common.js";
import { settle } from "./output.js";
import { VERSION } from "../report/build.js";

type Register = (program: Command, io: Io) => void;

/**
 * Each command's module, imported only when it is needed: a run loads the one its command line names
 * (with what that imports), not the collector's sockets, the prober, the SQL engines' schemas... of the
 * others; help, --version and a mistyped command load them all, in this order (the order of the help).
 */
const COMMANDS = new Map<string, () => Promise<Register>>([
  ["check", async () => (await import("./check.js")).registerCheck],
  ["rules", async () => (await import("./rules.js")).registerRules],
  ["events", async () => (await import("./events.js")).registerEvents],
  ["diff", async () => (await import("./diff.js")).registerDiff],
  ["probe", async () => (await import("./probe.js")).registerProbe],
  ["why", async () => (await import("./why.js")).registerWhy],
  ["export", async () => (await import("./export.js")).registerExport],
  ["collect", async () => (await import("./collect.js")).registerCollect],
  ["sql", async () => (await import("./sql.js")).registerSql],
  ["merge", async () => (await import("./merge.js")).registerMerge],
]);

/** The commands a command line needs registered: the one it starts with, none for the version, or all of them. */
export function commandsFor(argv: readonly string[]): string[] {
  const first = argv[0];
  if (first !== undefined && COMMANDS.has(first)) return [first];
  if (argv.length === 1 && (first === "--version" || first === "-V")) return [];
  return [...COMMANDS.keys()];
}

/** The program with the commands `names` (default: all); commander needs a command registered to parse it. */
export async function buildProgram(io: Io, names: readonly string[] = [...COMMANDS.keys()]): Promise<Command> {
  const registers = await Promise.all(names.map((n) => COMMANDS.get(n)!()));
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
  for (const register of registers) register(program, io);
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
  const program = await buildProgram(io, commandsFor(argv));
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
