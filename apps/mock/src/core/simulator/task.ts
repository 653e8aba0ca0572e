/**
 * One task and the pure functions that derive its state from its timestamps: nothing runs per
 * task between requests, so 100,000 stored tasks cost memory but no CPU.
 */
import { GATEWAY_STATUS_OF_KLING, GATEWAY_STATUSES } from "@kling-multi-image/spec/facts";
import type {
  AspectRatio,
  DocumentedCreateTaskResponse,
  GatewayStatus,
  KlingStatus,
  KlingTask,
  TaskQueryResponse,
} from "../api-types.js";
import type { TimerHandle } from "../clock.js";
import type { Fidelity } from "../errors/gateway.js";
import { createRequestId, uuid, videoId } from "../ids.js";

export type { AspectRatio, GatewayStatus, KlingStatus } from "../api-types.js";

/** A stored task. Times are ms on the mock's clock; `Infinity` means "not scheduled" (held). */
export interface Task {
  readonly id: string;
  /** The tenant: the bearer key. Only compared, never logged. */
  readonly owner: string;
  readonly model: string;
  readonly mode: "std" | "pro";
  readonly aspectRatio: AspectRatio;
  readonly durationSeconds: number;
  readonly externalTaskId: string | undefined;
  readonly callbackUrl: string | undefined;
  readonly createdAt: number;
  refreshAt: number;
  processingAt: number;
  finishAt: number;
  outcome: "succeed" | "failed";
  failReason: string;
  /** How many status changes were already sent to the callback (0 = none). */
  emitted: number;
  /** Pending callback timers (only tasks with a callback have any), so a forced state or expiry can cancel them. */
  timers: TimerHandle[] | undefined;
}

/** Kling's status of a task at `now`. */
export function klingStatus(task: Task, now: number): KlingStatus {
  if (now >= task.finishAt) return task.outcome;
  if (now >= task.processingAt) return "processing";
  return "submitted";
}

/**
 * The gateway's status and progress at `now`: `NOT_START` until the gateway's first refresh, then
 * the status the gateway's code gives Kling's (the spec's `x-status-mapping`, read from
 * `@kling-multi-image/spec/facts`).
 */
export function gatewayStatus(
  task: Task,
  now: number,
): { status: GatewayStatus; progress: string } {
  const status: GatewayStatus =
    now < task.refreshAt ? "NOT_START" : GATEWAY_STATUS_OF_KLING[klingStatus(task, now)];
  return { status, progress: GATEWAY_STATUSES[status].progress };
}

/** Whether the task still holds a concurrency slot at `now`. */
export function inFlight(task: Task, now: number): boolean {
  return now < task.finishAt;
}

/** When the task last changed status (ms), as Kling's `updated_at`. */
export function updatedAt(task: Task, now: number): number {
  if (now >= task.finishAt) return task.finishAt;
  if (now >= task.processingAt) return task.processingAt;
  return task.createdAt;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Kling's task object, as nested in the query and posted to callbacks. */
export function klingTask(task: Task, now: number, videoUrl: string): KlingTask {
  const status = klingStatus(task, now);
  return {
    task_id: task.id,
    task_status: status,
    task_status_msg: status === "failed" ? task.failReason : "",
    task_info: task.externalTaskId === undefined ? {} : { external_task_id: task.externalTaskId },
    created_at: task.createdAt,
    updated_at: updatedAt(task, now),
    task_result: {
      videos:
        status === "succeed"
          ? [{ id: videoId(task.id), url: videoUrl, duration: String(task.durationSeconds) }]
          : [],
    },
  };
}

/** One status change of a task, as a callback carries it. */
export interface StatusChange {
  status: KlingStatus;
  /** Clock time of the change (ms). */
  at: number;
  /** The callback body: Kling's task as it was at that change. */
  payload: KlingTask;
}

/** A task's status changes and their times, in order (a held change's time is `Infinity`). */
function stages(task: Task): [KlingStatus, number][] {
  return [
    ["submitted", task.createdAt],
    ["processing", task.processingAt],
    [task.outcome, task.finishAt],
  ];
}

/** How many status changes a task went through by `now` (without building their payloads). */
export function changesBy(task: Task, now: number): number {
  return stages(task).filter(([, at]) => at <= now).length;
}

/** The status changes a task went through by `now`, in order: what its callbacks send. */
export function statusChanges(task: Task, now: number, videoUrl: string): StatusChange[] {
  return stages(task)
    .filter(([, at]) => at <= now)
    .map(([status, at]) => {
      const terminal = status === "succeed" || status === "failed";
      const base = klingTask(task, at, videoUrl);
      return {
        status,
        at,
        payload: {
          ...base,
          task_status: status,
          task_status_msg: status === "failed" ? task.failReason : "",
          updated_at: at,
          task_result: terminal ? (base.task_result ?? { videos: [] }) : { videos: [] },
        },
      };
    });
}

/** When the task's next status change after `now` happens, or `undefined` (none, or held). */
export function nextChangeAt(task: Task, now: number): number | undefined {
  const next = stages(task).find(([, at]) => at > now)?.[1];
  return next !== undefined && Number.isFinite(next) ? next : undefined;
}

/** Kling's answer to the submit: the documented create answer, and what the gateway stores. */
export function klingCreateAnswer(task: Task): DocumentedCreateTaskResponse {
  return {
    code: 0,
    message: "SUCCEED",
    request_id: createRequestId(task.id),
    data: {
      task_id: task.id,
      task_status: "submitted",
      task_info: task.externalTaskId === undefined ? {} : { external_task_id: task.externalTaskId },
      created_at: task.createdAt,
      updated_at: task.createdAt,
    },
  };
}

/**
 * The gateway's answer to `GET .../{task_id}`. With `fidelity: "gateway"`, `data` at `NOT_START` is
 * Kling's create answer (departure `data-at-not-start`) and a failed task's `fail_reason` is the
 * top-level `message` of Kling's query answer (departure `fail-reason-kling-message`).
 */
export function queryResponse(
  task: Task,
  now: number,
  videoUrl: string,
  fidelity: Fidelity = "documented",
): TaskQueryResponse {
  const { status, progress } = gatewayStatus(task, now);
  const kling = klingStatus(task, now);
  const notStarted = status === "NOT_START";
  const gateway = fidelity === "gateway";
  const answer = notStarted
    ? gateway
      ? klingCreateAnswer(task)
      : null
    : {
        code: 0,
        message: "SUCCEED",
        request_id: uuid(),
        data: klingTask(task, now, videoUrl),
      };
  return {
    code: "success" as const,
    message: "",
    data: {
      task_id: task.id,
      action: "multiImage2Video",
      status,
      progress,
      // The gateway's quirk: on success the video URL is in fail_reason (see the spec).
      fail_reason: notStarted
        ? ""
        : kling === "failed"
          ? gateway && answer !== null
            ? answer.message
            : task.failReason
          : kling === "succeed"
            ? videoUrl
            : "",
      submit_time: seconds(task.createdAt),
      start_time: !notStarted && now >= task.processingAt ? seconds(task.processingAt) : 0,
      finish_time: !notStarted && now >= task.finishAt ? seconds(task.finishAt) : 0,
      data: answer,
    },
  };
}
