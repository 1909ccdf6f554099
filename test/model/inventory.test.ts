import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { loadInventory, parseInventoryYaml, parseInventoryCsv, parsePrefix } from "../../src/model/inventory.js";
import { ValidationErrors } from "../../src/errors.js";
import { RoleLookup } from "../../src/match/roles.js";
import { parseAddr } from "../../src/net/addr.js";
import { tmpFiles } from "../helpers/tmp.js";

const ROLES = ["kcps-fs", "kcps-fs-ad", "file-share-client", "customer-ad", "customer-dns"];

function lookup(inv: ReturnType<typeof parseInventoryYaml>, addr: string): string[] {
  const r = new RoleLookup(ROLES, inv);
  const w = new Uint32Array(4);
  const fam = parseAddr(addr, w);
  return r.setRoleIds(r.lookup(fam, w, 0));
}

describe("inventory", () => {
  const inv = parseInventoryYaml("inv.yaml", `
roles:
  file-share-client: [10.0.0.0/16, "fd00:1::/64"]
  kcps-fs: [10.0.1.10, "fd00:1::10"]
  customer-dns: [10.0.1.0/24]
  customer-ad: [10.0.1.20, {address: 10.0.1.53, name: dc-dns}]
  kcps-fs-ad: [10.0.1.20]
`, ROLES);

  it("longest prefix wins", () => {
    expect(lookup(inv, "10.0.1.10")).toEqual(["kcps-fs"]);
    expect(lookup(inv, "10.0.1.11")).toEqual(["customer-dns"]);
    expect(lookup(inv, "10.0.2.11")).toEqual(["file-share-client"]);
    expect(lookup(inv, "10.1.0.1")).toEqual([]);
    expect(lookup(inv, "fd00:1::10")).toEqual(["kcps-fs"]);
    expect(lookup(inv, "fd00:1::11")).toEqual(["file-share-client"]);
    expect(lookup(inv, "fd00:2::1")).toEqual([]);
  });
  it("a host listed under two roles holds both", () => {
    expect(lookup(inv, "10.0.1.20").sort()).toEqual(["customer-ad", "kcps-fs-ad"]);
  });
  it("keeps host names", () => {
    const r = new RoleLookup(ROLES, inv);
    expect(r.hostName(4, [parseIPv4("10.0.1.53")], 0)).toBe("dc-dns");
  });
  it("handles the edges of the address space", () => {
    const e = parseInventoryYaml("e.yaml", "roles:\n  kcps-fs: [0.0.0.0/0]\n  customer-ad: [255.255.255.255, 0.0.0.0]\n", ROLES);
    expect(lookup(e, "255.255.255.255")).toEqual(["customer-ad"]);
    expect(lookup(e, "255.255.255.254")).toEqual(["kcps-fs"]);
    expect(lookup(e, "0.0.0.0")).toEqual(["customer-ad"]);
    expect(lookup(e, "0.0.0.1")).toEqual(["kcps-fs"]);
  });
  it("an unknown role is an error at its line:column with the near misses and the known roles", () => {
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs: [10.0.0.1]\n  kcps-fs-dc: [10.0.0.2]\n", ROLES))
      .toThrow(/^inv\.yaml:3:3: unknown role "kcps-fs-dc"; did you mean "kcps-fs-ad" or "kcps-fs"\? known roles: kcps-fs, kcps-fs-ad, file-share-client, customer-ad, customer-dns$/);
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  printer: [10.0.0.2]\n", ROLES)).toThrow(/^inv\.yaml:2:3: unknown role "printer"; known roles: kcps-fs,/);
    expect(() => parseInventoryCsv("inv.csv", "10.0.0.1,Customer-DNS\n", ROLES)).toThrow(/^inv\.csv:1:1: unknown role "Customer-DNS"; did you mean "customer-dns" or "customer-ad"\?/);
  });

  it("reports every problem of the file in one run, each at its line:column", () => {
    const text = [
      "roles:",                                   // 1
      "  kcps-fs: [10.0.0.1, 10.0.0.300]",       // 2: bad address at col 24
      "  kcps-fs-dc: [10.0.0.2]",                 // 3: unknown role
      "  customer-ad:",                           // 4
      "    - 10.0.1.0/24",                        // 5
      "    - 10.0.1.0/24",                        // 6: twice
      "    - {name: x}",                          // 7: no address
      "rols: {}",                                 // 8: unknown field
      "hosts: {dc: 10.9.9.0/24}",                 // 9: a prefix as a host
      "firewall: [gw9]",                          // 10: neither address nor name
    ].join("\n") + "\n";
    let err: unknown;
    try { parseInventoryYaml("inv.yaml", text, ROLES); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ValidationErrors);
    expect((err as ValidationErrors).problems.map((p) => p.message)).toEqual([
      'inv.yaml:8:1: inventory: unknown field "rols"; did you mean "roles"? expected roles, hosts, variables, firewall',
      "inv.yaml:9:13: host dc: 10.9.9.0/24 is a prefix; a host name names one address",
      'inv.yaml:2:23: bad address: "10.0.0.300" is not an IPv4 or IPv6 address or CIDR prefix',
      'inv.yaml:3:3: unknown role "kcps-fs-dc"; did you mean "kcps-fs-ad" or "kcps-fs"? known roles: kcps-fs, kcps-fs-ad, file-share-client, customer-ad, customer-dns',
      'inv.yaml:6:7: "10.0.1.0/24" is listed twice under role customer-ad (first at line 5)',
      'inv.yaml:7:7: role customer-ad: expected an address or CIDR prefix (or {address, name}), got undefined',
      'inv.yaml:10:12: firewall: "gw9" is not an IPv4 or IPv6 address or CIDR prefix',
    ]);
    expect(() => parseInventoryCsv("inv.csv", "10.0.0.1,kcps-fs\n10.0.0.x,kcps-fs\n10.0.0.3\n10.0.0.4,nobody\n", ROLES)).toThrow(
      /^inv\.csv:2:1: bad address.*\ninv\.csv:3: expected "address,role\[,name\]", with an address and a role\ninv\.csv:4:1: unknown role "nobody"/);
    // An unknown role's addresses are checked too, and an address with several roles is checked once.
    let yamlErr: unknown;
    try { parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs-dc: [10.0.0.2/24, 10.0.0.999]\n  kcps-fs: [10.0.0.1]\n", ROLES); } catch (e) { yamlErr = e; }
    expect((yamlErr as ValidationErrors).problems.map((p) => p.message)).toEqual([
      'inv.yaml:2:3: unknown role "kcps-fs-dc"; did you mean "kcps-fs-ad" or "kcps-fs"? known roles: kcps-fs, kcps-fs-ad, file-share-client, customer-ad, customer-dns',
      'inv.yaml:2:16: bad address: "10.0.0.2/24" has host bits set; did you mean 10.0.0.0/24?',
      'inv.yaml:2:29: bad address: "10.0.0.999" is not an IPv4 or IPv6 address or CIDR prefix',
    ]);
    let csvErr: unknown;
    try { parseInventoryCsv("inv.csv", "10.0.0.1,kcps-fs\n10.0.0.x,kcps-fs;nobody;customer-ad\n", ROLES); } catch (e) { csvErr = e; }
    expect((csvErr as ValidationErrors).problems.map((p) => p.message)).toEqual([
      'inv.csv:2:1: unknown role "nobody"; known roles: kcps-fs, kcps-fs-ad, file-share-client, customer-ad, customer-dns',
      'inv.csv:2:1: bad address: "10.0.0.x" is not an IPv4 or IPv6 address or CIDR prefix',
    ]);
  });

  it("warns when a prefix lies inside a prefix of other roles, naming both lines and what wins", () => {
    const w = parseInventoryYaml("inv.yaml", [
      "roles:",
      "  file-share-client: [10.0.0.0/16, \"fd00:1::/48\"]",
      "  customer-dns: [10.0.1.0/24]",
      "  customer-ad: [10.0.1.128/25, 10.0.1.20, \"fd00:1:0:5::/64\"]",
      "  kcps-fs: [10.0.2.0/24, 10.9.0.0/16]",
      "  kcps-fs-ad: [10.9.0.0/16, 10.9.3.0/24]",
    ].join("\n") + "\n", ROLES).warnings;
    expect(w).toEqual([
      "inv.yaml:3:18: 10.0.1.0/24 (customer-dns) lies inside 10.0.0.0/16 (file-share-client, inv.yaml:2:23): the longest prefix wins, so addresses in 10.0.1.0/24 hold only customer-dns, not file-share-client; list 10.0.1.0/24 under both roles if it plays both",
      "inv.yaml:4:17: 10.0.1.128/25 (customer-ad) lies inside 10.0.1.0/24 (customer-dns, inv.yaml:3:18): the longest prefix wins, so addresses in 10.0.1.128/25 hold only customer-ad, not customer-dns; list 10.0.1.128/25 under both roles if it plays both",
      "inv.yaml:5:13: 10.0.2.0/24 (kcps-fs) lies inside 10.0.0.0/16 (file-share-client, inv.yaml:2:23): the longest prefix wins, so addresses in 10.0.2.0/24 hold only kcps-fs, not file-share-client; list 10.0.2.0/24 under both roles if it plays both",
      "inv.yaml:6:29: 10.9.3.0/24 (kcps-fs-ad) lies inside 10.9.0.0/16 (kcps-fs, kcps-fs-ad, inv.yaml:5:26): the longest prefix wins, so addresses in 10.9.3.0/24 hold only kcps-fs-ad, not kcps-fs; list 10.9.3.0/24 under both roles if it plays both",
      "inv.yaml:4:43: fd00:1:0:5::/64 (customer-ad) lies inside fd00:1::/48 (file-share-client, inv.yaml:2:36): the longest prefix wins, so addresses in fd00:1:0:5::/64 hold only customer-ad, not file-share-client; list fd00:1:0:5::/64 under both roles if it plays both",
    ]);
    // A single host inside a network is how one singles it out: no warning; nor for the same roles.
    expect(parseInventoryYaml("i.yaml", "roles:\n  file-share-client: [10.0.0.0/24, 10.0.0.0/25]\n  kcps-fs: [10.0.0.10]\n", ROLES).warnings).toEqual([]);
    // Nor when the inner prefix also holds the outer roles (what the warning advises): no role is lost.
    expect(parseInventoryYaml("i.yaml", "roles:\n  file-share-client: [10.0.0.0/24, 10.0.0.0/25]\n  customer-ad: [10.0.0.0/25]\n", ROLES).warnings).toEqual([]);
    expect(parseInventoryCsv("i.csv", "10.0.0.0/24,file-share-client\n10.0.0.0/26,kcps-fs\n", ROLES).warnings).toEqual([
      "i.csv:2:1: 10.0.0.0/26 (kcps-fs) lies inside 10.0.0.0/24 (file-share-client, i.csv:1:1): the longest prefix wins, so addresses in 10.0.0.0/26 hold only kcps-fs, not file-share-client; list 10.0.0.0/26 under both roles if it plays both",
    ]);
  });

  it("hosts: names an address listed under a role or inside a listed prefix, and warns of a name no role covers", () => {
    const h = parseInventoryYaml("inv.yaml", "hosts:\n  pc01: 10.0.0.7\n  fs01: 10.0.1.10\n  lost: 192.0.2.1\nroles:\n  file-share-client: [10.0.0.0/24]\n  kcps-fs: [10.0.1.10]\n", ROLES);
    const r = new RoleLookup(ROLES, h);
    expect(r.hostName(4, [parseIPv4("10.0.0.7")], 0)).toBe("pc01");
    expect(r.hostName(4, [parseIPv4("10.0.1.10")], 0)).toBe("fs01");
    expect(h.warnings).toEqual(['inv.yaml:4:3: host lost (192.0.2.1) is in no role\'s addresses: it takes no part in any check; list 192.0.2.1 under its role in "roles:"']);
  });
  it("a bad CIDR is an error at its line", () => {
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs:\n    - 10.0.0.1\n    - 10.0.0.300/24\n", ROLES)).toThrow(/^inv\.yaml:4:7: bad address: "10\.0\.0\.300\/24"/);
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs: [10.0.0.0/33]\n", ROLES)).toThrow(/prefix length must be 0\.\.32/);
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs: [10.0.0.1/24]\n", ROLES)).toThrow(/host bits set; did you mean 10\.0\.0\.0\/24/);
  });
  it("a key given twice in a mapping is an error at the second one", () => {
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs: [10.0.0.1]\n  customer-ad: [10.0.0.2]\n  kcps-fs: [10.0.0.3]\n", ROLES))
      .toThrow(/^inv\.yaml:4:3: YAML error: Map keys must be unique \("kcps-fs" is given twice\)/);
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs: [{address: 10.0.0.1, name: a, name: b}]\n", ROLES))
      .toThrow(/^inv\.yaml:2:42: YAML error: Map keys must be unique \("name" is given twice\)/);
    // Every key given twice, in one run.
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs: [10.0.0.1]\n  kcps-fs: [10.0.0.3]\n  customer-ad: [10.0.0.2]\n  customer-ad: [10.0.0.4]\n", ROLES))
      .toThrow(/^inv\.yaml:3:3: YAML error: Map keys must be unique \("kcps-fs" is given twice\)\ninv\.yaml:5:3: YAML error: Map keys must be unique \("customer-ad" is given twice\)$/);
  });
  it("duplicate and conflicting entries are errors naming both lines", () => {
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs:\n    - 10.0.0.1\n    - 10.0.0.1\n", ROLES)).toThrow(/inv\.yaml:4:7: "10\.0\.0\.1" is listed twice under role kcps-fs \(first at line 3\)/);
    expect(() => parseInventoryYaml("inv.yaml", "roles:\n  kcps-fs: [{address: 10.0.0.1, name: a}]\n  customer-ad: [{address: 10.0.0.1, name: b}]\n", ROLES)).toThrow(/named "b" here but "a" at line 2/);
  });
  it("reads CSV (address,role[,name]) with a header and comments", () => {
    const c = parseInventoryCsv("inv.csv", "address,role,name\n# office\n10.0.0.0/24,file-share-client\n10.0.0.10,kcps-fs,fs01\nfd00::10,kcps-fs,fs01\n", ROLES);
    expect(lookup(c, "10.0.0.10")).toEqual(["kcps-fs"]);
    expect(lookup(c, "fd00::10")).toEqual(["kcps-fs"]);
    expect(() => parseInventoryCsv("inv.csv", "10.0.0.1,kcps-fs\n10.0.0.2,nobody\n", ROLES)).toThrow(/^inv\.csv:2:1: unknown role "nobody"/);
  });
  describe("CSV header rows and spreadsheet exports", () => {
    const rows = (text: string) => parseInventoryCsv("inv.csv", text, ROLES).entries.map((e) => [e.text, e.roles.join("+"), e.name ?? null]);
    it.each([
      ["ip,role,name", "ip,role,name\n10.0.0.10,kcps-fs,fs01\n"],
      ["any case, any order", "Hostname,ROLE,IP Address\nfs01,kcps-fs,10.0.0.10\n"],
      ["an Excel UTF-8 BOM", "\ufeffip,role,name\r\n10.0.0.10,kcps-fs,fs01\r\n"],
      ["a BOM without a header", "\ufeff10.0.0.10,kcps-fs,fs01\n"],
      ["cidr and host", "cidr,role,host\n10.0.0.10,kcps-fs,fs01\n"],
      ["network and roles", "Network,Roles,name\n10.0.0.10,kcps-fs,fs01\n"],
      ["ip_address", "ip_address,role,name\n10.0.0.10,kcps-fs,fs01\n"],
      ["semicolons (a spreadsheet where the decimal separator is a comma)", "IP;Role;Name\r\n10.0.0.10;kcps-fs;fs01\r\n"],
      ["tabs", "ip\trole\tname\n10.0.0.10\tkcps-fs\tfs01\n"],
    ])("%s", (_what, text) => {
      expect(rows(text)).toEqual([["10.0.0.10", "kcps-fs", "fs01"]]);
    });
    it("other columns of an asset list are read past, and named in a warning", () => {
      const inv = parseInventoryCsv("inv.csv", "Hostname,IP Address,Role,Owner,Location\nfs01,10.0.0.10,kcps-fs,bob,DC1\n", ROLES);
      expect(inv.entries.map((e) => [e.text, e.roles.join("+"), e.name ?? null])).toEqual([["10.0.0.10", "kcps-fs", "fs01"]]);
      expect(inv.warnings).toEqual(['inv.csv:1: header: columns "Owner", "Location" are no inventory field and ignored (read: "IP Address" as address, "Role" as role, "Hostname" as name)']);
    });
    it("a roles cell may list several roles", () => {
      expect(rows("address,roles\n10.0.0.10,kcps-fs;customer-ad\n")).toEqual([["10.0.0.10", "kcps-fs+customer-ad", null]]);
    });
    it.each([
      ["a misspelt address column", "adress,role\n10.0.0.1,kcps-fs\n", /^inv\.csv:1: header: no address column; name one ip, address or cidr; is "adress" meant to be it\? \(known names, any case: ip, /],
      ["two address columns", "ip,cidr,role\n10.0.0.1,10.0.0.1,kcps-fs\n", /^inv\.csv:1:2: header: two columns for the address \("ip" and "cidr"\)/],
      ["no role column", "ip,name\n10.0.0.1,fs01\n", /^inv\.csv:1: header: no role column/],
      ["a row longer than the header", "ip,role\n10.0.0.1,kcps-fs,fs01\n", /^inv\.csv:2: expected the header's 2 columns, got 3 columns/],
      ["a header word used as a role in a data row", "10.0.0.1,role\n", /^inv\.csv:1:1: unknown role "role"/],
    ])("%s is an error naming the line", (_what, text, re) => {
      expect(() => parseInventoryCsv("inv.csv", text, ROLES)).toThrow(re);
    });
  });
  it("picks YAML or CSV by content and reads variables from YAML", () => {
    const dir = tmpFiles({
      "a.txt": "10.0.0.1,kcps-fs\n", "b.yaml": "variables: {https_port: 8443}\nroles:\n  kcps-fs: [10.0.0.1]\n",
      "excel.txt": "\ufeffIP,Role,Name\r\n10.0.0.1,kcps-fs,fs01\r\n", "bom.yaml": "\ufeffroles:\n  kcps-fs: [10.0.0.1]\n",
      "semi.txt": "\ufeffIP;Role\r\n10.0.0.1;kcps-fs\r\n",
    });
    expect(loadInventory(join(dir, "semi.txt"), ROLES).entries.map((e) => [e.text, e.roles])).toEqual([["10.0.0.1", ["kcps-fs"]]]);
    expect(loadInventory(join(dir, "a.txt"), ROLES).entries).toHaveLength(1);
    expect(loadInventory(join(dir, "excel.txt"), ROLES).entries.map((e) => [e.text, e.roles, e.name])).toEqual([["10.0.0.1", ["kcps-fs"], "fs01"]]);
    expect(loadInventory(join(dir, "bom.yaml"), ROLES).entries).toHaveLength(1);
    expect(loadInventory(join(dir, "b.yaml"), ROLES).variables.get("https_port")).toBe(8443);
    expect(() => loadInventory(join(dir, "missing.yaml"), ROLES)).toThrow(/missing\.yaml: cannot read inventory \(ENOENT\)/);
  });
  it("parses prefixes of both families", () => {
    expect(parsePrefix("::ffff:10.0.0.1")).toMatchObject({ family: 4, prefixLength: 32 });
    expect(parsePrefix("2001:db8::/32")).toMatchObject({ family: 6, prefixLength: 32 });
    expect(typeof parsePrefix("2001:db8::1/129")).toBe("string");
    expect(typeof parsePrefix("010.0.0.1")).toBe("string");
  });
});

function parseIPv4(s: string): number {
  const w = new Uint32Array(4);
  parseAddr(s, w);
  return w[0]!;
}

/** An address as one unsigned integer (IPv4: 32 bits in word 0; IPv6: 128 bits, word 0 highest). */
function toBig(family: 4 | 6, words: ArrayLike<number>): bigint {
  if (family === 4) return BigInt(words[0]! >>> 0);
  let v = 0n;
  for (let k = 0; k < 4; k++) v = (v << 32n) | BigInt(words[k]! >>> 0);
  return v;
}
function fromBig(family: 4 | 6, v: bigint): Uint32Array {
  const w = new Uint32Array(4);
  if (family === 4) w[0] = Number(v);
  else for (let k = 3; k >= 0; k--, v >>= 32n) w[k] = Number(v & 0xffffffffn);
  return w;
}

/**
 * ip-cidr (an independent implementation) is the oracle for the arithmetic of our prefixes, on both
 * families, on random addresses (most with host bits set) and random prefix lengths: the network
 * address parsePrefix accepts or suggests, and which addresses the compiled inventory puts inside:
 * first and last address, one random address inside, and the neighbours just outside.
 */
describe("prefix arithmetic agrees with ip-cidr", () => {
  const bits = { 4: 32, 6: 128 } as const;

  async function agree(family: 4 | 6, addr: bigint, len: number, offset: bigint, text: string): Promise<"network" | "host-bits"> {
    const { default: IPCIDR } = await import("ip-cidr");
    const { formatAddr } = await import("../../src/net/addr.js");
    const max = (1n << BigInt(bits[family])) - 1n;
    const cidr = new IPCIDR(`${text}/${len}`);
    const start = BigInt(cidr.start<bigint>({ type: "bigInteger" }));
    const end = BigInt(cidr.end<bigint>({ type: "bigInteger" }));
    const what = `${text}/${len}`;

    const p = parsePrefix(`${text}/${len}`);
    let kind: "network" | "host-bits";
    if (addr === start) {
      if (typeof p === "string") throw new Error(`${what}: ${p}`);
      expect(p.family, what).toBe(family);
      expect(toBig(family, p.words), what).toBe(start);
      kind = "network";
    } else {
      // Host bits set: refused, suggesting the network address ip-cidr computes.
      expect(typeof p, what).toBe("string");
      const m = new RegExp(`has host bits set; did you mean (\\S+)/${len}\\?$`).exec(p as string);
      expect(m, `${what}: ${String(p)}`).not.toBeNull();
      const w = new Uint32Array(4);
      expect(parseAddr(m![1]!, w), what).toBe(family);
      expect(toBig(family, w), what).toBe(start);
      kind = "host-bits";
    }

    const net = formatAddr(family, fromBig(family, start), 0);
    const inv = parseInventoryYaml("i.yaml", `roles:\n  kcps-fs: ["${net}/${len}"]\n`, ROLES);
    const r = new RoleLookup(ROLES, inv);
    const inside = start + (offset % (end - start + 1n));
    const probes = [start, end, inside, start - 1n, end + 1n].filter((v) => v >= 0n && v <= max);
    for (const v of probes) {
      const words = fromBig(family, v);
      const shown = formatAddr(family, words, 0);
      expect(r.setRoleIds(r.lookup(family, words, 0)).length === 1, `${shown} in ${net}/${len}`).toBe(cidr.contains(shown));
    }
    return kind;
  }

  it("IPv4", async () => {
    const fc = (await import("fast-check")).default;
    const kinds = new Set<string>();
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), async (a, len, off) => {
      const text = [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");
      kinds.add(await agree(4, BigInt(a), len, off, text));
    }), { numRuns: 400, seed: 7 });
    expect([...kinds].sort()).toEqual(["host-bits", "network"]);
  });

  it("IPv6, written in full and compressed", async () => {
    const fc = (await import("fast-check")).default;
    const { formatAddr } = await import("../../src/net/addr.js");
    const kinds = new Set<string>();
    const max = (1n << 128n) - 1n;
    // ::ffff:0:0/96 (IPv4-mapped) is read as the IPv4 host it carries; it is not an IPv6 prefix.
    const notMapped = (v: bigint) => v >> 32n !== 0xffffn;
    await fc.assert(fc.asyncProperty(fc.bigInt({ min: 0n, max }).filter(notMapped), fc.integer({ min: 0, max: 128 }), fc.bigInt({ min: 0n, max }), fc.boolean(), async (a, len, off, full) => {
      const w = fromBig(6, a);
      const text = full ? Array.from(w, (x) => `${(x >>> 16).toString(16)}:${(x & 0xffff).toString(16)}`).join(":") : formatAddr(6, w, 0);
      kinds.add(await agree(6, a, len, off, text));
    }), { numRuns: 400, seed: 7 });
    expect([...kinds].sort()).toEqual(["host-bits", "network"]);
  });
});
