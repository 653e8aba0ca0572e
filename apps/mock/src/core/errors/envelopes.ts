/**
 * The gateway's two error envelopes, built in one place so every error the mock answers has the
 * exact wire shape of the spec's examples (never Prism's problem+json).
 */
import { KLING_ERROR_CODES } from "@kling-multi-image/spec/facts";
import { uuid } from "../ids.js";
import type { JsonReply } from "../request.js";

/** The gateway middleware's envelope: `{error: {message, type, code}}`. */
export interface GatewayErrorBody {
  error: { message: string; type: string; code: string };
}

/** The gateway task relay's envelope: `{code, message, data: null}`. */
export interface TaskErrorBody {
  code: string;
  message: string;
  data: null;
}

export type { JsonReply } from "../request.js";

/** A middleware error (auth, malformed body, unknown model, unknown route, too large). */
export function gatewayError(
  status: number,
  message: string,
  code = "",
  type = "new_api_error",
): JsonReply {
  return { status, body: { error: { message, type, code } } satisfies GatewayErrorBody };
}

/** A task relay error. */
export function taskError(status: number, code: string, message: string): JsonReply {
  return { status, body: { code, message, data: null } satisfies TaskErrorBody };
}

/**
 * A task relay error whose message is Kling's raw error body, as the gateway passes it through,
 * with the HTTP status Kling documents for the code (the spec's `info.x-kling-error-codes`).
 */
export function klingError(
  code: string,
  klingCode: keyof typeof KLING_ERROR_CODES,
  klingMessage: string,
  retryAfterSeconds?: number,
): JsonReply {
  const reply = taskError(
    KLING_ERROR_CODES[klingCode].status,
    code,
    JSON.stringify({ code: Number(klingCode), message: klingMessage, request_id: uuid() }),
  );
  if (retryAfterSeconds !== undefined) reply.headers = { "retry-after": String(retryAfterSeconds) };
  return reply;
}

/** The spec's named errors, so call sites read like the spec's examples. */
export const errors = {
  missingKey: () => gatewayError(401, "No token provided (Authorization: Bearer <key>)"),
  invalidKey: () => gatewayError(401, "Invalid token"),
  notFound: (method: string, path: string) =>
    gatewayError(404, `Invalid URL (${method} ${path})`, "", "invalid_request_error"),
  tooLarge: () => gatewayError(413, "request body too large", "read_request_body_failed"),
  /** The server's upload budget is spent: too many large bodies are being read at once. */
  uploadsBusy: (retryAfter: number) => ({
    ...gatewayError(
      429,
      "too many large uploads in progress on this mock; retry shortly",
      "upload_budget_exceeded",
    ),
    headers: { "retry-after": String(retryAfter) },
  }),
  /** HTTP the gateway's server refuses before any route (no Host, a bad request line). */
  badHttp: (detail: string) => gatewayError(400, detail, "invalid_request"),
  invalidJson: (detail: string) =>
    gatewayError(400, `invalid request body: ${detail}`, "invalid_request"),
  modelNotFound: (model: string) =>
    gatewayError(
      503,
      `No available channel for model ${model} under group default`,
      "model_not_found",
    ),
  invalidRequest: (message: string) => taskError(400, "invalid_request", message),
  taskNotExist: () => taskError(400, "task_not_exist", "task_not_exist"),
  quotaNotEnough: () => taskError(403, "quota_not_enough", "user quota is not enough"),
  contentPolicy: () => klingError("task_failed", "1301", "Failure to pass the risk control system"),
  duplicateExternalTaskId: () =>
    klingError("task_failed", "1201", "external_task_id already exists"),
  rateLimited: (retryAfter: number) =>
    klingError("fail_to_fetch_task", "1302", "request rate too high", retryAfter),
  concurrency: (retryAfter: number) =>
    klingError("fail_to_fetch_task", "1303", "parallel task over resource pack limit", retryAfter),
  internal: () => klingError("fail_to_fetch_task", "5000", "Server internal error"),
  maintenance: (retryAfter: number) =>
    klingError(
      "fail_to_fetch_task",
      "5001",
      "Server temporarily unavailable, usually due to maintenance",
      retryAfter,
    ),
  /** The mock's shared task store (Redis) cannot be reached: nothing is lost, try again soon. */
  storeUnavailable: (retryAfter: number) => ({
    ...gatewayError(
      503,
      "the mock's task store is unreachable; no task was changed, retry shortly",
      "store_unavailable",
      "mock_error",
    ),
    headers: { "retry-after": String(retryAfter) },
  }),
  /** A response the mock produced that breaks the spec: a bug in the mock, said loudly. */
  contractViolation: (summary: string) =>
    gatewayError(
      500,
      `mock bug: its response violates spec/openapi.yaml: ${summary}`,
      "mock_response_invalid",
      "mock_error",
    ),
  internalMock: (detail: string) =>
    gatewayError(500, `mock internal error: ${detail}`, "mock_error", "mock_error"),
} as const;
