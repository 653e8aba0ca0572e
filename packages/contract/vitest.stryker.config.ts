// The vitest config of `pnpm mutation` (StrykerJS, stryker.config.json): the fast in-process tests
// of src/checks/ in test/mutation (a literal OpenAPI document, a scripted oracle and a gateway behind
// a stubbed fetch). Not the kit's end-to-end tests (broken servers, the mock, MSW, the CLI): each
// runs whole contract runs over HTTP and compiles the spec's schemas with Hyperjump again for every
// mutant, seconds per mutant. Kept apart from vitest.config.ts, which runs them all.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/mutation/*.test.ts"],
    setupFiles: ["test/mutation/setup.ts"],
    testTimeout: 10_000,
    // One worker for all the files of a mutant's run rather than one per file. Each run still loads
    // the modules afresh, and every test restores what it stubs (fetch, timers).
    isolate: false,
  },
});
