/**
 * What the client's unit tests send, and what the gateway answers as they script their test
 * servers with it.
 */
import type { CreateTaskRequest } from "../../src/index.js";

/** A small valid submit. */
export const body: CreateTaskRequest = {
  model: "kling-v1-6",
  prompt: "a cat walks",
  image_list: [{ image: "https://example.com/1.jpg" }],
};

export const TASK_ID = "CjMkb2eFcrsAAAAAAKL4bg";

type KlingStatus = "submitted" | "processing" | "succeed" | "failed";
const GATEWAY: Record<KlingStatus, [string, string]> = {
  submitted: ["SUBMITTED", "10%"],
  processing: ["IN_PROGRESS", "30%"],
  succeed: ["SUCCESS", "100%"],
  failed: ["FAILURE", "100%"],
};
export const VIDEO_URL = `https://cdn.klingai.com/bs2/upload-kling-api/video/${TASK_ID}.mp4`;

/** A query response as the gateway sends it, for each Kling status (or NOT_START with no data). */
export function queryBody(status: KlingStatus | "NOT_START", taskId = TASK_ID): unknown {
  if (status === "NOT_START") {
    return {
      code: "success",
      message: "",
      data: {
        task_id: taskId,
        action: "multiImage2Video",
        status: "NOT_START",
        progress: "0%",
        fail_reason: "",
        submit_time: 1764021600,
        start_time: 0,
        finish_time: 0,
        data: null,
      },
    };
  }
  const [gatewayStatus, progress] = GATEWAY[status];
  return {
    code: "success",
    message: "",
    data: {
      task_id: taskId,
      action: "multiImage2Video",
      status: gatewayStatus,
      progress,
      fail_reason: status === "succeed" ? VIDEO_URL : status === "failed" ? "content policy" : "",
      submit_time: 1764021600,
      start_time: status === "submitted" ? 0 : 1764021605,
      finish_time: status === "succeed" || status === "failed" ? 1764021780 : 0,
      data: {
        code: 0,
        message: "SUCCEED",
        request_id: "req-1",
        data: {
          task_id: taskId,
          task_status: status,
          task_status_msg: status === "failed" ? "content policy" : "",
          task_info: { external_task_id: "ext-1" },
          created_at: 1764021600000,
          updated_at: 1764021780000,
          ...(status === "succeed"
            ? { task_result: { videos: [{ id: "v1", url: VIDEO_URL, duration: "5.1" }] } }
            : {}),
        },
      },
    },
  };
}

export const documentedCreate = {
  code: 0,
  message: "SUCCEED",
  request_id: "req-0",
  data: { task_id: TASK_ID, task_status: "submitted", created_at: 1764021600000 },
};
export const observedCreate = {
  id: TASK_ID,
  task_id: TASK_ID,
  object: "video",
  model: "kling-v1-6",
  status: "",
  progress: 0,
  created_at: 1764021600,
};
