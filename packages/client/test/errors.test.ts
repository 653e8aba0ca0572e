import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  errorFromResponse,
  InvalidRequestError,
  type KlingApiError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
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
