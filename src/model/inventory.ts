import { readConfigText } from "../source/config.js";
import { parse as parseCsv } from "csv-parse/sync";
import { ValidationError, ValidationErrors } from "../errors.js";
import { parseAddr, formatAddr } from "../net/addr.js";
import { YamlSource, type YamlPath } from "./yaml-source.js";
import { readPlainInventory, type InventorySource } from "./inventory-plain.js";
import { knownList } from "./validate.js";
import { closest, didYouMean } from "./suggest.js";
import { overlapWarnings, unusedHostWarnings } from "./inventory-warnings.js";

/** One address or prefix of the inventory, with the roles it holds. */
export interface InventoryEntry {
  family: 4 | 6;
  /** Network address, four words (IPv4 in word 0), host bits cleared. */
  words: [number, number, number, number];
  prefixLength: number;
  roles: string[];
  name?: string;
  /** As written, for messages. */
  text: string;
  line: number;
  column: number;
}

export interface Inventory {
  file: string;
  entries: InventoryEntry[];
  /** Variable overrides the inventory carries (`variables:` in YAML). */
  variables: Map<string, number | string>;
  /**
   * The firewall's own addresses (`firewall:` in YAML: addresses or names from `hosts:`). Traffic to them
   * meets the firewall's input hook, not its forward hook; `export` writes rules for both.
   */
  firewall: FirewallAddress[];
  /**
   * Names from `hosts:` (YAML), each for one address. An entry under `roles:` with that address takes the
   * name; an address inside a listed prefix is named too (in reports, and `why NAME` finds it).
   */
  hosts: HostName[];
  /**
   * What is valid but probably not meant, one line each with its position (`file:line:col: ...`): a
   * prefix inside a prefix of other roles (longest prefix wins, so it takes the inner addresses away from
   * the outer roles), a `hosts:` name no role uses. The CLI prints them on stderr.
   */
  warnings: string[];
}

export interface FirewallAddress {
  family: 4 | 6;
  words: [number, number, number, number];
  prefixLength: number;
  text: string;
  line: number;
  column: number;
}

const ROLE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Parse "10.0.0.0/24", "10.0.0.1", "fd00::/64" into an entry (without roles). */
export function parsePrefix(text: string): { family: 4 | 6; words: [number, number, number, number]; prefixLength: number } | string {
  const t = text.trim();
  const slash = t.indexOf("/");
  const addrText = slash >= 0 ? t.slice(0, slash) : t;
  const words: [number, number, number, number] = [0, 0, 0, 0];
  const family = parseAddr(addrText, words);
  if (family === 0) return `"${text}" is not an IPv4 or IPv6 address or CIDR prefix`;
  const max = family === 4 ? 32 : 128;
  let len = max;
  if (slash >= 0) {
    const lt = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lt) || Number(lt) > max) return `"${text}": prefix length must be 0..${max}`;
    len = Number(lt);
  }
  const masked = maskWords(words, family === 4 ? len : len, family);
  if (masked.some((w, k) => w !== words[k])) {
    return `"${text}" has host bits set; did you mean ${formatAddr(family, masked, 0)}/${len}?`;
  }
  return { family, words, prefixLength: len };
}

function maskWords(w: readonly number[], len: number, family: 4 | 6): [number, number, number, number] {
  const out: [number, number, number, number] = [0, 0, 0, 0];
  const nWords = family === 4 ? 1 : 4;
  for (let k = 0; k < nWords; k++) {
    const bits = Math.max(0, Math.min(32, len - 32 * k));
    const mask = bits === 0 ? 0 : bits === 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    out[k] = (w[k]! & mask) >>> 0;
  }
  return out;
}

export function loadInventory(file: string, roleIds: readonly string[]): Inventory {
  return parseInventoryText(file, readConfigText(file, "inventory"), roleIds);
}

/** An inventory's text, YAML or CSV (by name, else by content), as loadInventory reads the file. */
export function parseInventoryText(file: string, text: string, roleIds: readonly string[]): Inventory {
  const isCsv = /\.csv$/i.test(file) || (!/\.ya?ml$/i.test(file) && /^[^:#\n]*[,;\t][^\n]*\n/.test(text) && !/^\s*roles\s*:/m.test(text));
  return isCsv ? parseInventoryCsv(file, text, roleIds) : parseInventoryYaml(file, text, roleIds);
}

/** Every problem of the file, collected so that one run names them all. */
class Problems {
  readonly list: ValidationError[] = [];
  constructor(readonly file: string) {}
  add(message: string, line: number, column?: number): void {
    this.list.push(new ValidationError(message, column === undefined ? { file: this.file, line } : { file: this.file, line, column }));
  }
  push(e: ValidationError): void {
    this.list.push(e);
  }
  /** Throw what was found: one error as itself, several together. */
  throwIfAny(): void {
    if (this.list.length === 1) throw this.list[0]!;
    if (this.list.length > 1) throw new ValidationErrors(this.list);
  }
}

/** `unknown role "x"; did you mean "y"? known roles: ...` */
function unknownRole(role: string, roleIds: readonly string[]): string {
  const near = didYouMean(role, roleIds);
  return `unknown role "${role}"${near}${near ? " " : "; "}known roles: ${knownList(roleIds, 50)}`;
}

class Builder {
  readonly entries: InventoryEntry[] = [];
  private readonly byKey = new Map<string, InventoryEntry>();
  private readonly known: ReadonlySet<string>;
  constructor(readonly file: string, readonly roleIds: readonly string[], readonly problems: Problems) {
    this.known = new Set(roleIds);
  }

  /** The address parsed, or undefined after its problem is recorded. */
  address(text: string, line: number, column: number): ReturnType<typeof parsePrefix> | undefined {
    const p = parsePrefix(text);
    if (typeof p !== "string") return p;
    this.problems.add(`bad address: ${p}`, line, column);
    return undefined;
  }

  /**
   * One address for its roles. Each unknown role is a problem, and the address is still checked (one
   * run names every problem of the file); it is entered under the known roles once it parses.
   */
  add(text: string, roles: readonly string[], name: string | undefined, line: number, column: number): void {
    for (const role of roles) if (!this.known.has(role)) this.problems.add(unknownRole(role, this.roleIds), line, column);
    const p = this.address(text, line, column);
    if (p === undefined || typeof p === "string") return;
    for (const role of roles) if (this.known.has(role)) this.enter(p, text, role, name, line, column);
  }

  private enter(p: Exclude<ReturnType<typeof parsePrefix>, string>, text: string, role: string, name: string | undefined, line: number, column: number): void {
    const key = `${p.family}/${p.words.join(".")}/${p.prefixLength}`;
    const prev = this.byKey.get(key);
    if (prev) {
      if (prev.roles.includes(role)) {
        this.problems.add(`"${text}" is listed twice under role ${role} (first at line ${prev.line})`, line, column);
        return;
      }
      if (name !== undefined && prev.name !== undefined && name !== prev.name) {
        this.problems.add(`"${text}" is named "${name}" here but "${prev.name}" at line ${prev.line}; one address has one name`, line, column);
        return;
      }
      prev.roles.push(role);
      if (name !== undefined) prev.name = name;
      return;
    }
    const e: InventoryEntry = { ...p, roles: [role], text: text.trim(), line, column };
    if (name !== undefined) e.name = name;
    this.byKey.set(key, e);
    this.entries.push(e);
  }
}

const INVENTORY_FIELDS = ["roles", "hosts", "variables", "firewall"];

/**
 * An inventory's YAML. Text in the plain shape of the README is read without the yaml library
 * (model/inventory-plain.ts: the same value and positions, found quicker); `reader: "yaml"` always uses
 * the library (the reference the tests hold the plain reader to).
 */
export function parseInventoryYaml(file: string, text: string, roleIds: readonly string[], reader: "any" | "yaml" = "any"): Inventory {
  const src = (reader === "any" ? readPlainInventory(file, text) : undefined) ?? YamlSource.parse(file, text);
  const problems = new Problems(file);
  const b = new Builder(file, roleIds, problems);
  const known = new Set(roleIds);
  const top = src.value;
  if (top === null || typeof top !== "object" || Array.isArray(top)) {
    throw src.error([], `inventory: expected a mapping with "roles:" (and optional "hosts:", "variables:", "firewall:")`);
  }
  const o = top as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!INVENTORY_FIELDS.includes(k)) {
      const p = src.keyPosition([k]);
      const near = didYouMean(k, INVENTORY_FIELDS);
      problems.add(`inventory: unknown field "${k}"${near}${near ? " " : "; "}expected roles, hosts, variables, firewall`, p.line, p.column);
    }
  }
  const roles = o.roles;
  if (roles === null || typeof roles !== "object" || Array.isArray(roles)) {
    problems.push(src.error(["roles"], `inventory: "roles" must map role ids to lists of addresses or prefixes`));
    problems.throwIfAny();
  }
  // Host names first, so entries can carry them.
  const names = hostNames(src, o.hosts, problems);
  for (const [role, list] of Object.entries(roles as Record<string, unknown>)) {
    const keyPos = src.keyPosition(["roles", role]);
    const roleKnown = ROLE_ID.test(role) && known.has(role);
    if (!roleKnown) problems.add(unknownRole(role, roleIds), keyPos.line, keyPos.column);
    const items = Array.isArray(list) ? list : [list];
    items.forEach((item, i) => {
      const path: YamlPath = Array.isArray(list) ? ["roles", role, i] : ["roles", role];
      const pos = src.position(path);
      let addr: unknown = item;
      let name: string | undefined;
      if (item !== null && typeof item === "object" && !Array.isArray(item)) {
        const io = item as Record<string, unknown>;
        addr = io.address;
        if (io.name !== undefined) name = String(io.name);
      }
      if (typeof addr !== "string") {
        problems.add(`role ${role}: expected an address or CIDR prefix (or {address, name}), got ${JSON.stringify(addr)}`, pos.line, pos.column);
        return;
      }
      if (!roleKnown) {
        b.address(addr, pos.line, pos.column);
        return;
      }
      const p = parsePrefix(addr);
      if (name === undefined && typeof p !== "string") name = names.get(formatAddr(p.family, p.words, 0))?.name;
      b.add(addr, [role], name, pos.line, pos.column);
    });
  }
  const variables = new Map<string, number | string>();
  if (o.variables !== undefined) {
    if (o.variables === null || typeof o.variables !== "object" || Array.isArray(o.variables)) {
      problems.push(src.error(["variables"], `inventory: "variables" must map variable names to values`));
    } else {
      for (const [k, v] of Object.entries(o.variables as Record<string, unknown>)) {
        if (typeof v !== "number" && typeof v !== "string") problems.push(src.error(["variables", k], `variable ${k}: expected a number or a string`));
        else variables.set(k, v);
      }
    }
  }
  const firewall = firewallAddresses(src, o.firewall, names, problems);
  problems.throwIfAny();
  const warnings = [...overlapWarnings(file, b.entries), ...unusedHostWarnings(file, names, b.entries, firewall)];
  return { file, entries: b.entries, variables, firewall, hosts: [...names.values()], warnings };
}

export interface HostName {
  name: string;
  family: 4 | 6;
  words: [number, number, number, number];
  text: string;
  line: number;
  column: number;
}

/** `hosts: {dc01: 10.99.1.10}`: names for addresses listed under roles (and for `firewall:`), by address text. */
function hostNames(src: InventorySource, hosts: unknown, problems: Problems): Map<string, HostName> {
  const names = new Map<string, HostName>();
  if (hosts === undefined) return names;
  if (hosts === null || typeof hosts !== "object" || Array.isArray(hosts)) {
    problems.push(src.error(["hosts"], `inventory: "hosts" must map host names to addresses (hosts: {dc01: 10.99.1.10})`));
    return names;
  }
  for (const [name, addr] of Object.entries(hosts as Record<string, unknown>)) {
    if (typeof addr !== "string") {
      problems.push(src.error(["hosts", name], `host ${name}: expected an address, got ${JSON.stringify(addr)}`));
      continue;
    }
    const p = parsePrefix(addr);
    if (typeof p === "string") {
      problems.push(src.error(["hosts", name], `host ${name}: ${p}`));
      continue;
    }
    const key = formatAddr(p.family, p.words, 0);
    const prev = names.get(key);
    if (prev && prev.name !== name) {
      problems.push(src.error(["hosts", name], `${addr} is named both "${prev.name}" and "${name}"`));
      continue;
    }
    if (p.prefixLength !== (p.family === 4 ? 32 : 128)) {
      problems.push(src.error(["hosts", name], `host ${name}: ${addr} is a prefix; a host name names one address`));
      continue;
    }
    const pos = src.keyPosition(["hosts", name]);
    names.set(key, { name, family: p.family, words: p.words, text: addr, line: pos.line, column: pos.column });
  }
  return names;
}

/** `firewall: [10.99.1.1, gw01]`: addresses, or names defined under `hosts:`. */
function firewallAddresses(src: InventorySource, list: unknown, names: ReadonlyMap<string, HostName>, problems: Problems): FirewallAddress[] {
  if (list === undefined) return [];
  const items = Array.isArray(list) ? list : [list];
  const byName = new Map([...names].map(([addr, h]) => [h.name, addr]));
  const out: FirewallAddress[] = [];
  items.forEach((item, i) => {
    const path: YamlPath = Array.isArray(list) ? ["firewall", i] : ["firewall"];
    if (typeof item !== "string") {
      problems.push(src.error(path, `firewall: expected an address or a host name from "hosts:", got ${JSON.stringify(item)}`));
      return;
    }
    const text = byName.get(item) ?? item;
    const p = parsePrefix(text);
    if (typeof p === "string") {
      const near = didYouMean(item, byName.keys());
      problems.push(src.error(path, `firewall: ${p}${near || (names.size > 0 ? `; or one of the host names ${[...byName.keys()].join(", ")}` : "")}`));
      return;
    }
    const pos = src.position(path);
    out.push({ ...p, text: item, line: pos.line, column: pos.column });
  });
  return out;
}

/**
 * Header names of a CSV inventory's columns, compared lower-case without spaces, "_" or "-" (so
 * "IP Address", "ip_address" and "IPAddress" are one name).
 */
const CSV_HEADER: Record<string, "address" | "role" | "name"> = {
  ip: "address", ipaddress: "address", address: "address", addr: "address", cidr: "address", network: "address", prefix: "address",
  role: "role", roles: "role",
  name: "name", host: "name", hostname: "name",
};

function headerKey(cell: string): string {
  return cell.toLowerCase().replace(/[\s_-]/g, "");
}

interface CsvColumns {
  address: number;
  role: number;
  name: number;
  header: boolean;
  /** Header cells that name no inventory field (an asset list's "Owner", "Location"): read past, with a warning. */
  ignored: string[];
}

/**
 * Column of each field, from a header row (any order, names as CSV_HEADER), or the fixed order
 * address,role[,name] when the first row is data. A first row with no address in its first cell and a
 * known name in some cell is a header. A column named twice is an error; a column of another name is
 * ignored (an asset list exported whole has more columns than an inventory needs) and named in a warning.
 */
function csvColumns(first: readonly string[], file: string, line: number): CsvColumns {
  const keys = first.map(headerKey);
  const isHeader = typeof parsePrefix(first[0] ?? "") === "string" && keys.some((k) => CSV_HEADER[k] !== undefined);
  if (!isHeader) return { address: 0, role: 1, name: 2, header: false, ignored: [] };
  const cols: CsvColumns = { address: -1, role: -1, name: -1, header: true, ignored: [] };
  keys.forEach((k, i) => {
    const field = CSV_HEADER[k];
    if (field === undefined) {
      cols.ignored.push(first[i]!);
      return;
    }
    if (cols[field] >= 0) throw new ValidationError(`header: two columns for the ${field} ("${first[cols[field]]}" and "${first[i]}")`, { file, line, column: i + 1 });
    cols[field] = i;
  });
  for (const f of ["address", "role"] as const) {
    if (cols[f] >= 0) continue;
    const near = cols.ignored.flatMap((c) => closest(headerKey(c), Object.keys(CSV_HEADER).filter((k) => CSV_HEADER[k] === f), 1).length ? [c] : []);
    const hint = near.length ? `; is "${near[0]}" meant to be it?` : "";
    throw new ValidationError(`header: no ${f} column; name one ${f === "address" ? "ip, address or cidr" : "role"}${hint} (known names, any case: ${Object.keys(CSV_HEADER).join(", ")})`, { file, line });
  }
  return cols;
}

/**
 * The field separator: a comma, or a semicolon or tab when the first row has one and no comma (a
 * spreadsheet saved as CSV where the decimal separator is a comma writes ";").
 */
function csvDelimiter(text: string): string {
  const first = text.replace(/^\ufeff/, "").split("\n").find((l) => l.trim() !== "" && !l.trimStart().startsWith("#")) ?? "";
  if (first.includes(",")) return ",";
  return first.includes(";") ? ";" : first.includes("\t") ? "\t" : ",";
}

export function parseInventoryCsv(file: string, text: string, roleIds: readonly string[]): Inventory {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    // bom: a spreadsheet's "CSV UTF-8" export starts with U+FEFF.
    rows = parseCsv(text, { bom: true, delimiter: csvDelimiter(text), relax_column_count: true, skip_empty_lines: true, comment: "#", trim: true, info: true }) as unknown as typeof rows;
  } catch (e) {
    const err = e as { message: string; lines?: number };
    throw new ValidationError(`CSV error: ${err.message.split("\n")[0]}`, { file, line: err.lines ?? 1 });
  }
  const problems = new Problems(file);
  const b = new Builder(file, roleIds, problems);
  const first = rows[0];
  if (!first) return { file, entries: b.entries, variables: new Map(), firewall: [], hosts: [], warnings: [] };
  const cols = csvColumns(first.record, file, first.info.lines);
  const expected = cols.header ? `the header's ${first.record.length} columns` : `"address,role[,name]"`;
  (cols.header ? rows.slice(1) : rows).forEach((row) => {
    const line = row.info.lines;
    const r = row.record;
    const addr = r[cols.address];
    const roleCell = r[cols.role];
    const name = cols.name >= 0 ? r[cols.name] : undefined;
    if (!addr || !roleCell) problems.add(`expected ${expected}, with an address and a role`, line);
    else if (r.length > (cols.header ? first.record.length : 3)) problems.add(`expected ${expected}, got ${r.length} columns`, line);
    // A role cell may list several, separated by ";", "|" or spaces (no role id holds one).
    else b.add(addr, roleCell.split(/[;| \t]+/).filter(Boolean), name || undefined, line, 1);
  });
  problems.throwIfAny();
  const ignored = cols.ignored.length
    ? [`${file}:${first.info.lines}: header: column${cols.ignored.length === 1 ? "" : "s"} ${cols.ignored.map((c) => `"${c}"`).join(", ")} ${cols.ignored.length === 1 ? "is" : "are"} no inventory field and ignored (read: ${(["address", "role", "name"] as const).filter((f) => cols[f] >= 0).map((f) => `"${first.record[cols[f]]}" as ${f}`).join(", ")})`]
    : [];
  return { file, entries: b.entries, variables: new Map(), firewall: [], hosts: [], warnings: [...ignored, ...overlapWarnings(file, b.entries)] };
}
