/**
 * The simulator's options, shared by every adapter (the Node server, the MSW handlers), with
 * their defaults in one place.
 */
import type { Clock } from "./clock.js";
import type { LogSink } from "./log.js";
import type { RecordedExchange } from "./pipeline/forward.js";
import type { TimingProfile } from "./simulator/timing.js";
import type { TaskStore } from "./store/types.js";

export type { LogSink } from "./log.js";

/** What the mock simulates and how, whichever adapter serves it. Every field is optional. */
export interface MockOptions {
  /** `"system"` (default), `"virtual"` (advance by hand), or any {@link Clock}. */
  clock?: Clock | "system" | "virtual";
  /** Task timing: `"fast"` (seconds, default), `"realistic"` (minutes) or a custom profile. */
  timing?: "fast" | "realistic" | TimingProfile;
  /**
   * Accept only these bearer keys (default: any non-empty key, each its own tenant). With keys,
   * the control API needs one of them (or `controlToken`) too.
   */
  keys?: readonly string[];
  /**
   * A bearer token for the control API only (not the Kling API). Setting it (or `keys`) closes the
   * control API to callers without it; the health check and the videos stay open.
   */
  controlToken?: string;
  /**
   * How faithfully to play the gateway. `"documented"` (default) answers as the gateway's docs say.
   * `"gateway"` reproduces what its code (cuijinyu/new-api) really answers, every
   * `x-gateway-departure` of the spec with its named example: a body it cannot price is a 500
   * `new_api_panic`; every 429 is its rewritten message without `Retry-After`; Kling's refusals
   * (content policy, a duplicate `external_task_id`) are `fail_to_fetch_task`; a body that is not
   * JSON gets Distribute's "Invalid request, 无效的请求, …"; a failed task's `fail_reason` is
   * "SUCCEED"; `data` at `NOT_START` is Kling's create answer; a missing `aspect_ratio` is 1:1; and
   * the create answer has the observed shape unless `createShape` says otherwise. Every answer
   * still validates against the spec. Settable at run time with `PATCH /__mock/config`.
   */
  fidelity?: "documented" | "gateway";
  /**
   * The create response shape: `"documented"` or `"observed"` (the gateway's code). Default
   * `"documented"`, or `"observed"` with `fidelity: "gateway"`.
   */
  createShape?: "documented" | "observed";
  /** `whsec_<base64>`: sign callbacks with Standard Webhooks. */
  webhookSecret?: string;
  /** Callback hosts allowed beyond loopback. */
  callbackAllowedHosts?: readonly string[];
  /** Delivery attempts per callback before giving up. */
  callbackMaxAttempts?: number;
  /**
   * Callback attempts in flight at once, across all receivers (default 32); the rest wait in
   * order. Each attempt holds a socket, so this bounds what a burst of callbacks can take.
   */
  callbackConcurrency?: number;
  /** Callback attempts in flight at once to one receiver (`host:port`), default 8. */
  callbackConcurrencyPerTarget?: number;
  /** Seed of the failure-rate PRNG. Default 1. */
  seed?: number;
  /** Probability in [0, 1] that an accepted task fails. Default 0. */
  failureRate?: number;
  /** Server-wide scenario in `X-Mock-Scenario` syntax (e.g. `"fail"`). */
  scenario?: string;
  /** Unfinished tasks allowed per key; 0 (default) = no limit. Over it: 429 like Kling 1303. */
  concurrencyLimit?: number;
  /** `Retry-After` seconds on 429/503 answers. Default 5. */
  retryAfterSeconds?: number;
  /** Tasks are forgotten this long after submit (ms on the clock). Default 24 h. */
  taskTtlMs?: number;
  /** At most this many tasks are stored (oldest evicted first). Default 200,000. */
  maxTasks?: number;
  /**
   * Where tasks live. Default: this process's memory (the fastest; gone with the process). The
   * Node server builds a Redis store from `store: "redis://..."` (see `MockServerOptions`), which
   * replicas share and a restart keeps.
   */
  store?: TaskStore;
  /**
   * With a shared store: how long (real ms) a replica holds a task whose callbacks it delivers
   * before another may take it over (renewed while it delivers). Default 10,000.
   */
  callbackLeaseMs?: number;
  /**
   * How often (real ms) expired tasks are swept, a batch at a time, off any request's path.
   * Default 1,000.
   */
  sweepIntervalMs?: number;
  /** Largest request body in bytes. Default 60 MiB (four 10 MB images in Base64 fit). */
  maxBodyBytes?: number;
  /** Models with a channel; others get 503 `model_not_found`. Default `["kling-v1-6"]`. */
  models?: readonly string[];
  /** Base URL written into video URLs; default the adapter's own base URL. */
  publicUrl?: string;
  /** Log sink, or `false` for silence. Default: the adapter's (stderr for the server). */
  log?: LogSink | false;
  /**
   * Proxy mode: forward every API request to this upstream (the real gateway, a staging copy) and
   * answer with its answer unchanged, validating each exchange against the spec; violations are
   * listed at `GET /__mock/proxy/violations`. The control API and the videos stay the mock's.
   */
  proxy?: string;
  /** In proxy mode, called with each exchange, the key redacted (the server's `--record`). */
  onProxyExchange?: (exchange: RecordedExchange) => void;
  /** Log one line per request (default false: only start-up, violations and errors). */
  logRequests?: boolean;
  /**
   * @internal For the mock's own tests: rewrites a simulator reply before it is checked against
   * the spec, so a test can prove a broken reply becomes a loud 500.
   */
  replyHook?: (reply: { status: number; body: unknown }) => { status: number; body: unknown };
}

/** The defaults, applied by every adapter. */
export const DEFAULTS = {
  host: "127.0.0.1",
  port: 0,
  seed: 1,
  failureRate: 0,
  concurrencyLimit: 0,
  retryAfterSeconds: 5,
  taskTtlMs: 24 * 60 * 60 * 1000,
  maxTasks: 200_000,
  sweepIntervalMs: 1_000,
  maxBodyBytes: 60 * 1024 * 1024,
  models: ["kling-v1-6"] as readonly string[],
  createShape: "documented" as const,
  fidelity: "documented" as const,
} as const;
