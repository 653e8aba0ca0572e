/** The core's view of a `Request` that MSW intercepted, and the `Response` for its reply. */
import {
  type BodyResult,
  CORS_EXPOSE_HEADERS,
  type MockReply,
  type MockRequest,
  splitTarget,
} from "../core/request.js";

/** Reads a fetch body as text, refusing more than `limit` bytes (declared or actual). */
async function readLimited(request: Request, limit: number): Promise<BodyResult> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) return { kind: "too_large" };
  if (request.body === null) return { kind: "ok", text: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        // Not awaited: an interceptor may never settle the cancel of a body it is still feeding.
        reader.cancel().catch(() => {});
        return { kind: "too_large" };
      }
      chunks.push(value);
    }
  } catch {
    return { kind: "aborted" };
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { kind: "ok", text: new TextDecoder().decode(bytes) };
}

/** `request`'s path relative to `basePath` (the base URL's path, without a trailing slash). */
export function toMockRequest(request: Request, basePath: string): MockRequest {
  const url = new URL(request.url);
  const { path, query } = splitTarget(`${url.pathname.slice(basePath.length) || "/"}${url.search}`);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    method: request.method.toUpperCase(),
    path,
    query,
    headers,
    readBody: (limit) => readLimited(request, limit),
    discardBody: () => {},
  };
}

/** The `Response` for a reply (`disconnect` is a network error, as a dropped connection is). */
export function toResponse(reply: MockReply, origin: string | null): Response {
  const headers = new Headers(reply.headers);
  headers.set("access-control-allow-origin", origin ?? "*");
  headers.set("access-control-expose-headers", CORS_EXPOSE_HEADERS);
  if (reply.kind === "bytes") {
    return new Response(reply.body ?? null, { status: reply.status, headers });
  }
  if (reply.disconnect) return Response.error();
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}
