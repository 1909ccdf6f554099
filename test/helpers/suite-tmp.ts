import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * vitest globalSetup: every temporary file the suite writes goes under one directory of its own, which
 * is removed when the run ends. Tests make their directories with `mkdtempSync(join(tmpdir(), ...))`
 * and never removed them: each full run left ~3,800 directories (some with a 190 MB log) in /tmp, and
 * repeated runs filled a 250 GB disk. TMPDIR is set before vitest forks its workers, so `os.tmpdir()` in
 * every test file, and in every tool a test starts, points inside the suite's directory.
 * PORTMATRIX_KEEP_TMP=1 keeps it (its path is printed) to look at what a failing test wrote.
 */
export default function setup(): () => void {
  const { dir, remove } = suiteTmp(tmpdir());
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.PORTMATRIX_KEEP_TMP) console.error(`portmatrix tests: temporary files kept in ${dir}`);
    else remove();
  };
}

/** A fresh directory under `base` for one run of the suite, and how to remove it. */
export function suiteTmp(base: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(base, "portmatrix-suite-"));
  // Like /tmp itself: tools a test starts under another user (tcpdump -Z, samba) still reach their own
  // directories below it.
  chmodSync(dir, 0o1777);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
