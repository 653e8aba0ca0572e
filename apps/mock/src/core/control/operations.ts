/**
 * The control API as functions: each call goes through the same route, validation and answer as
 * an HTTP request to `/__mock/...`, so programmatic control (the MSW handlers' `forceState`,
 * `listTasks`, ...) can never behave differently from the HTTP control API.
 */
import type { components } from "../../generated/control-api.js";
import type { MockReply } from "../request.js";

type Schemas = components["schemas"];

/** A refused control call: the control API's status and its `{error: {code, message}}`. */
export class ControlError extends Error {
  override readonly name = "ControlError";
  constructor(
    /** HTTP status the control API answered. */
    readonly status: number,
    /** The control API's error code (`task_not_exist`, `not_virtual`, `invalid_request`, ...). */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What answers a control request (the core's `handle`, with no transport around it). */
export type ControlTransport = (request: {
  method: string;
  path: string;
  query?: Record<string, string>;
  key?: string;
  body?: unknown;
}) => Promise<MockReply>;

/** The control operations, typed from `control-api.yaml`. */
export interface ControlOperations {
  /** `GET /__mock/health`. */
  health(): Promise<Schemas["Health"]>;
  /** `GET /__mock/tasks`: newest first; with `key`, only that key's tasks. */
  listTasks(options?: { key?: string; limit?: number }): Promise<Schemas["TaskSummary"][]>;
  /** `POST /__mock/tasks/{id}/state`: force a status now (a finished task is a 409 `ControlError`). */
  forceState(
    taskId: string,
    status: Schemas["ForceState"]["status"],
    reason?: string,
  ): Promise<Schemas["TaskSummary"]>;
  /** `GET /__mock/config`. */
  getConfig(): Promise<Schemas["Config"]>;
  /** `PATCH /__mock/config` (`scenario: null` clears the scenario). */
  configure(patch: Schemas["ConfigPatch"]): Promise<Schemas["Config"]>;
  /** Sets (or, with `null`, clears) the server-wide scenario. */
  setScenario(scenario: string | null): Promise<Schemas["Config"]>;
  /** `GET /__mock/callbacks`: the delivery log, oldest first. */
  callbackLog(options?: { taskId?: string; key?: string }): Promise<Schemas["DeliveryRecord"][]>;
}

/** Control operations over a transport; a refusal throws {@link ControlError}. */
export function controlOperations(send: ControlTransport): ControlOperations {
  async function call<T>(request: Parameters<ControlTransport>[0]): Promise<T> {
    const reply = await send(request);
    if (reply.kind !== "json") throw new ControlError(reply.status, "unexpected", "not JSON");
    if (reply.status >= 400) {
      const error = (reply.body as Partial<Schemas["Error"]>).error;
      throw new ControlError(
        reply.status,
        error?.code ?? "error",
        error?.message ?? `control API answered ${reply.status}`,
      );
    }
    return reply.body as T;
  }
  const ops: ControlOperations = {
    health: () => call({ method: "GET", path: "/__mock/health" }),
    listTasks: async (options = {}) =>
      (
        await call<Schemas["TaskList"]>({
          method: "GET",
          path: "/__mock/tasks",
          ...(options.limit === undefined ? {} : { query: { limit: String(options.limit) } }),
          ...(options.key === undefined ? {} : { key: options.key }),
        })
      ).tasks,
    forceState: (taskId, status, reason) =>
      call({
        method: "POST",
        path: `/__mock/tasks/${encodeURIComponent(taskId)}/state`,
        body: reason === undefined ? { status } : { status, reason },
      }),
    getConfig: () => call({ method: "GET", path: "/__mock/config" }),
    configure: (patch) => call({ method: "PATCH", path: "/__mock/config", body: patch }),
    setScenario: (scenario) => ops.configure({ scenario }),
    callbackLog: async (options = {}) =>
      (
        await call<Schemas["CallbackLog"]>({
          method: "GET",
          path: "/__mock/callbacks",
          ...(options.taskId === undefined ? {} : { query: { task_id: options.taskId } }),
          ...(options.key === undefined ? {} : { key: options.key }),
        })
      ).deliveries,
  };
  return ops;
}
