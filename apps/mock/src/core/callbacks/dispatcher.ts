import { importSigningKey, signWebhook } from "@kling-multi-image/webhooks";
import type { Clock, TimerHandle } from "../clock.js";
import { randomId } from "../ids.js";
import { checkCallbackTarget } from "./target.js";

/** How the dispatcher delivers callbacks. */
export interface CallbackDispatcherOptions {
  /** Schedules retries; with a virtual clock, retries happen when the test advances it. */
  clock: Clock;
  /** `whsec_<base64>`: when set, every delivery carries Standard Webhooks signature headers. */
  secret?: string;
  /** Host names or IPs allowed besides loopback. */
  allowedHosts?: readonly string[];
  /** Attempts per delivery, the first included (default 5). */
  maxAttempts?: number;
  /** Wait before each retry, in clock milliseconds; the last value repeats (default 1 s, 2 s, 4 s, 8 s). */
  retryDelaysMs?: readonly number[];
  /** Real-time limit for one attempt (default 10 s). */
  attemptTimeoutMs?: number;
  /**
   * Attempts in flight at once, across all receivers (default 32). Each holds a socket; the rest
   * wait their turn in order, so a burst of callbacks to a receiver that never answers cannot use
   * up the process's file descriptors and starve the API.
   */
  maxConcurrent?: number;
  /** Attempts in flight at once to one receiver (`host:port`), default 8. */
  maxConcurrentPerTarget?: number;
  /** Most records kept in the log; the oldest go first (default 1000). */
  logLimit?: number;
  /** The fetch used to deliver (default: the global one). */
  fetch?: typeof fetch;
}

/** One delivery (one status change of one task), updated in place as attempts are made. */
export interface DeliveryRecord {
  /** The `webhook-id`, the same on every attempt. */
  id: string;
  taskId: string;
  url: string;
  /** The `task_status` the payload carries. */
  taskStatus: string;
  /** Attempts made so far. */
  attempt: number;
  /** Clock time (ms) of the last change to this record. */
  at: number;
  outcome: "pending" | "delivered" | "failed" | "refused";
  /** HTTP status of the last attempt, when the receiver answered. */
  httpStatus?: number;
  /** Why the last attempt failed, or why the delivery was refused. */
  error?: string;
}

interface Delivery {
  owner: string;
  record: DeliveryRecord;
  body: string;
  /** `host:port` of the receiver, the unit of the per-target bound. */
  target: string;
  /** Settles the promise `enqueue` returned: delivered, given up, or dropped by a reset. */
  done: () => void;
}

/** A delivery whose turn has come, waiting for a free slot. */
interface Ready {
  queueKey: string;
  delivery: Delivery;
}

const DEFAULT_DELAYS = [1_000, 2_000, 4_000, 8_000] as const;

/**
 * Delivers task callbacks the way Kling does: one POST per status change, in order per task,
 * signed when a secret is set, retried with backoff when the receiver fails. Deliveries of one task
 * wait for the previous one to finish (delivered or given up), so a receiver never sees
 * `succeed` before `processing`.
 */
export class CallbackDispatcher {
  readonly #clock: Clock;
  readonly #key: Promise<CryptoKey> | undefined;
  readonly #allowedHosts: readonly string[];
  readonly #maxAttempts: number;
  readonly #delays: readonly number[];
  readonly #attemptTimeoutMs: number;
  readonly #maxConcurrent: number;
  readonly #maxPerTarget: number;
  /** Deliveries waiting for a slot, in the order their turn came. */
  #ready: Ready[] = [];
  #active = 0;
  readonly #activeByTarget = new Map<string, number>();
  readonly #logLimit: number;
  readonly #fetch: typeof fetch;
  readonly #queues = new Map<string, Delivery[]>();
  readonly #timers = new Set<TimerHandle>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #controllers = new Set<AbortController>();
  #log: DeliveryRecord[] = [];
  // Owners stay out of the records so the log can be handed to a client without leaking tenancy.
  #owners = new WeakMap<DeliveryRecord, string>();
  #generation = 0;
  #closed = false;
  /** The `done` of every delivery not yet over, so a reset can settle them. */
  readonly #waiting = new Set<() => void>();

  constructor(options: CallbackDispatcherOptions) {
    this.#clock = options.clock;
    // Decoded now so a bad secret fails at start (importSigningKey throws at once); imported once
    // for every delivery.
    this.#key = options.secret === undefined ? undefined : importSigningKey(options.secret);
    this.#allowedHosts = options.allowedHosts ?? [];
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.#delays = options.retryDelaysMs?.length ? options.retryDelaysMs : DEFAULT_DELAYS;
    this.#attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    this.#maxConcurrent = Math.max(1, options.maxConcurrent ?? 32);
    this.#maxPerTarget = Math.max(1, options.maxConcurrentPerTarget ?? 8);
    this.#logLimit = options.logLimit ?? 1_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Checks a callback URL at submit time: an error message when the mock may not call it. */
  check(url: string): string | undefined {
    return checkCallbackTarget(url, this.#allowedHosts);
  }

  /**
   * Queues one delivery of `payload` (a task status change) to `url`, on behalf of `owner`. The
   * promise resolves once the delivery is over: delivered, given up after its retries, refused,
   * or dropped by a reset. It never rejects; the log says how it went.
   */
  enqueue(owner: string, taskId: string, url: string, payload: unknown): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const status = (payload as { task_status?: unknown } | null)?.task_status;
    const record: DeliveryRecord = {
      id: `msg_${randomId(12)}`,
      taskId,
      url,
      taskStatus: typeof status === "string" ? status : "",
      attempt: 0,
      at: this.#clock.now(),
      outcome: "pending",
    };
    this.#remember(record, owner);
    const refused = this.check(url);
    if (refused) {
      record.outcome = "refused";
      record.error = refused;
      return Promise.resolve();
    }
    const queueKey = `${owner}\u0000${taskId}`;
    const queue = this.#queues.get(queueKey);
    let done = () => {};
    const over = new Promise<void>((resolve) => {
      done = resolve;
    });
    const delivery = { owner, record, body: JSON.stringify(payload), target: targetOf(url), done };
    this.#waiting.add(done);
    if (queue) {
      queue.push(delivery);
      return over;
    }
    this.#queues.set(queueKey, [delivery]);
    this.#attempt(queueKey, delivery);
    return over;
  }

  /** Deliveries, oldest first, optionally for one task or one owner. */
  log(filter: { taskId?: string; owner?: string } = {}): DeliveryRecord[] {
    return this.#log
      .filter((r) => filter.taskId === undefined || r.taskId === filter.taskId)
      .filter((r) => filter.owner === undefined || this.#owners.get(r) === filter.owner)
      .map((r) => ({ ...r }));
  }

  /** Resolves once no attempt is in flight (pending retries may still be scheduled on the clock). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Forgets every queued delivery, retry and log record. In-flight attempts finish unrecorded. */
  reset(): void {
    this.#generation++;
    // Whoever waits for a dropped delivery is told it is over.
    for (const done of this.#waiting) done();
    this.#waiting.clear();
    for (const t of this.#timers) this.#clock.clearTimeout(t);
    this.#timers.clear();
    this.#queues.clear();
    this.#ready = [];
    this.#log = [];
    this.#owners = new WeakMap();
  }

  /** Stops: cancels retries, aborts attempts in flight and waits for them. */
  async close(): Promise<void> {
    this.#closed = true;
    this.reset();
    for (const c of this.#controllers) c.abort(new Error("dispatcher closed"));
    await this.idle();
  }

  #remember(record: DeliveryRecord, owner: string): void {
    this.#owners.set(record, owner);
    this.#log.push(record);
    if (this.#log.length > this.#logLimit) this.#log.splice(0, this.#log.length - this.#logLimit);
  }

  /** The delivery's turn has come: it runs as soon as a slot (global and per target) is free. */
  #attempt(queueKey: string, delivery: Delivery): void {
    this.#ready.push({ queueKey, delivery });
    this.#pump();
  }

  /** Starts waiting deliveries, oldest first, while slots are free. */
  #pump(): void {
    if (this.#ready.length === 0 || this.#active >= this.#maxConcurrent) return;
    const waiting: Ready[] = [];
    for (const item of this.#ready) {
      const busy = this.#activeByTarget.get(item.delivery.target) ?? 0;
      if (this.#active < this.#maxConcurrent && busy < this.#maxPerTarget) {
        this.#active++;
        this.#activeByTarget.set(item.delivery.target, busy + 1);
        this.#start(item.queueKey, item.delivery);
      } else {
        waiting.push(item);
      }
    }
    this.#ready = waiting;
  }

  #release(target: string): void {
    this.#active--;
    const busy = (this.#activeByTarget.get(target) ?? 1) - 1;
    if (busy <= 0) this.#activeByTarget.delete(target);
    else this.#activeByTarget.set(target, busy);
  }

  #start(queueKey: string, delivery: Delivery): void {
    const generation = this.#generation;
    const run = this.#send(delivery).then((result) => {
      this.#release(delivery.target);
      try {
        this.#settle(generation, queueKey, delivery, result);
      } finally {
        this.#pump();
      }
    });
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
  }

  #settle(
    generation: number,
    queueKey: string,
    delivery: Delivery,
    result: { ok: true } | { ok: false; error: string },
  ): void {
    if (generation !== this.#generation) return;
    const { record } = delivery;
    record.at = this.#clock.now();
    if (result.ok) {
      record.outcome = "delivered";
      delete record.error;
    } else {
      record.error = result.error;
      if (record.attempt >= this.#maxAttempts || this.#closed) {
        record.outcome = "failed";
      } else {
        // Retried later: not over yet.
        const delay = this.#delays[Math.min(record.attempt - 1, this.#delays.length - 1)] ?? 1_000;
        const timer = this.#clock.setTimeout(() => {
          this.#timers.delete(timer);
          this.#attempt(queueKey, delivery);
        }, delay);
        this.#timers.add(timer);
        return;
      }
    }
    this.#waiting.delete(delivery.done);
    delivery.done();
    this.#next(queueKey);
  }

  #next(queueKey: string): void {
    const queue = this.#queues.get(queueKey);
    queue?.shift();
    const head = queue?.[0];
    if (head) this.#attempt(queueKey, head);
    else this.#queues.delete(queueKey);
  }

  async #send(delivery: Delivery): Promise<{ ok: true } | { ok: false; error: string }> {
    const { record, body } = delivery;
    record.attempt++;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "kling-multi-image-mock",
    };
    if (this.#key) {
      // The signature's timestamp is wall-clock time even on a virtual clock: receivers compare it
      // with their own clock to reject replays, and simulated task time means nothing to them.
      Object.assign(
        headers,
        await signWebhook({
          key: await this.#key,
          id: record.id,
          timestamp: Date.now() / 1000,
          body,
        }),
      );
    } else {
      headers["webhook-id"] = record.id;
    }
    const controller = new AbortController();
    this.#controllers.add(controller);
    const timeout = setTimeout(
      () => controller.abort(new Error(`no answer within ${this.#attemptTimeoutMs} ms`)),
      this.#attemptTimeoutMs,
    );
    try {
      // Redirects are not followed: a loopback receiver must not bounce the mock to another host.
      const response = await this.#fetch(record.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: controller.signal,
      });
      record.httpStatus = response.status;
      // Not awaited: the answer is read from its status, and a cancel can stall in an interceptor
      // (MSW in the page) that never settles it.
      response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return { ok: true };
      return { ok: false, error: `receiver answered HTTP ${response.status}` };
    } catch (error) {
      delete record.httpStatus;
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      return { ok: false, error: describe(reason) };
    } finally {
      clearTimeout(timeout);
      this.#controllers.delete(controller);
    }
  }
}

/** `host:port` of a URL (the per-target unit); the URL was checked when the delivery was queued. */
function targetOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
  } catch {
    return url;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail =
      typeof cause?.code === "string"
        ? cause.code
        : typeof cause?.message === "string"
          ? cause.message
          : "";
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return String(error);
}
