/**
 * `@kling-multi-image/webhooks`: Standard Webhooks (https://www.standardwebhooks.com/) signing and
 * verification on Web Crypto alone (no `node:` modules, no `Buffer`), so the same code runs in
 * Node, browsers, Deno, Bun and edge runtimes.
 *
 * A signed webhook carries three headers: `webhook-id`, `webhook-timestamp` (Unix seconds) and
 * `webhook-signature`, a space-separated list of `v1,<base64>` values, each the HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}` keyed with the Base64-decoded secret after `whsec_`.
 * @packageDocumentation
 */

/** The three headers a signed webhook carries (a plain object: `fetch` takes it as it is). */
export type WebhookHeaders = {
  /** The message's unique id; receivers may use it to drop duplicates. */
  "webhook-id": string;
  /** When it was signed, in whole Unix seconds. */
  "webhook-timestamp": string;
  /** `v1,<base64 HMAC-SHA256>`, or several such values separated by spaces. */
  "webhook-signature": string;
};

/** The name of one of the three Standard Webhooks headers. */
export type WebhookHeaderName = keyof WebhookHeaders;

/**
 * Request headers as `fetch` gives them (`Headers`), or as Node's `IncomingMessage.headers` does
 * (a plain object, where a header sent twice is an array of its values).
 */
export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

/** A webhook secret: `whsec_<base64>` (the prefix is optional), or the key bytes themselves. */
export type WebhookSecret = string | Uint8Array;

/** Options of {@link signWebhook}: the message, and the secret or an imported key. */
export type SignWebhookOptions = {
  /** The message's unique id (`webhook-id`). */
  id: string;
  /** When it is signed, in Unix seconds; a fraction is dropped. */
  timestamp: number;
  /** The body exactly as it will be sent: a string is signed as its UTF-8 bytes. */
  body: string | Uint8Array;
} & (
  | {
      /** The secret to sign with. */
      secret: WebhookSecret;
      /** Not with `secret`. */
      key?: undefined;
    }
  | {
      /** A key from {@link importSigningKey}, to import the secret once for many messages. */
      key: CryptoKey;
      /** Not with `key`. */
      secret?: undefined;
    }
);

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /**
   * The secret, or several while the receiver rotates keys: a signature made with any of them is
   * accepted (and with none of an empty list).
   */
  secret: WebhookSecret | readonly WebhookSecret[];
  /** The request's headers; names are matched whatever their case. */
  headers: HeadersLike;
  /** The raw body exactly as received: do not re-serialise parsed JSON. */
  body: string | Uint8Array;
  /** The largest allowed distance between `webhook-timestamp` and now, in seconds. Default 300. */
  toleranceSeconds?: number | undefined;
  /** The current time in milliseconds since the epoch, as `Date.now()` gives it (the default). */
  now?: number | undefined;
}

/** What {@link verifyWebhook} returns for a webhook whose signature is good. */
export interface VerifiedWebhook {
  /** The `webhook-id` header. */
  id: string;
  /** The `webhook-timestamp` header, in Unix seconds. */
  timestamp: number;
}

/**
 * Why a webhook failed verification, in words that are also its message (so code can compare it
 * and people can read it, and no table maps one to the other):
 * - `missing webhook-id, -timestamp or -signature`: a header is absent or empty;
 * - `malformed webhook-timestamp`: it is not whole Unix seconds (1 to 12 digits);
 * - `webhook-timestamp is too old`, `webhook-timestamp is in the future`: it is further from now,
 *   into the past or into the future, than the tolerance (a replayed webhook, or a clock that is
 *   off);
 * - `malformed webhook-signature`: `webhook-signature` has no `v1,<base64>` value to compare;
 * - `no matching signature`: it has, but none is the HMAC of this message under the secret(s).
 */
export type WebhookVerificationReason =
  | "missing webhook-id, -timestamp or -signature"
  | "malformed webhook-timestamp"
  | "webhook-timestamp is too old"
  | "webhook-timestamp is in the future"
  | "malformed webhook-signature"
  | "no matching signature";

/**
 * Thrown (as a rejection) by {@link verifyWebhook} for a webhook that must not be trusted. Its
 * `reason` says why, for code; its message says the same for people.
 */
export class WebhookVerificationError extends Error {
  override name = "WebhookVerificationError";
  /** Why the webhook was refused. */
  readonly reason: WebhookVerificationReason;

  /** Makes the error for a reason, which is also its message. */
  constructor(reason: WebhookVerificationReason) {
    super(reason);
    this.reason = reason;
  }
}

const NAMES = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;
const encoder = new TextEncoder();

/** The bytes of standard Base64 text (padding optional), or undefined when it is not that. */
function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    // atob skips white space, which a secret or a signature must not contain.
    if (!/\s/.test(text)) return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {}
}

/**
 * Decodes a webhook secret into its key bytes.
 *
 * @param secret - `whsec_` followed by standard Base64 (`A-Z a-z 0-9 + /`, padding optional); the
 *   prefix may be left out.
 * @returns The key bytes.
 * @throws TypeError when what follows the prefix is empty or not Base64.
 */
export function decodeSecret(secret: string): Uint8Array<ArrayBuffer> {
  const key = fromBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret);
  if (!key?.length) throw new TypeError("webhook secret must be whsec_ followed by Base64");
  return key;
}

/** The key bytes of a secret given as text (decoded) or as bytes (as they are). */
function keyBytes(secret: WebhookSecret): Uint8Array<ArrayBuffer> {
  return typeof secret === "string" ? decodeSecret(secret) : (secret as Uint8Array<ArrayBuffer>);
}

/**
 * Imports a secret as a Web Crypto HMAC-SHA256 key (not extractable, for `sign` only), so that
 * {@link signWebhook} can sign many messages without decoding the secret each time.
 *
 * @param secret - `whsec_<base64>` text, or the key bytes.
 * @returns The key.
 * @throws TypeError, at once rather than in the promise, when secret text is not Base64. Web
 *   Crypto refuses empty key bytes (a `DataError`, in the promise).
 */
export function importSigningKey(secret: WebhookSecret): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    keyBytes(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
}

/** The HMAC-SHA256 of `{id}.{timestamp}.{body}` under `key`. */
async function mac(
  key: Promise<CryptoKey> | CryptoKey,
  id: string,
  timestamp: string,
  body: string | Uint8Array,
): Promise<Uint8Array> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const content = new Uint8Array(prefix.length + bytes.length);
  content.set(prefix);
  content.set(bytes, prefix.length);
  return new Uint8Array(await crypto.subtle.sign("HMAC", await key, content));
}

/** Compares two byte arrays in time that depends only on their lengths (which are no secret). */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Signs a message the Standard Webhooks way.
 *
 * @param options - The message (`id`, `timestamp` in Unix seconds, `body`) and the `secret`, or a
 *   `key` from {@link importSigningKey}.
 * @returns The three headers to send with the body; the signature is `v1,<base64>`.
 * @throws TypeError (as a rejection) when the secret is not Base64.
 */
export async function signWebhook(options: SignWebhookOptions): Promise<WebhookHeaders> {
  const { id } = options;
  const timestamp = String(Math.floor(options.timestamp));
  const signature = await mac(
    options.key ?? importSigningKey(options.secret),
    id,
    timestamp,
    options.body,
  );
  return {
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${btoa(String.fromCharCode(...signature))}`,
  };
}

/** A header by name whatever its case (an exact match first); a repeated one joined by spaces. */
function header(headers: HeadersLike, name: WebhookHeaderName): string | undefined {
  // Duck-typed rather than `instanceof Headers`: a polyfill's or another realm's Headers counts.
  const get = headers.get;
  if (typeof get === "function") return get.call(headers, name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value =
    record[name] ?? Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value.join(" ") : value;
}

/**
 * Checks a received webhook the Standard Webhooks way, checking in this order: the three headers
 * are there; `webhook-timestamp` is whole Unix seconds, within `toleranceSeconds` of now; and one
 * of the `v1` signatures in `webhook-signature` (several during a key rotation) is the HMAC-SHA256
 * of `{webhook-id}.{webhook-timestamp}.{body}` under the secret, or under one of the secrets,
 * compared in constant time. {@link verifyWebhook} is the same check, throwing.
 *
 * @param options - The secret(s), the headers, the raw body, and optionally the tolerance and the
 *   time.
 * @returns `undefined` for a webhook to trust, else why not (see {@link WebhookVerificationReason}).
 * @throws TypeError (as a rejection), before the headers are looked at, when secret text is not
 *   Base64.
 */
export async function checkWebhook(
  options: VerifyWebhookOptions,
): Promise<WebhookVerificationReason | undefined> {
  const { secret, toleranceSeconds = 300 } = options;
  // A bad secret is the receiver's mistake, reported before anything of the sender's.
  const keys = (
    Array.isArray(secret) ? (secret as readonly WebhookSecret[]) : [secret as WebhookSecret]
  ).map(keyBytes);
  const [id, timestamp, signature] = NAMES.map((name) => header(options.headers, name));
  if (!id || !timestamp || !signature) return "missing webhook-id, -timestamp or -signature";
  if (!/^\d{1,12}$/.test(timestamp)) return "malformed webhook-timestamp";
  const age = Math.floor((options.now ?? Date.now()) / 1000) - Number(timestamp);
  // Negated so that a NaN tolerance or time (an unset setting read as a number) refuses every
  // webhook instead of letting one of any age through.
  if (!(age <= toleranceSeconds)) return "webhook-timestamp is too old";
  if (!(age >= -toleranceSeconds)) return "webhook-timestamp is in the future";
  const candidates: Uint8Array[] = [];
  for (const part of signature.split(" ")) {
    const [version, value] = part.split(",", 2);
    const bytes = version === "v1" && value ? fromBase64(value) : undefined;
    if (bytes) candidates.push(bytes);
  }
  if (candidates.length === 0) return "malformed webhook-signature";
  let matched = false;
  for (const key of keys) {
    const expected = await mac(importSigningKey(key), id, timestamp, options.body);
    // Every candidate is compared, so the time taken does not say which one matched.
    for (const candidate of candidates) matched = timingSafeEqual(expected, candidate) || matched;
  }
  return matched ? undefined : "no matching signature";
}

/**
 * Verifies a received webhook the Standard Webhooks way: {@link checkWebhook}, throwing.
 *
 * @param options - The secret(s), the headers, the raw body, and optionally the tolerance and the
 *   time.
 * @returns The webhook's id and timestamp.
 * @throws WebhookVerificationError (as a rejection) saying why the webhook must not be trusted:
 *   see {@link WebhookVerificationReason}.
 * @throws TypeError (as a rejection), before the headers are looked at, when secret text is not
 *   Base64.
 */
export async function verifyWebhook(options: VerifyWebhookOptions): Promise<VerifiedWebhook> {
  const reason = await checkWebhook(options);
  if (reason !== undefined) throw new WebhookVerificationError(reason);
  return {
    id: header(options.headers, "webhook-id") as string,
    timestamp: Number(header(options.headers, "webhook-timestamp")),
  };
}
