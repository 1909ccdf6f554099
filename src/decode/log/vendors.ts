/**
 * Vendor log formats read through the shared text frame (text-format.ts), in detection order: a
 * more specific format comes before a more general one (a vendor's CEF dialect before plain CEF).
 * Each entry is one module of its own.
 */
import type { TextFormatSpec } from "./text-format.js";
// formats:imports (one import per line, keep this marker)

export const VENDOR_FORMATS: TextFormatSpec[] = [
  // formats:list (one entry per line, keep this marker)
];
