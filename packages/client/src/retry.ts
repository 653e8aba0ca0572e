import { ConnectionError, parseRetryAfter, TimeoutError } from "./errors.js";

/** A `fetch`-compatible function. */
export type FetchLike = (input: Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createRetryFetch}. */
export interface RetryFetchOptions {
  /** The `fetch` that makes each attempt. Default: `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number | undefined;
  /** Timeout of each attempt in milliseconds (headers and body). Default 60 000. */
  timeoutMs?: number | undefined;
}

/** HTTP statuses a GET is retried on. */
const RETRY_GET = new Set([408, 429, 500, 502, 503, 504]);
/** HTTP statuses a POST is retried on: answered before any processing, so no task was created. */
const RETRY_POST = new Set([429, 503]);
/** Error codes that prove the request never left this machine. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);
/** Longest server-requested wait honoured, in milliseconds. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Backoff before retry number `retry` (0-based): `min(0.5 * 2^retry, 8)` seconds, reduced by up
 * to 25% of jitter (`random` in [0, 1)).
 */
export function backoffMs(retry: number, random: number = Math.random()): number {
  return Math.min(500 * 2 ** retry, 8000) * (1 - 0.25 * random);
}

/**
 * The wait before the next retry: the server's `retry-after-ms`/`Retry-After` when given and
 * at most 60 s, otherwise {@link backoffMs}.
 */
export function retryDelayMs(
  retry: number,
  headers: Headers | undefined,
  random: number = Math.random(),
  now: number = Date.now(),
): number {
  const asked = headers ? parseRetryAfter(headers, now) : undefined;
  return asked !== undefined && asked <= MAX_RETRY_AFTER_MS ? asked : backoffMs(retry, random);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns a failed attempt into a {@link ConnectionError} or {@link TimeoutError}. */
function connectionError(error: unknown, timedOut: boolean, timeoutMs: number): ConnectionError {
  if (timedOut) {
    return new TimeoutError(`Request timed out after ${timeoutMs} ms`, { cause: error });
  }
  const code = errorCode(error);
  return new ConnectionError(`Connection error${code ? ` (${code})` : ""}`, {
    cause: error,
    mayHaveReachedServer: !(code && NOT_SENT.has(code)),
  });
}

/**
 * Wraps `fetch` with a per-attempt timeout and retries, cloning the `Request` for each attempt.
 *
 * - GET (and other idempotent methods) retry on connection errors, timeouts and HTTP 408, 429,
 *   500, 502, 503, 504.
 * - POST (billable submits) retries only where the request provably did not reach the server:
 *   connection refused / DNS failure, and HTTP 429 or 503. A timeout or a lost connection throws
 *   at once with `mayHaveReachedServer: true`.
 * - Waits honour `retry-after-ms` and `Retry-After` up to 60 s, else exponential backoff with
 *   jitter. An abort of the request's own signal rejects with the signal's reason at once.
 *
 * Network failures throw {@link ConnectionError}/{@link TimeoutError}; HTTP errors are returned
 * as responses (the last one, once retries are exhausted).
 */
export function createRetryFetch(options: RetryFetchOptions = {}): FetchLike {
  const maxRetries = options.maxRetries ?? 2;
  const timeoutMs = options.timeoutMs ?? 60_000;
  return async (request, init) => {
    const baseFetch = options.fetch ?? globalThis.fetch;
    const callerSignal = request.signal;
    const isPost = request.method !== "GET" && request.method !== "HEAD";
    const retryStatuses = isPost ? RETRY_POST : RETRY_GET;
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([callerSignal, timeout]);
      const last = attempt >= maxRetries;
      let response: Response;
      try {
        // A bodyless request can be reused as is; one with a body is cloned while retries remain.
        const source = last || request.body === null ? request : request.clone();
        response = await baseFetch(new Request(source, { signal }), init);
      } catch (error) {
        if (callerSignal.aborted) throw callerSignal.reason;
        const failure = connectionError(error, timeout.aborted, timeoutMs);
        if (last || (isPost && failure.mayHaveReachedServer)) throw failure;
        await sleep(retryDelayMs(attempt, undefined), callerSignal);
        continue;
      }
      if (last || !retryStatuses.has(response.status)) return response;
      // Drain the body so the connection can be reused, then wait.
      await response.body?.cancel().catch(() => {});
      await sleep(retryDelayMs(attempt, response.headers), callerSignal);
    }
  };
}
