import { readdirSync, readlinkSync } from "node:fs";

/**
 * Resolve when process `pid` has `path` open (Linux /proc): it has started its real work, so its
 * signal handlers are in place. Rejects after `timeoutMs`, or when the process is gone.
 */
export async function untilOpened(pid: number, path: string, timeoutMs = 60_000): Promise<void> {
  for (const start = Date.now(); Date.now() - start < timeoutMs;) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      throw new Error(`process ${pid} ended before it opened ${path}`);
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === path) return;
      } catch { /* closed meanwhile */ }
    }
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`process ${pid} did not open ${path} within ${timeoutMs} ms`);
}
