/**
 * Typed client for the Kling multi-image-to-video API (ezmodel gateway).
 * Runs in browsers, Node 20+, Deno and edge runtimes. Beside this entry: `./images` (image
 * helpers), `./webhooks` (callback verification) and `./node` (image files, Node only), so that
 * an app pulls in only what it uses.
 * @packageDocumentation
 */
export {
  createKlingClient,
  DEFAULT_BASE_URL,
  type KlingClient,
  type KlingClientOptions,
  type RequestOptions,
  type SubmittedTask,
} from "./client.js";
export {
  AuthenticationError,
  ConnectionError,
  errorFromResponse,
  InvalidRequestError,
  KlingApiError,
  type KlingApiErrorInit,
  KlingError,
  NotFoundError,
  PermissionDeniedError,
  parseRetryAfter,
  RateLimitError,
  ServerError,
  SubmitOutcomeUnknownError,
  TaskFailedError,
  TimeoutError,
  WaitTimeoutError,
} from "./errors.js";
export type { components, operations, paths } from "./generated/openapi.js";
export {
  backoffMs,
  createRetryFetch,
  type FetchLike,
  type RequestFetch,
  type RetryFetchOptions,
} from "./retry.js";
export {
  type FailedTask,
  GATEWAY_STATUS_MAP,
  type PendingTask,
  type SucceededTask,
  type Task,
  type TaskBase,
  toTask,
  type Video,
} from "./task.js";
export type {
  CallbackPayload,
  CreateTaskRequest,
  CreateTaskResponse,
  ErrorResponse,
  GatewayTaskStatus,
  ImageInput,
  KlingTask,
  TaskQueryResponse,
  TaskStatus,
} from "./types.js";
export type { WaitOptions } from "./wait.js";
