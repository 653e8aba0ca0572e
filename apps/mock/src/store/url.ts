/**
 * What names a Redis store, and how it is shown: read by the CLI's argument check, the server's
 * store selection and the Redis store's messages, none of which may load ioredis to do it.
 */

/** Whether `text` names a Redis or Valkey server: `redis://` or `rediss://` (TLS) and a host. */
export function isRedisUrl(text: string): boolean {
  return /^rediss?:\/\/[^\s/]+/.test(text);
}

/** The text without its password, for messages: a URL's, or a `:password@` in text that is not one. */
export function redactUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return text.replace(/:[^:@/]*@/, ":***@");
  }
}
