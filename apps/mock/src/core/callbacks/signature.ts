/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/) with Web Crypto, so it runs in
 * Node, browsers and workers alike: the signed content is `{id}.{timestamp}.{body}`, the key is the
 * Base64 secret after its `whsec_` prefix, and the header value is `v1,<base64 HMAC-SHA256>`.
 */

/** The three headers a signed delivery carries. */
export interface WebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** Decodes a `whsec_<base64>` secret (the prefix is optional) into key bytes; throws when it is not Base64. */
export function decodeSecret(secret: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret;
  if (encoded.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new TypeError("webhook secret must be whsec_ followed by Base64");
  }
  let binary: string;
  try {
    binary = atob(encoded);
  } catch {
    throw new TypeError("webhook secret must be whsec_ followed by Base64");
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Imports key bytes for HMAC-SHA256 signing (done once per secret, not per delivery). */
export function signingKey(key: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** Signs one delivery. `timestampSeconds` is Unix time in seconds. */
export async function signWebhook(
  key: CryptoKey,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<WebhookHeaders> {
  const timestamp = String(Math.floor(timestampSeconds));
  const mac = new Uint8Array(
    await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)),
  );
  let binary = "";
  for (const b of mac) binary += String.fromCharCode(b);
  return {
    "webhook-id": id,
    "webhook-timestamp": timestamp,
    "webhook-signature": `v1,${btoa(binary)}`,
  };
}
