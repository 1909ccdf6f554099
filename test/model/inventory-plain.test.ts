// The plain inventory reader (src/model/inventory-plain.ts) against the yaml library's path, which is
// the reference: for every text the plain reader accepts, the same value, the same line:column for every
// path (and for paths that are not there), and the same inventory or the same errors from
// parseInventoryYaml; anything else must fall back. On every inventory of the repository (fixtures,
// tests, bench, the README's and docs' examples), on generated inventories of the documented shape and
// on mutated copies of all of them.
import { describe, it, expect, vi } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readPlainInventory, type InventorySource } from "../../src/model/inventory-plain.js";
import { parseInventoryYaml } from "../../src/model/inventory.js";
import { YamlSource, type YamlPath } from "../../src/model/yaml-source.js";
// Seeded (mulberry32), so that a failure can be reproduced.
import { prng } from "../decode/pcap/mutate.js";

const ROOT = join(import.meta.dirname, "..", "..");
const ROLES = ["kcps-fs", "kcps-fs-ad", "kcps-fs-dns", "file-share-client", "customer-admin-pc", "customer-ad", "customer-dns", "customer-mail"];

/** Every path of `value`, and beside each some that are not there (a missing key, index, or a step into a scalar). */
function paths(value: unknown, path: YamlPath = []): YamlPath[] {
  const out: YamlPath[] = [path, [...path, "no-such-key"], [...path, 0], [...path, 7]];
  if (Array.isArray(value)) value.forEach((x, i) => out.push(...paths(x, [...path, i])));
  else if (value !== null && typeof value === "object") for (const [k, x] of Object.entries(value)) out.push(...paths(x, [...path, k]));
  return out;
}

/** What the reader says about `text`: its value (key order kept) and every position it gives. */
function describeSource(src: InventorySource, value: unknown): string {
  const where = paths(value).map((p) => `${JSON.stringify(p)} ${JSON.stringify(src.position(p))} ${JSON.stringify(src.keyPosition(p))} ${src.error(p, "m").message}`);
  return [JSON.stringify(src.value), ...where].join("\n");
}

/** parseInventoryYaml's outcome with one reader: the inventory, or its error messages. */
function outcome(text: string, reader: "any" | "yaml"): string {
  try {
    const inv = parseInventoryYaml("inv.yaml", text, ROLES, reader);
    return JSON.stringify({ ...inv, variables: [...inv.variables] });
  } catch (e) {
    const err = e as Error & { problems?: Error[] };
    return "error: " + (err.problems?.map((p) => p.message).join("\n") ?? err.message);
  }
}

/** Holds the plain reader to the library on `text`; returns whether it accepted it. */
function agrees(text: string): boolean {
  const plain = readPlainInventory("inv.yaml", text);
  if (plain === undefined) return false;
  const yaml = YamlSource.parse("inv.yaml", text);
  expect(describeSource(plain, yaml.value), text).toBe(describeSource(yaml, yaml.value));
  expect(outcome(text, "any"), text).toBe(outcome(text, "yaml"));
  return true;
}


/** An inventory of the documented shape (README "Inventory"), with the variety the plain reader accepts. */
function generate(r: () => number): string {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const sp = (): string => " ".repeat(1 + Math.floor(r() * 3));
  const comment = (): string => (r() < 0.3 ? `${sp()}# ${pick(["note", "an office PC", "longest prefix wins: x", "キー", "[not] {a: list}"])}` : "");
  const addr = (): string => pick(["10.0.0.1", "10.0.0.0/24", "10.0.0.300", "10.0.1.5/16", "192.168.7.255", "fd00::1", "fd00:1::/64", "gw01", "dc-01", "0.0.0.0/0", "1.2.3"]);
  const scalar = (): string => {
    const a = addr();
    const quote = a.includes(":") ? pick(['"', "'"]) : pick(["", "", '"', "'"]);
    return quote + a + quote;
  };
  const seq = (): string => {
    const sep = pick([", ", ",", " , "]);
    const inner = Array.from({ length: 1 + Math.floor(r() * 3) }, scalar).join(sep);
    return pick(["[", "[ "]) + inner + pick(["]", " ]"]);
  };
  const indent = " ".repeat(1 + Math.floor(r() * 4));
  const lines: string[] = [];
  const filler = (): void => {
    if (r() < 0.2) lines.push("");
    if (r() < 0.2) lines.push(" ".repeat(Math.floor(r() * 6)) + "# a comment line");
  };
  filler();
  const sections = [...["roles", "hosts", "firewall", pick(["rols", "firewalls", "notes"])].filter(() => r() < 0.8)];
  if (!sections.includes("roles")) sections.push("roles");
  for (const section of sections.sort(() => r() - 0.5)) {
    if (section === "firewall" || (section !== "roles" && section !== "hosts" && r() < 0.5)) {
      lines.push(`${section}: ${seq()}${comment()}`);
    } else {
      lines.push(`${section}:${comment()}`);
      filler();
      const keys = section === "roles" ? [...ROLES, "printer", "kcps-fs-dc"] : ["gw01", "dc-01", "pc12", "CLIENT01"];
      const n = 1 + Math.floor(r() * 4);
      const used = new Set<string>();
      for (let i = 0; i < n; i++) {
        const k = pick(keys);
        if (used.has(k)) continue;
        used.add(k);
        lines.push(`${indent}${k}:${sp()}${section === "hosts" && r() < 0.7 ? scalar() : seq()}${comment()}`);
        filler();
      }
    }
  }
  return lines.join("\n") + pick(["\n", "", "\n\n"]);
}

const MUTATIONS = [" ", "  ", "#", ":", "-", "[", "]", ",", '"', "'", "{", "}", "\t", "\n", "\r", "0", "1", ".", "/", "a", "&", "*", "!", "|", ">", "%", "@", "`", "?", "~", "\\", "\u00e9", "\ufeff", "\u2028", "true", "null", "1e3", "0x1F"];

/** `text` with one edit: a YAML-significant character (or word) inserted, replacing one, or one deleted. */
function mutate(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  const what = MUTATIONS[Math.floor(r() * MUTATIONS.length)]!;
  const kind = r();
  if (kind < 0.4) return text.slice(0, at) + what + text.slice(at);
  if (kind < 0.8) return text.slice(0, at) + what + text.slice(at + 1);
  return text.slice(0, at) + text.slice(at + 1);
}

/** The YAML files of the repository that are inventories (they have a top-level `roles:` mapping of role ids to lists). */
function repoInventories(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      if (e === "node_modules" || e === "dist" || e === "rulesets" || e.startsWith(".")) continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e)) {
        const text = readFileSync(p, "utf8");
        if (/^roles:\s*(#.*)?$/m.test(text) && !/^\s+- id:/m.test(text)) out.push({ name: p.slice(ROOT.length + 1), text });
      }
    }
  };
  for (const d of ["fixtures", "test", "bench"]) walk(join(ROOT, d));
  return out;
}

/** The ```yaml examples of the README and docs/ that hold an inventory. */
function docExamples(): { name: string; text: string }[] {
  const files = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  return files.flatMap((f) =>
    [...readFileSync(join(ROOT, f), "utf8").matchAll(/```ya?ml\n([\s\S]*?)```/g)]
      .map((m, i) => ({ name: `${f} example ${i + 1}`, text: m[1]! }))
      .filter((x) => /^roles:/m.test(x.text) && !/^\s+- id:/m.test(x.text)),
  );
}

describe("plain inventory reader", () => {
  const repo = repoInventories();
  it("reads every inventory of the repository as the yaml library does", () => {
    expect(repo.length).toBeGreaterThanOrEqual(7);
    for (const { name, text } of repo) expect(agrees(text), name).toBe(true);
  });

  it("gives the library's value and positions for the README's examples, or leaves them to it", () => {
    const docs = docExamples();
    expect(docs.length).toBeGreaterThanOrEqual(1);
    // The README's example has `variables: {https_port: 8443}`, a flow mapping: the library reads it.
    for (const { text } of docs) agrees(text);
  });

  it("accepts generated inventories of the documented shape and agrees with the library on each", () => {
    const r = prng(18);
    let accepted = 0;
    for (let i = 0; i < 400; i++) if (agrees(generate(r))) accepted++;
    // Every generated text is in the subset (the 1024-character key limit, tabs, flow mappings and
    // block sequences are not generated), so every one must be read by the plain reader.
    expect(accepted).toBe(400);
  });

  it("agrees with the library on mutated inventories or leaves them to it", () => {
    const r = prng(7);
    const sources = [...repo.map((x) => x.text), ...Array.from({ length: 40 }, () => generate(r))];
    let accepted = 0;
    let total = 0;
    for (const text of sources) {
      for (let i = 0; i < 60; i++) {
        let m = mutate(text, r);
        if (r() < 0.3) m = mutate(m, r);
        total++;
        if (agrees(m)) accepted++;
      }
    }
    // Many edits (a space more, a letter in a name, a comment) keep the text in the subset: the
    // comparison above ran on those, not only on fallbacks.
    expect(accepted).toBeGreaterThan(total / 5);
    expect(accepted).toBeLessThan(total);
  });

  it.each([
    ["a flow mapping", "variables: {https_port: 8443}\nroles:\n  kcps-fs: [10.0.0.1]\n"],
    ["a block sequence", "roles:\n  kcps-fs:\n    - 10.0.0.1\n"],
    ["an {address, name} item", "roles:\n  kcps-fs: [{address: 10.0.0.1, name: fs}]\n"],
    ["a key twice", "roles:\n  kcps-fs: [10.0.0.1]\n  kcps-fs: [10.0.0.2]\n"],
    ["a top-level key twice", "roles:\n  kcps-fs: [10.0.0.1]\nroles:\n  kcps-fs-ad: [10.0.0.2]\n"],
    ["an integer", "roles:\n  kcps-fs: [10]\n"],
    ["a float", "roles:\n  kcps-fs: [10.5]\n"],
    ["an exponent", "roles:\n  kcps-fs: [1e3]\n"],
    ["a hexadecimal integer", "hosts:\n  gw: 0x1F\nroles:\n  kcps-fs: [10.0.0.1]\n"],
    ["a boolean", "roles:\n  kcps-fs: [true]\n"],
    ["a null word", "roles:\n  kcps-fs: [null]\n"],
    ["a numeric key", "hosts:\n  12: 10.0.0.1\nroles:\n  kcps-fs: [10.0.0.1]\n"],
    ["an empty section", "hosts:\nroles:\n  kcps-fs: [10.0.0.1]\n"],
    ["an empty list", "roles:\n  kcps-fs: []\n"],
    ["a trailing comma", "roles:\n  kcps-fs: [10.0.0.1, ]\n"],
    ["a list over two lines", "roles:\n  kcps-fs: [10.0.0.1,\n    10.0.0.2]\n"],
    ["an escape", 'roles:\n  kcps-fs: ["10.0.0.\\x31"]\n'],
    ["a tab", "roles:\n\tkcps-fs: [10.0.0.1]\n"],
    ["CRLF line ends", "roles:\r\n  kcps-fs: [10.0.0.1]\r\n"],
    ["a byte order mark", "\ufeffroles:\n  kcps-fs: [10.0.0.1]\n"],
    ["an anchor", "roles:\n  kcps-fs: &a [10.0.0.1]\n"],
    ["a tag", "roles:\n  kcps-fs: !!seq [10.0.0.1]\n"],
    ["a document marker", "---\nroles:\n  kcps-fs: [10.0.0.1]\n"],
    ["two indentations", "roles:\n  kcps-fs: [10.0.0.1]\n   kcps-fs-ad: [10.0.0.2]\n"],
    ["a second level", "roles:\n  kcps-fs:\n    x: [10.0.0.1]\n"],
    ["an indented top key", "  roles:\n    kcps-fs: [10.0.0.1]\n"],
    ["no space after the colon", "roles:\n  kcps-fs:[10.0.0.1]\n"],
    ["a comment without a space before it", "roles:\n  kcps-fs: [10.0.0.1]# c\n"],
    ["a plain scalar with a space", "hosts:\n  gw: 10.0.0.1 x\nroles:\n  kcps-fs: [10.0.0.1]\n"],
    ["a scalar at the top", "roles: kcps-fs\n"],
    ["nothing but comments", "# nothing\n"],
    ["an empty file", ""],
  ])("leaves %s to the library", (_what, text) => {
    expect(readPlainInventory("inv.yaml", text)).toBeUndefined();
  });

  it("names the same line:column in errors as the library path", () => {
    const text = "# c\nhosts:\n  gw: 10.9.9.0/24   # a prefix\nroles:\n  kcps-fs: [10.0.0.1, '10.0.0.300']\n  printer: [10.0.0.2]\nfirewall: [gw9]\n";
    expect(readPlainInventory("inv.yaml", text)).toBeDefined();
    expect(outcome(text, "any")).toBe(outcome(text, "yaml"));
    expect(outcome(text, "any").split("\n")).toEqual([
      "error: inv.yaml:3:7: host gw: 10.9.9.0/24 is a prefix; a host name names one address",
      'inv.yaml:5:23: bad address: "10.0.0.300" is not an IPv4 or IPv6 address or CIDR prefix',
      expect.stringMatching(/^inv\.yaml:6:3: unknown role "printer"/),
      'inv.yaml:7:12: firewall: "gw9" is not an IPv4 or IPv6 address or CIDR prefix',
    ]);
  });
});

describe("parseInventoryYaml's choice of reader", () => {
  it("reads the plain shape without the yaml library and anything else with it", () => {
    const parse = vi.spyOn(YamlSource, "parse");
    try {
      parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs: [10.0.0.1]\n", ROLES);
      expect(parse).not.toHaveBeenCalled();
      parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs:\n    - 10.0.0.1\n", ROLES);
      expect(parse).toHaveBeenCalledTimes(1);
      parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs: [10.0.0.1]\n", ROLES, "yaml");
      expect(parse).toHaveBeenCalledTimes(2);
    } finally {
      parse.mockRestore();
    }
  });
});
