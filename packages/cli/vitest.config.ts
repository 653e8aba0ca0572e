import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The tests run the built CLI (bin/kling.js → dist/) as a user does; this rebuilds dist/ first
    // when a source file is newer.
    globalSetup: ["test/support/build.ts"],
    // Each test starts `node` processes on a shared 2-core machine: room, not a race.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    expect: { poll: { timeout: 15_000 } },
  },
});
