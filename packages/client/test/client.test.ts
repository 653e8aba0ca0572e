import { execFile } from "node:child_process";
import { getEventListeners } from "node:events";
import { promisify } from "node:util";
import { closedPortUrl, json, startServer, type TestServer } from "@kling-multi-image/test-support";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  AuthenticationError,
  ConnectionError,
  createKlingClient,
  type FetchLike,
  InvalidRequestError,
  KlingApiError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  SubmitOutcomeUnknownError,
  TaskFailedError,
  TimeoutError,
  WaitTimeoutError,
} from "../src/index.js";
import {
  body,
  documentedCreate,
  observedCreate,
  queryBody,
  TASK_ID,
  VIDEO_URL,
} from "./helpers/fixtures.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(url: string, extra: { maxRetries?: number; timeoutMs?: number } = {}) {
  return createKlingClient({ apiKey: "sk-test", baseUrl: url, ...extra });
}

describe("submit", () => {
  it("reads the task id from the documented shape and sends key, body and a generated external id", async () => {
    server = await startServer((_hit, res) => json(res, 200, documentedCreate));
    const task = await client(server.url).submit(body);
    expect(task.taskId).toBe(TASK_ID);
    expect(task.status).toBe("submitted");
    expect(task.createdAt?.toISOString()).toBe("2025-11-24T22:00:00.000Z");
    const hit = server.hits[0];
    expect(hit?.method).toBe("POST");
    expect(hit?.url).toBe("/kling/v1/videos/multi-image2video");
    expect(hit?.headers.authorization).toBe("Bearer sk-test");
    expect(hit?.headers["content-type"]).toBe("application/json");
    const sent = JSON.parse(hit?.body ?? "{}");
    expect(sent.prompt).toBe("a cat walks");
    expect(sent.external_task_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(task.externalTaskId).toBe(sent.external_task_id);
  });

  it("generates the external id without crypto.randomUUID (a page on plain http)", async () => {
    server = await startServer((_hit, res) => json(res, 200, documentedCreate));
    const { getRandomValues } = globalThis.crypto;
    // Outside secure contexts browsers expose getRandomValues but not randomUUID.
    const random = vi.fn(getRandomValues.bind(globalThis.crypto));
    vi.stubGlobal("crypto", { getRandomValues: random });
    try {
      const ids = new Set<string>();
      for (let i = 0; i < 3; i++) ids.add((await client(server.url).submit(body)).externalTaskId);
      expect(ids.size).toBe(3);
      for (const id of ids) {
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }
      expect(server.hits.map((hit) => JSON.parse(hit.body).external_task_id)).toEqual([...ids]);
      expect(random).toHaveBeenCalled(); // the randomness is the platform's, not Math.random
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("reads the task id from the observed shape (seconds timestamps) and keeps a given external id", async () => {
    server = await startServer((_hit, res) => json(res, 200, observedCreate));
    const task = await client(server.url).submit({ ...body, external_task_id: "mine-1" });
    expect(task.taskId).toBe(TASK_ID);
    expect(task.status).toBe("submitted");
    expect(task.progress).toBe(0);
    expect(task.createdAt?.toISOString()).toBe("2025-11-24T22:00:00.000Z");
    expect(task.externalTaskId).toBe("mine-1");
    expect(JSON.parse(server.hits[0]?.body ?? "{}").external_task_id).toBe("mine-1");
  });

  it("reads the observed shape's id when it lacks task_id", async () => {
    const { task_id: _dropped, ...withoutTaskId } = observedCreate as Record<string, unknown>;
    server = await startServer((_hit, res) => json(res, 200, withoutTaskId));
    expect((await client(server.url).submit(body)).taskId).toBe(TASK_ID);
  });

  it("says the outcome is unknown when a 2xx answer carries no task id (it may be billed)", async () => {
    server = await startServer((_hit, res) => json(res, 200, { code: 0, message: "ok" }));
    const error = await client(server.url)
      .submit({ ...body, external_task_id: "ext-unreadable" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as SubmitOutcomeUnknownError).externalTaskId).toBe("ext-unreadable");
    expect(server.hits).toHaveLength(1);
  });

  it.each([
    ["not JSON", "<html>accepted</html>"],
    ["empty", ""],
  ])("says the outcome is unknown when a 2xx body is %s", async (_what, text) => {
    server = await startServer((_hit, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
    });
    const error = await client(server.url, { maxRetries: 3 })
      .submit({ ...body, external_task_id: "ext-garbled" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as SubmitOutcomeUnknownError).externalTaskId).toBe("ext-garbled");
    expect(server.hits).toHaveLength(1);
  });

  it("replaces an empty external_task_id with a generated one", async () => {
    server = await startServer((_hit, res) => json(res, 200, documentedCreate));
    await client(server.url).submit({ ...body, external_task_id: "" });
    expect(JSON.parse(server.hits[0]?.body ?? "{}").external_task_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a baseUrl that is not an absolute http(s) URL before sending anything", () => {
    for (const baseUrl of [
      "api.ezmodel.cloud",
      "ftp://api.ezmodel.cloud",
      "",
      "https://user:pass@api.ezmodel.cloud", // fetch refuses credentials in a URL
    ]) {
      expect(() => createKlingClient({ apiKey: "k", baseUrl })).toThrow(/absolute http\(s\) URL/);
    }
  });

  it("refuses retry and timeout settings that would break every call", () => {
    for (const extra of [
      { timeoutMs: Number.POSITIVE_INFINITY },
      { timeoutMs: 2 ** 31 },
      { timeoutMs: 0 },
      { timeoutMs: Number.NaN },
      { maxRetries: -1 },
      { maxRetries: 1.5 },
    ]) {
      expect(() => client("http://127.0.0.1:1", extra), JSON.stringify(extra)).toThrow(RangeError);
    }
    expect(() =>
      client("http://127.0.0.1:1", { timeoutMs: 2 ** 31 - 1, maxRetries: 0 }),
    ).not.toThrow();
  });

  it("never retries a submit that timed out, and says the outcome is unknown", async () => {
    server = await startServer((_hit, res) => {
      setTimeout(() => json(res, 200, documentedCreate), 400);
    });
    const error = await client(server.url, { timeoutMs: 100, maxRetries: 3 })
      .submit({ ...body, external_task_id: "ext-timeout" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as SubmitOutcomeUnknownError).externalTaskId).toBe("ext-timeout");
    expect((error as SubmitOutcomeUnknownError).cause).toBeInstanceOf(TimeoutError);
    // The cause's own fields are copied, but not its name.
    expect((error as Error).name).toBe("SubmitOutcomeUnknownError");
    expect(((error as SubmitOutcomeUnknownError).cause as Error).name).toBe("TimeoutError");
    expect((error as Error).message).toMatch(/external_task_id "ext-timeout"/);
    await new Promise((r) => setTimeout(r, 150));
    expect(server.hits.filter((h) => h.method === "POST")).toHaveLength(1);
  });

  it("never retries a submit whose connection was reset after sending", async () => {
    server = await startServer((_hit, _res, _n, req) => req.socket.destroy());
    const error = await client(server.url, { maxRetries: 3 })
      .submit(body)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as SubmitOutcomeUnknownError).externalTaskId).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.hits).toHaveLength(1);
  });

  it("treats a 504 from the gateway as an unknown outcome, without retrying", async () => {
    server = await startServer((_hit, res) =>
      json(res, 504, { error: { message: "gateway timeout", type: "x" } }),
    );
    const error = await client(server.url)
      .submit(body)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as SubmitOutcomeUnknownError).status).toBe(504);
    expect(server.hits).toHaveLength(1);
  });

  it("does not retry a submit on 500", async () => {
    server = await startServer((_hit, res) =>
      json(res, 500, { code: "fail_to_fetch_task", message: "boom", data: null }),
    );
    const error = await client(server.url)
      .submit(body)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(server.hits).toHaveLength(1);
  });

  it("retries a submit on 429 with Retry-After (answered before processing), same external id", async () => {
    server = await startServer((_hit, res, n) =>
      n === 0
        ? json(
            res,
            429,
            { code: "x", message: "slow down", data: null },
            { "retry-after-ms": "50" },
          )
        : json(res, 200, documentedCreate),
    );
    const task = await client(server.url).submit(body);
    expect(task.taskId).toBe(TASK_ID);
    expect(server.hits).toHaveLength(2);
    const ids = server.hits.map((h) => JSON.parse(h.body).external_task_id);
    expect(ids[0]).toBe(ids[1]);
  });

  it("retries a submit on 503 and on connection refused", async () => {
    server = await startServer((_hit, res, n) =>
      n === 0
        ? json(res, 503, { error: { message: "busy", type: "x" } }, { "retry-after": "0" })
        : json(res, 200, observedCreate),
    );
    expect((await client(server.url).submit(body)).taskId).toBe(TASK_ID);
    expect(server.hits).toHaveLength(2);

    const refused = await client(await closedPortUrl(), { maxRetries: 1 })
      .submit(body)
      .catch((e: unknown) => e);
    // refused every time: a plain ConnectionError (safe to retry), not an unknown outcome
    expect(refused).toBeInstanceOf(ConnectionError);
    expect(refused).not.toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((refused as ConnectionError).mayHaveReachedServer).toBe(false);
  });
});

describe("getTask", () => {
  it("normalises each state of the query wrapper", async () => {
    const states = ["NOT_START", "submitted", "processing", "succeed", "failed"] as const;
    server = await startServer((_hit, res, n) => json(res, 200, queryBody(states[n] ?? "failed")));
    const kling = client(server.url);
    const seen = [];
    for (const _ of states) seen.push(await kling.getTask(TASK_ID));
    expect(seen.map((t) => [t.status, t.progress, t.gatewayStatus])).toEqual([
      ["submitted", 0, "NOT_START"],
      ["submitted", 10, "SUBMITTED"],
      ["processing", 30, "IN_PROGRESS"],
      ["succeed", 100, "SUCCESS"],
      ["failed", 100, "FAILURE"],
    ]);
    expect(server.hits[0]?.url).toBe(`/kling/v1/videos/multi-image2video/${TASK_ID}`);
    expect(server.hits[0]?.method).toBe("GET");
    const ok = seen[3];
    expect(ok?.failReason).toBeUndefined();
    expect(ok?.videos).toEqual([{ id: "v1", url: VIDEO_URL, durationSeconds: 5.1 }]);
    expect(ok?.finishedAt?.toISOString()).toBe("2025-11-24T22:03:00.000Z");
    expect(seen[4]?.failReason).toBe("content policy");
  });

  it("escapes the task id in the path", async () => {
    server = await startServer((_hit, res) => json(res, 200, queryBody("submitted", "a/b")));
    await client(server.url).getTask("a/b");
    expect(server.hits[0]?.url).toBe("/kling/v1/videos/multi-image2video/a%2Fb");
  });

  const cases: [
    number,
    unknown,
    new (...args: never[]) => KlingApiError,
    string | number | undefined,
  ][] = [
    [
      400,
      { code: "invalid_request", message: "prompt is required", data: null },
      InvalidRequestError,
      "invalid_request",
    ],
    [
      400,
      { code: "task_not_exist", message: "task_not_exist", data: null },
      NotFoundError,
      "task_not_exist",
    ],
    [
      401,
      { error: { message: "Invalid token", type: "new_api_error", code: "" } },
      AuthenticationError,
      "new_api_error",
    ],
    [
      403,
      { code: "quota_not_enough", message: "user quota is not enough", data: null },
      PermissionDeniedError,
      "quota_not_enough",
    ],
    [
      404,
      { error: { message: "Invalid URL", type: "invalid_request_error", code: "" } },
      NotFoundError,
      "invalid_request_error",
    ],
    [
      413,
      { error: { message: "too large", type: "new_api_error", code: "read_request_body_failed" } },
      InvalidRequestError,
      "read_request_body_failed",
    ],
    [
      429,
      {
        code: "fail_to_fetch_task",
        message:
          '{"code":1303,"message":"parallel task over resource pack limit","request_id":"r-1303"}',
        data: null,
      },
      RateLimitError,
      "fail_to_fetch_task",
    ],
    [
      500,
      {
        code: "fail_to_fetch_task",
        message: '{"code":5000,"message":"Server internal error","request_id":"r"}',
        data: null,
      },
      ServerError,
      "fail_to_fetch_task",
    ],
    [
      503,
      {
        error: { message: "No available channel", type: "new_api_error", code: "model_not_found" },
      },
      ServerError,
      "model_not_found",
    ],
    [418, "I'm a teapot", KlingApiError, undefined],
  ];
  it.each(cases)("maps HTTP %i to the right class", async (status, errorBody, Class, code) => {
    server = await startServer((_hit, res) => {
      if (typeof errorBody !== "string")
        return json(res, status, errorBody, { "retry-after": "0" });
      res.writeHead(status, { "content-type": "text/plain", "retry-after": "0" });
      res.end(errorBody);
    });
    const error = await client(server.url, { maxRetries: 0 })
      .getTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Class);
    expect((error as KlingApiError).status).toBe(status);
    expect((error as KlingApiError).code).toBe(code);
    expect((error as KlingApiError).body).toEqual(errorBody);
  });

  it("reads Kling's code, message and request id from inside the message", async () => {
    server = await startServer((_hit, res) =>
      json(
        res,
        429,
        {
          code: "fail_to_fetch_task",
          message:
            '{"code":1303,"message":"parallel task over resource pack limit","request_id":"r-1303"}',
          data: null,
        },
        { "retry-after": "7" },
      ),
    );
    const error = (await client(server.url, { maxRetries: 0 })
      .getTask(TASK_ID)
      .catch((e: unknown) => e)) as RateLimitError;
    expect(error.klingCode).toBe(1303);
    expect(error.requestId).toBe("r-1303");
    expect(error.retryAfterMs).toBe(7000);
    expect(error.message).toContain("parallel task over resource pack limit");
  });

  it("retries 500s then succeeds", async () => {
    server = await startServer((_hit, res, n) =>
      n < 2
        ? json(res, 500, { code: "x", message: "boom", data: null }, { "retry-after-ms": "10" })
        : json(res, 200, queryBody("processing")),
    );
    expect((await client(server.url).getTask(TASK_ID)).status).toBe("processing");
    expect(server.hits).toHaveLength(3);
  });

  it.each([408, 429, 500, 502, 503, 504])(
    "retries a GET answered %i, then succeeds",
    async (status) => {
      server = await startServer((_hit, res, n) =>
        n === 0
          ? json(res, status, { code: "x", message: "m", data: null }, { "retry-after-ms": "1" })
          : json(res, 200, queryBody("processing")),
      );
      expect((await client(server.url).getTask(TASK_ID)).status).toBe("processing");
      expect(server.hits).toHaveLength(2);
    },
  );

  it.each([400, 401, 403, 404, 409, 413, 501])(
    "does not retry a GET answered %i",
    async (status) => {
      server = await startServer((_hit, res) =>
        json(res, status, { code: "x", message: "m", data: null }, { "retry-after-ms": "1" }),
      );
      const error = await client(server.url)
        .getTask(TASK_ID)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KlingApiError);
      expect(server.hits).toHaveLength(1);
    },
  );

  it("rejects promptly when aborted during a backoff wait", async () => {
    const controller = new AbortController();
    // Abort once the first attempt has been answered, i.e. during the 30 s Retry-After wait.
    server = await startServer((_hit, res) => {
      json(res, 503, { code: "x", message: "busy", data: null }, { "retry-after": "30" });
      setTimeout(() => controller.abort(new Error("gave up")), 100);
    });
    const started = Date.now();
    const error = await client(server.url)
      .getTask(TASK_ID, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("gave up");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.hits).toHaveLength(1);
  });

  it("gives up after maxRetries and throws the last error", async () => {
    server = await startServer((_hit, res) =>
      json(res, 502, { code: "x", message: "bad gateway", data: null }, { "retry-after-ms": "5" }),
    );
    const error = await client(server.url, { maxRetries: 2 })
      .getTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(server.hits).toHaveLength(3);
  });

  it("honours Retry-After in seconds on 429", async () => {
    server = await startServer((_hit, res, n) =>
      n === 0
        ? json(res, 429, { code: "x", message: "slow", data: null }, { "retry-after": "1" })
        : json(res, 200, queryBody("processing")),
    );
    const started = Date.now();
    await client(server.url).getTask(TASK_ID);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.hits).toHaveLength(2);
  });

  it("throws at once when Retry-After asks for more than 60 s, carrying the wait", async () => {
    server = await startServer((_hit, res) =>
      json(res, 429, { code: "x", message: "slow", data: null }, { "retry-after": "120" }),
    );
    const error = await client(server.url)
      .getTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(120_000);
    expect(server.hits).toHaveLength(1);
  });

  it("retries after a connection reset", async () => {
    server = await startServer((_hit, res, n, req) =>
      n === 0 ? req.socket.destroy() : json(res, 200, queryBody("succeed")),
    );
    expect((await client(server.url).getTask(TASK_ID)).status).toBe("succeed");
    expect(server.hits).toHaveLength(2);
  });

  it("times out each slow attempt, retries, then throws TimeoutError", async () => {
    server = await startServer((_hit, res) => {
      setTimeout(() => json(res, 200, queryBody("processing")), 500);
    });
    const error = await client(server.url, { timeoutMs: 80, maxRetries: 1 })
      .getTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.hits).toHaveLength(2);
  });

  it("the timeout is per request, not per client", async () => {
    server = await startServer((_hit, res) => {
      setTimeout(() => json(res, 200, queryBody("processing")), 300);
    });
    // four calls take longer than one timeout: each call gets its own
    const kling = client(server.url, { timeoutMs: 1000, maxRetries: 0 });
    for (let i = 0; i < 4; i++) expect((await kling.getTask(TASK_ID)).status).toBe("processing");
  });

  it("rejects promptly with the signal's reason on abort", async () => {
    const controller = new AbortController();
    const reason = new Error("user left");
    // The answer would take 2 s; abort while the request is in flight at the server.
    server = await startServer((_hit, res) => {
      setTimeout(() => json(res, 200, queryBody("processing")), 2000);
      setTimeout(() => controller.abort(reason), 50);
    });
    const started = Date.now();
    const error = await client(server.url)
      .getTask(TASK_ID, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.hits).toHaveLength(1);
  });

  it("times out an answer whose body stalls after the headers, and tries again", async () => {
    server = await startServer((_hit, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"code":"success",'); // and never the rest
    });
    const started = Date.now();
    const error = await client(server.url, { timeoutMs: 150, maxRetries: 1 })
      .getTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    // the headers had arrived: the failure surfaced while reading, and the read was retried
    expect(server.hits).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("leaves nothing on a long-lived signal once the calls are done", async () => {
    server = await startServer((_hit, res, n) =>
      n % 3 === 0
        ? json(res, 500, { code: "x", message: "flaky", data: null }, { "retry-after-ms": "1" })
        : json(res, 200, queryBody("processing")),
    );
    const kling = client(server.url);
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await kling.getTask(TASK_ID, { signal: controller.signal });
    expect(server.hits.length).toBeGreaterThan(20); // some calls were retried
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("does not keep Node alive for the timeout after a raw call", async () => {
    server = await startServer((_hit, res) => json(res, 200, queryBody("processing")));
    // A process of its own, through the built package: it must exit once its work is done,
    // while the raw call's 60 s timer is still pending for a body nobody read.
    const script = `
      import { createKlingClient } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
      const kling = createKlingClient({ apiKey: "k", baseUrl: ${JSON.stringify(server.url)}, timeoutMs: 60000 });
      const { response } = await kling.raw.GET("/kling/v1/videos/multi-image2video/{task_id}", {
        params: { path: { task_id: "t" } },
        parseAs: "stream",
      });
      console.log(response.status);`;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--input-type=module", "-e", script],
      { timeout: 30_000 },
    );
    expect(stdout.trim()).toBe("200");
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("rejects with the signal's reason however the runtime fails the body read", async () => {
    const controller = new AbortController();
    const reason = new Error("user left");
    // A fetch whose body fails with a generic error on abort, as some runtimes do.
    const fetchLike: FetchLike = async (_input, init) =>
      new Response(
        new ReadableStream({
          start(stream) {
            stream.enqueue(new TextEncoder().encode('{"code":"success",'));
            init.signal?.addEventListener("abort", () => stream.error(new TypeError("network")));
          },
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    const kling = createKlingClient({
      apiKey: "k",
      baseUrl: "http://127.0.0.1:1",
      fetch: fetchLike,
    });
    setTimeout(() => controller.abort(reason), 20);
    const error = await kling
      .getTask(TASK_ID, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBe(reason);
  });

  it("sends its own calls as a URL and an init until a middleware is added, then as a Request", async () => {
    server = await startServer((hit, res) =>
      hit.method === "POST"
        ? json(res, 200, documentedCreate)
        : json(res, 200, queryBody("succeed")),
    );
    const inputs: string[] = [];
    const recording: FetchLike = (input, init) => {
      inputs.push(typeof input === "string" ? "url" : "Request");
      return fetch(input, init);
    };
    const kling = createKlingClient({ apiKey: "sk-test", baseUrl: server.url, fetch: recording });
    await kling.submit(body);
    await kling.getTask(TASK_ID);
    kling.raw.use({ onRequest: ({ request }) => request });
    await kling.submit(body);
    await kling.getTask(TASK_ID);
    expect(inputs).toEqual(["url", "url", "Request", "Request"]);
    // Either way the server saw the same request: key, JSON body, content type.
    const [plainPost, , requestPost] = server.hits;
    for (const hit of [plainPost, requestPost]) {
      expect(hit?.headers.authorization).toBe("Bearer sk-test");
      expect(hit?.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(hit?.body ?? "")).toMatchObject({
        ...body,
        external_task_id: expect.any(String),
      });
    }
  });

  it("honours what a middleware on raw changes on the client's own calls", async () => {
    server = await startServer((hit, res) => {
      if (hit.url === "/elsewhere") return json(res, 200, queryBody("succeed"));
      if (hit.headers["x-slow"]) return; // never answers
      res.writeHead(302, { location: "/elsewhere" });
      res.end();
    });
    const kling = client(server.url, { maxRetries: 0 });
    const refused = await kling.getTask(TASK_ID).catch((e: unknown) => e);
    expect((refused as KlingApiError).status).toBe(302); // no redirect is followed by default
    let redirect: RequestRedirect = "follow";
    let slow = false;
    kling.raw.use({
      onRequest: ({ request }) =>
        new Request(request, {
          redirect,
          headers: { "X-Via": "middleware", ...(slow ? { "X-Slow": "1" } : {}) },
          ...(slow ? { signal: AbortSignal.timeout(50) } : {}),
        }),
    });
    // the middleware's `redirect` reached fetch: the same-origin redirect was followed
    expect((await kling.getTask(TASK_ID)).status).toBe("succeed");
    expect(server.hits.at(-2)?.headers["x-via"]).toBe("middleware");
    redirect = "manual";
    slow = true;
    const started = Date.now();
    const aborted = await kling.getTask(TASK_ID).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000); // the middleware's signal was followed
    expect((aborted as Error).name).toBe("TimeoutError");
  });

  it("throws a KlingApiError, not a bare SyntaxError, for a 2xx body that is not JSON", async () => {
    server = await startServer((_hit, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>proxy login</html>");
    });
    const error = await client(server.url)
      .getTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingApiError);
    expect((error as KlingApiError).message).toMatch(/^Unreadable response/);
    expect((error as KlingApiError).cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ["a JSON body without a task id", '{"code":"success","data":{}}', "Not a task"],
    ["an empty body", "", "Not a task"],
  ])("throws a KlingApiError with the answer for a 2xx with %s", async (_what, text, reason) => {
    server = await startServer((_hit, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
    });
    const error = await client(server.url)
      .getTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KlingApiError);
    expect((error as KlingApiError).status).toBe(200);
    expect((error as KlingApiError).message).toContain(reason);
    expect((error as KlingApiError).body).toEqual(text ? JSON.parse(text) : undefined);
  });

  it("throws ConnectionError when nothing listens", async () => {
    const error = await client(await closedPortUrl(), { maxRetries: 0 })
      .getTask(TASK_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).status).toBeUndefined();
  });
});

describe("waitForTask, watchTask, submitAndWait", () => {
  it("walks through the states and resolves with the video", async () => {
    const states = ["NOT_START", "submitted", "submitted", "processing", "succeed"] as const;
    server = await startServer((hit, res, n) =>
      hit.method === "POST"
        ? json(res, 200, observedCreate)
        : json(res, 200, queryBody(states[n - 1] ?? "succeed")),
    );
    const updates: string[] = [];
    const done = await client(server.url).submitAndWait(body, {
      intervalMs: 5,
      onUpdate: (t) => updates.push(`${t.status}:${t.progress}`),
    });
    expect(done.status).toBe("succeed");
    expect(done.video?.url).toBe(VIDEO_URL);
    // one update per change: the repeated "submitted 10%" is not reported twice
    expect(updates).toEqual(["submitted:0", "submitted:10", "processing:30", "succeed:100"]);
    expect(server.hits.filter((h) => h.method === "POST")).toHaveLength(1);
  });

  it("submitAndWait refuses bad wait options before the billable submit", async () => {
    server = await startServer((_hit, res) => json(res, 200, observedCreate));
    const kling = client(server.url);
    await expect(kling.submitAndWait(body, { intervalMs: 0 })).rejects.toThrow(RangeError);
    expect(() => kling.watchTask(TASK_ID, { timeoutMs: -1 })).toThrow(RangeError);
    expect(server.hits).toHaveLength(0);
  });

  it("watchTask yields each change and ends with the terminal task", async () => {
    const states = ["submitted", "processing", "processing", "failed"] as const;
    server = await startServer((_hit, res, n) => json(res, 200, queryBody(states[n] ?? "failed")));
    const seen: string[] = [];
    for await (const t of client(server.url).watchTask(TASK_ID, { intervalMs: 5 }))
      seen.push(t.status);
    expect(seen).toEqual(["submitted", "processing", "failed"]);
  });

  it("throws TaskFailedError carrying the failed task", async () => {
    server = await startServer((_hit, res) => json(res, 200, queryBody("failed")));
    const error = await client(server.url)
      .waitForTask(TASK_ID, { intervalMs: 5 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).task.failReason).toBe("content policy");
  });

  it("survives transient errors between polls (connection reset, 500s)", async () => {
    server = await startServer((_hit, res, n, req) => {
      if (n === 0) return req.socket.destroy();
      if (n < 3)
        return json(
          res,
          500,
          { code: "x", message: "boom", data: null },
          { "retry-after-ms": "1" },
        );
      json(res, 200, queryBody("succeed"));
    });
    const done = await client(server.url, { maxRetries: 0 }).waitForTask(TASK_ID, {
      intervalMs: 5,
    });
    expect(done.status).toBe("succeed");
    expect(server.hits).toHaveLength(4);
  });

  it("gives up after maxConsecutiveErrors transient errors", async () => {
    server = await startServer((_hit, res) =>
      json(res, 503, { code: "x", message: "down", data: null }),
    );
    const error = await client(server.url, { maxRetries: 0 })
      .waitForTask(TASK_ID, { intervalMs: 1, maxConsecutiveErrors: 2 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(server.hits).toHaveLength(3);
  });

  it("does not swallow a non-transient error such as NotFound", async () => {
    server = await startServer((_hit, res) =>
      json(res, 400, { code: "task_not_exist", message: "task_not_exist", data: null }),
    );
    const error = await client(server.url)
      .waitForTask(TASK_ID, { intervalMs: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(server.hits).toHaveLength(1);
  });

  it("throws WaitTimeoutError with the last task seen", async () => {
    server = await startServer((_hit, res) => json(res, 200, queryBody("processing")));
    const error = await client(server.url)
      .waitForTask(TASK_ID, { intervalMs: 20, timeoutMs: 120 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).task?.status).toBe("processing");
  });

  it("polls once more after the last wait, so a task that finished just in time is seen", async () => {
    // processing on the first poll, succeed on the second, which falls after the deadline's sleep
    server = await startServer((_hit, res, n) =>
      json(res, 200, queryBody(n === 0 ? "processing" : "succeed")),
    );
    // The first poll must come back inside the deadline (a loaded CI machine once took over
    // 100 ms), and the interval is longer than the deadline, so the second poll is the extra one.
    const done = await client(server.url).waitForTask(TASK_ID, {
      intervalMs: 3_000,
      timeoutMs: 1_000,
    });
    expect(done.status).toBe("succeed");
    expect(server.hits).toHaveLength(2);
  });

  it("ends a hung poll at the wait's deadline with WaitTimeoutError", async () => {
    server = await startServer(() => {}); // never answers
    const started = Date.now();
    const error = await client(server.url, { timeoutMs: 60_000 })
      .waitForTask(TASK_ID, { timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("rejects promptly with the signal's reason when aborted between polls", async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    // Abort once the first poll has been answered, i.e. during the (default 5 s) wait before the next.
    server = await startServer((_hit, res) => {
      json(res, 200, queryBody("processing"));
      setTimeout(() => {
        abortedAt = Date.now();
        controller.abort(new Error("stop"));
      }, 50);
    });
    const error = await client(server.url)
      .waitForTask(TASK_ID, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("stop");
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    expect(server.hits).toHaveLength(1);
  });
});

describe("raw", () => {
  it("is the typed openapi-fetch client with the same auth and retries", async () => {
    server = await startServer((_hit, res, n) =>
      n === 0
        ? json(res, 503, { code: "x", message: "busy", data: null }, { "retry-after-ms": "1" })
        : json(res, 200, queryBody("processing")),
    );
    const { data } = await client(server.url).raw.GET(
      "/kling/v1/videos/multi-image2video/{task_id}",
      {
        params: { path: { task_id: TASK_ID } },
      },
    );
    expect(data?.data.status).toBe("IN_PROGRESS");
    expect(server.hits).toHaveLength(2);
    expect(server.hits[1]?.headers.authorization).toBe("Bearer sk-test");
  });

  it("sends each call's own headers, body and fetch options on every attempt", async () => {
    server = await startServer((hit, res, n) => {
      if (hit.url === "/elsewhere") return json(res, 200, queryBody("succeed"));
      if (n === 0) {
        return json(
          res,
          429,
          { code: "x", message: "slow", data: null },
          { "retry-after-ms": "1" },
        );
      }
      res.writeHead(302, { location: "/elsewhere" });
      res.end();
    });
    const kling = client(server.url);
    const { response } = await kling.raw.POST("/kling/v1/videos/multi-image2video", {
      body: { ...body, external_task_id: "raw-1" },
      headers: { "X-Trace": "t-1" },
      redirect: "manual",
    });
    expect(response.status).toBe(302); // not followed: the call's `redirect` reached fetch
    expect(server.hits.map((h) => h.url)).toEqual([
      "/kling/v1/videos/multi-image2video",
      "/kling/v1/videos/multi-image2video",
    ]);
    for (const hit of server.hits) {
      expect(hit.headers["x-trace"]).toBe("t-1");
      expect(hit.headers.authorization).toBe("Bearer sk-test");
      expect(JSON.parse(hit.body)).toMatchObject({
        external_task_id: "raw-1",
        prompt: "a cat walks",
      });
    }
  });
});
