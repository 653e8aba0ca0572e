/**
 * A small hand-written gateway for the kit's own tests: correct by default (written from the spec's
 * prose and examples, not from its schemas, so it is a second opinion), with switches that break
 * exactly one thing each. Listens on 127.0.0.1 on an ephemeral port; time is virtual.
 */

import type { ServerResponse } from "node:http";
import { GATEWAY_STATUS_OF_KLING, GATEWAY_STATUSES } from "@kling-multi-image/spec/facts";
import { startServer } from "@kling-multi-image/test-support";
import { signWebhook } from "../../src/callbacks/signature.js";

/** One deliberate defect. */
export interface Breaks {
  /** Query answers `progress` as a number instead of a "30%" string. */
  wrongFieldType?: boolean;
  /** Create answers without `data.task_status` (a required field). */
  missingRequired?: boolean;
  /** A numeric `duration` crashes the server: 500. */
  serverErrorOnBadInput?: boolean;
  /** The task goes IN_PROGRESS → SUBMITTED once. */
  statusBackwards?: boolean;
  /** Callbacks are sent without signature headers. */
  unsignedCallbacks?: boolean;
  /** Error answers say `text/plain`. */
  wrongContentType?: boolean;
  /** Any bearer key is accepted. */
  acceptsAnyKey?: boolean;
  /** Unknown tasks answered 404 instead of 400 task_not_exist. */
  unknownTask404?: boolean;
  /** Prompts are not length-checked. */
  noPromptLimit?: boolean;
  /** Tasks never finish. */
  neverFinishes?: boolean;
  /** Unknown task queries get 429 with a non-numeric Retry-After. */
  badRetryAfter?: boolean;
  /** Callbacks arrive terminal-first. */
  callbacksOutOfOrder?: boolean;
  /** The video URL answers text/html. */
  videoNotMp4?: boolean;
  /** Every second valid submit is answered 429 with `Retry-After: 1` (a documented rate limit). */
  rateLimitSubmits?: boolean;
  /** The gateway status says SUCCESS while Kling's nested status still says processing. */
  inconsistentStatus?: boolean;
  /** Validation errors answered 422 (undocumented) instead of 400. */
  undocumentedStatus?: boolean;
  /** Answer the create in the observed (`object: "video"`) shape. */
  observedShape?: boolean;
}

interface Task {
  id: string;
  owner: string;
  createdAt: number;
  callbackUrl?: string;
  externalTaskId?: string;
  lastStatus?: string;
  backwardsDone?: boolean;
  heldBack?: boolean;
}

/** A running fake gateway. */
export interface FakeGateway {
  url: string;
  /** Moves the virtual clock and sends the callbacks that became due, in order. */
  advance(ms: number): Promise<void>;
  requests: number;
  /** Every image the fake was sent in an accepted submit. */
  images: string[];
  close(): Promise<void>;
}

const ENUMS: Record<string, string[]> = {
  mode: ["std", "pro"],
  aspect_ratio: ["16:9", "9:16", "1:1"],
  duration: ["5", "10"],
};
const IMAGE = /^(?:https?:\/\/\S+|[A-Za-z0-9+/]+={0,2})$/;

function validate(body: unknown, breaks: Breaks): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return "body must be a JSON object";
  const b = body as Record<string, unknown>;
  if (typeof b.model !== "string" || b.model === "") return "model is required";
  if (!Array.isArray(b.image_list) || b.image_list.length < 1 || b.image_list.length > 4)
    return "image_list must hold 1 to 4 images";
  for (const item of b.image_list) {
    const image = (item as { image?: unknown } | null)?.image;
    if (
      typeof item !== "object" ||
      item === null ||
      typeof image !== "string" ||
      !IMAGE.test(image)
    )
      return "image must be a URL or raw Base64";
  }
  // The gateway trims the prompt before its emptiness check (relay_utils.go validatePrompt).
  if (typeof b.prompt !== "string" || b.prompt.trim().length === 0) return "prompt is required";
  if (!breaks.noPromptLimit && [...b.prompt].length > 2500) return "prompt is too long";
  if (
    b.negative_prompt !== undefined &&
    (typeof b.negative_prompt !== "string" || [...b.negative_prompt].length > 2500)
  )
    return "negative_prompt is invalid";
  for (const [field, values] of Object.entries(ENUMS)) {
    if (b[field] !== undefined && !values.includes(b[field] as string))
      return `${field} must be one of ${values.join(", ")}`;
  }
  if (
    b.callback_url !== undefined &&
    (typeof b.callback_url !== "string" || !/^https?:\/\//.test(b.callback_url))
  )
    return "callback_url must be http(s)";
  if (
    b.external_task_id !== undefined &&
    (typeof b.external_task_id !== "string" ||
      b.external_task_id.length < 1 ||
      b.external_task_id.length > 128)
  )
    return "external_task_id is invalid";
  if (b.model_name !== undefined && typeof b.model_name !== "string")
    return "model_name is invalid";
  return undefined;
}

/** Starts a fake gateway accepting `apiKey`. */
export async function startFakeGateway(options: {
  apiKey: string;
  secret?: string;
  breaks?: Breaks;
}): Promise<FakeGateway> {
  const breaks = options.breaks ?? {};
  const tasks = new Map<string, Task>();
  let now = 1_764_021_600_000;
  let counter = 0;
  let submits = 0;
  const images: string[] = [];
  let base = "";

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const type = status >= 400 && breaks.wrongContentType ? "text/plain" : "application/json";
    res.writeHead(status, { "content-type": type, ...headers }).end(JSON.stringify(body));
  };
  const gatewayError = (res: ServerResponse, status: number, message: string) =>
    send(res, status, { error: { message, type: "new_api_error", code: "" } });
  const taskError = (res: ServerResponse, status: number, code: string, message: string) =>
    send(res, status, { code, message, data: null });

  // Status by age on the virtual clock: 0-2 s submitted, 2-6 s processing, then succeed.
  const statusOf = (task: Task): "submitted" | "processing" | "succeed" => {
    if (breaks.neverFinishes) return "processing";
    const age = now - task.createdAt;
    if (age < 2_000) return "submitted";
    if (age < 6_000) return "processing";
    return "succeed";
  };
  const klingTask = (task: Task, status: string) => ({
    task_id: task.id,
    task_status: status,
    task_status_msg: "",
    task_info: task.externalTaskId ? { external_task_id: task.externalTaskId } : {},
    created_at: task.createdAt,
    updated_at: now,
    ...(status === "succeed"
      ? {
          task_result: {
            videos: [{ id: `v-${task.id}`, url: `${base}/videos/${task.id}.mp4`, duration: "5.1" }],
          },
        }
      : {}),
  });

  const server = await startServer(async ({ body: text }, res, _n, req) => {
    const url = new URL(req.url ?? "/", base);
    if (url.pathname.startsWith("/videos/")) {
      res
        .writeHead(200, { "content-type": breaks.videoNotMp4 ? "text/html" : "video/mp4" })
        .end("x");
      return;
    }
    const auth = req.headers.authorization ?? "";
    const key = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if (!key || (!breaks.acceptsAnyKey && key !== options.apiKey))
      return gatewayError(res, 401, "Invalid token");
    const create = "/kling/v1/videos/multi-image2video";
    if (req.method === "POST" && url.pathname === create) {
      const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim();
      if (type !== "application/json")
        return gatewayError(res, 400, "content type must be application/json");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return gatewayError(res, 400, "invalid request body");
      }
      if (
        breaks.serverErrorOnBadInput &&
        typeof (body as { duration?: unknown })?.duration === "number"
      ) {
        res.writeHead(500, { "content-type": "text/plain" }).end("panic: interface conversion");
        return;
      }
      const problem = validate(body, breaks);
      if (problem)
        return taskError(res, breaks.undocumentedStatus ? 422 : 400, "invalid_request", problem);
      const b = body as Record<string, string>;
      submits += 1;
      if (breaks.rateLimitSubmits && submits % 2 === 0) {
        return send(
          res,
          429,
          { code: "fail_to_fetch_task", message: '{"code":1302,"message":"rate"}', data: null },
          { "retry-after": "1" },
        );
      }
      for (const item of (body as { image_list: { image: string }[] }).image_list)
        images.push(item.image);
      counter += 1;
      const task: Task = { id: `task${counter}`, owner: key, createdAt: now };
      if (b.callback_url) task.callbackUrl = b.callback_url;
      if (b.external_task_id) task.externalTaskId = b.external_task_id;
      tasks.set(task.id, task);
      task.lastStatus = "submitted";
      if (task.callbackUrl) await deliver(task, ["submitted"]);
      if (breaks.observedShape) {
        return send(res, 200, {
          id: task.id,
          task_id: task.id,
          object: "video",
          model: b.model,
          status: "",
          progress: 0,
          created_at: Math.floor(now / 1000),
        });
      }
      const data: Record<string, unknown> = {
        task_id: task.id,
        task_status: "submitted",
        created_at: now,
        updated_at: now,
      };
      if (breaks.missingRequired) delete data.task_status;
      return send(res, 200, { code: 0, message: "SUCCEED", request_id: `r${counter}`, data });
    }
    const match = /^\/kling\/v1\/videos\/multi-image2video\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && match) {
      const task = tasks.get(decodeURIComponent(match[1] ?? ""));
      if (!task || task.owner !== key) {
        if (breaks.badRetryAfter) {
          return send(
            res,
            429,
            { code: "fail_to_fetch_task", message: "slow down", data: null },
            { "retry-after": "soon" },
          );
        }
        if (breaks.unknownTask404) return gatewayError(res, 404, "not found");
        return taskError(res, 400, "task_not_exist", "task_not_exist");
      }
      let status: string = statusOf(task);
      if (breaks.statusBackwards && status === "processing" && task.backwardsDone === undefined) {
        task.backwardsDone = false;
      } else if (breaks.statusBackwards && task.backwardsDone === false) {
        task.backwardsDone = true;
        status = "submitted";
      }
      // The spec's mapping (x-status-mapping), as the real gateway's code applies it.
      const gateway =
        (GATEWAY_STATUS_OF_KLING as Record<string, keyof typeof GATEWAY_STATUSES>)[status] ??
        "UNKNOWN";
      const progress = GATEWAY_STATUSES[gateway].progress;
      const shown = breaks.inconsistentStatus && status === "processing" ? "SUCCESS" : gateway;
      const kling = klingTask(task, status);
      return send(res, 200, {
        code: "success",
        message: "",
        data: {
          task_id: task.id,
          action: "multiImage2Video",
          status: shown,
          progress: breaks.wrongFieldType ? Number.parseInt(progress, 10) : progress,
          fail_reason: status === "succeed" ? `${base}/videos/${task.id}.mp4` : "",
          submit_time: Math.floor(task.createdAt / 1000),
          start_time: 0,
          finish_time: 0,
          data: { code: 0, message: "SUCCEED", request_id: "q", data: kling },
        },
      });
    }
    return gatewayError(res, 404, `Invalid URL (${req.method} ${url.pathname})`);
  });

  async function deliver(task: Task, statuses: string[]) {
    // Out of order: hold "processing" back and send it after "succeed".
    let ordered = statuses;
    if (breaks.callbacksOutOfOrder) {
      ordered = statuses.filter((s) => s !== "processing");
      if (statuses.includes("processing")) task.heldBack = true;
      if (statuses.includes("succeed") && task.heldBack) ordered = [...ordered, "processing"];
    }
    for (const status of ordered) {
      if (!task.callbackUrl) return;
      const body = JSON.stringify(klingTask(task, status));
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (options.secret && !breaks.unsignedCallbacks) {
        const id = `msg_${task.id}_${status}`;
        const ts = Math.floor(Date.now() / 1000);
        Object.assign(headers, {
          "webhook-id": id,
          "webhook-timestamp": String(ts),
          "webhook-signature": await signWebhook(options.secret, id, ts, body),
        });
      }
      await fetch(task.callbackUrl, { method: "POST", headers, body }).then(
        (r) => r.arrayBuffer(),
        () => undefined,
      );
    }
  }

  base = server.url;
  return {
    url: base,
    images,
    get requests() {
      return server.hits.length;
    },
    async advance(ms: number) {
      now += ms;
      for (const task of tasks.values()) {
        const status = statusOf(task);
        if (status === task.lastStatus) continue;
        const pending =
          task.lastStatus === "submitted" && status === "succeed"
            ? ["processing", "succeed"]
            : [status];
        task.lastStatus = status;
        if (task.callbackUrl) await deliver(task, pending);
      }
    },
    close: server.close,
  };
}
