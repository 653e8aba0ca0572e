import { GATEWAY_STATUS_KLING } from "@kling-multi-image/spec/facts";
import type {
  CallbackPayload,
  CreateTaskResponse,
  GatewayTaskStatus,
  KlingTask,
  TaskQueryResponse,
  TaskStatus,
} from "./types.js";
import { isRecord, record, str } from "./util.js";

/** One generated video. */
export interface Video {
  /** Video id. */
  id: string;
  /** Where to download the MP4 (Kling deletes it after 30 days). */
  url: string;
  /** Length in seconds (Kling sends it as a string such as `"5.1"`), when known. */
  durationSeconds: number | undefined;
}

/** What every {@link Task} has, whatever its status. */
export interface TaskBase {
  /** The task id to poll with. */
  taskId: string;
  /** Kling's status (see {@link toTask} for how the gateway's status maps onto it). */
  status: TaskStatus;
  /** The gateway's own status, when the answer carried one. */
  gatewayStatus: GatewayTaskStatus | undefined;
  /** Progress from 0 to 100. */
  progress: number;
  /** Generated videos; empty until the task succeeds. */
  videos: Video[];
  /** Why the task failed; only set when `status` is `failed`. */
  failReason: string | undefined;
  /** The `external_task_id` given at submit, when known. */
  externalTaskId: string | undefined;
  /** When the task was created. */
  createdAt: Date | undefined;
  /** When Kling last updated the task. */
  updatedAt: Date | undefined;
  /** When the gateway saw the task start. */
  startedAt: Date | undefined;
  /** When the gateway saw the task finish. */
  finishedAt: Date | undefined;
  /** The wire response this task was read from. */
  raw: TaskQueryResponse | CreateTaskResponse | KlingTask;
}

/** A task still running (`submitted` or `processing`). */
export interface PendingTask extends TaskBase {
  /** Not finished yet. */
  status: "submitted" | "processing";
  /** Never set while pending. */
  failReason: undefined;
}
/** A task that succeeded; its videos are in `videos` (and the first in `video`). */
export interface SucceededTask extends TaskBase {
  /** Succeeded. */
  status: "succeed";
  /** The first video, when the answer listed one. */
  video: Video | undefined;
  /** Never set on success (the gateway's URL-in-`fail_reason` quirk is not surfaced). */
  failReason: undefined;
}
/** A task that failed, with Kling's reason. */
export interface FailedTask extends TaskBase {
  /** Failed. */
  status: "failed";
  /** Kling's reason (empty when none was given). */
  failReason: string;
}
/** The normalised view of a task: narrow on `status`. */
export type Task = PendingTask | SucceededTask | FailedTask;

/**
 * How the gateway's status maps onto Kling's when the raw Kling task is absent: the spec's
 * `x-status-mapping`, read from `@kling-multi-image/spec/facts`.
 */
export const GATEWAY_STATUS_MAP: Readonly<Record<GatewayTaskStatus, TaskStatus>> =
  GATEWAY_STATUS_KLING;

/** Kling's statuses: the gateway's map onto them reaches all four. */
const STATUSES = new Set<unknown>(Object.values(GATEWAY_STATUS_MAP));

function date(value: unknown, unitMs: number): Date | undefined {
  // `Number.isFinite` is false for anything but a finite number.
  return Number.isFinite(value) && (value as number) > 0
    ? new Date((value as number) * unitMs)
    : undefined;
}

/**
 * Normalises any task-shaped answer into a {@link Task}: the query wrapper
 * (`TaskQueryResponse`), either create shape (documented `{code: 0, data: {task_id, ...}}` or
 * observed `{id, task_id, object: "video", ...}`), or a raw Kling task / callback payload.
 *
 * - `status` comes from the raw Kling task when present; otherwise from the gateway status:
 *   `NOT_START`, `SUBMITTED`, `QUEUED` → `submitted`; `IN_PROGRESS`, `UNKNOWN` → `processing`
 *   (keep polling); `SUCCESS` → `succeed`; `FAILURE` → `failed`. The observed create shape
 *   (empty status) is `submitted`.
 * - `progress` is the gateway's percentage as a number; without one, 100 for finished tasks and 0
 *   otherwise.
 * - Kling's `created_at`/`updated_at` are Unix **milliseconds**; the gateway's `submit_time`,
 *   `start_time`, `finish_time` and the observed create's `created_at` are Unix **seconds**
 *   (0 means "not yet" and gives `undefined`).
 * - `failReason` is set only when the task failed, from Kling's `task_status_msg`, else the
 *   gateway's `fail_reason` unless that is Kling's "SUCCEED" (then `""`). The gateway's habit of
 *   putting the video URL in `fail_reason` on success is used only as a fallback video when Kling
 *   listed none.
 *
 * @throws TypeError when the value has no task id.
 */
export function toTask(raw: TaskQueryResponse | CreateTaskResponse | CallbackPayload): Task {
  const value = record(raw);
  if (!value) throw new TypeError("Not a task: expected an object");
  let gateway: Record<string, unknown> | undefined;
  let kling: Record<string, unknown> | undefined;
  let secondsCreated: unknown;
  const data = record(value.data);
  if (value.object === "video") {
    // observed create shape
    secondsCreated = value.created_at;
  } else if (typeof data?.status === "string") {
    // query wrapper: data is the gateway task, data.data the raw Kling response
    gateway = data;
    kling = record(record(data.data)?.data);
  } else {
    // documented create shape (Kling's envelope), else a raw Kling task / callback payload
    kling = data ?? value;
  }
  // The observed create shape carries the id twice (`id` and `task_id`); either will do.
  const taskId =
    str(kling?.task_id) ??
    str(gateway?.task_id) ??
    str(value.task_id) ??
    (value.object === "video" ? str(value.id) : undefined);
  if (taskId === undefined) throw new TypeError("Not a task: no task_id");
  const gatewayStatus =
    typeof gateway?.status === "string" && Object.hasOwn(GATEWAY_STATUS_MAP, gateway.status)
      ? (gateway.status as GatewayTaskStatus)
      : undefined;
  const klingStatus = kling?.task_status;
  const status: TaskStatus = STATUSES.has(klingStatus)
    ? (klingStatus as TaskStatus)
    : gatewayStatus
      ? GATEWAY_STATUS_MAP[gatewayStatus]
      : "submitted";
  const percent = Number.parseFloat(String(gateway?.progress ?? value.progress));
  const done = status === "succeed" || status === "failed";
  const progress = Number.isFinite(percent) ? Math.min(100, Math.max(0, percent)) : done ? 100 : 0;
  const list = record(kling?.task_result)?.videos;
  const videos: Video[] = [];
  if (Array.isArray(list)) {
    for (const v of list) {
      if (!isRecord(v) || typeof v.url !== "string") continue;
      const seconds = Number.parseFloat(String(v.duration));
      videos.push({
        id: String(v.id ?? ""),
        url: v.url,
        durationSeconds: Number.isFinite(seconds) ? seconds : undefined,
      });
    }
  }
  const gatewayReason = str(gateway?.fail_reason);
  if (status === "succeed" && videos.length === 0 && gatewayReason?.startsWith("http")) {
    videos.push({ id: taskId, url: gatewayReason, durationSeconds: undefined });
  }
  // One literal, not `{ ...base, status }` per branch: the spread cost more than the rest of
  // the function together (5 µs a call on Node 20, seen in the getTask benchmark).
  const task: TaskBase & { video?: Video | undefined } = {
    taskId,
    status,
    gatewayStatus,
    progress,
    videos,
    // The gateway fills `fail_reason` with Kling's top-level `message`, "SUCCEED" when Kling
    // answered the query well (the spec's `fail-reason-kling-message` departure): no reason at all.
    failReason:
      status === "failed"
        ? (str(kling?.task_status_msg) ??
          (gatewayReason === "SUCCEED" ? undefined : gatewayReason) ??
          "")
        : undefined,
    externalTaskId: str(record(kling?.task_info)?.external_task_id),
    createdAt:
      date(kling?.created_at, 1) ?? date(gateway?.submit_time, 1000) ?? date(secondsCreated, 1000),
    updatedAt: date(kling?.updated_at, 1),
    startedAt: date(gateway?.start_time, 1000),
    finishedAt: date(gateway?.finish_time, 1000),
    raw,
  };
  if (status === "succeed") task.video = videos[0];
  // `status` and `failReason` were set together above, as the Task union requires.
  return task as Task;
}
