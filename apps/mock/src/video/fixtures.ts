/**
 * Looks up the committed MP4 fixtures (src/generated/video-fixtures.ts, made by
 * scripts/make-video-fixtures.mjs) and decodes them from Base64 with `atob`, which Node 20 and
 * browsers both have: no `node:` imports, no file reads.
 */
import type { AspectRatio } from "../core/api-types.js";
import { VIDEO_FIXTURES, type VideoFixture } from "../generated/video-fixtures.js";

/** The aspect ratios the API accepts (from the spec); one fixture set each. */
export type { AspectRatio } from "../core/api-types.js";
export type { VideoFixture } from "../generated/video-fixtures.js";

/** The durations, in seconds, there are fixtures for. */
export const FIXTURE_DURATIONS: readonly number[] = [5, 10];

/**
 * The fixture for an aspect ratio and the fixture duration nearest to `durationSeconds`
 * (≤ 7.5 s, and NaN, → 5 s; otherwise 10 s).
 * @throws RangeError for an aspect ratio other than 16:9, 9:16 and 1:1.
 */
export function videoFixture(aspectRatio: AspectRatio, durationSeconds: number): VideoFixture {
  const duration = durationSeconds > 7.5 ? 10 : 5;
  const fixture = VIDEO_FIXTURES.find(
    (f) => f.aspectRatio === aspectRatio && f.durationSeconds === duration,
  );
  if (fixture === undefined)
    throw new RangeError(`no video fixture for aspect ratio ${aspectRatio}`);
  return fixture;
}

const decoded = new Map<VideoFixture, Uint8Array<ArrayBuffer>>();

/**
 * The bytes of a fixture, decoded on first use and cached: every call for the same fixture
 * returns the same array, so do not mutate it.
 * @throws Error when the Base64 does not decode to `fixture.byteLength` bytes.
 */
export function fixtureBytes(fixture: VideoFixture): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(fixture);
  if (bytes === undefined) {
    const binary = atob(fixture.base64);
    bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    if (bytes.length !== fixture.byteLength)
      throw new Error(
        `video fixture ${fixture.file}: ${bytes.length} bytes decoded, ${fixture.byteLength} expected`,
      );
    decoded.set(fixture, bytes);
  }
  return bytes;
}
