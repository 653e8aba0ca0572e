import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // CI runs every package at once on two cores: waits for real I/O get room, not a race.
    expect: { poll: { timeout: 10_000 } },
  },
});
