/// <reference types="node" />
/**
 * Node-only helpers (`@kling-multi-image/client/node`): image files and video downloads to a
 * file. They use `node:fs`, so they live outside the main entry, which stays free of Node
 * built-ins.
 * @packageDocumentation
 */
import { open, readFile, rename, rm, stat } from "node:fs/promises";
import { type DownloadOptions, downloadVideo, type VideoSource } from "./download.js";
import { InvalidImageError, imageFromBytes, MAX_IMAGE_BYTES } from "./images.js";
import type { ImageInput } from "./types.js";

export type { DownloadOptions, DownloadProgress, VideoSource } from "./download.js";

/**
 * An `image_list` entry from a JPEG/PNG file on disk: raw Base64, no `data:` prefix. The size is
 * checked before the file is read.
 * @throws InvalidImageError when the file is not JPEG/PNG or exceeds 10 MB.
 */
export async function imageFromFile(path: string | URL): Promise<ImageInput> {
  const { size } = await stat(path);
  if (size > MAX_IMAGE_BYTES) {
    throw new InvalidImageError(
      `${String(path)} is ${size} bytes; the limit is ${MAX_IMAGE_BYTES}`,
    );
  }
  return imageFromBytes(await readFile(path));
}

/** What {@link downloadVideoToFile} wrote. */
export interface DownloadedFile {
  /** The file written (the `path` given). */
  path: string | URL;
  /** Its size in bytes. */
  bytes: number;
  /** The video's URL. */
  url: string;
  /** The `Content-Type` the server gave, when it gave one. */
  contentType: string | undefined;
}

/**
 * Downloads a task's video (see `downloadVideo` in `./download`: progress, resume with `Range`
 * after a dropped connection, length check) into `path`, atomically: the bytes go to a temporary
 * file beside it (`<path>.<random>.part`), which is flushed to disk and then renamed to `path`
 * (replacing a file already there). On any failure or abort the temporary file is removed and
 * `path` is left as it was. Kling deletes videos 30 days after they are made.
 * @throws what `downloadVideo` throws, or the file system's error (a missing folder, say).
 */
export async function downloadVideoToFile(
  source: VideoSource,
  path: string | URL,
  options: DownloadOptions = {},
): Promise<DownloadedFile> {
  const video = await downloadVideo(source, options);
  const suffix = `.${globalThis.crypto.randomUUID().slice(0, 8)}.part`;
  const temp = typeof path === "string" ? `${path}${suffix}` : new URL(`${path.href}${suffix}`);
  const reader = video.body.getReader();
  let file: Awaited<ReturnType<typeof open>> | undefined;
  try {
    file = await open(temp, "wx");
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await file.write(value);
      bytes += value.length;
    }
    await file.sync();
    await file.close();
    file = undefined;
    await rename(temp, path);
    return { path, bytes, url: video.url, contentType: video.contentType };
  } catch (error) {
    await file?.close().catch(() => {});
    // Stops the download when the file failed first; a no-op once the body failed.
    await reader.cancel(error).catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}
