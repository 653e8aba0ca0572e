/**
 * Video download (`@kling-multi-image/client/download`): streams a finished task's MP4, reports
 * the bytes as they arrive, resumes with `Range` after a dropped or stalled connection, and checks
 * the length. Runs in browsers, Node, Deno and edge runtimes; `downloadVideoToFile` in `./node`
 * writes the video to a file atomically.
 *
 * Kling deletes generated videos 30 days after they are made: download what you keep.
 * @packageDocumentation
 */
import {
  ConnectionError,
  KlingApiError,
  NotFoundError,
  PermissionDeniedError,
  parseRetryAfter,
  RateLimitError,
  ServerError,
} from "./errors.js";
import { checkRetries, type FetchLike } from "./retry.js";
import type { Task, Video } from "./task.js";

/** What {@link downloadVideo} takes: a succeeded task, one of its videos, or the video's URL. */
export type VideoSource = Task | Video | string | URL;

/** How far a download has come, as given to {@link DownloadOptions.onProgress}. */
export interface DownloadProgress {
  /** Bytes received so far (across resumes). */
  receivedBytes: number;
  /** The video's size in bytes, when the server said (`Content-Length` or `Content-Range`). */
  totalBytes: number | undefined;
}

/** Options of {@link downloadVideo} (and of `downloadVideoToFile` in `./node`). */
export interface DownloadOptions {
  /** Aborting stops the download and rejects (or errors the stream) with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Called once the video's answer arrives (0 bytes), then after each chunk. */
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** A custom `fetch`. Default: `globalThis.fetch`. No API key is sent: video URLs need none. */
  fetch?: FetchLike | undefined;
  /**
   * Attempts after a failure (a dropped or stalled connection, a body that ended early, HTTP 408,
   * 429 or 5xx) in a row without a new byte received. Default 5; then the last failure is thrown.
   */
  maxRetries?: number | undefined;
  /** An attempt that receives nothing (headers or bytes) for this long is dropped and resumed. Default 30 000. */
  stallTimeoutMs?: number | undefined;
}

/** A download under way, returned by {@link downloadVideo} once the video's answer arrived. */
export interface VideoDownload {
  /** The video's URL. */
  readonly url: string;
  /** The video's size in bytes, when the server said. */
  readonly totalBytes: number | undefined;
  /** The `Content-Type` the server gave (`video/mp4`), when it gave one. */
  readonly contentType: string | undefined;
  /**
   * The video's bytes, in order and complete: a dropped connection is resumed with `Range` behind
   * this stream, and the stream errors (a `ConnectionError`, a `KlingApiError` or the abort
   * reason) when the bytes cannot be completed. Read it once; cancelling it stops the download.
   */
  readonly body: ReadableStream<Uint8Array>;
  /** Reads {@link VideoDownload.body} to its end into a `Blob` typed `contentType`. */
  blob(): Promise<Blob>;
}

/** HTTP statuses a download is retried on. */
const TRANSIENT = [408, 429, 500, 502, 503, 504];

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The URL of a source's video. @throws TypeError for a task with no video (yet). */
function videoUrl(source: VideoSource): string {
  if (typeof source === "string" || source instanceof URL) return String(new URL(source));
  if (!("taskId" in source)) return source.url;
  const url = source.status === "succeed" ? source.videos[0]?.url : undefined;
  if (url === undefined) {
    throw new TypeError(`Task ${source.taskId} has no video (status ${source.status})`);
  }
  return url;
}

/** A whole number from a header, or undefined. */
function count(value: string | null | undefined): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * The typed error for a video's HTTP error answer (a CDN's, not the gateway's: its body is a
 * short text or XML page, kept in `body`).
 */
async function httpError(url: string, response: Response): Promise<KlingApiError> {
  const { status, headers } = response;
  const body = (await response.text().catch(() => "")).slice(0, 500);
  const gone = status === 403 || status === 404 || status === 410;
  const ErrorClass = gone
    ? status === 403
      ? PermissionDeniedError
      : NotFoundError
    : status === 429
      ? RateLimitError
      : status >= 500
        ? ServerError
        : KlingApiError;
  return new ErrorClass(
    `${status} downloading ${url}${gone ? " (Kling deletes videos 30 days after they are made)" : ""}`,
    { status, body, headers, retryAfterMs: parseRetryAfter(headers) },
  );
}

/**
 * Starts downloading a task's video and resolves once the server answered, with the bytes as a
 * stream ({@link VideoDownload.body}) or a `Blob` ({@link VideoDownload.blob}).
 *
 * - The first request is retried on connection errors and HTTP 408, 429 and 5xx (waiting
 *   `Retry-After` when given); other answers reject at once with the client's typed error
 *   (`NotFoundError` for a 404: Kling deletes videos after 30 days).
 * - A connection that drops or stalls (`stallTimeoutMs`) mid-body is resumed with
 *   `Range: bytes=<received>-`; a server that ignores `Range` and sends the whole video again is
 *   read past the bytes already given. `Content-Range`, `Content-Length` and `ETag` must agree
 *   with the first answer, and the stream ends only when every byte announced arrived.
 * - Only `Range` is sent (no API key, no other header), so a cross-origin CDN needs no preflight.
 *
 * @example
 * ```ts
 * const done = await kling.waitForTask(taskId);
 * const video = await downloadVideo(done, { onProgress: (p) => console.log(p.receivedBytes) });
 * videoElement.src = URL.createObjectURL(await video.blob());
 * ```
 * @throws TypeError for a task that has not succeeded (or lists no video), or a source that is
 *   not a URL. RangeError for a `maxRetries` that is not a whole number from 0, or a
 *   `stallTimeoutMs` outside 1 to 2^31-1.
 */
export async function downloadVideo(
  source: VideoSource,
  options: DownloadOptions = {},
): Promise<VideoDownload> {
  const url = videoUrl(source);
  const { signal, onProgress, maxRetries = 5, stallTimeoutMs = 30_000 } = options;
  checkRetries(maxRetries, stallTimeoutMs);
  signal?.throwIfAborted();
  let received = 0;
  let total: number | undefined;
  let etag: string | undefined;
  let contentType: string | undefined;
  // Bytes still to drop from an answer that restarted from 0 (a server that ignored `Range`).
  let skip = 0;
  // Failures in a row without a new byte.
  let failures = 0;
  let attempt = new AbortController();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => attempt.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort);
  /** Restarts the stall timer of the current attempt. */
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => attempt.abort(new DOMException(`No data for ${stallTimeoutMs} ms`, "TimeoutError")),
      stallTimeoutMs,
    );
    (timer as { unref?: () => void }).unref?.();
  };
  const stop = (reason?: unknown) => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    attempt.abort(reason);
  };
  const inconsistent = (what: string) =>
    new KlingApiError(`Download of ${url} is inconsistent: ${what}`);
  const dropped = (cause: unknown) =>
    new ConnectionError(
      `Download of ${url} failed after ${received}${total === undefined ? "" : ` of ${total}`} bytes (${
        cause instanceof Error ? cause.message : String(cause)
      })`,
      { cause },
    );
  /** Counts a failure; throws `error` when the retries are spent, else waits before the next. */
  const retry = async (error: KlingApiError) => {
    if (++failures > maxRetries) throw error;
    clearTimeout(timer);
    // A first resume goes at once; then backoff as the client's (0.5 s doubling, at most 8 s).
    const backoff = Math.min(500 * 2 ** (failures - 2), 8000) * (1 - 0.25 * Math.random());
    await wait(error.retryAfterMs ?? (failures > 1 ? backoff : 0), signal);
  };

  /** Reads an answer's headers against what is known; sets `reader` to its body. */
  function take(response: Response): void {
    const headers = response.headers;
    const length = count(headers.get("content-length"));
    let size: number | undefined;
    if (response.status === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(headers.get("content-range") ?? "");
      // A cross-origin answer may hide Content-Range: then its length must fit.
      if (range ? Number(range[1]) !== received : length === undefined) {
        throw inconsistent(`asked from byte ${received}, got ${headers.get("content-range")}`);
      }
      size = range ? count(range[2]) : received + (length ?? 0);
    } else {
      skip = received;
      // A compressed answer's Content-Length is not the video's.
      size = (headers.get("content-encoding") ?? "identity") === "identity" ? length : undefined;
    }
    if (total !== undefined && size !== undefined && size !== total) {
      throw inconsistent(`its size changed from ${total} to ${size} bytes`);
    }
    const tag = headers.get("etag") ?? undefined;
    if (etag !== undefined && tag !== undefined && tag !== etag) {
      throw inconsistent(`it changed (ETag ${etag}, now ${tag})`);
    }
    total ??= size;
    etag ??= tag;
    contentType ??= headers.get("content-type") ?? undefined;
    clearTimeout(timer);
    reader = (response.body as ReadableStream<Uint8Array>).getReader();
  }

  /** Opens the video from `received`, retrying what is worth retrying. */
  async function open(): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      attempt = new AbortController();
      watch();
      let failure: KlingApiError;
      try {
        const response = await (options.fetch ?? globalThis.fetch)(url, {
          signal: attempt.signal,
          headers: received > 0 ? { range: `bytes=${received}-` } : {},
        });
        if (response.ok && response.body) return take(response);
        failure = await httpError(url, response);
        if (!TRANSIENT.includes(response.status)) throw failure;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof KlingApiError) throw error;
        failure = dropped(error);
      }
      await retry(failure);
    }
  }

  try {
    await open();
  } catch (error) {
    stop();
    throw error;
  }
  onProgress?.({ receivedBytes: 0, totalBytes: total });

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(stream) {
        try {
          for (;;) {
            // The stall timer runs while a chunk is awaited, not while the stream's reader is busy.
            watch();
            let chunk: ReadableStreamReadResult<Uint8Array>;
            try {
              chunk = await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
            } catch (error) {
              if (signal?.aborted) throw signal.reason;
              await retry(dropped(error));
              await open();
              continue;
            }
            if (chunk.done) {
              if (total === undefined || received === total) {
                stop();
                stream.close();
                return;
              }
              await retry(dropped(new Error("the body ended early")));
              await open();
              continue;
            }
            let bytes = chunk.value;
            if (skip > 0) {
              const n = Math.min(skip, bytes.length);
              skip -= n;
              bytes = bytes.subarray(n);
              if (bytes.length === 0) continue;
            }
            received += bytes.length;
            if (total !== undefined && received > total) {
              throw inconsistent(`more than the ${total} bytes announced`);
            }
            failures = 0;
            clearTimeout(timer);
            stream.enqueue(bytes);
            onProgress?.({ receivedBytes: received, totalBytes: total });
            return;
          }
        } catch (error) {
          stop(error);
          throw error;
        }
      },
      cancel(reason) {
        stop(reason);
        return reader?.cancel(reason).catch(() => {});
      },
    },
    // One chunk read ahead: bytes that arrived are taken off the connection at once, so a drop
    // before the reader got to them does not lose them (an errored body drops what it holds).
    { highWaterMark: 1 },
  );

  return {
    url,
    get totalBytes() {
      return total;
    },
    get contentType() {
      return contentType;
    },
    body,
    async blob() {
      const blob = await new Response(body).blob();
      return new Blob([blob], { type: contentType ?? "video/mp4" });
    },
  };
}
