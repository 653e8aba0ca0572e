import { describe, expect, it } from "vitest";
import { GATEWAY_STATUS_MAP, toTask } from "../src/task.js";
import type { TaskQueryResponse } from "../src/types.js";
import {
  documentedCreate,
  observedCreate,
  queryBody,
  TASK_ID,
  VIDEO_URL,
} from "./helpers/fixtures.js";

const q = (status: Parameters<typeof queryBody>[0]) => queryBody(status) as TaskQueryResponse;

describe("toTask", () => {
  it("prefers the raw Kling status over the gateway's", () => {
    const body = q("processing");
    body.data.status = "SUCCESS";
    expect(toTask(body).status).toBe("processing");
  });

  it.each([
    ["NOT_START", "submitted"],
    ["SUBMITTED", "submitted"],
    ["QUEUED", "submitted"],
    ["IN_PROGRESS", "processing"],
    ["SUCCESS", "succeed"],
    ["FAILURE", "failed"],
    ["UNKNOWN", "processing"],
  ])("maps gateway %s without Kling data to %s", (gw, status) => {
    const body = q("NOT_START");
    body.data.status = gw as TaskQueryResponse["data"]["status"];
    expect(toTask(body).status).toBe(status);
    expect(toTask(body).gatewayStatus).toBe(gw);
  });

  it("exports the same mapping as GATEWAY_STATUS_MAP", () => {
    expect(GATEWAY_STATUS_MAP).toEqual({
      NOT_START: "submitted",
      SUBMITTED: "submitted",
      QUEUED: "submitted",
      IN_PROGRESS: "processing",
      SUCCESS: "succeed",
      FAILURE: "failed",
      UNKNOWN: "processing",
    });
  });

  it.each(["toString", "constructor", "BOGUS"])(
    "ignores a gateway status it does not know (%s)",
    (gw) => {
      const body = q("NOT_START");
      body.data.status = gw as TaskQueryResponse["data"]["status"];
      const task = toTask(body);
      expect(task.status).toBe("submitted");
      expect(task.gatewayStatus).toBeUndefined();
    },
  );

  it("does not surface the video URL in fail_reason as a failure reason", () => {
    const task = toTask(q("succeed"));
    expect(task.status).toBe("succeed");
    expect(task.failReason).toBeUndefined();
  });

  it("falls back to the URL in fail_reason when Kling listed no video", () => {
    const body = q("succeed");
    if (body.data.data) body.data.data.data.task_result = {};
    const task = toTask(body);
    expect(task.videos).toEqual([{ id: TASK_ID, url: VIDEO_URL, durationSeconds: undefined }]);
    expect(task.status === "succeed" && task.video?.url).toBe(VIDEO_URL);
  });

  it("uses the gateway reason when Kling gave none, and '' when neither did", () => {
    const body = q("failed");
    if (body.data.data) body.data.data.data.task_status_msg = "";
    body.data.fail_reason = "gateway says no";
    expect(toTask(body).failReason).toBe("gateway says no");
    body.data.fail_reason = "";
    expect(toTask(body).failReason).toBe("");
  });

  it("ignores the gateway's fail_reason when it is Kling's top-level message SUCCEED", () => {
    const body = q("failed");
    body.data.fail_reason = "SUCCEED";
    expect(toTask(body).failReason).toBe(body.data.data?.data.task_status_msg);
    if (body.data.data) body.data.data.data.task_status_msg = "";
    expect(toTask(body).failReason).toBe("");
    // Only that word: any other reason of the gateway's is still given.
    body.data.fail_reason = "SUCCEEDED?";
    expect(toTask(body).failReason).toBe("SUCCEEDED?");
  });

  it("converts Kling ms and gateway seconds to the same Date", () => {
    const task = toTask(q("processing"));
    expect(task.createdAt?.getTime()).toBe(1764021600000);
    expect(task.updatedAt?.getTime()).toBe(1764021780000);
    expect(task.startedAt?.getTime()).toBe(1764021605000);
    expect(task.finishedAt).toBeUndefined();
    const observed = toTask(observedCreate as never);
    expect(observed.createdAt?.getTime()).toBe(1764021600000);
    const notStarted = toTask(q("NOT_START"));
    expect(notStarted.createdAt?.getTime()).toBe(1764021600000);
    expect(notStarted.startedAt).toBeUndefined();
  });

  it("clamps progress to 0..100 and defaults it by status", () => {
    const body = q("processing");
    body.data.progress = "250%";
    expect(toTask(body).progress).toBe(100);
    body.data.progress = "garbage";
    expect(toTask(body).progress).toBe(0);
    expect(toTask(documentedCreate as never).progress).toBe(0);
    expect(toTask({ task_id: "t", task_status: "failed" }).progress).toBe(100);
  });

  it("reads a callback payload (a raw Kling task)", () => {
    const task = toTask({
      task_id: "t1",
      task_status: "succeed",
      task_result: { videos: [{ id: "v", url: "https://x/v.mp4", duration: "10" }] },
      task_info: { external_task_id: "e" },
    });
    expect(task).toMatchObject({ taskId: "t1", status: "succeed", externalTaskId: "e" });
    expect(task.videos[0]?.durationSeconds).toBe(10);
  });

  it("rejects values without a task id", () => {
    expect(() => toTask({} as never)).toThrow(TypeError);
    expect(() => toTask(null as never)).toThrow(TypeError);
  });

  it("builds every field of a succeeded query answer", () => {
    const raw = q("succeed");
    expect(toTask(raw)).toEqual({
      taskId: TASK_ID,
      status: "succeed",
      gatewayStatus: "SUCCESS",
      progress: 100,
      videos: [{ id: "v1", url: VIDEO_URL, durationSeconds: 5.1 }],
      video: { id: "v1", url: VIDEO_URL, durationSeconds: 5.1 },
      failReason: undefined,
      externalTaskId: "ext-1",
      createdAt: new Date(1764021600000),
      updatedAt: new Date(1764021780000),
      startedAt: new Date(1764021605000),
      finishedAt: new Date(1764021780000),
      raw,
    });
    expect(toTask(raw).raw).toBe(raw);
  });

  it("builds every field of the documented and the observed create answers", () => {
    expect(toTask(documentedCreate as never)).toEqual({
      taskId: TASK_ID,
      status: "submitted",
      gatewayStatus: undefined,
      progress: 0,
      videos: [],
      failReason: undefined,
      externalTaskId: undefined,
      createdAt: new Date(1764021600000),
      updatedAt: undefined,
      startedAt: undefined,
      finishedAt: undefined,
      raw: documentedCreate,
    });
    const observed = toTask(observedCreate as never);
    expect(observed).toMatchObject({
      taskId: TASK_ID,
      status: "submitted",
      progress: 0,
      createdAt: new Date(1764021600000),
    });
    expect("video" in observed).toBe(false); // only a succeeded task has `video`
  });

  it("reads the id from the first place that has one", () => {
    const body = q("processing");
    if (body.data.data) body.data.data.data.task_id = "";
    body.data.task_id = "from-gateway";
    expect(toTask(body).taskId).toBe("from-gateway");
    expect(toTask({ task_id: "top", data: {} } as never).taskId).toBe("top");
    // `id` is an id only in the observed create shape
    expect(() => toTask({ id: "x" } as never)).toThrow(new TypeError("Not a task: no task_id"));
    expect(toTask({ id: "x", object: "video" } as never).taskId).toBe("x");
    expect(() => toTask("t" as never)).toThrow(new TypeError("Not a task: expected an object"));
  });

  it("gives progress 100 to a finished task and 0 to a pending one when none is sent", () => {
    for (const [status, progress] of [
      ["succeed", 100],
      ["failed", 100],
      ["processing", 0],
      ["submitted", 0],
    ] as const) {
      expect(toTask({ task_id: "t", task_status: status }).progress).toBe(progress);
    }
    const body = q("succeed");
    body.data.progress = "";
    expect(toTask(body).progress).toBe(100);
    body.data.progress = "-5%";
    expect(toTask(body).progress).toBe(0);
    body.data.progress = "42.5%";
    expect(toTask(body).progress).toBe(42.5);
    expect(toTask({ task_id: "t", progress: 7 } as never).progress).toBe(7);
  });

  it("keeps only videos with a string url, with an empty id and no duration when missing", () => {
    const task = toTask({
      task_id: "t",
      task_status: "succeed",
      task_result: {
        videos: [
          { id: "a", url: 5, duration: "1" },
          null,
          "https://x/not-an-object.mp4",
          { url: "https://x/b.mp4", duration: "long" },
          { id: 7, url: "https://x/c.mp4", duration: 3 },
        ],
      },
    } as never);
    expect(task.videos).toEqual([
      { id: "", url: "https://x/b.mp4", durationSeconds: undefined },
      { id: "7", url: "https://x/c.mp4", durationSeconds: 3 },
    ]);
    expect(task.status === "succeed" && task.video).toEqual(task.videos[0]);
    expect(toTask({ task_id: "t", task_result: { videos: "x" } } as never).videos).toEqual([]);
  });

  it("takes the URL in fail_reason as a video only on success, and only an http one", () => {
    const body = q("succeed");
    if (body.data.data) body.data.data.data.task_result = { videos: [] };
    body.data.fail_reason = "done";
    expect(toTask(body).videos).toEqual([]);
    const pending = q("processing");
    pending.data.fail_reason = VIDEO_URL;
    expect(toTask(pending).videos).toEqual([]);
    expect(toTask(pending).failReason).toBeUndefined();
  });

  it("prefers Kling's failure message to the gateway's", () => {
    const body = q("failed");
    if (body.data.data) body.data.data.data.task_status_msg = "kling says";
    body.data.fail_reason = "gateway says";
    expect(toTask(body).failReason).toBe("kling says");
  });

  it("reads no date from 0, a negative, an infinite or a non-number value", () => {
    for (const value of [0, -1, Number.POSITIVE_INFINITY, "1764021600000", null]) {
      const task = toTask({ task_id: "t", created_at: value, updated_at: value } as never);
      expect(task.createdAt).toBeUndefined();
      expect(task.updatedAt).toBeUndefined();
    }
    const body = q("processing");
    if (body.data.data) body.data.data.data.created_at = 0;
    body.data.submit_time = 1764021000;
    expect(toTask(body).createdAt?.getTime()).toBe(1764021000000);
  });

  it("reads the external id only when it is a non-empty string", () => {
    const read = (task_info: unknown) =>
      toTask({ task_id: "t", task_info } as never).externalTaskId;
    expect(read({ external_task_id: "e" })).toBe("e");
    expect(read({ external_task_id: "" })).toBeUndefined();
    expect(read({ external_task_id: 5 })).toBeUndefined();
    expect(read("e")).toBeUndefined();
  });

  it("uses the gateway status when Kling's is not one of Kling's", () => {
    const body = q("processing");
    if (body.data.data) body.data.data.data.task_status = "bogus" as never;
    body.data.status = "SUCCESS";
    expect(toTask(body).status).toBe("succeed");
  });
});
