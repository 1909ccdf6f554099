import { describe, it, expect } from "vitest";
import { runCli } from "../helpers/cli.js";
import { knownFormats } from "../../src/pipeline/formats.js";

const COMMANDS = [["check"], ["why"], ["probe"], ["diff"], ["events"], ["export"], ["rules", "list"], ["rules", "show"], ["rules", "lint"]];

describe("--help of every command", () => {
  it.each(COMMANDS.map((c) => [c.join(" "), c]))("%s --help shows an example and the exit status", async (_name, cmd) => {
    const h = await runCli([...(cmd as string[]), "--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(new RegExp(`\\nExamples?:\\n {2}portmatrix ${(cmd as string[]).join(" ")}\\b`));
    expect(h.stdout).toMatch(/\nExit status: 0\b/);
  });

  it.each([["check"], ["why"], ["events"]])("%s --help names every --input-format", async (cmd) => {
    const h = (await runCli([cmd, "--help"])).stdout.replace(/\s+/g, " ");
    expect(knownFormats().length).toBeGreaterThan(20);
    for (const f of knownFormats()) expect(h, f).toMatch(new RegExp(`--input-format <format> .*\\b${f}\\b`));
  });

  it("rules list --help says it lists variables, and its example is what rules list prints", async () => {
    const h = (await runCli(["rules", "list", "--help"])).stdout;
    expect(h).toMatch(/scenarios, roles and variables/);
    const example = h.slice(h.indexOf("  portmatrix rules list\n") + "  portmatrix rules list\n".length, h.indexOf("\n\nExit status")).split("\n").map((l) => l.slice(4));
    const real = (await runCli(["rules", "list"])).stdout.split("\n");
    expect(example).toHaveLength(5);
    example.forEach((line, k) => {
      // The example may shorten a long list with "...": the rest must be what the command prints.
      const head = line.replace(/, \.\.\.$/, "");
      expect(real[k]!.startsWith(head), `${line} / ${real[k]}`).toBe(true);
    });
  });
});
