import {
  ConnectionError,
  KlingApiError,
  RateLimitError,
  ServerError,
  TaskFailedError,
  WaitTimeoutError,
} from "./errors.js";
import { MAX_TIMER_MS, sleep } from "./retry.js";
import type { SucceededTask, Task } from "./task.js";

/** Options of `waitForTask`, `watchTask` and `submitAndWait`. */
export interface WaitOptions {
  /** First wait between polls in ms, at least 1. Default 5000 (video generation takes minutes). */
  intervalMs?: number | undefined;
  /** Longest wait between polls in ms; the interval grows by 1.25x per poll up to it. Default 15 000. */
  maxIntervalMs?: number | undefined;
  /**
   * Give up after this many ms with a `WaitTimeoutError`. Default 900 000 (15 minutes); `Infinity`
   * waits as long as it takes. The task is polled once more after the last wait, and a poll in
   * flight at the deadline gets at most 1 s more.
   */
  timeoutMs?: number | undefined;
  /** Aborting rejects at once with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Called with each change of status or progress. */
  onUpdate?: ((task: Task) => void) | undefined;
  /**
   * Transient errors (connection, timeout, 408, 429, 5xx) tolerated in a row between polls, after
   * the per-request retries are spent. Default 5; the next one is thrown. The next poll waits at
   * least as long as the error's `Retry-After` asked, within `timeoutMs`.
   */
  maxConsecutiveErrors?: number | undefined;
}

type GetTask = (taskId: string, options: { signal?: AbortSignal | undefined }) => Promise<Task>;

/**
 * Applies the defaults of {@link WaitOptions} and checks them, before any request is made (so a
 * bad option never fails `submitAndWait` after its billable submit).
 * @throws RangeError when `intervalMs` or `maxIntervalMs` is below 1, or `timeoutMs` below 0 (or
 *   any is NaN): an interval of 0 would poll as fast as the server answers.
 */
export function waitSettings(options: WaitOptions = {}) {
  const { intervalMs = 5000, maxIntervalMs = 15_000, timeoutMs = 900_000 } = options;
  if (!(intervalMs >= 1 && maxIntervalMs >= 1 && timeoutMs >= 0)) {
    throw new RangeError(
      `Need intervals >= 1 ms and timeoutMs >= 0, got ${intervalMs}, ${maxIntervalMs} and ${timeoutMs}`,
    );
  }
  return { ...options, intervalMs, maxIntervalMs, timeoutMs };
}

/**
 * Polls a task, yielding it on each change of status or progress, until it is `succeed` or
 * `failed` (the terminal task is yielded last). Throws `WaitTimeoutError` after `timeoutMs`;
 * rejects with the signal's reason on abort.
 * @throws RangeError at once, from {@link waitSettings}, for bad options.
 */
export function pollTask(
  getTask: GetTask,
  taskId: string,
  options?: WaitOptions,
): AsyncGenerator<Task, void, undefined> {
  return poll(getTask, taskId, waitSettings(options));
}

async function* poll(
  getTask: GetTask,
  taskId: string,
  options: ReturnType<typeof waitSettings>,
): AsyncGenerator<Task, void, undefined> {
  const { intervalMs, maxIntervalMs, timeoutMs, signal, maxConsecutiveErrors = 5 } = options;
  const deadline = Date.now() + timeoutMs;
  let interval = intervalMs;
  let errors = 0;
  let last: Task | undefined;
  for (;;) {
    signal?.throwIfAborted();
    let delay = interval;
    // The wait a transient error's Retry-After asked for: no poll before it.
    let asked = 0;
    // A poll may not outlive the wait by much: its retries and timeouts end at the deadline, or
    // one second after it for the last poll, which may start just before the deadline.
    // Timers fire at once beyond 2^31-1 ms (an `Infinity` timeout, say), so the delay is capped.
    const pastDeadline = AbortSignal.timeout(
      Math.min(MAX_TIMER_MS, Math.max(1_000, deadline - Date.now())),
    );
    try {
      const task = await getTask(taskId, {
        signal: signal ? AbortSignal.any([signal, pastDeadline]) : pastDeadline,
      });
      errors = 0;
      const changed = last?.status !== task.status || last.progress !== task.progress;
      last = task;
      if (changed) {
        options.onUpdate?.(task);
        yield task;
      }
      if (task.status === "succeed" || task.status === "failed") return;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (pastDeadline.aborted) throw new WaitTimeoutError(taskId, timeoutMs, last);
      const transient =
        error instanceof ConnectionError ||
        error instanceof RateLimitError ||
        error instanceof ServerError ||
        (error instanceof KlingApiError && error.status === 408);
      if (!transient || ++errors > maxConsecutiveErrors) throw error;
      // A server that asked for a wait gets it, whatever the status; the deadline still bounds it.
      asked = (error as KlingApiError).retryAfterMs ?? 0;
      delay = Math.max(delay, asked);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new WaitTimeoutError(taskId, timeoutMs, last);
    // After the last sleep the task is polled once more: it may have finished meanwhile. But not
    // when the server asked for a longer wait than was left.
    await sleep(Math.min(delay, remaining), signal);
    if (asked > remaining) throw new WaitTimeoutError(taskId, timeoutMs, last);
    interval = Math.round(Math.min(interval * 1.25, maxIntervalMs));
  }
}

/** Polls until the task succeeds (resolves) or fails (throws `TaskFailedError`). */
export async function waitFor(
  getTask: GetTask,
  taskId: string,
  options: WaitOptions = {},
): Promise<SucceededTask> {
  let last: Task | undefined;
  for await (const task of pollTask(getTask, taskId, options)) last = task;
  // pollTask ends right after yielding the task in its terminal state: succeed or failed.
  const task = last as Task;
  if (task.status === "failed") throw new TaskFailedError(task);
  return task as SucceededTask;
}
