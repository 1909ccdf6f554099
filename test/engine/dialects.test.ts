import { describe, it } from "vitest";
import { readFileSync } from "node:fs";
import { SparkSQL, TrinoSQL } from "dt-sql-parser";
describe("x", () => {
  it("parses", async () => {
    for (const [n, P] of [["spark", SparkSQL], ["trino", TrinoSQL]] as const) {
      const q = readFileSync(`/tmp/pmx/q-${n}.sql`, "utf8").replace(/;\s*$/, "");
      const t0 = Date.now();
      const r = new P().validate(q);
      console.log(n, r.length, JSON.stringify(r.slice(0, 2)), Date.now() - t0);
    }
  }, 600000);
});
