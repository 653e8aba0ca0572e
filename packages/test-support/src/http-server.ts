/**
 * Real servers on loopback for tests: any `node:net` server (HTTP, HTTPS, TLS, raw TCP) listening
 * on 127.0.0.1 at an ephemeral port and closed with every connection it holds, and on top of that
 * a node:http server that records each request it received before a handler answers it.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from "node:http";
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from "node:net";

/** A server listening on 127.0.0.1. */
export interface Listening {
  /** `http://127.0.0.1:<port>`, followed by the path given to {@link listen}. */
  readonly url: string;
  readonly port: number;
  /** Destroys every connection still open (a held request too), then stops listening. */
  close(): Promise<void>;
}

/**
 * Makes `server` (from node:http, node:https, node:tls or node:net) listen on 127.0.0.1 at an
 * ephemeral port. `path` is appended to the URL (for instance `/hook`).
 */
export async function listen(server: Server, path = ""): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        // Closing a server that is not running reports an error to the callback: closed is closed.
        server.close(() => resolve());
      }),
  };
}

/** A free port on 127.0.0.1 (free when this returns; nothing holds it for the caller). */
export async function freePort(): Promise<number> {
  const server = await listen(createNetServer());
  await server.close();
  return server.port;
}

/** The URL of a port on 127.0.0.1 with nothing listening: a connection there is refused. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** Reads a request's whole body as UTF-8. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** One request a {@link TestServer} received. */
export interface Hit {
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The whole body, as UTF-8. */
  readonly body: string;
}

/**
 * Answers one request, once its body has been read; `n` counts requests from 0. What it returns
 * is ignored, but a promise is awaited. A handler may leave a request unanswered (the connection
 * stays open until the server closes). One that throws or rejects answers 500 with the error's
 * message, so the test sees it.
 */
export type Handler = (hit: Hit, res: ServerResponse, n: number, req: IncomingMessage) => unknown;

/** A node:http server on 127.0.0.1 recording every request it received. */
export interface TestServer extends Listening {
  /** Every request received so far, in order. */
  readonly hits: Hit[];
}

/** Starts a {@link TestServer} whose requests `handler` answers; `path` is appended to its URL. */
export async function startServer(handler: Handler, path = ""): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const fail = (error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(
        `test server handler failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    };
    readBody(req)
      .then((body) => {
        const hit: Hit = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          body,
        };
        hits.push(hit);
        return handler(hit, res, hits.length - 1, req);
      })
      .catch(fail);
  });
  return { ...(await listen(server, path)), hits };
}

/** Answers `status` with `body` as JSON (`content-type: application/json`, plus `headers`). */
export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
