/**
 * Identifiers the mock makes: task and delivery ids from Web Crypto's random values, a stable video
 * id derived from a task id, and key fingerprints for logs. Runtime-neutral (Node, browsers,
 * workers): only `crypto.getRandomValues`, `crypto.subtle` and `btoa`, which all of them have.
 */

/** Base64url without padding, as Kling's ids and Node's `base64url` encoding read. */
export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `n` random bytes as base64url (16 bytes: a 22-character, Kling-like task id). */
export function randomId(n = 16): string {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

/** A random RFC 4122 v4 UUID (for `request_id`s); works where `randomUUID` is missing too. */
export function uuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The video's id, a UUID-shaped value derived from the task id (cyrb128, not a secret): stable
 * across reads without storing 36 more bytes per task, since memory bounds how many tasks fit.
 */
export function videoId(taskId: string): string {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < taskId.length; i++) {
    const k = taskId.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  const h = [h1 ^ h2 ^ h3 ^ h4, h2 ^ h1, h3 ^ h1, h4 ^ h1]
    .map((x) => (x >>> 0).toString(16).padStart(8, "0"))
    .join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Kling's `request_id` of a task's create answer, derived from the task id as {@link videoId} is:
 * the gateway stores that answer and shows it again while the task is `NOT_START`, so it must be
 * stable, and storing it would cost memory per task.
 */
export function createRequestId(taskId: string): string {
  return videoId(`create:${taskId}`);
}

const fingerprints = new Map<string, string>();

/**
 * `key_1a2b3c4d`: the first 8 hex digits of the key's SHA-256, stable per key and revealing
 * nothing of it. Logs and the control API show owners only this way.
 */
export async function fingerprint(key: string): Promise<string> {
  const known = fingerprints.get(key);
  if (known !== undefined) return known;
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)),
  );
  const hex = Array.from(digest.subarray(0, 4), (x) => x.toString(16).padStart(2, "0")).join("");
  const f = `key_${hex}`;
  if (fingerprints.size > 10_000) fingerprints.clear();
  fingerprints.set(key, f);
  return f;
}
