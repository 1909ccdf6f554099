/**
 * What the WebAssembly modules' glue shares (src/decode/pcap/wasm.ts, src/decode/log/wasm-rows.ts,
 * src/flow/wasm-tracker.ts, src/match/findings-wasm.ts): the little of the WebAssembly JS API it uses
 * (Node has it; the compiler's lib ES2022 without DOM does not declare it, and @types/node 20 does not
 * either), and finding and compiling a built module.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface WasmModule { readonly __wasmModule: unique symbol }
export interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Instance: new (m: WasmModule, imports: { env: { memory: WasmMemory } }) => { exports: unknown };
}
export const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The most pages a 32-bit memory has (4 GiB): a shared memory's maximum (scripts/build-wasm.mjs). */
export const MAX_PAGES = 65536;

/**
 * A memory for the pcap decoder's and the flow tracker's modules, which declare theirs shared (a worker
 * thread reads a large capture straight into it: src/source/read-ring.ts). Its `buffer` is a
 * SharedArrayBuffer; growing it keeps the old one valid (a view of it sees the same bytes).
 */
export function sharedMemory(initialPages: number): WasmMemory {
  return new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
}

/** A module looked for: compiled, or undefined with why (`unusable` is empty when no file was there). */
export interface FoundModule {
  module: WasmModule | undefined;
  unusable: string;
}

/** What compileModule found, by its list of paths: each module is looked for and compiled once a process. */
const found = new Map<string, FoundModule>();

/**
 * The first of `paths` that exists, compiled (once a process). A file that cannot be compiled (cut
 * short, from another build, not WebAssembly) counts as not built: the modules only make a run faster,
 * and the JS path they are tested against reads what they would have; `unusable` names the file and the
 * error for a switch that forces the module.
 */
export function compileModule(paths: readonly string[]): FoundModule {
  const key = paths.join("\n");
  let f = found.get(key);
  if (f === undefined) {
    f = { module: undefined, unusable: "" };
    for (const path of paths) {
      if (!existsSync(path)) continue;
      try {
        f = { module: new WebAssembly.Module(readFileSync(path)), unusable: "" };
        break;
      } catch (e) {
        f.unusable = `${path}: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    found.set(key, f);
  }
  return f;
}

/** Whether compileModule has looked for (and compiled) the module of `paths` in this process. */
export function moduleLookedFor(paths: readonly string[]): boolean {
  return found.has(paths.join("\n"));
}

/** `rels`, relative to the glue file at `base` (its import.meta.url), as paths. */
export function modulePaths(base: string, rels: readonly string[]): string[] {
  return rels.map((rel) => fileURLToPath(new URL(rel, base)));
}

/**
 * `dst.set(src, at)`: a chunk copied into a module's memory. A chunk may be a view of a
 * SharedArrayBuffer (a large .gz file's output, src/source/gzip-ring.ts), and V8's
 * TypedArray.prototype.set copies out of shared memory element by element with relaxed atomic loads:
 * ~0.7 ms per MiB of output just written by another thread, ~0.15 ms with Buffer's `fill` given the
 * bytes as its value, which is one memcpy in C++ (bench/README.md, "gzip, fourth round").
 */
export function copyIntoMemory(dst: Uint8Array, at: number, src: Uint8Array): void {
  if (src.length > 0 && src.buffer instanceof SharedArrayBuffer) Buffer.prototype.fill.call(dst, src as unknown as string, at, at + src.length);
  else dst.set(src, at);
}
