/**
 * Flow records and inventories for the SQL-engine tests and benchmark (test/engine/differential.test.ts,
 * bench/sql.mjs): deterministic from a seed. Records are canonical CSV rows (time, src, dst, proto,
 * sport, dport, icmp_type, action), IPv4 and IPv6, with replies, ICMP with and without a type, other
 * protocols, unknown action words and a few damaged rows; times strictly increase (one per ms), so that
 * "first occurrence" is the same in read order and in time order.
 */

/** A small, fast, seeded PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const KCPS_ROLES = ["kcps-fs", "kcps-fs-ad", "kcps-fs-dns", "customer-dns", "customer-ad", "file-share-client", "customer-admin-pc", "customer-mail"];
/** Ports the kcps-file-server matrix names, and some it does not. */
const SERVICE_PORTS = [445, 139, 137, 138, 3389, 5985, 5986, 53, 88, 389, 636, 3268, 464, 135, 123, 25, 80, 443, 8080, 22, 1022, 49160];

const v4 = (a) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
const v6 = (hi, lo) => `fd00:${hi.toString(16)}::${lo.toString(16)}`;

/**
 * An inventory of about `n` prefixes: IPv4 /16s with /24s and /32s inside (nested: longest wins),
 * disjoint /24s, and IPv6 /64s and /128s; roles from the kcps ruleset; some hosts named.
 * Returns the YAML text and the address pools records are drawn from.
 */
export function makeInventory(n, seed = 1) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const byRole = new Map(KCPS_ROLES.map((x) => [x, []]));
  const pools = []; // [kind, value] address generators inside some prefix
  let count = 0;
  const add = (role, entry) => { byRole.get(role).push(entry); count++; };
  // A nested IPv4 block: a /16 of clients with /24s and /32s of other roles inside.
  const blocks = Math.max(1, Math.round(n / 60));
  for (let b = 0; b < blocks && count < n; b++) {
    const base = (((10 + Math.floor(b / 250)) << 24) | ((b % 250) << 16)) >>> 0;
    add("file-share-client", `${v4(base)}/16`);
    pools.push({ v4: base, size: 65536 });
    for (let k = 0; k < 8 && count < n; k++) {
      const sub = (base | (((k * 31 + b) % 256) << 8)) >>> 0;
      add(pick(KCPS_ROLES), `${v4(sub)}/24`);
      pools.push({ v4: sub, size: 256 });
    }
    for (let k = 0; k < 20 && count < n; k++) {
      const host = (base | (Math.floor(r() * 65536))) >>> 0;
      const role = pick(KCPS_ROLES);
      const entry = r() < 0.3 ? `{address: ${v4(host)}, name: h${b}-${k}}` : v4(host);
      if (!byRole.get(role).some((e) => e.includes(v4(host)))) { add(role, entry); pools.push({ v4: host, size: 1 }); }
    }
  }
  // Disjoint /24s and IPv6 until n.
  let i = 0;
  while (count < n) {
    if (i % 3 === 2) {
      const hi = 0x100 + i;
      add(pick(KCPS_ROLES), i % 2 ? `"${v6(hi, 0)}/64"` : `"${v6(hi, 1)}"`);
      pools.push({ v6: hi, size: i % 2 ? 1000 : 1, lo: i % 2 ? 0 : 1 });
    } else {
      const sub = (((172 << 24) | (16 << 16)) + i * 256) >>> 0;
      add(pick(KCPS_ROLES), `${v4(sub)}/24`);
      pools.push({ v4: sub, size: 256 });
    }
    i++;
  }
  // Addresses outside the inventory: unclassified.
  pools.push({ v4: ((192 << 24) | (0 << 16) | (2 << 8)) >>> 0, size: 256, outside: true });
  pools.push({ v6: 0xdead, size: 256, lo: 0, outside: true });
  const yaml = ["roles:", ...[...byRole].filter(([, es]) => es.length > 0).map(([role, es]) => `  ${role}: [${es.join(", ")}]`)].join("\n") + "\n";
  return { yaml, pools, prefixes: count };
}

/** An address drawn from a pool. */
function addressIn(p, r) {
  const off = Math.floor(r() * p.size);
  if (p.v4 !== undefined) return { fam: 4, text: v4((p.v4 + off) >>> 0) };
  return { fam: 6, text: v6(p.v6, p.lo + off) };
}

/**
 * `records` canonical CSV rows over `flows` distinct (source, destination, service) choices, written by
 * `write(chunk)` in chunks of text. Deterministic from the seed. `replies: "any"` (the tests) also
 * sends replies from high service ports, each becoming a finding of its own ephemeral port.
 */
export function makeRecords(inv, records, write, { seed = 7, flows = 20000, start = Date.UTC(2026, 10, 1), replies = "any" } = {}) {
  const r = rng(seed);
  const v4pools = inv.pools.filter((p) => p.v4 !== undefined);
  const v6pools = inv.pools.filter((p) => p.v6 !== undefined);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const table = [];
  for (let f = 0; f < flows; f++) {
    const six = r() < 0.15 && v6pools.length > 0;
    const pools = six ? v6pools : v4pools;
    const s = addressIn(pick(pools), r);
    const d = addressIn(pick(pools), r);
    const x = r();
    const proto = x < 0.68 ? "tcp" : x < 0.88 ? "udp" : x < 0.96 ? (six && r() < 0.5 ? "icmpv6" : "icmp") : x < 0.98 ? "47" : "TCP";
    table.push({ s: s.text, d: d.text, proto, port: pick(SERVICE_PORTS) });
  }
  const actions = ["ACCEPT", "ACCEPT", "ACCEPT", "DROP", "REJECT", "allow", "deny", "whatever", ""];
  let out = "time,src,dst,proto,sport,dport,icmp_type,action\n";
  for (let i = 0; i < records; i++) {
    const f = table[Math.floor(r() * table.length)];
    const t = start + i;
    const a = actions[Math.floor(r() * actions.length)];
    let row;
    const y = r();
    if (y < 0.002) row = `${t},not-an-ip,${f.d},tcp,1,80,,${a}`;
    else if (y < 0.004) row = `${t},${f.s},${f.d},tcp,1,,,${a}`;
    else if (f.proto === "icmp" || f.proto === "icmpv6") {
      // Echo request, echo reply (turned around), an error (skipped), or no type at all.
      const z = r();
      const type = f.proto === "icmp" ? (z < 0.4 ? "8" : z < 0.6 ? "0" : z < 0.7 ? "3" : "") : (z < 0.4 ? "128" : z < 0.6 ? "129" : z < 0.7 ? "135" : "");
      row = `${t},${f.s},${f.d},${f.proto},,,${type},${a}`;
    } else if (f.proto === "47") row = `${t},${f.s},${f.d},47,,,,${a}`;
    else {
      const eph = 32768 + Math.floor(r() * 28000);
      // A reply from the service side in one record of five (only from system ports with
      // replies: "system", as a flow log's replies mostly are).
      const reply = r() < 0.2 && (replies === "any" || f.port < 1024);
      row = reply ? `${t},${f.d},${f.s},${f.proto},${f.port},${eph},,${a}` : `${t},${f.s},${f.d},${f.proto},${eph},${f.port},,${a}`;
    }
    out += row + "\n";
    if (out.length > 1 << 20) { write(out); out = ""; }
  }
  if (out.length > 0) write(out);
}
