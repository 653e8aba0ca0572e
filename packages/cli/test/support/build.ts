/**
 * vitest's global setup: the tests run `bin/kling.js`, which loads `dist/`. Rebuild it when a
 * file in `src/` is newer (turbo's `test` task builds first anyway), and say plainly when the
 * client it imports was never built.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      latest = Math.max(latest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
    }
  }
  return latest;
}

export default function setup(): void {
  const client = createRequire(`${root}package.json`).resolve("@kling-multi-image/client");
  if (!existsSync(client)) {
    throw new Error(
      "@kling-multi-image/client is not built: corepack pnpm turbo run build --filter=@kling-multi-image/cli^...",
    );
  }
  const built = existsSync(`${root}dist/cli.js`) ? statSync(`${root}dist/cli.js`).mtimeMs : 0;
  if (built < newest(`${root}src`)) {
    const tsc = createRequire(`${root}package.json`).resolve("typescript/bin/tsc");
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
      cwd: root,
      stdio: "inherit",
    });
  }
}
