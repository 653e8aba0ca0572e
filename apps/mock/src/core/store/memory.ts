/**
 * The in-memory task store (the default), with bounded memory. Tasks live in one Map in creation
 * order, so expiry (TTL) and the count cap both evict from the front in O(1) per task. Per-key
 * indexes serve the `external_task_id` uniqueness rule and the concurrency limit without scanning
 * every task. It answers at once: its promises are already settled, and nothing awaits between a
 * check and the insert it guards, so it is atomic within the one process it serves.
 */
import type { SimulatorSettings } from "../simulator/settings.js";
import type { Task } from "../simulator/task.js";
import type { InsertRefusal, InsertRules, SharedState, StoreLimits, TaskStore } from "./types.js";

/** Per-key bookkeeping. */
interface Tenant {
  byExternalId: Map<string, string>;
  /** Tasks that may still hold a concurrency slot (pruned lazily). */
  active: Set<string>;
  count: number;
}

/** Holds every tenant's tasks in this process. */
export class MemoryStore implements TaskStore {
  readonly kind = "memory";
  readonly #tasks = new Map<string, Task>();
  readonly #tenants = new Map<string, Tenant>();
  #settings: SimulatorSettings | undefined;
  #virtualNow: number | undefined;

  constructor(
    private limits: StoreLimits,
    /** Called for each evicted task (to cancel its timers). */
    private readonly onEvict: (task: Task) => void = () => {},
  ) {}

  /** Number of stored tasks. */
  size(): Promise<number> {
    return Promise.resolve(this.#tasks.size);
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

  insert(rules: InsertRules, build: () => Task): Promise<Task | InsertRefusal> {
    const { owner, externalTaskId, concurrencyLimit, now } = rules;
    if (externalTaskId !== undefined && this.hasExternalId(owner, externalTaskId, now)) {
      return Promise.resolve("duplicate");
    }
    if (concurrencyLimit > 0 && this.inFlight(owner, now) >= concurrencyLimit) {
      return Promise.resolve("busy");
    }
    const task = build();
    this.add(task);
    return Promise.resolve(task);
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

  any(id: string, now: number): Promise<Task | undefined> {
    return Promise.resolve(this.#any(id, now));
  }

  #any(id: string, now: number): Task | undefined {
    const task = this.#tasks.get(id);
    if (task === undefined) return undefined;
    if (task.createdAt + this.limits.ttlMs <= now) {
      this.#delete(task);
      return undefined;
    }
    return task;
  }

  get(owner: string, id: string, now: number): Promise<Task | undefined> {
    return Promise.resolve(this.#get(owner, id, now));
  }

  /** Another key's task does not exist for them. */
  #get(owner: string, id: string, now: number): Task | undefined {
    const task = this.#any(id, now);
    return task !== undefined && task.owner === owner ? task : undefined;
  }

  /** Whether `owner` already used this external id on a task that is still stored. */
  hasExternalId(owner: string, externalId: string, now: number): boolean {
    const id = this.#tenants.get(owner)?.byExternalId.get(externalId);
    return id !== undefined && this.#get(owner, id, now) !== undefined;
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

  /** The task is this very object: only its concurrency slot may need re-marking. */
  save(task: Task): Promise<void> {
    // A forced state may have moved its finish later: it may hold a slot again.
    this.#tenants.get(task.owner)?.active.add(task.id);
    return Promise.resolve();
  }

  claimEmitted(task: Task, from: number, to: number): Promise<boolean> {
    if (task.emitted !== from) return Promise.resolve(false);
    task.emitted = to;
    return Promise.resolve(true);
  }

  list(owner: string | undefined, limit: number, now = Number.NEGATIVE_INFINITY): Promise<Task[]> {
    return Promise.resolve(this.#list(owner, limit, now));
  }

  #list(owner: string | undefined, limit: number, now: number): Task[] {
    const out: Task[] = [];
    const all = [...this.#tasks.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const task = all[i] as Task;
      // Newest first, so the first expired task means every older one is expired too.
      if (task.createdAt + this.limits.ttlMs <= now) break;
      if (owner === undefined || task.owner === owner) out.push(task);
    }
    return out;
  }

  clear(): Promise<void> {
    for (const task of this.#tasks.values()) this.onEvict(task);
    this.#tasks.clear();
    this.#tenants.clear();
    this.#settings = undefined;
    this.#virtualNow = undefined;
    return Promise.resolve();
  }

  shared(): Promise<SharedState> {
    return Promise.resolve({ settings: this.#settings, virtualNow: this.#virtualNow });
  }

  saveSettings(settings: SimulatorSettings): Promise<void> {
    this.#settings = settings;
    return Promise.resolve();
  }

  advanceTime(ms: number, localNow: number): Promise<number> {
    this.#virtualNow = Math.max(this.#virtualNow ?? localNow, localNow) + ms;
    return Promise.resolve(this.#virtualNow);
  }

  close(): Promise<void> {
    return this.clear();
  }
}
