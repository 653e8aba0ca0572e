/**
 * lifecycle and ensure_resource_availability: submit one task, find it straight away, then follow
 * it. Its status may only move forward (NOT_START → SUBMITTED → IN_PROGRESS → SUCCESS | FAILURE),
 * must reach a terminal status within the bound, and must stay there; a succeeded task's video URL
 * must answer `video/mp4`. On a virtual clock the kit advances time instead of sleeping.
 */
import { GATEWAY_STATUS_OF_KLING, GATEWAY_STATUSES } from "@kling-multi-image/spec/facts";
import { mediaType, parseJson, send } from "../http.js";
import type { Session } from "../session.js";
import { seedBody } from "./auth.js";
import type { ResponseCheckName } from "./conformance.js";
import { defineCheck } from "./define.js";
import { declareCheck } from "./metadata.js";
import {
  type Finding,
  type LifecycleOutcome,
  type Observation,
  responseSummary,
} from "./outcome.js";

const NAME = "lifecycle";
const AVAILABILITY = "ensure_resource_availability";

/** The names this module's findings carry: its two checks', and the response checks'. */
type Reported = typeof NAME | typeof AVAILABILITY | ResponseCheckName;

/** Why a check that follows the lifecycle task examined nothing: there was no task. */
export const NO_TASK = `no task was accepted to follow (see ${NAME})`;

/**
 * The `ensure_resource_availability` check: the first poll of the lifecycle task, which must find
 * it. It has no run of its own; the lifecycle check judges it.
 */
export const ensureResourceAvailabilityCheck = declareCheck({
  name: AVAILABILITY,
  billable: true,
  stage: "main",
  emptyReason: NO_TASK,
});

/**
 * The `lifecycle` check: submits one task (billable) and follows it, with the run's callback URL
 * when a receiver is up, and provides that task to the callbacks check.
 */
export const lifecycleCheck = defineCheck({
  name: NAME,
  billable: true,
  stage: "main",
  needs: [],
  provides: ["task"],
  judges: [ensureResourceAvailabilityCheck],
  run: async ({ session, inbox }) => {
    const task = await lifecycle(session, inbox?.url);
    return { failures: task.failures, skipped: task.skipped, provided: { task } };
  },
});

/**
 * The gateway's mapping of Kling's statuses (the spec's `x-status-mapping`, `fromKling`, read from
 * `@kling-multi-image/spec/facts`).
 */
export const GATEWAY_OF_KLING: Readonly<Record<string, string>> = GATEWAY_STATUS_OF_KLING;

/**
 * Order of the gateway's statuses, from the spec's ranks; equal ranks are alternatives, higher is
 * later. A status with no rank (`UNKNOWN`) is no stage of a task's lifecycle.
 */
export const GATEWAY_RANK: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(GATEWAY_STATUSES).flatMap(([status, fact]) =>
    fact.rank === null ? [] : [[status, fact.rank]],
  ),
);

/** Order of Kling's statuses (nested in `data.data.data.task_status`, and in callbacks). */
export const KLING_RANK: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(GATEWAY_STATUS_OF_KLING).map(([kling, status]) => [
    kling,
    GATEWAY_STATUSES[status].rank as number,
  ]),
);

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** Reads the task id from either create-response shape (documented `data.task_id`, observed `task_id`). */
export function taskIdOf(body: unknown): string | undefined {
  const root = obj(body);
  const fromData = obj(root?.data)?.task_id;
  if (typeof fromData === "string" && fromData) return fromData;
  return typeof root?.task_id === "string" && root.task_id ? root.task_id : undefined;
}

function observe(poll: number, body: unknown): Observation | undefined {
  const task = obj(obj(body)?.data);
  if (!task || typeof task.status !== "string") return undefined;
  const kling = obj(obj(task.data)?.data);
  const observation: Observation = {
    poll,
    status: task.status,
    progress: String(task.progress ?? ""),
  };
  if (typeof kling?.task_status === "string") observation.klingStatus = kling.task_status;
  const videos = obj(kling?.task_result)?.videos;
  const first = Array.isArray(videos) ? obj(videos[0]) : undefined;
  if (typeof first?.url === "string") observation.videoUrl = first.url;
  return observation;
}

const percent = (p: string) => (/^\d+%$/.test(p) ? Number.parseInt(p, 10) : Number.NaN);
const describe = (h: readonly Observation[]) =>
  h.map((o) => `${o.status}${o.klingStatus ? `/${o.klingStatus}` : ""} ${o.progress}`).join(" → ");

/** Lets time pass: the server's virtual clock when there is one, else real time. */
export async function passTime(session: Session, ms: number): Promise<void> {
  if (session.options.advance) await session.options.advance(ms);
  else await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `ensure_resource_availability` and `lifecycle` on one submitted task. */
export async function lifecycle(
  session: Session,
  callbackUrl?: string,
): Promise<LifecycleOutcome<Reported>> {
  const failures: Finding<Reported>[] = [];
  const history: Observation[] = [];
  const body: Json = {
    ...seedBody(session.options.imageUrls),
    external_task_id: session.uniqueId("contract-lifecycle"),
  };
  if (callbackUrl) body.callback_url = callbackUrl;
  const submit = session.submitRequest(body);
  const created = await session.exchange("createMultiImageVideoTask", submit);
  failures.push(...created.failures);
  session.count(NAME);
  const createResponse = created.response;
  if (!createResponse) return { failures, skipped: [], history };
  const parsed = parseJson(createResponse.body);
  const taskId = parsed.ok ? taskIdOf(parsed.value) : undefined;
  if (session.transient(NAME, createResponse)) return { failures, skipped: [], history };
  if (createResponse.status !== 200 || !taskId) {
    failures.push({
      check: NAME,
      message:
        createResponse.status !== 200
          ? `the seed body was answered ${createResponse.status}; no task to follow`
          : "the submit was accepted but neither data.task_id nor task_id holds a task id",
      request: submit,
      response: responseSummary(createResponse),
    });
    return { failures, skipped: [], history };
  }

  const interval = session.options.pollIntervalMs;
  const maxPolls = Math.max(1, Math.ceil(session.options.lifecycleTimeoutMs / interval));
  const query = {
    method: "GET",
    url: session.url("getMultiImageVideoTask", taskId),
    headers: session.authHeaders(),
  };
  let terminalAt: number | undefined;
  let elapsed = 0;
  for (let poll = 0; poll <= maxPolls + 2; poll++) {
    if (poll > 0) {
      await passTime(session, interval);
      elapsed += interval;
    }
    const result = await session.exchange("getMultiImageVideoTask", query);
    failures.push(...result.failures);
    const response = result.response;
    if (!response) return { failures, skipped: [], history, taskId };
    const fail = (check: typeof NAME | typeof AVAILABILITY, message: string) =>
      failures.push({ check, message, request: query, response: responseSummary(response) });
    if (poll === 0) session.count(AVAILABILITY);
    if ((response.status === 429 || response.status === 503) && poll < maxPolls) {
      // Documented and transient: wait as told (capped) and poll again; it costs one poll.
      const seconds = Number(response.headers["retry-after"]);
      const wait = Number.isFinite(seconds) ? Math.min(seconds * 1000, 30_000) : interval;
      await new Promise((resolve) => setTimeout(resolve, session.options.advance ? 0 : wait));
      continue;
    }
    if (response.status !== 200) {
      fail(
        poll === 0 ? AVAILABILITY : NAME,
        poll === 0
          ? `task ${taskId}, just accepted, was answered ${response.status} when queried`
          : `task ${taskId} was answered ${response.status} at poll ${poll} after ${describe(history)}`,
      );
      return { failures, skipped: [], history, taskId };
    }
    const body = parseJson(response.body);
    const seen = body.ok ? observe(poll, body.value) : undefined;
    if (!seen) {
      fail(NAME, `poll ${poll} of task ${taskId} has no data.status to follow`);
      return { failures, skipped: [], history, taskId };
    }
    const previous = history.at(-1);
    history.push(seen);
    const rank = GATEWAY_RANK[seen.status];
    if (rank === undefined) {
      fail(
        NAME,
        `task ${taskId} reached status ${seen.status}, which Kling never produces (${describe(history)})`,
      );
      return { failures, skipped: [], history, taskId };
    }
    const expected = seen.klingStatus ? GATEWAY_OF_KLING[seen.klingStatus] : undefined;
    // Before the gateway's first refresh its `data` is Kling's create answer, whose status is
    // `submitted` (the spec's departure `data-at-not-start`): NOT_START over it is no disagreement.
    const notRefreshedYet = seen.status === "NOT_START" && seen.klingStatus === "submitted";
    if (expected && expected !== seen.status && !notRefreshedYet) {
      fail(
        NAME,
        `task ${taskId} says status ${seen.status} but Kling's nested task_status is ${seen.klingStatus}, which the gateway maps to ${expected}`,
      );
      return { failures, skipped: [], history, taskId };
    }
    if (previous) {
      const went = `${describe([previous])} → ${describe([seen])}`;
      const prevRank = GATEWAY_RANK[previous.status] ?? 0;
      if (
        terminalAt !== undefined &&
        (seen.status !== previous.status || seen.klingStatus !== previous.klingStatus)
      ) {
        fail(
          NAME,
          `task ${taskId} left its terminal status at poll ${poll}: ${went} (history ${describe(history)})`,
        );
        return { failures, skipped: [], history, taskId };
      }
      const klingBack =
        seen.klingStatus &&
        previous.klingStatus &&
        (KLING_RANK[seen.klingStatus] ?? 0) < (KLING_RANK[previous.klingStatus] ?? 0);
      if (rank < prevRank || klingBack || percent(seen.progress) < percent(previous.progress)) {
        fail(
          NAME,
          `task ${taskId} moved backwards at poll ${poll}: ${went} (history ${describe(history)})`,
        );
        return { failures, skipped: [], history, taskId };
      }
    }
    if (rank === 3 && terminalAt === undefined) terminalAt = poll;
    // Two more polls after the terminal status prove that it stays.
    if (terminalAt !== undefined && poll >= terminalAt + 2) break;
    if (terminalAt === undefined && poll >= maxPolls) {
      fail(
        NAME,
        `task ${taskId} did not reach SUCCESS or FAILURE within ${session.options.lifecycleTimeoutMs} ms (${elapsed} ms ${session.options.advance ? "of virtual time" : "waited"}, ${poll} polls): ${describe(history)}`,
      );
      return { failures, skipped: [], history, taskId };
    }
  }

  const last = history.at(-1);
  const outcome: LifecycleOutcome<Reported> = { failures, skipped: [], history, taskId };
  if (!last) return outcome;
  if (last.klingStatus) outcome.finalKlingStatus = last.klingStatus;
  else outcome.finalKlingStatus = last.status === "SUCCESS" ? "succeed" : "failed";
  if (last.status === "SUCCESS")
    failures.push(...(await checkVideo(session, taskId, last.videoUrl)));
  return outcome;
}

/** A succeeded task's video URL must answer 200 (or 206) with `video/mp4`. The API key is not sent. */
async function checkVideo(
  session: Session,
  taskId: string,
  url: string | undefined,
): Promise<Finding<typeof NAME>[]> {
  if (!url) {
    return [
      {
        check: NAME,
        message: `task ${taskId} succeeded without data.data.data.task_result.videos[0].url`,
      },
    ];
  }
  // Only the first byte: the point is the media type, not downloading the video.
  const request = { method: "GET", url, headers: { Range: "bytes=0-0" } };
  const result = await send(request, session.options.timeoutMs);
  if (!result.ok)
    return [
      {
        check: NAME,
        message: `video URL of task ${taskId} did not answer: ${result.error}`,
        request,
      },
    ];
  const { status, headers } = result.response;
  const type = mediaType(headers["content-type"]);
  if ((status !== 200 && status !== 206) || type !== "video/mp4") {
    return [
      {
        check: NAME,
        message: `video URL of succeeded task ${taskId} answered ${status} with Content-Type ${headers["content-type"] ?? "(none)"}; expected 200/206 video/mp4`,
        request,
        response: responseSummary(result.response),
      },
    ];
  }
  return [];
}
