#!/usr/bin/env node
// Placeholder until the stateful mock lands (issue: apps/mock). Says so instead of pretending.
console.error(
  "kling-mock: the stateful mock server is not built yet (see the apps/mock issue).\n" +
    "Meanwhile a stateless stand-in: npx @stoplight/prism-cli@5.14 mock spec/openapi.yaml",
);
process.exit(1);
