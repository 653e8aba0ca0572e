import { describe, expect, it } from "vitest";
import { CREATE, call, seedBody, startVirtual, submit } from "../support/harness.js";

const gateway = (message: string | RegExp, code = "") => ({
  error: {
    message: typeof message === "string" ? message : expect.stringMatching(message),
    type: "new_api_error",
    code,
  },
});

describe("authentication (401, the middleware's envelope)", () => {
  it("no Authorization header", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, { key: null, body: seedBody });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(gateway(/token/i));
  });
  it.each([["Basic Zm9vOmJhcg=="], ["Bearer"], ["Bearer    "], ["Token abc"]])(
    "a malformed header %j",
    async (authorization) => {
      const mock = await startVirtual();
      const r = await call(mock.url, "GET", `${CREATE}/abc`, { headers: { authorization } });
      expect(r.status).toBe(401);
      expect(r.body.error.type).toBe("new_api_error");
    },
  );
  it("takes the scheme as Bearer or bearer, as the gateway's TokenAuth does, but not BEARER", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url, "case-key");
    const asked = async (authorization: string) =>
      (await call(mock.url, "GET", `${CREATE}/${id}`, { headers: { authorization } })).status;
    expect(await asked("Bearer case-key")).toBe(200);
    expect(await asked("bearer case-key")).toBe(200);
    expect(await asked("BEARER case-key")).toBe(401);
  });
  it("is checked before the body (a bad body with no key is still 401)", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, { key: null, body: "{not json" });
    expect(r.status).toBe(401);
  });
});

describe("malformed submits (400 naming the field)", () => {
  const cases: [string, unknown, RegExp][] = [
    ["missing prompt", { ...seedBody, prompt: undefined }, /^prompt is required$/],
    ["empty prompt", { ...seedBody, prompt: "" }, /^prompt must NOT have fewer than 1 characters/],
    [
      "2501-character prompt",
      { ...seedBody, prompt: "x".repeat(2501) },
      /^prompt must NOT have more than 2500/,
    ],
    [
      "five images",
      { ...seedBody, image_list: Array(5).fill({ image: "https://e.com/a.jpg" }) },
      /^image_list must NOT have more than 4 items/,
    ],
    ["no images", { ...seedBody, image_list: [] }, /^image_list must NOT have fewer than 1 items/],
    [
      "a data: URL image",
      { ...seedBody, image_list: [{ image: "data:image/png;base64,AAAA" }] },
      /^image_list\[0\]\.image must match pattern/,
    ],
    [
      "an image without image",
      { ...seedBody, image_list: [{ url: "https://e.com/a.jpg" }] },
      /^image_list\[0\]\.image is required/,
    ],
    ["a numeric duration", { ...seedBody, duration: 5 }, /^duration must be string/],
    [
      "an unknown mode",
      { ...seedBody, mode: "ultra" },
      /^mode must be equal to one of the allowed values: std, pro/,
    ],
    [
      "an unknown aspect ratio",
      { ...seedBody, aspect_ratio: "4:3" },
      /^aspect_ratio must be equal to one of the allowed values/,
    ],
    [
      "a non-http callback_url",
      { ...seedBody, callback_url: "ftp://x.y/z" },
      /^callback_url must match pattern/,
    ],
    [
      "an empty external_task_id",
      { ...seedBody, external_task_id: "" },
      /^external_task_id must NOT have fewer than 1/,
    ],
  ];
  it.each(cases)("%s", async (_name, body, message) => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, { body });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("invalid_request");
    expect(r.body.data).toBeNull();
    expect(r.body.message).toMatch(message);
  });

  it("a missing model is the middleware's 400", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, { body: { ...seedBody, model: undefined } });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: { message: "model is required", type: "new_api_error", code: "invalid_request" },
    });
  });

  it("names every offending field at once", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: { ...seedBody, prompt: "", mode: "x", duration: 10 },
    });
    expect(r.status).toBe(400);
    for (const field of ["prompt", "mode", "duration"]) expect(r.body.message).toContain(field);
  });

  it.each([
    ["broken JSON", '{"model":', /^invalid request body: /],
    ["an empty body", "", /^invalid request body: unexpected end of JSON input$/],
    ["a JSON array", "[1,2]", /must be a JSON object/],
    ["JSON null", "null", /must be a JSON object/],
  ])("%s is the middleware's invalid_request", async (_name, body, message) => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, { body });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(gateway(message, "invalid_request"));
  });

  it("a wrong content type is refused in the gateway's shape", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: JSON.stringify(seedBody),
      headers: { "content-type": "text/plain" },
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual(gateway(/Content-Type must be application\/json/, "invalid_request"));
    const form = await call(mock.url, "POST", CREATE, {
      body: "a=b",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(400);
  });

  it("application/json with a charset is fine", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: seedBody,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(r.status).toBe(200);
  });

  it("an unknown model is 503 model_not_found, before other checks", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: { ...seedBody, model: "kling-v9", prompt: "" },
    });
    expect(r.status).toBe(503);
    expect(r.body).toEqual(
      gateway("No available channel for model kling-v9 under group default", "model_not_found"),
    );
  });

  it("refuses a non-loopback callback_url without an allowlist", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: { ...seedBody, callback_url: "https://example.com/hook" },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("invalid_request");
    expect(r.body.message).toMatch(/^callback_url /);
  });
});

describe("queries", () => {
  it("an unknown task id is 400 task_not_exist", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "GET", `${CREATE}/nope`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: "task_not_exist", message: "task_not_exist", data: null });
  });
  it("a task id longer than the spec allows is task_not_exist too", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "GET", `${CREATE}/${"x".repeat(129)}`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("task_not_exist");
  });
  it("a badly escaped task id is task_not_exist, not a crash", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "GET", `${CREATE}/%E0%A4%A`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("task_not_exist");
  });
});

describe("routes and sizes", () => {
  it.each([
    ["GET", CREATE],
    ["DELETE", `${CREATE}/abc`],
    ["GET", "/v1/videos/multi-image2video"],
    ["GET", "/"],
    ["POST", "/kling/v1/videos/text2video"],
  ])("%s %s is the gateway's 404", async (method, path) => {
    const mock = await startVirtual();
    const r = await call(mock.url, method, path);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({
      error: {
        message: `Invalid URL (${method} ${path})`,
        type: "invalid_request_error",
        code: "",
      },
    });
  });

  it("accepts four 10 MB images in Base64 (about 56 MB)", async () => {
    const mock = await startVirtual();
    const image = "A".repeat(13_981_016);
    const r = await call(mock.url, "POST", CREATE, {
      body: { ...seedBody, image_list: [{ image }, { image }, { image }, { image }] },
    });
    expect(r.status).toBe(200);
  });

  it("a body over the limit is 413 in the gateway's shape, and the server keeps serving", async () => {
    const mock = await startVirtual({ maxBodyBytes: 1024 * 1024 });
    const r = await call(mock.url, "POST", CREATE, {
      body: { ...seedBody, prompt: "x".repeat(2 * 1024 * 1024) },
    });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({
      error: {
        message: "request body too large",
        type: "new_api_error",
        code: "read_request_body_failed",
      },
    });
    expect((await call(mock.url, "POST", CREATE, { body: seedBody })).status).toBe(200);
  });
});

describe("oversized uploads", () => {
  it("a body far over the limit (streamed, no Content-Length) is 413 and the server keeps serving", async () => {
    const mock = await startVirtual({ maxBodyBytes: 10_000 });
    const chunk = new TextEncoder().encode("x".repeat(10_000));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(mock.url + CREATE, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("read_request_body_failed");
    expect((await call(mock.url, "POST", CREATE, { body: seedBody })).status).toBe(200);
  });
});

describe("scenarios", () => {
  it.each([
    ["rate-limit", 429, "fail_to_fetch_task", 1302],
    ["concurrency", 429, "fail_to_fetch_task", 1303],
    ["server-error", 500, "fail_to_fetch_task", 5000],
    ["maintenance", 503, "fail_to_fetch_task", 5001],
    ["content-policy", 400, "task_failed", 1301],
  ])("%s on the submit", async (scenario, status, code, kling) => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: seedBody,
      headers: { "x-mock-scenario": scenario },
    });
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    expect(JSON.parse(r.body.message).code).toBe(kling);
    if (status === 429 || status === 503) expect(r.headers.get("retry-after")).toBe("5");
    expect(await mock.simulator.store.size()).toBe(0);
  });

  it("quota on the submit is 403 quota_not_enough", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: seedBody,
      headers: { "x-mock-scenario": "quota" },
    });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({
      code: "quota_not_enough",
      message: "user quota is not enough",
      data: null,
    });
  });

  it("rate-limit on a query too", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url);
    const r = await call(mock.url, "GET", `${CREATE}/${id}`, {
      headers: { "x-mock-scenario": "rate-limit" },
    });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("5");
  });

  it("slow:<ms> adds latency", async () => {
    const mock = await startVirtual();
    const t = performance.now();
    const r = await call(mock.url, "POST", CREATE, {
      body: seedBody,
      headers: { "x-mock-scenario": "slow:300" },
    });
    expect(r.status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(290);
  });

  it("an unknown scenario is a 400 that lists the known ones", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: seedBody,
      headers: { "x-mock-scenario": "explode" },
    });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/unknown X-Mock-Scenario "explode"; known: succeed, fail/);
  });

  it("a server-wide failure rate is reproducible with a seed", async () => {
    const outcomes = async () => {
      const mock = await startVirtual({ failureRate: 0.5, seed: 42 });
      const ids = [];
      for (let i = 0; i < 12; i++) ids.push(await submit(mock.url));
      await mock.clock.advance(10_000);
      const statuses = [];
      for (const id of ids)
        statuses.push((await call(mock.url, "GET", `${CREATE}/${id}`)).body.data.status);
      await mock.close();
      return statuses;
    };
    const first = await outcomes();
    expect(first).toContain("FAILURE");
    expect(first).toContain("SUCCESS");
    expect(await outcomes()).toEqual(first);
  });

  it("the succeed scenario overrides a server-wide failure", async () => {
    const mock = await startVirtual({ scenario: "fail" });
    const failed = await submit(mock.url);
    const ok = await submit(mock.url, "test-key", {}, { "x-mock-scenario": "succeed" });
    await mock.clock.advance(10_000);
    expect((await call(mock.url, "GET", `${CREATE}/${failed}`)).body.data.status).toBe("FAILURE");
    expect((await call(mock.url, "GET", `${CREATE}/${ok}`)).body.data.status).toBe("SUCCESS");
  });
});

describe("response validation", () => {
  it("a reply that breaks the spec becomes a loud 500 naming the violation, and is logged", async () => {
    const lines: string[] = [];
    const mock = await startVirtual({
      log: (line) => lines.push(line),
      replyHook: (reply) =>
        reply.status === 200
          ? {
              status: 200,
              body: { code: 0, message: "SUCCEED", data: { task_id: "x", task_status: "bogus" } },
            }
          : reply,
    });
    const r = await call(mock.url, "POST", CREATE, { body: seedBody });
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe("mock_response_invalid");
    expect(r.body.error.message).toMatch(/task_status/);
    expect(r.headers.get("x-mock-violation")).toMatch(/task_status/);
    expect(
      lines.some((l) => l.includes("RESPONSE VIOLATES THE SPEC") && l.includes("task_status")),
    ).toBe(true);
  });

  it("never logs API keys", async () => {
    const lines: string[] = [];
    const mock = await startVirtual({ log: (line) => lines.push(line), logRequests: true });
    await submit(mock.url, "sk-very-secret-key");
    await call(mock.url, "GET", `${CREATE}/nope`, { key: "sk-very-secret-key" });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain("sk-very-secret-key");
    expect(lines.join("\n")).toMatch(/key_[0-9a-f]{8}/);
  });
});
