// A damaged or foreign module of dist/wasm/ (a cut copy, a file from another build): the modules only
// make a run faster, so a check falls back to the JS path they are tested against (the pcap decoder, the
// log row readers, the tracker, the finding count) and prints what an intact installation prints,
// instead of an internal error. A switch forcing a damaged module, or a value the switches do not
// know, is one line naming the variable, with status 2.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpFiles } from "../helpers/tmp.js";
import { flowCapture } from "../helpers/flow-captures.js";

/** A copy of the installed tool (launcher, build, shipped rulesets), whose files a test may damage. */
function install(): string {
  const dir = tmpFiles({});
  for (const d of ["bin", "dist", "rulesets", "package.json"]) cpSync(resolve(d), join(dir, d), { recursive: true });
  return dir;
}

function check(root: string, input: string, extra: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync("node", [join(root, "bin", "portmatrix.js"), "check", "-r", "kcps-file-server", "-i", resolve("fixtures/kcps/inventory.yaml"),
    "--format", "json", "--fail-on", "none", ...extra, input], { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: "1", ...env } });
  // The report names the ruleset file of the installation it ran from, and when it was made.
  const clean = (t: string) => t.replaceAll(root, "ROOT").replace(/"generatedAt": "[^"]+"/g, '"generatedAt": "T"');
  return { status: r.status, stdout: clean(r.stdout), stderr: clean(r.stderr) };
}

describe("a damaged WebAssembly module", () => {
  const inputs = tmpFiles({
    // More than one batch (8192 packets): the tracker module is chosen.
    "long.pcap": flowCapture(2, 20_000),
    // More than MODULE_AFTER (4096) events: the finding table moves into its module.
    "long.log": readFileSync("fixtures/kcps/kern.log", "utf8").repeat(300),
  });
  const intact = install();
  const cases: [string, string, string[]][] = [
    ["tracker.wasm", "long.pcap", []],
    ["findings.wasm", "long.log", ["--year", "2026"]],
    ["pcap.wasm", "long.pcap", []],
    ["netfilter.wasm", "long.log", ["--year", "2026"]],
  ];
  for (const [module, input, extra] of cases) {
    for (const [how, bytes] of [["cut short", readFileSync(join(intact, "dist", "wasm", module)).subarray(0, 100)], ["not WebAssembly", Buffer.from("garbage")]] as const) {
      it(`${module} ${how}: the same report from the JS path`, () => {
        const damaged = install();
        writeFileSync(join(damaged, "dist", "wasm", module), bytes);
        const want = check(intact, join(inputs, input), extra);
        expect(JSON.parse(want.stdout).summary).toBeDefined();
        expect(check(damaged, join(inputs, input), extra)).toEqual(want);
      }, 60_000);
    }
  }

  const switches: [string, string, string][] = [
    ["PORTMATRIX_PCAP_DECODER", "pcap.wasm", "long.pcap"],
    ["PORTMATRIX_TRACKER", "tracker.wasm", "long.pcap"],
    ["PORTMATRIX_LOG_DECODER", "netfilter.wasm", "long.log"],
    ["PORTMATRIX_FINDINGS", "findings.wasm", "long.log"],
    ["PORTMATRIX_CLASSIFY", "findings.wasm", "long.log"],
  ];
  for (const [name, module, input] of switches) {
    it(`${name}=wasm with ${module} damaged, and ${name}=jss: one line naming the variable, status 2`, () => {
      const damaged = install();
      writeFileSync(join(damaged, "dist", "wasm", module), Buffer.from("garbage"));
      const forced = check(damaged, join(inputs, input), ["--year", "2026"], { [name]: "wasm" });
      expect(forced.status).toBe(2);
      expect(forced.stderr).toMatch(new RegExp(`^portmatrix: ${name}=wasm, but dist/wasm/\\S+ cannot be used \\(ROOT/dist/wasm/${module.replace(".", "\\.")}: .+\\) \\(npm run build\\)\\n$`));
      const misspelt = check(intact, join(inputs, input), ["--year", "2026"], { [name]: "jss" });
      expect(misspelt).toMatchObject({ status: 2, stderr: `portmatrix: ${name}="jss": expected js or wasm (or unset, to let portmatrix choose)\n` });
    }, 60_000);
  }
});
