/**
 * The mock's "generated video": one of six small committed H.264 MP4 files (16:9, 9:16, 1:1 ×
 * 5 s, 10 s; made by scripts/make-video-fixtures.mjs with ffmpeg, embedded as Base64), served with
 * HTTP Range support so a `<video>` element can seek. Runtime-neutral: no `node:` imports, so the
 * same code runs in the Node server and in a browser (MSW handlers call {@link videoReply} or
 * {@link rangeReply}).
 */
import { type AspectRatio, fixtureBytes, videoFixture } from "./fixtures.js";
import {
  type MinimalRequest,
  type MinimalResponse,
  type RangeReply,
  rangeReply,
  writeReply,
} from "./range.js";

export {
  type AspectRatio,
  FIXTURE_DURATIONS,
  fixtureBytes,
  type VideoFixture,
  videoFixture,
} from "./fixtures.js";
export {
  type ByteRange,
  type MinimalRequest,
  type MinimalResponse,
  parseRange,
  type RangeReply,
  type RangeResult,
  rangeReply,
  sendBytes,
} from "./range.js";

/** MIME type the videos are served with. */
export const MP4_MIME_TYPE = "video/mp4";

/** `Cache-Control` of video answers: a task's video never changes. */
export const VIDEO_CACHE_CONTROL = "public, max-age=86400, immutable";

/**
 * The MP4 for a task: the committed fixture for `aspectRatio` (320x180, 180x320 or 240x240,
 * H.264, 10 fps, no audio) whose duration is nearest to `durationSeconds`. There are only 5 s and
 * 10 s fixtures: 7.5 s or less (and NaN) gives the 5 s file, anything longer the 10 s file.
 * Decoded once per fixture and cached; the returned array is shared, so do not mutate it.
 * @throws RangeError for an aspect ratio other than 16:9, 9:16 and 1:1.
 */
export function videoBytes(
  aspectRatio: AspectRatio,
  durationSeconds: number,
): Uint8Array<ArrayBuffer> {
  return fixtureBytes(videoFixture(aspectRatio, durationSeconds));
}

/**
 * The answer to GET or HEAD for a video, as data: {@link rangeReply} with `video/mp4` plus
 * {@link VIDEO_CACHE_CONTROL}, for adapters such as MSW handlers.
 */
export function videoReply<B extends ArrayBufferLike = ArrayBufferLike>(
  method: string,
  rangeHeader: string | undefined | null,
  bytes: Uint8Array<B>,
): RangeReply<B> {
  const reply = rangeReply(method, rangeHeader, bytes, MP4_MIME_TYPE);
  return { ...reply, headers: { ...reply.headers, "cache-control": VIDEO_CACHE_CONTROL } };
}

/** Answers GET or HEAD for a video on a node:http-like response: 200, 206 for a satisfiable range, 416 otherwise. */
export function sendVideo(req: MinimalRequest, res: MinimalResponse, bytes: Uint8Array): void {
  writeReply(res, videoReply(req.method ?? "GET", req.headers.range, bytes));
}
