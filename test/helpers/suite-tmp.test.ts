import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import setup, { suiteTmp } from "./suite-tmp.js";

describe("the suite's temporary directory", () => {
  const saved = { TMPDIR: process.env.TMPDIR, KEEP: process.env.PORTMATRIX_KEEP_TMP };
  const restore = (name: string, value: string | undefined): void => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  afterEach(() => {
    restore("TMPDIR", saved.TMPDIR);
    restore("PORTMATRIX_KEEP_TMP", saved.KEEP);
  });

  it("is where every test file's tmpdir() points (vitest's globalSetup ran before the workers forked)", () => {
    const made = mkdtempSync(join(tmpdir(), "portmatrix-test-"));
    expect(basename(dirname(made))).toMatch(/^portmatrix-suite-/);
  });

  it("is made like /tmp (sticky, open to the users tools drop to) and removed with what is in it", () => {
    const base = mkdtempSync(join(tmpdir(), "base-"));
    const { dir, remove } = suiteTmp(base);
    expect(statSync(dir).mode & 0o7777).toBe(0o1777);
    mkdirSync(join(dir, "a", "b"), { recursive: true });
    writeFileSync(join(dir, "a", "b", "big.log"), "x".repeat(4096));
    remove();
    expect(existsSync(dir)).toBe(false);
  });

  it("is removed when the run ends, unless PORTMATRIX_KEEP_TMP asks to keep it", () => {
    const teardown = setup();
    const dir = process.env.TMPDIR!;
    writeFileSync(join(dir, "left.txt"), "written by a test");
    teardown();
    expect(existsSync(dir)).toBe(false);

    restore("TMPDIR", saved.TMPDIR);
    process.env.PORTMATRIX_KEEP_TMP = "1";
    const keep = setup();
    const kept = process.env.TMPDIR!;
    keep();
    expect(existsSync(kept)).toBe(true);
  });
});
