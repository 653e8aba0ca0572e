/** CORS, so browser apps on another origin can call the mock and read its headers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { CORS_EXPOSE_HEADERS } from "../core/request.js";

const ALLOW_HEADERS = "Authorization, Content-Type, X-Mock-Scenario, Range, Idempotency-Key";

/** Pages served from this machine (any port), the only origins allowed to drive the control API. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const host = new URL(origin).hostname;
    return host === "localhost" || host === "[::1]" || /^127\./.test(host);
  } catch {
    return false;
  }
}

/**
 * Whether a cross-origin page may read this answer: any origin for the API (browser apps on
 * another origin are the point) and the videos, only loopback pages for the control API, so a
 * random web page cannot reset or reconfigure a developer's mock.
 */
function corsAllowed(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== "string") return true;
  const url = req.url ?? "";
  const control = url.startsWith("/__mock") && !url.startsWith("/__mock/videos/");
  return !control || isLoopbackOrigin(origin);
}

/**
 * Whether a request would change the mock's state on behalf of a web page elsewhere: a non-GET
 * control request (not a video) whose `Origin` is not a loopback page. A simple POST needs no
 * preflight, so CORS alone would not stop such a page from resetting a developer's mock.
 */
export function crossSiteControlWrite(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== "string") return false;
  const method = req.method ?? "GET";
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return false;
  const url = req.url ?? "";
  const control = url.startsWith("/__mock") && !url.startsWith("/__mock/videos/");
  return control && !isLoopbackOrigin(origin);
}

/** Sets the headers every response carries. */
export function setCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
  if (!corsAllowed(req)) return;
  const origin = req.headers.origin;
  // Echo the origin (not "*") so browsers also accept the answer when credentials are sent.
  res.setHeader("Access-Control-Allow-Origin", typeof origin === "string" ? origin : "*");
  if (typeof origin === "string") res.setHeader("Vary", "Origin");
  res.setHeader("Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
}

/** Answers a preflight (`OPTIONS`): 204, whatever the path. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  if (!corsAllowed(req)) {
    res.statusCode = 403;
    res.end();
    return;
  }
  setCorsHeaders(req, res);
  res.setHeader("Access-Control-Allow-Methods", "GET, POST, PATCH, HEAD, OPTIONS");
  const asked = req.headers["access-control-request-headers"];
  res.setHeader(
    "Access-Control-Allow-Headers",
    typeof asked === "string" && asked.length < 1000 ? asked : ALLOW_HEADERS,
  );
  res.setHeader("Access-Control-Max-Age", "600");
  res.statusCode = 204;
  res.end();
}
