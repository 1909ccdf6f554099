/**
 * The root of the version-controlled tree holding a directory: what code-scanning platforms resolve a
 * SARIF log's relative paths against (GitHub code scanning: the repository's root). Found as git does
 * for `git rev-parse --show-toplevel` without running git: the nearest ancestor holding `.git` (a
 * directory, or the file a worktree or submodule has).
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export function workTreeRoot(dir: string): string | undefined {
  let d = resolve(dir);
  for (;;) {
    if (existsSync(join(d, ".git"))) return d;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}
