/**
 * Reads the canonical spec and answers the questions the checks ask of it: which statuses an
 * operation documents, with which content types, headers and schema locations. `$ref`s between
 * responses are followed here (a JSON pointer cannot cross a `$ref`), so the oracle gets a pointer
 * to the schema object itself.
 */
import { loadSpec, specPath } from "@kling-multi-image/spec";

export { specPath };

/** The two operations the kit exercises. */
export type OperationId = "createMultiImageVideoTask" | "getMultiImageVideoTask";

/** Path template of each operation. */
export const CREATE_PATH = "/kling/v1/videos/multi-image2video";
/** Path template of the query operation; `{task_id}` is substituted. */
export const QUERY_PATH = "/kling/v1/videos/multi-image2video/{task_id}";

/** One documented header of a response. */
export interface DocumentedHeader {
  /** Header name as written in the spec (e.g. `Retry-After`). */
  name: string;
  required: boolean;
  /** JSON pointer segments of the header's schema. */
  schema: string[];
}

/** What the spec says about one status of one operation. */
export interface DocumentedResponse {
  /** The key in `responses`: `"200"`, `"4XX"` or `"default"`. */
  key: string;
  /** Media type → pointer segments of its schema (absent when the media type has no schema). */
  content: Map<string, string[] | undefined>;
  headers: DocumentedHeader[];
}

/** What the spec says about one operation's responses. */
export interface DocumentedOperation {
  id: OperationId;
  method: "get" | "post";
  path: string;
  responses: Map<string, DocumentedResponse>;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refSegments(ref: string): string[] {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, got ${ref}`);
  return ref
    .slice(2)
    .split("/")
    .map((s) => decodeURIComponent(s).replaceAll("~1", "/").replaceAll("~0", "~"));
}

function at(doc: unknown, segments: readonly string[]): unknown {
  let node = doc;
  for (const s of segments) node = isObject(node) ? node[s] : undefined;
  return node;
}

/**
 * Follows `$ref` chains of Reference Objects, returning the node and where it really lives. Only
 * called for responses and headers, never for schemas (a schema's `$ref` is the oracle's business).
 */
function deref(doc: unknown, segments: string[]): { node: unknown; segments: string[] } {
  let current = segments;
  for (let hops = 0; hops < 20; hops++) {
    const node = at(doc, current);
    if (isObject(node) && typeof node.$ref === "string") {
      current = refSegments(node.$ref);
      continue;
    }
    return { node, segments: current };
  }
  throw new Error(`$ref chain too long at ${segments.join("/")}`);
}

/** The parsed spec plus the lookups the checks need; build once per run. */
export class SpecModel {
  /** The OpenAPI document as parsed from YAML. */
  readonly doc: Json;
  readonly operations: ReadonlyMap<OperationId, DocumentedOperation>;

  constructor(doc: Json = loadSpec()) {
    this.doc = doc;
    const ops = new Map<OperationId, DocumentedOperation>();
    const paths = isObject(doc.paths) ? doc.paths : {};
    for (const [path, item] of Object.entries(paths)) {
      if (!isObject(item)) continue;
      for (const method of ["get", "post"] as const) {
        const op = item[method];
        if (!isObject(op) || typeof op.operationId !== "string") continue;
        const id = op.operationId as OperationId;
        ops.set(id, {
          id,
          method,
          path,
          responses: this.#responses(["paths", path, method, "responses"]),
        });
      }
    }
    this.operations = ops;
  }

  #responses(base: string[]): Map<string, DocumentedResponse> {
    const out = new Map<string, DocumentedResponse>();
    const responses = at(this.doc, base);
    if (!isObject(responses)) return out;
    for (const key of Object.keys(responses)) {
      const { node, segments } = deref(this.doc, [...base, key]);
      if (!isObject(node)) continue;
      const content = new Map<string, string[] | undefined>();
      if (isObject(node.content)) {
        for (const [media, mediaObject] of Object.entries(node.content)) {
          content.set(
            media.toLowerCase(),
            isObject(mediaObject) && "schema" in mediaObject
              ? [...segments, "content", media, "schema"]
              : undefined,
          );
        }
      }
      const headers: DocumentedHeader[] = [];
      if (isObject(node.headers)) {
        for (const name of Object.keys(node.headers)) {
          const header = deref(this.doc, [...segments, "headers", name]);
          if (!isObject(header.node)) continue;
          headers.push({
            name,
            required: header.node.required === true,
            schema: [...header.segments, "schema"],
          });
        }
      }
      out.set(key, { key, content, headers });
    }
    return out;
  }

  /** The operation, or a thrown error naming what is missing from the spec. */
  operation(id: OperationId): DocumentedOperation {
    const op = this.operations.get(id);
    if (!op) throw new Error(`operation ${id} is not in the spec`);
    return op;
  }

  /**
   * The documented response for `status`: the exact code first, then its range (`4XX`), then
   * `default`, as OpenAPI 3.1 orders them.
   */
  response(id: OperationId, status: number): DocumentedResponse | undefined {
    const responses = this.operation(id).responses;
    return (
      responses.get(String(status)) ??
      responses.get(`${Math.floor(status / 100)}XX`) ??
      responses.get("default")
    );
  }

  /** A component schema's pointer segments (e.g. `CreateTaskRequest`). */
  schemaPointer(name: string): string[] {
    return ["components", "schemas", name];
  }

  /** A component schema as a plain object, for generators that read limits from it. */
  schema(name: string): Json {
    const node = at(this.doc, this.schemaPointer(name));
    if (!isObject(node)) throw new Error(`schema ${name} is not in the spec`);
    return node;
  }
}
