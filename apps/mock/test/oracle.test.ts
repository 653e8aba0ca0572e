// The independent checker every API answer in these tests goes through must itself be able to fail.
import { describe, expect, it } from "vitest";
import { CREATE_PATH, checkAnswer } from "./support/oracle.js";

describe("the Hyperjump oracle", () => {
  it("accepts the spec's shapes", async () => {
    expect(
      await checkAnswer("GET", `${CREATE_PATH}/x`, 400, "application/json", {
        code: "task_not_exist",
        message: "task_not_exist",
        data: null,
      }),
    ).toEqual([]);
    expect(
      await checkAnswer("GET", "/nope", 404, "application/json", {
        error: { message: "x", type: "y", code: "" },
      }),
    ).toEqual([]);
  });

  it.each([
    ["a wrong status for the operation", "POST", CREATE_PATH, 201, {}],
    [
      "a create answer missing its task id",
      "POST",
      CREATE_PATH,
      200,
      { code: 0, message: "", data: { task_status: "submitted" } },
    ],
    [
      "a query answer with an unknown status",
      "GET",
      `${CREATE_PATH}/x`,
      200,
      { code: "success", data: { task_id: "x", status: "DONE", progress: "100%" } },
    ],
    [
      "a progress that is not a percentage",
      "GET",
      `${CREATE_PATH}/x`,
      200,
      { code: "success", data: { task_id: "x", status: "SUCCESS", progress: "100" } },
    ],
    [
      "problem+json on an unknown route",
      "GET",
      "/nope",
      404,
      { type: "https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR", title: "x", status: 404 },
    ],
  ])("rejects %s", async (_name, method, path, status, body) => {
    expect(
      (await checkAnswer(method, path, status, "application/json", body)).length,
    ).toBeGreaterThan(0);
  });

  it("rejects a non-JSON content type", async () => {
    expect(await checkAnswer("GET", "/nope", 404, "text/html", {})).not.toEqual([]);
  });
});
