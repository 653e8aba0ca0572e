/**
 * The stateful part of the mock: it decides what the gateway would answer to a submit or a query,
 * keeps the tasks, and sends callbacks when a task changes status on the clock. It produces plain
 * `{status, headers, body}` replies; the server checks each against the spec with Prism.
 */
import type {
  CreateBody,
  DocumentedCreateTaskResponse,
  ObservedCreateTaskResponse,
} from "../api-types.js";
import type { Clock } from "../clock.js";
import { errors, type JsonReply } from "../errors/envelopes.js";
import {
  type Fidelity,
  GATEWAY_ASPECT_RATIO,
  klingRefusalReply,
  OBSERVED_CREATE_STATUS,
  rateLimitReply,
} from "../errors/gateway.js";
import { randomId } from "../ids.js";
import { type Random, seededRandom } from "./random.js";
import type { Scenario } from "./scenarios.js";
import { TaskStore } from "./store.js";
import {
  type KlingStatus,
  klingCreateAnswer,
  klingStatus,
  klingTask,
  queryResponse,
  type Task,
} from "./task.js";
import type { TimingProfile } from "./timing.js";

/** The slice of the lead's CallbackDispatcher the simulator uses. */
export interface CallbackSink {
  check(url: string): string | undefined;
  enqueue(owner: string, taskId: string, url: string, payload: unknown): void;
}

/** Settings that the control API may change at run time. */
export interface SimulatorSettings {
  /**
   * `"gateway"` answers as the gateway's code does (the spec's `x-gateway-departure`s); absent or
   * `"documented"`, as its docs say.
   */
  fidelity?: Fidelity;
  createShape: "documented" | "observed";
  /** Scenario applied to every request (a request's header wins field by field). */
  scenario: Scenario;
  /** `scenario` as it was written (`fail,slow:200`), for the control API to show back. */
  scenarioText: string;
  /** Probability in [0, 1] that an accepted task ends `failed`. */
  failureRate: number;
  /** Seed of the PRNG that draws failures. */
  seed: number;
  /** Unfinished tasks allowed per key; 0 = no limit. */
  concurrencyLimit: number;
  /** Seconds in `Retry-After` of 429/503 answers. */
  retryAfterSeconds: number;
}

/** What the simulator is built from. */
export interface SimulatorOptions {
  clock: Clock;
  timing: TimingProfile;
  settings: SimulatorSettings;
  models: readonly string[];
  ttlMs: number;
  maxTasks: number;
  callbacks: CallbackSink;
  /** The URL of a task's video (served by the mock itself). */
  videoUrl(taskId: string): string;
}

/** A validated submit body (the engine already checked it against the spec). */
export type { CreateBody } from "../api-types.js";

const FAIL_REASON = "Video generation failed due to an internal error, please try again";

/** The task simulator. */
export class Simulator {
  readonly store: TaskStore;
  settings: SimulatorSettings;
  #random: Random;

  constructor(private readonly options: SimulatorOptions) {
    this.settings = { ...options.settings };
    this.#random = seededRandom(this.settings.seed);
    this.store = new TaskStore({ ttlMs: options.ttlMs, maxTasks: options.maxTasks }, (task) =>
      this.#cancelTimers(task),
    );
  }

  get #now(): number {
    return this.options.clock.now();
  }

  /** Applies new settings; a new seed restarts the failure draws. */
  configure(patch: Partial<SimulatorSettings>): SimulatorSettings {
    const reseed = patch.seed !== undefined && patch.seed !== this.settings.seed;
    this.settings = { ...this.settings, ...patch };
    if (reseed || patch.failureRate !== undefined) this.#random = seededRandom(this.settings.seed);
    return this.settings;
  }

  /** Forgets every task and restores the settings the server started with. */
  reset(): void {
    this.store.clear();
    this.settings = { ...this.options.settings };
    this.#random = seededRandom(this.settings.seed);
  }

  /** The model id a body asks for (`model_name` wins, as in the gateway's code). */
  static modelOf(body: { model?: unknown; model_name?: unknown }): string | undefined {
    if (typeof body.model_name === "string" && body.model_name !== "") return body.model_name;
    return typeof body.model === "string" ? body.model : undefined;
  }

  /** Whether the gateway has a channel for this model. */
  knowsModel(model: string): boolean {
    return this.options.models.includes(model);
  }

  /** Whether the simulator answers as the gateway's code does. */
  get #gateway(): boolean {
    return this.settings.fidelity === "gateway";
  }

  /** Scenario errors that apply to any operation (before the operation does anything). */
  scenarioError(scenario: Scenario): JsonReply | undefined {
    const retry = this.settings.retryAfterSeconds;
    // Departure rate-limit-rewritten: every 429 the gateway answers has one message, no header.
    if ((scenario.rateLimit || scenario.concurrency) && this.#gateway) return rateLimitReply();
    if (scenario.rateLimit) return errors.rateLimited(retry);
    if (scenario.concurrency) return errors.concurrency(retry);
    if (scenario.serverError) return errors.internal();
    if (scenario.maintenance) return errors.maintenance(retry);
    if (scenario.quota) return errors.quotaNotEnough();
    return undefined;
  }

  /** `POST /kling/v1/videos/multi-image2video` for a body that passed validation. */
  create(owner: string, body: CreateBody, scenario: Scenario): JsonReply {
    const now = this.#now;
    const early = this.scenarioError(scenario);
    if (early) return early;
    if (scenario.contentPolicy) return this.#klingRefusal(errors.contentPolicy());
    if (body.callback_url !== undefined) {
      const refused = this.options.callbacks.check(body.callback_url);
      if (refused !== undefined) return errors.invalidRequest(refused);
    }
    if (
      body.external_task_id !== undefined &&
      this.store.hasExternalId(owner, body.external_task_id, now)
    ) {
      return this.#klingRefusal(errors.duplicateExternalTaskId());
    }
    const limit = this.settings.concurrencyLimit;
    if (limit > 0 && this.store.inFlight(owner, now) >= limit) {
      return this.#gateway ? rateLimitReply() : errors.concurrency(this.settings.retryAfterSeconds);
    }

    const model = Simulator.modelOf(body) ?? "kling-v1-6";
    const mode = body.mode ?? "std";
    const durationSeconds = Number(body.duration ?? "5");
    const schedule = this.options.timing.schedule(mode, durationSeconds);
    // Draw even when the scenario decides, so one request's header does not shift the sequence.
    const draw = this.#random.next();
    const fails = scenario.succeed
      ? false
      : scenario.fail === true || draw < this.settings.failureRate;
    const task: Task = {
      id: randomId(16),
      owner,
      model,
      mode,
      // The documented default; the gateway's code fills in another (aspect-ratio-default).
      aspectRatio: body.aspect_ratio ?? (this.#gateway ? GATEWAY_ASPECT_RATIO : "16:9"),
      durationSeconds,
      externalTaskId: body.external_task_id,
      callbackUrl: body.callback_url,
      createdAt: now,
      refreshAt: now + schedule.refreshAt,
      processingAt: now + schedule.processingAt,
      finishAt: now + schedule.finishAt,
      outcome: fails ? "failed" : "succeed",
      failReason: fails ? FAIL_REASON : "",
      emitted: 0,
      timers: undefined,
    };
    this.store.add(task);
    this.#emitDue(task);
    this.#schedule(task);
    return { status: 200, body: this.#createBody(task) };
  }

  #createBody(task: Task): DocumentedCreateTaskResponse | ObservedCreateTaskResponse {
    if (this.settings.createShape === "observed") {
      return {
        id: task.id,
        task_id: task.id,
        object: "video",
        model: task.model,
        // `queued`, as the spec's CreateObserved example says (dto.NewOpenAIVideo).
        status: OBSERVED_CREATE_STATUS,
        progress: 0,
        created_at: Math.floor(task.createdAt / 1000),
      };
    }
    return klingCreateAnswer(task);
  }

  /**
   * Kling refused the submit. Departure kling-refusal-code: the gateway answers Kling's raw body
   * with `fail_to_fetch_task` rather than the documented `task_failed`.
   */
  #klingRefusal(documented: JsonReply): JsonReply {
    return this.#gateway ? klingRefusalReply(documented) : documented;
  }

  /** `GET /kling/v1/videos/multi-image2video/{task_id}`. */
  query(owner: string, taskId: string, scenario: Scenario): JsonReply {
    const early = this.scenarioError(scenario);
    if (early) return early;
    const now = this.#now;
    const task = this.store.get(owner, taskId, now);
    if (task === undefined) return errors.taskNotExist();
    return {
      status: 200,
      body: queryResponse(task, now, this.options.videoUrl(task.id), this.settings.fidelity),
    };
  }

  /**
   * Moves a task to a status now (control API). A non-terminal status is held until forced again;
   * a terminal one is final. Callbacks for every skipped status are sent in order.
   */
  force(taskId: string, status: KlingStatus, reason?: string): Task | "not_found" | "terminal" {
    const now = this.#now;
    const task = this.store.any(taskId, now);
    if (task === undefined) return "not_found";
    const current = klingStatus(task, now);
    if (current === "succeed" || current === "failed") return "terminal";
    this.#cancelTimers(task);
    task.refreshAt = Math.min(task.refreshAt, now);
    if (status === "submitted") {
      task.processingAt = Number.POSITIVE_INFINITY;
      task.finishAt = Number.POSITIVE_INFINITY;
    } else if (status === "processing") {
      task.processingAt = Math.min(task.processingAt, now);
      task.finishAt = Number.POSITIVE_INFINITY;
    } else {
      task.processingAt = Math.min(task.processingAt, now);
      task.finishAt = now;
      task.outcome = status;
      task.failReason = status === "failed" ? (reason ?? FAIL_REASON) : "";
    }
    this.store.touch(task);
    this.#emitDue(task);
    return task;
  }

  /** Kling's view of a task now (for the control API). */
  klingView(task: Task) {
    return klingTask(task, this.#now, this.options.videoUrl(task.id));
  }

  /** The status changes a task went through by `now`, in order, with the time of each. */
  #reached(task: Task, now: number): [KlingStatus, number][] {
    const stages: [KlingStatus, number][] = [
      ["submitted", task.createdAt],
      ["processing", task.processingAt],
      [task.outcome, task.finishAt],
    ];
    return stages.filter(([, at]) => at <= now);
  }

  /** Sends the callbacks for status changes that happened and were not sent yet. */
  #emitDue(task: Task): void {
    if (task.callbackUrl === undefined) return;
    const reached = this.#reached(task, this.#now);
    for (let i = task.emitted; i < reached.length; i++) {
      const [status, at] = reached[i] as [KlingStatus, number];
      const terminal = status === "succeed" || status === "failed";
      const base = klingTask(task, at, this.options.videoUrl(task.id));
      const payload = {
        ...base,
        task_status: status,
        task_status_msg: status === "failed" ? task.failReason : "",
        updated_at: at,
        task_result: terminal ? base.task_result : { videos: [] },
      };
      this.options.callbacks.enqueue(task.owner, task.id, task.callbackUrl, payload);
    }
    task.emitted = Math.max(task.emitted, reached.length);
  }

  /** Timers only for tasks with a callback: something must happen at a time. */
  #schedule(task: Task): void {
    if (task.callbackUrl === undefined) return;
    const now = this.#now;
    for (const at of [task.processingAt, task.finishAt]) {
      if (at > now && Number.isFinite(at)) {
        const handle = this.options.clock.setTimeout(() => {
          task.timers = task.timers?.filter((t) => t !== handle);
          this.#emitDue(task);
        }, at - now);
        task.timers = [...(task.timers ?? []), handle];
      }
    }
  }

  #cancelTimers(task: Task): void {
    for (const t of task.timers ?? []) this.options.clock.clearTimeout(t);
    task.timers = undefined;
  }
}
