// An independent check of every answer (Hyperjump, not the Ajv inside Prism): the response body must
// be valid against the schema the spec gives for that operation and status.
import { readFileSync } from "node:fs";
import { specPath } from "@kling-multi-image/spec";
import { schemaCheck } from "@kling-multi-image/spec/oracle";
import { parse } from "yaml";

// biome-ignore lint/suspicious/noExplicitAny: walking a parsed YAML document
const doc = parse(readFileSync(specPath, "utf8")) as any;

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
  const verdict = (await schemaCheck(location))(body);
  return verdict.errors.map((e) => `${e.instanceLocation} ${e.keyword}`);
}

/** Checks a fetched answer to `method` on `path` (its query ignored), its body parsed as `body`. */
export function checkFetched(
  method: string,
  path: string,
  res: Response,
  body: unknown,
): Promise<string[]> {
  const [pathname] = path.split("?") as [string];
  return checkAnswer(method, pathname, res.status, res.headers.get("content-type"), body);
}
