/**
 * What the core asks of a validation engine: route a request to an operation of an OpenAPI
 * document, check its security, its parameters and body, and check a response. Two engines
 * implement it: Prism's own (the Node server, `src/prism/`) and validators compiled from the same
 * documents at build time (the MSW handlers in a browser, `src/validation/`); both word their
 * diagnostics exactly as Prism does, so every adapter answers with the same messages.
 */
import type { Diagnostic } from "./errors/diagnostics.js";

export type { Diagnostic } from "./errors/diagnostics.js";

/** The slice of Prism's `IHttpOperation` the core reads. */
export interface Operation {
  id: string;
  iid?: string;
  method: string;
  path: string;
}

/** A request as Prism's validators read it (`IHttpRequest`). */
export interface EngineRequest {
  method: string;
  url: { path: string; query: Record<string, string | string[]> };
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/** A response as Prism's validators read it (`IHttpResponse`). */
export interface EngineResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The outcome of routing one request. */
export type RouteResult = { operation: Operation } | { status: 404 | 405; detail: string };

/** Routing and validation for one OpenAPI document. */
export interface ValidationEngine {
  readonly operations: readonly Operation[];
  /** Finds the operation for a method and path (404: no such path, 405: no such method). */
  route(method: string, path: string): RouteResult;
  /** The security check (bearer scheme present and well formed). */
  checkSecurity(operation: Operation, request: EngineRequest): Diagnostic[];
  /** Request validation: body (media type and schema), headers, query, path. */
  checkRequest(operation: Operation, request: EngineRequest): Diagnostic[];
  /** Response validation: status code known, media type, body schema, headers. */
  checkResponse(operation: Operation, response: EngineResponse): Diagnostic[];
}
