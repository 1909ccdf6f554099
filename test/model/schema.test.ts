import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { compileSchema } from "../helpers/ajv.js";
import { checkRuleset } from "../../src/model/ruleset.js";

/** The published JSON Schema (for editors) and the loader must agree on the shipped rulesets. */
const schema = JSON.parse(readFileSync("rulesets/ruleset.schema.json", "utf8")) as object;
const validate = compileSchema(schema);

describe("ruleset JSON Schema", () => {
  for (const id of ["kcps-file-server", "skydiv-desktop-client"]) {
    it(`${id} validates against rulesets/ruleset.schema.json and loads`, () => {
      const text = readFileSync(`rulesets/${id}.yaml`, "utf8");
      expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
      expect(checkRuleset(`rulesets/${id}.yaml`, text).problems).toEqual([]);
      expect(text.split("\n")[0]).toMatch(/yaml-language-server: \$schema=\.\/ruleset\.schema\.json/);
    });
  }
  it("both reject a rule with a misspelt field", () => {
    const text = readFileSync("rulesets/kcps-file-server.yaml", "utf8").replace(/\n    purpose:/, "\n    purpse:");
    expect(validate(parse(text))).toBe(false);
    expect(checkRuleset("k.yaml", text).problems.length).toBeGreaterThan(0);
  });
});
