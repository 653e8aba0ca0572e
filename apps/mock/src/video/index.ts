/**
 * The mock's "generated video": a real, playable H.264 MP4 synthesised in memory whose aspect
 * ratio and duration match what the task asked for, served with HTTP Range support so a
 * `<video>` element can seek.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createMp4Cached, dimensionsForAspectRatio, MP4_MIME_TYPE } from "./mp4.js";
import { sendBytes } from "./range.js";

export { createMp4, createMp4Detailed, dimensionsForAspectRatio, MP4_MIME_TYPE } from "./mp4.js";
export { parseRange, sendBytes } from "./range.js";

/** The aspect ratios the API accepts. */
export type AspectRatio = "16:9" | "9:16" | "1:1";

/** The MP4 for a task: 640 px on the long side, `durationSeconds` long. Cached per combination. */
export function videoBytes(aspectRatio: AspectRatio, durationSeconds: number): Uint8Array {
  const { width, height } = dimensionsForAspectRatio(aspectRatio);
  return createMp4Cached({ width, height, durationSeconds });
}

/** Answers GET or HEAD for a video: 200, 206 for a satisfiable range, 416 otherwise. */
export function sendVideo(req: IncomingMessage, res: ServerResponse, bytes: Uint8Array): void {
  res.setHeader("cache-control", "public, max-age=86400, immutable");
  sendBytes(req, res, bytes, MP4_MIME_TYPE);
}
