#!/usr/bin/env node
// Thin launcher so the bin works from a published tarball: the CLI itself is compiled to dist/.
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/cli.js", import.meta.url);
let cli;
try {
  cli = await import(entry.href);
} catch (error) {
  // Only dist/cli.js itself missing means "not built"; anything else is reported as it is.
  const unbuilt =
    error?.code === "ERR_MODULE_NOT_FOUND" &&
    (error.url === entry.href || String(error.message).includes(`'${fileURLToPath(entry)}'`));
  console.error(
    unbuilt
      ? "kling: dist/cli.js is missing (the package is not built). Build it first: corepack pnpm turbo run build --filter=@kling-multi-image/cli..."
      : `kling: could not start (${error?.message ?? error})`,
  );
  process.exit(1);
}
process.exitCode = await cli.main(process.argv.slice(2));
