/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/) for the callback dispatcher, from
 * `@kling-multi-image/webhooks` (Web Crypto only, so it runs wherever the mock's core does): here
 * only the shapes the dispatcher calls it in.
 */
import { signWebhook as sign, type WebhookHeaders } from "@kling-multi-image/webhooks";

/** `signingKey` imports a secret's key bytes once for every delivery, not once per delivery. */
export {
  decodeSecret,
  importSigningKey as signingKey,
  type WebhookHeaders,
} from "@kling-multi-image/webhooks";

/** Signs one delivery. `timestampSeconds` is Unix time in seconds (a fraction is dropped). */
export function signWebhook(
  key: CryptoKey,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<WebhookHeaders> {
  return sign({ key, id, timestamp: timestampSeconds, body });
}
