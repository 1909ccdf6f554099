/**
 * Report step "findings": finding k of the report, read from the finding table and the facts of the
 * "rules" step through the report order, either as an object (what every renderer but the large JSON
 * report reads) or written straight into a JsonBytes as exactly the text JSON.stringify gives that
 * object. The writer makes no object or string per finding: everything that repeats is encoded once
 * as a JSON fragment of several fields (the head of verdict, action and who stopped it; the roles and
 * protocol; the rule with its services and long source quote, the same for all its findings; the
 * evidence with the example's input) and copied in; addresses, numbers and times are written as digits.
 */
import type { FindingTable } from "../match/aggregate.js";
import { VERDICTS } from "../match/matcher.js";
import type { RoleLookup } from "../match/roles.js";
import type { Rule, Ruleset } from "../model/ruleset.js";
import { formatAddr } from "../net/addr.js";
import { ACTION_NAMES, BLOCKED_BY_NAMES, isBinaryFormat, protocolName } from "../net/proto.js";
import { ADDR_BASE, type FindingFacts } from "./finding-facts.js";
import { isoTime, putSeenAt, writeSeenAt } from "./iso-time.js";
import { JsonBytes, encode, encodeJson } from "./json-bytes.js";
import type { Finding, ProtocolName } from "./types.js";

export interface FindingView {
  /** The k-th finding in report order. */
  finding(k: number): Finding;
  /** Exactly `JSON.stringify(finding(k))`, as UTF-8 bytes appended to `w`. */
  writeFinding(k: number, w: JsonBytes): void;
  /**
   * Findings from..n-1 as writeFinding writes them, each after a comma but the first of the report
   * (k = 0), until `w` holds `until` bytes or more: returns the next finding to write (n when done).
   */
  writeFindings(from: number, w: JsonBytes, until: number): number;
}

export interface ViewInput {
  table: FindingTable;
  facts: FindingFacts;
  /** Table index of the k-th finding in report order. */
  order: Int32Array;
  ruleset: Ruleset;
  roles: RoleLookup;
  inputs: readonly { path: string; format: string }[];
}

/** Services of the rule that cover (protocol, port): computed once per combination, frozen (shared). */
class CoveringServices {
  private readonly byRule = new Map<number, Map<number, string[]>>();
  private readonly serviceById;
  static readonly none = Object.freeze([]) as unknown as string[];

  constructor(ruleset: Ruleset, private readonly rules: readonly (Rule | undefined)[]) {
    this.serviceById = new Map(ruleset.services.map((s) => [s.id, s] as const));
  }

  of(r: number, proto: number, port: number): string[] {
    const rule = this.rules[r];
    if (rule === undefined) return CoveringServices.none;
    let cache = this.byRule.get(r);
    if (cache === undefined) { cache = new Map(); this.byRule.set(r, cache); }
    const key = proto * 65537 + port + 1;
    let services = cache.get(key);
    if (services === undefined) {
      services = rule.services.filter((sid) => {
        const svc = this.serviceById.get(sid);
        return svc?.ports.some((p) => p.proto === proto && p.ranges.some(([a, b]) => port >= a && port <= b));
      });
      Object.freeze(services);
      cache.set(key, services);
    }
    return services;
  }
}

/**
 * Finding k's fields, read in its table record through the report order (no column is gathered: for
 * 200,000 findings the gathered columns were ~12 MB of fresh memory, a page fault per 4 KiB). The
 * records are read in an order unrelated to memory, so each group of 64 is loaded ahead as independent
 * reads (FindingTable.warm) before it is written.
 */
export function findingView(x: ViewInput): FindingView {
  const { table, facts, order, roles } = x;
  const { rules, roleNames, ruleOf, srcRole, dstRole } = facts;
  const addr = facts.addr, stride = facts.addrStride, n = order.length;
  const services = new CoveringServices(x.ruleset, rules);
  const binaryInput = x.inputs.map((i) => isBinaryFormat(i.format));
  const inputPath = x.inputs.map((i) => i.path);

  // Where entry e's source (side 0) or destination (side 1) address starts in `addr`.
  const addrAt = (e: number, side: number): number => e * stride + ADDR_BASE + side * 4;
  const isV4 = (m: number): boolean => ((m >>> 8) & 255) === 4;
  const v4Text = new Map<number, string>();
  const addrText = (e: number, m: number, side: number): string => {
    const at = addrAt(e, side);
    if (!isV4(m)) return formatAddr(6, addr, at);
    const a = addr[at]!;
    let text = v4Text.get(a);
    if (text === undefined) { text = formatAddr(4, addr, at); v4Text.set(a, text); }
    return text;
  };
  const hostName = (e: number, m: number, side: number): string | null => (isV4(m)
    ? roles.hostNameV4(addr[addrAt(e, side)]!) : roles.hostName(6, addr, addrAt(e, side))) ?? null;
  const evidenceCache = new Map<number, string[]>();
  const evidenceList = (e: number): string[] => {
    const key = table.evidenceKey(e);
    let list = evidenceCache.get(key);
    if (list === undefined) {
      list = table.evidenceOf(e);
      if (key >= 0) evidenceCache.set(key, Object.freeze(list) as string[]);
    }
    return list;
  };

  const GROUP = 64;
  let warmed = 0;
  // The records of findings from .. to-1 and their entries in the facts' columns, loaded as independent reads.
  const warm = (from: number, to: number): void => {
    let sink = table.warm(order, from, to);
    for (let k = from; k < to; k++) { const e = order[k]!; sink = (sink + ruleOf[e]! + srcRole[e]! + dstRole[e]!) | 0; }
    warmSink = sink;
  };
  // Before finding k is read: the records of its group and the next are loaded ahead (once each when read in order).
  const ahead = (k: number): void => {
    if (k >= warmed - GROUP) { const to = Math.min(n, Math.max(k, warmed) + GROUP); warm(Math.max(k, warmed), to); warmed = to; }
  };

  const finding = (k: number): Finding => {
    ahead(k);
    const e = order[k]!;
    const m = table.keyWord(e, 0);
    const proto = (m >>> 16) & 255;
    const port = table.keyWord(e, 1) | 0;
    const r = ruleOf[e]!;
    const rule = rules[r];
    const isIcmp = proto === 1 || proto === 58;
    const inputIdx = table.inputOf(e);
    const example: Finding["example"] = { input: inputPath[inputIdx] ?? "?" };
    // A SQL engine reading CSV or JSON gives no record position: the example names the input only.
    const pos = table.positionOf(e);
    if (Number.isNaN(pos)) { /* input only */ } else if (binaryInput[inputIdx] === true) {
      example.offset = pos;
      const fr = table.frameOf(e) >>> 0;
      if (fr > 0) example.frame = fr;
    } else example.line = pos;
    return {
      verdict: VERDICTS[m & 15]! as Finding["verdict"],
      action: ACTION_NAMES[(m >>> 4) & 15] ?? "unknown",
      blockedBy: BLOCKED_BY_NAMES[(m >>> 24) & 3] ?? null,
      src: addrText(e, m, 0),
      dst: addrText(e, m, 1),
      srcName: hostName(e, m, 0),
      dstName: hostName(e, m, 1),
      srcRole: roleNames[srcRole[e]!]!,
      dstRole: roleNames[dstRole[e]!]!,
      protocol: protocolName(proto) as ProtocolName,
      port: isIcmp || port < 0 ? null : port,
      // An ICMP record that named no type is reported with icmpType null ("type unknown").
      icmpType: isIcmp && port >= 0 ? port : null,
      services: services.of(r, proto, port),
      rule: rule?.id ?? null,
      ruleRequirement: rule?.requirement ?? null,
      ruleSource: rule?.source ?? null,
      ruleInferred: rule ? rule.inferred : null,
      ruleInferredReason: rule?.inferredReason ?? null,
      count: table.countOf(e),
      firstSeen: isoTime(table.firstOf(e)),
      lastSeen: isoTime(table.lastOf(e)),
      evidence: evidenceList(e),
      example,
    };
  };

  const frags = new JsonFragments(x, services);
  const f64 = table.floatWords();
  const hasNames = roles.hasNames;
  const kSrcName = encode(',"srcName":'), kDstName = encode(',"dstName":'), kNull = encode("null");
  const kDst = encode(',"dst":');
  const kFrame = encode(',"frame":'), kEnd = encode("}}");
  const kName = new Map<string, Uint8Array>();
  const writeName = (w: JsonBytes, e: number, m: number, side: number): void => {
    const name = hostName(e, m, side);
    if (name === null) { w.bytes(kNull); return; }
    let b = kName.get(name);
    if (b === undefined) { b = encodeJson(name); kName.set(name, b); }
    w.bytes(b);
  };

  /**
   * Finding k's JSON written with one room check: its four shared fragments are found first, room made
   * for them and for the most its variable fields take (VARIABLE_ROOM), and every field then written at
   * a local position in the buffer. Only the rare values (names, counts and positions that are not small
   * integers, times outside 1970-9999, frames from 2^31) go through JsonBytes, which may grow the buffer:
   * after each such call the room is made again and the buffer read again.
   */
  const writeFinding = (k: number, w: JsonBytes): void => {
    ahead(k);
    const e = order[k]!;
    const m = table.keyWord(e, 0);
    const proto = (m >>> 16) & 255;
    const port = table.keyWord(e, 1) | 0;
    const isIcmp = proto === 1 || proto === 58;
    const ported = !isIcmp && port >= 0;
    const head = frags.head(m);
    // From the roles to the count's key: the same bytes for a run of findings in report order.
    const middle = frags.middle(srcRole[e]!, dstRole[e]!, proto, ruleOf[e]!, port, ported);
    const inputIdx = table.inputOf(e);
    const pos = table.positionOf(e);
    const hasPos = !Number.isNaN(pos);
    const evidenceFrag = frags.evidence(e, inputIdx, hasPos);
    const after = middle.length + evidenceFrag.length + VARIABLE_ROOM;
    w.room(head.length + after);
    let b = w.buf;
    let p = putBytes(b, w.pos, head);
    p = isV4(m) ? putIPv4(b, p, addr[addrAt(e, 0)]!) : putQuotedAscii(b, p, formatAddr(6, addr, addrAt(e, 0)));
    p = putBytes(b, p, kDst);
    p = isV4(m) ? putIPv4(b, p, addr[addrAt(e, 1)]!) : putQuotedAscii(b, p, formatAddr(6, addr, addrAt(e, 1)));
    if (hasNames) {
      w.pos = p;
      w.bytes(kSrcName);
      writeName(w, e, m, 0);
      w.bytes(kDstName);
      writeName(w, e, m, 1);
      w.room(after);
      b = w.buf;
      p = w.pos;
    }
    p = putBytes(b, p, middle);
    const count = table.countOf(e);
    if (count >= 0 && count < 2147483648 && Number.isInteger(count)) p = putUint31(b, p, count);
    else {
      w.pos = p;
      w.number(count);
      w.room(after);
      b = w.buf;
      p = w.pos;
    }
    const seen = putSeenAt(b, p, f64, table.firstAt(e), table.lastAt(e));
    if (seen >= 0) p = seen;
    else {
      w.pos = p;
      writeSeenAt(w, f64, table.firstAt(e), table.lastAt(e));
      w.room(after);
      b = w.buf;
      p = w.pos;
    }
    p = putBytes(b, p, evidenceFrag);
    if (hasPos) {
      const fr = binaryInput[inputIdx] === true ? table.frameOf(e) >>> 0 : 0;
      if (pos >= 0 && pos < 2147483648 && Number.isInteger(pos) && fr < 2147483648) {
        p = putUint31(b, p, pos);
        if (fr > 0) p = putUint31(b, putBytes(b, p, kFrame), fr);
        p = putBytes(b, p, kEnd);
      } else {
        w.pos = p;
        w.number(pos);
        if (fr > 0) {
          w.bytes(kFrame);
          w.uint(fr);
        }
        w.bytes(kEnd);
        return;
      }
    }
    w.pos = p;
  };
  // The loop over findings is here, not in the chunk generator that calls it once per chunk: a loop there
  // was compiled twice (on its own and on stack) with all of writeFinding in it each time.
  const writeFindings = (from: number, w: JsonBytes, until: number): number => {
    let k = from;
    while (k < n) {
      if (k > 0) w.comma();
      writeFinding(k++, w);
      if (w.pos >= until) break;
    }
    return k;
  };
  return { finding, writeFinding, writeFindings };
}

/** Kept so that the warming reads are not dropped as dead code. */
export let warmSink = 0;

/** Digits of 0-255 as bytes, 4 per octet: length, then up to three digits. */
const OCTETS = (() => {
  const t = new Uint8Array(256 * 4);
  for (let v = 0; v < 256; v++) {
    const s = String(v);
    t[v * 4] = s.length;
    for (let i = 0; i < s.length; i++) t[v * 4 + 1 + i] = s.charCodeAt(i);
  }
  return t;
})();

/**
 * What writeFinding writes beside its four fragments, at most: two quoted IPv6 addresses (2 x 41),
 * `,"dst":` (7), `null,"icmpType":` and a port or type (21), a count below 2^31 (10), both times with
 * their keys (13 + 12 + 2 x 26), a position and a frame below 2^31 with `,"frame":` (29), `}}` (2).
 */
const VARIABLE_ROOM = 256;

/** `frag` copied to b[p..]: returns the position after it. Short ones byte by byte (a call to set costs as much). */
function putBytes(b: Uint8Array, p: number, frag: Uint8Array): number {
  const n = frag.length;
  if (n < 32) {
    for (let i = 0; i < n; i++) b[p + i] = frag[i]!;
  } else b.set(frag, p);
  return p + n;
}

/** The digits of a non-negative integer below 2^31 at b[p..], in integer arithmetic: returns the position after them. */
function putUint31(b: Uint8Array, p: number, value: number): number {
  const v = value | 0;
  const end = p + (v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10);
  let q = end;
  let t = v;
  do {
    const d = (t / 10) | 0;
    b[--q] = 48 + t - d * 10;
    t = d;
  } while (t > 0);
  return end;
}

/** Text known to be ASCII with nothing JSON escapes (an IPv6 address), in quotes, at b[p..]. */
function putQuotedAscii(b: Uint8Array, p: number, s: string): number {
  b[p++] = 34;
  for (let i = 0, n = s.length; i < n; i++) b[p++] = s.charCodeAt(i);
  b[p++] = 34;
  return p;
}

/** A dotted quad, quoted, straight from the address word, at b[p..] (17 bytes at most). */
function putIPv4(b: Uint8Array, p: number, a: number): number {
  b[p++] = 34;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const o = ((a >>> shift) & 255) * 4;
    const len = OCTETS[o]!;
    b[p++] = OCTETS[o + 1]!;
    if (len > 1) b[p++] = OCTETS[o + 2]!;
    if (len > 2) b[p++] = OCTETS[o + 3]!;
    b[p++] = shift === 0 ? 34 : 46;
  }
  return p;
}

/** The JSON fragments findings share, made when first needed and kept. */
class JsonFragments {
  private readonly heads: (Uint8Array | undefined)[] = new Array(1024);
  private readonly roleFrags = new Map<number, Uint8Array>();
  private readonly ruleFrags: Map<number, Uint8Array>[] = [];
  private readonly ruleFragByList: Map<string[], Uint8Array>[] = [];
  /** Per input and position-or-not: the fragment of one evidence label by its id + 1 (0: no evidence), and of other lists by FindingTable.evidenceKey. */
  private readonly evidenceOne: (Uint8Array | undefined)[][] = [];
  private readonly evidenceMany: Map<number, Uint8Array>[] = [];
  private readonly nRoles: number;
  /** What the roles' fragment starts with: the two names when no inventory entry has one. */
  private readonly rolesPrefix: string;

  constructor(private readonly x: ViewInput, private readonly services: CoveringServices) {
    this.nRoles = x.facts.roleNames.length;
    this.rolesPrefix = x.roles.hasNames ? "" : ',"srcName":null,"dstName":null';
  }

  /** `{"verdict":..,"action":..,"blockedBy":..,"src":` of key word 0. */
  head(m: number): Uint8Array {
    const key = (m & 255) | (((m >>> 24) & 3) << 8);
    let b = this.heads[key];
    if (b === undefined) {
      b = encode(`{"verdict":${JSON.stringify(VERDICTS[m & 15])},"action":${JSON.stringify(ACTION_NAMES[(m >>> 4) & 15] ?? "unknown")}` +
        `,"blockedBy":${JSON.stringify(BLOCKED_BY_NAMES[(m >>> 24) & 3] ?? null)},"src":`);
      this.heads[key] = b;
    }
    return b;
  }

  /** `,"srcRole":..,"dstRole":..,"protocol":..,"port":`, after the null names when there are no names. */
  roles(src: number, dst: number, proto: number): Uint8Array {
    const key = (src * this.nRoles + dst) * 256 + proto;
    // Findings in report order are sorted by roles and protocol: most have the last one's fragment.
    if (key === this.lastRolesKey) return this.lastRoles;
    let b = this.roleFrags.get(key);
    if (b === undefined) {
      const names = this.x.facts.roleNames;
      b = encode(`${this.rolesPrefix},"srcRole":${JSON.stringify(names[src])},"dstRole":${JSON.stringify(names[dst])},"protocol":${JSON.stringify(protocolName(proto))},"port":`);
      this.roleFrags.set(key, b);
    }
    this.lastRolesKey = key;
    this.lastRoles = b;
    return b;
  }

  private lastRolesKey = -1;
  private lastRoles: Uint8Array = new Uint8Array(0);
  private lastRuleKey = -1;
  private lastRule: Uint8Array = new Uint8Array(0);

  /**
   * `,"services":[..],"rule":..,"ruleRequirement":..,"ruleSource":..,"ruleInferred":..,"ruleInferredReason":..,"count":`,
   * after `,"icmpType":null` when the finding has a port.
   */
  rule(r: number, proto: number, port: number, ported: boolean): Uint8Array {
    const slot = r * 2 + (ported ? 1 : 0);
    // Sorted by roles, protocol and port, consecutive findings share it (the key is exact below 2^53).
    const memo = (slot * 256 + proto) * 65537 + port + 1;
    if (memo === this.lastRuleKey) return this.lastRule;
    this.lastRuleKey = memo;
    this.lastRule = this.ruleFragment(slot, r, proto, port, ported);
    return this.lastRule;
  }

  private readonly middles = new Map<number, Map<number, Uint8Array>>();
  private lastMiddleRoles = -1;
  private lastMiddleRule = -1;
  private lastMiddle: Uint8Array = new Uint8Array(0);
  private static readonly icmpNull = encode('null,"icmpType":');
  private static readonly nul = encode("null");

  /**
   * The roles' fragment, the port (or the null port and the ICMP type) and the rule's fragment, as one
   * fragment from `,"srcRole":` (or the null names) to `,"count":`: the same for a run of findings in
   * report order (sorted by verdict, roles, protocol and port first), so a finding copies one fragment
   * where it copied two and wrote the port's digits. Made once per roles and rule key.
   */
  middle(src: number, dst: number, proto: number, r: number, port: number, ported: boolean): Uint8Array {
    const roles = this.roles(src, dst, proto);
    const rule = this.rule(r, proto, port, ported);
    const rolesKey = this.lastRolesKey, ruleKey = this.lastRuleKey;
    if (rolesKey === this.lastMiddleRoles && ruleKey === this.lastMiddleRule) return this.lastMiddle;
    let byRule = this.middles.get(rolesKey);
    if (byRule === undefined) { byRule = new Map(); this.middles.set(rolesKey, byRule); }
    let b = byRule.get(ruleKey);
    if (b === undefined) {
      const isIcmp = proto === 1 || proto === 58;
      const portPart = ported ? encode(String(port))
        : Buffer.concat([JsonFragments.icmpNull, isIcmp && port >= 0 ? encode(String(port)) : JsonFragments.nul]);
      b = Buffer.concat([roles, portPart, rule]);
      byRule.set(ruleKey, b);
    }
    this.lastMiddleRoles = rolesKey;
    this.lastMiddleRule = ruleKey;
    this.lastMiddle = b;
    return b;
  }

  private ruleFragment(slot: number, r: number, proto: number, port: number, ported: boolean): Uint8Array {
    let byPort = this.ruleFrags[slot];
    if (byPort === undefined) { byPort = new Map(); this.ruleFrags[slot] = byPort; this.ruleFragByList[slot] = new Map(); }
    const key = proto * 65537 + port + 1;
    let b = byPort.get(key);
    if (b === undefined) {
      const list = this.services.of(r, proto, port);
      const byList = this.ruleFragByList[slot]!;
      b = byList.get(list);
      if (b === undefined) {
        const rule = this.x.facts.rules[r];
        b = encode(`${ported ? ',"icmpType":null' : ""},"services":${JSON.stringify(list)},"rule":${JSON.stringify(rule?.id ?? null)}` +
          `,"ruleRequirement":${JSON.stringify(rule?.requirement ?? null)},"ruleSource":${JSON.stringify(rule?.source ?? null)}` +
          `,"ruleInferred":${JSON.stringify(rule ? rule.inferred : null)},"ruleInferredReason":${JSON.stringify(rule?.inferredReason ?? null)},"count":`);
        byList.set(list, b);
      }
      byPort.set(key, b);
    }
    return b;
  }

  /**
   * `,"evidence":[..],"example":{"input":..,"line":` (or `"offset":`) of table entry e, or the whole
   * example when there is no position. A list of one label (or none) is found by the label's id in an
   * array, and made from the label's JSON encoded with all the others at once: a capture's findings
   * have tens of thousands of lists (a Map looked up by a number above 2^31, a heap number each, and a
   * JSON.stringify and encoding per list took 1.5 us each).
   */
  evidence(e: number, inputIdx: number, hasPos: boolean): Uint8Array {
    const table = this.x.table;
    const slot = inputIdx * 2 + (hasPos ? 1 : 0);
    if (table.evidenceIdOf(e, 1) < 0) {
      const one = (this.evidenceOne[slot] ??= []);
      const id = table.evidenceIdOf(e, 0);
      return (one[id + 1] ??= this.oneLabelFragment(id, inputIdx, hasPos));
    }
    let many = this.evidenceMany[slot];
    if (many === undefined) { many = new Map(); this.evidenceMany[slot] = many; }
    const key = table.evidenceKey(e);
    let b = key >= 0 ? many.get(key) : undefined;
    if (b === undefined) {
      b = this.evidenceFragment(e, inputIdx, hasPos);
      if (key >= 0) many.set(key, b);
    }
    return b;
  }

  private labels: LabelJson | undefined = undefined;
  private readonly exampleFrags: Uint8Array[] = [];
  private static readonly evidenceHead = encode(',"evidence":[');

  /** The fragment of the list of label `id` (-1: the empty list): its JSON copied between the fixed parts. */
  private oneLabelFragment(id: number, inputIdx: number, hasPos: boolean): Uint8Array {
    const slot = inputIdx * 2 + (hasPos ? 1 : 0);
    const tail = (this.exampleFrags[slot] ??= encode(`]${this.exampleText(inputIdx, hasPos)}`));
    const head = JsonFragments.evidenceHead;
    const labels = (this.labels ??= new LabelJson(this.x.table.evidenceText));
    const from = id < 0 ? 0 : labels.start[id]!, to = id < 0 ? 0 : labels.end[id]!;
    const out = Buffer.allocUnsafe(head.length + (to - from) + tail.length);
    out.set(head, 0);
    out.set(labels.bytes.subarray(from, to), head.length);
    out.set(tail, head.length + (to - from));
    return out;
  }

  /** `,"example":{"input":..,"line":` (or `"offset":`), or the whole example when there is no position. */
  private exampleText(inputIdx: number, hasPos: boolean): string {
    const input = this.x.inputs[inputIdx];
    const where = input !== undefined && isBinaryFormat(input.format) ? "offset" : "line";
    return `,"example":{"input":${JSON.stringify(input?.path ?? "?")}` + (hasPos ? `,"${where}":` : "}}");
  }

  private evidenceFragment(e: number, inputIdx: number, hasPos: boolean): Uint8Array {
    return encode(`,"evidence":${JSON.stringify(this.x.table.evidenceOf(e))}${this.exampleText(inputIdx, hasPos)}`);
  }
}

/**
 * Every evidence label's JSON text, as UTF-8, from one JSON.stringify of them all and one encoding: label
 * g's is bytes[start[g] .. end[g]-1]. The bounds are found by reading the array's text: each label is a
 * JSON string, whose quotes inside are escaped (an odd run of backslashes before them), and UTF-8's
 * multi-byte sequences hold no ASCII byte.
 */
export class LabelJson {
  readonly bytes: Buffer;
  readonly start: Int32Array;
  readonly end: Int32Array;

  constructor(texts: readonly string[]) {
    const n = texts.length;
    const b = Buffer.from(JSON.stringify(texts), "utf8");
    this.bytes = b;
    this.start = new Int32Array(n);
    this.end = new Int32Array(n);
    let p = 1; // after "["
    for (let g = 0; g < n; g++) {
      if (g > 0) p++; // the comma
      this.start[g] = p;
      // The closing quote: the next quote after the opening one that an odd run of backslashes does not
      // escape (indexOf: a native search, where a JS loop read each of the ~1 MB of a capture's labels).
      let q = b.indexOf(34, p + 1);
      while (escaped(b, q)) q = b.indexOf(34, q + 1);
      p = q + 1;
      this.end[g] = p;
    }
  }
}

/** Whether the quote at b[q] is escaped: an odd number of backslashes right before it. */
function escaped(b: Uint8Array, q: number): boolean {
  let i = q - 1;
  while (b[i] === 92) i--;
  return ((q - 1 - i) & 1) === 1;
}
