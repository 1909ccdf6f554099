import { main } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/common.js";

export interface CliResult { code: number; stdout: string; stderr: string }

/** Run the CLI in-process with captured output (no TTY, no colour). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: (s) => { stdout += s; },
    stderr: (s) => { stderr += s; },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
