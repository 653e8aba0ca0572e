/**
 * Test helpers: a mock per test, and a small fetch wrapper. The adapter is the Node server on an
 * ephemeral port, or, with `MOCK_ADAPTER=msw` (the `msw` vitest project), the MSW handlers
 * answering `fetch` in this process: the same tests then prove the two adapters answer alike.
 */
import { specExample } from "@kling-multi-image/spec";
import { setupServer } from "msw/node";
import { afterAll, afterEach } from "vitest";
import {
  createMockServer,
  type MockServer,
  type MockServerOptions,
  type VirtualMockServer,
} from "../../src/index.js";
import { createKlingHandlers } from "../../src/msw/index.js";
import { checkFetched } from "./oracle.js";

/** Which adapter the tests in this run talk to. */
export const ADAPTER: "server" | "msw" = process.env.MOCK_ADAPTER === "msw" ? "msw" : "server";

const open: MockServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  msw?.resetHandlers();
});

// One interceptor per test file; each mock gets handlers of its own under a base URL of its own.
// Requests to anything else (callback receivers on loopback) go to the network as usual.
const msw = ADAPTER === "msw" ? setupServer() : undefined;
msw?.listen({ onUnhandledRequest: "bypass" });
afterAll(() => msw?.close());
let mswCount = 0;

/** The MSW handlers dressed as a {@link MockServer}, so a test does not know which it has. */
function startHandlers(options: MockServerOptions): MockServer {
  const { port: _port, host: _host, ui: _ui, store, storePrefix: _prefix, ...simulator } = options;
  if (typeof store === "string" && store !== "memory") {
    throw new Error("the MSW handlers keep tasks in memory: a redis:// store is the server's");
  }
  const kling = createKlingHandlers({
    ...simulator,
    ...(typeof store === "object" ? { store } : {}),
    baseUrl: `http://msw-${++mswCount}.kling.test`,
  });
  msw?.use(...kling.handlers);
  return {
    url: kling.baseUrl,
    clock: kling.clock,
    simulator: kling.simulator,
    callbackLog: (filter) => kling.deliveries(filter),
    close: () => kling.close(),
  };
}

/** Starts a quiet mock on a virtual clock (closed after the test). */
export async function startVirtual(options: MockServerOptions = {}): Promise<VirtualMockServer> {
  return (await start({ ...options, clock: "virtual" })) as VirtualMockServer;
}

/** Starts a quiet mock with the given options (closed after the test). */
export async function start(options: MockServerOptions = {}): Promise<MockServer> {
  const server =
    ADAPTER === "msw"
      ? startHandlers({ log: false, ...options })
      : await createMockServer({ log: false, ...options });
  open.push(server);
  return server;
}

export const CREATE = "/kling/v1/videos/multi-image2video";

/** The seed's curl body, read from the spec's SeedCurlRequest example. */
export const seedBody = specExample("SeedCurlRequest") as Record<string, unknown>;

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers freely
  body: any;
  text: string;
}

/** A request with JSON handling; `body` as a string is sent raw. */
export async function call(
  base: string,
  method: string,
  path: string,
  init: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== null) headers.authorization ??= `Bearer ${init.key ?? "test-key"}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(base + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  // Every answer of the Kling API must match the spec (checked by Hyperjump, independently of Prism).
  if (!path.startsWith("/__mock")) {
    const problems = await checkFetched(method, path, res, parsed);
    if (problems.length > 0)
      throw new Error(
        `${method} ${path} -> ${res.status} breaks the spec: ${problems.join(", ")}\n${text.slice(0, 500)}`,
      );
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Submits the seed body and returns the task id. */
export async function submit(
  base: string,
  key = "test-key",
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<string> {
  const r = await call(base, "POST", CREATE, { key, body: { ...seedBody, ...extra }, headers });
  if (r.status !== 200) throw new Error(`submit failed: ${r.status} ${r.text}`);
  return r.body.data?.task_id ?? r.body.task_id;
}
