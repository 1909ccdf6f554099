/**
 * What the readers that run beside the main thread share (gzip-ring.ts, read-ring.ts, raw.ts's direct
 * reads): letting the event loop run between synchronous steps, and finding a worker's built script.
 */

/** Let the event loop run once (a signal or a worker's exit that came during synchronous work is handled there). */
export const turn = (): Promise<void> => new Promise<void>((res) => setImmediate(res));

/**
 * The built script `name` (a worker's .cjs) beside the module whose import.meta.url is `here`: in
 * dist/source/ or dist/bundle/, and in dist/source/ also when `here` is a TypeScript source (tests).
 */
export function workerScript(here: string, name: string): URL {
  return here.endsWith(".ts") ? new URL(`../../dist/source/${name}`, here) : new URL(`./${name}`, here);
}
