// An independent check of every answer (Hyperjump, not the Ajv inside Prism): the response body must
// be valid against the schema the spec gives for that operation and status.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { addMediaTypePlugin } from "@hyperjump/browser";
import { buildSchemaDocument } from "@hyperjump/json-schema/experimental";
import { validate } from "@hyperjump/json-schema/openapi-3-1";
import { specPath } from "@kling-multi-image/spec";
import { parse } from "yaml";

addMediaTypePlugin("application/openapi+yaml", {
  parse: async (response) => {
    const doc = parse(await response.text()) as { openapi?: string };
    return buildSchemaDocument(doc, response.url, "https://spec.openapis.org/oas/3.1/schema-base");
  },
  fileMatcher: async (path) => path.endsWith(".yaml"),
});

const specUrl = pathToFileURL(specPath).href;
// biome-ignore lint/suspicious/noExplicitAny: walking a parsed YAML document
const doc = parse(readFileSync(specPath, "utf8")) as any;

const pointer = (segments: readonly string[]) =>
  segments
    .map((s) => `/${encodeURIComponent(s.replaceAll("~", "~0").replaceAll("/", "~1"))}`)
    .join("");

export const CREATE_PATH = "/kling/v1/videos/multi-image2video";
export const QUERY_PATH = "/kling/v1/videos/multi-image2video/{task_id}";

/** Where the JSON schema of a response lives, or undefined when the spec has no such response. */
function schemaLocation(
  path: string | undefined,
  method: string,
  status: number,
): string[] | undefined {
  if (path === undefined) return ["components", "schemas", "ErrorResponse"];
  const responses = doc.paths?.[path]?.[method.toLowerCase()]?.responses;
  const response = responses?.[String(status)];
  if (response === undefined) return undefined;
  if (typeof response.$ref === "string") {
    const name = response.$ref.split("/").pop() as string;
    return ["components", "responses", name, "content", "application/json", "schema"];
  }
  return [
    "paths",
    path,
    method.toLowerCase(),
    "responses",
    String(status),
    "content",
    "application/json",
    "schema",
  ];
}

/** Which spec path a request path belongs to (undefined = not an API route). */
export function specPathOf(method: string, path: string): string | undefined {
  if (method === "POST" && path === CREATE_PATH) return CREATE_PATH;
  if (method === "GET" && /^\/kling\/v1\/videos\/multi-image2video\/[^/]+$/.test(path))
    return QUERY_PATH;
  return undefined;
}

// Compiled once per schema location: Hyperjump compiles on every call otherwise (~50 ms each).
const validators = new Map<string, ReturnType<typeof validate>>();

/** Checks one answer; returns a list of problems (empty when valid). */
export async function checkAnswer(
  method: string,
  path: string,
  status: number,
  contentType: string | null,
  body: unknown,
): Promise<string[]> {
  const location = schemaLocation(specPathOf(method, path), method, status);
  if (location === undefined) return [`status ${status} is not in the spec for ${method} ${path}`];
  if (!contentType?.startsWith("application/json")) return [`content-type ${contentType}`];
  const uri = `${specUrl}#${pointer(location)}`;
  let validator = validators.get(uri);
  if (validator === undefined) {
    validator = validate(uri);
    validators.set(uri, validator);
  }
  const output = (await validator)(body as never, "BASIC");
  return output.valid ? [] : (output.errors ?? []).map((e) => `${e.instanceLocation} ${e.keyword}`);
}
