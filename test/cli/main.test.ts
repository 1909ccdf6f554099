/**
 * src/cli/main.ts registers only the command a command line names (each command's module is imported
 * when needed, so a short `check` does not load the collector, the prober...). Commander parses a
 * command the same whether its siblings are registered or not: that is what is held here, command by
 * command, against the program with every command.
 */
import { describe, it, expect } from "vitest";
import { CommanderError } from "commander";
import { buildProgram, commandsFor } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/common.js";

const ALL = ["check", "rules", "events", "diff", "probe", "why", "export", "collect", "sql", "merge"];

/** What commander prints and how it ends for `argv`, with the commands `names` registered. */
async function parse(names: string[], argv: string[]): Promise<{ out: string; err: string; end: string }> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (s) => { out += String(s); }, stderr: (s) => { err += s; }, stdoutIsTTY: false, stderrIsTTY: false, env: {} };
  const program = await buildProgram(io, names);
  // Only what commander does itself: no action runs (the argument lists below end in help or an error).
  try {
    await program.parseAsync(argv, { from: "user" });
    return { out, err, end: "parsed" };
  } catch (e) {
    return { out, err, end: e instanceof CommanderError ? e.code : String(e) };
  }
}

describe("commandsFor: the commands a command line needs registered", () => {
  it.each([
    [["check", "-r", "x", "a.log"], ["check"]],
    [["rules", "show", "x"], ["rules"]],
    [["collect", "--help"], ["collect"]],
    [["--version"], []],
    [["-V"], []],
    [["--version", "check"], ALL],
    [["--help"], ALL],
    [["help", "check"], ALL],
    [["chek"], ALL],
    [["constructor"], ALL],
    [[], ALL],
  ])("%j registers %j", (argv, names) => {
    expect(commandsFor(argv)).toEqual(names);
  });
});

describe("a command parses the same alone as among all the commands", () => {
  const lines = [
    ...ALL.map((c) => [c, "--help"]),
    ["rules", "show", "--help"],
    ["rules", "list", "--help"],
    ["rules", "lint", "--help"],
    ["check", "--no-such-option", "a.log"],
    ["check", "a.log"],
    ["check", "-r", "x", "-i", "y", "--format", "yaml", "a.log"],
    ["events"],
    ["rules", "nope"],
    ["diff", "a.json"],
  ];
  it.each(lines.map((l) => [l.join(" "), l]))("%s", async (_name, argv) => {
    const alone = await parse(commandsFor(argv), argv);
    const all = await parse(ALL, argv);
    expect(alone.out + alone.err).not.toBe("");
    expect(alone).toEqual(all);
  });

  it("--version alone prints the version", async () => {
    const v = await parse([], ["--version"]);
    expect(v).toEqual(await parse(ALL, ["--version"]));
    expect(v.out).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
