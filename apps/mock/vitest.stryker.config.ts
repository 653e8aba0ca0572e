// The vitest config of `pnpm mutation` (StrykerJS, stryker.config.json). Stryker re-runs the tests
// that cover a mutant for every mutant, so only fast in-process tests of the mutated modules belong
// here: test/mutation, which drives the simulator, store, scenarios, timing, PRNG, errors and
// callbacks through their public API with literal expectations, the dispatcher with a scripted
// fetch rather than sockets. test/callbacks (real sockets) kills nothing more and would slow every
// dispatcher mutant down; it stays in `pnpm test`. Not the adapter tests: each of their files
// imports the server with Prism again for every mutant, and a run would take about an hour. Nor the
// soak project, the tests that start the built mock in a child (test/server/callback-burst,
// test/soak), the fuzz and engine-parity runs, or the benchmarks. Kept apart from
// vitest.config.ts, whose projects Stryker would run all.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/mutation/*.test.ts"],
    testTimeout: 10_000,
    // One worker for all the files of a mutant's run rather than one per file: a third less time.
    // Each run still loads the modules afresh (static mutants are killed), and no test here leaves
    // global state behind (fake timers and stubbed globals are restored).
    isolate: false,
  },
});
