// `pnpm mutation`: StrykerJS over the client's core modules, with the vitest runner over their
// unit tests (test/mutation.vitest.config.ts). Not part of `pnpm test`. The scores and the
// mutants left alive on purpose are in the README ("Mutation testing").
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  // Under pnpm, Stryker cannot find its plugins beside itself: name the runner's own path.
  plugins: [import.meta.resolve("@stryker-mutator/vitest-runner")],
  testRunner: "vitest",
  vitest: { configFile: "test/mutation.vitest.config.ts", related: false },
  mutate: ["src/errors.ts", "src/retry.ts", "src/task.ts", "src/webhooks.ts", "src/wait.ts"],
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 3000,
  timeoutFactor: 1.5,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
