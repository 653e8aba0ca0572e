// The gateway's error envelopes and the wording of request diagnostics, byte for byte.
import { describe, expect, it } from "vitest";
import {
  type Diagnostic,
  describe as describeDiagnostic,
  errorsOf,
  fieldName,
  replyForInvalidRequest,
  SEVERITY_ERROR,
} from "../../src/core/errors/diagnostics.js";
import { errors, gatewayError, klingError, taskError } from "../../src/core/errors/envelopes.js";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** A Kling error body as the gateway passes it through: `{"code":…,"message":…,"request_id":…}`. */
const klingText = (code: number, message: string) =>
  new RegExp(
    `^\\{"code":${code},"message":"${message.replace(/[()]/g, "\\$&")}","request_id":"${UUID}"\\}$`,
  );

describe("envelopes", () => {
  it("gatewayError: {error: {message, type, code}}, type new_api_error and code empty by default", () => {
    expect(gatewayError(418, "m")).toEqual({
      status: 418,
      body: { error: { message: "m", type: "new_api_error", code: "" } },
    });
    expect(gatewayError(400, "m", "c", "t")).toEqual({
      status: 400,
      body: { error: { message: "m", type: "t", code: "c" } },
    });
  });

  it("taskError: {code, message, data: null}", () => {
    expect(taskError(400, "c", "m")).toEqual({
      status: 400,
      body: { code: "c", message: "m", data: null },
    });
  });

  it("klingError: Kling's body as the message, the code's documented status, Retry-After only when given (0 included)", () => {
    const plain = klingError("fail_to_fetch_task", "5000", "boom");
    expect(plain).toEqual({
      status: 500,
      body: {
        code: "fail_to_fetch_task",
        message: expect.stringMatching(klingText(5000, "boom")),
        data: null,
      },
    });
    expect("headers" in plain).toBe(false);
    expect(klingError("x", "1302", "y", 0)).toMatchObject({
      status: 429,
      headers: { "retry-after": "0" },
    });
    expect(klingError("x", "1303", "y", 12).headers).toEqual({ "retry-after": "12" });
    // The status is the spec's for the code, whatever the code.
    expect(klingError("x", "1103", "y").status).toBe(403);
    expect(klingError("x", "5001", "y").status).toBe(503);
  });

  it("the named errors", () => {
    const gw = (status: number, message: string, code: string, type = "new_api_error") => ({
      status,
      body: { error: { message, type, code } },
    });
    expect(errors.missingKey()).toEqual(
      gw(401, "No token provided (Authorization: Bearer <key>)", ""),
    );
    expect(errors.invalidKey()).toEqual(gw(401, "Invalid token", ""));
    expect(errors.notFound("DELETE", "/x/y")).toEqual(
      gw(404, "Invalid URL (DELETE /x/y)", "", "invalid_request_error"),
    );
    expect(errors.tooLarge()).toEqual(
      gw(413, "request body too large", "read_request_body_failed"),
    );
    expect(errors.uploadsBusy(3)).toEqual({
      ...gw(
        429,
        "too many large uploads in progress on this mock; retry shortly",
        "upload_budget_exceeded",
      ),
      headers: { "retry-after": "3" },
    });
    expect(errors.badHttp("no Host")).toEqual(gw(400, "no Host", "invalid_request"));
    expect(errors.invalidJson("oops")).toEqual(
      gw(400, "invalid request body: oops", "invalid_request"),
    );
    expect(errors.modelNotFound("m-9")).toEqual(
      gw(503, "No available channel for model m-9 under group default", "model_not_found"),
    );
    expect(errors.contractViolation("bad")).toEqual(
      gw(
        500,
        "mock bug: its response violates spec/openapi.yaml: bad",
        "mock_response_invalid",
        "mock_error",
      ),
    );
    expect(errors.internalMock("why")).toEqual(
      gw(500, "mock internal error: why", "mock_error", "mock_error"),
    );

    const task = (status: number, code: string, message: string) => ({
      status,
      body: { code, message, data: null },
    });
    expect(errors.invalidRequest("x is bad")).toEqual(task(400, "invalid_request", "x is bad"));
    expect(errors.taskNotExist()).toEqual(task(400, "task_not_exist", "task_not_exist"));
    expect(errors.quotaNotEnough()).toEqual(
      task(403, "quota_not_enough", "user quota is not enough"),
    );

    const kling = (
      reply: { status: number; headers?: Record<string, string>; body: unknown },
      status: number,
      code: string,
      klingCode: number,
      message: string,
      retry?: string,
    ) => {
      expect(reply).toEqual({
        status,
        ...(retry === undefined ? {} : { headers: { "retry-after": retry } }),
        body: { code, message: expect.stringMatching(klingText(klingCode, message)), data: null },
      });
    };
    kling(
      errors.contentPolicy(),
      400,
      "task_failed",
      1301,
      "Failure to pass the risk control system",
    );
    kling(
      errors.duplicateExternalTaskId(),
      400,
      "task_failed",
      1201,
      "external_task_id already exists",
    );
    kling(errors.rateLimited(5), 429, "fail_to_fetch_task", 1302, "request rate too high", "5");
    kling(
      errors.concurrency(6),
      429,
      "fail_to_fetch_task",
      1303,
      "parallel task over resource pack limit",
      "6",
    );
    kling(errors.internal(), 500, "fail_to_fetch_task", 5000, "Server internal error");
    kling(
      errors.maintenance(8),
      503,
      "fail_to_fetch_task",
      5001,
      "Server temporarily unavailable, usually due to maintenance",
      "8",
    );
  });
});

describe("diagnostics", () => {
  const err = (
    message: string,
    path?: (string | number)[],
    code?: string | number,
  ): Diagnostic => ({
    message,
    severity: SEVERITY_ERROR,
    ...(path === undefined ? {} : { path }),
    ...(code === undefined ? {} : { code }),
  });

  it("fieldName: drops the location, indexes in brackets, properties dotted", () => {
    expect(fieldName(["body", "image_list", "1", "image"])).toBe("image_list[1].image");
    expect(fieldName(["body", "image_list", 12, "image"])).toBe("image_list[12].image");
    expect(fieldName(["body", 0, "a"])).toBe("[0].a");
    expect(fieldName(["body", "a", "b"])).toBe("a.b");
    expect(fieldName(["body", "a", "1a", "x1"])).toBe("a.1a.x1");
    expect(fieldName(["body"])).toBe("");
    expect(fieldName([])).toBe("");
  });

  it("describe: names the field first and keeps the rest of Prism's wording", () => {
    expect(
      describeDiagnostic(
        err('Request body property image_list.1.image must match pattern "^https?://"', [
          "body",
          "image_list",
          "1",
          "image",
        ]),
      ),
    ).toBe('image_list[1].image must match pattern "^https?://"');
    expect(
      describeDiagnostic(err("Request path parameter task_id must be string", ["path", "task_id"])),
    ).toBe("task_id must be string");
    expect(
      describeDiagnostic(err("Request query parameter limit must be integer", ["query", "limit"])),
    ).toBe("limit must be integer");
    expect(
      describeDiagnostic(err("Request headers parameter x-a must be string", ["header", "x-a"])),
    ).toBe("x-a must be string");
    expect(describeDiagnostic(err("Request body must be object", ["body"]))).toBe("must be object");
    expect(describeDiagnostic(err("Request headers must have x", ["header"]))).toBe("must have x");
    expect(describeDiagnostic(err("Request body ", ["body"]))).toBe("invalid request");
    expect(describeDiagnostic(err("", []))).toBe("invalid request");
    expect(describeDiagnostic(err("must be string"))).toBe("must be string");
    // Only a leading prefix is Prism's.
    expect(
      describeDiagnostic(err("see Request body property a must be string", ["body", "a"])),
    ).toBe("a see Request body property a must be string");
    expect(describeDiagnostic(err("see Request body x", ["body"]))).toBe("see Request body x");
    expect(describeDiagnostic(err("Request bodyproperty a must", ["body", "a"]))).toBe(
      "a Request bodyproperty a must",
    );
    expect(describeDiagnostic(err("Request body property  must be", ["body", "a"]))).toBe(
      "a property  must be",
    );
  });

  it("describe: a missing property is '<parent>.<name> is required'", () => {
    expect(describeDiagnostic(err("must have required property 'model'", ["body"]))).toBe(
      "model is required",
    );
    expect(describeDiagnostic(err("must have required property 'model'"))).toBe(
      "model is required",
    );
    expect(
      describeDiagnostic(
        err("Request body property image_list.0 must have required property 'image'", [
          "body",
          "image_list",
          "0",
        ]),
      ),
    ).toBe("image_list[0].image is required");
    expect(describeDiagnostic(err("must have required property ''", ["body"]))).toBe(
      "must have required property ''",
    );
  });

  it("errorsOf keeps the errors, in order, and drops warnings", () => {
    const a = err("a");
    const b = err("b");
    const warning: Diagnostic = { message: "w", severity: 1 };
    expect(errorsOf([a, warning, b])).toEqual([a, b]);
    expect(SEVERITY_ERROR).toBe(0);
  });

  describe("replyForInvalidRequest", () => {
    const create = "createMultiImageVideoTask";
    const get = "getMultiImageVideoTask";

    it("answers nothing without errors (warnings pass)", () => {
      expect(replyForInvalidRequest([], create)).toBeUndefined();
      expect(replyForInvalidRequest([{ message: "deprecated", severity: 1 }], create)).toBe(
        undefined,
      );
    });

    it("a 415 is the middleware's invalid JSON answer, before anything else", () => {
      expect(
        replyForInvalidRequest(
          [err("bad path", ["path", "task_id"]), err("unsupported", ["body"], 415)],
          get,
        ),
      ).toEqual({
        status: 400,
        body: {
          error: {
            message: "invalid request body: Content-Type must be application/json",
            type: "new_api_error",
            code: "invalid_request",
          },
        },
      });
    });

    it("a bad path parameter of the query is task_not_exist; of another operation it is named", () => {
      expect(replyForInvalidRequest([err("x", ["path", "task_id"])], get)).toEqual({
        status: 400,
        body: { code: "task_not_exist", message: "task_not_exist", data: null },
      });
      expect(replyForInvalidRequest([err("must be short", ["path", "task_id"])], create)).toEqual({
        status: 400,
        body: { code: "invalid_request", message: "task_id must be short", data: null },
      });
      expect(replyForInvalidRequest([err("must be short", ["query", "x"])], get)).toEqual({
        status: 400,
        body: { code: "invalid_request", message: "x must be short", data: null },
      });
      // One bad path parameter among other errors is enough.
      expect(
        replyForInvalidRequest(
          [err("must be string", ["body", "x"]), err("x", ["path", "task_id"])],
          get,
        )?.body,
      ).toEqual({ code: "task_not_exist", message: "task_not_exist", data: null });
      expect(replyForInvalidRequest([err("must be short")], get)?.body).toEqual({
        code: "invalid_request",
        message: "must be short",
        data: null,
      });
    });

    it("a missing top-level model is the middleware's 'model is required'", () => {
      const missing = {
        status: 400,
        body: {
          error: { message: "model is required", type: "new_api_error", code: "invalid_request" },
        },
      };
      const msg = "must have required property 'model'";
      expect(replyForInvalidRequest([err(msg, ["body"], "required")], create)).toEqual(missing);
      expect(replyForInvalidRequest([err(msg, undefined, "required")], create)).toEqual(missing);
      expect(
        replyForInvalidRequest(
          [err("must be string", ["body", "prompt"]), err(msg, ["body"], "required")],
          create,
        ),
      ).toEqual(missing);
      // Nested, or not the `required` keyword: named like any other field.
      expect(
        replyForInvalidRequest([err(msg, ["body", "image_list"], "required")], create)?.body,
      ).toEqual({ code: "invalid_request", message: "image_list.model is required", data: null });
      expect(replyForInvalidRequest([err(msg, ["body"], "type")], create)?.body).toEqual({
        code: "invalid_request",
        message: "model is required",
        data: null,
      });
      expect(
        replyForInvalidRequest(
          [err("must have required property 'prompt'", ["body"], "required")],
          create,
        )?.body,
      ).toEqual({ code: "invalid_request", message: "prompt is required", data: null });
    });

    it("a required body without a path is an empty body", () => {
      expect(
        replyForInvalidRequest([err("Body parameter is required", undefined, "required")], create),
      ).toEqual({
        status: 400,
        body: {
          error: {
            message: "invalid request body: unexpected end of JSON input",
            type: "new_api_error",
            code: "invalid_request",
          },
        },
      });
      expect(
        replyForInvalidRequest(
          [
            err("must be string", ["body", "prompt"]),
            err("Body parameter is required", undefined, "required"),
          ],
          create,
        )?.body,
      ).toMatchObject({ error: { message: "invalid request body: unexpected end of JSON input" } });
      expect(
        replyForInvalidRequest([err("Body parameter is required", ["body"], "required")], create)
          ?.body,
      ).toEqual({ code: "invalid_request", message: "Body parameter is required", data: null });
    });

    it("names every offending field once, in order, within 1000 characters", () => {
      expect(
        replyForInvalidRequest(
          [
            err("must be string", ["body", "prompt"]),
            { message: "deprecated", severity: 1, path: ["body", "x"] },
            err("must be string", ["body", "prompt"]),
            err("must be one of", ["body", "mode"]),
          ],
          create,
        ),
      ).toEqual({
        status: 400,
        body: {
          code: "invalid_request",
          message: "prompt must be string; mode must be one of",
          data: null,
        },
      });
      const exact = "x".repeat(1_000);
      const messageOf = (list: Diagnostic[]) =>
        (replyForInvalidRequest(list, create)?.body as { message?: string } | undefined)?.message;
      expect(messageOf([err(exact)])).toBe(exact);
      expect(messageOf([err(`${"y".repeat(1_000)}z`)])).toBe(`${"y".repeat(997)}...`);
    });
  });
});
