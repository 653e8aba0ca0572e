import { createHmac } from "node:crypto";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/): the signed content is
 * `{id}.{timestamp}.{body}`, the key is the Base64 secret after its `whsec_` prefix, and the header
 * value is `v1,<base64 HMAC-SHA256>`.
 */
export interface WebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** Decodes a `whsec_<base64>` secret (the prefix is optional) into key bytes; throws when it is not Base64. */
export function decodeSecret(secret: string): Buffer {
  const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  if (encoded.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new TypeError("webhook secret must be whsec_ followed by Base64");
  }
  return Buffer.from(encoded, "base64");
}

/** Signs one delivery. `timestampSeconds` is Unix time in seconds. */
export function signWebhook(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: string,
): WebhookHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  const mac = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${mac}` };
}
