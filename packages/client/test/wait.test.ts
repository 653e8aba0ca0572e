import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ConnectionError,
  KlingApiError,
  RateLimitError,
  ServerError,
  TaskFailedError,
  TimeoutError,
  WaitTimeoutError,
} from "../src/errors.js";
import { type Task, toTask } from "../src/task.js";
import { pollTask, waitFor } from "../src/wait.js";
import { queryBody, TASK_ID } from "./helpers/fixtures.js";

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

/** `AbortSignal.timeout` on the fake clock (the real one runs on real time whatever the clock). */
function fakeTimeoutSignals() {
  return vi.spyOn(AbortSignal, "timeout").mockImplementation((ms) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException("timed out", "TimeoutError")), ms);
    return controller.signal;
  });
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
      // watchTask's generator says so when called, not at its first next()
      expect(() => pollTask(getTask, TASK_ID, options)).toThrow(RangeError);
      await expect(waitFor(getTask, TASK_ID, options)).rejects.toThrow(RangeError);
    }
    expect(calls).toHaveLength(0);
  });

  it("the caller's signal cuts off a poll in flight, at once, with its reason", async () => {
    const seen: AbortSignal[] = [];
    // A poll that only ends when its signal aborts.
    const getTask = (_id: string, { signal }: { signal?: AbortSignal | undefined }) =>
      new Promise<Task>((_resolve, reject) => {
        if (signal) seen.push(signal);
        signal?.addEventListener("abort", () => reject(new Error("transport gave up")));
      });
    const controller = new AbortController();
    const p = waitFor(getTask, TASK_ID, { signal: controller.signal });
    const assertion = expect(p).rejects.toThrow("caller left");
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error("caller left"));
    await assertion;
    expect(Date.now()).toBe(100);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.aborted).toBe(true);
  });

  it("a poll in flight at the deadline ends it with WaitTimeoutError and the last task", async () => {
    const timeouts = fakeTimeoutSignals();
    let n = 0;
    const getTask = (_id: string, { signal }: { signal?: AbortSignal | undefined }) =>
      n++ === 0
        ? Promise.resolve(toTask(queryBody("processing") as Parameters<typeof toTask>[0]))
        : new Promise<Task>((_resolve, reject) => {
            signal?.addEventListener("abort", () => reject(new Error("aborted")));
          });
    const p = waitFor(getTask, TASK_ID, { intervalMs: 2000, timeoutMs: 5000 }).catch(
      (error: unknown) => ({ error, at: Date.now() }),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    const { error, at } = (await p) as { error: WaitTimeoutError; at: number };
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error.message).toBe(
      `Task ${TASK_ID} did not finish within 5000 ms (last status: processing)`,
    );
    expect(error.task?.status).toBe("processing");
    expect(at).toBe(5000); // the second poll started at 2000, cut off at the deadline
    expect(timeouts.mock.calls.map(([ms]) => ms)).toEqual([5000, 3000]);
    timeouts.mockRestore();
  });

  it("gives the last poll, started just before the deadline, one second more", async () => {
    const timeouts = fakeTimeoutSignals();
    let n = 0;
    const calls: number[] = [];
    const getTask = (_id: string, { signal }: { signal?: AbortSignal | undefined }) => {
      calls.push(Date.now());
      return n++ === 0
        ? Promise.resolve(toTask(queryBody("processing") as Parameters<typeof toTask>[0]))
        : new Promise<Task>((resolve, reject) => {
            const timer = setTimeout(
              () => resolve(toTask(queryBody("succeed") as Parameters<typeof toTask>[0])),
              900,
            );
            signal?.addEventListener("abort", () => {
              clearTimeout(timer);
              reject(new Error("aborted"));
            });
          });
    };
    const p = waitFor(getTask, TASK_ID, { intervalMs: 10_000, timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await p).status).toBe("succeed");
    expect(calls).toEqual([0, 1000]); // slept the 1000 ms left, then 900 ms of answer
    expect(timeouts.mock.calls.map(([ms]) => ms)).toEqual([1000, 1000]);
    timeouts.mockRestore();
  });

  it("reports each change of status or progress once, and yields it", async () => {
    const { getTask } = scripted(["submitted", "submitted", "processing", "processing", "succeed"]);
    const updates: string[] = [];
    const yielded: string[] = [];
    const iterate = (async () => {
      for await (const task of pollTask(getTask, TASK_ID, {
        intervalMs: 10,
        onUpdate: (t) => updates.push(`${t.status}:${t.progress}`),
      })) {
        yielded.push(task.status);
      }
    })();
    await vi.advanceTimersByTimeAsync(1000);
    await iterate;
    expect(updates).toEqual(["submitted:10", "processing:30", "succeed:100"]);
    expect(yielded).toEqual(["submitted", "processing", "succeed"]);
  });

  it("reports a change of progress alone", async () => {
    const at = (progress: string) => {
      const body = queryBody("processing") as { data: { progress: string } };
      body.data.progress = progress;
      return toTask(body as Parameters<typeof toTask>[0]);
    };
    const answers = [at("30%"), at("30%"), at("60%"), toTask(queryBody("succeed") as never)];
    let n = 0;
    const updates: number[] = [];
    const p = waitFor(async () => answers[n++] ?? (answers[3] as Task), TASK_ID, {
      intervalMs: 10,
      onUpdate: (t) => updates.push(t.progress),
    });
    await vi.advanceTimersByTimeAsync(1000);
    await p;
    expect(updates).toEqual([30, 60, 100]);
  });

  it("caps the interval at maxIntervalMs", async () => {
    const { getTask, calls } = scripted(Array(6).fill("processing").concat("succeed"));
    const p = waitFor(getTask, TASK_ID, { intervalMs: 1000, maxIntervalMs: 1500 });
    await vi.advanceTimersByTimeAsync(60_000);
    await p;
    expect(calls.slice(1).map((t, i) => t - (calls[i] ?? 0))).toEqual([
      1000, 1250, 1500, 1500, 1500, 1500,
    ]);
  });

  it("tolerates five transient errors in a row by default, of every transient kind", async () => {
    const kinds = [
      new ConnectionError("reset"),
      new TimeoutError("slow"),
      new RateLimitError("429", { status: 429 }),
      new ServerError("500", { status: 500 }),
      new KlingApiError("408", { status: 408 }),
    ];
    const { getTask, calls } = scripted([...kinds, "succeed"]);
    const p = waitFor(getTask, TASK_ID, { intervalMs: 10 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect((await p).status).toBe("succeed");
    expect(calls).toHaveLength(6);

    const sixth = new ServerError("503", { status: 503 });
    const again = scripted([...kinds, sixth, "succeed"]);
    const q = waitFor(again.getTask, TASK_ID, { intervalMs: 10 });
    const assertion = expect(q).rejects.toBe(sixth);
    await vi.advanceTimersByTimeAsync(10_000);
    await assertion;
  });

  it("throws what is not an API error at once", async () => {
    const bug = new TypeError("bug");
    const { getTask, calls } = scripted([bug, "succeed"]);
    const p = waitFor(getTask, TASK_ID, { intervalMs: 10 });
    const assertion = expect(p).rejects.toBe(bug);
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
    expect(calls).toHaveLength(1);
  });

  it("says which options it refused", () => {
    expect(() => pollTask(scripted([]).getTask, TASK_ID, { intervalMs: 0.5 })).toThrow(
      new RangeError("Need intervals >= 1 ms and timeoutMs >= 0, got 0.5, 15000 and 900000"),
    );
    expect(() =>
      pollTask(scripted([]).getTask, TASK_ID, { intervalMs: 1, maxIntervalMs: 1, timeoutMs: 0 }),
    ).not.toThrow();
  });

  it("throws TaskFailedError for a failed task", async () => {
    const { getTask } = scripted(["processing", "failed"]);
    const p = waitFor(getTask, TASK_ID, { intervalMs: 10 });
    const assertion = expect(p).rejects.toBeInstanceOf(TaskFailedError);
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
  });

  it("with timeoutMs 0 polls once, then times out without waiting", async () => {
    const { getTask, calls } = scripted(["processing"]);
    const p = waitFor(getTask, TASK_ID, { timeoutMs: 0 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await p).toBeInstanceOf(WaitTimeoutError);
    expect(calls).toEqual([0]);
  });

  it("polls once more when Retry-After asks for exactly the time left", async () => {
    const limited = new RateLimitError("429", { status: 429, retryAfterMs: 10_000 });
    const { getTask, calls } = scripted([limited, "succeed"]);
    const p = waitFor(getTask, TASK_ID, { timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(20_000);
    expect((await p).status).toBe("succeed");
    expect(calls).toEqual([0, 10_000]);
  });
});
