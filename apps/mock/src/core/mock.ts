/**
 * The simulator core: everything that decides the mock's answers, with no Node built-ins, so the
 * Node server and the MSW handlers are thin adapters over the same object. An adapter turns what
 * it receives into a {@link MockRequest}, calls {@link MockCore.handle}, and writes the
 * {@link MockReply} back; validation comes from the engines it passes in (Prism's in Node,
 * compiled validators in a browser).
 */
import { CallbackDispatcher, type DeliveryRecord } from "./callbacks/index.js";
import { type Clock, systemClock, type VirtualClock, virtualClock } from "./clock.js";
import { answerControl, type ControlStage } from "./control/handler.js";
import type { ValidationEngine } from "./engine.js";
import { errors } from "./errors/envelopes.js";
import { FIDELITIES } from "./errors/gateway.js";
import { fingerprint } from "./ids.js";
import type { LogSink } from "./log.js";
import { DEFAULTS, type MockOptions } from "./options.js";
import { type ApiStage, answerApi } from "./pipeline/api.js";
import { type ForwardStage, forwardApi, type ProxyViolation } from "./pipeline/forward.js";
import { answerVideo, videoTaskId } from "./pipeline/video.js";
import { bearerKey, type MockReply, type MockRequest } from "./request.js";
import { parseScenario } from "./simulator/scenarios.js";
import { Simulator } from "./simulator/simulator.js";
import { timingProfile } from "./simulator/timing.js";
import { StoreUnavailableError } from "./store/types.js";

/** The two documents' engines: the Kling API's and the control API's. */
export interface Engines {
  api: ValidationEngine;
  control: ValidationEngine;
}

/** A simulator core, ready to answer requests. */
export interface MockCore {
  /** The clock the simulator runs on. */
  readonly clock: Clock;
  /** The simulator (tasks and settings). */
  readonly simulator: Simulator;
  /** Tells the core its public base URL once known (it goes into video URLs). */
  setBaseUrl(url: string): void;
  /** Answers one request. Never rejects: anything unexpected is a logged 500. */
  handle(req: MockRequest): Promise<MockReply>;
  /** The callback delivery log, oldest first. */
  callbackLog(filter?: { taskId?: string }): DeliveryRecord[];
  /** Forgets every task and delivery and restores the start-up settings (like `POST /__mock/reset`). */
  reset(): Promise<void>;
  /**
   * Cancels callbacks and releases the store: the memory store forgets every task, a shared one
   * keeps them for the other replicas and the next start.
   */
  close(): Promise<void>;
}

/** A core on a virtual clock. */
export interface VirtualMockCore extends MockCore {
  readonly clock: VirtualClock;
}

const CONTROL_PREFIX = "/__mock/";

/** Builds a core from options and the engines to validate with. */
export function createMockCore(
  options: MockOptions & { clock: "virtual" },
  engines: Engines,
  defaultLog: LogSink,
): VirtualMockCore;
export function createMockCore(
  options: MockOptions,
  engines: Engines,
  defaultLog: LogSink,
): MockCore;
export function createMockCore(
  options: MockOptions,
  engines: Engines,
  defaultLog: LogSink,
): MockCore {
  const startedAt = performance.now();
  const log: LogSink = options.log === false ? () => {} : (options.log ?? defaultLog);
  const clock: Clock =
    options.clock === "virtual"
      ? virtualClock()
      : options.clock === "system" || options.clock === undefined
        ? systemClock()
        : options.clock;
  const timing = timingProfile(options.timing);
  const scenarioText = options.scenario ?? "";
  const startScenario = parseScenario(scenarioText);
  if (typeof startScenario === "string") throw new Error(startScenario);
  const fidelity = options.fidelity ?? DEFAULTS.fidelity;
  if (!FIDELITIES.includes(fidelity)) {
    throw new RangeError(`fidelity is ${FIDELITIES.join(" or ")}, got ${String(fidelity)}`);
  }
  const failureRate = options.failureRate ?? DEFAULTS.failureRate;
  if (!(failureRate >= 0 && failureRate <= 1)) {
    throw new RangeError("failureRate must be within [0, 1]");
  }

  let baseUrl = "";
  const videoUrl = (taskId: string) =>
    `${options.publicUrl ?? baseUrl}/__mock/videos/${taskId}.mp4`;
  const dispatcher = new CallbackDispatcher({
    clock,
    ...(options.webhookSecret === undefined ? {} : { secret: options.webhookSecret }),
    ...(options.callbackAllowedHosts === undefined
      ? {}
      : { allowedHosts: options.callbackAllowedHosts }),
    ...(options.callbackMaxAttempts === undefined
      ? {}
      : { maxAttempts: options.callbackMaxAttempts }),
    ...(options.callbackConcurrency === undefined
      ? {}
      : { maxConcurrent: options.callbackConcurrency }),
    ...(options.callbackConcurrencyPerTarget === undefined
      ? {}
      : { maxConcurrentPerTarget: options.callbackConcurrencyPerTarget }),
  });
  const simulator = new Simulator({
    clock,
    timing,
    models: options.models ?? DEFAULTS.models,
    ttlMs: options.taskTtlMs ?? DEFAULTS.taskTtlMs,
    maxTasks: options.maxTasks ?? DEFAULTS.maxTasks,
    callbacks: dispatcher,
    videoUrl,
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.callbackLeaseMs === undefined ? {} : { callbackLeaseMs: options.callbackLeaseMs }),
    settings: {
      fidelity,
      // The gateway's code answers the observed shape (departure create-response-shape).
      createShape:
        options.createShape ?? (fidelity === "gateway" ? "observed" : DEFAULTS.createShape),
      scenario: startScenario,
      scenarioText,
      failureRate,
      seed: options.seed ?? DEFAULTS.seed,
      concurrencyLimit: options.concurrencyLimit ?? DEFAULTS.concurrencyLimit,
      retryAfterSeconds: options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds,
    },
  });
  const control: ControlStage = {
    engine: engines.control,
    simulator,
    clock,
    callbacks: dispatcher,
    startedAt,
    timing: timing.name,
    videoUrl,
    log,
    proxyViolations: () => violations,
    controlKeys:
      options.keys === undefined && options.controlToken === undefined
        ? undefined
        : new Set([
            ...(options.keys ?? []),
            ...(options.controlToken ? [options.controlToken] : []),
          ]),
  };
  const api: ApiStage = {
    engine: engines.api,
    simulator,
    keys: options.keys === undefined ? undefined : new Set(options.keys),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    log,
    now: () => clock.now(),
    replyHook: options.replyHook,
  };
  const violations: ProxyViolation[] = [];
  const forward: ForwardStage | undefined =
    options.proxy === undefined
      ? undefined
      : {
          upstream: options.proxy.replace(/\/+$/, ""),
          engine: engines.api,
          maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
          log,
          violations,
          onExchange: options.onProxyExchange,
        };
  const logRequests = options.logRequests ?? false;

  // Expired tasks go in batches on a real-time timer that never holds the process open: a
  // request's path only ever checks the one task it reads.
  const SWEEP_BATCH = 5_000;
  const sweeper = setInterval(() => {
    try {
      simulator.store.sweep(clock.now(), SWEEP_BATCH);
    } catch {
      // A shared store expires its own keys.
    }
  }, options.sweepIntervalMs ?? DEFAULTS.sweepIntervalMs);
  (sweeper as { unref?: () => void }).unref?.();

  async function route(req: MockRequest, key: string | undefined): Promise<MockReply> {
    if (forward && !(req.path === "/__mock" || req.path.startsWith(CONTROL_PREFIX))) {
      return forwardApi(forward, req);
    }
    // What other replicas changed (settings, virtual time) before this request is answered.
    await simulator.sync();
    if (req.path === "/__mock" || req.path.startsWith(CONTROL_PREFIX)) {
      const video = videoTaskId(req.path);
      if (video !== undefined && (req.method === "GET" || req.method === "HEAD")) {
        return answerVideo(simulator.store, clock, req, video);
      }
      return { kind: "json", ...(await answerControl(control, req, key)) };
    }
    return answerApi(api, req, key);
  }

  async function handle(req: MockRequest): Promise<MockReply> {
    const started = performance.now();
    const key = bearerKey(req.headers.authorization);
    let reply: MockReply;
    try {
      reply = await route(req, key);
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        req.discardBody();
        reply = { kind: "json", ...errors.storeUnavailable(1) };
      } else {
        log(`kling-mock: internal error on ${req.method} ${req.path}: ${String(error)}`);
        reply = { kind: "json", ...errors.internalMock("unexpected error, see the mock's log") };
      }
    }
    if (logRequests) {
      const who = key === undefined ? "-" : await fingerprint(key);
      const ms = (performance.now() - started).toFixed(1);
      log(`${req.method} ${req.path} ${reply.status} ${ms}ms ${who}`);
    }
    return reply;
  }

  return {
    clock,
    simulator,
    setBaseUrl(url) {
      baseUrl = url;
    },
    handle,
    callbackLog: (filter) =>
      dispatcher.log(filter?.taskId === undefined ? undefined : { taskId: filter.taskId }),
    async reset() {
      await simulator.reset();
      dispatcher.reset();
    },
    async close() {
      clearInterval(sweeper);
      simulator.close();
      await dispatcher.close();
      await simulator.store.close();
    },
  };
}
