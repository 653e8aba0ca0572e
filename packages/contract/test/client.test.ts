// The client against the spec: every request the typed client (packages/client) sends is captured
// by a server that checks it against the spec's request side, for each request example in the spec
// and for generated valid bodies, with both create-response shapes.
import { createKlingClient, toTask } from "@kling-multi-image/client";
import { specExample } from "@kling-multi-image/spec";
import { specExamples } from "@kling-multi-image/test-support";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { type CaptureServer, startCaptureServer } from "../src/capture.js";
import { readRules, validBody } from "../src/generate/index.js";
import { SpecModel } from "../src/spec.js";

const spec = new SpecModel();
let capture: CaptureServer | undefined;
afterEach(async () => {
  await capture?.close();
  capture = undefined;
});

type Body = Parameters<ReturnType<typeof createKlingClient>["submit"]>[0];

function requestExamples(): [string, Body][] {
  return ["SeedCurlRequest", "AllFieldsRequest", "Base64ImagesRequest"].map((name) => [
    name,
    specExample(name) as Body,
  ]);
}

describe("the client's requests honour the spec", () => {
  for (const shape of ["documented", "observed"] as const) {
    it(`submits every request example and reads the task id (${shape} create shape)`, async () => {
      capture = await startCaptureServer({ createShape: shape });
      const client = createKlingClient({
        apiKey: "sk-client-test",
        baseUrl: capture.url,
        maxRetries: 0,
      });
      for (const [name, body] of requestExamples()) {
        const task = await client.submit(body);
        expect(task.taskId, name).toBe("CjMkb2eFcrsAAAAAAKL4bg");
      }
      const task = await client.getTask("CjMkb2eFcrsAAAAAAKL4bg");
      expect(task.taskId).toBe("CjMkb2eFcrsAAAAAAKL4bg");
      expect(capture.requests).toHaveLength(4);
      expect(capture.problems()).toEqual([]);
    });
  }

  it("sends generated valid bodies unchanged in meaning, each one valid", async () => {
    capture = await startCaptureServer();
    const server = capture;
    const client = createKlingClient({
      apiKey: "sk-client-test",
      baseUrl: server.url,
      maxRetries: 0,
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(validBody(readRules(spec)), async (raw) => {
        n += 1;
        const body = { ...raw, external_task_id: `client-${n}` } as Body;
        await client.submit(body);
        const sent = JSON.parse(server.requests.at(-1)?.request.body ?? "null") as Record<
          string,
          unknown
        >;
        expect(server.requests.at(-1)?.problems).toEqual([]);
        expect(sent).toEqual(body);
      }),
      { numRuns: 100, seed: 17 },
    );
    expect(server.problems()).toEqual([]);
  });

  it("the capture server would catch a client that sent a numeric duration", async () => {
    capture = await startCaptureServer();
    const client = createKlingClient({
      apiKey: "sk-client-test",
      baseUrl: capture.url,
      maxRetries: 0,
    });
    const bad = {
      model: "kling-v1-6",
      image_list: [{ image: "https://example.com/a.jpg" }],
      prompt: "x",
      duration: 5,
    };
    // The client itself refuses the body before sending it (the gateway would crash on it)...
    await expect(client.submit(bad as unknown as Body)).rejects.toThrow(/duration/);
    expect(capture.problems()).toEqual([]);
    // ...so a client without that check is played by the raw call, which sends what it is given.
    await client.raw.POST("/kling/v1/videos/multi-image2video", { body: bad as unknown as Body });
    expect(capture.problems().join()).toMatch(/#\/duration fails/);
  });
});

describe("the client's Task normalisation honours every example in the spec", () => {
  // Expectations are derived here from the example values and the spec's prose, not from the client.
  const examples = specExamples();
  const names = Object.keys(examples).filter((n) => /^(Create|Query|Callback)/.test(n));
  const obj = (v: unknown) => v as Record<string, unknown>;

  it("covers every create, query and callback example", () => {
    expect(names.sort()).toEqual(
      [
        "CallbackFailed",
        "CallbackSucceed",
        "CreateDocumented",
        "CreateObserved",
        "QueryFailed",
        "QueryNotStarted",
        "QueryProcessing",
        "QuerySubmitted",
        "QuerySucceed",
      ].sort(),
    );
  });

  for (const name of names) {
    it(name, () => {
      const value = examples[name];
      const task = toTask(value as Parameters<typeof toTask>[0]);
      const root = obj(value);
      // Where Kling's own task sits in each shape, if anywhere.
      const kling = name.startsWith("Callback")
        ? root
        : name.startsWith("Query")
          ? (obj(obj(root.data).data ?? {}).data as Record<string, unknown> | undefined)
          : name === "CreateDocumented"
            ? obj(root.data)
            : undefined;
      expect(task.taskId).toBe("CjMkb2eFcrsAAAAAAKL4bg");
      const klingStatus = kling?.task_status as string | undefined;
      if (klingStatus) expect(task.status).toBe(klingStatus);
      else expect(["submitted", "processing"]).toContain(task.status);
      if (task.status === "succeed") {
        const videos = obj(kling?.task_result).videos as { url: string }[];
        expect(task.videos.map((v) => v.url)).toEqual(videos.map((v) => v.url));
        // The gateway's quirk: fail_reason holds the video URL on success; it is not a failure reason.
        expect(task.failReason).toBeUndefined();
      }
      if (task.status === "failed") expect(task.failReason).toMatch(/content policy/);
      if (name === "CreateObserved") expect(task.createdAt?.getTime()).toBe(1_764_021_600_000);
      if (name === "CreateDocumented") expect(task.createdAt?.getTime()).toBe(1_764_021_600_000);
      if (name.startsWith("Query")) {
        const percent = Number.parseInt(String(obj(root.data).progress), 10);
        expect(task.progress).toBe(percent);
      }
    });
  }
});
