/**
 * The Redis (or Valkey) task store: several mock processes on one Redis share every task, the
 * settings and the virtual time, and a restart loses nothing. Node only (ioredis); the core sees
 * it through the same {@link TaskStore} interface as the memory store.
 *
 * Keys, under a prefix (default `kling-mock:`), so several mocks can share one Redis:
 * - `t:<id>`: the task as JSON, with a TTL of the task lifetime (Redis expires it, no sweep);
 * - `e:<id>`: how many of its status changes were handed to a callback dispatcher;
 * - `x:<tenant>:<external id>`: the task holding that `external_task_id` (same TTL);
 * - `a:<tenant>`: a sorted set of the tenant's tasks by finish time (the concurrency count);
 * - `all`: a sorted set of every task by creation time (listing, the count cap);
 * - `settings`, `clock`: what the control API changed, and the shared virtual time;
 * - `due`: a sorted set of tasks by the time of their next callback, and `lease:<id>`, the
 *   replica delivering a task's callbacks now (a key with a real-time TTL).
 *
 * A tenant is the SHA-256 of the bearer key: the keys themselves never reach Redis.
 */
import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Redis, type RedisOptions } from "ioredis";
import type { SimulatorSettings } from "../core/simulator/settings.js";
import type { Task } from "../core/simulator/task.js";
import {
  type CallbackSchedule,
  type InsertRefusal,
  type InsertRules,
  type SharedState,
  type StoreLimits,
  StoreUnavailableError,
  type TaskStore,
} from "../core/store/types.js";
import { redactUrl } from "./url.js";

/** How to reach Redis. */
export interface RedisStoreOptions {
  /** `redis://[user:pass@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** Prepended to every key, so several mocks can share one Redis. Default `kling-mock:`. */
  prefix?: string;
  /** Give up connecting at start after this long (ms). Default 3000. */
  connectTimeoutMs?: number;
  /** Where the store says it lost or regained Redis. Default: nowhere. */
  log?: (line: string) => void;
}

/** One atomic submit: the external id and concurrency checks, the insert, the count cap. */
const INSERT = `
local p = ARGV[10]
local ttl = tonumber(ARGV[2])
if ARGV[9] == '1' then
  local holder = redis.call('GET', KEYS[2])
  if holder and redis.call('EXISTS', p .. 't:' .. holder) == 1 then return 'duplicate' end
end
local limit = tonumber(ARGV[4])
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[3])
  if redis.call('ZCARD', KEYS[3]) >= limit then return 'busy' end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
if ARGV[9] == '1' then redis.call('SET', KEYS[2], ARGV[5], 'PX', ttl) end
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ttl)
redis.call('ZADD', KEYS[4], ARGV[7], ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. (tonumber(ARGV[3]) - ttl))
local over = redis.call('ZCARD', KEYS[4]) - tonumber(ARGV[8])
if over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', KEYS[4], 0, over - 1)) do
    redis.call('DEL', p .. 't:' .. old, p .. 'e:' .. old)
    redis.call('ZREM', KEYS[4], old)
  end
end
return 'ok'
`;

/** Compare-and-set of a task's emitted count: one replica wins each status change. */
const CLAIM = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

/** Leases up to ARGV[3] tasks due by ARGV[1] that no live lease holds. */
const CLAIM_DUE = `
local out = {}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]) * 4)
for _, id in ipairs(ids) do
  if redis.call('SET', ARGV[4] .. 'lease:' .. id, ARGV[5], 'NX', 'PX', ARGV[2]) then
    out[#out + 1] = id
    if #out >= tonumber(ARGV[3]) then break end
  end
end
return out
`;

/** Extends a lease, only for its holder. */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** Back in the schedule (ARGV[2] = time) or out of it, and the lease ends if it is ours. */
const RELEASE = `
if ARGV[2] == '' then redis.call('ZREM', KEYS[1], ARGV[1])
else redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
`;

/** Moves the shared virtual time: from the later of it and the caller's time, by `ms`. */
const ADVANCE = `
local current = tonumber(redis.call('GET', KEYS[1]) or ARGV[2])
local here = tonumber(ARGV[2])
if here > current then current = here end
current = current + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(current))
return tostring(current)
`;

/** A task as stored: times that are `Infinity` (held) as `null`, the tenant instead of the key. */
type StoredTask = Omit<Task, "owner" | "timers" | "emitted" | "processingAt" | "finishAt"> & {
  tenant: string;
  processingAt: number | null;
  finishAt: number | null;
};

/**
 * A task read back whose key this process never saw carries its tenant as its owner, marked with
 * a NUL (which no bearer key can hold), so writing it back keeps the tenant.
 */
const TENANT_MARK = "\u0000tenant:";
const tenantOf = (owner: string) =>
  owner.startsWith(TENANT_MARK)
    ? owner.slice(TENANT_MARK.length)
    : createHash("sha256").update(owner).digest("hex");
const finite = (n: number) => (Number.isFinite(n) ? n : null);
const infinite = (n: number | null) => (n === null ? Number.POSITIVE_INFINITY : n);

/** Connects to Redis and returns the store; rejects with a one-line reason when it cannot. */
export async function connectRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const where = redactUrl(options.url);
  const log = options.log ?? (() => {});
  const settings: RedisOptions = {
    lazyConnect: true,
    // Commands fail at once while Redis is away (answered 503), instead of queueing until it
    // returns and answering minutes late.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 3_000,
    // Keep trying forever, at most a second apart, so the mock recovers when Redis returns.
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  };
  const redis = new Redis(options.url, settings);
  let up = false;
  let down = false;
  const lost = (why: string) => {
    if (up && !down)
      log(`kling-mock: lost Redis at ${where} (${why}); answering 503 until it returns`);
    down = up;
  };
  // Without a listener ioredis prints every failed reconnection; one line per outage is enough.
  redis.on("error", (error: Error) => lost(error.message));
  redis.on("close", () => lost("connection closed"));
  redis.on("ready", () => {
    if (down) log(`kling-mock: Redis at ${where} is back`);
    up = true;
    down = false;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `cannot reach Redis at ${where}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return new RedisStore(redis, options.prefix ?? "kling-mock:");
}

/** The Redis-backed {@link TaskStore}. Build it with {@link connectRedisStore}. */
export class RedisStore implements TaskStore {
  readonly kind = "redis";
  /** This process, as the holder of callback leases. */
  readonly replicaId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  #limits: StoreLimits = { ttlMs: 86_400_000, maxTasks: 200_000 };
  /** Keys this process has seen, by tenant, so a task read back carries its owner's key. */
  readonly #owners = new Map<string, string>();

  constructor(
    private readonly redis: Redis,
    /** The key prefix. */
    readonly prefix: string,
  ) {}

  setLimits(limits: StoreLimits): void {
    this.#limits = limits;
  }

  #tenant(owner: string): string {
    const tenant = tenantOf(owner);
    if (!owner.startsWith(TENANT_MARK) && this.#owners.size < 10_000) {
      this.#owners.set(tenant, owner);
    }
    return tenant;
  }

  /** Runs a Redis call; a lost connection becomes {@link StoreUnavailableError}. */
  async #run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // A ReplyError is Redis answering (a bug here), anything else is Redis not being there.
      if (error instanceof Error && error.name === "ReplyError") throw error;
      throw new StoreUnavailableError(error instanceof Error ? error.message : String(error));
    }
  }

  #encode(task: Task): string {
    const { owner, timers: _timers, emitted: _emitted, processingAt, finishAt, ...rest } = task;
    const stored: StoredTask = {
      ...rest,
      tenant: this.#tenant(owner),
      processingAt: finite(processingAt),
      finishAt: finite(finishAt),
    };
    return JSON.stringify(stored);
  }

  #decode(json: string | null, emitted: string | null, now: number): Task | undefined {
    if (json === null) return undefined;
    const { tenant, processingAt, finishAt, ...rest } = JSON.parse(json) as StoredTask;
    // The virtual clock may run ahead of Redis's own expiry.
    if (rest.createdAt + this.#limits.ttlMs <= now) return undefined;
    return {
      ...rest,
      owner: this.#owners.get(tenant) ?? TENANT_MARK + tenant,
      processingAt: infinite(processingAt),
      finishAt: infinite(finishAt),
      emitted: Number(emitted ?? 0),
      timers: undefined,
    };
  }

  async insert(rules: InsertRules, build: () => Task): Promise<Task | InsertRefusal> {
    const task = build();
    const tenant = this.#tenant(rules.owner);
    const p = this.prefix;
    const ext = rules.externalTaskId;
    const verdict = await this.#run(() =>
      this.redis.eval(
        INSERT,
        4,
        `${p}t:${task.id}`,
        ext === undefined ? `${p}t:${task.id}` : `${p}x:${tenant}:${ext}`,
        `${p}a:${tenant}`,
        `${p}all`,
        this.#encode(task),
        String(this.#limits.ttlMs),
        String(rules.now),
        String(rules.concurrencyLimit),
        task.id,
        Number.isFinite(task.finishAt) ? String(task.finishAt) : "+inf",
        String(task.createdAt),
        String(this.#limits.maxTasks),
        ext === undefined ? "0" : "1",
        p,
      ),
    );
    return verdict === "ok" ? task : (verdict as InsertRefusal);
  }

  async any(id: string, now: number): Promise<Task | undefined> {
    const [json, emitted] = await this.#run(() =>
      this.redis.mget(`${this.prefix}t:${id}`, `${this.prefix}e:${id}`),
    );
    return this.#decode(json ?? null, emitted ?? null, now);
  }

  async get(owner: string, id: string, now: number): Promise<Task | undefined> {
    const task = await this.any(id, now);
    if (task === undefined || tenantOf(task.owner) !== this.#tenant(owner)) return undefined;
    return { ...task, owner };
  }

  async save(task: Task): Promise<void> {
    const p = this.prefix;
    const tenant = this.#tenant(task.owner);
    await this.#run(() =>
      this.redis
        .multi()
        .set(`${p}t:${task.id}`, this.#encode(task), "KEEPTTL")
        .zadd(
          `${p}a:${tenant}`,
          Number.isFinite(task.finishAt) ? String(task.finishAt) : "+inf",
          task.id,
        )
        .exec(),
    );
  }

  async claimEmitted(task: Task, from: number, to: number): Promise<boolean> {
    const won = await this.#run(() =>
      this.redis.eval(
        CLAIM,
        1,
        `${this.prefix}e:${task.id}`,
        String(from),
        String(to),
        String(this.#limits.ttlMs),
      ),
    );
    if (won === 1) task.emitted = to;
    return won === 1;
  }

  async list(
    owner: string | undefined,
    limit: number,
    now = Number.NEGATIVE_INFINITY,
  ): Promise<Task[]> {
    const out: Task[] = [];
    if (limit <= 0) return out;
    const tenant = owner === undefined ? undefined : this.#tenant(owner);
    const page = 500;
    for (let start = 0; out.length < limit; start += page) {
      const ids = await this.#run(() =>
        this.redis.zrevrange(`${this.prefix}all`, start, start + page - 1),
      );
      if (ids.length === 0) break;
      const values = await this.#run(() =>
        this.redis.mget(...ids.flatMap((id) => [`${this.prefix}t:${id}`, `${this.prefix}e:${id}`])),
      );
      for (let i = 0; i < ids.length && out.length < limit; i++) {
        const task = this.#decode(values[2 * i] ?? null, values[2 * i + 1] ?? null, now);
        if (task === undefined) continue;
        if (tenant !== undefined && tenantOf(task.owner) !== tenant) continue;
        out.push(owner === undefined ? task : { ...task, owner });
      }
    }
    return out;
  }

  async size(): Promise<number> {
    return this.#run(() => this.redis.zcard(`${this.prefix}all`));
  }

  sweep(): void {
    // Redis expires the tasks' keys itself; the index is trimmed on each insert.
  }

  async clear(): Promise<void> {
    await this.#run(async () => {
      let cursor = "0";
      do {
        const [next, keys] = await this.redis.scan(
          cursor,
          "MATCH",
          `${escapeGlob(this.prefix)}*`,
          "COUNT",
          1000,
        );
        cursor = next;
        if (keys.length > 0) await this.redis.unlink(...keys);
      } while (cursor !== "0");
    });
  }

  async shared(): Promise<SharedState> {
    const [settings, clock] = await this.#run(() =>
      this.redis.mget(`${this.prefix}settings`, `${this.prefix}clock`),
    );
    return {
      settings: settings ? (JSON.parse(settings) as SimulatorSettings) : undefined,
      virtualNow: clock ? Number(clock) : undefined,
    };
  }

  async saveSettings(settings: SimulatorSettings): Promise<void> {
    await this.#run(() => this.redis.set(`${this.prefix}settings`, JSON.stringify(settings)));
  }

  async advanceTime(ms: number, localNow: number): Promise<number> {
    const now = await this.#run(() =>
      this.redis.eval(ADVANCE, 1, `${this.prefix}clock`, String(ms), String(localNow)),
    );
    return Number(now);
  }

  /** The shared schedule of callbacks due. */
  readonly schedule: CallbackSchedule = {
    due: async (taskId, at) => {
      // LT: an earlier time wins over the one already there; a new task is added.
      await this.#run(() => this.redis.zadd(`${this.prefix}due`, "LT", at, taskId));
    },
    claim: async (now, leaseMs, max) => {
      const ids = await this.#run(() =>
        this.redis.eval(
          CLAIM_DUE,
          1,
          `${this.prefix}due`,
          String(now),
          String(leaseMs),
          String(max),
          this.prefix,
          this.replicaId,
        ),
      );
      return ids as string[];
    },
    renew: async (taskId, leaseMs) => {
      const held = await this.#run(() =>
        this.redis.eval(RENEW, 1, `${this.prefix}lease:${taskId}`, this.replicaId, String(leaseMs)),
      );
      return held === 1;
    },
    release: async (taskId, nextAt) => {
      await this.#run(() =>
        this.redis.eval(
          RELEASE,
          2,
          `${this.prefix}due`,
          `${this.prefix}lease:${taskId}`,
          taskId,
          nextAt === undefined ? "" : String(nextAt),
          this.replicaId,
        ),
      );
    },
  };

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

/** Escapes a prefix for SCAN's glob pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
