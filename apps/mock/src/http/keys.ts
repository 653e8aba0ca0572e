/** Bearer keys: read from the header, and shown in logs only as a fingerprint. */
import { createHash } from "node:crypto";

/** The key in `Authorization: Bearer <key>`, or undefined. */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== "string") return undefined;
  const m = /^Bearer\s+(\S.*)$/i.exec(header);
  const key = m?.[1]?.trim();
  return key === undefined || key === "" ? undefined : key;
}

const cache = new Map<string, string>();

/** `key_1a2b3c4d`: stable per key, reveals nothing of it. */
export function fingerprint(key: string): string {
  let f = cache.get(key);
  if (f === undefined) {
    f = `key_${createHash("sha256").update(key).digest("hex").slice(0, 8)}`;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, f);
  }
  return f;
}
