/// <reference types="node" />
/**
 * Node-only helpers (`@kling-multi-image/client/node`): they use `node:fs`, so they live outside
 * the main entry, which stays free of Node built-ins.
 * @packageDocumentation
 */
import { readFile, stat } from "node:fs/promises";
import { InvalidImageError, imageFromBytes, MAX_IMAGE_BYTES } from "./images.js";
import type { ImageInput } from "./types.js";

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
