// The callback dispatcher through its public API, with a scripted fetch (no sockets) and a virtual
// clock: what it posts, its retry schedule, its bounds, its per-task order, its log, reset and close.
import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  CallbackDispatcher,
  type CallbackDispatcherOptions,
} from "../../src/core/callbacks/dispatcher.js";
import { type VirtualClock, virtualClock } from "../../src/core/clock.js";

const T0 = 1_767_225_600_000;
const HOOK = "http://127.0.0.1:9/hook";

interface Call {
  url: string;
  init: RequestInit;
  resolve(response: unknown): void;
  reject(error: unknown): void;
}

/** A fetch whose answers the test gives: each call waits until resolved or rejected. */
function scripted() {
  const calls: Call[] = [];
  const fetch = ((url: string, init: RequestInit) =>
    new Promise((resolve, reject) => {
      calls.push({ url, init, resolve, reject });
      // Like undici: an abort rejects with the signal's reason.
      init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
    })) as unknown as typeof globalThis.fetch;
  return { calls, fetch };
}

/** A fetch that answers every call at once with `status`. */
function answering(status: number | ((i: number) => number | Error)) {
  const urls: string[] = [];
  const fetch = (async (url: string) => {
    const i = urls.length;
    urls.push(url);
    const s = typeof status === "number" ? status : status(i);
    if (s instanceof Error) throw s;
    return { status: s, body: null };
  }) as unknown as typeof globalThis.fetch;
  return { urls, fetch };
}

const ok = (status = 200) => ({ status, body: null });
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Turns the event loop until `done` holds (not vi.waitFor: it would move fake timers). */
async function until(done: () => boolean): Promise<void> {
  const end = performance.now() + 5_000;
  while (!done() && performance.now() < end) await tick();
  expect(done()).toBe(true);
}

const open: CallbackDispatcher[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const d of open.splice(0)) await d.close();
});

function make(options: Partial<CallbackDispatcherOptions> = {}): {
  d: CallbackDispatcher;
  clock: VirtualClock;
} {
  const clock = virtualClock(T0);
  const d = new CallbackDispatcher({ clock, ...options });
  open.push(d);
  return { d, clock };
}

const payload = (task_status: unknown) => ({ task_id: "t", task_status });

describe("what a delivery posts", () => {
  it("POSTs the payload as JSON, unsigned with a webhook-id, following no redirect", async () => {
    const { calls, fetch } = scripted();
    const { d, clock } = make({ fetch });
    d.enqueue("o", "t", HOOK, { task_status: "submitted", n: 1 });
    expect(calls).toHaveLength(1);
    const [call] = calls as [Call];
    const id = (call.init.headers as Record<string, string>)["webhook-id"] as string;
    expect(id).toMatch(/^msg_[A-Za-z0-9_-]{16}$/);
    expect(call.url).toBe(HOOK);
    expect(call.init).toMatchObject({
      method: "POST",
      body: '{"task_status":"submitted","n":1}',
      redirect: "manual",
    });
    expect(call.init.headers).toEqual({
      "content-type": "application/json",
      "user-agent": "kling-multi-image-mock",
      "webhook-id": id,
    });
    expect(call.init.signal?.aborted).toBe(false);
    expect(d.log()).toEqual([
      {
        id,
        taskId: "t",
        url: HOOK,
        taskStatus: "submitted",
        attempt: 1,
        at: T0,
        outcome: "pending",
      },
    ]);

    await clock.advance(50);
    call.resolve(ok(204));
    await d.idle();
    expect(d.log()).toEqual([
      {
        id,
        taskId: "t",
        url: HOOK,
        taskStatus: "submitted",
        attempt: 1,
        at: T0 + 50,
        outcome: "delivered",
        httpStatus: 204,
      },
    ]);
  });

  it("signs with the secret: Standard Webhooks headers over id, wall-clock seconds and body", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(1_700_000_000_999);
    const { calls, fetch } = scripted();
    const secretBytes = Buffer.from("a-32-byte-secret-for-the-tests!!");
    const { d } = make({ fetch, secret: `whsec_${secretBytes.toString("base64")}` });
    d.enqueue("o", "t", HOOK, payload("processing"));
    await until(() => calls.length === 1);
    const headers = calls[0]?.init.headers as Record<string, string>;
    const id = d.log()[0]?.id as string;
    const body = '{"task_id":"t","task_status":"processing"}';
    const mac = createHmac("sha256", secretBytes)
      .update(`${id}.1700000000.${body}`)
      .digest("base64");
    expect(headers).toEqual({
      "content-type": "application/json",
      "user-agent": "kling-multi-image-mock",
      "webhook-id": id,
      "webhook-timestamp": "1700000000",
      "webhook-signature": `v1,${mac}`,
    });
  });

  it("refuses a secret that is not Base64 when it is built, not at the first delivery", () => {
    const { fetch } = scripted();
    expect(() => make({ fetch, secret: "whsec_not base64!" })).toThrow(TypeError);
  });

  it("reads the task status from the payload, or records none", () => {
    const { fetch } = scripted();
    const { d } = make({ fetch });
    d.enqueue("o", "a", HOOK, payload("failed"));
    d.enqueue("o", "b", HOOK, payload(3));
    d.enqueue("o", "c", HOOK, null);
    d.enqueue("o", "d", HOOK, "text");
    expect(d.log().map((r) => r.taskStatus)).toEqual(["failed", "", "", ""]);
  });

  it("takes 2xx as delivered and anything else as a failed attempt", async () => {
    for (const [status, delivered] of [
      [199, false],
      [200, true],
      [299, true],
      [300, false],
      [404, false],
    ] as const) {
      const { fetch } = answering(status);
      const { d } = make({ fetch, maxAttempts: 1 });
      d.enqueue("o", "t", HOOK, payload("submitted"));
      await d.idle();
      expect(d.log()[0]).toMatchObject(
        delivered
          ? { outcome: "delivered", httpStatus: status }
          : { outcome: "failed", httpStatus: status, error: `receiver answered HTTP ${status}` },
      );
    }
  });

  it("cancels the answer's body without waiting on it, even when the cancel fails", async () => {
    const cancel = vi.fn(() => Promise.reject(new Error("cancel failed")));
    const { calls, fetch } = scripted();
    const { d } = make({ fetch });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    calls[0]?.resolve({ status: 200, body: { cancel } });
    await d.idle();
    await tick();
    expect(cancel).toHaveBeenCalledTimes(1);
    expect(d.log()[0]?.outcome).toBe("delivered");
  });
});

describe("failures and retries", () => {
  it("retries on the clock after 1, 2, 4 and 8 s, five attempts in all, then gives up", async () => {
    const { urls, fetch } = answering(500);
    const { d, clock } = make({ fetch });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    await d.idle();
    for (const [wait, attempts] of [
      [1_000, 2],
      [2_000, 3],
      [4_000, 4],
      [8_000, 5],
    ] as const) {
      expect(clock.pending()).toBe(1);
      await clock.advance(wait - 1);
      await d.idle();
      expect(urls).toHaveLength(attempts - 1);
      await clock.advance(1);
      await d.idle();
      expect(urls).toHaveLength(attempts);
    }
    expect(clock.pending()).toBe(0);
    expect(d.log()).toEqual([
      expect.objectContaining({
        outcome: "failed",
        attempt: 5,
        httpStatus: 500,
        error: "receiver answered HTTP 500",
        at: T0 + 15_000,
      }),
    ]);
  });

  it("repeats the last custom delay", async () => {
    const { urls, fetch } = answering(500);
    const { d, clock } = make({ fetch, retryDelaysMs: [10, 20], maxAttempts: 4 });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    const seen: number[] = [];
    for (let t = 0; t <= 60; t++) {
      await d.idle();
      if (urls.length > seen.length) seen.push(t);
      await clock.advance(1);
    }
    expect(seen).toEqual([0, 10, 30, 50]);
    expect(d.log()[0]).toMatchObject({ outcome: "failed", attempt: 4 });
  });

  it("uses the default delays for an empty list, and 1 s for a missing delay", async () => {
    for (const retryDelaysMs of [[], new Array<number>(1)]) {
      const { urls, fetch } = answering(500);
      const { d, clock } = make({ fetch, retryDelaysMs, maxAttempts: 2 });
      d.enqueue("o", "t", HOOK, payload("submitted"));
      await d.idle();
      await clock.advance(999);
      await d.idle();
      expect(urls).toHaveLength(1);
      await clock.advance(1);
      await d.idle();
      expect(urls).toHaveLength(2);
    }
  });

  it("makes one attempt at least", async () => {
    for (const maxAttempts of [0, 1]) {
      const { urls, fetch } = answering(500);
      const { d, clock } = make({ fetch, maxAttempts });
      d.enqueue("o", "t", HOOK, payload("submitted"));
      await d.idle();
      await clock.advance(60_000);
      await d.idle();
      expect(urls).toHaveLength(1);
      expect(d.log()[0]).toMatchObject({ outcome: "failed", attempt: 1 });
      expect(clock.pending()).toBe(0);
    }
  });

  it("a later success clears the error; a transport error clears the HTTP status", async () => {
    const refused = new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    const { fetch } = answering((i) => [500, 200][i] ?? 200);
    const { d, clock } = make({ fetch });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    await d.idle();
    expect(d.log()[0]).toMatchObject({ error: "receiver answered HTTP 500", httpStatus: 500 });
    await clock.advance(1_000);
    await d.idle();
    const delivered = d.log()[0];
    expect(delivered).toMatchObject({ outcome: "delivered", attempt: 2, httpStatus: 200 });
    expect(delivered && "error" in delivered).toBe(false);

    const second = answering((i) => [500, refused][i] ?? 200);
    const { d: d2, clock: clock2 } = make({ fetch: second.fetch, maxAttempts: 2 });
    d2.enqueue("o", "t", HOOK, payload("submitted"));
    await d2.idle();
    await clock2.advance(1_000);
    await d2.idle();
    const failed = d2.log()[0];
    expect(failed).toMatchObject({ outcome: "failed", error: "fetch failed (ECONNREFUSED)" });
    expect(failed && "httpStatus" in failed).toBe(false);
  });

  it.each([
    [new Error("boom"), "boom"],
    [new Error("boom", { cause: new Error("inner") }), "boom (inner)"],
    [new Error("boom", { cause: { code: 42, message: "m" } }), "boom (m)"],
    [new Error("boom", { cause: { code: 42 } }), "boom"],
    [new Error("boom", { cause: { code: "EPIPE", message: "m" } }), "boom (EPIPE)"],
    [new Error("boom", { cause: "plain" }), "boom"],
    ["a string", "a string"],
    [404, "404"],
  ])("words a transport error %#", async (thrown, error) => {
    const { fetch } = answering(() => {
      throw thrown;
    });
    const { d } = make({ fetch, maxAttempts: 1 });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    await d.idle();
    expect(d.log()[0]).toMatchObject({ outcome: "failed", error });
  });

  it("aborts an attempt after attemptTimeoutMs and records the timeout as the reason", async () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch, maxAttempts: 1, attemptTimeoutMs: 30 });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    expect(calls[0]?.init.signal?.aborted).toBe(false);
    await d.idle();
    expect(calls[0]?.init.signal?.aborted).toBe(true);
    expect(d.log()[0]).toMatchObject({ outcome: "failed", error: "no answer within 30 ms" });
  });

  it("waits 10 s for an attempt by default, and clears its timer when answered", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const { calls, fetch } = scripted();
    const { d } = make({ fetch, maxAttempts: 1 });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    d.enqueue("o", "u", HOOK, payload("submitted"));
    expect(vi.getTimerCount()).toBe(2);
    calls[1]?.resolve(ok());
    await until(() => vi.getTimerCount() === 1);
    vi.advanceTimersByTime(9_999);
    expect(calls[0]?.init.signal?.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(calls[0]?.init.signal?.aborted).toBe(true);
    await d.idle();
    expect(d.log().map((r) => [r.outcome, r.error])).toEqual([
      ["failed", "no answer within 10000 ms"],
      ["delivered", undefined],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("records the abort's reason, not the error fetch throws for it", async () => {
    const fetch = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener("abort", () =>
          reject(new Error("This operation was aborted")),
        );
      })) as unknown as typeof globalThis.fetch;
    const { d } = make({ fetch, maxAttempts: 1, attemptTimeoutMs: 20 });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    await d.idle();
    expect(d.log()[0]?.error).toBe("no answer within 20 ms");
  });
});

describe("order and bounds", () => {
  it("delivers one task's changes one after another, even across failures", async () => {
    const { calls, fetch } = scripted();
    const { d, clock } = make({ fetch, maxAttempts: 2, retryDelaysMs: [10] });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    d.enqueue("o", "t", HOOK, payload("processing"));
    d.enqueue("o", "t", HOOK, payload("succeed"));
    expect(calls).toHaveLength(1);
    calls[0]?.resolve(ok(500));
    await tick();
    expect(calls).toHaveLength(1);
    await clock.advance(10);
    expect(calls).toHaveLength(2);
    calls[1]?.resolve(ok(500)); // given up: the next one goes
    await tick();
    expect(calls).toHaveLength(3);
    expect(JSON.parse(calls[2]?.init.body as string).task_status).toBe("processing");
    calls[2]?.resolve(ok());
    await tick();
    expect(JSON.parse(calls[3]?.init.body as string).task_status).toBe("succeed");
    calls[3]?.resolve(ok());
    await tick();
    expect(d.log().map((r) => [r.taskStatus, r.outcome, r.attempt])).toEqual([
      ["submitted", "failed", 2],
      ["processing", "delivered", 1],
      ["succeed", "delivered", 1],
    ]);
    // The task's queue is done: a new change goes at once.
    d.enqueue("o", "t", HOOK, payload("succeed"));
    expect(calls).toHaveLength(5);
  });

  it("keeps different tasks, and the same task id of different owners, apart", () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch });
    d.enqueue("alice", "t", HOOK, payload("submitted"));
    d.enqueue("bob", "t", HOOK, payload("submitted"));
    d.enqueue("alice", "u", HOOK, payload("submitted"));
    d.enqueue("alice", "t", HOOK, payload("processing"));
    expect(calls).toHaveLength(3);
  });

  it("a refused delivery is logged, never sent, and holds nothing back", () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch, allowedHosts: ["hooks.test"] });
    d.enqueue("o", "t", "http://10.0.0.1/hook", payload("submitted"));
    d.enqueue("o", "t", "http://hooks.test/hook", payload("processing"));
    expect(calls.map((c) => c.url)).toEqual(["http://hooks.test/hook"]);
    expect(d.log()[0]).toMatchObject({
      outcome: "refused",
      attempt: 0,
      error: expect.stringMatching(/^callback_url host 10\.0\.0\.1 is not allowed/),
    });
    expect(d.check("http://10.0.0.1/")).toMatch(/not allowed/);
    expect(d.check("http://HOOKS.test/")).toBeUndefined();
    expect(d.check("http://127.0.0.1/")).toBeUndefined();
  });

  it("runs at most 32 attempts at once by default, then the waiting ones oldest first", async () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch });
    for (let i = 0; i < 34; i++)
      d.enqueue("o", `t${i}`, `http://127.0.0.1:${2000 + i}/`, payload("x"));
    expect(calls).toHaveLength(32);
    calls[5]?.resolve(ok());
    await tick();
    expect(calls.map((c) => c.url).slice(32)).toEqual(["http://127.0.0.1:2032/"]);
    calls[0]?.resolve(ok());
    await tick();
    expect(calls.map((c) => c.url).slice(32)).toEqual([
      "http://127.0.0.1:2032/",
      "http://127.0.0.1:2033/",
    ]);
  });

  it("runs at most maxConcurrent attempts at once, and at least one", async () => {
    for (const [maxConcurrent, running] of [
      [2, 2],
      [0, 1],
    ] as const) {
      const { calls, fetch } = scripted();
      const { d } = make({ fetch, maxConcurrent });
      for (let i = 0; i < 3; i++)
        d.enqueue("o", `t${i}`, `http://127.0.0.1:${3000 + i}/`, payload("x"));
      expect(calls).toHaveLength(running);
      calls[0]?.resolve(ok());
      await tick();
      expect(calls).toHaveLength(running + 1);
    }
  });

  it("runs at most 8 attempts at once to one receiver by default, others still go", async () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch });
    for (let i = 0; i < 9; i++) d.enqueue("o", `t${i}`, "http://127.0.0.1:4000/a", payload("x"));
    d.enqueue("o", "other", "http://127.0.0.1:4001/a", payload("x"));
    expect(calls.map((c) => c.url)).toEqual([
      ...Array.from({ length: 8 }, () => "http://127.0.0.1:4000/a"),
      "http://127.0.0.1:4001/a",
    ]);
    calls[3]?.resolve(ok());
    await tick();
    expect(calls).toHaveLength(10);
    expect(JSON.parse(calls[9]?.init.body as string)).toEqual(payload("x"));
    expect(d.log().filter((r) => r.attempt === 1)).toHaveLength(10);
  });

  it("counts a receiver's attempts one by one as they end", async () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch, maxConcurrentPerTarget: 2 });
    for (const t of ["a", "b", "c", "d"]) d.enqueue("o", t, HOOK, payload("x"));
    expect(calls).toHaveLength(2);
    calls[0]?.resolve(ok());
    await tick();
    expect(calls).toHaveLength(3); // b and c run: d waits
    await tick();
    expect(calls).toHaveLength(3);
    calls[1]?.resolve(ok());
    await tick();
    expect(calls).toHaveLength(4);
  });

  it("takes a receiver as host and port, with the scheme's default port", async () => {
    const sameTarget = (a: string, b: string) => {
      const { calls, fetch } = scripted();
      const { d } = make({ fetch, maxConcurrentPerTarget: 1 });
      d.enqueue("o", "t1", a, payload("x"));
      d.enqueue("o", "t2", b, payload("x"));
      return calls.length === 1;
    };
    expect(sameTarget("http://127.0.0.1/a", "http://127.0.0.1:80/b")).toBe(true);
    expect(sameTarget("https://localhost/a", "https://localhost:443/b")).toBe(true);
    expect(sameTarget("http://localhost/a", "https://localhost/a")).toBe(false);
    expect(sameTarget("http://localhost:8080/", "http://127.0.0.1:8080/")).toBe(false);
    expect(sameTarget("http://localhost:8080/", "http://localhost:8081/")).toBe(false);
    expect(sameTarget("http://localhost:443/", "https://localhost/")).toBe(true);
    expect(sameTarget("http://localhost:80/", "https://localhost/")).toBe(false);
  });

  it("frees a receiver's slot when an attempt ends, and counts at least one per receiver", async () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch, maxConcurrentPerTarget: 0 });
    d.enqueue("o", "a", HOOK, payload("x"));
    d.enqueue("o", "b", HOOK, payload("x"));
    d.enqueue("o", "c", HOOK, payload("x"));
    expect(calls).toHaveLength(1);
    calls[0]?.resolve(ok());
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]?.resolve(ok(500));
    await tick();
    expect(calls).toHaveLength(3);
    calls[2]?.resolve(ok());
    await tick();
    // All slots free again: two new deliveries to the receiver go one at a time.
    d.enqueue("o", "d", HOOK, payload("x"));
    d.enqueue("o", "e", HOOK, payload("x"));
    expect(calls).toHaveLength(4);
  });
});

describe("log, reset and close", () => {
  it("filters the log by task and owner, and hands out copies", () => {
    const { fetch } = scripted();
    const { d } = make({ fetch });
    d.enqueue("alice", "a", HOOK, payload("submitted"));
    d.enqueue("bob", "b", HOOK, payload("submitted"));
    d.enqueue("alice", "b", HOOK, payload("submitted"));
    const ids = (filter?: Parameters<typeof d.log>[0]) => d.log(filter).map((r) => `${r.taskId}`);
    expect(ids()).toEqual(["a", "b", "b"]);
    expect(ids({ owner: "alice" })).toEqual(["a", "b"]);
    expect(ids({ taskId: "b" })).toEqual(["b", "b"]);
    expect(ids({ taskId: "b", owner: "bob" })).toEqual(["b"]);
    expect(ids({ owner: "carol" })).toEqual([]);
    const first = d.log()[0];
    if (first) first.outcome = "failed";
    expect(d.log()[0]?.outcome).toBe("pending");
    expect(Object.keys(d.log()[0] ?? {})).not.toContain("owner");
  });

  it("keeps the newest 1000 records by default", () => {
    const { d } = make();
    for (let i = 0; i < 1_001; i++) d.enqueue("o", `t${i}`, "http://10.0.0.1/", payload("x"));
    const log = d.log();
    expect(log).toHaveLength(1_000);
    expect(log[0]?.taskId).toBe("t1");
    expect(log[999]?.taskId).toBe("t1000");
  });

  it("reset forgets the log, the queues, the waiting deliveries and the retries", async () => {
    const { calls, fetch } = scripted();
    const { d, clock } = make({ fetch, maxConcurrent: 1 });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    d.enqueue("o", "t", HOOK, payload("processing")); // queued behind it
    d.enqueue("o", "u", HOOK, payload("submitted")); // waiting for a slot
    expect(calls).toHaveLength(1);
    d.reset();
    expect(d.log()).toEqual([]);
    calls[0]?.resolve(ok(500)); // settles into the forgotten generation: no retry, no next
    await d.idle();
    expect(clock.pending()).toBe(0);
    expect(calls).toHaveLength(1);
    expect(d.log()).toEqual([]);

    // It works as new afterwards, its slot free again.
    d.enqueue("o", "t", HOOK, payload("succeed"));
    expect(calls).toHaveLength(2);
    calls[1]?.resolve(ok(500));
    await d.idle();
    expect(clock.pending()).toBe(1);
    d.reset();
    expect(clock.pending()).toBe(0);
    await clock.advance(60_000);
    expect(calls).toHaveLength(2);
  });

  it("reset while an attempt runs: a new delivery waits for its slot", async () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch, maxConcurrent: 1 });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    d.reset();
    d.enqueue("o", "t", HOOK, payload("processing"));
    expect(calls).toHaveLength(1);
    calls[0]?.resolve(ok());
    await tick();
    expect(calls).toHaveLength(2);
    expect(d.log().map((r) => r.taskStatus)).toEqual(["processing"]);
  });

  it("close aborts attempts in flight, waits for them, and takes nothing more", async () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch });
    d.enqueue("o", "t", HOOK, payload("submitted"));
    await d.close();
    const signal = calls[0]?.init.signal;
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as Error | undefined)?.message).toBe("dispatcher closed");
    d.enqueue("o", "t2", HOOK, payload("submitted"));
    expect(calls).toHaveLength(1);
    expect(d.log()).toEqual([]);
  });

  it("idle resolves at once with nothing in flight, and waits for attempts started meanwhile", async () => {
    const { calls, fetch } = scripted();
    const { d } = make({ fetch });
    await d.idle();
    d.enqueue("o", "t", HOOK, payload("submitted"));
    d.enqueue("o", "t", HOOK, payload("processing"));
    let idle = false;
    const waiting = d.idle().then(() => {
      idle = true;
    });
    calls[0]?.resolve(ok());
    await tick();
    expect(calls).toHaveLength(2);
    expect(idle).toBe(false);
    calls[1]?.resolve(ok());
    await waiting;
    expect(d.log().map((r) => r.outcome)).toEqual(["delivered", "delivered"]);
  });

  it("uses the global fetch by default", async () => {
    const { urls, fetch } = answering(200);
    vi.stubGlobal("fetch", fetch);
    try {
      const { d } = make();
      d.enqueue("o", "t", HOOK, payload("submitted"));
      await d.idle();
      expect(urls).toEqual([HOOK]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
