/**
 * What `--fail-on` accepts: a verdict, or a blocked verdict narrowed to who stopped the flow
 * (`blocked-required:network` fails only on required flows a firewall in the path stopped; see
 * docs/outcomes.md). A finding fails when any item matches it.
 */
import { ALL_VERDICTS, type Verdict } from "../match/matcher.js";
import type { BlockedBy } from "../net/proto.js";

export const BLOCKED_VERDICTS = ["blocked-required", "blocked-unexpected"] as const;
export const BLOCKED_BY_VALUES: readonly BlockedBy[] = ["network", "destination", "unknown"];

export type FailOn = Verdict | `${(typeof BLOCKED_VERDICTS)[number]}:${BlockedBy}`;

/** Every item --fail-on accepts, for its error message and help. */
export const FAIL_ON_ITEMS: readonly string[] = [...ALL_VERDICTS, ...BLOCKED_VERDICTS.flatMap((v) => BLOCKED_BY_VALUES.map((b) => `${v}:${b}`))];

export function isFailOn(s: string): s is FailOn {
  return FAIL_ON_ITEMS.includes(s);
}

/** Whether a finding (verdict, and who stopped it when blocked) is a violation under `failOn`. */
export function failsOn(failOn: readonly string[], f: { verdict: string; blockedBy?: BlockedBy | null }): boolean {
  for (const item of failOn) {
    if (item === f.verdict) return true;
    const colon = item.indexOf(":");
    if (colon > 0 && item.slice(0, colon) === f.verdict && item.slice(colon + 1) === f.blockedBy) return true;
  }
  return false;
}

/** Whether `failOn` names the verdict at all (plainly or narrowed): the renderers mark such groups as failing. */
export function namesVerdict(failOn: readonly string[], verdict: string): boolean {
  return failOn.some((item) => item === verdict || item.startsWith(`${verdict}:`));
}
