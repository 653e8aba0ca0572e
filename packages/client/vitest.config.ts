import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // CI runs every package at once on two cores: waits for real I/O get room, not a race, and a
    // test outlives the polls inside it (the signed-callback test once took over 5 s under load).
    expect: { poll: { timeout: 10_000 } },
    testTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          typecheck: { enabled: true, include: ["test/**/*.test-d.ts"] },
        },
      },
      // The integration tests again, against the mock's MSW handlers instead of its server.
      {
        extends: true,
        test: {
          name: "msw",
          include: ["test/mock.integration.test.ts"],
          env: { MOCK_ADAPTER: "msw" },
        },
      },
    ],
  },
});
