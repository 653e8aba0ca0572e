import { describe, expectTypeOf, it } from "vitest";
import {
  type DownloadOptions,
  type DownloadProgress,
  downloadVideo,
  type VideoDownload,
  type VideoSource,
} from "../src/download.js";
import type { FetchLike, PendingTask, SucceededTask, Task, Video } from "../src/index.js";
import { type DownloadedFile, downloadVideoToFile } from "../src/node.js";

declare const task: Task;
declare const done: SucceededTask;
declare const pending: PendingTask;
declare const video: Video;

describe("downloadVideo", () => {
  it("takes a task, a video, a string or a URL and resolves to a VideoDownload", () => {
    expectTypeOf(downloadVideo).toBeCallableWith(done);
    expectTypeOf(downloadVideo).toBeCallableWith(task);
    expectTypeOf(downloadVideo).toBeCallableWith(pending); // refused at run time: no video yet
    expectTypeOf(downloadVideo).toBeCallableWith(video);
    expectTypeOf(downloadVideo).toBeCallableWith("https://cdn.example/v.mp4");
    expectTypeOf(downloadVideo).toBeCallableWith(new URL("https://cdn.example/v.mp4"));
    expectTypeOf(downloadVideo).returns.resolves.toEqualTypeOf<VideoDownload>();
    expectTypeOf<VideoSource>().toEqualTypeOf<Task | Video | string | URL>();
    // @ts-expect-error a number is no source
    downloadVideo(42);
  });

  it("gives a byte stream, a Blob and what the server said", () => {
    expectTypeOf<VideoDownload["body"]>().toEqualTypeOf<ReadableStream<Uint8Array>>();
    expectTypeOf<VideoDownload["blob"]>().returns.resolves.toEqualTypeOf<Blob>();
    expectTypeOf<VideoDownload["totalBytes"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<VideoDownload["contentType"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<VideoDownload["url"]>().toEqualTypeOf<string>();
  });

  it("has typed options, all optional", () => {
    expectTypeOf<DownloadOptions>().toExtend<{
      signal?: AbortSignal | undefined;
      onProgress?: ((progress: DownloadProgress) => void) | undefined;
      fetch?: FetchLike | undefined;
      maxRetries?: number | undefined;
      stallTimeoutMs?: number | undefined;
    }>();
    expectTypeOf<Record<never, never>>().toExtend<DownloadOptions>();
    expectTypeOf<DownloadProgress>().toEqualTypeOf<{
      receivedBytes: number;
      totalBytes: number | undefined;
    }>();
    expectTypeOf(downloadVideo).toBeCallableWith(done, {
      signal: AbortSignal.timeout(1000),
      onProgress: ({ receivedBytes, totalBytes }) => {
        expectTypeOf(receivedBytes).toBeNumber();
        expectTypeOf(totalBytes).toEqualTypeOf<number | undefined>();
      },
      fetch: globalThis.fetch,
    });
    // @ts-expect-error maxRetries is a number
    downloadVideo(done, { maxRetries: "3" });
  });
});

describe("downloadVideoToFile (./node)", () => {
  it("takes a source, a path or file URL and the same options", () => {
    expectTypeOf(downloadVideoToFile).toBeCallableWith(done, "video.mp4");
    expectTypeOf(downloadVideoToFile).toBeCallableWith(
      "https://cdn.example/v.mp4",
      new URL("file:///tmp/v.mp4"),
      {
        onProgress: () => {},
      },
    );
    expectTypeOf(downloadVideoToFile).returns.resolves.toEqualTypeOf<DownloadedFile>();
    expectTypeOf<DownloadedFile>().toEqualTypeOf<{
      path: string | URL;
      bytes: number;
      url: string;
      contentType: string | undefined;
    }>();
    // @ts-expect-error the path is required
    downloadVideoToFile(done);
  });
});
