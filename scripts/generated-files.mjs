// The one write-or-check loop of the repository's generators (spec, client, mock): each renders its
// files, then either writes them or, with `--check` (run by `lint`), fails when a committed file is
// not what it would write. Imported by relative path; plain ESM, no dependencies.
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";

/**
 * A generated file: its path and the content it must have.
 * @typedef {readonly [file: string, content: string]} GeneratedFile
 */

/**
 * Writes each of `outputs`, or with `check` compares each with the file on disk: every stale or
 * missing file is named on stderr, then the process exits 1; when none is, `upToDate` is printed.
 * Paths are shown relative to the working directory.
 *
 * @param {readonly GeneratedFile[]} outputs
 * @param {{ check: boolean, upToDate?: string, remedy?: string }} options `check`: compare
 *   instead of writing; `upToDate`: what to print when every file is; `remedy`: what to tell the
 *   reader of a stale file (default: run `pnpm generate` and commit the result).
 * @returns {void}
 */
export function writeOrCheck(outputs, { check, upToDate, remedy }) {
  const fix = remedy ?? "run `pnpm generate` and commit the result";
  let stale = 0;
  for (const [file, fresh] of outputs) {
    const shown = relative(process.cwd(), file);
    if (!check) {
      writeFileSync(file, fresh);
      console.log(`wrote ${shown}`);
      continue;
    }
    let committed;
    try {
      committed = readFileSync(file, "utf8");
    } catch {
      committed = undefined;
    }
    if (committed !== fresh) {
      console.error(`${shown} is ${committed === undefined ? "missing" : "stale"}: ${fix}.`);
      stale++;
    }
  }
  if (stale > 0) process.exit(1);
  if (check) console.log(upToDate ?? "generated files are up to date");
}
