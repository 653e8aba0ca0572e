import { KLING_ERROR_RUNS } from "@kling-multi-image/spec/facts";
import type { Task } from "./task.js";
import { isRecord, record, str } from "./util.js";

/** Base class of every error this package throws (except an abort, which rejects with the signal's reason). */
export class KlingError extends Error {
  override name = "KlingError";
}

/** Options for constructing a {@link KlingApiError}. */
export interface KlingApiErrorInit {
  /** HTTP status, absent when no response was received. */
  status?: number | undefined;
  /** The envelope's code (`task_not_exist`, `model_not_found`, ...) or Kling's numeric code. */
  code?: string | number | undefined;
  /** Kling's numeric business code (1000-5002) when one was found in the body. */
  klingCode?: number | undefined;
  /** Kling's or the gateway's request id, when present. */
  requestId?: string | undefined;
  /** The parsed response body (or its text when it was not JSON). */
  body?: unknown;
  /** Response headers. */
  headers?: Headers | undefined;
  /** The underlying error. */
  cause?: unknown;
  /** How long the server asked to wait (`retry-after-ms` / `Retry-After`), when it said. */
  retryAfterMs?: number | undefined;
  /** The body field at fault (a JSON pointer), when the client refused the body before sending it. */
  field?: string | undefined;
}

/**
 * An error answered by the API (or a failure to get an answer). `instanceof` one of its
 * subclasses to branch: {@link AuthenticationError}, {@link PermissionDeniedError},
 * {@link InvalidRequestError}, {@link NotFoundError}, {@link RateLimitError}, {@link ServerError},
 * {@link ConnectionError}, {@link TimeoutError}, {@link SubmitOutcomeUnknownError}.
 */
export class KlingApiError extends KlingError {
  override name = "KlingApiError";
  /** HTTP status; `undefined` when no response was received. */
  declare readonly status: number | undefined;
  /** The envelope's code (string) or Kling's numeric code; `undefined` when there was none. */
  declare readonly code: string | number | undefined;
  /** Kling's numeric business code (see the spec's `x-kling-error-codes`), when found. */
  declare readonly klingCode: number | undefined;
  /** The request id from the body, when present. */
  declare readonly requestId: string | undefined;
  /** The parsed response body. */
  declare readonly body: unknown;
  /** Response headers, when there was a response. */
  declare readonly headers: Headers | undefined;
  /**
   * How long the server asked to wait before trying again (`retry-after-ms` / `Retry-After`), when
   * it said: on a 429 mostly, but a 503 may say it too.
   */
  declare readonly retryAfterMs: number | undefined;
  /**
   * The body field at fault, as a JSON pointer (`/image_list/4/image`), when the client refused
   * the body before sending it (`status` is then `undefined`: nothing was sent).
   */
  declare readonly field: string | undefined;

  /** Creates the error; prefer the subclasses. */
  constructor(message: string, init: KlingApiErrorInit = {}) {
    // Error takes `cause` from `init`; the other fields are copied as given.
    super(message, init);
    Object.assign(this, init);
  }
}

/** HTTP 401, or Kling 1000-1004: the API key is missing or invalid. */
export class AuthenticationError extends KlingApiError {
  override name = "AuthenticationError";
}
/** HTTP 403, or Kling 1103: the key may not do this (for example `quota_not_enough`). */
export class PermissionDeniedError extends KlingApiError {
  override name = "PermissionDeniedError";
}
/** HTTP 400/413/422, or Kling 1200/1201/1300/1301: the request breaks a rule or a policy. */
export class InvalidRequestError extends KlingApiError {
  override name = "InvalidRequestError";
}
/** HTTP 404, `task_not_exist`, or Kling 1202/1203: no such task or route. */
export class NotFoundError extends KlingApiError {
  override name = "NotFoundError";
}
/** HTTP 429, or Kling 1100-1102/1302-1304: rate, concurrency or account limits. */
export class RateLimitError extends KlingApiError {
  override name = "RateLimitError";
}
/** HTTP 5xx, or Kling 5000-5002: the gateway or Kling failed. */
export class ServerError extends KlingApiError {
  override name = "ServerError";
}
/** No response: the connection failed or was lost. `status` is `undefined`. */
export class ConnectionError extends KlingApiError {
  override name = "ConnectionError";
  /**
   * `false` when the request provably never reached the server (connection refused, DNS failure),
   * so repeating it is safe even for a submit; `true` when it may have been received.
   */
  declare readonly mayHaveReachedServer: boolean;
  /** Creates the error. */
  constructor(
    message: string,
    init: KlingApiErrorInit & { mayHaveReachedServer?: boolean | undefined } = {},
  ) {
    super(message, init);
    this.mayHaveReachedServer ??= true;
  }
}
/** The per-request timeout (`timeoutMs`) elapsed before the response arrived. */
export class TimeoutError extends ConnectionError {
  override name = "TimeoutError";
}

/**
 * A submit may or may not have created a task: it timed out or lost its connection after the
 * request was sent (or the gateway answered 502/504). Submitting again could create, and bill, a
 * second task. Reconcile by {@link SubmitOutcomeUnknownError.externalTaskId} instead, for
 * example from the callback, which echoes it in `task_info.external_task_id`.
 */
export class SubmitOutcomeUnknownError extends KlingApiError {
  override name = "SubmitOutcomeUnknownError";
  /** The `external_task_id` sent with the submit (generated when the caller gave none). */
  declare readonly externalTaskId: string;
  /** Creates the error. */
  constructor(externalTaskId: string, cause: KlingApiError) {
    super(
      `Submit outcome unknown (${cause.message}): reconcile by external_task_id "${externalTaskId}" before resubmitting`,
      { ...cause, cause },
    );
    this.externalTaskId = externalTaskId;
  }
}

/** `waitForTask` saw the task reach `failed`; the task (with `failReason`) is attached. */
export class TaskFailedError extends KlingError {
  override name = "TaskFailedError";
  /** The failed task. */
  declare readonly task: Task & { status: "failed" };
  /** Creates the error. */
  constructor(task: Task & { status: "failed" }) {
    super(`Task ${task.taskId} failed: ${task.failReason || "no reason given"}`);
    this.task = task;
  }
}

/** `waitForTask` gave up after its `timeoutMs`; the last task seen (if any) is attached. */
export class WaitTimeoutError extends KlingError {
  override name = "WaitTimeoutError";
  /** The last state seen before giving up. */
  declare readonly task: Task | undefined;
  /** Creates the error. */
  constructor(taskId: string, timeoutMs: number, task: Task | undefined) {
    super(
      `Task ${taskId} did not finish within ${timeoutMs} ms (last status: ${task?.status ?? "unknown"})`,
    );
    this.task = task;
  }
}

/**
 * The class for one of Kling's numeric business codes, by the HTTP status Kling documents for it
 * (the spec's `info.x-kling-error-codes`, read from `@kling-multi-image/spec/facts`). Kling numbers
 * its codes in ranges (10xx authentication, 11xx account, 12xx request, 13xx policy, 50xx
 * server), so an unlisted code inside its thousand's listed span takes the class of the listed
 * code below it; anything outside is `undefined` (the HTTP status decides).
 */
function klingClass(code: number): typeof KlingApiError | undefined {
  let status: number | undefined;
  let end = -1;
  for (const [first, last, runStatus] of KLING_ERROR_RUNS) {
    // Same thousand (| 0 truncates: codes are positive).
    if (((first / 1000) | 0) !== ((code / 1000) | 0)) continue;
    if (first <= code) status = runStatus;
    end = last;
  }
  return status === undefined || code > end
    ? undefined
    : status >= 500
      ? ServerError
      : BY_STATUS[status];
}

/**
 * Parses a `Retry-After`/`retry-after-ms` pair into milliseconds. `retry-after-ms` wins; then
 * `Retry-After` as seconds or as an HTTP date. Returns `undefined` when absent or unparseable.
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  // Blank values are absent, not 0 (which `Number` would make of them); `Headers` trims values.
  const ms = headers.get("retry-after-ms");
  if (ms) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const header = headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The class for each HTTP status that has its own; other 5xx are `ServerError`. */
const BY_STATUS: Record<number, typeof KlingApiError> = {
  400: InvalidRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  413: InvalidRequestError,
  422: InvalidRequestError,
  429: RateLimitError,
};

/**
 * Builds the typed error for an HTTP error response from either envelope
 * (`{error: {message, type, code}}` or `{code, message, data}`), reading Kling's numeric code
 * from the message when it carries Kling's raw error body. Kling's code, when found, picks the
 * class; otherwise the HTTP status does (`task_not_exist` is a {@link NotFoundError}).
 */
export function errorFromResponse(status: number, body: unknown, headers?: Headers): KlingApiError {
  let message: string | undefined;
  let code: string | number | undefined;
  let klingCode: number | undefined;
  let requestId: string | undefined;
  if (isRecord(body)) {
    const inner = record(body.error) ?? body;
    message = str(inner.message);
    if (typeof inner.code === "number") klingCode = inner.code;
    code = klingCode ?? str(inner.code) ?? str(inner.type);
    requestId = str(inner.request_id);
    if (message?.startsWith("{")) {
      try {
        const kling: unknown = JSON.parse(message);
        if (isRecord(kling) && typeof kling.code === "number") {
          klingCode = kling.code;
          message = str(kling.message) ?? message;
          requestId = str(kling.request_id) ?? requestId;
        }
      } catch {
        // not Kling's body: keep the message as it is
      }
    }
  } else {
    message = str(body)?.slice(0, 500);
  }

  const text = `${status} ${message ?? "request failed"}${klingCode === undefined ? "" : ` (Kling ${klingCode})`}`;
  const ErrorClass =
    code === "task_not_exist"
      ? NotFoundError
      : (klingCode !== undefined && klingClass(klingCode)) ||
        (BY_STATUS[status] ?? (status >= 500 ? ServerError : KlingApiError));
  return new ErrorClass(text, {
    status,
    code,
    klingCode,
    requestId,
    body,
    headers,
    retryAfterMs: headers && parseRetryAfter(headers),
  });
}
