// The local image checks, in process: each of Kling's rules, with the file and the rule named.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { png } from "@kling-multi-image/test-support";
import { describe, expect, it } from "vitest";
import { CliError, EXIT } from "../src/exit.js";
import { imageProblem, isUrl, loadImages } from "../src/images.js";
import { file, GIF, jpeg } from "./support/images.js";

const dir = mkdtempSync(join(tmpdir(), "kling-cli-images-"));
const at = (name: string, bytes: Uint8Array) => file(join(dir, name), bytes);

async function problem(values: string[]): Promise<string> {
  const error = await loadImages(values).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(EXIT.badInput);
  return (error as CliError).message;
}

describe("local images", () => {
  it("accepts JPEG and PNG at the limits: 300 px a side, 2.5:1 and 1:2.5", async () => {
    const images = await loadImages([
      at("square.png", png(300, 300)),
      at("wide.png", png(750, 300)),
      at("tall.jpg", jpeg(300, 750)),
      "https://example.com/d.png",
    ]);
    expect(images).toHaveLength(4);
    expect(images[0]?.image).toBe(png(300, 300).toString("base64"));
    expect(images[2]?.image).toBe(jpeg(300, 750).toString("base64"));
    expect(images[3]).toEqual({ image: "https://example.com/d.png" });
  });

  it("refuses a side under 300 px, naming the file and the rule", async () => {
    expect(await problem([at("small.png", png(100, 100))])).toBe(
      `${dir}/small.png is 100x100 px; Kling needs at least 300 px on each side`,
    );
    expect(imageProblem("x.jpg", jpeg(1000, 299))).toMatch(/1000x299 px; .*at least 300 px/);
  });

  it("refuses an aspect ratio beyond 1:2.5 or 2.5:1", async () => {
    expect(await problem([at("tall.png", png(300, 900))])).toMatch(
      /tall\.png is 300x900 px \(1:3\); Kling needs an aspect ratio between 1:2.5 and 2.5:1$/,
    );
    expect(imageProblem("w.png", png(760, 300))).toMatch(/\(2.53:1\)/);
  });

  it("refuses other formats by their content, whatever the name", async () => {
    expect(await problem([at("anim.gif", GIF)])).toMatch(
      /anim\.gif is a GIF image; Kling takes JPEG \(\.jpg, \.jpeg\) or PNG only/,
    );
    expect(await problem([at("fake.png", GIF)])).toMatch(/fake\.png is a GIF image/);
    expect(await problem([at("text.jpg", Buffer.from("hello"))])).toMatch(
      /text\.jpg is not a JPEG or PNG image/,
    );
  });

  it("refuses a file over 10 MB from its size, before reading it", async () => {
    const big = Buffer.alloc(11 * 1024 * 1024);
    png(300, 300).copy(big);
    expect(await problem([at("big.png", big)])).toMatch(
      /big\.png is 11\.0 MB; Kling takes images of at most 10 MB/,
    );
  });

  it("refuses more than four images, and none", async () => {
    const one = at("one.png", png(400, 400));
    expect(await problem([one, one, one, one, one])).toBe(
      "5 images given; Kling takes at most 4 (--image)",
    );
    expect(await problem([])).toMatch(/no --image given/);
  });

  it("says what is wrong with every image at once, and with paths and URLs", async () => {
    const folder = join(dir, "folder.png");
    mkdirSync(folder, { recursive: true });
    const message = await problem([
      at("ok.png", png(400, 400)),
      join(dir, "missing.png"),
      folder,
      "ftp://example.com/a.png",
    ]);
    expect(message.split("\n")).toEqual([
      `${dir}/missing.png: no such file`,
      `${folder} is a folder, not an image`,
      "ftp://example.com/a.png is not an http(s) URL; give a file path or an http(s) URL",
    ]);
    expect(await problem(["data:image/png;base64,AAAA"])).toMatch(/is not an http\(s\) URL/);
  });

  it("tells URLs from paths", () => {
    expect(isUrl("https://example.com/a.png")).toBe(true);
    expect(isUrl("HTTP://EXAMPLE.COM/A.PNG")).toBe(true);
    expect(isUrl("data:image/png;base64,AA")).toBe(true);
    expect(isUrl("photos/a.png")).toBe(false);
    expect(isUrl("C:\\photos\\a.png")).toBe(false);
    writeFileSync(join(dir, "https"), "");
    expect(isUrl("https")).toBe(false);
  });
});
