// The vitest config of `pnpm mutation` (StrykerJS, stryker.config.json). Stryker re-runs the tests
// that cover a mutant, in one process, for every mutant: only fast in-process tests belong here.
// Never the soak project, tests that start the built mock in a child (test/server/callback-burst,
// test/soak), the fuzz and engine-parity runs, or the benchmarks. Kept apart from vitest.config.ts,
// whose projects Stryker would run all.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/callbacks/*.test.ts", "test/adapters/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    expect: { poll: { timeout: 10_000 } },
  },
});
