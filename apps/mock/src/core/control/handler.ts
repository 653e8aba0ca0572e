/**
 * The control API under `/__mock/` (described in `control-api.yaml`): health, tasks, forcing a
 * state, the virtual clock, settings, the callback log and reset. Its requests and responses are
 * validated against that document, like the Kling API against the spec, and every error it
 * answers has the control API's own shape, `{error: {message, code}}` (never the gateway's).
 */

import type { components } from "../../generated/control-api.js";
import type { DeliveryRecord } from "../callbacks/index.js";
import { type Clock, isVirtual } from "../clock.js";
import type { Operation, ValidationEngine } from "../engine.js";
import { describe, errorsOf } from "../errors/diagnostics.js";
import { fingerprint } from "../ids.js";
import { checkedReply, type LogSink } from "../pipeline/check.js";
import type { ProxyViolation } from "../pipeline/forward.js";
import { isJsonType, type JsonReply, type MockRequest } from "../request.js";
import { parseScenario } from "../simulator/scenarios.js";
import type { Simulator } from "../simulator/simulator.js";
import { gatewayStatus, klingStatus, type Task } from "../simulator/task.js";

type Schemas = components["schemas"];

/** The slice of the callback dispatcher the control API reads. */
export interface CallbackLog {
  log(filter?: { taskId?: string; owner?: string }): DeliveryRecord[];
  reset(): void;
}

/** What the control API acts on. */
export interface ControlStage {
  engine: ValidationEngine;
  simulator: Simulator;
  clock: Clock;
  callbacks: CallbackLog;
  startedAt: number;
  timing: string;
  videoUrl(taskId: string): string;
  log: LogSink;
  /**
   * Bearer tokens that may drive the control API (the accepted keys and the control token), or
   * undefined when the mock accepts any key: then the control API is open, as on loopback.
   */
  controlKeys: ReadonlySet<string> | undefined;
  /** In proxy mode, the exchanges that broke the spec, newest last (empty otherwise). */
  proxyViolations(): readonly ProxyViolation[];
}

/** A control request, its body read and parsed. */
interface ControlRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** The caller's bearer key, if any (filters the task list). */
  key: string | undefined;
}

/** Control requests are small; anything bigger is a mistake. */
const CONTROL_BODY_LIMIT = 1024 * 1024;

/** An error in the control API's own shape. */
export const controlError = (status: number, code: string, message: string): JsonReply => ({
  status,
  body: { error: { message, code } } satisfies Schemas["Error"],
});

/** Reads, routes, validates, answers and checks one control request. */
export async function answerControl(
  stage: ControlStage,
  req: MockRequest,
  key: string | undefined,
): Promise<JsonReply> {
  const open = req.method === "GET" && req.path === "/__mock/health";
  if (
    stage.controlKeys !== undefined &&
    !open &&
    (key === undefined || !stage.controlKeys.has(key))
  ) {
    req.discardBody();
    return checkedControl(
      stage,
      req,
      controlError(
        401,
        "unauthorized",
        "this mock was started with keys: the control API needs Authorization: Bearer <one of the keys, or the control token>",
      ),
    );
  }
  const contentType = req.headers["content-type"];
  if (
    req.method !== "GET" &&
    req.method !== "HEAD" &&
    contentType !== undefined &&
    !isJsonType(contentType)
  ) {
    // text/plain and forms are what a web page can send without a preflight.
    req.discardBody();
    return checkedControl(
      stage,
      req,
      controlError(
        415,
        "unsupported_media_type",
        "control requests take JSON (Content-Type: application/json)",
      ),
    );
  }
  const body = await req.readBody(CONTROL_BODY_LIMIT);
  if (body.kind === "too_large") {
    return controlError(413, "too_large", "control request body too large");
  }
  if (body.kind === "busy") {
    return controlError(413, "too_large", "the mock is reading too many large uploads at once");
  }
  if (body.kind === "aborted") {
    return controlError(400, "invalid_json", "request body was not received completely");
  }
  let parsed: unknown;
  if (body.text !== "") {
    try {
      parsed = JSON.parse(body.text);
    } catch {
      return controlError(400, "invalid_json", "body is not valid JSON");
    }
  }
  const { reply, operation } = await handleControl(stage, {
    method: req.method,
    path: req.path,
    query: req.query,
    headers: req.headers,
    body: parsed,
    key,
  });
  return checkedReply(stage.engine, operation, reply, `${req.method} ${req.path}`, stage.log);
}

/** A refusal checked against the route's documented answers, when the route exists. */
function checkedControl(stage: ControlStage, req: MockRequest, reply: JsonReply): JsonReply {
  const routed = stage.engine.route(req.method, req.path);
  if (!("operation" in routed)) return reply;
  return checkedReply(
    stage.engine,
    routed.operation,
    reply,
    `${req.method} ${req.path}`,
    stage.log,
  );
}

/** A task as the control API shows it. */
export async function summarize(
  task: Task,
  now: number,
  videoUrl: string,
): Promise<Schemas["TaskSummary"]> {
  const status = klingStatus(task, now);
  const summary: Schemas["TaskSummary"] = {
    task_id: task.id,
    owner: await fingerprint(task.owner),
    task_status: status,
    gateway_status: gatewayStatus(task, now).status,
    created_at: task.createdAt,
    model: task.model,
    mode: task.mode,
    aspect_ratio: task.aspectRatio,
    duration: String(task.durationSeconds) as "5" | "10",
  };
  if (task.externalTaskId !== undefined) summary.external_task_id = task.externalTaskId;
  if (task.callbackUrl !== undefined) summary.callback_url = task.callbackUrl;
  if (status === "succeed") summary.video_url = videoUrl;
  return summary;
}

/** Routes, validates and answers one control request. */
async function handleControl(
  ctx: ControlStage,
  req: ControlRequest,
): Promise<{ reply: JsonReply; operation?: Operation }> {
  const routed = ctx.engine.route(req.method, req.path);
  if (!("operation" in routed)) {
    return { reply: controlError(404, "not_found", `no control route ${req.method} ${req.path}`) };
  }
  const operation = routed.operation;
  const diagnostics = errorsOf(
    ctx.engine.checkRequest(operation, {
      method: req.method.toLowerCase(),
      url: { path: req.path, query: req.query },
      headers: req.headers,
      body: req.body,
    }),
  );
  if (diagnostics.length > 0) {
    return {
      reply: controlError(400, "invalid_request", diagnostics.map(describe).join("; ")),
      operation,
    };
  }
  return { reply: await answer(ctx, operation, req), operation };
}

async function answer(
  ctx: ControlStage,
  operation: Operation,
  req: ControlRequest,
): Promise<JsonReply> {
  const { simulator, clock } = ctx;
  const now = clock.now();
  switch (operation.iid) {
    case "health":
      return {
        status: 200,
        body: {
          status: "ok",
          clock: isVirtual(clock) ? "virtual" : "system",
          now,
          tasks: await simulator.store.size(),
          uptime_ms: Math.max(0, Math.round(performance.now() - ctx.startedAt)),
        } satisfies Schemas["Health"],
      };
    case "listTasks": {
      const limit = Number(req.query.limit ?? 100);
      const tasks = await simulator.store.list(req.key, Number.isFinite(limit) ? limit : 100, now);
      return {
        status: 200,
        body: {
          tasks: await Promise.all(tasks.map((t) => summarize(t, now, ctx.videoUrl(t.id)))),
        } satisfies Schemas["TaskList"],
      };
    }
    case "forceTaskState": {
      const taskId = decodeURIComponent(req.path.split("/")[3] ?? "");
      const body = req.body as Schemas["ForceState"];
      const result = await simulator.force(taskId, body.status, body.reason);
      if (result === "not_found") return controlError(404, "task_not_exist", `no task ${taskId}`);
      if (result === "terminal")
        return controlError(409, "task_finished", `task ${taskId} has already finished`);
      return {
        status: 200,
        body: await summarize(result, clock.now(), ctx.videoUrl(result.id)),
      };
    }
    case "advanceClock": {
      if (!isVirtual(clock)) {
        return controlError(
          409,
          "not_virtual",
          "the mock runs on the system clock; start it with a virtual clock",
        );
      }
      const body = req.body as Schemas["Advance"];
      await simulator.advance(body.ms);
      return {
        status: 200,
        body: { now: clock.now(), pending_timers: clock.pending() } satisfies Schemas["ClockState"],
      };
    }
    case "getConfig":
      return { status: 200, body: config(ctx) };
    case "patchConfig": {
      const body = req.body as Schemas["ConfigPatch"];
      const patch: Parameters<Simulator["configure"]>[0] = {};
      if (body.scenario !== undefined) {
        // null and "" both clear the server-wide scenario.
        const text = body.scenario ?? "";
        const parsed = parseScenario(text);
        if (typeof parsed === "string") return controlError(400, "invalid_request", parsed);
        patch.scenario = parsed;
        patch.scenarioText = text;
      }
      if (body.fidelity !== undefined) {
        patch.fidelity = body.fidelity;
        // The create shape follows the fidelity (create-response-shape) unless given with it.
        patch.createShape = body.fidelity === "gateway" ? "observed" : "documented";
      }
      if (body.create_shape !== undefined) patch.createShape = body.create_shape;
      if (body.failure_rate !== undefined) patch.failureRate = body.failure_rate;
      if (body.seed !== undefined) patch.seed = body.seed;
      if (body.concurrency_limit !== undefined) patch.concurrencyLimit = body.concurrency_limit;
      await simulator.configure(patch);
      return { status: 200, body: config(ctx) };
    }
    case "listCallbacks": {
      const taskId = typeof req.query.task_id === "string" ? req.query.task_id : undefined;
      // With a bearer key, only that key's deliveries (like the task list).
      const filter: { taskId?: string; owner?: string } = {};
      if (taskId !== undefined && taskId !== "") filter.taskId = taskId;
      if (req.key !== undefined) filter.owner = req.key;
      const records = ctx.callbacks.log(filter);
      return {
        status: 200,
        body: {
          deliveries: records.map((r) => {
            const out: Schemas["DeliveryRecord"] = {
              id: r.id,
              task_id: r.taskId,
              url: r.url,
              task_status: r.taskStatus,
              attempt: r.attempt,
              at: r.at,
              outcome: r.outcome,
            };
            if (r.httpStatus !== undefined) out.http_status = r.httpStatus;
            if (r.error !== undefined) out.error = r.error;
            return out;
          }),
        } satisfies Schemas["CallbackLog"],
      };
    }
    case "listProxyViolations":
      return {
        status: 200,
        body: {
          violations: ctx.proxyViolations().map((v) => ({ ...v, problems: [...v.problems] })),
        } satisfies Schemas["ProxyViolations"],
      };
    case "reset":
      await simulator.reset();
      ctx.callbacks.reset();
      return { status: 200, body: { ok: true } satisfies Schemas["Ok"] };
    default:
      return controlError(404, "not_found", `no control route ${req.method} ${req.path}`);
  }
}

function config(ctx: ControlStage): Schemas["Config"] {
  const s = ctx.simulator.settings;
  return {
    fidelity: s.fidelity ?? "documented",
    create_shape: s.createShape,
    scenario: s.scenarioText,
    failure_rate: s.failureRate,
    seed: s.seed,
    concurrency_limit: s.concurrencyLimit,
    timing: ctx.timing,
  };
}
