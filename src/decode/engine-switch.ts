/**
 * The environment switches that choose between a WebAssembly fast path and its JavaScript reference
 * (PORTMATRIX_PCAP_DECODER, PORTMATRIX_LOG_DECODER, PORTMATRIX_TRACKER, PORTMATRIX_FINDINGS,
 * PORTMATRIX_CLASSIFY): for tests and benches, documented in the README. Unset or empty leaves the choice to the tool; a value it does
 * not know is a usage error, not a silent default (a misspelt `=jss` would otherwise measure or test the
 * other path).
 */
import { UsageError } from "../errors.js";

export function forcedEngine(name: string, env: NodeJS.ProcessEnv): "js" | "wasm" | undefined {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  if (v === "js" || v === "wasm") return v;
  throw new UsageError(`${name}=${JSON.stringify(v)}: expected js or wasm (or unset, to let portmatrix choose)`);
}

/** The error for a switch forcing a module that was not built or cannot be compiled (`unusable` says why). */
export function moduleMissing(name: string, file: string, unusable: string): UsageError {
  return new UsageError(`${name}=wasm, but ${file} ${unusable ? `cannot be used (${unusable})` : "was not built"} (npm run build)`);
}
