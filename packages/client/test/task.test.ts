import { describe, expect, it } from "vitest";
import { GATEWAY_STATUS_MAP, toTask } from "../src/task.js";
import type { TaskQueryResponse } from "../src/types.js";
import {
  documentedCreate,
  observedCreate,
  queryBody,
  TASK_ID,
  VIDEO_URL,
} from "./helpers/server.js";

const q = (status: Parameters<typeof queryBody>[0]) => queryBody(status) as TaskQueryResponse;

describe("toTask", () => {
  it("prefers the raw Kling status over the gateway's", () => {
    const body = q("processing");
    body.data.status = "SUCCESS";
    expect(toTask(body).status).toBe("processing");
  });

  it.each(Object.entries(GATEWAY_STATUS_MAP))(
    "maps gateway %s without Kling data",
    (gw, status) => {
      const body = q("NOT_START");
      body.data.status = gw as TaskQueryResponse["data"]["status"];
      expect(toTask(body).status).toBe(status);
    },
  );

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
});
