/**
 * The Node adapter: one `node:http` listener in front of the simulator core. It answers CORS
 * preflights and (optionally) the playground and reference pages itself, turns every other
 * request into the core's {@link MockRequest}, and writes the core's reply back. Validation is
 * Prism's engine, loaded from the same documents the MSW handlers compile. Nothing it receives can
 * crash it: malformed HTTP gets a gateway-shaped 400, and anything unexpected a logged 500.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { specPath } from "@kling-multi-image/spec";
import type { DeliveryRecord } from "./core/callbacks/index.js";
import type { Clock, VirtualClock } from "./core/clock.js";
import { controlError } from "./core/control/handler.js";
import { errors } from "./core/errors/envelopes.js";
import { createMockCore } from "./core/mock.js";
import { DEFAULTS, type MockOptions } from "./core/options.js";
import { type MockReply, type MockRequest, splitTarget } from "./core/request.js";
import type { Simulator } from "./core/simulator/simulator.js";
import type { TaskStore } from "./core/store/types.js";
import { drain, type Holding, readBody, UploadBudget } from "./http/body.js";
import { answerPreflight, crossSiteControlWrite, setCorsHeaders } from "./http/cors.js";
import { recordTo } from "./http/record.js";
import { sendJson } from "./http/send.js";
import { loadPrismEngine } from "./prism/engine.js";
import { isRedisUrl, redactUrl } from "./store/url.js";
import { createUiHandler, type UiOptions } from "./ui/index.js";

/** Options of {@link createMockServer}: the simulator's, plus where to listen and the pages. */
export interface MockServerOptions extends Omit<MockOptions, "store"> {
  /**
   * Where tasks live: `"memory"` (the default, the fastest, gone with the process),
   * `"redis://[user:pass@]host:port[/db]"` (or `rediss://`) to share tasks, settings and virtual
   * time with other replicas on that Redis or Valkey and keep them across restarts, or a
   * {@link TaskStore} of your own.
   */
  store?: "memory" | `redis://${string}` | `rediss://${string}` | TaskStore;
  /** Prefix of every Redis key, so several mocks can share one Redis. Default `kling-mock:`. */
  storePrefix?: string;
  /** TCP port; 0 (the default here) picks a free one. The CLI defaults to 4010. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /**
   * Serve the playground page at `/` and the API reference at `/reference` (the CLI turns this on;
   * off by default so embedded mocks answer `/` like the gateway: 404).
   */
  ui?: boolean | UiOptions;
  /**
   * Bytes that request bodies being read and answered may hold at once, across requests; a body
   * that does not fit is answered 429 with `Retry-After`. Default twice `maxBodyBytes` (120 MiB).
   */
  uploadBudgetBytes?: number;
  /** In proxy mode (`proxy`), write each exchange (the key redacted) as a JSON file in this folder. */
  recordDir?: string;
}

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

/**
 * The store `options.store` names: `undefined` for the core's memory store, a connected Redis
 * store for a `redis://` URL.
 * @throws Error with a one-line reason when Redis cannot be reached or the value is not a store.
 */
async function openStore(
  options: MockServerOptions,
  log: (line: string) => void,
): Promise<TaskStore | undefined> {
  const { store } = options;
  if (store === undefined || store === "memory") return undefined;
  if (typeof store !== "string") return store;
  if (!isRedisUrl(store)) {
    throw new Error(
      `store is "memory" or a redis:// URL, got ${JSON.stringify(redactUrl(store).slice(0, 80))}`,
    );
  }
  const { connectRedisStore } = await import("./store/redis.js");
  return connectRedisStore({
    url: store,
    log,
    ...(options.storePrefix === undefined ? {} : { prefix: options.storePrefix }),
  });
}

/** Where the control API's document lives (next to `dist/` and `src/`). */
export const controlApiPath = fileURLToPath(new URL("../control-api.yaml", import.meta.url));

/** The core's view of a `node:http` request; its body's bytes are held in `holding`. */
function toMockRequest(req: IncomingMessage, budget: UploadBudget, holding: Holding): MockRequest {
  const { path, query } = splitTarget(req.url ?? "/");
  return {
    method: req.method ?? "GET",
    path,
    query,
    headers: req.headers,
    readBody: (limit) => readBody(req, limit, budget, holding),
    discardBody: () => drain(req),
  };
}

/** Writes the core's reply (or, for the `disconnect` scenario, drops the connection). */
async function writeReply(req: IncomingMessage, res: ServerResponse, reply: MockReply) {
  if (reply.kind === "bytes") {
    res.writeHead(reply.status, reply.headers);
    res.end(reply.body);
    return;
  }
  if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
  if (reply.disconnect) {
    // The "disconnect" scenario: the work is done, the answer is lost on the way.
    req.socket.destroy();
    return;
  }
  sendJson(
    res,
    reply.status,
    reply.body,
    reply.unreadBody ? { ...reply.headers, connection: "close" } : reply.headers,
  );
}

/** Writes a whole JSON answer on a raw socket (the parser gave up, or CONNECT) and closes it. */
function writeRaw(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const reason = status === 404 ? "Not Found" : "Bad Request";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/** Starts a mock server. Resolves once it listens. */
export async function createMockServer(
  options: MockServerOptions & { clock: "virtual" },
): Promise<VirtualMockServer>;
export async function createMockServer(options?: MockServerOptions): Promise<MockServer>;
export async function createMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const [api, control] = await Promise.all([
    loadPrismEngine(specPath),
    loadPrismEngine(controlApiPath),
  ]);
  const uploads = new UploadBudget(
    options.uploadBudgetBytes ?? 2 * (options.maxBodyBytes ?? DEFAULTS.maxBodyBytes),
  );
  const log =
    options.log === false
      ? () => {}
      : (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)));
  const store = await openStore(options, log);
  const { store: _given, storePrefix: _prefix, ...rest } = options;
  const core = createMockCore(
    {
      ...rest,
      ...(store === undefined ? {} : { store }),
      ...(options.recordDir === undefined ? {} : { onProxyExchange: recordTo(options.recordDir) }),
    },
    { api, control },
    log,
  );
  let listenUrl: string | undefined;
  const ui = options.ui
    ? createUiHandler({
        // The reference page shows the URL the mock really answers on, known once it listens.
        baseUrl: () => options.publicUrl ?? listenUrl,
        ...(options.ui === true ? {} : options.ui),
      })
    : undefined;

  // Node's own answer to a request without Host is an empty 400; the mock answers it itself.
  const server = createHttpServer(
    { keepAliveTimeout: 5_000, requireHostHeader: false },
    (req, res) => {
      if (req.httpVersion === "1.1" && !req.headers.host) {
        drain(req);
        const reply = errors.badHttp("missing required Host header");
        sendJson(res, reply.status, reply.body, { connection: "close" });
        return;
      }
      if (req.method === "OPTIONS") {
        drain(req);
        answerPreflight(req, res);
        return;
      }
      setCorsHeaders(req, res);
      if (crossSiteControlWrite(req)) {
        drain(req);
        const refused = controlError(
          403,
          "cross_site_request",
          "state-changing control requests are only taken from pages on this machine (a loopback Origin)",
        );
        sendJson(res, refused.status, refused.body);
        return;
      }
      if (ui?.(req, res)) return;
      // The body's bytes count against the upload budget until the answer is done.
      const holding: Holding = { bytes: 0 };
      res.once("close", () => uploads.give(holding.bytes));
      core
        .handle(toMockRequest(req, uploads, holding))
        .then((reply) => writeReply(req, res, reply))
        .catch((error: unknown) => {
          log(`kling-mock: could not answer: ${String(error)}`);
          sendJson(res, 500, errors.internalMock("unexpected error, see the mock's log").body);
        });
    },
  );
  // What Node's parser refuses gets the gateway's envelopes too, never an empty answer or a reset:
  // an unknown method is the router's 404 (as for any method the gateway does not route),
  // anything else malformed (a bad request line, oversized headers) a 400.
  server.on("clientError", (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (!socket.writable) return;
    const line = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.[01]\r?$/m.exec(
      error.rawPacket?.subarray(0, 8192).toString("latin1").split("\n")[0] ?? "",
    );
    const reply =
      error.code === "HPE_INVALID_METHOD" && line
        ? errors.notFound(line[1] as string, splitTarget(line[2] as string).path)
        : errors.badHttp(
            error.code === "HPE_HEADER_OVERFLOW"
              ? "request headers too large"
              : "malformed HTTP request",
          );
    writeRaw(socket, reply.status, reply.body);
  });
  // CONNECT is not routed by the gateway: its 404, not a silently closed socket.
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    const reply = errors.notFound("CONNECT", req.url ?? "");
    writeRaw(socket, reply.status, reply.body);
  });
  // Large bodies take time to upload; the default 300 s request timeout is kept.
  server.headersTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => {
      // Nothing listens: release the store (a Redis connection would keep the process alive).
      core.close().then(
        () => reject(error),
        () => reject(error),
      );
    });
    server.listen(options.port ?? DEFAULTS.port, options.host ?? DEFAULTS.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host === "[::]" ? "[::1]" : host}:${address.port}`;
  core.setBaseUrl(url);
  listenUrl = url;

  let closed: Promise<void> | undefined;
  return {
    url,
    clock: core.clock,
    simulator: core.simulator,
    callbackLog: (filter) => core.callbackLog(filter),
    close() {
      closed ??= (async () => {
        await core.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closed;
    },
  };
}
