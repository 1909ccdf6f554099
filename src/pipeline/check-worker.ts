/**
 * A worker thread of `check --jobs` (see parallel.ts): sets up the same ruleset and inventory as the
 * main thread, reads its run of inputs in order into one FindingTable, and sends it back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { setupCheck, findingSink } from "./check.js";
import { runInput, type RunOptions } from "./run.js";
import { FindingTable } from "../match/aggregate.js";
import { primeConfig } from "../source/config.js";
import { summaryData, type InputSummaryData, type WorkerMessage, type WorkerSetup } from "./parallel.js";

const port = parentPort;
if (!port) throw new Error("check-worker.js runs as a worker thread");
const data = workerData as WorkerSetup;

async function main(p: NonNullable<typeof parentPort>): Promise<void> {
  primeConfig(data.configTexts);
  const setup = setupCheck(data.setup.ruleset, data.setup.inventory, data.setup.scenarios, new Map(data.setup.sets), { documentedOnly: data.setup.documentedOnly });
  const table = new FindingTable();
  const sink = findingSink(setup.matcher, table);
  const inputs: InputSummaryData[] = [];
  for (const [idx, path] of data.inputs) {
    const opts: RunOptions = { decode: data.decode, sink };
    if (data.inputFormat !== undefined) opts.inputFormat = data.inputFormat;
    if (data.progress) {
      opts.onChunk = (input, bytes, raw) => {
        const msg: WorkerMessage = { type: "chunk", idx, bytes, raw, read: input.stats.read };
        p.postMessage(msg);
      };
    }
    inputs.push(summaryData(await runInput(path, idx, opts)));
  }
  const t = table.toData();
  const msg: WorkerMessage = { type: "done", inputs, table: t };
  p.postMessage(msg, [t.records.buffer]);
}

main(port).catch((e: unknown) => {
  const msg: WorkerMessage = { type: "fail", message: (e as Error).stack ?? String(e) };
  port.postMessage(msg);
});
