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
  it("the main entry reaches no Node built-ins", () => {
    const modules = reachable("index.ts");
    expect(modules.has("client.ts")).toBe(true);
    expect(modules.has("node.ts")).toBe(false);
    for (const [file, text] of modules) {
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      expect(code, file).not.toMatch(/["']node:|\brequire\(|\bprocess\.|\bBuffer\b/);
    }
  });

  it("every source module is reachable from an entry", () => {
    const all = readdirSync(src).filter((f) => f.endsWith(".ts"));
    const reached = new Set([...reachable("index.ts").keys(), ...reachable("node.ts").keys()]);
    expect(all.filter((f) => !reached.has(f))).toEqual([]);
  });

  it("exports ESM with types for . and ./node, and has no side effects", () => {
    expect(pkg.type).toBe("module");
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.exports["."]).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    expect(pkg.exports["./node"]).toEqual({ types: "./dist/node.d.ts", default: "./dist/node.js" });
  });
});
