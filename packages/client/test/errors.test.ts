import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ConnectionError,
  errorFromResponse,
  InvalidRequestError,
  KlingApiError,
  KlingError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  SubmitOutcomeUnknownError,
  TaskFailedError,
  TimeoutError,
  WaitTimeoutError,
} from "../src/errors.js";

const kling = (code: number) => ({
  code: "task_failed",
  message: JSON.stringify({ code, message: `kling ${code}`, request_id: `r-${code}` }),
  data: null,
});

describe("errorFromResponse", () => {
  const byCode: [number, new (...args: never[]) => KlingApiError][] = [
    [1000, AuthenticationError],
    [1004, AuthenticationError],
    [1100, RateLimitError],
    [1102, RateLimitError],
    [1103, PermissionDeniedError],
    [1200, InvalidRequestError],
    [1201, InvalidRequestError],
    [1202, NotFoundError],
    [1203, NotFoundError],
    [1300, InvalidRequestError],
    [1301, InvalidRequestError],
    [1302, RateLimitError],
    [1303, RateLimitError],
    [1304, RateLimitError],
    [5000, ServerError],
    [5001, ServerError],
    [5002, ServerError],
  ];
  it.each(byCode)("maps Kling %i inside a 400 message to its class", (code, Class) => {
    const error = errorFromResponse(400, kling(code));
    expect(error).toBeInstanceOf(Class);
    expect(error.klingCode).toBe(code);
    expect(error.requestId).toBe(`r-${code}`);
    expect(error.message).toBe(`400 kling ${code} (Kling ${code})`);
    expect(error.status).toBe(400);
    expect(error.code).toBe("task_failed");
  });

  it("maps a bare Kling error body (numeric code at the top)", () => {
    const error = errorFromResponse(200, { code: 1302, message: "rate", request_id: "r" });
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.code).toBe(1302);
  });

  it("falls back to the status when the message is not Kling JSON", () => {
    expect(errorFromResponse(400, { code: "x", message: "{not json", data: null })).toBeInstanceOf(
      InvalidRequestError,
    );
    expect(errorFromResponse(500, null)).toBeInstanceOf(ServerError);
    expect(errorFromResponse(409, {})).not.toBeInstanceOf(InvalidRequestError);
  });

  it("uses the middleware envelope's type when its code is empty", () => {
    const error = errorFromResponse(401, {
      error: { message: "Invalid token", type: "new_api_error", code: "" },
    });
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe("new_api_error");
    expect(error.message).toBe("401 Invalid token");
  });

  it("reads retryAfterMs for rate limits, and for any other answer that says it", () => {
    const error = errorFromResponse(429, {}, new Headers({ "retry-after-ms": "1500" }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(1500);
    const busy = errorFromResponse(503, {}, new Headers({ "retry-after": "3" }));
    expect(busy).toBeInstanceOf(ServerError);
    expect(busy.retryAfterMs).toBe(3000);
    expect(errorFromResponse(500, {}, new Headers()).retryAfterMs).toBeUndefined();
  });
});

describe("errorFromResponse: what each answer becomes (literal expectations)", () => {
  // [status, class name] with a body that carries no code of its own
  it.each([
    [400, "InvalidRequestError"],
    [401, "AuthenticationError"],
    [403, "PermissionDeniedError"],
    [404, "NotFoundError"],
    [408, "KlingApiError"],
    [409, "KlingApiError"],
    [413, "InvalidRequestError"],
    [418, "KlingApiError"],
    [422, "InvalidRequestError"],
    [429, "RateLimitError"],
    [499, "KlingApiError"],
    [500, "ServerError"],
    [501, "ServerError"],
    [502, "ServerError"],
    [503, "ServerError"],
    [504, "ServerError"],
    [599, "ServerError"],
    [302, "KlingApiError"],
  ])("HTTP %i is a %s", (status, name) => {
    const error = errorFromResponse(status, { message: "m" });
    expect(error.constructor.name).toBe(name);
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(KlingApiError);
    expect(error).toBeInstanceOf(KlingError);
    expect(error.message).toBe(`${status} m`);
    expect(error.status).toBe(status);
  });

  it.each([
    [999, 400, "InvalidRequestError"],
    [999, 409, "KlingApiError"],
    [1305, 409, "KlingApiError"],
    [1305, 429, "RateLimitError"],
    [1099, 400, "AuthenticationError"],
    [1199, 400, "PermissionDeniedError"],
    [1299, 401, "NotFoundError"],
    [4999, 401, "AuthenticationError"],
    [5003, 404, "NotFoundError"],
    [5003, 409, "KlingApiError"],
  ])(
    "Kling %i (not in 1000-1304 or 5000-5002) leaves HTTP %i its class: %s",
    (code, status, name) => {
      const error = errorFromResponse(status, kling(code));
      expect(error.constructor.name).toBe(name);
      expect(error.klingCode).toBe(code);
      expect(error.message).toBe(`${status} kling ${code} (Kling ${code})`);
    },
  );

  it("names the class of each error", () => {
    const task = { taskId: "t", status: "failed", failReason: "" } as never;
    expect(
      [
        new KlingError("m"),
        new KlingApiError("m"),
        new AuthenticationError("m"),
        new PermissionDeniedError("m"),
        new InvalidRequestError("m"),
        new NotFoundError("m"),
        new RateLimitError("m"),
        new ServerError("m"),
        new ConnectionError("m"),
        new TimeoutError("m"),
        new SubmitOutcomeUnknownError("e", new ServerError("m")),
        new TaskFailedError(task),
        new WaitTimeoutError("t", 1, undefined),
      ].map((error) => error.name),
    ).toEqual([
      "KlingError",
      "KlingApiError",
      "AuthenticationError",
      "PermissionDeniedError",
      "InvalidRequestError",
      "NotFoundError",
      "RateLimitError",
      "ServerError",
      "ConnectionError",
      "TimeoutError",
      "SubmitOutcomeUnknownError",
      "TaskFailedError",
      "WaitTimeoutError",
    ]);
  });

  it("puts a plain-text body in the message, cut at 500 characters", () => {
    const error = errorFromResponse(502, "Bad Gateway from nginx");
    expect(error.message).toBe("502 Bad Gateway from nginx");
    expect(error.body).toBe("Bad Gateway from nginx");
    expect(error.code).toBeUndefined();
    const long = "x".repeat(501);
    expect(errorFromResponse(502, long).message).toBe(`502 ${"x".repeat(500)}`);
    expect(errorFromResponse(502, "").message).toBe("502 request failed");
    expect(errorFromResponse(502, undefined).message).toBe("502 request failed");
  });

  it("reads the middleware envelope's code, type and request id, and the plain one's", () => {
    const nested = errorFromResponse(403, {
      error: { message: "no", type: "t", code: "quota_not_enough", request_id: "r-9" },
    });
    expect(nested).toMatchObject({ code: "quota_not_enough", requestId: "r-9", message: "403 no" });
    const plain = errorFromResponse(400, { code: "bad", message: "nope", request_id: "r-8" });
    expect(plain).toMatchObject({ code: "bad", requestId: "r-8", klingCode: undefined });
    // `error` that is not an object leaves the top level to be read
    const flat = errorFromResponse(400, { error: "x", message: "top", code: "c" });
    expect(flat).toMatchObject({ code: "c", message: "400 top" });
    // neither code nor type: none
    expect(errorFromResponse(400, { message: "m" }).code).toBeUndefined();
    expect(errorFromResponse(400, { type: "only_type" }).code).toBe("only_type");
  });

  it("keeps the message when Kling's JSON has no numeric code, and the outer id when it has none", () => {
    const noCode = errorFromResponse(400, { code: "c", message: '{"message":"inner"}' });
    expect(noCode.message).toBe('400 {"message":"inner"}');
    expect(noCode.klingCode).toBeUndefined();
    const noInner = errorFromResponse(429, {
      code: "c",
      request_id: "outer",
      message: '{"code":1302}',
    });
    expect(noInner).toMatchObject({
      message: '429 {"code":1302} (Kling 1302)',
      requestId: "outer",
      klingCode: 1302,
      code: "c",
    });
    // a message that starts with "{" but is not JSON, or is JSON but not an object
    expect(errorFromResponse(400, { message: "{oops" }).message).toBe("400 {oops");
    expect(errorFromResponse(400, { message: "[1302]" }).message).toBe("400 [1302]");
    // Kling's body is the whole message: not text that happens to parse as JSON
    const spaced = errorFromResponse(429, { message: ' {"code":1302,"message":"x"}' });
    expect(spaced).toMatchObject({
      klingCode: undefined,
      message: '429  {"code":1302,"message":"x"}',
    });
  });

  it("task_not_exist is a NotFoundError whatever the status or Kling code", () => {
    expect(errorFromResponse(400, { code: "task_not_exist" }).name).toBe("NotFoundError");
    expect(errorFromResponse(500, { code: "task_not_exist" }).name).toBe("NotFoundError");
  });

  it("reads no retryAfterMs without headers or from blank, negative or garbage ones", () => {
    expect(errorFromResponse(429, {}).retryAfterMs).toBeUndefined();
    const at = (headers: Record<string, string>) =>
      errorFromResponse(429, {}, new Headers(headers)).retryAfterMs;
    expect(at({ "retry-after-ms": " " })).toBeUndefined();
    expect(at({ "retry-after-ms": "-5" })).toBeUndefined();
    expect(at({ "retry-after-ms": "-5", "retry-after": "2" })).toBe(2000);
    expect(at({ "retry-after-ms": "", "retry-after": "1" })).toBe(1000);
    expect(at({ "retry-after-ms": "0" })).toBe(0);
    expect(at({ "retry-after-ms": " 40 " })).toBe(40);
    expect(at({ "retry-after": " " })).toBeUndefined();
    expect(at({ "retry-after": " 2 " })).toBe(2000);
  });
});

describe("the error classes", () => {
  it("keep what they are given, and a ConnectionError may have reached the server unless told", () => {
    const headers = new Headers({ a: "1" });
    const cause = new Error("root");
    const error = new RateLimitError("m", {
      status: 429,
      code: "c",
      klingCode: 1302,
      requestId: "r",
      body: { x: 1 },
      headers,
      cause,
      retryAfterMs: 5,
    });
    expect(error).toMatchObject({
      message: "m",
      status: 429,
      code: "c",
      klingCode: 1302,
      requestId: "r",
      body: { x: 1 },
      retryAfterMs: 5,
    });
    expect(error.headers).toBe(headers);
    expect(error.cause).toBe(cause);
    expect(new ConnectionError("m").mayHaveReachedServer).toBe(true);
    expect(new ConnectionError("m", { mayHaveReachedServer: false }).mayHaveReachedServer).toBe(
      false,
    );
    expect(new TimeoutError("m").mayHaveReachedServer).toBe(true);
  });

  it("SubmitOutcomeUnknownError carries the id and the cause's fields, and says what to do", () => {
    const cause = new ServerError("504 gateway timeout", { status: 504, requestId: "r" });
    const error = new SubmitOutcomeUnknownError("ext-1", cause);
    expect(error.message).toBe(
      'Submit outcome unknown (504 gateway timeout): reconcile by external_task_id "ext-1" before resubmitting',
    );
    expect(error).toMatchObject({ externalTaskId: "ext-1", status: 504, requestId: "r" });
    expect(error.cause).toBe(cause);
  });

  it("TaskFailedError and WaitTimeoutError say which task and why", () => {
    const failed = { taskId: "t1", status: "failed", failReason: "policy" } as never;
    expect(new TaskFailedError(failed).message).toBe("Task t1 failed: policy");
    expect(new TaskFailedError({ ...(failed as object), failReason: "" } as never).message).toBe(
      "Task t1 failed: no reason given",
    );
    expect(new TaskFailedError(failed).task).toBe(failed);
    const last = { status: "processing" } as never;
    const timeout = new WaitTimeoutError("t2", 1000, last);
    expect(timeout.message).toBe("Task t2 did not finish within 1000 ms (last status: processing)");
    expect(timeout.task).toBe(last);
    expect(new WaitTimeoutError("t3", 5, undefined).message).toBe(
      "Task t3 did not finish within 5 ms (last status: unknown)",
    );
  });
});
