/**
 * Callback verification (`@kling-multi-image/client/webhooks`): Standard Webhooks signatures over
 * Web Crypto, then the payload's shape. Runs in browsers, Node, Deno and edge runtimes.
 * @packageDocumentation
 */
import {
  checkWebhook,
  decodeSecret,
  type HeadersLike,
  signWebhook,
} from "@kling-multi-image/webhooks";
import { KlingError } from "./errors.js";
import type { CallbackPayload } from "./types.js";
import { isRecord } from "./util.js";

export type { HeadersLike } from "@kling-multi-image/webhooks";
export type { CallbackPayload } from "./types.js";

/** A callback failed signature verification or does not have the payload's shape. */
export class WebhookVerificationError extends KlingError {
  override name = "WebhookVerificationError";
}

/** Options of {@link verifyCallback}. */
export interface VerifyCallbackOptions {
  /** The raw request body, exactly as received (do not re-serialise parsed JSON). */
  body: string | Uint8Array;
  /** The request headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  headers: HeadersLike;
  /**
   * The webhook secret (`whsec_...`), or several during a rotation. Pass `null` to check only the
   * payload's shape (for accounts without a webhook secret). A missing or empty secret is an
   * error rather than a silent shape-only check, so an unset environment variable cannot turn
   * verification off.
   */
  secret: string | readonly string[] | null;
  /** Largest allowed distance between `webhook-timestamp` and now, in seconds. Default 300. */
  toleranceSeconds?: number | undefined;
  /** The current time in ms, for tests. Default `Date.now()`. */
  now?: number | undefined;
}

const STATUSES = ["submitted", "processing", "succeed", "failed"];

function fail(message: string): never {
  throw new WebhookVerificationError(message);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  isRecord(value) && !Array.isArray(value);
const optional = (value: unknown, type: string) => value === undefined || typeof value === type;

/**
 * Checks that a value has the shape of a callback payload (`CallbackPayload` in the spec).
 * @throws WebhookVerificationError naming the first field that is wrong.
 */
export function assertCallbackPayload(value: unknown): asserts value is CallbackPayload {
  const p = isObject(value) ? value : fail("payload is not an object");
  const info = p.task_info;
  const result = p.task_result;
  const videos = isObject(result) ? result.videos : undefined;
  const checks: [boolean, string][] = [
    [typeof p.task_id === "string" && p.task_id !== "", "task_id"],
    [STATUSES.includes(p.task_status as string), "task_status"],
    [optional(p.task_status_msg, "string"), "task_status_msg"],
    [optional(p.created_at, "number"), "created_at"],
    [optional(p.updated_at, "number"), "updated_at"],
    [
      info === undefined || (isObject(info) && optional(info.external_task_id, "string")),
      "task_info",
    ],
    [result === undefined || isObject(result), "task_result"],
    [videos === undefined || Array.isArray(videos), "task_result.videos"],
  ];
  for (const [ok, field] of checks) if (!ok) fail(`payload.${field}`);
  (Array.isArray(videos) ? videos : []).forEach((video: unknown, i) => {
    const v = isObject(video) ? video : {};
    if (![v.id, v.url, v.duration].every((x) => typeof x === "string")) {
      fail(`payload.task_result.videos[${i}]`);
    }
  });
}

const BAD_SECRET = "secret is not valid Base64 (expected whsec_...)";

/** The key bytes of a `whsec_<base64>` secret, or undefined when it is not Base64. */
function secretKey(secret: string): Uint8Array | undefined {
  try {
    return decodeSecret(secret);
  } catch {}
}

/**
 * Verifies a Kling status callback and returns its typed payload.
 *
 * With a secret: Standard Webhooks verification. The HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the Base64-decoded secret after `whsec_`,
 * must equal one of the space-separated `v1,<base64>` values in `webhook-signature` (compared in
 * constant time), and `webhook-timestamp` must be within `toleranceSeconds` (300) of now. Uses Web
 * Crypto, so it runs in browsers, Node, Deno and edge runtimes. Then, with or without a secret,
 * the body must parse as JSON with the shape of `CallbackPayload`.
 *
 * @throws WebhookVerificationError when a header is missing or malformed, the timestamp is out of
 *   tolerance, no signature matches, or the payload has the wrong shape.
 */
export async function verifyCallback(options: VerifyCallbackOptions): Promise<CallbackPayload> {
  const bodyText =
    typeof options.body === "string" ? options.body : new TextDecoder().decode(options.body);
  const given = options.secret as string | readonly string[] | null | undefined;
  if (given === undefined || given === "" || (Array.isArray(given) && given.length === 0)) {
    fail("no webhook secret given (secret: null checks the payload's shape only)");
  }
  const secrets = given === null ? [] : typeof given === "string" ? [given] : given;
  if (secrets.length > 0) {
    // A malformed secret in a rotation list must not hide a match under the other one.
    const keys = secrets.map(secretKey).filter((k) => k !== undefined);
    if (keys.length === 0) fail(BAD_SECRET);
    // Over the bytes as sent; only the JSON parse below sees decoded text. The reason is worded
    // for people, and thrown as the client's own error (a KlingError).
    const reason = await checkWebhook({ ...options, secret: keys });
    if (reason) fail(reason);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(bodyText);
  } catch {
    fail("body is not JSON");
  }
  assertCallbackPayload(payload);
  return payload;
}

/**
 * Signs a body the way Kling does (Standard Webhooks), returning the `webhook-signature` value.
 * Useful for tests and for local mocks.
 */
export async function signCallback(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const key = secretKey(secret) ?? fail(BAD_SECRET);
  return (await signWebhook({ secret: key, id, timestamp, body }))["webhook-signature"];
}
