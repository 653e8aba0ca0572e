/** A non-null object (arrays included). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The value when it is a non-null object (arrays included), else `undefined`. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

/** The value when it is a non-empty string. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * A random UUID (v4). `crypto.randomUUID` exists only in secure contexts, so a page served over
 * plain http (a LAN dev server, say) builds one from `crypto.getRandomValues`.
 */
export function uuid(): string {
  const { crypto } = globalThis;
  return (
    crypto.randomUUID?.() ??
    "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (digit) => {
      const d = Number(digit);
      return (d ^ ((crypto.getRandomValues(new Uint8Array(1))[0] ?? 0) & (15 >> (d / 4)))).toString(
        16,
      );
    })
  );
}
