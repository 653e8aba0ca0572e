// Copies the built playground page (apps/playground/dist, Vite's output) into this package's ui/
// so the packed mock serves it with no monorepo around it. Run as `prepack` (pnpm pack and
// pnpm publish run it); `postpack` runs it with --clean, so in the repository ui/ exists only
// while a tarball is being made and `pnpm mock` never serves a stale copy.
//
// The playground has a devDependency on the mock, so the mock cannot depend on the playground in
// turbo's graph: the copy happens here, at pack time, not in the mock's build.
//
// Only a real pack runs this: the lint's `attw --pack` packs with npm_config_ignore_scripts (it
// reads types, not the page), because its postpack --clean would otherwise remove ui/ in the middle
// of the packed test's own pack, which turbo runs at the same time.
//
// ui/ appears and disappears in one rename, so a mock starting meanwhile (the packed test packs
// while other packages' tests run) sees the whole page or none of it, never half a copy.
//
//   node scripts/bundle-ui.mjs           apps/playground/dist -> ui/ (fails if it is not built)
//   node scripts/bundle-ui.mjs --clean   removes ui/
import { cpSync, existsSync, renameSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const target = fileURLToPath(new URL("../ui", import.meta.url));
const staging = fileURLToPath(new URL(`../.ui-staging-${process.pid}`, import.meta.url));
const old = fileURLToPath(new URL(`../.ui-old-${process.pid}`, import.meta.url));
const source = fileURLToPath(new URL("../../playground/dist", import.meta.url));

function removeTarget() {
  if (!existsSync(target)) return;
  rmSync(old, { recursive: true, force: true });
  renameSync(target, old);
  rmSync(old, { recursive: true, force: true });
}

if (process.argv.includes("--clean")) {
  removeTarget();
  process.exit(0);
}

if (!existsSync(`${source}/index.html`)) {
  console.error(
    "bundle-ui: apps/playground/dist/index.html is missing, so the mock's tarball would have no " +
      "playground page. Build it first: corepack pnpm turbo run build --filter=@kling-multi-image/playground",
  );
  process.exit(1);
}
rmSync(staging, { recursive: true, force: true });
cpSync(source, staging, { recursive: true });
removeTarget();
renameSync(staging, target);
console.log("bundle-ui: copied apps/playground/dist into ui/");
