import type { Verdict } from "../match/matcher.js";

/** Order in which people read verdicts: what breaks the product first. */
export const VERDICT_ORDER: readonly Verdict[] = [
  "blocked-required", "allowed-unexpected", "unobserved-required", "inconclusive", "unclassified", "blocked-unexpected", "allowed-required",
];
