/**
 * The video route, `/__mock/videos/<task_id>.mp4`: a succeeded task's MP4 (a committed fixture of
 * the task's aspect ratio and duration), with `Range` support so a `<video>` element can seek. No
 * key is needed: a `<video>` element cannot send one, and the task id is unguessable. The
 * fixtures (about 70 kB) load on the first video request, so a browser bundle of the MSW handlers
 * carries them in a chunk of their own, fetched only when a video is played.
 */
import type { Clock } from "../clock.js";
import { controlError } from "../control/handler.js";
import type { MockReply, MockRequest } from "../request.js";
import type { TaskStore } from "../store/types.js";

const VIDEO_PATH = /^\/__mock\/videos\/([A-Za-z0-9_-]{1,128})\.mp4$/;

/** The task id of a video path, or undefined when `path` is not one. */
export function videoTaskId(path: string): string | undefined {
  return VIDEO_PATH.exec(path)?.[1];
}

/** Answers GET or HEAD for a task's video; 404 until the task has succeeded. */
export async function answerVideo(
  store: TaskStore,
  clock: Clock,
  req: MockRequest,
  taskId: string,
): Promise<MockReply> {
  req.discardBody();
  const now = clock.now();
  const task = await store.any(taskId, now);
  if (task === undefined || task.outcome !== "succeed" || now < task.finishAt) {
    return {
      kind: "json",
      ...controlError(404, "not_found", "no video for this task (unknown, or not succeeded yet)"),
    };
  }
  const { videoBytes, videoReply } = await import("../../video/index.js");
  const range = req.headers.range;
  const reply = videoReply(
    req.method,
    typeof range === "string" ? range : undefined,
    videoBytes(task.aspectRatio, task.durationSeconds),
  );
  return { kind: "bytes", ...reply };
}
