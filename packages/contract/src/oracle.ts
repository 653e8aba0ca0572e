/**
 * The independent oracle: Hyperjump's JSON Schema validator (OpenAPI 3.1, honouring the document's
 * declared `jsonSchemaDialect`), reading the same YAML document the mock and the client are built
 * from. It is deliberately not Ajv (which Prism, inside the mock, and Redocly use), so a bug shared
 * by those tools cannot hide itself. The validator itself lives in `@kling-multi-image/spec/oracle`,
 * shared with the spec's and the mock's tests, so there is one reading of the spec, not three.
 */
import { pathToFileURL } from "node:url";
import { checkValue, pointer } from "@kling-multi-image/spec/oracle";
import { specPath } from "./spec.js";

export { pointer };

/** One rule the value broke: where in the value, and which keyword of which schema. */
export interface SchemaError {
  /** JSON pointer into the validated value, e.g. `#/data/status`. */
  instanceLocation: string;
  /** The failing keyword's location in the spec, as a fragment (`#/components/schemas/...`). */
  keywordLocation: string;
}

/** The outcome of one validation. */
export interface SchemaVerdict {
  valid: boolean;
  errors: SchemaError[];
}

/** Validates values against schemas found by pointer in one OpenAPI 3.1 YAML document. */
export class Oracle {
  readonly documentUrl: string;

  /** @param documentPath the YAML document; defaults to the canonical spec. */
  constructor(documentPath: string = specPath) {
    this.documentUrl = pathToFileURL(documentPath).href;
  }

  /** Validates `value` against the schema at `segments`; compiled schemas are cached. */
  async check(segments: readonly (string | number)[], value: unknown): Promise<SchemaVerdict> {
    const verdict = await checkValue(segments, value, this.documentUrl);
    return {
      valid: verdict.valid,
      errors: verdict.errors.map((e) => ({
        instanceLocation: e.instanceLocation,
        keywordLocation: e.absoluteKeywordLocation.replace(this.documentUrl, ""),
      })),
    };
  }
}

/**
 * A one-line summary of schema errors for a failure message. Hyperjump reports the whole chain of
 * failing keywords (`oneOf` → `$ref` → `type`); the deepest ones say the most, so they come first.
 */
export function describeErrors(errors: readonly SchemaError[], limit = 4): string {
  const leaves = errors.filter(
    (e) => !/\/(?:oneOf|anyOf|allOf|\$ref|properties|items|validation)$/.test(e.keywordLocation),
  );
  const chosen = (leaves.length > 0 ? leaves : errors)
    .slice()
    .sort((a, b) => b.instanceLocation.length - a.instanceLocation.length)
    .slice(0, limit);
  const text = chosen.map((e) => `${e.instanceLocation} fails ${e.keywordLocation}`).join("; ");
  const more = errors.length > chosen.length ? ` (+${errors.length - chosen.length} more)` : "";
  return `${text}${more}`;
}
