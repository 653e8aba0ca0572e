import { describe, expect, it } from "vitest";
import { BitWriter } from "../../src/video/bit-writer.js";
import { BitReader } from "./helpers/bit-reader.js";

/** Bits written so far as a '0'/'1' string (pads a copy to a byte boundary to read them). */
function bits(write: (bw: BitWriter) => void): string {
  const bw = new BitWriter(1);
  write(bw);
  const n = bw.bitLength;
  if (!bw.byteAligned) bw.u(8 - (n % 8), 0);
  return Array.from(bw.toUint8Array(), (b) => b.toString(2).padStart(8, "0"))
    .join("")
    .slice(0, n);
}

describe("BitWriter", () => {
  it("writes fixed-width fields MSB first, across byte boundaries", () => {
    expect(bits((bw) => bw.u(3, 0b101))).toBe("101");
    expect(bits((bw) => bw.u(3, 0b101).u(7, 0b1100110))).toBe("1011100110");
    expect(bits((bw) => bw.u(0, 0))).toBe("");
    expect(bits((bw) => bw.u(32, 0xdeadbeef))).toBe((0xdeadbeef).toString(2));
    expect(bits((bw) => bw.bit(1).u(32, 1))).toBe(`1${"0".repeat(31)}1`);
    expect(bits((bw) => bw.u(25, 0x1abcdef))).toBe((0x1abcdef).toString(2).padStart(25, "0"));
  });

  it.each([
    [0, "1"],
    [1, "010"],
    [2, "011"],
    [3, "00100"],
    [4, "00101"],
    [6, "00111"],
    [7, "0001000"],
    [8, "0001001"],
    [14, "0001111"],
    [15, "000010000"],
    [254, "000000011111111"],
    [255, `${"0".repeat(8)}1${"0".repeat(8)}`],
  ])("ue(%i) = %s (H.264 Table 9-2)", (v, expected) => {
    expect(bits((bw) => bw.ue(v))).toBe(expected);
  });

  it.each([
    [0, "1"],
    [1, "010"],
    [-1, "011"],
    [2, "00100"],
    [-2, "00101"],
    [3, "00110"],
    [-3, "00111"],
    [4, "0001000"],
  ])("se(%i) = %s (H.264 Table 9-3)", (v, expected) => {
    expect(bits((bw) => bw.se(v))).toBe(expected);
  });

  it("handles the largest ue (2^32 − 2: 31 zeros + 32 bits)", () => {
    const s = bits((bw) => bw.ue(0xfffffffe));
    expect(s).toBe("0".repeat(31) + "1".repeat(32));
  });

  it("round-trips random ue/se/u values through an independent reader", () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const ops: Array<["ue" | "se" | "u", number, number]> = [];
    const bw = new BitWriter(4);
    for (let i = 0; i < 2000; i++) {
      const kind = (["ue", "se", "u"] as const)[i % 3]!;
      const mag = Math.floor(2 ** (rnd() * 20));
      if (kind === "ue") {
        bw.ue(mag);
        ops.push(["ue", mag, 0]);
      } else if (kind === "se") {
        const v = rnd() < 0.5 ? -mag : mag;
        bw.se(v);
        ops.push(["se", v, 0]);
      } else {
        const n = 1 + Math.floor(rnd() * 32);
        const v = Math.floor(rnd() * 2 ** n);
        bw.u(n, v);
        ops.push(["u", v, n]);
      }
    }
    bw.trailingBits();
    const r = new BitReader(bw.toUint8Array());
    for (const [kind, v, n] of ops) {
      expect(kind === "ue" ? r.ue() : kind === "se" ? r.se() : r.u(n)).toBe(v);
    }
    expect(r.bit()).toBe(1); // stop bit
    while (r.bitsLeft) expect(r.bit()).toBe(0);
  });

  it("rbsp_trailing_bits pads with a 1 then zeros, and is a full byte when aligned", () => {
    const bw = new BitWriter();
    bw.u(3, 0b111).trailingBits();
    expect(Array.from(bw.toUint8Array())).toEqual([0b11110000]);
    const aligned = new BitWriter().u(8, 0xab).trailingBits();
    expect(Array.from(aligned.toUint8Array())).toEqual([0xab, 0x80]);
  });

  it("rejects out-of-range values and unaligned export", () => {
    expect(() => new BitWriter().u(3, 8)).toThrow(RangeError);
    expect(() => new BitWriter().u(33, 0)).toThrow(RangeError);
    expect(() => new BitWriter().u(4, -1)).toThrow(RangeError);
    expect(() => new BitWriter().ue(-1)).toThrow(RangeError);
    expect(() => new BitWriter().ue(1.5)).toThrow(RangeError);
    expect(() => new BitWriter().se(0.5)).toThrow(RangeError);
    expect(() => new BitWriter().bit(1).toUint8Array()).toThrow(/aligned/);
  });
});
