#!/usr/bin/env node
// npm run fuzz -- --minutes N: the fuzz tests with a longer budget (default 5 minutes). Unlike
// `npm test`, this run saves each failing input into fixtures/fuzz/, where later test runs replay it.
import { spawnSync } from "node:child_process";
const i = process.argv.indexOf("--minutes");
const minutes = i >= 0 ? Number(process.argv[i + 1]) : 5;
if (!Number.isFinite(minutes) || minutes <= 0) { console.error("usage: npm run fuzz -- --minutes N"); process.exit(2); }
const env = { ...process.env, FUZZ_MINUTES: String(minutes), FUZZ_KEEP_DIR: "fixtures/fuzz" };
const r = spawnSync("npx", ["vitest", "run", "test/hostile/fuzz.test.ts"], { stdio: "inherit", env });
process.exit(r.status ?? 1);
