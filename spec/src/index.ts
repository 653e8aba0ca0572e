import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** Absolute path of the canonical OpenAPI 3.1 document (`openapi.yaml`). */
export const specPath: string = fileURLToPath(new URL("../openapi.yaml", import.meta.url));

/** Absolute path of the same document bundled to JSON at build time (`dist/openapi.json`). */
export const bundledSpecPath: string = fileURLToPath(new URL("./openapi.json", import.meta.url));

/** The OpenAPI document as a plain object, in the shape YAML parsing gives. */
export type OpenApiDocument = Record<string, unknown> & {
  readonly openapi: string;
  readonly paths: Record<string, unknown>;
  readonly components: Record<string, unknown>;
};

/**
 * Reads and parses the canonical document. Each call reads the file again, so tools that watch the
 * spec see edits; cache the result yourself on a hot path.
 */
export function loadSpec(): OpenApiDocument {
  return parse(readFileSync(specPath, "utf8")) as OpenApiDocument;
}

/**
 * The value of a named example in `components.examples` (for instance `SeedCurlRequest`, the
 * provider's curl body), so tests and tools share the spec's examples instead of copying them.
 */
export function specExample(name: string): unknown {
  const examples = (loadSpec().components.examples ?? {}) as Record<string, { value?: unknown }>;
  const example = examples[name];
  if (!example || !("value" in example)) throw new Error(`the spec has no example named ${name}`);
  return example.value;
}
