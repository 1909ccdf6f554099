/**
 * What the WebAssembly modules' glue shares (src/decode/pcap/wasm.ts, src/decode/log/wasm-rows.ts,
 * src/flow/wasm-tracker.ts, src/match/findings-wasm.ts): the little of the WebAssembly JS API it uses
 * (Node has it; the compiler's lib ES2022 without DOM does not declare it, and @types/node 20 does not
 * either), and finding and compiling a built module.
 */
import { existsSync, readFileSync } from "node:fs";

export interface WasmModule { readonly __wasmModule: unique symbol }
export interface WasmMemory { readonly buffer: ArrayBuffer }
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (d: { initial: number }) => WasmMemory;
  Instance: new (m: WasmModule, imports: { env: { memory: WasmMemory } }) => { exports: unknown };
}
export const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A module looked for: compiled, or undefined with why (`unusable` is empty when no file was there). */
export interface FoundModule {
  module: WasmModule | undefined;
  unusable: string;
}

/**
 * The first of `paths` that exists, compiled. A file that cannot be compiled (cut short, from another
 * build, not WebAssembly) counts as not built: the modules only make a run faster, and the JS path
 * they are tested against reads what they would have; `unusable` names the file and the error for a
 * switch that forces the module.
 */
export function compileModule(paths: readonly string[]): FoundModule {
  let unusable = "";
  for (const path of paths) {
    if (!existsSync(path)) continue;
    try {
      return { module: new WebAssembly.Module(readFileSync(path)), unusable: "" };
    } catch (e) {
      unusable = `${path}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return { module: undefined, unusable };
}
