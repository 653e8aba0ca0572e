/** CORS, so browser apps on another origin can call the mock and read its headers. */
import type { IncomingMessage, ServerResponse } from "node:http";

const ALLOW_HEADERS = "Authorization, Content-Type, X-Mock-Scenario, Range, Idempotency-Key";
const EXPOSE_HEADERS =
  "Retry-After, Content-Length, Content-Range, Accept-Ranges, X-Mock-Violation, X-Request-Id";

/** Sets the headers every response carries. */
export function setCorsHeaders(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  // Echo the origin (not "*") so browsers also accept the answer when credentials are sent.
  res.setHeader("Access-Control-Allow-Origin", typeof origin === "string" ? origin : "*");
  if (typeof origin === "string") res.setHeader("Vary", "Origin");
  res.setHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
}

/** Answers a preflight (`OPTIONS`): 204, whatever the path. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
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
