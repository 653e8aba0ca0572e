import { getEventListeners } from "node:events";
import createClient from "openapi-fetch";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseRetryAfter } from "../src/errors.js";
import type { paths } from "../src/generated/openapi.js";
import {
  backoffMs,
  createRetryFetch,
  type FetchLike,
  type OwnCall,
  PlainRequest,
  retryDelayMs,
  retrySettings,
  sendWithRetries,
  sleep,
} from "../src/retry.js";
import { json, startServer } from "./helpers/server.js";

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
  it("uses the server's wait up to 60 s, else the backoff", () => {
    expect(retryDelayMs(0, new Headers({ "retry-after": "60" }), 0)).toBe(60_000);
    expect(retryDelayMs(0, new Headers({ "retry-after": "61" }), 0)).toBe(500);
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
  it("rejects at once with the abort reason and clears its timer", async () => {
    const controller = new AbortController();
    const p = sleep(10_000, controller.signal);
    controller.abort(new Error("bye"));
    await expect(p).rejects.toThrow("bye");
    expect(vi.getTimerCount()).toBe(0);
  });
  it("rejects when already aborted", async () => {
    await expect(sleep(1, AbortSignal.abort(new Error("early")))).rejects.toThrow("early");
  });
});

describe("sendWithRetries: the attempt's timer and abort link", () => {
  // Each attempt links to the caller's signal; the link must end with the attempt.
  const links = (signal: AbortSignal) => getEventListeners(signal, "abort").length;
  const settings = retrySettings({ timeoutMs: 60_000 });

  it("ends them when the lease is released", async () => {
    const server = await startServer((_hit, res) => json(res, 200, { ok: true }));
    try {
      const caller = new AbortController().signal;
      const own: OwnCall = { signal: caller, lease: {} };
      const response = await sendWithRetries(settings, new PlainRequest(server.url, {}), {}, own);
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
      await expect.poll(() => links(request.signal)).toBe(0);
    } finally {
      await server.close();
    }
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
      const own: OwnCall = { signal: caller, lease: {} };
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
