/**
 * Whole reports with the events classified in WebAssembly (PORTMATRIX_CLASSIFY=wasm: in the finding
 * table's module from the first event) against the JS reference (=js: classifyBatch), the table counted
 * in the module in both (PORTMATRIX_FINDINGS=wasm), so that only classification differs: on every log,
 * flow and capture file of fixtures/ and of the shared corpus (logs/, pcap/), `check` must give the same
 * JSON report (every finding, verdict, role, rule, column, the order, the accounting) or the same error;
 * and the same with two inputs read by `--jobs 2` worker threads and merged. Generated batches:
 * classify-wasm.test.ts.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFailOn, runCheck, setupCheck, type CheckSetup } from "../../src/pipeline/check.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { moduleClassifiedEvents } from "../../src/match/classify-wasm.js";
import { corpusDir, describeNeeding, needCorpus, REPO_ROOT } from "../helpers/need.js";
import { tmpFiles } from "../helpers/tmp.js";
import { FIXTURE_DIRS, filesUnder, jobsPairs } from "../helpers/check-files.js";

const NOW = new Date("2026-12-05T12:00:00Z");
/**
 * Roles over the whole address space (and the corpus's usual private ranges), so most flows are
 * classified; nested prefixes (the longest wins) and one prefix held by two roles (combined cells).
 */
const dir = tmpFiles({
  "inv.yaml": [
    "roles:",
    '  file-share-client: [10.0.0.0/9, 192.168.0.0/17, 0.0.0.0/2, "fd00::/9", "2000::/4", 10.1.0.0/16]',
    '  customer-ad: [10.128.0.0/10, 192.168.128.0/18, 64.0.0.0/3, "fe80::/10", 10.1.0.0/16, 10.0.0.1]',
    '  kcps-fs: [10.192.0.0/10, 192.168.192.0/18, 172.16.0.0/12, 96.0.0.0/3, 128.0.0.0/2, "fd80::/9", "3000::/4", 10.1.2.0/24]',
    "  customer-dns: [192.0.0.0/9]",
    "",
  ].join("\n"),
});
const setups: [string, CheckSetup][] = [
  ["every rule", setupCheck("kcps-file-server", join(dir, "inv.yaml"), [], new Map())],
  ["--documented-only", setupCheck("kcps-file-server", join(dir, "inv.yaml"), [], new Map(), { documentedOnly: true })],
];

/** The JSON report of `check` on `inputs` with the events classified as `kind` says, or its error. */
async function report(setup: CheckSetup, kind: "js" | "wasm", inputs: string[], jobs = 1): Promise<string> {
  const before = [process.env.PORTMATRIX_CLASSIFY, process.env.PORTMATRIX_FINDINGS];
  process.env.PORTMATRIX_CLASSIFY = kind;
  process.env.PORTMATRIX_FINDINGS = "wasm";
  try {
    const r = await runCheck(setup, inputs, { decode: { ...defaultDecodeOptions(NOW.getTime()), year: 2026 }, failOn: parseFailOn(undefined), now: NOW, jobs, allowEmpty: true });
    return JSON.stringify(r);
  } catch (e) {
    return `error: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    for (const [i, name] of (["PORTMATRIX_CLASSIFY", "PORTMATRIX_FINDINGS"] as const).entries()) {
      if (before[i] === undefined) delete process.env[name];
      else process.env[name] = before[i];
    }
  }
}

/** Both give the same report on each file; returns how many had findings. */
async function expectSameReports(files: readonly string[]): Promise<number> {
  let withFindings = 0;
  for (const [, setup] of setups) {
    for (const f of files) {
      const a = await report(setup, "js", [f]);
      const before = moduleClassifiedEvents();
      const b = await report(setup, "wasm", [f]);
      expect(b, f).toBe(a);
      if (a.startsWith("{") && (JSON.parse(a) as { findings: unknown[] }).findings.length > 0) {
        withFindings++;
        // The module did classify this file's events (not JS behind the switch).
        expect(moduleClassifiedEvents(), f).toBeGreaterThan(before);
      }
    }
  }
  return withFindings;
}

const SLOW = 900_000;

describe("check with the events classified in WebAssembly", () => {
  it("gives the JS classification's report on every log, flow and capture file of fixtures/", async () => {
    const files = FIXTURE_DIRS.flatMap((d) => filesUnder(join(REPO_ROOT, "fixtures", d)));
    expect(files.length).toBeGreaterThan(300);
    expect(await expectSameReports(files)).toBeGreaterThan(300);
  }, SLOW);

  it("gives the JS classification's report with --jobs 2 over two inputs (worker tables merged)", async () => {
    for (const pair of jobsPairs(REPO_ROOT)) {
      const a = await report(setups[0]![1], "js", pair, 2);
      expect(a.startsWith("{"), a).toBe(true);
      expect(await report(setups[0]![1], "wasm", pair, 2)).toBe(a);
      expect(await report(setups[0]![1], "wasm", pair, 1)).toBe(a);
    }
  }, SLOW);

  describeNeeding([needCorpus], "on the shared corpus", () => {
    it("gives the JS classification's report on every file of the corpus's logs/ and pcap/", async () => {
      const root = corpusDir()!;
      const files = [...filesUnder(join(root, "logs")), ...filesUnder(join(root, "pcap"))];
      expect(await expectSameReports(files)).toBeGreaterThan(60);
    }, SLOW);
  });
});
