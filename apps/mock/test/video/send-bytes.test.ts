import { createServer } from "node:http";
import { type Listening, listen } from "@kling-multi-image/test-support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendVideo, VIDEO_CACHE_CONTROL, videoBytes } from "../../src/video/index.js";
import { sendBytes } from "../../src/video/range.js";

describe.each([
  ["sendBytes", false],
  ["sendVideo", true],
])("%s over real HTTP (127.0.0.1)", (_name, video) => {
  const body = videoBytes("16:9", 5);
  let server: Listening;
  let url: string;
  beforeAll(async () => {
    server = await listen(
      createServer((req, res) => {
        if (video) sendVideo(req, res, body);
        else sendBytes(req, res, body, "video/mp4");
      }),
      "/v.mp4",
    );
    url = server.url;
  });
  afterAll(() => server.close());

  it("200 with the whole body and Accept-Ranges when no Range is sent", async () => {
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(r.headers.get("accept-ranges")).toBe("bytes");
    expect(r.headers.get("content-type")).toBe("video/mp4");
    expect(r.headers.get("content-length")).toBe(String(body.length));
    expect(r.headers.get("cache-control")).toBe(video ? VIDEO_CACHE_CONTROL : null);
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(body);
  });

  it("206 with Content-Range for a single range", async () => {
    const r = await fetch(url, { headers: { range: "bytes=4-11" } });
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe(`bytes 4-11/${body.length}`);
    expect(r.headers.get("content-length")).toBe("8");
    expect(new TextDecoder().decode(await r.arrayBuffer())).toBe("ftypisom");
  });

  it("206 for a suffix range", async () => {
    const r = await fetch(url, { headers: { range: "bytes=-10" } });
    expect(r.status).toBe(206);
    expect(new Uint8Array(await r.arrayBuffer())).toEqual(body.subarray(body.length - 10));
  });

  it("416 with Content-Range: bytes */size when unsatisfiable", async () => {
    const r = await fetch(url, { headers: { range: `bytes=${body.length}-` } });
    expect(r.status).toBe(416);
    expect(r.headers.get("content-range")).toBe(`bytes */${body.length}`);
    expect((await r.arrayBuffer()).byteLength).toBe(0);
  });

  it("HEAD: same status and headers as GET, no body", async () => {
    const r = await fetch(url, { method: "HEAD", headers: { range: "bytes=0-99" } });
    expect(r.status).toBe(206);
    expect(r.headers.get("content-length")).toBe("100");
    expect((await r.arrayBuffer()).byteLength).toBe(0);
  });
});
