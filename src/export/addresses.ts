import type { Inventory, InventoryEntry } from "../model/inventory.js";
import { formatIPv4, formatIPv6 } from "../net/addr.js";

/**
 * Inventory addresses as the matcher sees them, turned into address blocks a firewall can list.
 *
 * The matcher (src/match/roles.ts) gives an address the roles of the LONGEST inventory prefix that
 * holds it: 10.99.1.200 listed as customer-admin-pc inside 10.99.1.0/24 (file-share-client) is the admin
 * PC only. A firewall set must say the same thing, so a role's set is its prefixes minus every longer
 * prefix of another role set inside them: an interval list (nftables interval sets take it as it is;
 * formats that only know CIDRs get it split into the fewest prefixes).
 */

export type Family = 4 | 6;

/** An inclusive range of addresses of one family. */
export interface AddressBlock {
  family: Family;
  first: bigint;
  last: bigint;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

function entryStart(e: InventoryEntry): bigint {
  if (e.family === 4) return BigInt(e.words[0] >>> 0);
  let v = 0n;
  for (const w of e.words) v = (v << 32n) | BigInt(w >>> 0);
  return v;
}

function entryEnd(e: InventoryEntry): bigint {
  return entryStart(e) + (1n << BigInt(BITS[e.family] - e.prefixLength)) - 1n;
}

/** Role set of each address segment, longest prefix wins (the same sweep RoleLookup makes for IPv4). */
function segments(entries: readonly InventoryEntry[]): { first: bigint; last: bigint; roles: readonly string[] }[] {
  const items = entries
    .map((e) => ({ first: entryStart(e), last: entryEnd(e), roles: [...new Set(e.roles)].sort() }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.last > b.last ? -1 : a.last < b.last ? 1 : 0));
  const out: { first: bigint; last: bigint; roles: readonly string[] }[] = [];
  const stack: { last: bigint; roles: readonly string[] }[] = [];
  let pos = 0n;
  const flushTo = (end: bigint) => {
    // Emit [pos, end] with the innermost open prefix's roles.
    const top = stack[stack.length - 1];
    if (top && end >= pos) out.push({ first: pos, last: end, roles: top.roles });
    pos = end + 1n;
  };
  const popUntil = (next: bigint) => {
    while (stack.length > 0 && stack[stack.length - 1]!.last < next) {
      const t = stack[stack.length - 1]!;
      flushTo(t.last);
      stack.pop();
    }
  };
  for (const it of items) {
    popUntil(it.first);
    if (stack.length > 0) flushTo(it.first - 1n);
    pos = it.first;
    stack.push({ last: it.last, roles: it.roles });
  }
  popUntil(1n << 129n);
  return out;
}

/** Merge touching or overlapping blocks (input of one family), sorted. */
export function mergeBlocks(blocks: readonly AddressBlock[]): AddressBlock[] {
  const sorted = [...blocks].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: AddressBlock[] = [];
  for (const b of sorted) {
    const prev = out[out.length - 1];
    if (prev && b.first <= prev.last + 1n) {
      if (b.last > prev.last) prev.last = b.last;
    } else out.push({ ...b });
  }
  return out;
}

/** Per role, the address blocks whose longest inventory prefix carries that role. */
export function roleBlocks(inventory: Inventory): Map<string, AddressBlock[]> {
  const out = new Map<string, AddressBlock[]>();
  for (const family of [4, 6] as const) {
    for (const seg of segments(inventory.entries.filter((e) => e.family === family))) {
      for (const role of seg.roles) {
        const list = out.get(role) ?? [];
        list.push({ family, first: seg.first, last: seg.last });
        out.set(role, list);
      }
    }
  }
  for (const [role, list] of out) {
    out.set(role, [...mergeBlocks(list.filter((b) => b.family === 4)), ...mergeBlocks(list.filter((b) => b.family === 6))]);
  }
  return out;
}

/** Every inventory address, merged per family. */
export function allBlocks(inventory: Inventory): AddressBlock[] {
  const list = inventory.entries.map((e): AddressBlock => ({ family: e.family, first: entryStart(e), last: entryEnd(e) }));
  return [...mergeBlocks(list.filter((b) => b.family === 4)), ...mergeBlocks(list.filter((b) => b.family === 6))];
}

export function formatAddress(family: Family, v: bigint): string {
  if (family === 4) return formatIPv4(Number(v));
  const w = [0, 0, 0, 0];
  for (let k = 3; k >= 0; k--) {
    w[k] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
  return formatIPv6(w);
}

/** The fewest CIDR prefixes covering exactly a block (RFC 4632 aggregation, greedy from the low end). */
export function blockToCidrs(b: AddressBlock): string[] {
  const bits = BITS[b.family];
  const out: string[] = [];
  let cur = b.first;
  while (cur <= b.last) {
    // Largest aligned power-of-two block starting at cur that does not pass last.
    let size = 0;
    while (size < bits && (cur & ((1n << BigInt(size + 1)) - 1n)) === 0n && cur + (1n << BigInt(size + 1)) - 1n <= b.last) size++;
    out.push(`${formatAddress(b.family, cur)}/${bits - size}`);
    cur += 1n << BigInt(size);
  }
  return out;
}

/** A block as one token: an address, a CIDR prefix when it is one, else "first-last". */
export function blockText(b: AddressBlock, singleAsPrefix = false): string {
  const bits = BITS[b.family];
  if (b.first === b.last) return singleAsPrefix ? `${formatAddress(b.family, b.first)}/${bits}` : formatAddress(b.family, b.first);
  const cidrs = blockToCidrs(b);
  if (cidrs.length === 1) return cidrs[0]!;
  return `${formatAddress(b.family, b.first)}-${formatAddress(b.family, b.last)}`;
}

/** Blocks as CIDR prefixes (single addresses as /32 or /128 when asked). */
export function cidrs(blocks: readonly AddressBlock[], hostAsPrefix = true): string[] {
  return blocks.flatMap((b) => blockToCidrs(b).map((c) => (!hostAsPrefix && c.endsWith(b.family === 4 ? "/32" : "/128") ? c.slice(0, c.indexOf("/")) : c)));
}
