import type { Command } from "commander";
import { ExitCode, addPathFilterOptions, inputPaths, sayFormatList, inputFormatHelp, checkInputFormat, collectRaw, decodeOptionsFrom, say, type Io } from "./common.js";
import { runInputs } from "../pipeline/run.js";
import { eventJson } from "../pipeline/events.js";
import { escapeTerminal, terminalSafeJson } from "../report/escape.js";
import { isBinaryFormat } from "../net/proto.js";

export function registerEvents(program: Command, io: Io): void {
  const cmd = program
    .command("events")
    .description("print what portmatrix read: one JSON object per record (log line; for captures, per connection)")
    .argument("<inputs...>", "files, directories, - for stdin")
    .option("--input-format <format>", inputFormatHelp())
    .option("--action-map <prefix=action>", "map your own log prefixes to allowed/blocked (repeatable)", collectRaw)
    .option("--year <yyyy>", "year for syslog timestamps that carry none")
    .option("--csv-columns <field=column>", "CSV column names (repeatable)", collectRaw)
    .option("--netflow-port <port>", "captures: also read UDP datagrams to this port as NetFlow/IPFIX exports (besides 2055, 4739, 9995; repeatable)", collectRaw)
    .option("--packets", "captures: one object per packet; flow exports: one per flow record (instead of one per connection)")
    .option("--skipped", "also print one JSON object per skipped record, with its reason, on stderr");
  addPathFilterOptions(cmd)
    .addHelpText("after", `
Examples:
  portmatrix events fixtures/kcps/kern.log | head
  portmatrix events --skipped capture.pcapng 2> skipped.jsonl | jq 'select(.action == "blocked")'

Exit status: 0 every input read, 2 usage error or an input that could not be read (the others are still read).`)
    .action(async (inputs: string[], f: { inputFormat?: string; actionMap?: string[]; year?: string; csvColumns?: string[]; netflowPort?: string[]; skipped?: boolean; packets?: boolean; include?: string[]; exclude?: string[] }) => {
      const decode = decodeOptionsFrom(f);
      const inputFormat = checkInputFormat(f.inputFormat);
      const paths = inputPaths(inputs, f);
      const opts: Parameters<typeof runInputs>[1] = {
        decode,
        sink: (b, _idx, input) => {
          let out = "";
          for (let i = 0; i < b.length; i++) out += JSON.stringify(eventJson(b, i, input.path, input.format)) + "\n";
          io.stdout(terminalSafeJson(out));
        },
      };
      if (inputFormat !== undefined) opts.inputFormat = inputFormat;
      if (io.drain) opts.onChunk = io.drain;
      if (f.packets) opts.packets = true;
      if (f.skipped) {
        opts.onSkip = (input, reason, position, text) => {
          const where = isBinaryFormat(input.format) ? { offset: position } : { line: position };
          io.stderr(terminalSafeJson(JSON.stringify({ input: input.path, ...where, skipped: reason, ...(text !== undefined ? { text } : {}) })) + "\n");
        };
      }
      const results = await runInputs(paths, opts);
      let failed = false;
      for (const r of results) {
        if (r.error) { say(io, r.error); failed = true; }
        const s = r.stats;
        const reasons = Object.entries(s.skippedObject()).map(([k, n]) => `${k} ${n}`).join(", ");
        const flows = s.flowsRead === s.used && s.flowsSkipped === 0 ? "" : `; flows: ${s.flowsRead} read, ${s.flowsUsed} used, ${s.flowsSkipped} skipped${s.flowsSkipped ? ` (${Object.entries(s.flowsSkippedObject()).map(([k, n]) => `${k} ${n}`).join(", ")})` : ""}`;
        const notes = Object.entries(s.notesObject()).map(([k, n]) => `${k} ${n}`).join(", ");
        io.stderr(escapeTerminal(`${r.path} (${r.format}): ${s.read} read, ${s.used} used, ${s.skipped} skipped${reasons ? ` (${reasons})` : ""}${flows}${notes ? `; ${notes}` : ""}`) + "\n");
      }
      sayFormatList(io, results.map((r) => r.error));
      throw new ExitCode(failed ? 2 : 0);
    });
}
