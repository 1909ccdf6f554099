/**
 * What an inventory says that is valid but probably not meant: a prefix inside a prefix of other
 * roles, a `hosts:` name no role covers. One line each, with the position (`file:line:col: ...`).
 */
import { formatAddr } from "../net/addr.js";
import type { FirewallAddress, HostName, InventoryEntry } from "./inventory.js";

/** A `hosts:` name whose address no role covers and that is no firewall address: nothing will ever show it. */
export function unusedHostWarnings(file: string, names: ReadonlyMap<string, HostName>, entries: readonly InventoryEntry[], firewall: readonly FirewallAddress[]): string[] {
  const fw = new Set(firewall.map((f) => formatAddr(f.family, Uint32Array.from(f.words), 0)));
  const spans = entries.map((e) => ({ family: e.family, ...span(e) }));
  const covered = (h: HostName) => {
    const at = span({ family: h.family, words: h.words, prefixLength: h.family === 4 ? 32 : 128 }).start;
    return spans.some((x) => x.family === h.family && x.start <= at && at <= x.end);
  };
  return [...names].filter(([addr, h]) => !fw.has(addr) && !covered(h)).map(([, h]) =>
    `${file}:${h.line}:${h.column}: host ${h.name} (${h.text}) is in no role's addresses: it takes no part in any check; list ${h.text} under its role in "roles:"`);
}

/** The first and last address of a prefix, as numbers (bigint: an IPv6 address is 128 bits). */
function span(e: Pick<InventoryEntry, "family" | "words" | "prefixLength">): { start: bigint; end: bigint } {
  const bits = e.family === 4 ? 32 : 128;
  let start = 0n;
  if (e.family === 4) start = BigInt(e.words[0] >>> 0);
  else for (const w of e.words) start = (start << 32n) | BigInt(w >>> 0);
  return { start, end: start + (1n << BigInt(bits - e.prefixLength)) - 1n };
}

/**
 * A prefix (not a single address) inside a prefix of other roles: longest prefix wins, so the inner
 * prefix's addresses lose the outer roles, and verdicts change without a word. Single addresses inside
 * a network are the usual way to single out a host (README, Inventory) and are not reported. One
 * sweep over the prefixes sorted by start, widest first, with a stack of the prefixes that contain
 * the current one: each is compared with its nearest container only.
 */
export function overlapWarnings(file: string, entries: readonly InventoryEntry[]): string[] {
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    const items = entries.filter((e) => e.family === family).map((e) => ({ e, ...span(e) }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
    const stack: typeof items = [];
    for (const it of items) {
      while (stack.length > 0 && stack[stack.length - 1]!.end < it.start) stack.pop();
      const outer = stack[stack.length - 1];
      const single = it.e.prefixLength === (family === 4 ? 32 : 128);
      // Only a role taken away changes a verdict: an inner prefix that also lists the outer roles is meant.
      const lost = outer ? outer.e.roles.filter((r) => !it.e.roles.includes(r)) : [];
      if (outer && !single && lost.length > 0) {
        out.push(`${file}:${it.e.line}:${it.e.column}: ${it.e.text} (${it.e.roles.join(", ")}) lies inside ${outer.e.text} (${outer.e.roles.join(", ")}, ${file}:${outer.e.line}:${outer.e.column}): ` +
          `the longest prefix wins, so addresses in ${it.e.text} hold only ${it.e.roles.join(", ")}, not ${lost.join(", ")}; list ${it.e.text} under both roles if it plays both`);
      }
      stack.push(it);
    }
  }
  return out;
}
