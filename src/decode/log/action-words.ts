import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";

/** A user's own mapping of log prefixes (or action words) to actions, tried before the built-in words. */
export interface ActionMapEntry {
  /** Case-insensitive substring of the prefix. */
  match: string;
  action: ActionCode;
}

const BLOCK_WORDS = ["DROP", "DENY", "DENIED", "REJECT", "BLOCK", "DISCARD", "DISALLOW"];
const ALLOW_WORDS = ["ACCEPT", "ALLOW", "PASS", "PERMIT"];
/** Whole words only: SuSEfirewall2 writes "ACC" for accept ("SFW2-INext-ACC-TCP"); "ACCESS" is no verdict. */
const ALLOW_EXACT = ["ACC"];
const UBNT_EDGEOS = /(?:^|\s)\[[^\]\s]+-(?:\d+|DEFAULT)-([ADR])\]/;
const UBNT_UNIFI_OS = /(?:^|\s)\[[^\]\s]+-([ADR])-\d+\]/;

/**
 * The action a log prefix states. Built in: words containing DROP/DENY/REJECT/BLOCK/DISCARD/DISALLOW mean
 * blocked, ACCEPT/ALLOW/PASS/PERMIT (and the whole word ACC) mean allowed (UFW's "[UFW BLOCK]",
 * "[UFW ALLOW]", firewalld's "filter_IN_public_REJECT: ", Shorewall's "Shorewall:net2fw:DROP:" included);
 * Ubiquiti rule labels carry "A" (accept), "D" (drop) or "R" (reject): EdgeOS "[WAN_IN-default-D]",
 * UniFi OS "[WAN_LOCAL-D-2000]"; a prefix that only ends in "-A"/"-D"/"-R" is read the same way after
 * the words. A prefix with both a block and an allow word is blocked: block words name verdicts, allow
 * words also name lists and conditions ("ALLOWLIST-DROP"). Anything else is unknown. Called once per
 * distinct prefix, not per line.
 */
export function actionFromPrefix(prefix: string, userMap: readonly ActionMapEntry[] = []): ActionCode {
  const up = prefix.toUpperCase();
  for (const e of userMap) if (up.includes(e.match.toUpperCase())) return e.action;
  // Ubiquiti's rule label states the action outright, whatever words the rule set's name or the UniFi
  // DESCR="..." that follows it hold: EdgeOS/USG "[RULESET-RULE-A]" (RULE a number or "default"),
  // UniFi OS gateways "[ZONE_ZONE-A-RULE]" ("[WAN_LOCAL-D-2147483647] DESCR=\"Block All\" IN=...").
  const ubnt = UBNT_EDGEOS.exec(up) ?? UBNT_UNIFI_OS.exec(up);
  if (ubnt) return ubnt[1] === "A" ? ACTION_ALLOWED : ACTION_BLOCKED;
  const words = up.split(/[^A-Z]+/).filter(Boolean);
  let blocked = false;
  let allowed = false;
  for (const w of words) {
    if (BLOCK_WORDS.some((k) => w.includes(k))) blocked = true;
    else if (ALLOW_WORDS.some((k) => w.includes(k)) || ALLOW_EXACT.includes(w)) allowed = true;
  }
  if (blocked) return ACTION_BLOCKED;
  if (allowed) return ACTION_ALLOWED;
  const edge = /-([ADR])\]?\s*:?\s*$/.exec(up.trim());
  if (edge) return edge[1] === "A" ? ACTION_ALLOWED : ACTION_BLOCKED;
  return ACTION_UNKNOWN;
}

/** Parse `--action-map "FW-IN=blocked,LAN-OK=allowed"`. */
export function parseActionMap(text: string): ActionMapEntry[] | string {
  const out: ActionMapEntry[] = [];
  for (const part of text.split(",")) {
    const t = part.trim();
    if (!t) continue;
    const eq = t.lastIndexOf("=");
    if (eq <= 0) return `"${t}": expected PREFIX=allowed|blocked`;
    const what = t.slice(eq + 1).trim().toLowerCase();
    const action = what === "allowed" || what === "allow" ? ACTION_ALLOWED : what === "blocked" || what === "block" ? ACTION_BLOCKED : -1;
    if (action < 0) return `"${t}": action must be allowed or blocked`;
    out.push({ match: t.slice(0, eq), action: action as ActionCode });
  }
  return out;
}
