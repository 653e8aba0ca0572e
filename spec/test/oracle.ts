// An independent JSON Schema validator (Hyperjump, not Ajv as Prism and Redocly use) reading the
// YAML document directly, so the spec's rules are checked by something that did not write them.
import { pathToFileURL } from "node:url";
import { addMediaTypePlugin } from "@hyperjump/browser";
import { buildSchemaDocument } from "@hyperjump/json-schema/experimental";
import { validate } from "@hyperjump/json-schema/openapi-3-1";
import { parse } from "yaml";
import { specPath } from "../src/index.js";

addMediaTypePlugin("application/openapi+yaml", {
  parse: async (response) => {
    const doc = parse(await response.text()) as { openapi?: string; jsonSchemaDialect?: string };
    if (!doc.openapi?.startsWith("3.1.")) throw new Error(`${response.url} is not OpenAPI 3.1`);
    const dialect =
      doc.jsonSchemaDialect === "https://json-schema.org/draft/2020-12/schema"
        ? "https://spec.openapis.org/oas/3.1/schema-draft-2020-12"
        : "https://spec.openapis.org/oas/3.1/schema-base";
    return buildSchemaDocument(doc, response.url, dialect);
  },
  fileMatcher: async (path) => path.endsWith("openapi.yaml"),
});

export const specUrl = pathToFileURL(specPath).href;

/** Encodes a JSON pointer (array of segments) as a URI fragment. */
export function pointer(segments: readonly (string | number)[]): string {
  return segments
    .map((s) => `/${encodeURIComponent(String(s).replaceAll("~", "~0").replaceAll("/", "~1"))}`)
    .join("");
}

/** One failed rule: where in the instance, and which keyword of which schema. */
export interface Failure {
  instanceLocation: string;
  keyword: string;
}

/** Validates `value` against the schema found at `segments` in the spec (or another document). */
export async function check(
  segments: readonly (string | number)[],
  value: unknown,
  documentUrl: string = specUrl,
): Promise<{ valid: boolean; errors: Failure[] }> {
  const output = await validate(`${documentUrl}#${pointer(segments)}`, value as never, "BASIC");
  const errors = (output.valid ? [] : (output.errors ?? [])).map((e) => ({
    instanceLocation: e.instanceLocation,
    keyword: e.keyword,
  }));
  return { valid: output.valid, errors };
}

/** Validates the whole document against the OpenAPI 3.1 meta-schema for its declared dialect. */
export async function checkDocument(doc: unknown) {
  return validate("https://spec.openapis.org/oas/3.1/schema-draft-2020-12", doc as never, "BASIC");
}
