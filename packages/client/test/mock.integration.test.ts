// The client against the real mock, including a fault-injection run through the mock's
// scenarios: 500s, 429 with Retry-After, dropped connections and slow answers. The mock runs on
// real time with a millisecond timing profile. The `server` project runs it against the Node
// server (Prism inside, real HTTP on 127.0.0.1); the `msw` project (MOCK_ADAPTER=msw) against the
// mock's MSW handlers answering this process's fetch, so the client is proven on both adapters.
import { randomBytes } from "node:crypto";
import { createMockServer, type MockServer, type MockServerOptions } from "@kling-multi-image/mock";
import { createKlingHandlers } from "@kling-multi-image/mock/msw";
import { startReceiver } from "@kling-multi-image/test-support";
import { setupServer } from "msw/node";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  ConnectionError,
  type CreateTaskRequest,
  createKlingClient,
  errorFromResponse,
  type FetchLike,
  InvalidRequestError,
  type KlingClientOptions,
  NotFoundError,
  RateLimitError,
  ServerError,
  SubmitOutcomeUnknownError,
  type Task,
  TaskFailedError,
} from "../src/index.js";
import { verifyCallback } from "../src/webhooks.js";

const quick = {
  name: "test",
  schedule: () => ({ refreshAt: 5, processingAt: 30, finishAt: 120 }),
};

const adapter = process.env.MOCK_ADAPTER === "msw" ? "msw" : "server";
// Requests MSW has no handler for (the callback receiver on loopback) go to the network.
const msw = adapter === "msw" ? setupServer() : undefined;
msw?.listen({ onUnhandledRequest: "bypass" });
afterAll(() => msw?.close());
let handlersMade = 0;

/** What a test needs of either adapter. */
type Mock = Pick<MockServer, "url" | "close">;

const open: Mock[] = [];
afterEach(async () => {
  for (const m of open.splice(0)) await m.close();
  msw?.resetHandlers();
});

async function mock(
  options: Omit<MockServerOptions, "port" | "host" | "ui" | "store" | "storePrefix"> = {},
): Promise<Mock> {
  const settings = { log: false as const, timing: quick, retryAfterSeconds: 1, ...options };
  let server: Mock;
  if (msw) {
    const kling = createKlingHandlers({
      ...settings,
      baseUrl: `http://mock-${++handlersMade}.kling.test`,
    });
    msw.use(...kling.handlers);
    server = { url: kling.baseUrl, close: () => kling.close() };
  } else {
    server = await createMockServer(settings);
  }
  open.push(server);
  return server;
}

/** The global fetch, counting attempts: what reached the network, not a stand-in for it. */
function countingFetch() {
  const calls: string[] = [];
  const fetchLike: FetchLike = (input, init) => {
    const url = typeof input === "string" ? input : input.url;
    const method = init.method ?? (typeof input === "string" ? "GET" : input.method);
    calls.push(`${method} ${new URL(url).pathname}`);
    return fetch(input, init);
  };
  return { calls, fetch: fetchLike };
}

function client(server: Mock, options: Partial<KlingClientOptions> = {}) {
  return createKlingClient({ apiKey: "integration-key", baseUrl: server.url, ...options });
}

const body: CreateTaskRequest = {
  model: "kling-v1-6",
  image_list: [
    { image: "https://example.com/image1.jpg" },
    { image: "https://example.com/image2.jpg" },
  ],
  prompt: "Animate the characters",
  aspect_ratio: "9:16",
  duration: "5",
};
const fast = { intervalMs: 10, maxIntervalMs: 20, timeoutMs: 10_000 };

async function mockTasks(server: Mock): Promise<{ task_id: string; external_task_id?: string }[]> {
  const response = await fetch(`${server.url}/__mock/tasks`);
  return ((await response.json()) as { tasks: { task_id: string; external_task_id?: string }[] })
    .tasks;
}

describe("the client against the mock", () => {
  it("submits, waits and gets a playable video", async () => {
    const server = await mock();
    const done = await client(server).submitAndWait(body, fast);
    expect(done.status).toBe("succeed");
    expect(done.failReason).toBeUndefined();
    expect(done.video?.url).toMatch(new RegExp(`^${server.url}/`));
    const video = await fetch(done.video?.url ?? "", { headers: { range: "bytes=0-99" } });
    expect(video.status).toBe(206);
    expect(video.headers.get("content-type")).toBe("video/mp4");
    expect((await video.arrayBuffer()).byteLength).toBe(100);
  });

  it("reads the task id from the observed create shape too", async () => {
    const server = await mock({ createShape: "observed" });
    const kling = client(server);
    const submitted = await kling.submit(body);
    expect(submitted.taskId).toBe((await mockTasks(server))[0]?.task_id);
    expect((await kling.waitForTask(submitted.taskId, fast)).status).toBe("succeed");
  });

  it("watches a task move forward only, ending on its terminal state", async () => {
    const server = await mock();
    const kling = client(server);
    const { taskId } = await kling.submit(body);
    const seen: Task["status"][] = [];
    for await (const task of kling.watchTask(taskId, fast)) seen.push(task.status);
    expect(seen.at(-1)).toBe("succeed");
    const order = ["submitted", "processing", "succeed"];
    expect(seen.map((s) => order.indexOf(s))).toEqual(
      [...seen.map((s) => order.indexOf(s))].sort(),
    );
  });

  it("throws TaskFailedError with Kling's reason when the task fails", async () => {
    const server = await mock();
    const kling = client(server, { headers: { "X-Mock-Scenario": "fail" } });
    const error = await kling.submitAndWait(body, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).task.failReason).not.toBe("");
  });

  it("answers unknown and other keys' tasks with NotFoundError (task_not_exist)", async () => {
    const server = await mock();
    const { taskId } = await client(server).submit(body);
    const stranger = createKlingClient({ apiKey: "another-key", baseUrl: server.url });
    for (const id of [taskId, "no-such-task"]) {
      const error = await stranger.getTask(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).code).toBe("task_not_exist");
    }
  });

  it("maps a refused key to AuthenticationError", async () => {
    const server = await mock({ keys: ["the-only-key"] });
    await expect(client(server).submit(body)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("verifies the mock's signed callbacks, in order", async () => {
    const secret = `whsec_${randomBytes(24).toString("base64")}`;
    const receiver = await startReceiver();
    const { received } = receiver;
    try {
      const server = await mock({ webhookSecret: secret });
      await client(server).submitAndWait({ ...body, callback_url: receiver.url }, fast);
      // The last callback may land after the wait ends, and on a loaded CI machine an attempt may
      // fail and be retried by the mock (after 1, 2, 4 and 8 s): wait out that schedule, and say
      // what the mock recorded if a callback still has not arrived.
      await expect
        .poll(() => received.length, { timeout: 20_000 })
        .toBe(3)
        .catch(async (error: unknown) => {
          const log = await (await fetch(`${server.url}/__mock/callbacks`)).text();
          throw new Error(`${received.length} of 3 callbacks arrived; the mock's log: ${log}`, {
            cause: error,
          });
        });
      const payloads = [];
      for (const r of received) {
        payloads.push(
          await verifyCallback({
            body: r.body,
            headers: r.headers as Record<string, string>,
            secret,
          }),
        );
      }
      expect(payloads.map((p) => p.task_status)).toEqual(["submitted", "processing", "succeed"]);
      const wrong = `whsec_${randomBytes(24).toString("base64")}`;
      const first = received[0] as (typeof received)[number];
      await expect(
        verifyCallback({
          body: first.body,
          headers: first.headers as Record<string, string>,
          secret: wrong,
        }),
      ).rejects.toThrow();
    } finally {
      await receiver.close();
    }
  });
});

// The mock's two fidelity modes: as the gateway's docs say, and as its code really answers.
describe.each(["documented", "gateway"] as const)(
  "the client against the mock, fidelity %s",
  (fidelity) => {
    it("submits, waits and gets the video", async () => {
      const server = await mock({ fidelity });
      const done = await client(server).submitAndWait(body, fast);
      expect(done.status).toBe("succeed");
      expect(done.video?.url).toMatch(new RegExp(`^${server.url}/`));
      expect(done.failReason).toBeUndefined();
    });

    it("refuses a body the gateway crashes on before sending it; raw, it gets the mode's answer", async () => {
      const server = await mock({ fidelity });
      const counter = countingFetch();
      const kling = client(server, { fetch: counter.fetch });
      const five = { ...body, image_list: Array.from({ length: 5 }, () => body.image_list[0]) };
      const error = await kling.submit(five as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).field).toBe("/image_list");
      expect(counter.calls).toEqual([]);
      expect(await mockTasks(server)).toEqual([]);
      // What the check spares the caller: the gateway's 500 panic, not the documented 400.
      const raw = await kling.raw.POST("/kling/v1/videos/multi-image2video", {
        body: five as never,
      });
      const answer = errorFromResponse(raw.response.status, raw.error);
      if (fidelity === "gateway") {
        expect(answer).toBeInstanceOf(ServerError);
        expect(answer.code).toBe("new_api_panic");
      } else {
        expect(answer).toBeInstanceOf(InvalidRequestError);
      }
    });

    it("gives Kling's reason on failure, never the gateway's SUCCEED", async () => {
      const server = await mock({ fidelity });
      const kling = client(server, { headers: { "X-Mock-Scenario": "fail" } });
      const error = await kling.submitAndWait(body, fast).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskFailedError);
      const { task } = error as TaskFailedError;
      expect(task.failReason).not.toBe("");
      expect(task.failReason).not.toBe("SUCCEED");
      const raw = task.raw as { data?: { fail_reason?: string } };
      if (fidelity === "gateway") expect(raw.data?.fail_reason).toBe("SUCCEED");
    });

    it("retries a submit answered 429 (backing off when no Retry-After is given), then throws RateLimitError", async () => {
      const server = await mock({ fidelity });
      const counter = countingFetch();
      const kling = client(server, {
        fetch: counter.fetch,
        maxRetries: 1,
        headers: { "X-Mock-Scenario": "rate-limit" },
      });
      const started = performance.now();
      const error = await kling.submit(body).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitError);
      expect(counter.calls).toHaveLength(2);
      const waited = performance.now() - started;
      if (fidelity === "gateway") {
        // The rewritten 429 has no Retry-After: the client's own backoff (0.5 s less jitter).
        expect((error as RateLimitError).retryAfterMs).toBeUndefined();
        expect(waited).toBeGreaterThanOrEqual(370);
      } else {
        expect((error as RateLimitError).retryAfterMs).toBe(1_000);
        expect(waited).toBeGreaterThanOrEqual(950);
      }
      expect(await mockTasks(server)).toEqual([]);
    });
  },
);

describe("fault injection through the mock's scenarios", () => {
  it("retries a submit answered 429, honouring Retry-After, then throws RateLimitError", async () => {
    const server = await mock();
    const counter = countingFetch();
    const kling = client(server, {
      fetch: counter.fetch,
      maxRetries: 1,
      headers: { "X-Mock-Scenario": "rate-limit" },
    });
    const started = performance.now();
    const error = await kling.submit(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(1_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(counter.calls).toEqual([
      "POST /kling/v1/videos/multi-image2video",
      "POST /kling/v1/videos/multi-image2video",
    ]);
    expect(await mockTasks(server)).toEqual([]);
  });

  it("never retries a submit answered 500, and throws ServerError", async () => {
    const server = await mock();
    const counter = countingFetch();
    const kling = client(server, {
      fetch: counter.fetch,
      headers: { "X-Mock-Scenario": "server-error" },
    });
    await expect(kling.submit(body)).rejects.toBeInstanceOf(ServerError);
    expect(counter.calls).toHaveLength(1);
  });

  it("turns a dropped submit into SubmitOutcomeUnknownError carrying the id to reconcile by", async () => {
    const server = await mock();
    const counter = countingFetch();
    const kling = client(server, {
      fetch: counter.fetch,
      headers: { "X-Mock-Scenario": "disconnect" },
    });
    const error = await kling.submit(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect(counter.calls).toHaveLength(1);
    // The task exists: the external_task_id the client generated finds it.
    const { externalTaskId } = error as SubmitOutcomeUnknownError;
    expect((await mockTasks(server)).map((t) => t.external_task_id)).toEqual([externalTaskId]);
  });

  it("turns a submit slower than the timeout into SubmitOutcomeUnknownError, sent once", async () => {
    const server = await mock();
    const counter = countingFetch();
    const kling = client(server, {
      fetch: counter.fetch,
      timeoutMs: 150,
      headers: { "X-Mock-Scenario": "slow:600" },
    });
    const error = await kling
      .submit({ ...body, external_task_id: "slow-1" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubmitOutcomeUnknownError);
    expect((error as SubmitOutcomeUnknownError).externalTaskId).toBe("slow-1");
    expect(counter.calls).toHaveLength(1);
  });

  it("retries dropped GETs and gives up with ConnectionError after maxRetries", async () => {
    const server = await mock();
    const { taskId } = await client(server).submit(body);
    const counter = countingFetch();
    const kling = client(server, {
      fetch: counter.fetch,
      maxRetries: 2,
      headers: { "X-Mock-Scenario": "disconnect" },
    });
    await expect(kling.getTask(taskId)).rejects.toBeInstanceOf(ConnectionError);
    expect(counter.calls).toHaveLength(3);
  });

  it("keeps waiting through a spell of 500s and slow answers between polls", async () => {
    const server = await mock({
      timing: {
        name: "slower",
        schedule: () => ({ refreshAt: 5, processingAt: 50, finishAt: 600 }),
      },
    });
    const kling = client(server, { maxRetries: 0, timeoutMs: 2_000 });
    const { taskId } = await kling.submit(body);
    const patch = (scenario: string) =>
      fetch(`${server.url}/__mock/config`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ scenario }),
      });
    expect((await patch("server-error")).status).toBe(200);
    const errorsSeen: number[] = [];
    const waiting = kling.waitForTask(taskId, {
      ...fast,
      maxConsecutiveErrors: 100,
      onUpdate: () => {},
    });
    const probe = await kling.getTask(taskId).catch((e: unknown) => e);
    errorsSeen.push((probe as ServerError).status ?? 0);
    await new Promise((r) => setTimeout(r, 150));
    expect((await patch("slow:50")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect((await patch("")).status).toBe(200);
    const done = await waiting;
    expect(errorsSeen).toEqual([500]);
    expect(done.status).toBe("succeed");
  });
});
