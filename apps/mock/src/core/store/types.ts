/**
 * Where tasks and the state shared by replicas live. The simulator decides; a store only keeps.
 * Two implement it: the in-memory store (the default, in the portable core, also behind the MSW
 * handlers) and the Redis store (`src/store/redis.ts`, the Node server only), which lets several
 * mock processes share tasks, settings and virtual time and outlive a restart.
 */
import type { SimulatorSettings } from "../simulator/settings.js";
import type { Task } from "../simulator/task.js";

/** Limits of a store. */
export interface StoreLimits {
  /** Tasks older than this (ms on the clock) are forgotten. */
  ttlMs: number;
  /** At most this many tasks are kept; the oldest go first. */
  maxTasks: number;
}

/** What a submit asks of the store besides the task: the rules it must check with the insert. */
export interface InsertRules {
  /** The submitting key (the tenant). */
  owner: string;
  /** The body's `external_task_id`: unique per key among stored tasks. */
  externalTaskId: string | undefined;
  /** Unfinished tasks allowed per key; 0 = no limit. */
  concurrencyLimit: number;
  /** Clock time of the submit. */
  now: number;
}

/** Why a store refused an insert. */
export type InsertRefusal = "duplicate" | "busy";

/**
 * The state several replicas share besides tasks: the settings the control API changed, and the
 * virtual clock's time. Absent values mean "as this process started".
 */
export interface SharedState {
  /** Settings changed at run time, or `undefined` when none were. */
  settings: SimulatorSettings | undefined;
  /** The shared virtual time (ms), or `undefined` when no replica moved it yet. */
  virtualNow: number | undefined;
}

/**
 * The callbacks still due, shared by replicas (a store that other processes share has one): each
 * task with a status change to send sits in it at the time of its next change, and one replica at
 * a time holds it under a lease while it delivers. A replica that dies lets its lease lapse, and
 * another takes the task over; one that restarts finds every change still due.
 */
export interface CallbackSchedule {
  /** Puts the task in the schedule at clock time `at` (earlier than it was, if already in it). */
  due(taskId: string, at: number): Promise<void>;
  /**
   * Takes up to `max` tasks due at `now` that no live lease holds, leased to this process for
   * `leaseMs` of real time.
   */
  claim(now: number, leaseMs: number, max: number): Promise<string[]>;
  /** Extends this process's lease on a task; `false` when it no longer holds it. */
  renew(taskId: string, leaseMs: number): Promise<boolean>;
  /** Done with a claimed task: back in the schedule at `nextAt`, or out of it; the lease ends. */
  release(taskId: string, nextAt: number | undefined): Promise<void>;
}

/**
 * The task store. Every method may be asynchronous (Redis); the memory store answers at once.
 * A store that cannot reach its backend rejects with {@link StoreUnavailableError}.
 */
export interface TaskStore {
  /** `"memory"` or `"redis"`. */
  readonly kind: string;
  /** Changes the limits; takes effect at the next insert. */
  setLimits(limits: StoreLimits): void;
  /**
   * Stores the task `build` makes, unless the owner already used the external id on a stored task
   * (`duplicate`) or holds `concurrencyLimit` unfinished tasks (`busy`). The checks and the insert
   * are one atomic step, across replicas too. `build` runs only when the memory store accepts (so
   * a refused submit draws no random number); the Redis store builds first.
   */
  insert(rules: InsertRules, build: () => Task): Promise<Task | InsertRefusal>;
  /** A task by id, whoever owns it (video route, control API); `undefined` when gone or expired. */
  any(id: string, now: number): Promise<Task | undefined>;
  /** A task by id, only if `owner` submitted it. */
  get(owner: string, id: string, now: number): Promise<Task | undefined>;
  /** Writes back a task whose times or outcome changed (a forced state). */
  save(task: Task): Promise<void>;
  /**
   * Records that the task's status changes up to `to` were handed to the callback dispatcher, if
   * they were `from` before: `false` when another caller (another replica) got there first.
   */
  claimEmitted(task: Task, from: number, to: number): Promise<boolean>;
  /**
   * The tasks of one key, or of all keys, newest first; with `now`, without those expired by then
   * (the virtual clock can run past a task's lifetime before anything drops it).
   */
  list(owner: string | undefined, limit: number, now?: number): Promise<Task[]>;
  /** Number of stored tasks. */
  size(): Promise<number>;
  /** Drops up to `max` expired tasks (the memory store; Redis expires keys itself). */
  sweep(now: number, max?: number): void;
  /** Forgets every task and the shared state. */
  clear(): Promise<void>;
  /** The shared settings and virtual time. */
  shared(): Promise<SharedState>;
  /** Saves settings changed at run time for every replica. */
  saveSettings(settings: SimulatorSettings): Promise<void>;
  /**
   * Moves the shared virtual time forward by `ms` from `localNow` (or from the shared time, when
   * later) and returns the new shared time.
   */
  advanceTime(ms: number, localNow: number): Promise<number>;
  /** Releases connections and timers. */
  close(): Promise<void>;
  /**
   * The shared schedule of callbacks due, for a store replicas share. Without one (the memory
   * store), each process times its tasks' callbacks itself.
   */
  readonly schedule?: CallbackSchedule;
}

/** The store's backend cannot be reached: requests get a 503 until it returns. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}
