import { describe, expect, it } from "vitest";
import { createMp4, createMp4Detailed, dimensionsForAspectRatio } from "../../src/video/mp4.js";
import { BitReader, unescapeRbsp } from "./helpers/bit-reader.js";
import { type Box, find, parseBoxes, u16, u32 } from "./helpers/mp4-parse.js";

function fourccs(boxes: Box[]): string[] {
  return boxes.map((b) => b.type);
}

/** Reads the SPS fields we care about (§7.3.2.1.1), incl. cropped dimensions. */
function parseSps(nal: Uint8Array): {
  profile: number;
  level: number;
  width: number;
  height: number;
  pocType: number;
} {
  const r = new BitReader(unescapeRbsp(nal.subarray(1)));
  const profile = r.u(8);
  r.u(8);
  const level = r.u(8);
  r.ue(); // sps id
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  r.ue(); // max_num_ref_frames
  r.bit(); // gaps
  const wMbs = r.ue() + 1;
  const hMbs = r.ue() + 1;
  expect(r.bit()).toBe(1); // frame_mbs_only
  r.bit(); // direct_8x8
  let [cl, cr, ct, cb] = [0, 0, 0, 0];
  if (r.bit()) [cl, cr, ct, cb] = [r.ue(), r.ue(), r.ue(), r.ue()];
  return {
    profile,
    level,
    pocType,
    width: wMbs * 16 - 2 * (cl + cr),
    height: hMbs * 16 - 2 * (ct + cb),
  };
}

describe.each([
  ["16:9", 5],
  ["9:16", 10],
  ["1:1", 5],
])("createMp4 %s %is", (ratio, durationSeconds) => {
  const { width, height } = dimensionsForAspectRatio(ratio);
  const clip = createMp4Detailed({ width, height, durationSeconds });
  const bytes = clip.bytes;
  const boxes = parseBoxes(bytes);

  it("is ftyp, moov, mdat (faststart) and box sizes add up to the file", () => {
    expect(fourccs(boxes)).toEqual(["ftyp", "moov", "mdat"]);
    expect(boxes.reduce((n, b) => n + b.size, 0)).toBe(bytes.length);
    // parseBoxes already checks that every container's children exactly fill it;
    // spot-check the expected tree shape.
    expect(fourccs(find(boxes, "moov").children)).toEqual(["mvhd", "trak"]);
    expect(fourccs(find(boxes, "moov/trak/mdia/minf/stbl").children)).toEqual([
      "stsd",
      "stts",
      "stss",
      "stsc",
      "stsz",
      "stco",
    ]);
    expect(fourccs(find(boxes, "moov/trak/mdia/minf/stbl/stsd/avc1").children)).toEqual(["avcC"]);
  });

  it("declares the requested size and duration", () => {
    const tkhd = find(boxes, "moov/trak/tkhd").payload;
    expect(u32(tkhd, 76) / 65536).toBe(width);
    expect(u32(tkhd, 80) / 65536).toBe(height);
    const avc1 = find(boxes, "moov/trak/mdia/minf/stbl/stsd/avc1").payload;
    expect([u16(avc1, 24), u16(avc1, 26)]).toEqual([width, height]);
    const mdhd = find(boxes, "moov/trak/mdia/mdhd").payload;
    expect(u32(mdhd, 16) / u32(mdhd, 12)).toBe(durationSeconds);
    const mvhd = find(boxes, "moov/mvhd").payload;
    expect(u32(mvhd, 16) / u32(mvhd, 12)).toBe(durationSeconds);
  });

  it("has a sample table consistent with mdat", () => {
    const stbl = find(boxes, "moov/trak/mdia/minf/stbl");
    const stsz = find(stbl.children, "stsz").payload;
    const count = u32(stsz, 8);
    expect(count).toBe(clip.frameCount);
    expect(count).toBe(durationSeconds * 24);
    const sizes = Array.from({ length: count }, (_, i) => u32(stsz, 12 + 4 * i));
    const mdat = find(boxes, "mdat");
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(mdat.payload.length);
    const stco = find(stbl.children, "stco").payload;
    expect(u32(stco, 4)).toBe(1);
    expect(u32(stco, 8)).toBe(mdat.payloadStart);
    // stts durations sum to the mdhd duration
    const stts = find(stbl.children, "stts").payload;
    let total = 0;
    for (let i = 0; i < u32(stts, 4); i++) total += u32(stts, 8 + 8 * i) * u32(stts, 12 + 8 * i);
    expect(total).toBe(u32(find(boxes, "moov/trak/mdia/mdhd").payload, 16));
    // stss: 1-based keyframe numbers, first sample is a keyframe
    const stss = find(stbl.children, "stss").payload;
    const sync = Array.from({ length: u32(stss, 4) }, (_, i) => u32(stss, 8 + 4 * i));
    expect(sync[0]).toBe(1);
    expect(sync.length).toBe(clip.keyframeCount);

    // Walk every sample: length-prefixed NAL units that exactly fill it; IDR only at sync samples.
    let o = 0;
    sizes.forEach((size, i) => {
      const sample = mdat.payload.subarray(o, o + size);
      let p = 0;
      const types: number[] = [];
      while (p < size) {
        const len = u32(sample, p);
        const nal = sample.subarray(p + 4, p + 4 + len);
        types.push(nal[0]! & 0x1f);
        // Emulation prevention: no 00 00 0x (x ≤ 3) inside a NAL except the escape itself.
        for (let k = 2; k < nal.length; k++) {
          if (nal[k - 2] === 0 && nal[k - 1] === 0) expect(nal[k]).toBe(3);
        }
        p += 4 + len;
      }
      expect(p).toBe(size);
      expect(types).toEqual([sync.includes(i + 1) ? 5 : 1]);
      o += size;
    });
  });

  it("carries an avcC whose SPS describes the same picture", () => {
    const avcC = find(boxes, "moov/trak/mdia/minf/stbl/stsd/avc1/avcC").payload;
    expect(avcC[0]).toBe(1); // configurationVersion
    expect(avcC[4]! & 3).toBe(3); // 4-byte NAL lengths
    expect(avcC[5]! & 0x1f).toBe(1); // one SPS
    const spsLen = u16(avcC, 6);
    const sps = avcC.subarray(8, 8 + spsLen);
    expect(Array.from(avcC.subarray(1, 4))).toEqual(Array.from(sps.subarray(1, 4)));
    expect(avcC[8 + spsLen]).toBe(1); // one PPS
    const info = parseSps(sps);
    expect(info).toMatchObject({ profile: 66, width, height, pocType: 2 });
    expect(clip.codecs).toBe(`avc1.42C0${info.level.toString(16).toUpperCase()}`);
  });

  it("is small", () => {
    expect(bytes.length).toBeLessThan(40_000);
  });
});

describe("createMp4 options", () => {
  it("matches odd durations exactly by shortening the last frame", () => {
    const clip = createMp4Detailed({ width: 320, height: 180, durationSeconds: 2.345, fps: 10 });
    expect(clip.frameCount).toBe(24);
    expect(clip.durationSeconds).toBe(2.345);
    const stts = find(parseBoxes(clip.bytes), "moov/trak/mdia/minf/stbl/stts").payload;
    expect([u32(stts, 4), u32(stts, 8), u32(stts, 12), u32(stts, 16), u32(stts, 20)]).toEqual([
      2, 23, 1000, 1, 450,
    ]);
  });

  it("omits stss when every frame is a keyframe and keeps one IDR with Infinity", () => {
    const single = createMp4Detailed({
      width: 64,
      height: 64,
      durationSeconds: 3,
      keyframeIntervalSeconds: Infinity,
    });
    expect(single.keyframeCount).toBe(1);
    const one = createMp4({ width: 64, height: 64, durationSeconds: 1 / 24 });
    const stbl = find(parseBoxes(one), "moov/trak/mdia/minf/stbl");
    expect(stbl.children.some((b) => b.type === "stss")).toBe(false);
  });

  it("is deterministic", () => {
    const a = createMp4({ width: 640, height: 360, durationSeconds: 5 });
    const b = createMp4({ width: 640, height: 360, durationSeconds: 5 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it("rejects invalid input", () => {
    expect(() => createMp4({ width: 641, height: 360, durationSeconds: 5 })).toThrow(RangeError);
    expect(() => createMp4({ width: 0, height: 360, durationSeconds: 5 })).toThrow(RangeError);
    expect(() => createMp4({ width: 640, height: 360, durationSeconds: 0 })).toThrow(RangeError);
    expect(() => createMp4({ width: 640, height: 360, durationSeconds: Number.NaN })).toThrow(
      RangeError,
    );
    expect(() => createMp4({ width: 640, height: 360, durationSeconds: 5, fps: 23.976 })).toThrow(
      RangeError,
    );
  });
});

describe("dimensionsForAspectRatio", () => {
  it.each([
    ["16:9", 640, { width: 640, height: 360 }],
    ["9:16", 640, { width: 360, height: 640 }],
    ["1:1", 640, { width: 640, height: 640 }],
    ["16:9", 320, { width: 320, height: 180 }],
    ["4:3", 640, { width: 640, height: 480 }],
    ["21:9", 1280, { width: 1280, height: 548 }],
    [" 9 : 16 ", 1920, { width: 1080, height: 1920 }],
  ])("%s @%i → %o", (ratio, longSide, expected) => {
    expect(dimensionsForAspectRatio(ratio, longSide)).toEqual(expected);
  });

  it("rejects garbage", () => {
    expect(() => dimensionsForAspectRatio("wide")).toThrow(RangeError);
    expect(() => dimensionsForAspectRatio("0:1")).toThrow(RangeError);
    expect(() => dimensionsForAspectRatio("16:9", 641)).toThrow(RangeError);
  });
});
