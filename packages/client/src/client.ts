import createClient, { type Client } from "openapi-fetch";
import { checkSubmitBody } from "./body-check.js";
import {
  ConnectionError,
  errorFromResponse,
  KlingApiError,
  ServerError,
  SubmitOutcomeUnknownError,
} from "./errors.js";
import type { paths } from "./generated/openapi.js";
import {
  backoffMs,
  connectionError,
  createRetryFetch,
  type FetchLike,
  type OwnCall,
  PlainRequest,
  type RequestFetch,
  retrySettings,
  sendWithRetries,
  sleep,
} from "./retry.js";
import { type SucceededTask, type Task, toTask } from "./task.js";
import type { CreateTaskRequest } from "./types.js";
import { uuid } from "./util.js";
import { pollTask, type WaitOptions, waitFor, waitSettings } from "./wait.js";

/** The default base URL: the ezmodel gateway. */
export const DEFAULT_BASE_URL = "https://api.ezmodel.cloud";

/** Options of {@link createKlingClient}. */
export interface KlingClientOptions {
  /**
   * The gateway API key, sent as `Authorization: Bearer <apiKey>`. Required: a missing or blank key
   * throws at creation. `null` sends no `Authorization` header of the client's own, for a proxy
   * that adds the key itself.
   */
  apiKey: string | null;
  /** Default `https://api.ezmodel.cloud`; `http://127.0.0.1:4010` for the local mock. */
  baseUrl?: string | undefined;
  /** A custom `fetch` (for proxies, tests or other runtimes). Default: `globalThis.fetch`. */
  fetch?: FetchLike | undefined;
  /** Retries per request after the first attempt. Default 2. Submits retry only when safe. */
  maxRetries?: number | undefined;
  /** Timeout of each HTTP attempt in ms (not of the client's life). Default 60 000. */
  timeoutMs?: number | undefined;
  /** Extra headers sent with every request. */
  headers?: Record<string, string> | undefined;
}

/** Options of one request. */
export interface RequestOptions {
  /** Aborting rejects at once with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** A task just submitted; `externalTaskId` is always known (given or generated). */
export type SubmittedTask = Task & { externalTaskId: string };

/** The client returned by {@link createKlingClient}. */
export interface KlingClient {
  /** The openapi-fetch client, fully typed from the spec, with the same retries and timeout. */
  readonly raw: Client<paths>;
  /**
   * Submits a task (billable). Sends an `external_task_id` (a random UUID when `body` has none) and
   * never retries in a way that could create two tasks: when the outcome is unknown it throws
   * {@link SubmitOutcomeUnknownError} carrying that id. An abort through `signal` rejects with the
   * signal's reason like any other call, so pass your own `external_task_id` if you may abort a
   * submit and need to reconcile it. A 500 is thrown as `ServerError`: the gateway answers 500
   * before creating the task in the cases its code shows, but if a lost task is costly, reconcile
   * by `external_task_id` on a `ServerError` too.
   *
   * The body is checked first against every rule of the spec on which the gateway crashes (HTTP
   * 500 `new_api_panic`) instead of refusing it: a body breaking one throws
   * {@link InvalidRequestError} with its `field` and nothing is sent.
   */
  submit(body: CreateTaskRequest, options?: RequestOptions): Promise<SubmittedTask>;
  /** Fetches one task and normalises it. */
  getTask(taskId: string, options?: RequestOptions): Promise<Task>;
  /**
   * Polls until the task succeeds; throws `TaskFailedError` on `failed`, `WaitTimeoutError` on
   * timeout, and rejects with the signal's reason on abort.
   */
  waitForTask(taskId: string, options?: WaitOptions): Promise<SucceededTask>;
  /** {@link KlingClient.submit} then {@link KlingClient.waitForTask}. */
  submitAndWait(body: CreateTaskRequest, options?: WaitOptions): Promise<SucceededTask>;
  /** Yields the task on each change of status or progress, ending with the terminal state. */
  watchTask(taskId: string, options?: WaitOptions): AsyncGenerator<Task, void, undefined>;
}

/**
 * Creates a client for the Kling multi-image-to-video API through the ezmodel gateway.
 *
 * @example
 * ```ts
 * const kling = createKlingClient({ apiKey: process.env.EZMODEL_API_KEY! });
 * const done = await kling.submitAndWait({ model: "kling-v1-6", prompt: "…", image_list: [{ image: url }] });
 * console.log(done.video?.url);
 * ```
 */
export function createKlingClient(options: KlingClientOptions): KlingClient {
  const baseUrl = options.baseUrl ?? DEFAULT_BASE_URL;
  // Fail here, not later as a "connection error" that would make a submit look sent.
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {}
  const origin = url?.origin;
  // Credentials in the URL make `fetch` throw before sending, which would look like a lost
  // connection (and a submit like an unknown outcome).
  if (!/^https?:$/.test(url?.protocol ?? "") || url?.username || url?.password) {
    throw new TypeError(
      `baseUrl must be an absolute http(s) URL without credentials, got ${JSON.stringify(baseUrl)}`,
    );
  }
  const { apiKey } = options;
  const headers: Record<string, string> = { ...options.headers };
  if (apiKey !== null) headers.Authorization = `Bearer ${apiKey}`;
  // An unset variable fails here, not as `Bearer undefined` and a 401 on every call; so does a
  // value `fetch` refuses (a line break in a pasted key), which would fail every call as a lost
  // connection. The message leaves the value out: it may be the key.
  try {
    // `trim` of undefined throws too.
    if (apiKey !== null && !apiKey.trim()) throw 0;
    new Headers(headers);
  } catch {
    throw new TypeError(
      "apiKey must be a non-blank string (or null to send no key) and headers valid header values",
    );
  }
  const settings = retrySettings(options);
  const raw = createClient<paths>({
    baseUrl,
    fetch: createRetryFetch(settings),
    headers,
    // No call follows a redirect by itself: it would take the key, and a submit its body, to
    // wherever the answer points (see `send`). A `raw` call may ask for "follow".
    redirect: "manual",
  });
  // Whether the client's own calls may use a PlainRequest (see `send`).
  let plain = true;
  const use = raw.use;
  raw.use = (...middleware) => {
    plain = false;
    use(...middleware);
  };
  /**
   * Runs one openapi-fetch call of the client's own and returns its 2xx answer as a task; an
   * unreadable one (not JSON, or no task id) is a `KlingApiError`, anything else a typed error
   * or the caller's abort reason. While no middleware is added,
   * openapi-fetch builds a {@link PlainRequest}, not a `Request`; a middleware may replace the
   * Request with one that carries more, and checks what it returns against openapi-fetch's
   * `Request` class, so from the first one added the calls build a real `Request` again. The
   * `fetch` given hands the caller's signal straight to the retry loop rather than through the
   * Request (one abort link fewer per call, none without a signal), and the attempt's timeout
   * ends once the call, body included, is done.
   *
   * A redirect is an error: one not followed (a 3xx, or a browser's opaque redirect, status 0), and
   * one that a middleware or a custom `fetch` followed anyway, on a submit or to another origin.
   * When the body fails after the headers came (a lost connection, the attempt's timeout), a GET
   * is tried again, counted with the retry loop's attempts; a submit is not.
   */
  async function send(
    signal: AbortSignal | undefined,
    call: (via: {
      fetch: RequestFetch;
      Request: typeof Request | undefined;
    }) => Promise<{ data?: Parameters<typeof toTask>[0]; error?: unknown; response: Response }>,
    post?: boolean,
  ): Promise<Task> {
    const own: OwnCall = { signal, lease: {}, attempts: 0 };
    for (;;) {
      own.lease = {};
      try {
        const { data, error, response } = await call({
          fetch: (request, extra) => sendWithRetries(settings, request, extra, own),
          // openapi-fetch only calls `new Request(url, init)` and hands the result to `fetch`.
          Request: plain ? (PlainRequest as unknown as typeof Request) : undefined,
        });
        const { status, redirected } = response;
        if (
          (!response.ok && status < 400) ||
          (redirected && (post || new URL(response.url).origin !== origin))
        ) {
          throw new KlingApiError(
            `Redirected to ${redirected ? response.url : (response.headers.get("location") ?? "an address the browser hides")}: refused`,
            // A followed redirect's status is not the gateway's: none, as if no answer came.
            { status: redirected ? undefined : status, headers: response.headers },
          );
        }
        if (!response.ok) throw errorFromResponse(status, error, response.headers);
        try {
          return toTask(data as NonNullable<typeof data>);
        } catch (cause) {
          throw unreadable(cause, response, data);
        }
      } catch (error) {
        // The signal's own reason, whatever the runtime failed the read with.
        if (signal?.aborted) throw signal.reason;
        if (error instanceof KlingApiError) throw error;
        // openapi-fetch's parse of a 2xx body that is not JSON (a proxy's HTML page, say).
        if (error instanceof SyntaxError) throw unreadable(error);
        // Thrown past the retry loop, while the body was read: our timeout, or a lost connection.
        const name = error instanceof Error ? error.name : "";
        const timedOut = name === "TimeoutError" || name === "AbortError";
        if (!(timedOut || error instanceof TypeError)) throw error;
        const failure = connectionError(error, timedOut ? settings.timeoutMs : undefined);
        // Only once an answer came (`release` is set with it), and while attempts are left.
        if (post || !own.lease.release || own.attempts > settings.maxRetries) throw failure;
      } finally {
        own.lease.release?.();
      }
      await sleep(backoffMs(own.attempts - 1), signal);
    }
  }

  async function getTask(taskId: string, { signal }: RequestOptions = {}): Promise<Task> {
    return send(signal, (via) =>
      raw.GET("/kling/v1/videos/multi-image2video/{task_id}", {
        params: { path: { task_id: taskId } },
        ...via,
      }),
    );
  }

  async function submit(
    body: CreateTaskRequest,
    { signal }: RequestOptions = {},
  ): Promise<SubmittedTask> {
    // A body the gateway would crash on never leaves: its 500 would look like any other failure.
    checkSubmitBody(body);
    // `||`, not `??`: an empty id could not reconcile anything.
    const externalTaskId = body.external_task_id || uuid();
    let task: Task;
    try {
      task = await send(
        signal,
        (via) =>
          raw.POST("/kling/v1/videos/multi-image2video", {
            body: { ...body, external_task_id: externalTaskId },
            ...via,
          }),
        true,
      );
    } catch (error) {
      throw mayHaveCreated(error)
        ? new SubmitOutcomeUnknownError(externalTaskId, error as KlingApiError)
        : error;
    }
    return { ...task, externalTaskId: task.externalTaskId ?? externalTaskId };
  }

  return {
    raw,
    submit,
    getTask,
    waitForTask: (taskId, waitOptions) => waitFor(getTask, taskId, waitOptions),
    watchTask: (taskId, waitOptions) => pollTask(getTask, taskId, waitOptions),
    async submitAndWait(body, waitOptions = {}) {
      // Bad wait options must fail before the billable submit, not after it.
      waitSettings(waitOptions);
      const { taskId } = await submit(body, { signal: waitOptions.signal });
      return waitFor(getTask, taskId, waitOptions);
    },
  };
}

/** A 2xx answer that is not the task expected: not JSON (a proxy's HTML page, say), or no task. */
function unreadable(cause: unknown, response?: Response, body?: unknown): KlingApiError {
  return new KlingApiError(`Unreadable response: ${String(cause)}`, {
    status: response?.status,
    body,
    headers: response?.headers,
    cause,
  });
}

/**
 * Whether a failed submit may have created (and billed) the task anyway: it timed out or lost its
 * connection after sending, the gateway lost Kling (502/504), a 2xx answer was unreadable, or a
 * redirect said the POST was handled (303 See Other), may have (a browser's opaque redirect,
 * status 0), or was followed by someone else's `fetch` (no status). Those are the only failures
 * with a status below 300, 303, or, beside connection errors, none.
 */
function mayHaveCreated(error: unknown): boolean {
  if (error instanceof ConnectionError) return error.mayHaveReachedServer;
  if (!(error instanceof KlingApiError)) return false;
  const { status = 200 } = error;
  return (
    status < 300 ||
    status === 303 ||
    (error instanceof ServerError && (status === 502 || status === 504))
  );
}
