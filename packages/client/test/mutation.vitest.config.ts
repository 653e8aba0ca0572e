// The vitest config of `pnpm mutation` (StrykerJS, stryker.config.mjs): the unit tests of the
// five mutated modules, which run on a fake clock or with scripted answers. Left out: the tests
// that go through the whole client over real HTTP and real time (client, transport) and the
// integration tests that start the mock; no mutant of these modules escapes only them (see the
// README), and they would make every mutant of retry.ts wait for real backoffs.
// Kept apart from vitest.config.ts, whose projects Stryker would run all.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["test/{errors,retry,task,wait,webhooks}.test.ts"],
    // A mutant that makes a test hang fails it here, well before Stryker's own timeout, which
    // would restart the test runner (seconds each time).
    testTimeout: 4_000,
    hookTimeout: 4_000,
    expect: { poll: { timeout: 3_000 } },
    // One module graph for all the files, re-run for each mutant: fresh ones cost more than the
    // tests themselves. The tests restore their mocks, timers and globals.
    isolate: false,
  },
});
