/**
 * The core's view of one exchange, the same whatever carries it (a `node:http` request, or a
 * `Request` that MSW intercepted): what came in, and the answer to write.
 */

/** Response headers a browser page may read, on every answer of every adapter. */
export const CORS_EXPOSE_HEADERS =
  "Retry-After, Content-Length, Content-Range, Accept-Ranges, X-Mock-Violation, X-Request-Id";

/** A read body, or the reason there is none. */
export type BodyResult =
  | { kind: "ok"; text: string }
  | { kind: "too_large" }
  | { kind: "aborted" }
  /** Too many bytes are being uploaded at once (the adapter's upload budget): retry shortly. */
  | { kind: "busy" };

/** An incoming request. Header names are lower case. */
export interface MockRequest {
  /** Upper-case method. */
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Reads the body as text, refusing more than `limit` bytes. Called at most once. */
  readBody(limit: number): Promise<BodyResult>;
  /** Discards a body that will not be read (unknown routes), so the connection stays usable. */
  discardBody(): void;
}

/** A JSON answer. */
export interface JsonReply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** What an adapter writes back. */
export type MockReply =
  | (JsonReply & {
      kind: "json";
      /** Real milliseconds to wait before answering (the `slow:<ms>` scenario). */
      delayMs?: number;
      /** Drop the connection instead of answering (the `disconnect` scenario). */
      disconnect?: boolean;
      /**
       * The rest of the request body was not read: a transport with connections should close
       * this one after the answer (a worker has none, and ignores it).
       */
      unreadBody?: boolean;
    })
  | {
      kind: "bytes";
      status: number;
      headers: Record<string, string>;
      /** Undefined for HEAD and for answers without a body. */
      body: Uint8Array<ArrayBuffer> | undefined;
    };

/** Splits a request target (`/a/b?x=1`) into its path and query (repeated keys become arrays). */
export function splitTarget(target: string): {
  path: string;
  query: Record<string, string | string[]>;
} {
  const q = target.indexOf("?");
  // No prototype: a query key such as `__proto__` stays a plain key.
  const query: Record<string, string | string[]> = Object.create(null);
  if (q === -1) return { path: target, query };
  for (const [k, v] of new URLSearchParams(target.slice(q + 1))) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { path: target.slice(0, q), query };
}

/**
 * The key in `Authorization: Bearer <key>`, or undefined. The scheme is `Bearer` or `bearer`,
 * as the gateway's TokenAuth reads it (`BEARER` is refused there, so here too).
 */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== "string") return undefined;
  const m = /^[Bb]earer\s+(\S.*)$/.exec(header);
  const key = m?.[1]?.trim();
  return key === undefined || key === "" ? undefined : key;
}

/** Whether a `Content-Type` is JSON (a missing one is taken as JSON, as the gateway does). */
export function isJsonType(contentType: string | string[] | undefined): boolean {
  if (contentType === undefined) return true;
  if (typeof contentType !== "string") return false;
  return /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType.trim());
}

/** A request made in memory (programmatic control calls): the body is JSON-encoded `body`. */
export function memoryRequest(request: {
  method: string;
  path: string;
  query?: Record<string, string>;
  key?: string;
  body?: unknown;
}): MockRequest {
  const text = request.body === undefined ? "" : JSON.stringify(request.body);
  const query: Record<string, string> = Object.create(null);
  Object.assign(query, request.query);
  return {
    method: request.method,
    path: request.path,
    query,
    headers: {
      ...(text === "" ? {} : { "content-type": "application/json" }),
      ...(request.key === undefined ? {} : { authorization: `Bearer ${request.key}` }),
    },
    readBody: async (limit) =>
      new TextEncoder().encode(text).byteLength > limit
        ? { kind: "too_large" }
        : { kind: "ok", text },
    discardBody: () => {},
  };
}
