import { describe, it, expect } from "vitest";
import { execFileSync } from "node:child_process";
import { closeSync, openSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_LIMITS, preloadConfig, readConfigText } from "../../src/source/config.js";
import { loadInventory } from "../../src/model/inventory.js";
import { loadRulesetDef } from "../../src/model/ruleset.js";
import { readReport } from "../../src/cli/check.js";
import { tmpFiles } from "../helpers/tmp.js";

const ROLES = ["kcps-fs", "file-share-client", "customer-ad", "customer-admin-pc", "customer-dns"];

describe("config files are read with a size cap, on one line, never blocking", () => {
  // Sparse files: a size past the cap costs no disk.
  const dir = tmpFiles({ "inv.yaml": "roles:\n  kcps-fs: [10.0.0.1]\n" });
  const huge = (name: string, size: number) => { const p = join(dir, name); writeFileSync(p, ""); truncateSync(p, size); return p; };
  const loaders: [what: string, load: (p: string) => unknown, limit: number][] = [
    ["inventory", (p) => loadInventory(p, ROLES), CONFIG_LIMITS.inventory],
    ["ruleset", (p) => loadRulesetDef(p), CONFIG_LIMITS.ruleset],
    ["report", (p) => readReport(p), CONFIG_LIMITS.report],
  ];
  for (const [what, load, limit] of loaders) {
    it(`${what === "inventory" ? "an" : "a"} ${what} one byte over ${limit / 1024 / 1024} MiB is refused before it is read`, () => {
      const p = huge(`big-${what}.yaml`, limit + 1);
      expect(() => load(p)).toThrow(new RegExp(`big-${what}\\.yaml: ${limit + 1} bytes is larger than the ${limit / 1024 / 1024} MiB limit for an? ${what}`));
    });
    it(`${what === "inventory" ? "an" : "a"} ${what} that is a character device (/dev/zero) is refused, not read until memory runs out`, async () => {
      await preloadConfig([["/dev/zero", what as "inventory"]]);
      expect(() => load("/dev/zero")).toThrow(new RegExp(`/dev/zero: cannot read ${what}: it is a character device, not a file`));
    });
  }

  it("reads an inventory from a FIFO (a shell's <(...)) before the synchronous loader needs it", async () => {
    const fifo = join(dir, "inv-fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    setTimeout(() => { const fd = openSync(fifo, "r+"); writeSync(fd, "roles:\n  kcps-fs: [10.0.0.9]\n"); closeSync(fd); }, 100);
    await preloadConfig([[fifo, "inventory"]], { fifoWriterTimeoutMs: 5000 });
    expect(loadInventory(fifo, ROLES).entries).toHaveLength(1);
  });

  it("gives up on a FIFO no program writes to, with an error naming it", async () => {
    const fifo = join(dir, "silent.yaml");
    execFileSync("mkfifo", [fifo]);
    await preloadConfig([[fifo, "inventory"]], { fifoWriterTimeoutMs: 100 });
    expect(() => readConfigText(fifo, "inventory")).toThrow(/silent\.yaml: is a FIFO \(named pipe\) and no program wrote to it/);
  });

  it("refuses a FIFO that was not read in advance instead of blocking", () => {
    const fifo = join(dir, "late.yaml");
    execFileSync("mkfifo", [fifo]);
    expect(() => readConfigText(fifo, "ruleset")).toThrow(/late\.yaml: cannot read ruleset: it is a FIFO that was not read in advance/);
  });

  it("keeps the messages for a missing file and a directory", () => {
    expect(() => readConfigText(join(dir, "nope.yaml"), "inventory")).toThrow(/nope\.yaml: cannot read inventory \(ENOENT\)/);
    expect(() => readConfigText(dir, "report")).toThrow(/cannot read report \(EISDIR\)/);
  });
});
