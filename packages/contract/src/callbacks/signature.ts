/**
 * Standard Webhooks verification (https://www.standardwebhooks.com/) for the `callbacks` check,
 * with `@kling-multi-image/webhooks`: the one implementation the mock signs with and the client
 * verifies with. The kit does not check them with their own code unchecked: that package is
 * tested against the official `standardwebhooks` package, both ways. Here the kit's messages,
 * which name what was found.
 */
import { checkWebhook, signWebhook as sign } from "@kling-multi-image/webhooks";

const NAMES = ["webhook-id", "webhook-timestamp", "webhook-signature"];

/** Why a delivery's signature is not acceptable, or undefined when it is. */
export async function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  rawBody: string,
  options: { nowSeconds?: number; toleranceSeconds?: number } = {},
): Promise<string | undefined> {
  const { nowSeconds, toleranceSeconds = 300 } = options;
  const now = nowSeconds ?? Date.now() / 1000;
  let reason: Awaited<ReturnType<typeof checkWebhook>>;
  try {
    reason = await checkWebhook({
      secret,
      headers,
      body: rawBody,
      toleranceSeconds,
      now: now * 1000,
    });
  } catch (error) {
    // A secret that is not Base64 (runContract and the CLI refuse one; a direct caller may not).
    if (error instanceof TypeError) return error.message;
    throw error;
  }
  const timestamp = headers["webhook-timestamp"];
  switch (reason) {
    case undefined:
      return undefined;
    case "missing webhook-id, -timestamp or -signature": {
      const missing = NAMES.filter((name) => !headers[name]).join(", ");
      return `unsigned: missing ${missing} though a webhook secret was given`;
    }
    case "malformed webhook-timestamp":
      return `webhook-timestamp ${JSON.stringify(timestamp)} is not Unix seconds`;
    case "webhook-timestamp is too old":
    case "webhook-timestamp is in the future": {
      const skew = Math.abs(Math.floor(now) - Number(timestamp));
      return `webhook-timestamp is ${skew} s from this machine's clock (tolerance ${toleranceSeconds} s)`;
    }
    default:
      return `no v1 signature in ${JSON.stringify(headers["webhook-signature"])} matches HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" with the given secret`;
  }
}

/** Signs a delivery, for tests and for fake servers: the `webhook-signature` value. */
export async function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  rawBody: string,
): Promise<string> {
  const headers = await sign({ secret, id, timestamp: timestampSeconds, body: rawBody });
  return headers["webhook-signature"];
}
