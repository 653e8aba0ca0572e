import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
    // CI runs every package at once on two cores: waits for real I/O get room, not a race, and a
    // test outlives the polls inside it (the signed-callback test once took over 5 s under load).
    expect: { poll: { timeout: 10_000 } },
    testTimeout: 30_000,
  },
});
