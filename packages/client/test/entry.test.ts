import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import pkg from "../package.json" with { type: "json" };

const src = new URL("../src/", import.meta.url);

/** Every module the main entry reaches, following relative imports. */
function reachable(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() ?? "";
    if (seen.has(file)) continue;
    const text = readFileSync(new URL(file, src), "utf8");
    seen.set(file, text);
    for (const [, spec] of text.matchAll(/from "(\.[^"]+)"/g)) {
      queue.push(
        new URL(spec?.replace(/\.js$/, ".ts") ?? "", new URL(file, src)).href.slice(
          src.href.length,
        ),
      );
    }
  }
  return seen;
}

describe("package entry points", () => {
  it.each(["index.ts", "images.ts", "webhooks.ts"])("%s reaches no Node built-ins", (entry) => {
    const modules = reachable(entry);
    expect(modules.has("node.ts")).toBe(false);
    for (const [file, text] of modules) {
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      expect(code, file).not.toMatch(/["']node:|\brequire\(|\bprocess\.|\bBuffer\b/);
    }
  });

  it("the main entry leaves images and webhooks to their own entries", () => {
    const modules = reachable("index.ts");
    expect(modules.has("client.ts")).toBe(true);
    expect(modules.has("images.ts")).toBe(false);
    expect(modules.has("webhooks.ts")).toBe(false);
  });

  it("every source module is reachable from an entry", () => {
    const all = readdirSync(src).filter((f) => f.endsWith(".ts"));
    const entries = ["index.ts", "images.ts", "webhooks.ts", "node.ts"];
    const reached = new Set(entries.flatMap((entry) => [...reachable(entry).keys()]));
    expect(all.filter((f) => !reached.has(f))).toEqual([]);
  });

  it("exports ESM with types for each entry, and has no side effects", () => {
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    for (const name of ["images", "webhooks", "node"] as const) {
      expect(pkg.exports[`./${name}`]).toEqual({
        types: `./dist/${name}.d.ts`,
        default: `./dist/${name}.js`,
      });
    }
  });
});
