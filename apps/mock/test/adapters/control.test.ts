import { describe, expect, it } from "vitest";
import { CREATE, call, seedBody, start, startVirtual, submit } from "../support/harness.js";

describe("control API under /__mock/", () => {
  it("health reports the clock and the task count", async () => {
    const mock = await startVirtual();
    await submit(mock.url);
    const r = await call(mock.url, "GET", "/__mock/health");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: "ok",
      clock: "virtual",
      now: mock.clock.now(),
      tasks: 1,
    });
  });

  it("lists tasks per key (by its bearer) or all, newest first, with keys only as fingerprints", async () => {
    const mock = await startVirtual();
    const a1 = await submit(mock.url, "key-a");
    const b1 = await submit(mock.url, "key-b");
    const a2 = await submit(mock.url, "key-a");
    const mine = await call(mock.url, "GET", "/__mock/tasks", { key: "key-a" });
    expect(mine.status).toBe(200);
    expect(mine.body.tasks.map((t: { task_id: string }) => t.task_id)).toEqual([a2, a1]);
    const all = await call(mock.url, "GET", "/__mock/tasks?limit=2", { key: null });
    expect(all.body.tasks.map((t: { task_id: string }) => t.task_id)).toEqual([a2, b1]);
    expect(all.text).not.toContain("key-a");
    expect(all.body.tasks[0].owner).toMatch(/^key_[0-9a-f]{8}$/);
  });

  it("advances the virtual clock, and refuses on the system clock", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url);
    const before = mock.clock.now();
    const r = await call(mock.url, "POST", "/__mock/clock/advance", { body: { ms: 5_000 } });
    expect(r.status).toBe(200);
    expect(r.body.now).toBe(before + 5_000);
    expect((await call(mock.url, "GET", `${CREATE}/${id}`)).body.data.status).toBe("SUCCESS");

    const real = await start();
    const refused = await call(real.url, "POST", "/__mock/clock/advance", { body: { ms: 1 } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("not_virtual");
  });

  it("validates control requests against control-api.yaml", async () => {
    const mock = await startVirtual();
    for (const body of [{ ms: -1 }, { ms: "5" }, {}, { ms: 1, extra: true }]) {
      const r = await call(mock.url, "POST", "/__mock/clock/advance", { body });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("invalid_request");
    }
    const bad = await call(mock.url, "POST", "/__mock/clock/advance", { body: "{oops" });
    expect(bad.status).toBe(400);
    const unknown = await call(mock.url, "GET", "/__mock/nope");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
  });

  it("forces a task to a state, holds non-terminal states, refuses to move a finished task", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url);
    let r = await call(mock.url, "POST", `/__mock/tasks/${id}/state`, {
      body: { status: "processing" },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ task_status: "processing", gateway_status: "IN_PROGRESS" });
    await mock.clock.advance(60_000); // held: would have finished by now
    expect((await call(mock.url, "GET", `${CREATE}/${id}`)).body.data.status).toBe("IN_PROGRESS");
    r = await call(mock.url, "POST", `/__mock/tasks/${id}/state`, {
      body: { status: "failed", reason: "forced by test" },
    });
    expect(r.body.task_status).toBe("failed");
    const q = await call(mock.url, "GET", `${CREATE}/${id}`);
    expect(q.body.data).toMatchObject({ status: "FAILURE", fail_reason: "forced by test" });
    r = await call(mock.url, "POST", `/__mock/tasks/${id}/state`, { body: { status: "succeed" } });
    expect(r.status).toBe(409);
    expect(
      (await call(mock.url, "POST", "/__mock/tasks/nope/state", { body: { status: "succeed" } }))
        .status,
    ).toBe(404);
    expect(
      (await call(mock.url, "POST", `/__mock/tasks/${id}/state`, { body: { status: "done" } }))
        .status,
    ).toBe(400);
  });

  it("sets the scenario, failure rate, seed, concurrency and create shape at run time; reset restores them", async () => {
    const mock = await startVirtual();
    let r = await call(mock.url, "PATCH", "/__mock/config", {
      body: {
        scenario: "rate-limit",
        create_shape: "observed",
        failure_rate: 1,
        seed: 7,
        concurrency_limit: 3,
      },
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      create_shape: "observed",
      scenario: "rate-limit",
      failure_rate: 1,
      seed: 7,
      concurrency_limit: 3,
      timing: "fast",
      fidelity: "documented",
    });
    expect((await call(mock.url, "POST", CREATE, { body: seedBody })).status).toBe(429);
    await call(mock.url, "PATCH", "/__mock/config", { body: { scenario: "" } });
    const created = await call(mock.url, "POST", CREATE, { body: seedBody });
    expect(created.body.object).toBe("video");
    await mock.clock.advance(10_000);
    expect(
      (await call(mock.url, "GET", `${CREATE}/${created.body.task_id}`)).body.data.status,
    ).toBe("FAILURE");
    expect(
      (await call(mock.url, "PATCH", "/__mock/config", { body: { scenario: "boom" } })).status,
    ).toBe(400);
    expect(
      (await call(mock.url, "PATCH", "/__mock/config", { body: { failure_rate: 2 } })).status,
    ).toBe(400);
    expect((await call(mock.url, "PATCH", "/__mock/config", { body: {} })).status).toBe(400);

    r = await call(mock.url, "POST", "/__mock/reset");
    expect(r.body).toEqual({ ok: true });
    expect((await call(mock.url, "GET", "/__mock/health")).body.tasks).toBe(0);
    expect((await call(mock.url, "GET", "/__mock/config")).body).toMatchObject({
      create_shape: "documented",
      scenario: "",
      failure_rate: 0,
    });
    expect((await call(mock.url, "GET", `${CREATE}/${created.body.task_id}`)).body.code).toBe(
      "task_not_exist",
    );
  });
});

describe("who may drive the control API", () => {
  it("with keys, needs one of them (or the control token), in the control API's error shape", async () => {
    const mock = await startVirtual({ keys: ["a", "b"], controlToken: "ops-token" });
    await submit(mock.url, "a");
    for (const key of [null, "stranger"]) {
      const list = await call(mock.url, "GET", "/__mock/tasks", { key });
      expect(list.status).toBe(401);
      expect(list.body.error.code).toBe("unauthorized");
      const reset = await call(mock.url, "POST", "/__mock/reset", { key });
      expect(reset.status).toBe(401);
    }
    // Nothing was reset, and a key or the token gets in.
    expect((await call(mock.url, "GET", "/__mock/tasks", { key: "a" })).body.tasks).toHaveLength(1);
    const all = await call(mock.url, "GET", "/__mock/tasks", { key: "ops-token" });
    expect(all.status).toBe(200);
    // The health check stays open (readiness probes carry no key).
    expect((await call(mock.url, "GET", "/__mock/health", { key: null })).status).toBe(200);
  });

  it("a control token alone closes the control API but not the Kling API", async () => {
    const mock = await startVirtual({ controlToken: "ops-token" });
    await submit(mock.url, "anyone");
    expect((await call(mock.url, "POST", "/__mock/reset", { key: "anyone" })).status).toBe(401);
    expect((await call(mock.url, "POST", "/__mock/reset", { key: "ops-token" })).status).toBe(200);
  });

  it("without keys it stays open, as on loopback", async () => {
    const mock = await startVirtual();
    expect((await call(mock.url, "POST", "/__mock/reset", { key: null })).status).toBe(200);
  });

  it("refuses a state-changing request whose body is not JSON (what a page sends with no preflight)", async () => {
    const mock = await startVirtual();
    const id = await submit(mock.url, "k");
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const r = await call(mock.url, "POST", "/__mock/reset", {
        key: null,
        body: "{}",
        headers: { "content-type": type },
      });
      expect(r.status).toBe(415);
      expect(r.body.error.code).toBe("unsupported_media_type");
    }
    expect(
      (await call(mock.url, "GET", `/kling/v1/videos/multi-image2video/${id}`, { key: "k" }))
        .status,
    ).toBe(200);
  });
});
