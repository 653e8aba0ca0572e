/**
 * The simulator core and the MSW adapter run in a browser: nothing in them imports a `node:`
 * module or touches Node-only globals, and the MSW entry bundles for the browser platform.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../../src/", import.meta.url));
/** The folders the MSW handlers are made of. */
const PORTABLE = ["core", "msw", "video", "validation", "generated"];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.[cm]?[jt]s$/.test(name) ? [path] : [];
  });
}

describe("the portable core", () => {
  it("imports no node: module and uses no Node-only global", () => {
    const offences: string[] = [];
    for (const dir of PORTABLE) {
      for (const file of files(join(src, dir))) {
        const code = readFileSync(file, "utf8")
          .replace(/\/\*[\s\S]*?\*\//g, "")
          .replace(/\/\/.*$/gm, "");
        const rules: [RegExp, string][] = [
          [/from\s+["']node:/, "imports a node: module"],
          [/import\(\s*["']node:/, "imports a node: module"],
          [/\brequire\(/, "calls require"],
          [/\bBuffer\./, "uses Buffer"],
          [/\bprocess\./, "uses process"],
          [/\b__dirname\b/, "uses __dirname"],
        ];
        for (const [pattern, what] of rules) {
          if (pattern.test(code)) offences.push(`${relative(src, file)} ${what}`);
        }
      }
    }
    expect(offences).toEqual([]);
  });

  it("the MSW entry bundles for the browser with no Node built-in", async () => {
    const result = await build({
      entryPoints: [join(src, "msw/index.ts")],
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      external: ["msw"],
      logLevel: "silent",
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith("node:") || /prism|yaml/.test(i))).toEqual([]);
    expect(result.outputFiles[0]?.text).toContain("createKlingHandlers");
  });
});
