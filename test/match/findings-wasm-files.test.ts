/**
 * Whole reports with the finding table counted in WebAssembly (PORTMATRIX_FINDINGS=wasm: the module
 * from the first event) against the JS reference (=js): on every log, flow and capture file of
 * fixtures/ and of the shared corpus (logs/, pcap/), `check` must give the same JSON report (every
 * finding, every column, the order, the accounting) or the same error; and the same with two inputs
 * read by `--jobs 2` worker threads and merged. Generated tables: findings-wasm.test.ts.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFailOn, runCheck, setupCheck, type CheckSetup } from "../../src/pipeline/check.js";
import { defaultDecodeOptions } from "../../src/decode/log/options.js";
import { corpusDir, describeNeeding, needCorpus, REPO_ROOT } from "../helpers/need.js";
import { tmpFiles } from "../helpers/tmp.js";
import { FIXTURE_DIRS, filesUnder, jobsPairs } from "../helpers/check-files.js";

const NOW = new Date("2026-12-05T12:00:00Z");
/** Roles over the whole address space (and the corpus's usual private ranges), so most flows are classified. */
const dir = tmpFiles({
  "inv.yaml": [
    "roles:",
    '  file-share-client: [10.0.0.0/9, 192.168.0.0/17, 0.0.0.0/2, "fd00::/9", "2000::/4"]',
    '  customer-ad: [10.128.0.0/10, 192.168.128.0/18, 64.0.0.0/3, "fe80::/10"]',
    '  kcps-fs: [10.192.0.0/10, 192.168.192.0/18, 172.16.0.0/12, 96.0.0.0/3, 128.0.0.0/2, "fd80::/9", "3000::/4"]',
    "  customer-dns: [192.0.0.0/9]",
    "",
  ].join("\n"),
});
const setup: CheckSetup = setupCheck("kcps-file-server", join(dir, "inv.yaml"), [], new Map());

/** The JSON report of `check` on `inputs` with the finding table counted as `kind` says, or its error. */
async function report(kind: "js" | "wasm", inputs: string[], jobs = 1): Promise<string> {
  const before = process.env.PORTMATRIX_FINDINGS;
  process.env.PORTMATRIX_FINDINGS = kind;
  try {
    const r = await runCheck(setup, inputs, { decode: { ...defaultDecodeOptions(NOW.getTime()), year: 2026 }, failOn: parseFailOn(undefined), now: NOW, jobs, allowEmpty: true });
    return JSON.stringify(r);
  } catch (e) {
    return `error: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    if (before === undefined) delete process.env.PORTMATRIX_FINDINGS;
    else process.env.PORTMATRIX_FINDINGS = before;
  }
}

/** Both tables give the same report on each file; returns how many had findings. */
async function expectSameReports(files: readonly string[]): Promise<number> {
  let withFindings = 0;
  for (const f of files) {
    const a = await report("js", [f]);
    const b = await report("wasm", [f]);
    expect(b, f).toBe(a);
    if (a.startsWith("{") && (JSON.parse(a) as { findings: unknown[] }).findings.length > 0) withFindings++;
  }
  return withFindings;
}

const SLOW = 600_000;

describe("check with the finding table counted in WebAssembly", () => {
  it("gives the JS table's report on every log, flow and capture file of fixtures/", async () => {
    const files = FIXTURE_DIRS.flatMap((d) => filesUnder(join(REPO_ROOT, "fixtures", d)));
    expect(files.length).toBeGreaterThan(300);
    expect(await expectSameReports(files)).toBeGreaterThan(150);
  }, SLOW);

  it("gives the JS table's report with --jobs 2 over two inputs (worker tables merged)", async () => {
    for (const pair of jobsPairs(REPO_ROOT)) {
      const a = await report("js", pair, 2);
      expect(a.startsWith("{"), a).toBe(true);
      expect(await report("wasm", pair, 2)).toBe(a);
      expect(await report("wasm", pair, 1)).toBe(a);
    }
  }, SLOW);

  describeNeeding([needCorpus], "on the shared corpus", () => {
    it("gives the JS table's report on every file of the corpus's logs/ and pcap/", async () => {
      const root = corpusDir()!;
      const files = [...filesUnder(join(root, "logs")), ...filesUnder(join(root, "pcap"))];
      expect(await expectSameReports(files)).toBeGreaterThan(30);
    }, SLOW);
  });
});
