import { REPO_ROOT } from "./need.js";

// Tests name fixtures by repository-relative paths ("fixtures/kcps/kern.log"); vitest started from
// another directory (`vitest run --root <repo>`) must read the same files. Each test file runs in its
// own forked worker (vitest.config.ts: pool "forks"), so changing its directory touches nothing else.
process.chdir(REPO_ROOT);
