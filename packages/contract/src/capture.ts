/**
 * A capture server: stands in for the gateway in a client's tests, answers with the spec's own
 * examples, and checks every request it receives against the spec's request side. Point a client
 * at it, exercise the client, then assert `problems()` is empty.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RecordedRequest } from "./http.js";
import { Oracle } from "./oracle.js";
import { checkRequest, matchOperation } from "./request-check.js";
import { SpecModel } from "./spec.js";

/** One request the capture server received, and what was wrong with it. */
export interface CapturedRequest {
  request: RecordedRequest;
  problems: string[];
}

/** Options of {@link startCaptureServer}. */
export interface CaptureServerOptions {
  /** Which create-response example to answer with. Default `documented`. */
  createShape?: "documented" | "observed";
  /** Which query example to answer with (`QuerySucceed`, `QueryFailed`, ...). Default `QuerySucceed`. */
  queryExample?: string;
}

/** A running capture server. */
export interface CaptureServer {
  url: string;
  requests: CapturedRequest[];
  /** Every problem found so far, prefixed with the request's method and path. */
  problems(): string[];
  close(): Promise<void>;
}

function exampleValue(spec: SpecModel, name: string): Record<string, unknown> {
  const examples = (spec.doc.components as Record<string, Record<string, { value?: unknown }>>)
    .examples;
  const value = examples?.[name]?.value;
  if (typeof value !== "object" || value === null)
    throw new Error(`example ${name} is not in the spec`);
  return structuredClone(value) as Record<string, unknown>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** Starts a capture server on 127.0.0.1 and an ephemeral port. */
export async function startCaptureServer(
  options: CaptureServerOptions = {},
): Promise<CaptureServer> {
  const spec = new SpecModel();
  const oracle = new Oracle();
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A broken oracle or spec must fail the client's test loudly, not hang its request.
      const message = `capture server failed: ${error instanceof Error ? error.message : String(error)}`;
      requests.push({
        request: { method: req.method ?? "GET", url: req.url ?? "/", headers: {} },
        problems: [message],
      });
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message, type: "capture_error", code: "" } }));
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    const request: RecordedRequest = { method: req.method ?? "GET", url: req.url ?? "/", headers };
    if (body.length > 0) request.body = body;
    const problems = await checkRequest(spec, oracle, request);
    requests.push({ request, problems });
    const reply = (status: number, value: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    };
    const match = matchOperation(request.method, new URL(request.url, "http://x").pathname);
    if (!match) return reply(404, exampleValue(spec, "ErrorNotFound"));
    if (problems.some((p) => p.includes("bearerAuth")))
      return reply(401, exampleValue(spec, "ErrorUnauthorized"));
    if (problems.length > 0) return reply(400, exampleValue(spec, "ErrorInvalidRequest"));
    if (match.operation === "createMultiImageVideoTask") {
      return reply(
        200,
        exampleValue(
          spec,
          options.createShape === "observed" ? "CreateObserved" : "CreateDocumented",
        ),
      );
    }
    const task = exampleValue(spec, options.queryExample ?? "QuerySucceed");
    // Answer for the task asked about, so a client that checks ids is satisfied.
    const data = task.data as Record<string, unknown>;
    data.task_id = match.taskId;
    const inner = (data.data as { data?: Record<string, unknown> } | null)?.data;
    if (inner) inner.task_id = match.taskId;
    reply(200, task);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    problems: () => requests.flatMap((r) => r.problems),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
