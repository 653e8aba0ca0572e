/**
 * `@kling-multi-image/mock/msw`: the mock's simulator as Mock Service Worker handlers, for a
 * frontend's own tests (vitest/jest with `msw/node`) and its browser (`msw/browser`), with no
 * server. Tasks progress over time, errors come in the gateway's envelopes, callbacks are posted,
 * videos are served, and every request and answer is validated against the spec by validators
 * compiled from it at build time: the same core, and so the same answers, as `kling-mock`.
 *
 * ```ts
 * import { setupServer } from "msw/node";
 * import { createKlingHandlers } from "@kling-multi-image/mock/msw";
 *
 * const kling = createKlingHandlers({ clock: "virtual" });
 * const server = setupServer(...kling.handlers);
 * server.listen();
 * // submit to https://api.ezmodel.cloud/kling/v1/videos/multi-image2video, then:
 * await kling.clock.advance(3_500); // the task is now SUCCESS (fast timing, std, 5 s)
 * ```
 */
import { type HttpHandler, http } from "msw";
import type { DeliveryRecord } from "../core/callbacks/index.js";
import { type Clock, isVirtual, type VirtualClock } from "../core/clock.js";
import {
  ControlError,
  type ControlOperations,
  controlOperations,
} from "../core/control/operations.js";
import type { Engines } from "../core/mock.js";
import { createMockCore } from "../core/mock.js";
import type { MockOptions } from "../core/options.js";
import { memoryRequest } from "../core/request.js";
import type { Simulator } from "../core/simulator/simulator.js";
import { compiledEngines } from "../validation/index.js";
import { toMockRequest, toResponse } from "./request.js";

export type { DeliveryRecord } from "../core/callbacks/index.js";
export type { Clock, VirtualClock } from "../core/clock.js";
export { ControlError, type ControlOperations } from "../core/control/operations.js";
export type { MockOptions } from "../core/options.js";

/** The gateway's base URL, which the handlers answer for unless told otherwise. */
export const DEFAULT_BASE_URL = "https://api.ezmodel.cloud";

/** Options of {@link createKlingHandlers}: the simulator's (as `createMockServer`'s), plus the URL. */
export interface KlingHandlersOptions extends MockOptions {
  /**
   * The base URL the handlers answer under (the API, `/__mock/*` and the videos). Default
   * `https://api.ezmodel.cloud`, the gateway's, so an app's client needs no change.
   */
  baseUrl?: string;
  /**
   * Paths under `baseUrl` that are neither the Kling API (`/kling/...`) nor the mock's own
   * (`/__mock...`): `"answer"` them with the gateway's 404 (default, as the gateway does), or
   * `"bypass"` them to the network, for a `baseUrl` that also serves the app's own files (such as
   * `location.origin`).
   */
  unknownPaths?: "answer" | "bypass";
}

/** The handlers and what drives them. */
export interface KlingHandlers extends ControlOperations {
  /** Pass to `setupServer(...)` or `setupWorker(...)`. */
  readonly handlers: HttpHandler[];
  /** The base URL the handlers answer under. */
  readonly baseUrl: string;
  /**
   * The simulator's clock. `advance(ms)` moves a virtual clock forward, firing due task changes
   * and callbacks in order; on the system clock it rejects with a {@link ControlError}.
   */
  readonly clock: Clock & { advance(ms: number): Promise<void> };
  /** The simulator, for tests that want to look inside. */
  readonly simulator: Simulator;
  /** Forgets every task and delivery and restores the start-up settings. */
  reset(): Promise<void>;
  /** The callback delivery log as records (synchronous; `callbackLog()` is the control API's view). */
  deliveries(filter?: { taskId?: string }): DeliveryRecord[];
  /** Cancels pending callbacks and timers (call in `afterAll`). */
  close(): Promise<void>;
}

/** Handlers on a virtual clock. */
export interface VirtualKlingHandlers extends KlingHandlers {
  readonly clock: VirtualClock;
}

/**
 * Creates MSW handlers that answer the Kling multi-image-to-video API statefully. Options are
 * `createMockServer`'s (`clock`, `timing`, `keys`, `scenario`, `failureRate`, `seed`,
 * `webhookSecret`, ...) plus `baseUrl`.
 */
export function createKlingHandlers(
  options: KlingHandlersOptions & { clock: "virtual" },
): VirtualKlingHandlers;
export function createKlingHandlers(options?: KlingHandlersOptions): KlingHandlers;
export function createKlingHandlers(options: KlingHandlersOptions = {}): KlingHandlers {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, "");
  const engines: Engines = compiledEngines();
  // MSW handlers run inside an app's tests or page: stay quiet unless asked to log.
  const core = createMockCore(options, engines, () => {});
  core.setBaseUrl(baseUrl);
  const ops = controlOperations((request) => core.handle(memoryRequest(request)));

  // A RegExp, not a path pattern: MSW decodes a pattern's parameters and would throw on a badly
  // escaped task id, which the core answers (task_not_exist) like the gateway.
  const base = baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const under = new RegExp(
    options.unknownPaths === "bypass"
      ? `^${base}/(?:kling/|__mock(?:[/?#]|$))`
      : `^${base}(?:[/?#]|$)`,
  );
  const handler = http.all(under, async ({ request }) => {
    const reply = await core.handle(toMockRequest(request, basePath));
    if (reply.kind === "json" && reply.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    }
    return toResponse(reply, request.headers.get("origin"));
  });

  return {
    ...ops,
    handlers: [handler],
    baseUrl,
    simulator: core.simulator,
    clock: isVirtual(core.clock)
      ? core.clock
      : Object.assign(Object.create(core.clock) as Clock, {
          advance: () =>
            Promise.reject(
              new ControlError(
                409,
                "not_virtual",
                'clock.advance needs createKlingHandlers({ clock: "virtual" })',
              ),
            ),
        }),
    reset: () => core.reset(),
    deliveries: (filter) => core.callbackLog(filter),
    close: () => core.close(),
  };
}
