// Runs the client's test suite again under Node 22 and 24 (fetched from the npm registry by
// `npx node@N`), because the client promises to run there and this machine's node is 20.
// Type tests are skipped here: they do not depend on the runtime.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// vitest's bin is not in its `exports`, so find it next to its package.json.
const vitest = join(
  dirname(createRequire(import.meta.url).resolve("vitest/package.json")),
  "vitest.mjs",
);
const versions = (process.env.CLIENT_TEST_NODE_VERSIONS ?? "22,24").split(",").filter(Boolean);
let failed = false;
for (const version of versions) {
  console.log(`\n# client tests under Node ${version}`);
  const run = spawnSync(
    "npx",
    ["-y", `node@${version}`, vitest, "run", "--typecheck.enabled=false", "--reporter=dot"],
    { stdio: "inherit", env: { ...process.env, npm_config_update_notifier: "false" } },
  );
  if (run.status !== 0) {
    console.error(`client tests failed under Node ${version} (exit ${run.status ?? run.signal})`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
