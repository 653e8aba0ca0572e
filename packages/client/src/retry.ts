import { ConnectionError, parseRetryAfter, TimeoutError } from "./errors.js";

/**
 * The `fetch` the client makes its calls with, with the standard signature: the client's own
 * calls pass a URL and an init, `raw` calls a `Request` and an init. `globalThis.fetch`, undici's
 * `fetch` or any wrapper of them fits. The body, when there is one, is always in `init.body`, which
 * wins over a `Request`'s own: the JSON string for the client's own calls, an `ArrayBuffer` for
 * `raw` calls. `init` is a new object for each attempt.
 */
export type FetchLike = (input: string | Request, init: RequestInit) => Promise<Response>;

/** The `fetch` openapi-fetch calls: a `Request`, plus its optional extra init (`requestInitExt`). */
export type RequestFetch = (request: Request, init?: RequestInit) => Promise<Response>;

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
const RETRY_GET = [408, 429, 500, 502, 503, 504];
/** HTTP statuses a POST is retried on: answered before any processing, so no task was created. */
const RETRY_POST = [429, 503];
/**
 * Error codes that prove the request never left this machine: no connection (refused, or undici's
 * connect timeout) or no address (DNS).
 */
const NOT_SENT = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "UND_ERR_CONNECT_TIMEOUT"];
/**
 * Codes of a TLS handshake that failed, also before a byte of the request was sent: an http server
 * behind an https URL (ERR_SSL_WRONG_VERSION_NUMBER), no protocol version or cipher in common
 * (ERR_SSL_UNSUPPORTED_PROTOCOL, and alerts named `SSLV3_ALERT_...` on Node 20 and
 * `SSL/TLS_ALERT_...` on later ones), a certificate not trusted (CERT_HAS_EXPIRED,
 * DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ...).
 * A TLS error after the handshake (a bad record, say) matches none of them.
 */
const TLS_HANDSHAKE =
  /CERT|VERIFY|WRONG_VERSION_NUMBER|UNSUPPORTED_PROTOCOL|_ALERT_(HANDSHAKE_FAILURE|PROTOCOL_VERSION)/;
/** Longest timer delay runtimes honour; a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;
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
 * The wait before the next retry: the server's `retry-after-ms`/`Retry-After` when given, otherwise
 * {@link backoffMs}. `undefined` when the server asked for more than 60 s: the caller gets the
 * answer at once (the client's error carries the wait in `retryAfterMs`) rather than a retry the
 * server said is too early.
 */
export function retryDelayMs(
  retry: number,
  headers: Headers | undefined,
  random: number = Math.random(),
  now: number = Date.now(),
): number | undefined {
  const asked = headers ? parseRetryAfter(headers, now) : undefined;
  return asked === undefined
    ? backoffMs(retry, random)
    : asked <= MAX_RETRY_AFTER_MS
      ? asked
      : undefined;
}

/**
 * Resolves after `ms` (at most 2^31-1, the longest timer runtimes keep), or rejects with the
 * signal's reason as soon as it aborts.
 */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    // A throw here rejects the promise with the signal's reason.
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject((signal as AbortSignal).reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.min(ms, MAX_TIMER_MS),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function errorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Turns what a request threw into a {@link ConnectionError}, or a {@link TimeoutError} when it
 * timed out (`timeoutMs` given).
 */
export function connectionError(error: unknown, timeoutMs?: number): ConnectionError {
  if (timeoutMs !== undefined) {
    return new TimeoutError(`Request timed out after ${timeoutMs} ms`, { cause: error });
  }
  const code = errorCode(error);
  return new ConnectionError(`Connection error${code ? ` (${code})` : ""}`, {
    cause: error,
    mayHaveReachedServer: !(code && (NOT_SENT.includes(code) || TLS_HANDSHAKE.test(code))),
  });
}

/** {@link RetryFetchOptions} with their defaults applied, once per client. */
export interface RetrySettings {
  /** The `fetch` to call; `undefined` means `globalThis.fetch`, looked up at each call. */
  fetch: FetchLike | undefined;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Timeout of each attempt in milliseconds. */
  timeoutMs: number;
}

/**
 * Checks a retry count and a timeout, as the client's calls and the video download take them.
 * @throws RangeError when `maxRetries` is not a whole number from 0, or the timeout is not between
 *   1 and 2^31-1 ms (timers fire at once beyond that, which would fail every call).
 */
export function checkRetries(maxRetries: number, timeoutMs: number): void {
  if (
    !(
      Number.isInteger(maxRetries) &&
      maxRetries >= 0 &&
      timeoutMs >= 1 &&
      timeoutMs <= MAX_TIMER_MS
    )
  ) {
    throw new RangeError(
      `Need a whole maxRetries from 0 and a timeout from 1 to ${MAX_TIMER_MS} ms: ${maxRetries}, ${timeoutMs}`,
    );
  }
}

/**
 * Applies the defaults of {@link RetryFetchOptions}.
 * @throws RangeError when `maxRetries` is not a whole number from 0, or `timeoutMs` is not
 *   between 1 and 2^31-1 (timers fire at once beyond that, which would fail every call).
 */
export function retrySettings(options: RetryFetchOptions = {}): RetrySettings {
  const { maxRetries = 2, timeoutMs = 60_000 } = options;
  checkRetries(maxRetries, timeoutMs);
  return { fetch: options.fetch, maxRetries, timeoutMs };
}

/**
 * Wraps `fetch` with a per-attempt timeout and retries.
 *
 * - GET and HEAD retry on connection errors, timeouts and HTTP 408, 429, 500, 502, 503, 504.
 * - POST (billable submits), like any other method, retries only where the request provably did
 *   not reach the server: connection refused, DNS failure, a failed TLS handshake, and HTTP 429
 *   or 503. A timeout or a lost connection throws at once with `mayHaveReachedServer: true`.
 * - Waits honour `retry-after-ms` and `Retry-After` up to 60 s (a longer one ends the retries, so
 *   the caller sees the answer at once), else exponential backoff with jitter. An abort of the
 *   request's own signal rejects with the signal's reason at once.
 * - The timeout covers the headers and the body: it ends after `timeoutMs` (an unref'd timer in
 *   Node, so it does not keep the process alive).
 *
 * Network failures throw {@link ConnectionError}/{@link TimeoutError}; HTTP errors are returned
 * as responses (the last one, once retries are exhausted).
 */
export function createRetryFetch(options: RetryFetchOptions = {}): RequestFetch {
  const settings = retrySettings(options);
  return (request, extra) => sendWithRetries(settings, request, extra);
}

/**
 * The request openapi-fetch builds for the client's own calls while no middleware is added to
 * `raw`: the URL, method, headers and JSON body the client set, which a URL and an init say in
 * full. Building a real `Request` cost more than the rest of openapi-fetch's work (Node 20), and
 * `fetch` would copy it, and a second abort signal with it, on every call.
 */
export class PlainRequest {
  /** The HTTP method. */
  readonly method: string;
  /**
   * Keeps what openapi-fetch gives a Request: the URL and its init (method, headers, JSON body;
   * no signal: the call passes none).
   */
  constructor(
    readonly url: string,
    readonly init: RequestInit,
  ) {
    this.method = init.method ?? "GET";
  }
}

/** How one of the client's own calls is sent by {@link sendWithRetries}. */
export interface OwnCall {
  /** The caller's signal, given here rather than through openapi-fetch's Request. */
  signal: AbortSignal | undefined;
  /** Receives `release`, which ends the attempt's timeout; call it once the body is read. */
  lease: { release?: () => void };
  /**
   * Attempts made so far, set with each answer returned: the next call of `sendWithRetries`
   * (after its body failed) goes on counting from there.
   */
  attempts: number;
}

/**
 * Sends `request` as {@link createRetryFetch} does; `own` when it is one of the client's calls.
 */
export async function sendWithRetries(
  { fetch: customFetch, maxRetries, timeoutMs }: RetrySettings,
  request: Request | PlainRequest,
  extra: RequestInit | undefined,
  own?: OwnCall,
): Promise<Response> {
  const baseFetch = customFetch ?? globalThis.fetch;
  const isPost = request.method !== "GET" && request.method !== "HEAD";
  const retryStatuses = isPost ? RETRY_POST : RETRY_GET;
  // A plain request goes as a URL and an init. Any other (a raw call's, or one a middleware made)
  // may carry more (`redirect`, `credentials`, a signal, ...), so it goes as it is, and its
  // signal is followed.
  const plain = request instanceof PlainRequest;
  const input = plain ? request.url : request;
  const signal = own?.signal;
  const caller = plain
    ? signal
    : signal
      ? AbortSignal.any([signal, request.signal])
      : request.signal;
  // Read once, so that every attempt can send it. A Request that goes on to `fetch` keeps its own
  // body unread (some WebKit versions refuse a read Request even with a new `init.body`).
  const body = plain || request.body === null ? null : await request.clone().arrayBuffer();
  for (let attempt = own?.attempts ?? 0; ; attempt++) {
    caller?.throwIfAborted();
    // One controller and one timer per attempt: AbortSignal.any + AbortSignal.timeout cost
    // several times more, and their cost showed in the getTask benchmark.
    const controller = new AbortController();
    let timedOut = false;
    const onAbort = () => controller.abort((caller as AbortSignal).reason);
    const release = () => {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      release();
      controller.abort(new DOMException(`Timed out after ${timeoutMs} ms`, "TimeoutError"));
    }, timeoutMs);
    // A timer left for the body must not keep the process alive: `unref` in Node and Bun,
    // `Deno.unrefTimer` in Deno.
    (timer as { unref?: () => void }).unref?.();
    (globalThis as { Deno?: { unrefTimer?: (id: unknown) => void } }).Deno?.unrefTimer?.(timer);
    caller?.addEventListener("abort", onAbort);
    const last = attempt >= maxRetries;
    let response: Response | undefined;
    try {
      response = await baseFetch(input, {
        ...extra,
        ...(plain ? request.init : { body }),
        signal: controller.signal,
      });
    } catch (error) {
      release();
      if (caller?.aborted) throw caller.reason;
      const failure = connectionError(error, timedOut ? timeoutMs : undefined);
      if (last || (isPost && failure.mayHaveReachedServer)) throw failure;
    }
    if (response) {
      const delay =
        last || !retryStatuses.includes(response.status)
          ? undefined
          : retryDelayMs(attempt, response.headers);
      if (delay === undefined) {
        if (own) {
          own.lease.release = release;
          own.attempts = attempt + 1;
        }
        return response;
      }
      release();
      // Free the connection. Not awaited: under MSW 2 a mocked body's cancel never settles
      // (mswjs/interceptors#799), which would hang every retry.
      response.body?.cancel().catch(() => {});
      await sleep(delay, caller);
    } else {
      await sleep(backoffMs(attempt), caller);
    }
  }
}
