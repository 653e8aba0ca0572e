import { describe, expect, it } from "vitest";
import { CREATE, call, seedBody, startVirtual, submit } from "../support/harness.js";

describe("the seed's curl example and the task lifecycle on a virtual clock", () => {
  it("accepts the seed's curl body with the documented create shape", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, { body: seedBody });
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(0);
    expect(r.body.message).toBe("SUCCEED");
    expect(r.body.data.task_status).toBe("submitted");
    expect(r.body.data.task_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(r.body.data.created_at).toBe(mock.clock.now());
  });

  it("walks NOT_START -> SUBMITTED -> IN_PROGRESS -> SUCCESS with the gateway's mapping", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url, "k", { external_task_id: "ext-1" });
    const get = () => call(mock.url, "GET", `${CREATE}/${id}`, { key: "k" });
    const t0 = mock.clock.now();

    let r = await get();
    expect(r.body.data).toMatchObject({
      status: "NOT_START",
      progress: "0%",
      data: null,
      fail_reason: "",
      start_time: 0,
    });
    expect(r.body.data.submit_time).toBe(Math.floor(t0 / 1000));

    await mock.clock.advance(300);
    r = await get();
    expect(r.body.data).toMatchObject({ status: "SUBMITTED", progress: "10%" });
    expect(r.body.data.data.data).toMatchObject({
      task_status: "submitted",
      task_info: { external_task_id: "ext-1" },
    });

    await mock.clock.advance(700);
    r = await get();
    expect(r.body.data).toMatchObject({ status: "IN_PROGRESS", progress: "30%", finish_time: 0 });
    expect(r.body.data.start_time).toBe(Math.floor((t0 + 1000) / 1000));
    expect(r.body.data.data.data.task_status).toBe("processing");
    expect(r.body.data.data.data.task_result.videos).toEqual([]);

    await mock.clock.advance(2_499); // fast std 5 s finishes at 3.5 s
    expect((await get()).body.data.status).toBe("IN_PROGRESS");
    await mock.clock.advance(1);
    r = await get();
    expect(r.body.data).toMatchObject({ status: "SUCCESS", progress: "100%" });
    const video = r.body.data.data.data.task_result.videos[0];
    expect(video.url).toBe(`${mock.url}/__mock/videos/${id}.mp4`);
    expect(video.duration).toBe("5");
    expect(video.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await get()).body.data.data.data.task_result.videos[0].id).toBe(video.id);
    // The gateway's quirk, reproduced: the video URL is also in fail_reason.
    expect(r.body.data.fail_reason).toBe(video.url);
    expect(r.body.data.finish_time).toBe(Math.floor((t0 + 3_500) / 1000));
    expect(r.body.data.data.data.updated_at).toBe(t0 + 3_500);
  });

  it("scales with mode and duration (pro 10 s takes longer than std 5 s)", async () => {
    const mock = await startVirtual();
    const std = await submit(mock.url, "k");
    const pro = await submit(mock.url, "k", { mode: "pro", duration: "10" });
    await mock.clock.advance(3_500);
    expect((await call(mock.url, "GET", `${CREATE}/${std}`, { key: "k" })).body.data.status).toBe(
      "SUCCESS",
    );
    expect((await call(mock.url, "GET", `${CREATE}/${pro}`, { key: "k" })).body.data.status).toBe(
      "IN_PROGRESS",
    );
    await mock.clock.advance(4_000); // (2000 + 10*300) * 1.5 = 7500
    const r = await call(mock.url, "GET", `${CREATE}/${pro}`, { key: "k" });
    expect(r.body.data.status).toBe("SUCCESS");
    expect(r.body.data.data.data.task_result.videos[0].duration).toBe("10");
  });

  it("realistic timing takes minutes", async () => {
    const mock = await startVirtual({ timing: "realistic" });
    const id = await submit(mock.url);
    await mock.clock.advance(60_000);
    expect((await call(mock.url, "GET", `${CREATE}/${id}`)).body.data.status).toBe("IN_PROGRESS");
    await mock.clock.advance(90_000);
    expect((await call(mock.url, "GET", `${CREATE}/${id}`)).body.data.status).toBe("SUCCESS");
  });

  it("fails a task with X-Mock-Scenario: fail, with Kling's reason in fail_reason and task_status_msg", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url, "k", {}, { "x-mock-scenario": "fail" });
    await mock.clock.advance(10_000);
    const r = await call(mock.url, "GET", `${CREATE}/${id}`, { key: "k" });
    expect(r.body.data).toMatchObject({ status: "FAILURE", progress: "100%" });
    expect(r.body.data.fail_reason).not.toBe("");
    expect(r.body.data.data.data.task_status).toBe("failed");
    expect(r.body.data.data.data.task_status_msg).toBe(r.body.data.fail_reason);
    expect(r.body.data.data.data.task_result.videos).toEqual([]);
  });

  it("serves the observed create shape when asked", async () => {
    const mock = await startVirtual({ createShape: "observed" });
    const r = await call(mock.url, "POST", CREATE, { body: seedBody });
    expect(r.status).toBe(200);
    // The gateway builds it with dto.NewOpenAIVideo: status "queued" (the spec's CreateObserved).
    expect(r.body).toMatchObject({
      object: "video",
      model: "kling-v1-6",
      status: "queued",
      progress: 0,
    });
    expect(r.body.id).toBe(r.body.task_id);
    expect(r.body.created_at).toBe(Math.floor(mock.clock.now() / 1000));
    expect(r.body.code).toBeUndefined();
    expect((await call(mock.url, "GET", `${CREATE}/${r.body.task_id}`)).status).toBe(200);
  });

  it("accepts model_name (preferred by the gateway) and the other documented fields", async () => {
    const mock = await startVirtual();
    const r = await call(mock.url, "POST", CREATE, {
      body: {
        ...seedBody,
        model_name: "kling-v1-6",
        negative_prompt: "blur",
        mode: "pro",
        aspect_ratio: "9:16",
        duration: "10",
        external_task_id: "all-fields",
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.data.task_info).toEqual({ external_task_id: "all-fields" });
  });
});

describe("per-key tenants", () => {
  it("a key sees only its own tasks: another key's task is task_not_exist", async () => {
    const mock = await startVirtual();
    const a = await submit(mock.url, "key-a");
    const mine = await call(mock.url, "GET", `${CREATE}/${a}`, { key: "key-a" });
    expect(mine.status).toBe(200);
    const theirs = await call(mock.url, "GET", `${CREATE}/${a}`, { key: "key-b" });
    expect(theirs.status).toBe(400);
    expect(theirs.body).toEqual({ code: "task_not_exist", message: "task_not_exist", data: null });
  });

  it("external_task_id is unique per key, not across keys", async () => {
    const mock = await startVirtual();
    await submit(mock.url, "key-a", { external_task_id: "x1" });
    const dup = await call(mock.url, "POST", CREATE, {
      key: "key-a",
      body: { ...seedBody, external_task_id: "x1" },
    });
    expect(dup.status).toBe(400);
    expect(dup.body.code).toBe("task_failed");
    expect(JSON.parse(dup.body.message)).toMatchObject({
      code: 1201,
      message: "external_task_id already exists",
    });
    const other = await call(mock.url, "POST", CREATE, {
      key: "key-b",
      body: { ...seedBody, external_task_id: "x1" },
    });
    expect(other.status).toBe(200);
  });

  it("with a key list, other keys are refused with 401", async () => {
    const mock = await startVirtual({ keys: ["good"] });
    expect((await call(mock.url, "POST", CREATE, { key: "good", body: seedBody })).status).toBe(
      200,
    );
    const bad = await call(mock.url, "POST", CREATE, { key: "bad", body: seedBody });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      error: { message: "Invalid token", type: "new_api_error", code: "" },
    });
  });

  it("the concurrency limit answers 429 like Kling 1303 with Retry-After, and frees the slot when a task ends", async () => {
    const mock = await startVirtual({ concurrencyLimit: 2, retryAfterSeconds: 7 });
    await submit(mock.url, "k");
    await submit(mock.url, "k");
    const third = await call(mock.url, "POST", CREATE, { key: "k", body: seedBody });
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("7");
    expect(third.body.code).toBe("fail_to_fetch_task");
    expect(JSON.parse(third.body.message).code).toBe(1303);
    // Another key has its own slots.
    expect((await call(mock.url, "POST", CREATE, { key: "other", body: seedBody })).status).toBe(
      200,
    );
    await mock.clock.advance(3_500);
    expect((await call(mock.url, "POST", CREATE, { key: "k", body: seedBody })).status).toBe(200);
  });
});

describe("bounded memory", () => {
  it("forgets tasks after the TTL", async () => {
    const mock = await startVirtual({ taskTtlMs: 60_000 });
    const id = await submit(mock.url);
    await mock.clock.advance(59_999);
    expect((await call(mock.url, "GET", `${CREATE}/${id}`)).status).toBe(200);
    await mock.clock.advance(1);
    expect((await call(mock.url, "GET", `${CREATE}/${id}`)).body.code).toBe("task_not_exist");
  });

  it("never sweeps on a submit's path: expired tasks wait for the sweeper", async () => {
    // The sweeper's first tick is a minute away: nothing but a request could drop them here.
    const mock = await startVirtual({ taskTtlMs: 60_000, sweepIntervalMs: 60_000 });
    for (let i = 0; i < 50; i++) await submit(mock.url, `k${i % 3}`);
    await mock.clock.advance(60_000);
    await submit(mock.url);
    expect((await call(mock.url, "GET", "/__mock/health")).body.tasks).toBe(51);
  });

  it("sweeps expired tasks on a timer, with no request at all", async () => {
    const mock = await startVirtual({ taskTtlMs: 60_000, sweepIntervalMs: 20 });
    for (let i = 0; i < 50; i++) await submit(mock.url, `k${i % 3}`);
    await mock.clock.advance(30_000);
    await submit(mock.url); // created at +30 s: still live when the others expire
    await mock.clock.advance(30_000);
    await expect.poll(() => mock.simulator.store.size()).toBe(1);
  });

  it("keeps at most maxTasks, evicting the oldest first", async () => {
    const mock = await startVirtual({ maxTasks: 3 });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await submit(mock.url));
    expect(await mock.simulator.store.size()).toBe(3);
    expect((await call(mock.url, "GET", `${CREATE}/${ids[0]}`)).status).toBe(400);
    expect((await call(mock.url, "GET", `${CREATE}/${ids[3]}`)).status).toBe(200);
  });
});

describe("the disconnect scenario", () => {
  it("creates the task, then drops the connection unanswered", async () => {
    const mock = await startVirtual();
    const sent = fetch(`${mock.url}${CREATE}`, {
      method: "POST",
      headers: {
        authorization: "Bearer test-key",
        "content-type": "application/json",
        "x-mock-scenario": "disconnect",
      },
      body: JSON.stringify({ ...seedBody, external_task_id: "lost-answer-1" }),
    });
    // undici says "fetch failed", a browser (and MSW) "Failed to fetch": both are a dropped answer.
    await expect(sent).rejects.toThrow(/fetch failed|Failed to fetch/);
    const list = await call(mock.url, "GET", "/__mock/tasks");
    expect(list.body.tasks.map((t: { external_task_id?: string }) => t.external_task_id)).toEqual([
      "lost-answer-1",
    ]);
    // A GET with the scenario is dropped too, and the server keeps serving afterwards.
    const taskId = list.body.tasks[0].task_id as string;
    await expect(
      fetch(`${mock.url}${CREATE}/${taskId}`, {
        headers: { authorization: "Bearer test-key", "x-mock-scenario": "disconnect" },
      }),
    ).rejects.toThrow(/fetch failed|Failed to fetch/);
    expect((await call(mock.url, "GET", `${CREATE}/${taskId}`)).status).toBe(200);
  });
});
