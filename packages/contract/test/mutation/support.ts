/**
 * The checks in process, for the mutation tests: a small literal OpenAPI document (so the tests do
 * not move when the real spec does, and every branch of a check can be reached), a scripted oracle
 * (so no schema is compiled: Stryker re-runs these for every mutant), and a gateway that is a
 * function behind a stubbed `fetch`, with no socket.
 */
import { vi } from "vitest";
import type { ResolvedOptions } from "../../src/options.js";
import type { SchemaError, SchemaVerdict } from "../../src/oracle.js";
import { Session } from "../../src/session.js";
import { SpecModel } from "../../src/spec.js";

export const CREATE = "/kling/v1/videos/multi-image2video";
export const BASE = "http://gw.test";

const json = (schema: object = {}) => ({ "application/json": { schema } });

/** Two operations, with every shape of response the checks must handle. */
export const DOC = {
  openapi: "3.1.0",
  paths: {
    [CREATE]: {
      post: {
        operationId: "createMultiImageVideoTask",
        responses: {
          "200": { $ref: "#/components/responses/Created" },
          "202": { description: "a media type without a schema", content: { "text/plain": {} } },
          "204": { description: "no content" },
          "4XX": { $ref: "#/components/responses/Error" },
          "429": { $ref: "#/components/responses/Limited" },
          "500": { $ref: "#/components/responses/Error" },
          "503": { $ref: "#/components/responses/Limited" },
        },
      },
    },
    [`${CREATE}/{task_id}`]: {
      get: {
        operationId: "getMultiImageVideoTask",
        responses: {
          "200": { content: json() },
          "4XX": { $ref: "#/components/responses/Error" },
          "429": { $ref: "#/components/responses/Limited" },
          "503": { $ref: "#/components/responses/Limited" },
        },
      },
    },
  },
  components: {
    responses: {
      Created: { content: { ...json(), "Text/Event-Stream": { schema: {} } } },
      Error: { content: json() },
      Limited: {
        content: json(),
        headers: {
          "Retry-After": { $ref: "#/components/headers/RetryAfter" },
          "X-Trace": { schema: { type: "string" } },
          "X-Count": { required: true, schema: { type: "number" } },
          "X-Plain": { description: "a header without a schema" },
          "X-Null": { schema: null },
        },
      },
    },
    headers: { RetryAfter: { required: true, schema: { type: "integer", minimum: 0 } } },
    schemas: {
      ErrorResponse: {},
      CallbackPayload: {},
      CreateTaskRequest: {
        type: "object",
        required: ["model", "image_list", "prompt"],
        properties: {
          model: { type: "string", "x-known-values": ["kling-v1-6", "kling-v2-1"] },
          image_list: { type: "array", minItems: 1, maxItems: 2 },
          prompt: { type: "string", minLength: 1, maxLength: 12 },
          mode: { type: "string", enum: ["std", "pro"] },
          duration: { type: "string", enum: ["5", "10"] },
          external_task_id: { type: "string" },
        },
      },
    },
  },
};

/** The literal document as the kit reads it. */
export const spec = new SpecModel(DOC);

/**
 * An oracle that judges by rule of thumb instead of compiling schemas: a JSON object with an
 * `invalid` key fails, a header schema (`…/schema` under `headers`) wants an integer ≥ 0 or a
 * number (`X-Count`), everything else passes. Every call is recorded.
 */
export function stubOracle(
  judge: (segments: readonly (string | number)[], value: unknown) => SchemaError[] = defaultJudge,
) {
  const calls: { at: string; value: unknown }[] = [];
  const oracle = {
    documentUrl: "stub:",
    async check(segments: readonly (string | number)[], value: unknown): Promise<SchemaVerdict> {
      calls.push({ at: segments.join("/"), value });
      const errors = judge(segments, value);
      return { valid: errors.length === 0, errors };
    },
  };
  return { oracle: oracle as never, calls };
}

function defaultJudge(segments: readonly (string | number)[], value: unknown): SchemaError[] {
  const at = segments.join("/");
  if (at.startsWith("components/headers/RetryAfter"))
    return Number.isInteger(value) && (value as number) >= 0
      ? []
      : [{ instanceLocation: "#", keywordLocation: "#/components/headers/RetryAfter/schema/type" }];
  if (at.includes("X-Count"))
    return typeof value === "number" ? [] : [{ instanceLocation: "#", keywordLocation: "#/count" }];
  if (typeof value === "object" && value !== null && "invalid" in value)
    return [{ instanceLocation: "#/invalid", keywordLocation: "#/stub/not" }];
  return [];
}

/** A request as the fake gateway sees it. */
export interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** An answer of the fake gateway: a status, headers and a JSON value or raw text; or an error. */
export type Answer =
  | { status: number; headers?: Record<string, string>; json?: unknown; text?: string }
  | Error;

/** Routes every `fetch` of the test to `route`, recording the requests. */
export function fakeGateway(route: (req: Seen, index: number) => Answer) {
  const seen: Seen[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    const req: Seen = {
      method: String(init.method ?? "GET"),
      url,
      headers: { ...(init.headers as Record<string, string>) },
      body: init.body === undefined ? undefined : String(init.body),
    };
    seen.push(req);
    const answer = route(req, seen.length - 1);
    if (answer instanceof Error) throw answer;
    const text = answer.text ?? (answer.json === undefined ? "" : JSON.stringify(answer.json));
    const headers = new Headers(
      answer.headers ?? (answer.json === undefined ? {} : { "content-type": "application/json" }),
    );
    // Outside 200-599 a Response cannot be built: answer with its shape.
    if (answer.status < 200 || answer.status > 599)
      return { status: answer.status, headers, text: async () => text };
    // Bytes, not a string: a string body would add a Content-Type of its own.
    const bytes = answer.status === 204 ? null : new TextEncoder().encode(text);
    return new Response(bytes, { status: answer.status, headers });
  };
  vi.stubGlobal("fetch", fetch);
  return { seen };
}

/** Options of {@link makeSession}: `undefined` removes a default (`advance: undefined`: real time). */
export type SessionOptions = { [K in keyof ResolvedOptions]?: ResolvedOptions[K] | undefined };

/** Options with short bounds; `advance` records the virtual time asked for. */
export function makeSession(options: SessionOptions = {}, oracle = stubOracle().oracle) {
  const advanced: number[] = [];
  const resolved: Record<string, unknown> = {
    baseUrl: BASE,
    apiKey: "sk-test",
    allowBillable: true,
    seed: 7,
    cases: 13,
    validCases: 3,
    timeoutMs: 5_000,
    pollIntervalMs: 1_000,
    lifecycleTimeoutMs: 3_000,
    callbackWaitMs: 0,
    callbackToleranceSeconds: 300,
    advance: async (ms: number) => {
      advanced.push(ms);
    },
    ...options,
  };
  for (const [key, value] of Object.entries(resolved))
    if (value === undefined) delete resolved[key];
  const session = new Session(resolved as unknown as ResolvedOptions, spec, oracle);
  return { session, advanced };
}

/** A query answer: the gateway's status and progress, with Kling's nested task when given. */
export function query(
  status: string,
  progress: string,
  kling?: string,
  videoUrl?: string,
): { status: number; json: unknown } {
  return {
    status: 200,
    json: {
      code: "success",
      message: "",
      data: {
        task_id: "t-1",
        status,
        progress,
        data:
          kling === undefined
            ? null
            : {
                code: 0,
                data: {
                  task_status: kling,
                  task_result: { videos: videoUrl === undefined ? [] : [{ url: videoUrl }] },
                },
              },
      },
    },
  };
}

/**
 * Runs `work` on fake timers (`setTimeout` and `Date`), moving time to each next timer as soon as
 * nothing else is pending; returns the result and how much fake time it took. Waits become exact
 * and cost no real time.
 */
export async function onFakeTime<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    const start = Date.now();
    let settled = false;
    const running = work().finally(() => {
      settled = true;
    });
    while (!settled) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!settled && vi.getTimerCount() > 0) await vi.advanceTimersToNextTimerAsync();
    }
    const value = await running;
    return { value, ms: Date.now() - start };
  } finally {
    vi.useRealTimers();
  }
}
