import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { errnoText, writeFileAtomic } from "../../src/cli/common.js";
import { UsageError } from "../../src/errors.js";
import { tmpFiles } from "../helpers/tmp.js";

describe("writeFileAtomic", () => {
  it("writes chunks (text and bytes) whole, then renames into place", () => {
    const dir = tmpFiles({});
    const path = join(dir, "r.json");
    writeFileAtomic(path, ["{\"a\":", Buffer.from("\"é\""), "}\n"]);
    expect(readFileSync(path, "utf8")).toBe("{\"a\":\"é\"}\n");
    expect(readdirSync(dir)).toEqual(["r.json"]);
  });

  it("lets a renderer's own error through as it is, and leaves neither the report nor a temporary file", () => {
    const dir = tmpFiles({});
    const path = join(dir, "r.json");
    const boom = new RangeError("Invalid time value");
    function* chunks(): Generator<string> {
      yield "{\"findings\":[";
      throw boom;
    }
    expect(() => writeFileAtomic(path, chunks())).toThrow(boom);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("says it cannot write the report when the filesystem refuses, naming the file and the code", () => {
    const path = join(tmpFiles({}), "no-such-dir", "r.json");
    let err: unknown;
    try { writeFileAtomic(path, ["x"]); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`cannot write ${path}: ENOENT`);
    expect(existsSync(path)).toBe(false);
  });
});

describe("errnoText", () => {
  it.each([
    [Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }), "ENOSPC (no space left on device)"],
    [Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" }), "EIO (i/o error)"],
    [Object.assign(new Error("odd"), { code: "EODD" }), "EODD"],
    [new Error("no code"), "no code"],
  ])("%s -> %s", (e, text) => {
    expect(errnoText(e)).toBe(text);
  });
});
