import { describe, expect, it } from "vitest";
import { errnoText } from "../src/errors.js";

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
