import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Packing and a cold `npm install` (empty npm cache in CI) take a while; each step has its
    // own, shorter bound in the test, so a hang fails with what was running, not a timeout.
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
