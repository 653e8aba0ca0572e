#!/usr/bin/env node
// Thin launcher so the bin works from a published tarball: the CLI itself is compiled to dist/.
import { main } from "../dist/cli.js";

process.exitCode = await main(process.argv.slice(2));
