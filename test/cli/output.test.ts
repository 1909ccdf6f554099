import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { checkOutputs, interruptionText, planReports, removeStaleTemps, resolveOutput, writeReport } from "../../src/cli/output.js";
import { UsageError } from "../../src/errors.js";
import { tmpFiles } from "../helpers/tmp.js";

/** A PID that ran and has ended (the child's exit is waited for). */
function deadPid(): number {
  const r = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

describe("writeReport to a regular file", () => {
  it("writes chunks (text and bytes) whole, then renames into place", async () => {
    const dir = tmpFiles({});
    const path = join(dir, "r.json");
    await writeReport(path, ["{\"a\":", Buffer.from("\"é\""), "}\n"]);
    expect(readFileSync(path, "utf8")).toBe("{\"a\":\"é\"}\n");
    expect(readdirSync(dir)).toEqual(["r.json"]);
  });

  it("cuts a long string only between characters (a surrogate pair at the 1 MiB boundary stays whole)", async () => {
    const path = join(tmpFiles({}), "r.txt");
    const text = "a".repeat((1 << 20) - 1) + "😀" + "b";
    await writeReport(path, text);
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("lets a renderer's own error through as it is, and leaves neither the report nor a temporary file", async () => {
    const dir = tmpFiles({});
    const path = join(dir, "r.json");
    const boom = new RangeError("Invalid time value");
    function* chunks(): Generator<string> {
      yield "{\"findings\":[";
      throw boom;
    }
    await expect(writeReport(path, chunks())).rejects.toBe(boom);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("says it cannot write the report when the filesystem refuses, naming the file and the code", async () => {
    const path = join(tmpFiles({}), "no-such-dir", "r.json");
    const err = await writeReport(path, ["x"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(`cannot write ${path}: ENOENT (no such file or directory)`);
    expect(existsSync(path)).toBe(false);
  });

  it("keeps the mode of the file it replaces", async () => {
    const dir = tmpFiles({ "r.txt": "old" });
    chmodSync(join(dir, "r.txt"), 0o606);
    await writeReport(join(dir, "r.txt"), "new");
    expect(statSync(join(dir, "r.txt")).mode & 0o777).toBe(0o606);
    expect(readFileSync(join(dir, "r.txt"), "utf8")).toBe("new");
  });

  it("replaces the file a symlink points to and leaves the link a link, also through a chain and when dangling", async () => {
    const dir = tmpFiles({ "real.json": "old" });
    symlinkSync("real.json", join(dir, "link1"));
    symlinkSync(join(dir, "link1"), join(dir, "link2"));
    symlinkSync("sub/new.json", join(dir, "dangling"));
    mkdirSync(join(dir, "sub"));
    await writeReport(join(dir, "link2"), "report");
    expect(readFileSync(join(dir, "real.json"), "utf8")).toBe("report");
    expect(lstatSync(join(dir, "link1")).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, "link2")).isSymbolicLink()).toBe(true);
    await writeReport(join(dir, "dangling"), "made");
    expect(lstatSync(join(dir, "dangling")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "sub", "new.json"), "utf8")).toBe("made");
  });

  it("refuses a directory and a symlink loop, naming the path", () => {
    const dir = tmpFiles({});
    symlinkSync("loop-b", join(dir, "loop-a"));
    symlinkSync("loop-a", join(dir, "loop-b"));
    expect(() => resolveOutput(dir)).toThrow(`cannot write ${dir}: it is a directory`);
    expect(() => resolveOutput(join(dir, "loop-a"))).toThrow(/loop-a: ELOOP \(too many levels of symbolic links\)$/);
  });
});

describe("writeReport to devices and descriptors", () => {
  it("writes through /dev/null: still the same character device afterwards", async () => {
    const before = statSync("/dev/null");
    await writeReport("/dev/null", "x".repeat(3 << 20));
    const after = lstatSync("/dev/null");
    expect(after.isCharacterDevice()).toBe(true);
    expect([after.ino, after.rdev]).toEqual([before.ino, before.rdev]);
  });
  it("reports a full device as a write error naming it", async () => {
    await expect(writeReport("/dev/full", "x")).rejects.toThrow("cannot write /dev/full: ENOSPC (no space left on device)");
  });
  it.each([
    ["/dev/stdout", 1], ["/dev/stderr", 2], ["/dev/fd/5", 5], ["/proc/self/fd/7", 7],
  ])("%s is descriptor %d of this process", (path, fd) => {
    expect(resolveOutput(path)).toEqual({ kind: "fd", path, fd });
  });
});

describe("stale temporary files", () => {
  it("removes .NAME.PID.tmp of ended processes beside the report it writes, and nothing else", async () => {
    const dead = deadPid();
    const files = {
      [`.r.json.${dead}.tmp`]: "stale",
      [`.r.json.${process.pid}.tmp`]: "this process, not in use",
      [`.r.json.1.tmp`]: "pid 1 runs",
      [`.other.json.${dead}.tmp`]: "another report's",
      [`.r.json.${dead}.tmp.keep`]: "not the pattern",
      [`r.json.${dead}.tmp`]: "not the pattern",
    };
    const dir = tmpFiles(files);
    await writeReport(join(dir, "r.json"), "new");
    expect(readdirSync(dir).sort()).toEqual([".other.json." + dead + ".tmp", ".r.json.1.tmp", `.r.json.${dead}.tmp.keep`, "r.json", `r.json.${dead}.tmp`].sort());
  });
  it("removes a stale temporary symlink itself, never what it points to", () => {
    const dir = tmpFiles({ "precious.txt": "keep" });
    symlinkSync(join(dir, "precious.txt"), join(dir, `.r.json.${deadPid()}.tmp`));
    removeStaleTemps(join(dir, "r.json"));
    expect(readdirSync(dir)).toEqual(["precious.txt"]);
    expect(readFileSync(join(dir, "precious.txt"), "utf8")).toBe("keep");
  });
});

describe("outputs that would overwrite what the run reads", () => {
  const dir = tmpFiles({ "in.log": "x", "inv.yaml": "roles: {}\n", "rs.yaml": "x", "base.json": "{}" });
  mkdirSync(join(dir, "logs"));
  writeFileSync(join(dir, "logs", "deep.log"), "x");
  linkSync(join(dir, "in.log"), join(dir, "hard.log"));
  symlinkSync("in.log", join(dir, "soft.log"));
  const reads = [
    { path: join(dir, "in.log"), what: "an input" },
    { path: join(dir, "logs", "deep.log"), what: "an input" },
    { path: join(dir, "inv.yaml"), what: "the inventory" },
    { path: join(dir, "rs.yaml"), what: "the ruleset" },
    { path: join(dir, "base.json"), what: "the baseline" },
  ];
  it.each([
    ["an input", "in.log", "an input"],
    ["an input found inside a directory", "logs/deep.log", "an input"],
    ["a hard link to an input", "hard.log", "an input"],
    ["a symlink to an input", "soft.log", "an input"],
    ["the same path spelt otherwise", "logs/../in.log", "an input"],
    ["the inventory", "inv.yaml", "the inventory"],
    ["the ruleset", "rs.yaml", "the ruleset"],
    ["the baseline", "base.json", "the baseline"],
  ])("refuses %s", (_what, out, what) => {
    expect(() => checkOutputs([join(dir, out)], reads)).toThrow(`--output ${join(dir, out)}: it is ${what} (`);
  });
  it("refuses one report named twice, and accepts new files and devices", () => {
    expect(() => checkOutputs([join(dir, "a.json"), join(dir, "logs", "..", "a.json")], reads)).toThrow(/the same file as --output/);
    expect(() => checkOutputs([join(dir, "new.json"), "/dev/null", "/dev/stdout"], reads)).not.toThrow();
  });
});

describe("what an interruption says", () => {
  it("names the reports written before it and those not written", () => {
    planReports(["a.json", "b\nc.html", "c.csv"]);
    expect(interruptionText("SIGINT")).toBe("interrupted (SIGINT); no report written");
  });
  it("is true after each report", async () => {
    const dir = tmpFiles({});
    const [a, b] = [join(dir, "a.json"), join(dir, "b.txt")];
    planReports([a, b]);
    await writeReport(a, "1");
    expect(interruptionText("SIGTERM")).toBe(`interrupted (SIGTERM) while writing reports; written: ${a}; not written: ${b}`);
    await writeReport(b, "2");
    expect(interruptionText("SIGTERM")).toBe(`interrupted (SIGTERM) after every report was written (${a}, ${b})`);
  });
});
