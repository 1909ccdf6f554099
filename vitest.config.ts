import { defineConfig } from "vitest/config";
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    // One directory for every temporary file of a run, removed at its end (test/helpers/suite-tmp.ts).
    globalSetup: ["test/helpers/suite-tmp.ts"],
    testTimeout: 30000,
    pool: "forks",
  },
});
