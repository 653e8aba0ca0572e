import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KlingApiError, RateLimitError, ServerError, WaitTimeoutError } from "../src/errors.js";
import { type Task, toTask } from "../src/task.js";
import { pollTask, waitFor } from "../src/wait.js";
import { queryBody, TASK_ID } from "./helpers/server.js";

type Step = "submitted" | "processing" | "succeed" | "failed" | Error;

function scripted(steps: Step[]) {
  const calls: number[] = [];
  const getTask = async (): Promise<Task> => {
    calls.push(Date.now());
    const step = steps[Math.min(calls.length - 1, steps.length - 1)] ?? "processing";
    if (step instanceof Error) throw step;
    return toTask(queryBody(step) as Parameters<typeof toTask>[0]);
  };
  return { getTask, calls };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("polling schedule", () => {
  it("polls every 5 s at first, growing 1.25x per poll up to 15 s", async () => {
    const { getTask, calls } = scripted(Array(12).fill("processing").concat("succeed"));
    const p = waitFor(getTask, TASK_ID);
    await vi.advanceTimersByTimeAsync(200_000);
    await p;
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] ?? 0));
    expect(gaps.slice(0, 4)).toEqual([5000, 6250, 7813, 9766]);
    expect(Math.max(...gaps)).toBe(15_000);
  });

  it("waits at least the server's Retry-After after a 429", async () => {
    const limited = new RateLimitError("429", { status: 429, retryAfterMs: 20_000 });
    const { getTask, calls } = scripted(["processing", limited, "succeed"]);
    const p = waitFor(getTask, TASK_ID, { intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(60_000);
    await p;
    expect(calls).toEqual([0, 1000, 21000]);
  });

  it("times out at timeoutMs, not later", async () => {
    const { getTask } = scripted(["processing"]);
    const p = waitFor(getTask, TASK_ID, { timeoutMs: 12_000 });
    const assertion = expect(p).rejects.toBeInstanceOf(WaitTimeoutError);
    await vi.advanceTimersByTimeAsync(12_000);
    await assertion;
    expect(Date.now()).toBe(12_000);
  });

  it("counts transient errors in a row and resets the count on success", async () => {
    const boom = new ServerError("500", { status: 500 });
    const { getTask, calls } = scripted([boom, boom, "processing", boom, boom, "succeed"]);
    const p = waitFor(getTask, TASK_ID, { intervalMs: 10, maxConsecutiveErrors: 2 });
    await vi.advanceTimersByTimeAsync(1000);
    expect((await p).status).toBe("succeed");
    expect(calls).toHaveLength(6);

    const again = scripted([boom, boom, boom, "succeed"]);
    const q = waitFor(again.getTask, TASK_ID, { intervalMs: 10, maxConsecutiveErrors: 2 });
    const assertion = expect(q).rejects.toBe(boom);
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
    expect(again.calls).toHaveLength(3);
  });

  it("rejects with the abort reason during a wait without polling again", async () => {
    const { getTask, calls } = scripted(["processing"]);
    const controller = new AbortController();
    const iterator = pollTask(getTask, TASK_ID, { signal: controller.signal });
    expect((await iterator.next()).value?.status).toBe("processing");
    const next = iterator.next();
    const assertion = expect(next).rejects.toThrow("cancelled");
    await vi.advanceTimersByTimeAsync(1000);
    controller.abort(new Error("cancelled"));
    await assertion;
    expect(calls).toHaveLength(1);
  });

  it("honours a Retry-After on a 5xx between polls, and one of more than 60 s", async () => {
    const busy = new ServerError("503", { status: 503, retryAfterMs: 3000 });
    const { getTask, calls } = scripted(["processing", busy, "succeed"]);
    const p = waitFor(getTask, TASK_ID, { intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(10_000);
    await p;
    expect(calls).toEqual([0, 100, 3100]);

    const limited = new RateLimitError("429", { status: 429, retryAfterMs: 120_000 });
    const again = scripted([limited, "succeed"]);
    const q = waitFor(again.getTask, TASK_ID, { intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(200_000);
    await q;
    expect(again.calls.map((t) => t - (again.calls[0] ?? 0))).toEqual([0, 120_000]);
  });

  it("does not poll sooner than Retry-After asked, even at the deadline", async () => {
    const limited = new RateLimitError("429", { status: 429, retryAfterMs: 60_000 });
    const { getTask, calls } = scripted([limited, "succeed"]);
    const ended = waitFor(getTask, TASK_ID, { timeoutMs: 10_000 }).catch((error: unknown) => ({
      error,
      at: Date.now(),
    }));
    await vi.advanceTimersByTimeAsync(100_000);
    const { error, at } = (await ended) as { error: unknown; at: number };
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(at).toBe(10_000); // the wait's full timeout, not at once
    expect(calls).toEqual([0]); // and no poll the server said was too early
  });

  it("survives a 408 between polls like other transient errors", async () => {
    const slow = new KlingApiError("408", { status: 408 });
    const { getTask, calls } = scripted([slow, slow, "succeed"]);
    const p = waitFor(getTask, TASK_ID, { intervalMs: 10 });
    await vi.advanceTimersByTimeAsync(1000);
    expect((await p).status).toBe("succeed");
    expect(calls).toHaveLength(3);
  });

  it("does not treat other 4xx as transient", async () => {
    const bad = new KlingApiError("409", { status: 409 });
    const { getTask, calls } = scripted([bad, "succeed"]);
    const p = waitFor(getTask, TASK_ID, { intervalMs: 10 });
    const assertion = expect(p).rejects.toBe(bad);
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
    expect(calls).toHaveLength(1);
  });

  it("waits without limit for timeoutMs: Infinity, and past 2^31-1 ms timers for a long one", async () => {
    // Each poll is bounded by an AbortSignal.timeout; past 2^31-1 ms it would fire at once.
    const timeout = vi.spyOn(AbortSignal, "timeout");
    for (const timeoutMs of [Number.POSITIVE_INFINITY, 30 * 24 * 3600_000]) {
      const { getTask, calls } = scripted(["processing", "processing", "succeed"]);
      const p = waitFor(getTask, TASK_ID, { timeoutMs, intervalMs: 1000 });
      await vi.advanceTimersByTimeAsync(10_000);
      expect((await p).status).toBe("succeed");
      expect(calls).toHaveLength(3);
    }
    expect(timeout).toHaveBeenCalledTimes(6);
    for (const [delay] of timeout.mock.calls) expect(delay).toBe(2 ** 31 - 1);
    timeout.mockRestore();
  });

  it("refuses intervals below 1 ms and a negative or NaN timeout, before any poll", async () => {
    const { getTask, calls } = scripted(["succeed"]);
    for (const options of [
      { intervalMs: 0 },
      { maxIntervalMs: 0 },
      { timeoutMs: -1 },
      { intervalMs: Number.NaN },
    ]) {
      await expect(waitFor(getTask, TASK_ID, options)).rejects.toThrow(RangeError);
      // watchTask's generator says so when called, not at its first next()
      expect(() => pollTask(getTask, TASK_ID, options)).toThrow(RangeError);
    }
    expect(calls).toHaveLength(0);
  });
});
