import { ACTION_ALLOWED, ACTION_BLOCKED, ACTION_UNKNOWN, type ActionCode } from "../batch.js";

/** A user's own mapping of log prefixes (or action words) to actions, tried before the built-in words. */
export interface ActionMapEntry {
  /** Case-insensitive substring of the prefix. */
  match: string;
  action: ActionCode;
}

const BLOCK_WORDS = ["DROP", "DENY", "DENIED", "REJECT", "BLOCK", "DISCARD"];
const ALLOW_WORDS = ["ACCEPT", "ALLOW", "PASS", "PERMIT"];

/**
 * The action a log prefix states. Built in: words containing DROP/DENY/REJECT/BLOCK/DISCARD mean blocked,
 * ACCEPT/ALLOW/PASS/PERMIT mean allowed (UFW's "[UFW BLOCK]", "[UFW ALLOW]" included); Ubiquiti EdgeOS
 * rule prefixes end in "-A" (accept), "-D" (drop) or "-R" (reject), e.g. "[WAN_IN-default-D]".
 * Anything else is unknown. Called once per distinct prefix, not per line.
 */
export function actionFromPrefix(prefix: string, userMap: readonly ActionMapEntry[] = []): ActionCode {
  const up = prefix.toUpperCase();
  for (const e of userMap) if (up.includes(e.match.toUpperCase())) return e.action;
  const words = up.split(/[^A-Z]+/).filter(Boolean);
  let blocked = false;
  let allowed = false;
  for (const w of words) {
    if (BLOCK_WORDS.some((k) => w.includes(k))) blocked = true;
    else if (ALLOW_WORDS.some((k) => w.includes(k))) allowed = true;
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
