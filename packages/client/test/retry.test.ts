import { getEventListeners } from "node:events";
import { json, startServer } from "@kling-multi-image/test-support";
import createClient from "openapi-fetch";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConnectionError, parseRetryAfter, TimeoutError } from "../src/errors.js";
import type { paths } from "../src/generated/openapi.js";
import {
  backoffMs,
  connectionError,
  createRetryFetch,
  type FetchLike,
  type OwnCall,
  PlainRequest,
  retryDelayMs,
  retrySettings,
  sendWithRetries,
  sleep,
} from "../src/retry.js";

describe("backoffMs", () => {
  it("doubles from 0.5 s and caps at 8 s", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffMs(n, 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });
  it("applies up to 25% of jitter downwards", () => {
    expect(backoffMs(1, 0.999999)).toBeCloseTo(750, 0);
    expect(backoffMs(1, 0.5)).toBe(875);
    for (let i = 0; i < 100; i++) {
      const ms = backoffMs(2);
      expect(ms).toBeGreaterThan(1500);
      expect(ms).toBeLessThanOrEqual(2000);
    }
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("prefers retry-after-ms", () => {
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(
      250,
    );
  });
  it("reads seconds", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "3" }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ "retry-after": "0" }), now)).toBe(0);
  });
  it("reads an HTTP date relative to now", () => {
    expect(
      parseRetryAfter(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now),
    ).toBe(5000);
    expect(
      parseRetryAfter(new Headers({ "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }), now),
    ).toBe(0);
  });
  it("ignores absent, negative and garbage values", () => {
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after": "-1" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "x", "retry-after": "2" }), now)).toBe(
      2000,
    );
  });
});

describe("retryDelayMs", () => {
  it("uses the server's wait up to 60 s, none beyond it, else the backoff", () => {
    expect(retryDelayMs(0, new Headers({ "retry-after": "60" }), 0)).toBe(60_000);
    expect(retryDelayMs(0, new Headers({ "retry-after": "61" }), 0)).toBeUndefined();
    expect(retryDelayMs(0, new Headers({ "retry-after-ms": "60001" }), 0)).toBeUndefined();
    expect(retryDelayMs(3, new Headers(), 0)).toBe(4000);
    expect(retryDelayMs(1, undefined, 0)).toBe(1000);
  });
});

describe("sleep", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  it("waits exactly the delay", async () => {
    let done = false;
    const p = sleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });
  it("rejects at once with the abort reason and clears its timer and listener", async () => {
    const controller = new AbortController();
    const p = sleep(10_000, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort(new Error("bye"));
    await expect(p).rejects.toThrow("bye");
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("leaves no listener on the signal once it has waited", async () => {
    const controller = new AbortController();
    const p = sleep(10, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    await p;
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
  it("caps a delay beyond 2^31-1 ms, which runtimes would fire at once", async () => {
    // Fake timers do not overflow as real ones do, so check what reaches setTimeout.
    const timer = vi.spyOn(globalThis, "setTimeout");
    const controller = new AbortController();
    const p = sleep(Number.POSITIVE_INFINITY, controller.signal);
    expect(timer.mock.calls.at(-1)?.[1]).toBe(2 ** 31 - 1);
    controller.abort(new Error("done"));
    await expect(p).rejects.toThrow("done");
    timer.mockRestore();
  });
  it("rejects when already aborted", async () => {
    await expect(sleep(1, AbortSignal.abort(new Error("early")))).rejects.toThrow("early");
  });
});

describe("sendWithRetries: the attempt's timer and abort link", () => {
  // Each attempt links to the caller's signal; the link must end with the attempt.
  const links = (signal: AbortSignal) => getEventListeners(signal, "abort").length;
  // Made in each test: code run while tests are collected is a "static" mutant for Stryker.
  const settings = () => retrySettings({ timeoutMs: 60_000 });

  it("ends them when the lease is released", async () => {
    const server = await startServer((_hit, res) => json(res, 200, { ok: true }));
    try {
      const caller = new AbortController().signal;
      const own: OwnCall = { signal: caller, lease: {}, attempts: 0 };
      const response = await sendWithRetries(settings(), new PlainRequest(server.url, {}), {}, own);
      expect(links(caller)).toBe(1); // kept while the body is read
      expect(await response.json()).toEqual({ ok: true });
      own.lease.release?.();
      expect(links(caller)).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("ends them by the timeout when nobody releases the response (raw calls)", async () => {
    const server = await startServer((_hit, res) => json(res, 200, { ok: true }));
    try {
      const caller = new AbortController();
      const request = new Request(server.url, { signal: caller.signal });
      const response = await createRetryFetch({ timeoutMs: 100 })(request);
      await response.json();
      expect(links(request.signal)).toBe(1);
      await expect.poll(() => links(request.signal), { timeout: 5_000 }).toBe(0);
    } finally {
      await server.close();
    }
  });

  it("hands the lease over with an answer returned early for a Retry-After over 60 s", async () => {
    const limited: FetchLike = async () =>
      new Response("slow", { status: 429, headers: { "retry-after": "120" } });
    const caller = new AbortController().signal;
    const own: OwnCall = { signal: caller, lease: {}, attempts: 0 };
    const limitedSettings = retrySettings({ fetch: limited, maxRetries: 2 });
    const response = await sendWithRetries(
      limitedSettings,
      new PlainRequest("http://127.0.0.1:1/t", {}),
      undefined,
      own,
    );
    expect(response.status).toBe(429);
    expect(links(caller)).toBe(1);
    own.lease.release?.();
    expect(links(caller)).toBe(0);
  });

  it("ends them at once when the attempt fails or is retried", async () => {
    let n = 0;
    const flaky: FetchLike = async (url, init) => {
      n++;
      if (n === 1) throw new TypeError("fetch failed");
      if (n === 2) return new Response("busy", { status: 503, headers: { "retry-after-ms": "1" } });
      return fetch(url, init);
    };
    const server = await startServer((_hit, res) => json(res, 200, { ok: true }));
    try {
      const caller = new AbortController().signal;
      const own: OwnCall = { signal: caller, lease: {}, attempts: 0 };
      const flakySettings = retrySettings({ fetch: flaky, maxRetries: 2 });
      await sendWithRetries(flakySettings, new PlainRequest(server.url, {}), undefined, own);
      expect(n).toBe(3);
      // only the successful attempt's link remains, until release
      expect(links(caller)).toBe(1);
      own.lease.release?.();
      expect(links(caller)).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe("PlainRequest: what openapi-fetch may use of it", () => {
  // The client's own calls hand openapi-fetch this class in place of `Request`. That is sound only
  // while openapi-fetch reads no more of it than it has (no headers, signal or clone()); an
  // upgrade that reads more must fail here, not in users' calls.
  it("openapi-fetch reads only the method of the request it builds, GET and POST", async () => {
    const touched = new Set<string>();
    class Watched extends PlainRequest {
      constructor(url: string, init: RequestInit) {
        super(url, init);
        // biome-ignore lint/correctness/noConstructorReturn: a Proxy records what is read
        return new Proxy(this, {
          get: (target, key, receiver) => {
            touched.add(String(key));
            return Reflect.get(target, key, receiver);
          },
          has: (target, key) => {
            touched.add(`in ${String(key)}`);
            return Reflect.has(target, key);
          },
        });
      }
    }
    const options = {
      Request: Watched as unknown as typeof Request,
      fetch: async () => Response.json({ code: 0, data: { task_id: "t" } }),
    };
    const raw = createClient<paths>({ baseUrl: "http://127.0.0.1:1", headers: { A: "1" } });
    await raw.GET("/kling/v1/videos/multi-image2video/{task_id}", {
      params: { path: { task_id: "t" } },
      ...options,
    });
    await raw.POST("/kling/v1/videos/multi-image2video", {
      body: { model: "kling-v1-6", prompt: "p", image_list: [{ image: "https://e.com/1.jpg" }] },
      ...options,
    });
    // `in method`: openapi-fetch copies init keys the request lacks; it has `method`.
    expect([...touched].sort()).toEqual(["in method", "method"]);
  });
});

describe("sendWithRetries on a fake clock: when each attempt is made", () => {
  // A scripted `fetch`: each attempt takes the next step (a status with headers, a thrown error,
  // or "hang", which waits for the attempt's signal), and its start time is recorded.
  type Step = number | [number, Record<string, string>] | Error | "hang";
  function scripted(steps: Step[]) {
    const times: number[] = [];
    const fetch: FetchLike = (_input, init) => {
      times.push(Date.now());
      const step = steps[Math.min(times.length - 1, steps.length - 1)] ?? 200;
      if (step === "hang") {
        return new Promise((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        });
      }
      if (step instanceof Error) return Promise.reject(step);
      const [status, headers] = typeof step === "number" ? [step, {}] : step;
      return Promise.resolve(new Response(`{"s":${status}}`, { status, headers }));
    };
    return { fetch, times };
  }
  const refused = () =>
    Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
    });
  const reset = () =>
    Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    });

  // Runs one request on the fake clock; times are in ms from its start.
  async function run(
    steps: Step[],
    { method = "GET", maxRetries = 2, timeoutMs = 60_000, abortAfter = Number.NaN } = {},
  ) {
    const start = Date.now();
    const { fetch, times } = scripted(steps);
    const settings = retrySettings({ fetch, maxRetries, timeoutMs });
    const request = new PlainRequest("http://127.0.0.1:1/t", { method });
    const caller = new AbortController();
    if (abortAfter >= 0) setTimeout(() => caller.abort(new Error("stop")), abortAfter);
    const own = { signal: caller.signal, lease: {}, attempts: 0 };
    const outcome: Promise<{ status?: number; error?: unknown; at: number }> = sendWithRetries(
      settings,
      request,
      undefined,
      own,
    ).then(
      (response) => ({ status: response.status, at: Date.now() - start }),
      (error: unknown) => ({ error, at: Date.now() - start }),
    );
    await vi.advanceTimersByTimeAsync(600_000);
    return { ...(await outcome), times: times.map((t) => t - start) };
  }

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    vi.spyOn(Math, "random").mockReturnValue(0); // no jitter: backoff is 500, 1000, 2000 ms
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it("backs off 0.5 s then 1 s on a GET, and returns the last answer once retries are spent", async () => {
    expect(await run([503, 503, 503])).toEqual({ status: 503, at: 1500, times: [0, 500, 1500] });
    expect(await run([500, 200])).toEqual({ status: 200, at: 500, times: [0, 500] });
  });

  it("takes 25% jitter off the backoff at most", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0.999);
    const { times } = await run([502, 502, 200]);
    expect(times[1]).toBeCloseTo(375, 0);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeCloseTo(750, 0);
  });

  it("waits what Retry-After or retry-after-ms asks, in seconds or as an HTTP date", async () => {
    expect((await run([[429, { "retry-after": "3" }], 200])).times).toEqual([0, 3000]);
    expect(
      (await run([[503, { "retry-after-ms": "250", "retry-after": "9" }], 200])).times,
    ).toEqual([0, 250]);
    const date = new Date(Date.now() + 7000).toUTCString();
    expect((await run([[429, { "retry-after": date }], 200])).times).toEqual([0, 7000]);
  });

  it("waits 60 s when asked, and stops retrying when asked for more", async () => {
    expect((await run([[429, { "retry-after": "60" }], 200])).times).toEqual([0, 60_000]);
    expect(await run([[429, { "retry-after": "61" }], 200])).toEqual({
      status: 429,
      at: 0,
      times: [0],
    });
  });

  it("retries a submit on 429 and 503 only, never on 500, 502, 504 or 408", async () => {
    expect((await run([429, 503, 200], { method: "POST" })).times).toEqual([0, 500, 1500]);
    for (const status of [500, 502, 504, 408]) {
      expect(await run([status, 200], { method: "POST" })).toEqual({ status, at: 0, times: [0] });
    }
  });

  it("times out each attempt after timeoutMs, retrying a GET and not a submit", async () => {
    const get = await run(["hang"], { timeoutMs: 1000 });
    expect(get.times).toEqual([0, 1500, 3500]);
    expect(get.at).toBe(4500);
    expect(get.error).toBeInstanceOf(TimeoutError);

    // the attempt's own abort reason, kept as the cause
    expect((get.error as TimeoutError).message).toBe("Request timed out after 1000 ms");
    const cause = (get.error as TimeoutError).cause as DOMException;
    expect([cause.name, cause.message]).toEqual(["TimeoutError", "Timed out after 1000 ms"]);

    const post = await run(["hang", 200], { method: "POST", timeoutMs: 1000 });
    expect(post.times).toEqual([0]);
    expect(post.at).toBe(1000);
    expect(post.error).toBeInstanceOf(TimeoutError);
    expect((post.error as TimeoutError).mayHaveReachedServer).toBe(true);
  });

  it("retries a submit whose connection was refused, not one whose connection was lost", async () => {
    expect(await run([refused(), 200], { method: "POST" })).toEqual({
      status: 200,
      at: 500,
      times: [0, 500],
    });
    const lost = await run([reset(), 200], { method: "POST" });
    expect(lost.times).toEqual([0]);
    expect(lost.error).toBeInstanceOf(ConnectionError);
    expect((lost.error as ConnectionError).mayHaveReachedServer).toBe(true);
  });

  it("rejects with the abort reason during a submit's attempt and a last attempt", async () => {
    const post = await run(["hang"], { method: "POST", abortAfter: 200 });
    expect(post).toMatchObject({ at: 200, times: [0] });
    expect((post.error as Error).message).toBe("stop");
    const last = await run(["hang"], { maxRetries: 0, abortAfter: 200 });
    expect((last.error as Error).message).toBe("stop");
  });

  it("rejects with the abort reason at once, during an attempt or a backoff, and tries no more", async () => {
    const inAttempt = await run(["hang"], { abortAfter: 200 });
    expect(inAttempt).toMatchObject({ at: 200, times: [0] });
    expect((inAttempt.error as Error).message).toBe("stop");

    const inBackoff = await run([[503, { "retry-after": "30" }], 200], { abortAfter: 5000 });
    expect(inBackoff).toMatchObject({ at: 5000, times: [0] });
    expect((inBackoff.error as Error).message).toBe("stop");
  });
});

describe("connectionError: what may have reached the server", () => {
  const failed = (code: unknown, depth = 1) => {
    let error: unknown = Object.assign(new Error("inner"), { code });
    for (let i = 1; i < depth; i++) error = new Error("outer", { cause: error });
    return new TypeError("fetch failed", { cause: error });
  };

  it.each([
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EAI_FAIL",
    "UND_ERR_CONNECT_TIMEOUT",
    "ERR_SSL_WRONG_VERSION_NUMBER",
    "ERR_SSL_UNSUPPORTED_PROTOCOL",
    "ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE",
    "ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE",
    "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
    "CERT_HAS_EXPIRED",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "ERR_TLS_CERT_ALTNAME_INVALID",
  ])("%s: never sent", (code) => {
    const error = connectionError(failed(code));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.mayHaveReachedServer).toBe(false);
    expect(error.message).toBe(`Connection error (${code})`);
  });

  it.each([
    "ECONNRESET",
    "EPIPE",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "UND_ERR_SOCKET",
    "UND_ERR_HEADERS_TIMEOUT",
    "HPE_INVALID_VERSION",
    "ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC",
    "ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR",
    "ERR_SSL_UNEXPECTED_EOF_WHILE_READING",
  ])("%s: may have been sent", (code) => {
    const error = connectionError(failed(code));
    expect(error.mayHaveReachedServer).toBe(true);
    expect(error.message).toBe(`Connection error (${code})`);
  });

  it("may have been sent when no code says otherwise", () => {
    for (const thrown of [new TypeError("fetch failed"), "a string", null, failed(111)]) {
      const error = connectionError(thrown);
      expect(error.mayHaveReachedServer).toBe(true);
      expect(error.message).toBe("Connection error");
      expect(error.cause).toBe(thrown);
    }
  });

  it("finds the code up to four errors deep, the first string code first", () => {
    expect(connectionError(failed("ECONNREFUSED", 3)).mayHaveReachedServer).toBe(false);
    expect(connectionError(failed("ECONNREFUSED", 4)).message).toBe("Connection error");
    const outer = Object.assign(new TypeError("fetch failed"), {
      code: "ECONNRESET",
      cause: failed("ECONNREFUSED"),
    });
    expect(connectionError(outer).message).toBe("Connection error (ECONNRESET)");
  });

  it("is a TimeoutError when the attempt timed out, whatever the code", () => {
    const thrown = failed("ECONNREFUSED");
    const error = connectionError(thrown, 250);
    expect(error.cause).toBe(thrown);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe("Request timed out after 250 ms");
    expect(error.mayHaveReachedServer).toBe(true);
  });
});

describe("retrySettings", () => {
  it("defaults to 2 retries and 60 s per attempt, and keeps the fetch given", () => {
    const fetchLike: FetchLike = async () => new Response();
    expect(retrySettings()).toEqual({ fetch: undefined, maxRetries: 2, timeoutMs: 60_000 });
    expect(retrySettings({ fetch: fetchLike, maxRetries: 0, timeoutMs: 1 })).toEqual({
      fetch: fetchLike,
      maxRetries: 0,
      timeoutMs: 1,
    });
    expect(retrySettings({ timeoutMs: 2 ** 31 - 1 }).timeoutMs).toBe(2 ** 31 - 1);
  });

  it("says what it refused", () => {
    expect(() => retrySettings({ maxRetries: -1 })).toThrow(
      new RangeError(
        "Need a whole maxRetries from 0 and a timeout from 1 to 2147483647 ms: -1, 60000",
      ),
    );
    expect(() => retrySettings({ timeoutMs: 0.5 })).toThrow(RangeError);
    expect(() => retrySettings({ timeoutMs: 2 ** 31 })).toThrow(RangeError);
  });
});

describe("sendWithRetries: methods, timers and raw requests", () => {
  const answering = (statuses: number[]) => {
    const seen: { method: string; body: unknown }[] = [];
    const fetchLike: FetchLike = async (input, init) => {
      seen.push({
        method: init.method ?? (typeof input === "string" ? "GET" : input.method),
        body: init.body,
      });
      return new Response("{}", { status: statuses[seen.length - 1] ?? 200 });
    };
    return { seen, fetchLike };
  };
  const fast = { "retry-after-ms": "0" };

  it.each([
    ["GET", 2],
    ["HEAD", 2],
    ["POST", 1],
    ["PUT", 1],
    ["DELETE", 1],
  ])("a %s answered 500 is sent %i time(s)", async (method, times) => {
    const { seen, fetchLike } = answering([500, 500]);
    const settings = retrySettings({ fetch: fetchLike, maxRetries: 1 });
    // a 500 with retry-after-ms 0: no wait
    const withHeaders: FetchLike = async (input, init) => {
      const response = await fetchLike(input, init);
      return new Response(null, { status: response.status, headers: fast });
    };
    const response = await sendWithRetries(
      { ...settings, fetch: withHeaders },
      new PlainRequest("http://127.0.0.1:1/t", { method }),
      undefined,
    );
    expect(response.status).toBe(500);
    expect(seen).toHaveLength(times);
  });

  it("sends a raw request's body on every attempt, with its method and headers", async () => {
    const seen: string[] = [];
    const fetchLike: FetchLike = async (input, init) => {
      const request = input as Request;
      seen.push(
        `${request.method} ${request.headers.get("x-a")} ${new TextDecoder().decode(init.body as ArrayBuffer)}`,
      );
      return new Response(null, { status: seen.length === 1 ? 429 : 201, headers: fast });
    };
    const request = new Request("http://127.0.0.1:1/t", {
      method: "POST",
      body: "payload",
      headers: { "x-a": "1" },
    });
    const response = await createRetryFetch({ fetch: fetchLike })(request);
    expect(response.status).toBe(201);
    expect(seen).toEqual(["POST 1 payload", "POST 1 payload"]);
    expect(request.bodyUsed).toBe(false); // read from a clone
  });

  it("follows a raw request's own signal, and the caller's beside it", async () => {
    const hanging: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    const settings = retrySettings({ fetch: hanging });
    const own = new AbortController();
    const request = new Request("http://127.0.0.1:1/t", { signal: own.signal });
    const pending = sendWithRetries(settings, request, undefined).catch((e: unknown) => e);
    own.abort(new Error("request's own"));
    expect(((await pending) as Error).message).toBe("request's own");

    const caller = new AbortController();
    const second = sendWithRetries(settings, new Request("http://127.0.0.1:1/t"), undefined, {
      signal: caller.signal,
      lease: {},
      attempts: 0,
    }).catch((e: unknown) => e);
    caller.abort(new Error("caller's"));
    expect(((await second) as Error).message).toBe("caller's");
  });

  it("never lets an attempt's timer keep the process alive (Node's unref, Deno's unrefTimer)", async () => {
    const unrefTimer = vi.fn();
    vi.stubGlobal("Deno", { unrefTimer });
    const timers: NodeJS.Timeout[] = [];
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    try {
      const { fetchLike } = answering([200]);
      const own: OwnCall = { signal: undefined, lease: {}, attempts: 0 };
      await sendWithRetries(
        retrySettings({ fetch: fetchLike }),
        new PlainRequest("http://127.0.0.1:1/t", {}),
        undefined,
        own,
      );
      for (const result of setTimeoutSpy.mock.results) timers.push(result.value);
      expect(timers).toHaveLength(1);
      expect(timers[0]?.hasRef()).toBe(false);
      expect(unrefTimer).toHaveBeenCalledWith(timers[0]);
      expect(own.attempts).toBe(1);
      own.lease.release?.();
    } finally {
      setTimeoutSpy.mockRestore();
      vi.unstubAllGlobals();
    }
  });

  it("goes on counting attempts from those already made", async () => {
    const { seen, fetchLike } = answering([503, 503, 503, 503]);
    const settings = retrySettings({ fetch: fetchLike, maxRetries: 2 });
    const own: OwnCall = { signal: undefined, lease: {}, attempts: 1 };
    const slowless: FetchLike = async (input, init) => {
      const response = await fetchLike(input, init);
      return new Response(null, { status: response.status, headers: fast });
    };
    const response = await sendWithRetries(
      { ...settings, fetch: slowless },
      new PlainRequest("http://127.0.0.1:1/t", {}),
      undefined,
      own,
    );
    expect(response.status).toBe(503);
    expect(seen).toHaveLength(2); // attempts 2 and 3 of 3
    expect(own.attempts).toBe(3);
    own.lease.release?.();
  });

  it("runs where timers are numbers (browsers) and in a Deno without unrefTimer", async () => {
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const timers = new Map<number, ReturnType<typeof setTimeout>>();
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms?: number) => {
      const id = timers.size + 1;
      timers.set(id, realSet(callback, ms));
      return id;
    }) as typeof setTimeout);
    vi.spyOn(globalThis, "clearTimeout").mockImplementation((id) =>
      realClear(timers.get(id as unknown as number)),
    );
    vi.stubGlobal("Deno", {});
    try {
      const { fetchLike } = answering([200]);
      const response = await createRetryFetch({ fetch: fetchLike })(
        new Request("http://127.0.0.1:1/t"),
      );
      expect(response.status).toBe(200);
      expect(timers.size).toBe(1);
    } finally {
      vi.restoreAllMocks();
      vi.unstubAllGlobals();
      for (const timer of timers.values()) realClear(timer);
    }
  });

  it("turns a failure without any signal into a ConnectionError", async () => {
    const refused: FetchLike = () =>
      Promise.reject(
        new TypeError("fetch failed", {
          cause: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }),
        }),
      );
    const error = await sendWithRetries(
      retrySettings({ fetch: refused, maxRetries: 0 }),
      new PlainRequest("http://127.0.0.1:1/t", {}),
      undefined,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).mayHaveReachedServer).toBe(false);
  });
});
