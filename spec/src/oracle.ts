/**
 * The independent oracle: Hyperjump's JSON Schema validator reading this YAML document directly.
 * It is deliberately not Ajv (which Prism, inside the mock, and Redocly use), so a bug shared by
 * those tools cannot hide itself. The spec's own tests, the mock's tests and the contract kit all
 * check values through this one module.
 */
import { pathToFileURL } from "node:url";
import { addMediaTypePlugin } from "@hyperjump/browser";
import { buildSchemaDocument } from "@hyperjump/json-schema/experimental";
import { validate } from "@hyperjump/json-schema/openapi-3-1";
import { parse } from "yaml";
import { specPath } from "./index.js";

const DIALECTS: Record<string, string> = {
  "https://json-schema.org/draft/2020-12/schema":
    "https://spec.openapis.org/oas/3.1/schema-draft-2020-12",
  "https://spec.openapis.org/oas/3.1/dialect/base": "https://spec.openapis.org/oas/3.1/schema-base",
};

// Hyperjump only reads OpenAPI documents as JSON; this teaches it YAML ones, honouring the
// document's declared `jsonSchemaDialect` as its own JSON plugin does.
addMediaTypePlugin("application/openapi+yaml", {
  parse: async (response) => {
    const doc = parse(await response.text()) as { openapi?: string; jsonSchemaDialect?: string };
    if (!doc.openapi?.startsWith("3.1.")) throw new Error(`${response.url} is not OpenAPI 3.1`);
    const dialect =
      DIALECTS[doc.jsonSchemaDialect ?? "https://spec.openapis.org/oas/3.1/dialect/base"];
    if (!dialect)
      throw new Error(`${response.url}: unsupported jsonSchemaDialect ${doc.jsonSchemaDialect}`);
    return buildSchemaDocument(doc, response.url, dialect);
  },
  fileMatcher: async (path) => path.endsWith(".yaml") || path.endsWith(".yml"),
});

/** The canonical document as a `file:` URL, the default document of every check. */
export const specUrl: string = pathToFileURL(specPath).href;

/** Encodes JSON pointer segments (e.g. `["components", "schemas", "Video"]`) as a URI fragment. */
export function pointer(segments: readonly (string | number)[]): string {
  return segments
    .map((s) => `/${encodeURIComponent(String(s).replaceAll("~", "~0").replaceAll("/", "~1"))}`)
    .join("");
}

/** One rule a value broke: where in the value, and which keyword of which schema. */
export interface SchemaError {
  /** JSON pointer into the value, as a URI fragment (`#/image_list/0/image`). */
  instanceLocation: string;
  /** The keyword's URI (ends with its name, e.g. `…/maxItems`). */
  keyword: string;
  /** Where the keyword is in the document. */
  absoluteKeywordLocation: string;
}

/** The verdict on one value. */
export interface SchemaVerdict {
  valid: boolean;
  errors: SchemaError[];
}

/** A compiled check against one schema: call it as often as you like. */
export type SchemaCheck = (value: unknown) => SchemaVerdict;

type Output =
  | { valid: true }
  | {
      valid: false;
      errors?: { instanceLocation: string; keyword: string; absoluteKeywordLocation: string }[];
    };

/** Hyperjump's BASIC output, reduced to what callers need. */
function verdict(output: Output): SchemaVerdict {
  const errors = output.valid ? [] : (output.errors ?? []);
  return {
    valid: output.valid,
    errors: errors.map(({ instanceLocation, keyword, absoluteKeywordLocation }) => ({
      instanceLocation,
      keyword,
      absoluteKeywordLocation,
    })),
  };
}

const compiled = new Map<string, Promise<SchemaCheck>>();

/**
 * Compiles (once, then cached) the schema at `segments` of the document at `documentUrl`
 * (default: the canonical spec). Compiling costs tens of milliseconds; checking is fast.
 */
export function schemaCheck(
  segments: readonly (string | number)[],
  documentUrl: string = specUrl,
): Promise<SchemaCheck> {
  const uri = `${documentUrl}#${pointer(segments)}`;
  let check = compiled.get(uri);
  if (!check) {
    check = validate(uri).then(
      (validator) => (value: unknown) => verdict(validator(value as never, "BASIC")),
    );
    compiled.set(uri, check);
    // A schema that failed to compile is not cached, so a fixed document can be tried again.
    check.catch(() => compiled.delete(uri));
  }
  return check;
}

/** Checks `value` against the schema at `segments` (see {@link schemaCheck}). */
export async function checkValue(
  segments: readonly (string | number)[],
  value: unknown,
  documentUrl: string = specUrl,
): Promise<SchemaVerdict> {
  return (await schemaCheck(segments, documentUrl))(value);
}

/**
 * Checks a whole OpenAPI 3.1 document (schemas included) against the meta-schema of its declared
 * dialect.
 */
export async function checkDocument(
  doc: object & { jsonSchemaDialect?: unknown },
): Promise<SchemaVerdict> {
  const declared = doc.jsonSchemaDialect ?? "https://spec.openapis.org/oas/3.1/dialect/base";
  const metaSchema = typeof declared === "string" ? DIALECTS[declared] : undefined;
  if (!metaSchema) throw new Error(`unsupported jsonSchemaDialect ${String(declared)}`);
  return verdict(await validate(metaSchema, doc as never, "BASIC"));
}
