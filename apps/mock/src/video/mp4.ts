/**
 * Synthesises small, playable, seekable H.264 MP4 clips in memory with no
 * dependencies: a dark background with an amber bar bouncing left↔right, so a
 * player visibly "plays" and a seek lands on a different picture.
 *
 * @example
 * ```ts
 * const { width, height } = dimensionsForAspectRatio('9:16');
 * const mp4 = createMp4({ width, height, durationSeconds: 5 }); // ≈ 10–20 KB, a few ms
 * res.writeHead(200, { 'content-type': MP4_MIME_TYPE }).end(mp4);
 * ```
 */
import { type EncodedFrame, H264BarEncoder, type YCbCr } from "./h264.js";
import { muxAvcMp4 } from "./mp4-mux.js";

/** MIME type to serve the output with. */
export const MP4_MIME_TYPE = "video/mp4";

/** Options for {@link createMp4}. */
export interface CreateMp4Options {
  /** Display width in pixels: an even integer ≥ 2 (4:2:0 chroma). */
  readonly width: number;
  /** Display height in pixels: an even integer ≥ 2. */
  readonly height: number;
  /** Clip length in seconds (> 0). Any value works; the last frame is shortened to match exactly. */
  readonly durationSeconds: number;
  /** Integer frames per second, 1..240. Default 24. */
  readonly fps?: number;
  /**
   * Approximate seconds between keyframes (IDR pictures), which is the seek
   * granularity. Default 2. Rounded so keyframes fall on macroblock-aligned bar
   * positions. Use `Infinity` for a single keyframe (smallest file).
   */
  readonly keyframeIntervalSeconds?: number;
}

/** Result of {@link createMp4Detailed}. */
export interface Mp4Clip {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameCount: number;
  readonly keyframeCount: number;
  /** Exact duration as written in the file (mdhd), in seconds. */
  readonly durationSeconds: number;
  /** RFC 6381 codecs parameter, e.g. `avc1.42C01E`, for `video/mp4; codecs="…"`. */
  readonly codecs: string;
}

// BT.601 limited-range approximations of slate-800 (#1e293b) and amber-500 (#f59e0b).
const BACKGROUND: YCbCr = { y: 50, cb: 137, cr: 122 };
const BAR: YCbCr = { y: 160, cb: 51, cr: 177 };
/** The bar never touches x = 0 (IDR row 0 starts with background) and starts MB-aligned. */
const BAR_MIN_X = 16;
/** Ticks per frame in the media timescale (timescale = fps · 1000), so durations can be trimmed to 1 ms. */
const TICKS_PER_FRAME = 1000;

/**
 * Builds an H.264 (Constrained Baseline) MP4 of the given size and duration.
 * Generation is deterministic; the same options always yield the same bytes.
 * @throws RangeError for invalid dimensions, duration or fps.
 */
export function createMp4(options: CreateMp4Options): Uint8Array {
  return createMp4Detailed(options).bytes;
}

/** Like {@link createMp4} but also returns metadata about the clip. */
export function createMp4Detailed(options: CreateMp4Options): Mp4Clip {
  const { width, height, durationSeconds } = options;
  const fps = options.fps ?? 24;
  const keyframeIntervalSeconds = options.keyframeIntervalSeconds ?? 2;
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0)
    throw new RangeError(`durationSeconds must be > 0, got ${durationSeconds}`);
  if (!(keyframeIntervalSeconds > 0)) throw new RangeError("keyframeIntervalSeconds must be > 0");

  const timescale = fps * TICKS_PER_FRAME;
  const totalTicks = Math.max(1, Math.round(durationSeconds * timescale));
  const frameCount = Math.ceil(totalTicks / TICKS_PER_FRAME);
  const durations = new Array<number>(frameCount).fill(TICKS_PER_FRAME);
  durations[frameCount - 1] = totalTicks - (frameCount - 1) * TICKS_PER_FRAME;

  // Motion: integer pixels per frame (no sub-pel interpolation → no drift).
  // A step dividing 16 lets keyframes land on MB-aligned bar positions.
  const step = fps <= 12 ? 16 : fps <= 30 ? 8 : 4;
  const barWidth = width >= 256 ? 32 : 16;
  // Keep ≥ 1 px of background right of the bar (see H264BarEncoder.encodeP).
  const travel = 16 * Math.floor((width - 1 - barWidth - BAR_MIN_X) / 16);
  const hasBar = travel >= 0;
  const barX = (frame: number): number | null => {
    if (!hasBar) return null;
    if (travel === 0) return BAR_MIN_X;
    const s = (frame * step) % (2 * travel); // triangle wave: bounce between the edges
    return BAR_MIN_X + (s <= travel ? s : 2 * travel - s);
  };
  const align = 16 / step;
  const gop = Number.isFinite(keyframeIntervalSeconds)
    ? Math.max(align, Math.round((keyframeIntervalSeconds * fps) / align) * align)
    : Number.POSITIVE_INFINITY;

  const encoder = new H264BarEncoder({
    width,
    height,
    fps,
    barWidth,
    background: BACKGROUND,
    barColour: BAR,
  });
  const frames: EncodedFrame[] = [];
  for (let n = 0; n < frameCount; n++) {
    frames.push(n % gop === 0 ? encoder.encodeIdr(barX(n)) : encoder.encodeP(barX(n - 1), barX(n)));
  }

  const bytes = muxAvcMp4({
    width,
    height,
    timescale,
    sps: encoder.sps,
    pps: encoder.pps,
    samples: frames,
    sampleDurations: durations,
  });
  const { profileIdc, constraintFlags, levelIdc } = encoder.profile;
  const hex = (v: number): string => v.toString(16).toUpperCase().padStart(2, "0");
  return {
    bytes,
    width,
    height,
    fps,
    frameCount,
    keyframeCount: frames.filter((f) => f.keyframe).length,
    durationSeconds: totalTicks / timescale,
    codecs: `avc1.${hex(profileIdc)}${hex(constraintFlags)}${hex(levelIdc)}`,
  };
}

/** Aspect ratios the mock API accepts out of the box (any "W:H" string also works). */
export type AspectRatio = "16:9" | "9:16" | "1:1" | `${number}:${number}`;

/**
 * Maps an aspect ratio such as `'16:9'`, `'9:16'` or `'1:1'` to even pixel
 * dimensions whose longer side is `longSide` (default 640 → 640x360, 360x640,
 * 640x640). The shorter side is rounded to the nearest even number.
 * @throws RangeError for malformed ratios.
 */
export function dimensionsForAspectRatio(
  ratio: AspectRatio | string,
  longSide = 640,
): { width: number; height: number } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*[:x/]\s*(\d+(?:\.\d+)?)\s*$/.exec(ratio);
  const w = Number(m?.[1]);
  const h = Number(m?.[2]);
  if (!m || !(w > 0) || !(h > 0)) throw new RangeError(`invalid aspect ratio: ${ratio}`);
  if (!Number.isInteger(longSide) || longSide < 16 || longSide % 2)
    throw new RangeError("longSide must be an even integer ≥ 16");
  const even = (v: number): number => Math.max(2, 2 * Math.round(v / 2));
  return w >= h
    ? { width: longSide, height: even((longSide * h) / w) }
    : { width: even((longSide * w) / h), height: longSide };
}

const cache = new Map<string, Uint8Array>();
const CACHE_LIMIT = 32;

/**
 * {@link createMp4} with a small in-memory LRU cache keyed by the options, for
 * servers that hand out the same few clips repeatedly. The returned array is
 * shared between callers: do not mutate it.
 */
export function createMp4Cached(options: CreateMp4Options): Uint8Array {
  const key = [
    options.width,
    options.height,
    options.durationSeconds,
    options.fps ?? 24,
    options.keyframeIntervalSeconds ?? 2,
  ].join("|");
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // re-insert to mark as most recently used
    cache.set(key, hit);
    return hit;
  }
  const bytes = createMp4(options);
  cache.set(key, bytes);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return bytes;
}
