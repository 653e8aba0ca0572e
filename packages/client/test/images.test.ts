import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  detectImageFormat,
  InvalidImageError,
  imageFromBlob,
  imageFromBytes,
  imageFromUrl,
  MAX_IMAGE_BYTES,
} from "../src/images.js";
import { imageFromFile } from "../src/node.js";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
const GIF = new TextEncoder().encode("GIF89a....");

describe("images", () => {
  it("detects jpeg and png by magic bytes only", () => {
    expect(detectImageFormat(PNG)).toBe("png");
    expect(detectImageFormat(JPEG)).toBe("jpeg");
    expect(detectImageFormat(GIF)).toBeUndefined();
    expect(detectImageFormat(new Uint8Array())).toBeUndefined();
  });

  it("encodes bytes as raw Base64 with no data: prefix", () => {
    const { image } = imageFromBytes(PNG);
    expect(image).toBe(Buffer.from(PNG).toString("base64"));
    expect(image.startsWith("data:")).toBe(false);
    expect(imageFromBytes(JPEG.buffer).image).toBe(Buffer.from(JPEG).toString("base64"));
  });

  it("encodes a large image correctly (chunked)", () => {
    const big = new Uint8Array(300_000).map((_, i) => i % 251);
    big.set(JPEG);
    expect(imageFromBytes(big).image).toBe(Buffer.from(big).toString("base64"));
  });

  it("pads Base64 correctly for every remainder", () => {
    for (let n = 8; n < 14; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 37) % 256);
      bytes.set(PNG.subarray(0, 8));
      expect(imageFromBytes(bytes).image).toBe(Buffer.from(bytes).toString("base64"));
    }
  });

  it("rejects other formats and images over 10 MB", () => {
    expect(() => imageFromBytes(GIF)).toThrow(InvalidImageError);
    const tooBig = new Uint8Array(MAX_IMAGE_BYTES + 1);
    tooBig.set(PNG);
    expect(() => imageFromBytes(tooBig)).toThrow(/limit/);
    const atLimit = new Uint8Array(MAX_IMAGE_BYTES);
    atLimit.set(PNG);
    expect(imageFromBytes(atLimit).image.length).toBe(13_981_016);
  });

  it("reads a Blob or File, checking size before reading", async () => {
    expect((await imageFromBlob(new Blob([PNG]))).image).toBe(Buffer.from(PNG).toString("base64"));
    const file = new File([JPEG], "a.jpg", { type: "image/jpeg" });
    expect((await imageFromBlob(file)).image).toBe(Buffer.from(JPEG).toString("base64"));
    await expect(imageFromBlob(new Blob([GIF]))).rejects.toBeInstanceOf(InvalidImageError);
    const huge = {
      size: MAX_IMAGE_BYTES + 1,
      arrayBuffer: () => Promise.reject(new Error("read")),
    };
    await expect(imageFromBlob(huge as unknown as Blob)).rejects.toThrow(/limit/);
  });

  it("accepts http(s) URLs only", () => {
    expect(imageFromUrl("https://example.com/a.jpg")).toEqual({
      image: "https://example.com/a.jpg",
    });
    expect(imageFromUrl(new URL("http://example.com/b.png")).image).toBe(
      "http://example.com/b.png",
    );
    expect(() => imageFromUrl("data:image/png;base64,AAAA")).toThrow(InvalidImageError);
    expect(() => imageFromUrl("ftp://example.com/a.jpg")).toThrow(/http/);
    expect(() => imageFromUrl("not a url")).toThrow(/Not a URL/);
  });

  it("reads a file path (node subpath)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kling-img-"));
    await writeFile(join(dir, "a.png"), PNG);
    await writeFile(join(dir, "a.gif"), GIF);
    expect((await imageFromFile(join(dir, "a.png"))).image).toBe(
      Buffer.from(PNG).toString("base64"),
    );
    await expect(imageFromFile(join(dir, "a.gif"))).rejects.toBeInstanceOf(InvalidImageError);
    await expect(imageFromFile(join(dir, "missing.png"))).rejects.toThrow(/ENOENT/);
  });
});
