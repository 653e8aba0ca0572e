import { describe, expect, it } from "vitest";
import {
  MP4_MIME_TYPE,
  VIDEO_CACHE_CONTROL,
  videoBytes,
  videoReply,
} from "../../src/video/index.js";
import { parseRange, rangeReply } from "../../src/video/range.js";

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

describe("rangeReply", () => {
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
  const base = { "content-type": "video/mp4", "accept-ranges": "bytes" };

  it("200 with the whole body when there is no Range", () => {
    const r = rangeReply("GET", undefined, bytes, "video/mp4");
    expect(r).toEqual({
      status: 200,
      headers: { ...base, "content-length": "100" },
      body: bytes,
    });
    expect(r.body).toBe(bytes); // not a copy
  });

  it("200 when the Range header is ignored (multi-range, invalid)", () => {
    for (const h of ["bytes=0-1,5-6", "bytes=9-3", "items=0-1"])
      expect(rangeReply("GET", h, bytes, "video/mp4").status).toBe(200);
  });

  it("206 with Content-Range and the slice", () => {
    const r = rangeReply("GET", "bytes=10-19", bytes, "video/mp4");
    expect(r.status).toBe(206);
    expect(r.headers).toEqual({
      ...base,
      "content-range": "bytes 10-19/100",
      "content-length": "10",
    });
    expect([...(r.body ?? [])]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it("416 with Content-Range: bytes */size and no body", () => {
    expect(rangeReply("GET", "bytes=100-", bytes, "video/mp4")).toEqual({
      status: 416,
      headers: { ...base, "content-range": "bytes */100" },
      body: undefined,
    });
  });

  it("HEAD (any case): same status and headers as GET, no body", () => {
    for (const range of [undefined, null, "bytes=10-19", "bytes=-5", "bytes=500-"]) {
      const get = rangeReply("GET", range, bytes, "video/mp4");
      for (const method of ["HEAD", "head"]) {
        const head = rangeReply(method, range, bytes, "video/mp4");
        expect(head.status).toBe(get.status);
        expect(head.headers).toEqual(get.headers);
        expect(head.body).toBeUndefined();
      }
    }
  });

  it("other methods are answered like GET", () => {
    expect(rangeReply("POST", "bytes=0-0", bytes, "x/y")).toEqual(
      rangeReply("GET", "bytes=0-0", bytes, "x/y"),
    );
  });
});

describe("videoReply", () => {
  it("is rangeReply for video/mp4 plus a long-lived Cache-Control", () => {
    const bytes = videoBytes("1:1", 5);
    for (const [method, range] of [
      ["GET", undefined],
      ["GET", "bytes=0-7"],
      ["HEAD", "bytes=0-7"],
      ["GET", "bytes=999999-"],
    ] as const) {
      const plain = rangeReply(method, range, bytes, MP4_MIME_TYPE);
      expect(videoReply(method, range, bytes)).toEqual({
        ...plain,
        headers: { ...plain.headers, "cache-control": VIDEO_CACHE_CONTROL },
      });
    }
  });
});
