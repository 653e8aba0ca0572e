/**
 * Task storage with bounded memory. Tasks live in one Map in creation order, so expiry (TTL) and
 * the count cap both evict from the front in O(1) per task. Per-key indexes serve the
 * `external_task_id` uniqueness rule and the concurrency limit without scanning every task.
 */
import type { Task } from "./task.js";

/** Limits of the store. */
export interface StoreLimits {
  /** Tasks older than this (ms on the clock) are forgotten. */
  ttlMs: number;
  /** At most this many tasks are kept; the oldest go first. */
  maxTasks: number;
}

/** Per-key bookkeeping. */
interface Tenant {
  byExternalId: Map<string, string>;
  /** Tasks that may still hold a concurrency slot (pruned lazily). */
  active: Set<string>;
  count: number;
}

/** Holds every tenant's tasks. */
export class TaskStore {
  readonly #tasks = new Map<string, Task>();
  readonly #tenants = new Map<string, Tenant>();

  constructor(
    private limits: StoreLimits,
    /** Called for each evicted task (to cancel its timers). */
    private readonly onEvict: (task: Task) => void = () => {},
  ) {}

  /** Number of stored tasks. */
  get size(): number {
    return this.#tasks.size;
  }

  /** Changes the limits; takes effect at the next insert or sweep. */
  setLimits(limits: StoreLimits): void {
    this.limits = limits;
  }

  #tenant(owner: string): Tenant {
    let t = this.#tenants.get(owner);
    if (t === undefined) {
      t = { byExternalId: new Map(), active: new Set(), count: 0 };
      this.#tenants.set(owner, t);
    }
    return t;
  }

  /**
   * Drops up to `max` expired tasks, oldest first (the Map is in creation order, so it stops at
   * the first live one), and says how many it dropped. Run by a timer in small batches, never on
   * a request's path, so 100,000 expired tasks never stall an answer.
   */
  sweep(now: number, max = Number.POSITIVE_INFINITY): number {
    let dropped = 0;
    for (const task of this.#tasks.values()) {
      if (dropped >= max || task.createdAt + this.limits.ttlMs > now) break;
      this.#delete(task);
      dropped++;
    }
    return dropped;
  }

  #delete(task: Task): void {
    this.#tasks.delete(task.id);
    const tenant = this.#tenants.get(task.owner);
    if (tenant) {
      if (task.externalTaskId !== undefined) tenant.byExternalId.delete(task.externalTaskId);
      tenant.active.delete(task.id);
      tenant.count--;
      if (tenant.count <= 0) this.#tenants.delete(task.owner);
    }
    this.onEvict(task);
  }

  /** Stores a new task, evicting the oldest when the count cap is reached. */
  add(task: Task): void {
    this.#tasks.set(task.id, task);
    const tenant = this.#tenant(task.owner);
    tenant.count++;
    tenant.active.add(task.id);
    if (task.externalTaskId !== undefined) tenant.byExternalId.set(task.externalTaskId, task.id);
    // The count cap costs one eviction per insert at most; expiry is the sweeper's job.
    while (this.#tasks.size > this.limits.maxTasks) {
      const oldest = this.#tasks.values().next().value;
      if (oldest === undefined) break;
      this.#delete(oldest);
    }
  }

  /** A task by id, whoever owns it (for the video route and the control API). */
  any(id: string, now: number): Task | undefined {
    const task = this.#tasks.get(id);
    if (task === undefined) return undefined;
    if (task.createdAt + this.limits.ttlMs <= now) {
      this.#delete(task);
      return undefined;
    }
    return task;
  }

  /** A task by id, only if `owner` submitted it: another key's task does not exist for them. */
  get(owner: string, id: string, now: number): Task | undefined {
    const task = this.any(id, now);
    return task !== undefined && task.owner === owner ? task : undefined;
  }

  /** Whether `owner` already used this external id on a task that is still stored. */
  hasExternalId(owner: string, externalId: string, now: number): boolean {
    const id = this.#tenants.get(owner)?.byExternalId.get(externalId);
    return id !== undefined && this.get(owner, id, now) !== undefined;
  }

  /** How many of `owner`'s tasks are unfinished at `now`. */
  inFlight(owner: string, now: number): number {
    const tenant = this.#tenants.get(owner);
    if (tenant === undefined) return 0;
    for (const id of tenant.active) {
      const task = this.#tasks.get(id);
      if (task === undefined || task.finishAt <= now) tenant.active.delete(id);
    }
    return tenant.active.size;
  }

  /** Re-marks a task as possibly in flight (after a forced state moved its finish). */
  touch(task: Task): void {
    this.#tenants.get(task.owner)?.active.add(task.id);
  }

  /** The tasks of one key, or of all keys, newest first. */
  list(owner: string | undefined, limit: number): Task[] {
    const out: Task[] = [];
    const all = [...this.#tasks.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const task = all[i] as Task;
      if (owner === undefined || task.owner === owner) out.push(task);
    }
    return out;
  }

  /** Forgets everything. */
  clear(): void {
    for (const task of this.#tasks.values()) this.onEvict(task);
    this.#tasks.clear();
    this.#tenants.clear();
  }
}
