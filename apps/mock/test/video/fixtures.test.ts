import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { VIDEO_FIXTURES } from "../../src/generated/video-fixtures.js";
import {
  type AspectRatio,
  MP4_MIME_TYPE,
  videoBytes,
  videoFixture,
} from "../../src/video/index.js";
import {
  type Box,
  find,
  parseBoxes,
  timescaleAndDuration,
  tkhdSize,
  u16,
  u32,
} from "./helpers/mp4-parse.js";

const root = new URL("../../", import.meta.url);
const fixturesDir = fileURLToPath(new URL("fixtures/", root));

/** Every fixture must stay small: they are embedded (as Base64, +33 %) in a browser bundle. */
const MAX_BYTES = 20_000;
const FPS = 10;

const EXPECTED: ReadonlyArray<{
  aspectRatio: AspectRatio;
  durationSeconds: number;
  width: number;
  height: number;
}> = [
  { aspectRatio: "16:9", durationSeconds: 5, width: 320, height: 180 },
  { aspectRatio: "16:9", durationSeconds: 10, width: 320, height: 180 },
  { aspectRatio: "9:16", durationSeconds: 5, width: 180, height: 320 },
  { aspectRatio: "9:16", durationSeconds: 10, width: 180, height: 320 },
  { aspectRatio: "1:1", durationSeconds: 5, width: 240, height: 240 },
  { aspectRatio: "1:1", durationSeconds: 10, width: 240, height: 240 },
];

const RATIO: Record<AspectRatio, number> = { "16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1 };

const ascii = (b: Uint8Array): string => String.fromCharCode(...b);

describe.each(EXPECTED)("videoBytes($aspectRatio, $durationSeconds)", (want) => {
  const bytes = videoBytes(want.aspectRatio, want.durationSeconds);
  const boxes = parseBoxes(bytes); // throws unless box sizes add up exactly
  const trak = find(boxes, "moov/trak");
  const stbl = find(boxes, "moov/trak/mdia/minf/stbl");

  it(`is at most ${MAX_BYTES} bytes`, () => {
    expect(bytes.length).toBeGreaterThan(1_000);
    expect(bytes.length).toBeLessThanOrEqual(MAX_BYTES);
  });

  it("starts with ftyp and has moov before mdat (faststart)", () => {
    const types = boxes.map((b) => b.type);
    expect(types[0]).toBe("ftyp");
    expect(ascii(bytes.subarray(8, 12))).toBe("isom"); // major brand
    expect(types.indexOf("moov")).toBeGreaterThan(0);
    expect(types.indexOf("moov")).toBeLessThan(types.indexOf("mdat"));
  });

  it("has one video track and no audio", () => {
    const traks = find(boxes, "moov").children.filter((b: Box) => b.type === "trak");
    expect(traks).toHaveLength(1);
    expect(ascii(find(boxes, "moov/trak/mdia/hdlr").payload.subarray(8, 12))).toBe("vide");
  });

  it("is H.264 (avc1, Baseline or Main profile)", () => {
    const stsd = find(boxes, "moov/trak/mdia/minf/stbl/stsd");
    expect(u32(stsd.payload, 4)).toBe(1); // entry_count
    expect(stsd.children.map((b) => b.type)).toEqual(["avc1"]);
    const avcC = find(boxes, "moov/trak/mdia/minf/stbl/stsd/avc1/avcC").payload;
    expect(avcC[0]).toBe(1); // configurationVersion
    expect([66, 77]).toContain(avcC[1]); // AVCProfileIndication
  });

  it(`is ${want.width}x${want.height} in avc1 and tkhd, i.e. ${want.aspectRatio}`, () => {
    const avc1 = find(boxes, "moov/trak/mdia/minf/stbl/stsd/avc1").payload;
    const coded = { width: u16(avc1, 24), height: u16(avc1, 26) };
    expect(coded).toEqual({ width: want.width, height: want.height });
    expect(tkhdSize(find(trak.children, "tkhd").payload)).toEqual(coded);
    expect(coded.width / coded.height).toBeCloseTo(RATIO[want.aspectRatio], 2);
    expect(Math.max(coded.width, coded.height)).toBeLessThanOrEqual(320);
  });

  it(`lasts ${want.durationSeconds} s (mvhd, mdhd, stts) within one frame`, () => {
    const frame = 1 / FPS;
    const mvhd = timescaleAndDuration(find(boxes, "moov/mvhd").payload);
    expect(Math.abs(mvhd.duration / mvhd.timescale - want.durationSeconds)).toBeLessThanOrEqual(
      frame,
    );
    const mdhd = timescaleAndDuration(find(boxes, "moov/trak/mdia/mdhd").payload);
    expect(Math.abs(mdhd.duration / mdhd.timescale - want.durationSeconds)).toBeLessThanOrEqual(
      frame,
    );
    // The sample table agrees: sum of sample_count * sample_delta over the stts entries.
    const stts = find(stbl.children, "stts").payload;
    let ticks = 0;
    let samples = 0;
    for (let i = 0; i < u32(stts, 4); i++) {
      samples += u32(stts, 8 + 8 * i);
      ticks += u32(stts, 8 + 8 * i) * u32(stts, 12 + 8 * i);
    }
    expect(Math.abs(ticks / mdhd.timescale - want.durationSeconds)).toBeLessThanOrEqual(frame);
    expect(samples).toBe(want.durationSeconds * FPS);
    expect(u32(find(stbl.children, "stsz").payload, 8)).toBe(samples);
  });

  it("has a keyframe at least every 2 s (seek points)", () => {
    const stss = find(stbl.children, "stss").payload;
    expect(u32(stss, 4)).toBeGreaterThanOrEqual(want.durationSeconds / 2);
  });
});

describe("videoBytes", () => {
  it("picks the nearest fixture duration: 7.5 s or less → 5 s, longer → 10 s", () => {
    const five = videoBytes("9:16", 5);
    const ten = videoBytes("9:16", 10);
    expect(five).not.toEqual(ten);
    for (const d of [0, 1, 5, 7.5, Number.NaN]) expect(videoBytes("9:16", d)).toBe(five);
    for (const d of [7.6, 10, 15, 60]) expect(videoBytes("9:16", d)).toBe(ten);
  });

  it("decodes once and returns the same cached array", () => {
    expect(videoBytes("1:1", 10)).toBe(videoBytes("1:1", 10));
  });

  it("throws RangeError for an unknown aspect ratio", () => {
    expect(() => videoBytes("4:3" as AspectRatio, 5)).toThrow(RangeError);
  });

  it("is served as video/mp4", () => {
    expect(MP4_MIME_TYPE).toBe("video/mp4");
  });
});

describe("generated module vs fixtures/*.mp4", () => {
  it("lists exactly the .mp4 files in fixtures/", () => {
    const onDisk = readdirSync(fixturesDir).filter((f) => f.endsWith(".mp4"));
    expect(VIDEO_FIXTURES.map((f) => f.file).sort()).toEqual(onDisk.sort());
  });

  it.each(EXPECTED)("$aspectRatio $durationSeconds s: same bytes as the file", (want) => {
    const fixture = videoFixture(want.aspectRatio, want.durationSeconds);
    expect(fixture).toMatchObject(want);
    expect(fixture.file).toBe(`video-${want.width}x${want.height}-${want.durationSeconds}s.mp4`);
    const file = new Uint8Array(readFileSync(fixturesDir + fixture.file));
    const bytes = videoBytes(want.aspectRatio, want.durationSeconds);
    expect(bytes.length).toBe(fixture.byteLength);
    expect(Buffer.from(bytes).equals(file)).toBe(true);
  });

  it("is what `make-video-fixtures.mjs --check` regenerates (no ffmpeg needed)", () => {
    const script = fileURLToPath(new URL("scripts/make-video-fixtures.mjs", root));
    expect(() =>
      execFileSync(process.execPath, [script, "--check"], { stdio: "pipe", encoding: "utf8" }),
    ).not.toThrow();
  });
});

describe("runtime neutrality", () => {
  it("src/video and the generated module import nothing from node: and use no Node globals", () => {
    const files = [
      ...readdirSync(fileURLToPath(new URL("src/video/", root))).map((f) => `src/video/${f}`),
      "src/generated/video-fixtures.ts",
    ];
    expect(files).toContain("src/video/index.ts");
    for (const f of files) {
      const text = readFileSync(fileURLToPath(new URL(f, root)), "utf8");
      expect(text, f).not.toMatch(/["']node:|\brequire\(/); // any import of a node: module
      expect(text, f).not.toMatch(/\b(Buffer|process)\./);
    }
  });
});
