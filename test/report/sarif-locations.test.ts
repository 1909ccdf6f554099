import { describe, it, expect } from "vitest";
import { copyFileSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runCli } from "../helpers/cli.js";
import { tmpFiles } from "../helpers/tmp.js";
import { parseSarif } from "../helpers/sarif.js";
import { workTreeRoot } from "../../src/source/work-tree.js";

/**
 * Where SARIF results point (src/report/sarif.ts, sarif-places.ts): paths relative to %SRCROOT% (the git
 * work tree, or --sarif-root) or to the portmatrix package for its shipped rulesets, never the checking
 * machine's absolute paths for files in the tree; every result at a useful line, not 1:1.
 */
interface Loc { id?: number; physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine?: number; startColumn?: number; byteOffset?: number } }; message?: { text: string } }
interface Sarif {
  runs: {
    originalUriBaseIds?: Record<string, { uri: string }>;
    results: { ruleId: string; message: { text: string }; locations: Loc[]; relatedLocations?: Loc[]; properties: { port?: number | null } }[];
  }[];
}
const KCPS = ["check", "-r", "kcps-file-server", "-i", "fixtures/kcps/inventory.yaml", "--format", "sarif"];
const run = async (args: string[]) => parseSarif<Sarif>((await runCli(args)).stdout).runs[0]!;
const where = (l: Loc) => `${l.physicalLocation.artifactLocation.uriBaseId ?? ""}:${l.physicalLocation.artifactLocation.uri}${l.physicalLocation.region ? `:${l.physicalLocation.region.startLine ?? `@${l.physicalLocation.region.byteOffset}`}` : ""}`;

describe("SARIF file locations", () => {
  it("files in the work tree are relative to %SRCROOT%, the git work tree's root", async () => {
    const s = await run([...KCPS, "fixtures/kcps/kern.log"]);
    const root = workTreeRoot(process.cwd())!;
    expect(s.originalUriBaseIds).toEqual({ "%SRCROOT%": { uri: pathToFileURL(root + "/").href, description: expect.anything() as unknown } });
    for (const r of s.results) {
      expect(where(r.locations[0]!)).toMatch(/^%SRCROOT%:rulesets\/kcps-file-server\.yaml:\d+$/);
      expect(where(r.relatedLocations![0]!)).toMatch(/^%SRCROOT%:fixtures\/kcps\/kern\.log:\d+$/);
    }
    expect(JSON.stringify(s.results)).not.toContain("file:");
  });

  it("--sarif-root names the tree; a shipped ruleset outside it is relative to the package (PORTMATRIX)", async () => {
    const dir = realpathSync(tmpFiles({}));
    mkdirSync(join(dir, "ci"));
    copyFileSync("fixtures/kcps/kern.log", join(dir, "ci", "kern.log"));
    copyFileSync("fixtures/kcps/inventory.yaml", join(dir, "ci", "inv.yaml"));
    const s = await run(["check", "-r", "kcps-file-server", "-i", join(dir, "ci", "inv.yaml"), "--format", "sarif", "--sarif-root", dir, join(dir, "ci", "kern.log")]);
    expect(Object.keys(s.originalUriBaseIds!).sort()).toEqual(["%SRCROOT%", "PORTMATRIX"]);
    expect(s.originalUriBaseIds!["%SRCROOT%"]!.uri).toBe(pathToFileURL(dir + "/").href);
    expect(s.originalUriBaseIds!.PORTMATRIX!.uri).toBe(pathToFileURL(workTreeRoot(process.cwd())! + "/").href);
    expect(where(s.results[0]!.locations[0]!)).toMatch(/^PORTMATRIX:rulesets\/kcps-file-server\.yaml:\d+$/);
    expect(where(s.results[0]!.relatedLocations![0]!)).toMatch(/^%SRCROOT%:ci\/kern\.log:\d+$/);
  });

  it("a file outside both is an absolute file: URI (the only way to name it); --sarif-root must be a directory", async () => {
    const dir = realpathSync(tmpFiles({}));
    copyFileSync("fixtures/kcps/kern.log", join(dir, "kern log #1.log"));
    const s = await run([...KCPS, join(dir, "kern log #1.log")]);
    expect(s.results[0]!.relatedLocations![0]!.physicalLocation.artifactLocation).toEqual({ uri: pathToFileURL(join(dir, "kern log #1.log")).href });
    const bad = await runCli([...KCPS, "--sarif-root", join(dir, "nope"), "fixtures/kcps/kern.log"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^portmatrix: --sarif-root .*nope: not a directory; expected the root of the source tree/);
  });
});

describe("SARIF results point at something useful", () => {
  it("traffic no rule expects: at the first rule between the same roles, saying so; its first record related", async () => {
    const s = await run([...KCPS, "fixtures/kcps/kern.log"]);
    const r8080 = s.results.find((r) => r.properties.port === 8080)!;
    const rules = readFileSync("rulesets/kcps-file-server.yaml", "utf8").split("\n");
    const line = r8080.locations[0]!.physicalLocation.region!.startLine!;
    // The rule at that line goes from file-share-client to kcps-fs.
    expect(rules.slice(line - 1, line + 3).join("\n")).toMatch(/- id: \S+\n\s+from: file-share-client\n\s+to: kcps-fs/);
    expect(r8080.message.text).toMatch(/\(shown at the first rule from file-share-client to kcps-fs, where a rule for it would go\.\) First record: \[here\]\(1\)\.$/);
    expect(r8080.relatedLocations![0]).toMatchObject({ id: 1, physicalLocation: { region: { startLine: 15 } } });
    expect(readFileSync("fixtures/kcps/kern.log", "utf8").split("\n")[14]).toMatch(/ DPT=8080 /);
    expect(s.results.every((r) => r.locations[0]!.physicalLocation.region?.startLine !== 1)).toBe(true);
  });

  it("a capture's first record is its byte offset", async () => {
    const s = await run([...KCPS, "fixtures/lab/captures/customer-side.pcap"]);
    const related = s.results.map((r) => r.relatedLocations![0]!.physicalLocation);
    expect(related.every((p) => p.artifactLocation.uri === "fixtures/lab/captures/customer-side.pcap" && typeof p.region!.byteOffset === "number" && p.region!.startLine === undefined)).toBe(true);
  });

  it("traffic between roles no rule names: at its first record", async () => {
    const dir = tmpFiles({
      "r.yaml": "id: tiny\ntitle: Tiny\nversion: 1\nprovenance: {document: test}\nroles:\n  - {id: client, title: Client}\n  - {id: server, title: Server}\n  - {id: printer, title: Printer}\n" +
        "scenarios:\n  - {id: run, title: Run}\nservices:\n  - {id: web, title: Web, ports: [{tcp: 443}]}\n" +
        "rules:\n  - {id: web, from: client, to: server, services: [web], scenarios: [run], requirement: required, purpose: web, source: doc}\n",
      "inv.yaml": "roles:\n  client: [10.0.0.1]\n  server: [10.0.0.2]\n  printer: [10.0.0.9]\n",
      "x.log": "Nov 23 09:11:01 fw kernel: ACCEPT IN=a OUT=b SRC=10.0.0.1 DST=10.0.0.2 LEN=60 PROTO=TCP SPT=50000 DPT=443 WINDOW=1 SYN URGP=0\n" +
        "Nov 23 09:11:02 fw kernel: ACCEPT IN=a OUT=b SRC=10.0.0.9 DST=10.0.0.9 LEN=60 PROTO=TCP SPT=50000 DPT=9100 WINDOW=1 SYN URGP=0\n",
    });
    const s = await run(["check", "-r", join(dir, "r.yaml"), "-i", join(dir, "inv.yaml"), "--format", "sarif", "--sarif-root", dir, join(dir, "x.log")]);
    expect(s.results).toHaveLength(1);
    expect(where(s.results[0]!.locations[0]!)).toBe("%SRCROOT%:x.log:2");
    expect(s.results[0]!.message.text).toMatch(/no rule names either role: shown at its first record/);
  });

  it("an input that checked nothing is located at that input", async () => {
    const dir = tmpFiles({ "empty.log": "" });
    writeFileSync(join(dir, "empty.log"), "");
    const s = await run([...KCPS, "--sarif-root", dir, "fixtures/kcps/kern.log", join(dir, "empty.log")]);
    const nc = s.results.find((r) => r.ruleId === "not-checked")!;
    expect(nc.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: "empty.log", uriBaseId: "%SRCROOT%" } });
  });
});
