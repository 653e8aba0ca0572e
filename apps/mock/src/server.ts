/**
 * The HTTP server: one `node:http` listener that answers CORS preflights, the control API and
 * videos under `/__mock/`, and the Kling API through Prism's router and validators with the
 * stateful simulator producing every answer. Nothing it receives can crash it: each request is
 * answered in the gateway's shapes, and anything unexpected becomes a logged 500.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { specPath } from "@kling-multi-image/spec";
import { CallbackDispatcher, type DeliveryRecord } from "./callbacks/index.js";
import { type Clock, systemClock, type VirtualClock, virtualClock } from "./clock.js";
import { type ControlContext, handleControl } from "./control/handler.js";
import { errorsOf, replyForInvalidRequest } from "./errors/diagnostics.js";
import { errors, type JsonReply } from "./errors/envelopes.js";
import { drain, readBody } from "./http/body.js";
import { answerPreflight, setCorsHeaders } from "./http/cors.js";
import { bearerKey, fingerprint } from "./http/keys.js";
import { sendJson } from "./http/send.js";
import { DEFAULTS, type LogSink, type MockServerOptions } from "./options.js";
import { loadPrismEngine, type Operation, type PrismEngine } from "./prism/engine.js";
import { mergeScenarios, parseScenario, type Scenario } from "./simulator/scenarios.js";
import { type CreateBody, Simulator } from "./simulator/simulator.js";
import { timingProfile } from "./simulator/timing.js";
import { createUiHandler } from "./ui/index.js";
import { sendVideo, videoBytes } from "./video/index.js";

/** A running mock. */
export interface MockServer {
  /** Base URL, e.g. `http://127.0.0.1:4010`. */
  readonly url: string;
  /** The clock the simulator runs on (a {@link VirtualClock} when started with `clock: "virtual"`). */
  readonly clock: Clock;
  /** The simulator (tasks and settings), for tests that want to look inside. */
  readonly simulator: Simulator;
  /** The callback delivery log. */
  callbackLog(filter?: { taskId?: string }): DeliveryRecord[];
  /** Stops listening, cancels callbacks and closes open connections. */
  close(): Promise<void>;
}

/** A running mock on a virtual clock. */
export interface VirtualMockServer extends MockServer {
  readonly clock: VirtualClock;
}

const API_PREFIX = "/__mock/";
const CONTROL_BODY_LIMIT = 1024 * 1024;
const VIDEO_PATH = /^\/__mock\/videos\/([A-Za-z0-9_-]{1,128})\.mp4$/;

/** Where the control API's document lives (next to `dist/` and `src/`). */
export const controlApiPath = fileURLToPath(new URL("../control-api.yaml", import.meta.url));

/** Starts a mock server. Resolves once it listens. */
export async function createMockServer(
  options: MockServerOptions & { clock: "virtual" },
): Promise<VirtualMockServer>;
export async function createMockServer(options?: MockServerOptions): Promise<MockServer>;
export async function createMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const startedAt = performance.now();
  const log: LogSink =
    options.log === false
      ? () => {}
      : (options.log ?? ((line) => process.stderr.write(`${line}\n`)));
  const clock: Clock =
    options.clock === "virtual"
      ? virtualClock()
      : options.clock === "system" || options.clock === undefined
        ? systemClock()
        : options.clock;
  const timing = timingProfile(options.timing);
  const scenarioText = options.scenario ?? "";
  const startScenario = parseScenario(scenarioText);
  if (typeof startScenario === "string") throw new Error(startScenario);
  const failureRate = options.failureRate ?? DEFAULTS.failureRate;
  if (!(failureRate >= 0 && failureRate <= 1))
    throw new RangeError("failureRate must be within [0, 1]");
  const keys = options.keys === undefined ? undefined : new Set(options.keys);

  const [api, control] = await Promise.all([
    loadPrismEngine(specPath),
    loadPrismEngine(controlApiPath),
  ]);

  let baseUrl = "";
  const videoUrl = (taskId: string) =>
    `${options.publicUrl ?? baseUrl}/__mock/videos/${taskId}.mp4`;
  const dispatcherOptions: ConstructorParameters<typeof CallbackDispatcher>[0] = { clock };
  if (options.webhookSecret !== undefined) dispatcherOptions.secret = options.webhookSecret;
  if (options.callbackAllowedHosts !== undefined)
    dispatcherOptions.allowedHosts = options.callbackAllowedHosts;
  if (options.callbackMaxAttempts !== undefined)
    dispatcherOptions.maxAttempts = options.callbackMaxAttempts;
  const dispatcher = new CallbackDispatcher(dispatcherOptions);

  const simulator = new Simulator({
    clock,
    timing,
    models: options.models ?? DEFAULTS.models,
    ttlMs: options.taskTtlMs ?? DEFAULTS.taskTtlMs,
    maxTasks: options.maxTasks ?? DEFAULTS.maxTasks,
    callbacks: dispatcher,
    videoUrl,
    settings: {
      createShape: options.createShape ?? DEFAULTS.createShape,
      scenario: startScenario,
      failureRate,
      seed: options.seed ?? DEFAULTS.seed,
      concurrencyLimit: options.concurrencyLimit ?? DEFAULTS.concurrencyLimit,
      retryAfterSeconds: options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds,
    },
  });
  const controlContext: ControlContext = {
    engine: control,
    simulator,
    clock,
    callbacks: dispatcher,
    startedAt,
    timing: timing.name,
    initialScenario: scenarioText,
    videoUrl,
  };
  const maxBody = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const handler = makeHandler({
    api,
    simulator,
    controlContext,
    keys,
    maxBody,
    log,
    logRequests: options.logRequests ?? false,
    replyHook: options.replyHook,
    ui: options.ui ? createUiHandler(options.ui === true ? {} : options.ui) : undefined,
  });

  const server = createHttpServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    handler(req, res).catch((error: unknown) => {
      log(`kling-mock: internal error on ${req.method} ${pathOf(req.url)}: ${String(error)}`);
      sendJson(res, 500, errors.internalMock("unexpected error, see the mock's log").body);
    });
  });
  // Malformed HTTP (bad request line, oversized headers) gets a gateway-shaped 400, not a reset.
  server.on("clientError", (_error, socket) => {
    if (!socket.writable) return;
    const body = JSON.stringify(errors.invalidJson("malformed HTTP request").body);
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  // Large bodies take time to upload; the default 300 s request timeout is kept.
  server.headersTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULTS.port, options.host ?? DEFAULTS.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  baseUrl = `http://${host === "0.0.0.0" ? "127.0.0.1" : host === "[::]" ? "[::1]" : host}:${address.port}`;

  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    clock,
    simulator,
    callbackLog: (filter) =>
      dispatcher.log(filter?.taskId === undefined ? undefined : { taskId: filter.taskId }),
    close() {
      closed ??= (async () => {
        simulator.store.clear();
        await dispatcher.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closed;
    },
  };
}

function pathOf(url: string | undefined): string {
  const raw = url ?? "/";
  const q = raw.indexOf("?");
  return q === -1 ? raw : raw.slice(0, q);
}

function queryOf(url: string | undefined): Record<string, string | string[]> {
  const raw = url ?? "";
  const q = raw.indexOf("?");
  // No prototype: a query key such as `__proto__` stays a plain key.
  const out: Record<string, string | string[]> = Object.create(null);
  if (q === -1) return out;
  for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

interface HandlerContext {
  api: PrismEngine;
  simulator: Simulator;
  controlContext: ControlContext;
  keys: Set<string> | undefined;
  maxBody: number;
  log: LogSink;
  logRequests: boolean;
  replyHook: MockServerOptions["replyHook"];
  /** Serves the playground and reference pages; false for any other request. */
  ui: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
}

const isJsonType = (ct: string | undefined) =>
  ct === undefined || /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(ct.trim());

function makeHandler(ctx: HandlerContext) {
  const { api, simulator, log } = ctx;

  /** Checks a produced reply against the spec; a violation is the mock's bug: loud 500. */
  function checked(
    operation: Operation | undefined,
    engine: PrismEngine,
    reply: JsonReply,
    label: string,
  ): JsonReply {
    if (operation === undefined) return reply;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...reply.headers,
    };
    const violations = errorsOf(
      engine.checkResponse(operation, { statusCode: reply.status, headers, body: reply.body }),
    );
    if (violations.length === 0) return reply;
    const summary = violations
      .map((d) => `${(d.path ?? []).join(".") || "response"}: ${d.message}`)
      .join("; ");
    log(`kling-mock: RESPONSE VIOLATES THE SPEC on ${label} (status ${reply.status}): ${summary}`);
    return {
      ...errors.contractViolation(summary),
      headers: { "x-mock-violation": summary.slice(0, 500).replace(/[^\x20-\x7e]/g, "?") },
    };
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? "GET";
    const path = pathOf(req.url);
    if (method === "OPTIONS") {
      drain(req);
      answerPreflight(req, res);
      return;
    }
    setCorsHeaders(req, res);
    if (ctx.ui?.(req, res)) return;
    const key = bearerKey(req.headers.authorization);
    let status = 0;
    try {
      if (path === "/__mock" || path.startsWith(API_PREFIX)) {
        status = await handleMockRoutes(req, res, method, path, key);
        return;
      }
      const reply = await handleApi(req, method, path, key);
      status = reply.status;
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.disconnect) {
        // The "disconnect" scenario: the work is done, the answer is lost on the way.
        req.socket.destroy();
        return;
      }
      sendJson(res, reply.status, reply.body, reply.headers);
    } finally {
      if (ctx.logRequests) {
        const who = key === undefined ? "-" : fingerprint(key);
        log(
          `${method} ${path} ${status || res.statusCode} ${(performance.now() - started).toFixed(1)}ms ${who}`,
        );
      }
    }
  };

  async function handleMockRoutes(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    key: string | undefined,
  ): Promise<number> {
    const video = VIDEO_PATH.exec(path);
    if (video && (method === "GET" || method === "HEAD")) {
      drain(req);
      const task = simulator.store.any(video[1] as string, ctx.controlContext.clock.now());
      if (
        task === undefined ||
        task.outcome !== "succeed" ||
        ctx.controlContext.clock.now() < task.finishAt
      ) {
        sendJson(res, 404, {
          error: {
            message: "no video for this task (unknown, or not succeeded yet)",
            code: "not_found",
          },
        });
        return 404;
      }
      sendVideo(req, res, videoBytes(task.aspectRatio, task.durationSeconds));
      return res.statusCode;
    }
    const body = await readBody(req, CONTROL_BODY_LIMIT);
    if (body.kind !== "ok") {
      sendJson(res, 413, {
        error: { message: "control request body too large", code: "too_large" },
      });
      return 413;
    }
    let parsed: unknown;
    if (body.text !== "") {
      try {
        parsed = JSON.parse(body.text);
      } catch {
        sendJson(res, 400, { error: { message: "body is not valid JSON", code: "invalid_json" } });
        return 400;
      }
    }
    const { reply, operation } = await handleControl(ctx.controlContext, {
      method,
      path,
      query: queryOf(req.url),
      headers: req.headers,
      body: parsed,
      key,
    });
    const final = checked(operation, ctx.controlContext.engine, reply, `${method} ${path}`);
    sendJson(res, final.status, final.body, final.headers);
    return final.status;
  }

  async function handleApi(
    req: IncomingMessage,
    method: string,
    path: string,
    key: string | undefined,
  ): Promise<JsonReply & { delayMs?: number; disconnect?: boolean }> {
    const routed = api.route(method, path);
    if (!("operation" in routed)) {
      drain(req);
      // The gateway answers unknown routes and wrong methods alike (its router's NoRoute).
      return errors.notFound(method, path);
    }
    const operation = routed.operation;
    const label = `${method} ${operation.path}`;
    const body =
      method === "GET" || method === "HEAD"
        ? { kind: "ok" as const, text: "" }
        : await readBody(req, ctx.maxBody);
    if (body.kind === "too_large") {
      // Close the connection: the rest of an oversized upload is not worth reading.
      const reply = checked(operation, api, errors.tooLarge(), label);
      return { ...reply, headers: { ...reply.headers, connection: "close" } };
    }
    if (body.kind === "aborted")
      return errors.invalidJson("request body was not received completely");

    const prismRequest = {
      method: method.toLowerCase(),
      url: { path, query: queryOf(req.url) },
      headers: req.headers,
      body: undefined as unknown,
    };
    // 1. Authentication first, as the gateway's middleware does: Prism's bearer check, then ours.
    if (errorsOf(api.checkSecurity(operation, prismRequest)).length > 0 || key === undefined) {
      return checked(
        operation,
        api,
        req.headers.authorization ? errors.invalidKey() : errors.missingKey(),
        label,
      );
    }
    if (ctx.keys !== undefined && !ctx.keys.has(key))
      return checked(operation, api, errors.invalidKey(), label);

    // 2. The scenario header (an unknown one is the caller's mistake, said plainly).
    let scenario: Scenario = simulator.settings.scenario;
    const header = req.headers["x-mock-scenario"];
    if (typeof header === "string" && header.trim() !== "") {
      const parsed = parseScenario(header);
      if (typeof parsed === "string")
        return checked(operation, api, errors.invalidRequest(parsed), label);
      scenario = mergeScenarios(scenario, parsed);
    }
    const delayMs = scenario.slowMs;
    const disconnect = scenario.disconnect === true;

    let reply: JsonReply;
    if (operation.iid === "createMultiImageVideoTask") {
      reply = createReply(req, operation, prismRequest, body.text, key, scenario);
    } else {
      const diagnostics = api.checkRequest(operation, prismRequest);
      const invalid = replyForInvalidRequest(diagnostics, operation.iid ?? "");
      if (invalid) reply = invalid;
      else {
        let taskId: string;
        try {
          taskId = decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
        } catch {
          taskId = "";
        }
        reply = simulator.query(key, taskId, scenario);
      }
    }
    if (ctx.replyHook) reply = { ...reply, ...ctx.replyHook(reply) };
    const final = checked(operation, api, reply, label);
    return {
      ...final,
      ...(delayMs === undefined ? {} : { delayMs }),
      ...(disconnect ? { disconnect } : {}),
    };
  }

  function createReply(
    req: IncomingMessage,
    operation: Operation,
    prismRequest: {
      headers: IncomingMessage["headers"];
      body: unknown;
      method: string;
      url: { path: string; query: Record<string, string | string[]> };
    },
    text: string,
    key: string,
    scenario: Scenario,
  ): JsonReply {
    // 3. The body: JSON, and nothing else.
    const contentType = req.headers["content-type"];
    if (!isJsonType(contentType)) {
      return errors.invalidJson(
        `Content-Type must be application/json, got ${String(contentType).slice(0, 60)}`,
      );
    }
    if (text.trim() === "") return errors.invalidJson("unexpected end of JSON input");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return errors.invalidJson(error instanceof Error ? error.message.slice(0, 200) : "not JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return errors.invalidJson("the body must be a JSON object");
    }
    // 4. The model, before the rest (the gateway's distributor picks a channel first).
    const model = Simulator.modelOf(body as Record<string, unknown>);
    if (model !== undefined && model !== "" && !simulator.knowsModel(model)) {
      return errors.modelNotFound(model.slice(0, 100));
    }
    // 5. Prism's request validation against the spec, translated to the gateway's envelope.
    prismRequest.body = body;
    // Prism only checks the media type of a declared non-empty body; a missing header means JSON.
    const headers =
      contentType === undefined
        ? { ...req.headers, "content-type": "application/json" }
        : req.headers;
    const invalid = replyForInvalidRequest(
      api.checkRequest(operation, { ...prismRequest, headers }),
      operation.iid ?? "",
    );
    if (invalid) return invalid;
    return simulator.create(key, body as CreateBody, scenario);
  }
}
