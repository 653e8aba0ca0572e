import { describe, expect, it } from "vitest";
import {
  chooseLevel,
  chromaDcResidual,
  H264BarEncoder,
  lumaDcResidual,
  nalUnit,
} from "../../src/video/h264.js";

describe("nalUnit emulation prevention", () => {
  it.each([
    [
      [0, 0, 0],
      [0, 0, 3, 0],
    ],
    [
      [0, 0, 1],
      [0, 0, 3, 1],
    ],
    [
      [0, 0, 2],
      [0, 0, 3, 2],
    ],
    [
      [0, 0, 3],
      [0, 0, 3, 3],
    ],
    [
      [0, 0, 4],
      [0, 0, 4],
    ],
    [
      [0, 0, 0, 0, 0],
      [0, 0, 3, 0, 0, 3, 0],
    ],
    [
      [1, 0, 0, 1, 0, 0],
      [1, 0, 0, 3, 1, 0, 0],
    ],
  ])("%j → %j", (rbsp, escaped) => {
    expect(Array.from(nalUnit(3, 7, Uint8Array.from(rbsp)))).toEqual([0x67, ...escaped]);
  });
});

describe("chooseLevel", () => {
  it("picks the lowest level that fits (Table A-1)", () => {
    expect(chooseLevel(40, 23, 24)).toBe(30); // 640x360@24
    expect(chooseLevel(20, 12, 10)).toBe(11); // 320x180@10: 240 MBs ≤ 396, 2400 MB/s ≤ 3000
    expect(chooseLevel(80, 45, 30)).toBe(31); // 720p30
    expect(chooseLevel(120, 68, 60)).toBe(42); // 1080p60
    expect(() => chooseLevel(2000, 2000, 60)).toThrow(RangeError);
  });
});

describe("DC residual model", () => {
  it("matches hand-computed QP 26 values", () => {
    // luma: dcY = 52·c, residual = (52c + 32) >> 6; chroma: dcC = 104·c
    expect(lumaDcResidual(1)).toBe(1);
    expect(lumaDcResidual(10)).toBe(8);
    expect(lumaDcResidual(-10)).toBe(-8);
    expect(chromaDcResidual(1)).toBe(2);
    expect(chromaDcResidual(-7)).toBe(-11);
  });
});

describe("H264BarEncoder", () => {
  const enc = (): H264BarEncoder =>
    new H264BarEncoder({
      width: 640,
      height: 360,
      fps: 24,
      barWidth: 32,
      background: { y: 50, cb: 137, cr: 122 },
      barColour: { y: 160, cb: 51, cr: 177 },
    });

  it("reconstructs colours close to the requested ones", () => {
    const e = enc();
    expect(e.decodedBackground).toEqual({ y: 50, cb: 136, cr: 123 });
    expect(Math.abs(e.decodedBar.y - 160)).toBeLessThanOrEqual(1);
    expect(Math.abs(e.decodedBar.cb - 51)).toBeLessThanOrEqual(1);
  });

  it("emits tiny P pictures and an all-skip picture when nothing moves", () => {
    const e = enc();
    expect(e.encodeIdr(16).data.length).toBeLessThan(1200);
    expect(e.encodeP(16, 24).data.length).toBeLessThan(64);
    expect(e.encodeP(24, 24).data.length).toBeLessThan(16);
  });

  it("refuses bar positions that would break exact motion copies", () => {
    expect(() => enc().encodeIdr(8)).toThrow(RangeError);
    expect(() => enc().encodeP(0, 8)).toThrow(RangeError);
    expect(() => enc().encodeP(600, 608)).toThrow(RangeError);
  });
});
