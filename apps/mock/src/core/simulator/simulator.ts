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
import { CallbackPump } from "../callbacks/pump.js";
import { type Clock, isVirtual } from "../clock.js";
import { errors, type JsonReply } from "../errors/envelopes.js";
import {
  GATEWAY_ASPECT_RATIO,
  klingRefusalReply,
  OBSERVED_CREATE_STATUS,
  rateLimitReply,
} from "../errors/gateway.js";
import { randomId } from "../ids.js";
import { MemoryStore } from "../store/memory.js";
import type { TaskStore } from "../store/types.js";
import { type Random, seededRandom } from "./random.js";
import type { Scenario } from "./scenarios.js";
import type { SimulatorSettings } from "./settings.js";
import {
  changesBy,
  type KlingStatus,
  klingCreateAnswer,
  klingStatus,
  klingTask,
  queryResponse,
  statusChanges,
  type Task,
} from "./task.js";
import type { TimingProfile } from "./timing.js";

/** The slice of the CallbackDispatcher the simulator uses. */
export interface CallbackSink {
  check(url: string): string | undefined;
  /** Queues a delivery; the promise (when given) says when it is over. */
  enqueue(owner: string, taskId: string, url: string, payload: unknown): void | Promise<void>;
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
  /**
   * Where tasks live (default: a new in-memory store). A shared store (Redis) also carries the
   * settings and the virtual time, read by {@link Simulator.sync} before each request.
   */
  store?: TaskStore;
  /** With a shared store: the real-time lease on a task whose callbacks a replica delivers. */
  callbackLeaseMs?: number;
  /** With a shared store: how often (real ms) the callback schedule is polled. */
  callbackPollMs?: number;
}

/** A validated submit body (the engine already checked it against the spec). */
export type { CreateBody } from "../api-types.js";
export type { SimulatorSettings } from "./settings.js";

const FAIL_REASON = "Video generation failed due to an internal error, please try again";

/** The task simulator. */
export class Simulator {
  readonly store: TaskStore;
  settings: SimulatorSettings;
  #random: Random;
  /** With a shared store, the callbacks come from its schedule, not from this process's timers. */
  readonly #pump: CallbackPump | undefined;

  constructor(private readonly options: SimulatorOptions) {
    this.settings = { ...options.settings };
    this.#random = seededRandom(this.settings.seed);
    const limits = { ttlMs: options.ttlMs, maxTasks: options.maxTasks };
    if (options.store) {
      this.store = options.store;
      this.store.setLimits(limits);
    } else {
      this.store = new MemoryStore(limits, (task) => this.#cancelTimers(task));
    }
    const { schedule } = this.store;
    this.#pump =
      schedule === undefined
        ? undefined
        : new CallbackPump({
            store: this.store,
            schedule,
            clock: options.clock,
            sink: options.callbacks,
            videoUrl: options.videoUrl,
            ...(options.callbackLeaseMs === undefined ? {} : { leaseMs: options.callbackLeaseMs }),
            ...(options.callbackPollMs === undefined ? {} : { pollMs: options.callbackPollMs }),
          });
  }

  /** Stops sending callbacks (the store and the dispatcher are closed by their owner). */
  close(): void {
    this.#pump?.stop();
  }

  /**
   * Takes the state other replicas may have changed: the settings and the virtual time (a shared
   * store's; the memory store's are this process's own). Run before each request.
   */
  async sync(): Promise<void> {
    const { settings, virtualNow } = await this.store.shared();
    if (settings !== undefined && settings !== this.settings) this.#apply(settings);
    const { clock } = this.options;
    if (virtualNow !== undefined && isVirtual(clock) && virtualNow > clock.now()) {
      await clock.advance(virtualNow - clock.now());
      this.#pump?.kick();
    }
  }

  /** Moves the virtual clock for every replica; returns the new time. */
  async advance(ms: number): Promise<number> {
    const { clock } = this.options;
    if (!isVirtual(clock)) throw new TypeError("the clock is not virtual");
    const target = await this.store.advanceTime(ms, clock.now());
    if (target > clock.now()) await clock.advance(target - clock.now());
    this.#pump?.kick();
    return clock.now();
  }

  #apply(settings: SimulatorSettings): void {
    const reseed =
      settings.seed !== this.settings.seed || settings.failureRate !== this.settings.failureRate;
    this.settings = settings;
    if (reseed) this.#random = seededRandom(settings.seed);
  }

  get #now(): number {
    return this.options.clock.now();
  }

  /** Applies new settings, for every replica; a new seed or rate restarts the failure draws. */
  async configure(patch: Partial<SimulatorSettings>): Promise<SimulatorSettings> {
    const reseed = patch.seed !== undefined && patch.seed !== this.settings.seed;
    this.settings = { ...this.settings, ...patch };
    if (reseed || patch.failureRate !== undefined) this.#random = seededRandom(this.settings.seed);
    await this.store.saveSettings(this.settings);
    return this.settings;
  }

  /** Forgets every task and restores the settings the server started with. */
  async reset(): Promise<void> {
    await this.store.clear();
    this.settings = { ...this.options.settings };
    this.#random = seededRandom(this.settings.seed);
    // Written, not only forgotten: other replicas take the start-up settings at their next request.
    if (this.store.kind !== "memory") await this.store.saveSettings(this.settings);
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
  async create(owner: string, body: CreateBody, scenario: Scenario): Promise<JsonReply> {
    const now = this.#now;
    const early = this.scenarioError(scenario);
    if (early) return early;
    if (scenario.contentPolicy) return this.#klingRefusal(errors.contentPolicy());
    if (body.callback_url !== undefined) {
      const refused = this.options.callbacks.check(body.callback_url);
      if (refused !== undefined) return errors.invalidRequest(refused);
    }
    const stored = await this.store.insert(
      {
        owner,
        externalTaskId: body.external_task_id,
        concurrencyLimit: this.settings.concurrencyLimit,
        now,
      },
      () => this.#newTask(owner, body, scenario, now),
    );
    if (stored === "duplicate") return this.#klingRefusal(errors.duplicateExternalTaskId());
    if (stored === "busy") {
      return this.#gateway ? rateLimitReply() : errors.concurrency(this.settings.retryAfterSeconds);
    }
    await this.#callbacksDue(stored);
    this.#schedule(stored);
    return { status: 200, body: this.#createBody(stored) };
  }

  /** The task a submit creates (it draws from the failure PRNG). */
  #newTask(owner: string, body: CreateBody, scenario: Scenario, now: number): Task {
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
    return task;
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
  async query(owner: string, taskId: string, scenario: Scenario): Promise<JsonReply> {
    const early = this.scenarioError(scenario);
    if (early) return early;
    const now = this.#now;
    const task = await this.store.get(owner, taskId, now);
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
  async force(
    taskId: string,
    status: KlingStatus,
    reason?: string,
  ): Promise<Task | "not_found" | "terminal"> {
    const now = this.#now;
    const task = await this.store.any(taskId, now);
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
    await this.store.save(task);
    await this.#callbacksDue(task);
    return task;
  }

  /** Kling's view of a task now (for the control API). */
  klingView(task: Task) {
    return klingTask(task, this.#now, this.options.videoUrl(task.id));
  }

  /** A task's callbacks may be due now: sent here, or put in the shared schedule. */
  async #callbacksDue(task: Task): Promise<void> {
    if (task.callbackUrl === undefined) return;
    const schedule = this.store.schedule;
    if (schedule === undefined) return this.#emitDue(task);
    await schedule.due(task.id, this.#now);
    this.#pump?.kick();
  }

  /**
   * Sends the callbacks for status changes that happened and were not sent yet. The store's claim
   * makes each change go out once, whichever replica notices it first.
   */
  async #emitDue(task: Task): Promise<void> {
    if (task.callbackUrl === undefined) return;
    const reached = statusChanges(task, this.#now, this.options.videoUrl(task.id));
    const from = task.emitted;
    if (reached.length <= from) return;
    if (!(await this.store.claimEmitted(task, from, reached.length))) return;
    for (const change of reached.slice(from)) {
      void this.options.callbacks.enqueue(task.owner, task.id, task.callbackUrl, change.payload);
    }
  }

  /**
   * Timers only for tasks with a callback: something must happen at a time. With a shared store
   * the schedule in the store times them instead.
   */
  #schedule(task: Task): void {
    if (task.callbackUrl === undefined || this.store.schedule !== undefined) return;
    const now = this.#now;
    for (const at of [task.processingAt, task.finishAt]) {
      if (at > now && Number.isFinite(at)) {
        const handle = this.options.clock.setTimeout(() => {
          task.timers = task.timers?.filter((t) => t !== handle);
          void this.#emitDue(task);
        }, at - now);
        task.timers = [...(task.timers ?? []), handle];
      }
    }
    // A change that came due while the submit was being answered (a starved machine: the
    // schedule was fixed at the submit's start) gets no timer above: it goes out now.
    if (changesBy(task, now) > task.emitted) void this.#emitDue(task);
  }

  #cancelTimers(task: Task): void {
    for (const t of task.timers ?? []) this.options.clock.clearTimeout(t);
    task.timers = undefined;
  }
}
