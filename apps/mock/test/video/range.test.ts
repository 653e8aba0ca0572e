import { describe, expect, it } from "vitest";
import { parseRange } from "../../src/video/range.js";

describe("parseRange", () => {
  const size = 1000;
  it.each([
    ["bytes=0-499", { kind: "partial", start: 0, end: 499 }],
    ["bytes=500-999", { kind: "partial", start: 500, end: 999 }],
    ["bytes=500-5000", { kind: "partial", start: 500, end: 999 }], // end clamped
    ["bytes=0-", { kind: "partial", start: 0, end: 999 }], // what Chromium sends first
    ["bytes=990-", { kind: "partial", start: 990, end: 999 }], // open-ended
    ["bytes=-100", { kind: "partial", start: 900, end: 999 }], // suffix
    ["bytes=-5000", { kind: "partial", start: 0, end: 999 }], // suffix longer than body
    ["bytes=999-999", { kind: "partial", start: 999, end: 999 }],
    ["Bytes = 10 - 20", { kind: "partial", start: 10, end: 20 }], // case/whitespace tolerant
  ])("%s → %o", (header, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it.each([["bytes=1000-"], ["bytes=1000-1001"], ["bytes=5000-6000"], ["bytes=-0"]])(
    "%s → unsatisfiable (416)",
    (header) => {
      expect(parseRange(header, size)).toEqual({ kind: "unsatisfiable" });
    },
  );

  it("any range of an empty body except a multi/invalid one is unsatisfiable", () => {
    expect(parseRange("bytes=0-", 0)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-10", 0)).toEqual({ kind: "unsatisfiable" });
  });

  it.each([
    [undefined],
    [null],
    [""],
    ["items=0-10"], // other unit
    ["bytes="],
    ["bytes=-"],
    ["bytes=abc"],
    ["bytes=20-10"], // last < first: invalid spec, header ignored
    ["bytes=0-10,20-30"], // multiple ranges: whole body rather than multipart
    ["bytes=0-1, -5"],
  ])("%s → full (200)", (header) => {
    expect(parseRange(header, size)).toEqual({ kind: "full" });
  });
});
