/**
 * Standard Webhooks verification (https://www.standardwebhooks.com/), written here rather than
 * imported from the mock or the client so that the kit checks them and not itself.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Why a delivery's signature is not acceptable, or undefined when it is. */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  rawBody: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): string | undefined {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signature = headers["webhook-signature"];
  const missing = [
    ["webhook-id", id],
    ["webhook-timestamp", timestamp],
    ["webhook-signature", signature],
  ]
    .filter(([, v]) => !v)
    .map(([n]) => n);
  if (missing.length > 0)
    return `unsigned: missing ${missing.join(", ")} though a webhook secret was given`;
  if (!/^\d{1,12}$/.test(timestamp ?? ""))
    return `webhook-timestamp ${JSON.stringify(timestamp)} is not Unix seconds`;
  const now = options.nowSeconds ?? Date.now() / 1000;
  const tolerance = options.toleranceSeconds ?? 300;
  const skew = Math.abs(now - Number(timestamp));
  if (skew > tolerance)
    return `webhook-timestamp is ${Math.round(skew)} s from this machine's clock (tolerance ${tolerance} s)`;
  const encoded = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  const key = Buffer.from(encoded, "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${rawBody}`).digest();
  for (const candidate of (signature ?? "").split(" ")) {
    const [version, value] = candidate.split(",", 2);
    if (version !== "v1" || !value) continue;
    const given = Buffer.from(value, "base64");
    // Constant-time compare; lengths differ only for garbage, which is not a secret.
    if (given.length === expected.length && timingSafeEqual(given, expected)) return undefined;
  }
  return `no v1 signature in ${JSON.stringify(signature)} matches HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" with the given secret`;
}

/** Signs a delivery, for tests and for fake servers. */
export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  rawBody: string,
): string {
  const encoded = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  const mac = createHmac("sha256", Buffer.from(encoded, "base64"))
    .update(`${id}.${timestampSeconds}.${rawBody}`)
    .digest("base64");
  return `v1,${mac}`;
}
