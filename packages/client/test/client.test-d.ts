import { describe, expectTypeOf, it } from "vitest";
import {
  type CallbackPayload,
  type CreateTaskRequest,
  createKlingClient,
  type FailedTask,
  type ImageInput,
  InvalidRequestError,
  type KlingApiError,
  type PendingTask,
  RateLimitError,
  SubmitOutcomeUnknownError,
  type SucceededTask,
  type Task,
  TaskFailedError,
  type Video,
} from "../src/index.js";
import { imageFromFile } from "../src/node.js";
import { verifyCallback } from "../src/webhooks.js";

const kling = createKlingClient({ apiKey: "k" });
const image: ImageInput = { image: "https://example.com/1.jpg" };

describe("options", () => {
  it("need an apiKey: a string, or null for a proxy that adds the key", () => {
    expectTypeOf(createKlingClient).toBeCallableWith({ apiKey: null });
    expectTypeOf(createKlingClient).toBeCallableWith({ apiKey: "k", baseUrl: undefined });
    // @ts-expect-error an unset variable (string | undefined) is refused at compile time too
    createKlingClient({ apiKey: process.env.EZMODEL_API_KEY });
    // @ts-expect-error apiKey is required
    createKlingClient({ baseUrl: "http://127.0.0.1:4010" });
  });
});

describe("submit bodies", () => {
  it("accept a valid body", () => {
    expectTypeOf(kling.submit).toBeCallableWith({
      model: "kling-v1-6",
      prompt: "p",
      image_list: [image, image],
      mode: "pro",
      duration: "10",
      aspect_ratio: "9:16",
    });
  });

  it("reject a wrong enum, a numeric duration and a sixth (or fifth) image", () => {
    // @ts-expect-error "ultra" is not a mode
    kling.submit({ model: "kling-v1-6", prompt: "p", image_list: [image], mode: "ultra" });
    // @ts-expect-error duration is a string enum: a number breaks the gateway
    kling.submit({ model: "kling-v1-6", prompt: "p", image_list: [image], duration: 5 });
    // @ts-expect-error "4:3" is not an aspect ratio
    kling.submit({ model: "kling-v1-6", prompt: "p", image_list: [image], aspect_ratio: "4:3" });
    kling.submit({
      model: "kling-v1-6",
      prompt: "p",
      // @ts-expect-error at most four images
      image_list: [image, image, image, image, image, image],
    });
    kling.submit({
      model: "kling-v1-6",
      prompt: "p",
      // @ts-expect-error at least one image
      image_list: [],
    });
    // @ts-expect-error prompt is required
    kling.submit({ model: "kling-v1-6", image_list: [image] });
    expectTypeOf<{
      model: string;
      prompt: string;
      image_list: ImageInput[];
    }>().not.toExtend<CreateTaskRequest>();
  });
});

describe("results", () => {
  it("narrow on status", async () => {
    const task = await kling.getTask("t");
    expectTypeOf(task).toEqualTypeOf<Task>();
    if (task.status === "succeed") {
      expectTypeOf(task).toEqualTypeOf<SucceededTask>();
      expectTypeOf(task.video).toEqualTypeOf<Video | undefined>();
      expectTypeOf(task.failReason).toEqualTypeOf<undefined>();
    } else if (task.status === "failed") {
      expectTypeOf(task).toEqualTypeOf<FailedTask>();
      expectTypeOf(task.failReason).toEqualTypeOf<string>();
    } else {
      expectTypeOf(task).toEqualTypeOf<PendingTask>();
      expectTypeOf(task.status).toEqualTypeOf<"submitted" | "processing">();
    }
    expectTypeOf(task.progress).toEqualTypeOf<number>();
    expectTypeOf(task.createdAt).toEqualTypeOf<Date | undefined>();
  });

  it("waitForTask and submitAndWait resolve with a succeeded task", () => {
    expectTypeOf(kling.waitForTask).returns.resolves.toEqualTypeOf<SucceededTask>();
    expectTypeOf(kling.submitAndWait).returns.resolves.toEqualTypeOf<SucceededTask>();
    expectTypeOf(kling.watchTask("t")).toExtend<AsyncIterable<Task>>();
  });

  it("submit always knows the external task id", async () => {
    const submitted = await kling.submit({ model: "m", prompt: "p", image_list: [image] });
    expectTypeOf(submitted.externalTaskId).toEqualTypeOf<string>();
    expectTypeOf(submitted.taskId).toEqualTypeOf<string>();
  });

  it("raw is typed from the spec", async () => {
    const { data } = await kling.raw.GET("/kling/v1/videos/multi-image2video/{task_id}", {
      params: { path: { task_id: "t" } },
    });
    expectTypeOf(data?.data.status).toEqualTypeOf<
      | "NOT_START"
      | "SUBMITTED"
      | "QUEUED"
      | "IN_PROGRESS"
      | "SUCCESS"
      | "FAILURE"
      | "UNKNOWN"
      | undefined
    >();
    // @ts-expect-error the gateway has no list operation
    kling.raw.GET("/kling/v1/videos/multi-image2video/{task_id}/list");
  });
});

describe("errors, webhooks and images", () => {
  it("errors narrow with instanceof", () => {
    const error: unknown = new Error();
    if (error instanceof RateLimitError) {
      expectTypeOf(error.retryAfterMs).toEqualTypeOf<number | undefined>();
      expectTypeOf(error).toExtend<KlingApiError>();
    }
    if (error instanceof InvalidRequestError) {
      // Set when the client refused the body before sending it.
      expectTypeOf(error.field).toEqualTypeOf<string | undefined>();
    }
    if (error instanceof SubmitOutcomeUnknownError) {
      expectTypeOf(error.externalTaskId).toEqualTypeOf<string>();
    }
    if (error instanceof TaskFailedError) {
      expectTypeOf(error.task.failReason).toEqualTypeOf<string>();
    }
  });

  it("verifyCallback returns the typed payload", () => {
    expectTypeOf(verifyCallback).returns.resolves.toEqualTypeOf<CallbackPayload>();
    expectTypeOf<CallbackPayload["task_status"]>().toEqualTypeOf<
      "submitted" | "processing" | "succeed" | "failed"
    >();
  });

  it("imageFromFile gives an image_list entry", () => {
    expectTypeOf(imageFromFile).returns.resolves.toEqualTypeOf<ImageInput>();
  });
});
