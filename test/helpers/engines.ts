/**
 * Tests that need an optional engine package: skipped (saying why) where it is missing, but a failing
 * test when CI is set, because CI installs every optional dependency with npm ci.
 */
import { describe, it } from "vitest";
import { inCi } from "./need.js";

export async function have(name: string): Promise<boolean> {
  try {
    await import(name);
    return true;
  } catch {
    return false;
  }
}

export const HAVE_DUCKDB = await have("@duckdb/node-api");
export const HAVE_CHDB = await have("chdb");

/** Call at the top of a test file that needs `names`: returns true when the file's tests can run. */
export function needs(what: string, present: boolean): boolean {
  if (present) return true;
  // The same reading of CI as every other need (need.ts): set unless empty, 0 or false.
  if (inCi()) {
    describe(`${what} is needed`, () => {
      it(`${what} is installed (CI installs the optional dependencies: npm ci)`, () => {
        throw new Error(`${what} is not installed or does not load; CI must not skip these tests`);
      });
    });
  } else {
    console.warn(`${what} is not installed: its tests are skipped`);
  }
  return false;
}
