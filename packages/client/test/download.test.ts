// downloadVideo and downloadVideoToFile against real node:http servers on 127.0.0.1 (cut
// connections, stalls, servers that ignore Range or change the video), a custom fetch for
// bodies that end early, and the real mock for the whole path.
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMockServer } from "@kling-multi-image/mock";
import { startServer } from "@kling-multi-image/test-support";
import { afterEach, describe, expect, it } from "vitest";
import { type DownloadProgress, downloadVideo, type VideoDownload } from "../src/download.js";
import {
  ConnectionError,
  createKlingClient,
  KlingApiError,
  NotFoundError,
  ServerError,
  type Task,
  toTask,
} from "../src/index.js";
import { downloadVideoToFile } from "../src/node.js";
import { queryBody } from "./helpers/fixtures.js";

/** A fake MP4: an `ftyp` box, then bytes that differ by position. */
const VIDEO = new Uint8Array(200_000).map((_, i) => (i * 7 + (i >> 8)) % 256);
VIDEO.set([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70]);

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A node:http server on 127.0.0.1 serving `/video.mp4`, with each request's Range header. */
async function serve(handler: Handler) {
  const server = await startServer((_hit, res, n, req) => handler(req, res, n), "/video.mp4");
  servers.push(server);
  return {
    url: server.url,
    get ranges() {
      return server.hits.map((hit) => hit.headers.range);
    },
  };
}

/** Serves `bytes` honouring `bytes=N-`, as a CDN does. */
function sendRange(req: IncomingMessage, res: ServerResponse, bytes = VIDEO, etag = '"v1"') {
  const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
  const headers = { "content-type": "video/mp4", etag, "accept-ranges": "bytes" };
  if (start > 0) {
    res.writeHead(206, {
      ...headers,
      "content-length": bytes.length - start,
      "content-range": `bytes ${start}-${bytes.length - 1}/${bytes.length}`,
    });
    res.end(bytes.subarray(start));
  } else {
    res.writeHead(200, { ...headers, "content-length": bytes.length });
    res.end(bytes);
  }
}

/** Sends the headers for the whole video and `count` bytes from `start`, then cuts the connection. */
function cut(req: IncomingMessage, res: ServerResponse, count: number) {
  const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
  const headers: Record<string, string | number> = {
    "content-type": "video/mp4",
    etag: '"v1"',
    "content-length": VIDEO.length - start,
  };
  if (start > 0) headers["content-range"] = `bytes ${start}-${VIDEO.length - 1}/${VIDEO.length}`;
  res.writeHead(start > 0 ? 206 : 200, headers);
  res.write(VIDEO.subarray(start, start + count), () => res.socket?.destroy());
}

async function bytesOf(download: VideoDownload): Promise<Uint8Array> {
  return new Uint8Array(await new Response(download.body).arrayBuffer());
}

function succeeded(url: string): Task {
  const task = toTask(queryBody("succeed") as Parameters<typeof toTask>[0]);
  if (task.status !== "succeed") throw new Error("fixture");
  task.videos = [{ id: "v1", url, durationSeconds: 5 }];
  task.video = task.videos[0];
  return task;
}

describe("downloadVideo", () => {
  it("streams a task's video, reporting progress from 0 to the size", async () => {
    const server = await serve((req, res) => sendRange(req, res));
    const progress: DownloadProgress[] = [];
    const video = await downloadVideo(succeeded(server.url), {
      onProgress: (p) => progress.push(p),
    });
    expect(video).toMatchObject({ url: server.url, totalBytes: VIDEO.length });
    expect(video.contentType).toBe("video/mp4");
    expect(await bytesOf(video)).toEqual(VIDEO);
    expect(progress[0]).toEqual({ receivedBytes: 0, totalBytes: VIDEO.length });
    expect(progress.at(-1)).toEqual({ receivedBytes: VIDEO.length, totalBytes: VIDEO.length });
    const received = progress.map((p) => p.receivedBytes);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(server.ranges).toEqual([undefined]);
  });

  it("takes a Video, a URL string or a URL, and gives a Blob typed video/mp4", async () => {
    const server = await serve((req, res) => sendRange(req, res));
    const blob = await (
      await downloadVideo({ id: "v", url: server.url, durationSeconds: 5 })
    ).blob();
    expect(blob.type).toBe("video/mp4");
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(VIDEO);
    expect((await bytesOf(await downloadVideo(server.url))).length).toBe(VIDEO.length);
    expect((await bytesOf(await downloadVideo(new URL(server.url)))).length).toBe(VIDEO.length);
  });

  it("resumes a cut connection with Range, until the video is complete", async () => {
    const server = await serve((req, res, n) =>
      n < 2 ? cut(req, res, 70_000) : sendRange(req, res),
    );
    const video = await downloadVideo(server.url);
    expect(await bytesOf(video)).toEqual(VIDEO);
    expect(server.ranges).toEqual([undefined, "bytes=70000-", "bytes=140000-"]);
  });

  it("reads past what it has when the server ignores Range and sends the whole video again", async () => {
    const server = await serve((req, res, n) => {
      if (n === 0) return cut(req, res, 50_000);
      res.writeHead(200, { "content-type": "video/mp4", "content-length": VIDEO.length });
      res.end(VIDEO);
    });
    const progress: number[] = [];
    const video = await downloadVideo(server.url, {
      onProgress: (p) => progress.push(p.receivedBytes),
    });
    expect(await bytesOf(video)).toEqual(VIDEO);
    expect(server.ranges).toEqual([undefined, "bytes=50000-"]);
    expect(progress.at(-1)).toBe(VIDEO.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("resumes a connection that stalls (stallTimeoutMs)", async () => {
    const server = await serve((req, res, n) => {
      if (n > 0) return sendRange(req, res);
      res.writeHead(200, { "content-type": "video/mp4", "content-length": VIDEO.length });
      res.write(VIDEO.subarray(0, 30_000)); // then nothing more
    });
    const video = await downloadVideo(server.url, { stallTimeoutMs: 300 });
    expect(await bytesOf(video)).toEqual(VIDEO);
    expect(server.ranges).toEqual([undefined, "bytes=30000-"]);
  });

  it("resumes a body that ends early without an error (custom fetch)", async () => {
    const calls: (string | null)[] = [];
    const video = await downloadVideo("https://cdn.example/v.mp4", {
      fetch: async (_url, init) => {
        const range = new Headers(init.headers).get("range");
        calls.push(range);
        const start = Number(/\d+/.exec(range ?? "")?.[0] ?? 0);
        const end = range ? VIDEO.length : 1000;
        const headers: Record<string, string> = { "content-length": String(VIDEO.length - start) };
        if (range) headers["content-range"] = `bytes ${start}-${VIDEO.length - 1}/${VIDEO.length}`;
        return new Response(VIDEO.slice(start, end), { status: range ? 206 : 200, headers });
      },
    });
    expect(await bytesOf(video)).toEqual(VIDEO);
    expect(calls).toEqual([null, "bytes=1000-"]);
  });

  it("gives up with a ConnectionError after maxRetries failures in a row without progress", async () => {
    const server = await serve((req, res, n) => cut(req, res, n === 0 ? 10_000 : 0));
    const video = await downloadVideo(server.url, { maxRetries: 2 });
    const error = await bytesOf(video).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/after 10000 of 200000 bytes/);
    // the first cut, then two retries that brought nothing
    expect(server.ranges).toEqual([undefined, "bytes=10000-", "bytes=10000-"]);
  });

  it("refuses a resume that starts elsewhere or a video whose size or ETag changed", async () => {
    const wrongStart = await serve((req, res, n) => {
      if (n === 0) return cut(req, res, 1000);
      res.writeHead(206, { "content-range": `bytes 0-99/${VIDEO.length}`, "content-length": 100 });
      res.end(VIDEO.subarray(0, 100));
    });
    const a = await bytesOf(await downloadVideo(wrongStart.url)).catch((e: unknown) => e);
    expect(a).toBeInstanceOf(KlingApiError);
    expect((a as Error).message).toMatch(/inconsistent: asked from byte 1000, got bytes 0-99/);

    const resized = await serve((req, res, n) =>
      n === 0 ? cut(req, res, 1000) : sendRange(req, res, VIDEO.subarray(0, 150_000)),
    );
    const b = await bytesOf(await downloadVideo(resized.url)).catch((e: unknown) => e);
    expect((b as Error).message).toMatch(/size changed from 200000 to 150000/);

    const changed = await serve((req, res, n) =>
      n === 0 ? cut(req, res, 1000) : sendRange(req, res, VIDEO, '"v2"'),
    );
    const c = await bytesOf(await downloadVideo(changed.url)).catch((e: unknown) => e);
    expect((c as Error).message).toMatch(/changed \(ETag "v1", now "v2"\)/);
  });

  it("refuses more bytes than announced", async () => {
    const video = await downloadVideo("https://cdn.example/v.mp4", {
      fetch: async () =>
        new Response(new Blob([VIDEO]).stream(), { headers: { "content-length": "1000" } }),
    });
    await expect(bytesOf(video)).rejects.toThrow(/more than the 1000 bytes announced/);
  });

  it("rejects at once on 404 with a NotFoundError that mentions Kling's 30 days", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404, { "content-type": "application/xml" });
      res.end("<Error><Code>NoSuchKey</Code></Error>");
    });
    const error = await downloadVideo(server.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, body: "<Error><Code>NoSuchKey</Code></Error>" });
    expect((error as Error).message).toMatch(/404 downloading .*30 days/);
    expect(server.ranges).toHaveLength(1);
  });

  it("retries a 503 after its Retry-After, and throws the last one when retries are spent", async () => {
    const flaky = await serve((req, res, n) => {
      if (n > 0) return sendRange(req, res);
      res.writeHead(503, { "retry-after": "0" });
      res.end("busy");
    });
    expect(await bytesOf(await downloadVideo(flaky.url))).toEqual(VIDEO);
    expect(flaky.ranges).toHaveLength(2);

    const down = await serve((_req, res) => {
      res.writeHead(503, { "retry-after": "0" });
      res.end("busy");
    });
    await expect(downloadVideo(down.url, { maxRetries: 1 })).rejects.toBeInstanceOf(ServerError);
    expect(down.ranges).toHaveLength(2);
  });

  it("aborts with the signal's reason, before or during the body", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-length": VIDEO.length });
      res.write(VIDEO.subarray(0, 1000)); // then hangs
    });
    const aborted = new AbortController();
    aborted.abort(new Error("not now"));
    await expect(downloadVideo(server.url, { signal: aborted.signal })).rejects.toThrow("not now");

    const controller = new AbortController();
    const video = await downloadVideo(server.url, { signal: controller.signal });
    const reader = video.body.getReader();
    expect((await reader.read()).value?.length).toBe(1000);
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await expect(reader.read()).rejects.toThrow("stop");
  });

  it("refuses a task without a video, and bad options", async () => {
    const pending = toTask(queryBody("processing") as Parameters<typeof toTask>[0]);
    await expect(downloadVideo(pending)).rejects.toThrow(/has no video \(status processing\)/);
    await expect(downloadVideo("not a url")).rejects.toThrow(TypeError);
    await expect(downloadVideo("https://x.example/", { maxRetries: -1 })).rejects.toThrow(
      RangeError,
    );
    await expect(downloadVideo("https://x.example/", { stallTimeoutMs: 0 })).rejects.toThrow(
      RangeError,
    );
  });

  it("sends no Authorization or other header beyond Range", async () => {
    const seen: IncomingMessage["headers"][] = [];
    const server = await serve((req, res) => {
      seen.push(req.headers);
      sendRange(req, res);
    });
    await bytesOf(await downloadVideo(server.url));
    expect(seen[0]?.authorization).toBeUndefined();
  });
});

describe("downloadVideoToFile (./node)", () => {
  it("writes the whole video, resuming a cut, and leaves no temporary file", async () => {
    const server = await serve((req, res, n) =>
      n === 0 ? cut(req, res, 64_000) : sendRange(req, res),
    );
    const dir = await mkdtemp(join(tmpdir(), "kling-download-"));
    const path = join(dir, "video.mp4");
    const written = await downloadVideoToFile(succeeded(server.url), path);
    expect(written).toEqual({
      path,
      bytes: VIDEO.length,
      url: server.url,
      contentType: "video/mp4",
    });
    expect(new Uint8Array(await readFile(path))).toEqual(VIDEO);
    expect(await readdir(dir)).toEqual(["video.mp4"]);
  });

  it("leaves an existing file as it was, and no temporary file, when the download fails", async () => {
    const server = await serve((req, res) => cut(req, res, 5000));
    const dir = await mkdtemp(join(tmpdir(), "kling-download-"));
    const path = join(dir, "video.mp4");
    await writeFile(path, "old video");
    await expect(downloadVideoToFile(server.url, path, { maxRetries: 0 })).rejects.toBeInstanceOf(
      ConnectionError,
    );
    expect(await readFile(path, "utf8")).toBe("old video");
    expect(await readdir(dir)).toEqual(["video.mp4"]);
  });

  it("accepts a file: URL as the path and replaces what was there", async () => {
    const server = await serve((req, res) => sendRange(req, res));
    const dir = await mkdtemp(join(tmpdir(), "kling-download-"));
    const url = new URL(`file://${join(dir, "v.mp4")}`);
    await writeFile(url, "old");
    const written = await downloadVideoToFile(server.url, url);
    expect(written.bytes).toBe(VIDEO.length);
    expect(new Uint8Array(await readFile(url))).toEqual(VIDEO);
    expect(await readdir(dir)).toEqual(["v.mp4"]);
  });

  it("fails on a missing folder before anything is written", async () => {
    const server = await serve((req, res) => sendRange(req, res));
    await expect(
      downloadVideoToFile(server.url, join(tmpdir(), "no-such-folder-kling", "v.mp4")),
    ).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("against the mock", () => {
  it("downloads a finished task's real MP4", async () => {
    const mock = await createMockServer({ clock: "virtual", log: false });
    servers.push(mock);
    const kling = createKlingClient({ apiKey: "k", baseUrl: mock.url });
    const { taskId } = await kling.submit({
      model: "kling-v1-6",
      prompt: "p",
      image_list: [{ image: "https://example.com/a.jpg" }],
      duration: "5",
      aspect_ratio: "1:1",
    });
    await mock.clock.advance(10_000);
    const task = await kling.getTask(taskId);
    const video = await downloadVideo(task);
    const bytes = await bytesOf(video);
    expect(video.totalBytes).toBe(bytes.length);
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe("ftyp");
  });
});

describe("the ./download entry", () => {
  it("reaches no Node built-ins", () => {
    const src = new URL("../src/", import.meta.url);
    const seen = new Set<string>();
    const queue = ["download.ts"];
    while (queue.length > 0) {
      const file = queue.pop() ?? "";
      if (seen.has(file)) continue;
      seen.add(file);
      const text = readFileSync(new URL(file, src), "utf8");
      const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      expect(code, file).not.toMatch(/["']node:|\brequire\(|\bprocess\.|\bBuffer\b/);
      for (const [, spec] of code.matchAll(/from "\.\/([^"]+)\.js"/g)) queue.push(`${spec}.ts`);
    }
    expect(seen.has("node.ts")).toBe(false);
    expect(seen.has("client.ts")).toBe(false);
  });
});
