/**
 * Callbacks for replicas that share a store: instead of each process timing its own tasks'
 * status changes, every replica polls the store's shared schedule, takes the tasks whose next
 * change is due under a lease, delivers their changes in order, and records each one sent before
 * the next. A replica that dies mid-delivery lets its lease lapse and another takes the task over
 * from the last change recorded, so a change is sent at least once and, while replicas live,
 * exactly once.
 */
import type { Clock } from "../clock.js";
import { nextChangeAt, statusChanges } from "../simulator/task.js";
import type { CallbackSchedule, TaskStore } from "../store/types.js";

/** Where the pump hands each status change (the callback dispatcher). */
export interface PumpSink {
  /** Resolves once the delivery is over (delivered, given up or dropped). */
  enqueue(owner: string, taskId: string, url: string, payload: unknown): void | Promise<void>;
}

/** What a {@link CallbackPump} works with. */
export interface CallbackPumpOptions {
  store: TaskStore;
  schedule: CallbackSchedule;
  clock: Clock;
  sink: PumpSink;
  videoUrl(taskId: string): string;
  /** Real-time lease on a task being delivered, renewed while it lasts. Default 10 s. */
  leaseMs?: number;
  /** How often (real ms) the schedule is polled for changes come due. Default 200. */
  pollMs?: number;
}

/** Tasks taken per poll, and the most deliveries this process runs at once. */
const BATCH = 64;
const MAX_ACTIVE = 512;

/** Polls a shared callback schedule and delivers what comes due. */
export class CallbackPump {
  readonly #o: CallbackPumpOptions;
  readonly #leaseMs: number;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #active = new Set<Promise<void>>();
  #polling = false;
  #again = false;
  #stopped = false;

  constructor(options: CallbackPumpOptions) {
    this.#o = options;
    this.#leaseMs = options.leaseMs ?? 10_000;
    this.#timer = setInterval(() => this.kick(), options.pollMs ?? 200);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Polls now (a submit or a forced state just put a task in the schedule, or time moved). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#polling = true;
    void this.#poll().finally(() => {
      this.#polling = false;
    });
  }

  async #poll(): Promise<void> {
    do {
      this.#again = false;
      if (this.#active.size >= MAX_ACTIVE) return;
      let ids: string[];
      try {
        ids = await this.#o.schedule.claim(this.#o.clock.now(), this.#leaseMs, BATCH);
      } catch {
        // The store is away: the next poll tries again.
        return;
      }
      for (const id of ids) {
        const run = this.#deliver(id).catch(() => {
          // The store went away mid-delivery: the lease lapses and a replica takes it over.
        });
        this.#active.add(run);
        void run.finally(() => this.#active.delete(run));
      }
      if (ids.length === BATCH) this.#again = true;
    } while (this.#again && !this.#stopped);
  }

  /** Sends a claimed task's due changes in order, recording each, then puts it back or out. */
  async #deliver(id: string): Promise<void> {
    const { store, schedule, clock, sink } = this.#o;
    const renew = setInterval(() => {
      schedule.renew(id, this.#leaseMs).catch(() => {});
    }, this.#leaseMs / 3);
    (renew as { unref?: () => void }).unref?.();
    try {
      const now = clock.now();
      const task = await store.any(id, now);
      if (task === undefined || task.callbackUrl === undefined) {
        await schedule.release(id, undefined);
        return;
      }
      const changes = statusChanges(task, now, this.#o.videoUrl(task.id));
      for (let i = task.emitted; i < changes.length; i++) {
        if (this.#stopped) return;
        await sink.enqueue(task.owner, task.id, task.callbackUrl, changes[i]?.payload);
        // Stopped meanwhile: the delivery may have been dropped, so it is not recorded as sent.
        if (this.#stopped) return;
        // Recorded one by one: a replica taking over resumes after the last change sent.
        if (!(await store.claimEmitted(task, i, i + 1))) return;
      }
      await schedule.release(id, nextChangeAt(task, now));
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * Stops polling. Deliveries under way end with the dispatcher (closed next), unrecorded, and
   * their leases lapse, so another replica (or this one restarted) sends them again.
   */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }
}
