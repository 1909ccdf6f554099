import { describe, it, expect } from "vitest";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRuleset, loadRulesetDef, resolveRuleset, shippedRulesetDir } from "../../src/model/ruleset.js";
import { PrecompiledSource, loadPrecompiled, nodePositions, precompile, precompiledDir, precompiledFiles, type PositionTable, type PrecompiledPositions, type PrecompiledRuleset } from "../../src/model/precompiled.js";
import { YamlSource, type YamlPath } from "../../src/model/yaml-source.js";
import { rulesetDigest, sha256 } from "../../src/model/digest.js";

const dir = shippedRulesetDir();
const shipped = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

/** Every path of a value, and for each a child that does not exist (answered by its nearest ancestor). */
function paths(v: unknown, at: YamlPath = []): YamlPath[] {
  const out: YamlPath[] = [at, [...at, "no-such-key"], [...at, 9999]];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

describe("shipped rulesets, precompiled by npm run build (dist/rulesets)", () => {
  it("there is one per shipped YAML file", () => {
    expect(shipped.length).toBeGreaterThan(0);
    for (const name of shipped) {
      expect(existsSync(join(precompiledDir(dir), name.replace(/\.yaml$/, ".json"))), name).toBe(true);
      expect(existsSync(join(precompiledDir(dir), name.replace(/\.yaml$/, ".positions.json"))), name).toBe(true);
    }
  });
  for (const name of shipped) {
    describe(name, () => {
      const file = join(dir, name);
      const text = readFileSync(file, "utf8");
      const files = precompiledFiles(dir, file);
      const pre = JSON.parse(readFileSync(files.json, "utf8")) as PrecompiledRuleset;
      const stored = JSON.parse(readFileSync(files.positions, "utf8")) as PrecompiledPositions;
      const table: PositionTable = stored.positions;
      const parsed = checkRuleset(`rulesets/${name}`, text).def!;
      it("was made from today's YAML text and holds the value the YAML parses to", () => {
        expect(pre.yamlSha256).toBe(sha256(text));
        expect(stored.yamlSha256).toBe(sha256(text));
        expect(pre.raw).toEqual(parsed.raw);
        // The digest a run reads instead of computing it (issue 18, start-up).
        expect(pre.sha256).toBe(rulesetDigest(parsed.raw));
      });
      it("answers every position, of nodes and of paths that do not exist, as the parsed YAML does", () => {
        const yaml = YamlSource.parse(file, text);
        const src = new PrecompiledSource(file, pre.rulePositions, () => table);
        const all = paths(yaml.value);
        expect(all.length).toBeGreaterThan(500);
        for (const p of all) expect(src.position(p), JSON.stringify(p)).toEqual(yaml.position(p));
        // The rules' own positions, which every run reads, from the list alone.
        const rulesOnly = new PrecompiledSource(file, pre.rulePositions, () => ({}));
        const rules = (yaml.value as { rules: unknown[] }).rules;
        expect(pre.rulePositions.length).toBe(rules.length);
        rules.forEach((_, i) => expect(rulesOnly.position(["rules", i])).toEqual(yaml.position(["rules", i])));
      });
      it("resolves without reading the table of every node's position (only an error needs it)", () => {
        const def = loadRulesetDef(name.replace(/\.yaml$/, ""));
        const lazy = new PrecompiledSource(def.src.file, pre.rulePositions, () => {
          throw new Error("the position table was read");
        });
        expect(resolveRuleset({ ...def, src: lazy }, new Map(), new Map())).toEqual(resolveRuleset(parsed, new Map(), new Map()));
      });
      it("resolves to the same ruleset, and is what loadRulesetDef gives", () => {
        const def = loadRulesetDef(name.replace(/\.yaml$/, ""));
        expect(def.src).toBeInstanceOf(PrecompiledSource);
        expect(resolveRuleset(def, new Map(), new Map())).toEqual(resolveRuleset(parsed, new Map(), new Map()));
      });
      it("is not used for another text, nor for a file outside the shipped directory", () => {
        expect(loadPrecompiled(dir, file, text + "\n# edited\n", name)).toBeUndefined();
        expect(loadPrecompiled(dir, join(dir, "..", name), text, name)).toBeUndefined();
        expect(loadPrecompiled(dir, file, text, name)).toBeDefined();
      });
    });
  }
  it("a position table that is damaged or from another build places nodes where the YAML text read today has them", () => {
    const name = "skydiv-desktop-client.yaml";
    const text = readFileSync(join(dir, name), "utf8");
    const good = readFileSync(precompiledFiles(dir, join(dir, name)).positions, "utf8");
    // Another version of the ruleset (a line inserted at the top), as a build stopped between its two writes leaves it.
    const edited = "# edited\n" + text;
    const other = JSON.stringify(precompile(edited, checkRuleset(name, edited).def!.raw, "x", nodePositions(YamlSource.parse(name, edited))).positions);
    const yaml = YamlSource.parse(name, text);
    const all = paths(yaml.value);
    const damaged: [string, string][] = [["cut short", good.slice(0, 1000)], ["another build's", other], ["an empty table", "{}"], ["null", "null"]];
    for (const [what, positions] of damaged) {
      const root = mkdtempSync(join(tmpdir(), "portmatrix-precompiled-"));
      mkdirSync(join(root, "rulesets"));
      mkdirSync(join(root, "dist", "rulesets"), { recursive: true });
      copyFileSync(join(dir, name), join(root, "rulesets", name));
      const files = precompiledFiles(join(root, "rulesets"), join(root, "rulesets", name));
      copyFileSync(precompiledFiles(dir, join(dir, name)).json, files.json);
      writeFileSync(files.positions, positions);
      const pre = loadPrecompiled(join(root, "rulesets"), join(root, "rulesets", name), text, name);
      expect(pre, what).toBeDefined();
      for (const p of all) expect(pre!.src.position(p), `${what}: ${JSON.stringify(p)}`).toEqual(yaml.position(p));
    }
  });

  it("an error found while resolving points at the same YAML line as from the parsed file", () => {
    const def = loadRulesetDef("skydiv-desktop-client");
    expect(def.src).toBeInstanceOf(PrecompiledSource);
    const parsed = checkRuleset(def.src.file, readFileSync(join(dir, "skydiv-desktop-client.yaml"), "utf8")).def!;
    // product_port 0 makes the default of redundancy_helper_port ("${product_port}") out of range.
    const cli = new Map([["product_port", 0]]);
    const err = (d: typeof def) => { try { resolveRuleset(d, new Map(), cli); } catch (e) { return e as Error; } return undefined; };
    const a = err(def);
    expect(a?.message).toMatch(/redundancy_helper_port.*:\d+:\d+|:\d+:\d+.*redundancy_helper_port/);
    expect(a?.message).toBe(err(parsed)?.message);
  });
});
