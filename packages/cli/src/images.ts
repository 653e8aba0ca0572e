/**
 * The images of a submit, checked before any request as Kling documents them: JPEG or PNG, at
 * most 10 MB, at least 300 px on each side, an aspect ratio between 1:2.5 and 2.5:1, one to four
 * of them. Local files become raw Base64 entries; http(s) URLs pass through (the server checks
 * those).
 */
import { readFile, stat } from "node:fs/promises";
import type { ImageInput } from "@kling-multi-image/client";
import { imageFromBytes, imageFromUrl, MAX_IMAGE_BYTES } from "@kling-multi-image/client/images";
import { imageSize } from "image-size";
import { badInput } from "./exit.js";
import { formatBytes } from "./format.js";

/** Kling's limits on reference images. */
export const IMAGE_RULES = {
  maxImages: 4,
  maxBytes: MAX_IMAGE_BYTES,
  minSide: 300,
  /** Width to height, both ways: 1:2.5 to 2.5:1. */
  maxRatio: 2.5,
  formats: ["jpg", "png"],
} as const;

/** Whether an `--image` value is a URL (else a local path). */
export function isUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^data:/i.test(value);
}

/** Why one local image cannot be sent, or `undefined` when it can; `bytes` is its content. */
export function imageProblem(name: string, bytes: Uint8Array): string | undefined {
  if (bytes.length > IMAGE_RULES.maxBytes) {
    return `${name} is ${formatBytes(bytes.length)}; Kling takes images of at most 10 MB`;
  }
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch {
    return `${name} is not a JPEG or PNG image; Kling takes JPEG (.jpg, .jpeg) or PNG only`;
  }
  const type = size.type ?? "unknown";
  if (!(IMAGE_RULES.formats as readonly string[]).includes(type)) {
    return `${name} is a ${type.toUpperCase()} image; Kling takes JPEG (.jpg, .jpeg) or PNG only`;
  }
  const { width, height } = size;
  if (width < IMAGE_RULES.minSide || height < IMAGE_RULES.minSide) {
    return `${name} is ${width}x${height} px; Kling needs at least ${IMAGE_RULES.minSide} px on each side`;
  }
  const ratio = width / height;
  if (ratio > IMAGE_RULES.maxRatio || ratio < 1 / IMAGE_RULES.maxRatio) {
    const r = ratio >= 1 ? `${round(ratio)}:1` : `1:${round(1 / ratio)}`;
    return `${name} is ${width}x${height} px (${r}); Kling needs an aspect ratio between 1:2.5 and 2.5:1`;
  }
  return undefined;
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/**
 * Checks every `--image` and turns them into `image_list` entries. Every problem is reported at
 * once, one per line, in a bad-input error (exit 2); nothing is sent.
 */
export async function loadImages(values: readonly string[]): Promise<ImageInput[]> {
  if (values.length === 0) {
    throw badInput("no --image given; Kling takes 1 to 4 images (a file path or an http(s) URL)");
  }
  if (values.length > IMAGE_RULES.maxImages) {
    throw badInput(`${values.length} images given; Kling takes at most 4 (--image)`);
  }
  const problems: string[] = [];
  const images: ImageInput[] = [];
  for (const value of values) {
    if (isUrl(value)) {
      try {
        images.push(imageFromUrl(value));
      } catch {
        problems.push(
          `${value.slice(0, 100)} is not an http(s) URL; give a file path or an http(s) URL`,
        );
      }
      continue;
    }
    let bytes: Uint8Array;
    try {
      const { size } = await stat(value);
      // Too large: said without reading 11 MB or more.
      if (size > IMAGE_RULES.maxBytes) {
        problems.push(`${value} is ${formatBytes(size)}; Kling takes images of at most 10 MB`);
        continue;
      }
      bytes = await readFile(value);
    } catch (error) {
      const code = (error as { code?: string }).code;
      problems.push(
        code === "ENOENT"
          ? `${value}: no such file`
          : code === "EISDIR"
            ? `${value} is a folder, not an image`
            : `${value} cannot be read (${code ?? String(error)})`,
      );
      continue;
    }
    const problem = imageProblem(value, bytes);
    if (problem) problems.push(problem);
    else images.push(imageFromBytes(bytes));
  }
  if (problems.length > 0) throw badInput(problems.join("\n"));
  return images;
}
