#!/usr/bin/env node
// The built CLI (run `pnpm --filter @kling-multi-image/mock build` first; `pnpm mock` does).
import("../dist/cli.js").catch((error) => {
  console.error(
    `kling-mock: could not load dist/cli.js (${error?.message ?? error}). Build first: corepack pnpm --filter @kling-multi-image/mock build`,
  );
  process.exit(1);
});
