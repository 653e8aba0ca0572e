/** Image files made on the fly, for the CLI's image checks (PNGs: `png` of test-support). */
import { writeFileSync } from "node:fs";

/** A 1x1 GIF89a. */
export const GIF = Buffer.from(
  "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
  "base64",
);

/** Writes `bytes` to `path` and returns the path. */
export function file(path: string, bytes: Uint8Array): string {
  writeFileSync(path, bytes);
  return path;
}

/** The headers of a baseline JPEG of `width` x `height` (enough for a size check; no pixels). */
export function jpeg(width: number, height: number): Buffer {
  const app0 = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
  const sof0 = [
    0xff,
    0xc0,
    0,
    11,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    1,
    1,
    0x11,
    0,
  ];
  return Buffer.from([0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9]);
}
