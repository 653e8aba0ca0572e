/**
 * Typed client for the Kling multi-image-to-video API (ezmodel gateway).
 * Runs in browsers, Node 20+, Deno and edge runtimes; Node-only helpers are in `./node`.
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
  InvalidImageError,
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
  WebhookVerificationError,
} from "./errors.js";
export type { components, operations, paths } from "./generated/openapi.js";
export {
  detectImageFormat,
  type ImageFormat,
  imageFromBlob,
  imageFromBytes,
  imageFromUrl,
  MAX_IMAGE_BYTES,
} from "./images.js";
export { backoffMs, createRetryFetch, type FetchLike, type RetryFetchOptions } from "./retry.js";
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
export {
  assertCallbackPayload,
  type HeadersLike,
  signCallback,
  type VerifyCallbackOptions,
  verifyCallback,
} from "./webhooks.js";
