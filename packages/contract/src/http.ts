/** Sending one request and recording both sides, so any failure can print a replayable request. */

/** A request as sent, enough to replay it with curl. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The raw body text, when there is one. */
  body?: string;
}

/** A response as received. */
export interface RecordedResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The raw body text. */
  body: string;
  durationMs: number;
}

/** What came back: a response, or the reason there was none (timeout, connection refused). */
export type SendResult =
  | { ok: true; response: RecordedResponse }
  | { ok: false; error: string; durationMs: number };

/**
 * Sends `request` with `fetch`, following no redirects (a redirect is itself an answer to check),
 * and gives up after `timeoutMs`.
 */
export async function send(request: RecordedRequest, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  try {
    const init: RequestInit = {
      method: request.method,
      headers: request.headers,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    };
    if (request.body !== undefined) init.body = request.body;
    const res = await fetch(request.url, init);
    const body = await res.text();
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    return {
      ok: true,
      response: { status: res.status, headers, body, durationMs: performance.now() - started },
    };
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    const message =
      error instanceof Error ? `${error.name}: ${error.message}${cause}` : String(error);
    return { ok: false, error: message, durationMs: performance.now() - started };
  }
}

/** The media type of a `Content-Type` value, lower-cased and without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  return contentType.split(";")[0]?.trim().toLowerCase() || undefined;
}

/** Parses a body as JSON, or says why it is not JSON. */
export function parseJson(
  body: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Shortens a body for a failure message. */
export function excerpt(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}
