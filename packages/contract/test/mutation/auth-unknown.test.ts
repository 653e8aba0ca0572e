// ignored_auth and unknown_task against a gateway behind a stubbed fetch: the requests they send,
// byte for byte, and what they make of each answer.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ignoredAuth, SEED_BODY, seedBody } from "../../src/checks/auth.js";
import { unknownTask } from "../../src/checks/unknown-task.js";
import { BASE, CREATE, fakeGateway, makeSession } from "./support.js";

afterEach(() => {
  vi.unstubAllGlobals();
});

// The spec's SeedCurlRequest example, as auth.ts read it (reading the spec again here would cost
// every mutant's run a second parse of the whole document).
const SEED = { ...SEED_BODY };
const UNAUTHORIZED = {
  status: 401,
  json: { error: { message: "Invalid token", type: "new_api_error", code: "" } },
};
const LIMITED = {
  status: 429,
  headers: { "content-type": "application/json", "retry-after": "1", "x-count": "1" },
  text: '{"code":"x","message":"slow down","data":null}',
};

describe("seedBody", () => {
  it("is the spec's SeedCurlRequest, as a fresh copy, with the run's images when given", () => {
    expect(SEED_BODY).toMatchObject({ model: "kling-v1-6", prompt: expect.any(String) });
    expect((SEED_BODY.image_list as unknown[]).length).toBeGreaterThan(0);
    expect(Object.isFrozen(SEED_BODY)).toBe(true);
    const copy = seedBody();
    expect(copy).toEqual(SEED);
    expect(copy).not.toBe(SEED_BODY);
    copy.prompt = "changed";
    expect(seedBody()).toEqual(SEED);
    expect(seedBody([])).toEqual(SEED);
    expect(seedBody(["a", "b", "c", "d", "e"])).toEqual({
      ...SEED,
      image_list: [{ image: "a" }, { image: "b" }, { image: "c" }, { image: "d" }],
    });
    expect(seedBody(["only"]).image_list).toEqual([{ image: "only" }]);
  });
});

describe("ignored_auth", () => {
  it("sends the seed body and a query with no key, a wrong key and an empty bearer token", async () => {
    const { seen } = fakeGateway(() => UNAUTHORIZED);
    const { session } = makeSession({ imageUrls: ["https://img.test/1.png"] });
    expect(await ignoredAuth(session)).toEqual({ failures: [], skipped: [] });
    const wrong = `Bearer sk-contract-wrong-${session.runId}`;
    const body = JSON.stringify({ ...SEED, image_list: [{ image: "https://img.test/1.png" }] });
    const post = { method: "POST", url: `${BASE}${CREATE}`, body };
    const get = (n: number) => ({
      method: "GET",
      url: `${BASE}${CREATE}/contract-auth-${session.runId}-${n}`,
      body: undefined,
    });
    const typed = { Accept: "application/json", "Content-Type": "application/json" };
    expect(seen).toEqual([
      { ...post, headers: typed },
      { ...post, headers: { ...typed, Authorization: wrong } },
      { ...post, headers: { ...typed, Authorization: "Bearer " } },
      { ...get(1), headers: { Accept: "application/json" } },
      { ...get(2), headers: { Accept: "application/json", Authorization: wrong } },
      { ...get(3), headers: { Accept: "application/json", Authorization: "Bearer " } },
    ]);
    expect(session.cases.get("ignored_auth")).toBe(6);
  });

  it("fails every answer but 401, naming the operation and the missing credential", async () => {
    const ok = { status: 200, json: { code: 0 } };
    fakeGateway((req) => (req.headers.Authorization === "Bearer " ? { ...ok, status: 403 } : ok));
    const { session } = makeSession();
    const { failures } = await ignoredAuth(session);
    const auth = failures.filter((f) => f.check === "ignored_auth");
    expect(auth.map((f) => f.message)).toEqual([
      `POST ${CREATE} with no Authorization header was answered 200; it must be refused with 401`,
      `POST ${CREATE} with a wrong API key was answered 200; it must be refused with 401`,
      `POST ${CREATE} with an empty bearer token was answered 403; it must be refused with 401`,
      `GET ${CREATE}/contract-auth-${session.runId}-1 with no Authorization header was answered 200; it must be refused with 401`,
      `GET ${CREATE}/contract-auth-${session.runId}-2 with a wrong API key was answered 200; it must be refused with 401`,
      `GET ${CREATE}/contract-auth-${session.runId}-3 with an empty bearer token was answered 403; it must be refused with 401`,
    ]);
    expect(auth[0]).toEqual({
      check: "ignored_auth",
      message: auth[0]?.message,
      request: {
        method: "POST",
        url: `${BASE}${CREATE}`,
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify(SEED),
      },
      response: { status: 200, contentType: "application/json", body: '{"code":0}' },
    });
  });

  it("does not judge a documented 429 or 503, and counts it as inconclusive", async () => {
    fakeGateway((_req, i) => (i % 2 === 0 ? LIMITED : { ...LIMITED, status: 503 }));
    const { session } = makeSession();
    const { failures } = await ignoredAuth(session);
    expect(failures.filter((f) => f.check === "ignored_auth")).toEqual([]);
    expect(session.inconclusive.get("ignored_auth")).toBe(6);
  });

  it("keeps the response checks' failures, and judges nothing without an answer", async () => {
    fakeGateway(() => new TypeError("fetch failed"));
    const { session } = makeSession();
    const { failures } = await ignoredAuth(session);
    expect(failures.map((f) => f.check)).toEqual(Array(6).fill("not_a_server_error"));
    fakeGateway(() => ({ status: 401, text: "no" }));
    const second = makeSession().session;
    const typed = await ignoredAuth(second);
    expect(typed.failures.map((f) => f.check)).toEqual(Array(6).fill("content_type_conformance"));
  });
});

describe("unknown_task", () => {
  const notExist = {
    status: 400,
    json: { code: "task_not_exist", message: "task_not_exist", data: null },
  };

  it("queries a short and a 128-character unknown id with the run's key", async () => {
    const { seen } = fakeGateway(() => notExist);
    const { session } = makeSession();
    expect(await unknownTask(session)).toEqual({ failures: [], skipped: [] });
    const short = `contract-unknown-${session.runId}-1`;
    const long = `${short}-${"x".repeat(128 - short.length - 1)}`;
    expect(long).toHaveLength(128);
    const headers = { Authorization: "Bearer sk-test", Accept: "application/json" };
    expect(seen).toEqual([
      { method: "GET", url: `${BASE}${CREATE}/${short}`, headers, body: undefined },
      { method: "GET", url: `${BASE}${CREATE}/${long}`, headers, body: undefined },
    ]);
    expect(session.cases.get("unknown_task")).toBe(2);
  });

  it("fails another status, naming the id's length", async () => {
    fakeGateway(() => ({ status: 404, json: { code: "not_found" } }));
    const { session } = makeSession();
    const short = `contract-unknown-${session.runId}-1`.length;
    const { failures } = await unknownTask(session);
    expect(failures).toEqual([
      {
        check: "unknown_task",
        message: `an unknown task id (${short} chars) was answered 404; the spec documents 400 task_not_exist`,
        request: {
          method: "GET",
          url: `${BASE}${CREATE}/contract-unknown-${session.runId}-1`,
          headers: { Authorization: "Bearer sk-test", Accept: "application/json" },
        },
        response: { status: 404, contentType: "application/json", body: '{"code":"not_found"}' },
      },
      expect.objectContaining({
        message:
          "an unknown task id (128 chars) was answered 404; the spec documents 400 task_not_exist",
      }),
    ]);
  });

  it.each([
    [
      { code: "invalid_request", data: null },
      'an unknown task id was answered 400 with code "invalid_request"; the spec documents "task_not_exist"',
    ],
    [
      null,
      'an unknown task id was answered 400 with code undefined; the spec documents "task_not_exist"',
    ],
    [
      "task_not_exist",
      'an unknown task id was answered 400 with code undefined; the spec documents "task_not_exist"',
    ],
    [
      { code: "task_not_exist", data: {} },
      "the task_not_exist answer has data {}; the spec documents null",
    ],
    [
      { code: "task_not_exist" },
      "the task_not_exist answer has data undefined; the spec documents null",
    ],
  ])("fails the 400 %j", async (json, message) => {
    fakeGateway(() => ({ status: 400, json }));
    const { session } = makeSession();
    const { failures } = await unknownTask(session);
    expect(failures.map((f) => `${f.check}: ${f.message}`)).toEqual([
      `unknown_task: ${message}`,
      `unknown_task: ${message}`,
    ]);
  });

  it("fails a 400 that is not JSON", async () => {
    fakeGateway(() => ({
      status: 400,
      headers: { "content-type": "application/json" },
      text: "{",
    }));
    const { session } = makeSession();
    const { failures } = await unknownTask(session);
    expect(failures.filter((f) => f.check === "unknown_task").map((f) => f.message)).toEqual([
      'an unknown task id was answered 400 with code undefined; the spec documents "task_not_exist"',
      'an unknown task id was answered 400 with code undefined; the spec documents "task_not_exist"',
    ]);
  });

  it("does not judge a 429 or 503, nor a missing answer", async () => {
    fakeGateway((_req, i) => (i === 0 ? LIMITED : { ...LIMITED, status: 503 }));
    const { session } = makeSession();
    const judged = (await unknownTask(session)).failures;
    expect(judged.filter((f) => f.check === "unknown_task")).toEqual([]);
    expect(session.inconclusive.get("unknown_task")).toBe(2);
    fakeGateway(() => new TypeError("fetch failed"));
    const down = makeSession().session;
    const { failures } = await unknownTask(down);
    expect(failures.map((f) => f.check)).toEqual(["not_a_server_error", "not_a_server_error"]);
    expect(down.cases.get("unknown_task")).toBe(2);
  });
});
