/**
 * `@kling-multi-image/cli`: the `kling` command. Its `main` is exported for embedding and tests:
 * `process.exitCode = await main(process.argv.slice(2))`.
 * @packageDocumentation
 */
export { type CliIo, main } from "./cli.js";
export { CliError, EXIT, type ExitCode } from "./exit.js";
export { IMAGE_RULES, imageProblem, isUrl, loadImages } from "./images.js";
export type { Output } from "./progress.js";
