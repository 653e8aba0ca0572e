import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // CI runs every package at once on two cores: waits for real I/O get room, not a race.
    expect: { poll: { timeout: 10_000 } },
    projects: [
      // Everything, against the Node server (Prism's engine).
      {
        extends: true,
        test: { name: "server", include: ["test/**/*.test.ts"], exclude: ["test/soak/**"] },
      },
      // The bounded soak (SOAK_SECONDS, default 20): the built mock in a child under a low
      // descriptor limit, on real time, with hanging, failing and redirecting receivers.
      { extends: true, test: { name: "soak", include: ["test/soak/**/*.test.ts"] } },
      // The adapter-neutral behaviour tests again, against the MSW handlers (compiled validators):
      // the same assertions passing on both is the parity the two adapters promise.
      {
        extends: true,
        test: {
          name: "msw",
          include: ["test/adapters/**/*.test.ts"],
          env: { MOCK_ADAPTER: "msw" },
        },
      },
    ],
  },
});
