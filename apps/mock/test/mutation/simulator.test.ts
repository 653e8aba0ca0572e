// The simulator through its public methods (create, query, force, configure, reset, klingView):
// every field of every answer at every boundary of the schedule, with literal expectations. Part of
// `pnpm test`, and the fast tests `pnpm mutation` runs against mutants of src/core/simulator/.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/core/simulator/simulator.js";
import { realisticTiming } from "../../src/core/simulator/timing.js";
import {
  BODY,
  FAIL_REASON,
  fixedTiming,
  klingMessage,
  rig,
  SETTINGS,
  T0,
  TASK_ID,
  UUID,
  VIDEO_ID,
} from "./support.js";

const url = (id: string) => `http://mock.test/v/${id}.mp4`;

describe("a task's answers over its schedule (fast timing, std, 5 s)", () => {
  it("walks NOT_START, SUBMITTED, IN_PROGRESS, SUCCESS with exact fields at each boundary", async () => {
    const { query, create, clock } = rig();
    const id = await create();
    expect(id).toMatch(TASK_ID);
    const notStarted = {
      code: "success",
      message: "",
      data: {
        task_id: id,
        action: "multiImage2Video",
        status: "NOT_START",
        progress: "0%",
        fail_reason: "",
        submit_time: 1_767_225_600,
        start_time: 0,
        finish_time: 0,
        data: null,
      },
    };
    expect(await query(id)).toEqual(notStarted);
    await clock.advance(299);
    expect(await query(id)).toEqual(notStarted);

    await clock.advance(1); // +300: the gateway's first refresh
    const submitted = {
      code: "success",
      message: "",
      data: {
        task_id: id,
        action: "multiImage2Video",
        status: "SUBMITTED",
        progress: "10%",
        fail_reason: "",
        submit_time: 1_767_225_600,
        start_time: 0,
        finish_time: 0,
        data: {
          code: 0,
          message: "SUCCEED",
          request_id: expect.stringMatching(UUID),
          data: {
            task_id: id,
            task_status: "submitted",
            task_status_msg: "",
            task_info: {},
            created_at: T0,
            updated_at: T0,
            task_result: { videos: [] },
          },
        },
      },
    };
    expect(await query(id)).toEqual(submitted);
    // No external_task_id: task_info has no key at all (not one set to undefined).
    expect(Object.keys((await query(id)).data.data.data.task_info)).toEqual([]);
    await clock.advance(699); // +999
    expect(await query(id)).toEqual(submitted);

    await clock.advance(1); // +1000: processing
    const inProgress = {
      code: "success",
      message: "",
      data: {
        task_id: id,
        action: "multiImage2Video",
        status: "IN_PROGRESS",
        progress: "30%",
        fail_reason: "",
        submit_time: 1_767_225_600,
        start_time: 1_767_225_601,
        finish_time: 0,
        data: {
          code: 0,
          message: "SUCCEED",
          request_id: expect.stringMatching(UUID),
          data: {
            task_id: id,
            task_status: "processing",
            task_status_msg: "",
            task_info: {},
            created_at: T0,
            updated_at: T0 + 1_000,
            task_result: { videos: [] },
          },
        },
      },
    };
    expect(await query(id)).toEqual(inProgress);
    await clock.advance(2_499); // +3499
    expect(await query(id)).toEqual(inProgress);

    await clock.advance(1); // +3500: done
    const done = await query(id);
    expect(done).toEqual({
      code: "success",
      message: "",
      data: {
        task_id: id,
        action: "multiImage2Video",
        status: "SUCCESS",
        progress: "100%",
        fail_reason: url(id),
        submit_time: 1_767_225_600,
        start_time: 1_767_225_601,
        finish_time: 1_767_225_603,
        data: {
          code: 0,
          message: "SUCCEED",
          request_id: expect.stringMatching(UUID),
          data: {
            task_id: id,
            task_status: "succeed",
            task_status_msg: "",
            task_info: {},
            created_at: T0,
            updated_at: T0 + 3_500,
            task_result: {
              videos: [{ id: expect.stringMatching(VIDEO_ID), url: url(id), duration: "5" }],
            },
          },
        },
      },
    });
    // The video id is derived from the task id: the same on every read.
    await clock.advance(60_000);
    const later = await query(id);
    expect(later.data.data.data.task_result.videos[0].id).toBe(
      done.data.data.data.task_result.videos[0].id,
    );
    expect(later.data.data.data.updated_at).toBe(T0 + 3_500);
    // Each answer has a request id of its own.
    expect(later.data.data.request_id).not.toBe(done.data.data.request_id);
  });

  it("a failed task carries Kling's reason in fail_reason and task_status_msg, and no video", async () => {
    const { query, create, clock } = rig();
    const id = await create({ external_task_id: "ext-9" }, { fail: true });
    await clock.advance(300);
    expect((await query(id)).data).toMatchObject({ status: "SUBMITTED", fail_reason: "" });
    expect((await query(id)).data.data.data.task_status_msg).toBe("");
    await clock.advance(700);
    expect((await query(id)).data).toMatchObject({ status: "IN_PROGRESS", fail_reason: "" });
    expect((await query(id)).data.data.data.task_status_msg).toBe("");
    await clock.advance(2_500);
    expect((await query(id)).data).toEqual({
      task_id: id,
      action: "multiImage2Video",
      status: "FAILURE",
      progress: "100%",
      fail_reason: FAIL_REASON,
      submit_time: 1_767_225_600,
      start_time: 1_767_225_601,
      finish_time: 1_767_225_603,
      data: {
        code: 0,
        message: "SUCCEED",
        request_id: expect.stringMatching(UUID),
        data: {
          task_id: id,
          task_status: "failed",
          task_status_msg: FAIL_REASON,
          task_info: { external_task_id: "ext-9" },
          created_at: T0,
          updated_at: T0 + 3_500,
          task_result: { videos: [] },
        },
      },
    });
  });

  it("hides everything but NOT_START until the gateway's refresh, even when Kling is done", async () => {
    // Kling finishes (failed) at +2000, the gateway first looks at +5000.
    const { timing } = fixedTiming(5_000, 1_000, 2_000);
    const { query, create, clock } = rig({ timing });
    const id = await create({}, { fail: true });
    await clock.advance(3_000);
    expect((await query(id)).data).toMatchObject({
      status: "NOT_START",
      progress: "0%",
      fail_reason: "",
      start_time: 0,
      finish_time: 0,
      data: null,
    });
    await clock.advance(2_000);
    expect((await query(id)).data).toMatchObject({
      status: "FAILURE",
      fail_reason: FAIL_REASON,
      start_time: 1_767_225_601,
      finish_time: 1_767_225_602,
    });
  });

  it("scales the schedule with mode and duration (pro 10 s: 7.5 s; realistic: minutes)", async () => {
    const fast = rig();
    const pro = await fast.create({ mode: "pro", duration: "10" });
    await fast.clock.advance(7_499);
    expect((await fast.query(pro)).data.status).toBe("IN_PROGRESS");
    await fast.clock.advance(1);
    expect((await fast.query(pro)).data.status).toBe("SUCCESS");
    expect((await fast.query(pro)).data.data.data.task_result.videos[0].duration).toBe("10");

    const slow = rig({ timing: realisticTiming });
    const id = await slow.create();
    await slow.clock.advance(14_999);
    expect((await slow.query(id)).data.status).toBe("NOT_START");
    await slow.clock.advance(1);
    expect((await slow.query(id)).data.status).toBe("SUBMITTED");
    await slow.clock.advance(5_000);
    expect((await slow.query(id)).data.status).toBe("IN_PROGRESS");
    await slow.clock.advance(129_999); // 60 s + 5 x 18 s = 150 s
    expect((await slow.query(id)).data.status).toBe("IN_PROGRESS");
    await slow.clock.advance(1);
    expect((await slow.query(id)).data.status).toBe("SUCCESS");
  });

  it("asks the timing profile with the body's mode and duration, std and 5 s by default", async () => {
    const { timing, calls } = fixedTiming(0, 0, 10);
    const { create } = rig({ timing });
    await create();
    await create({ mode: "pro", duration: "10" });
    expect(calls).toEqual([
      ["std", 5],
      ["pro", 10],
    ]);
  });

  it("stores the task with its defaults (16:9, std, 5 s, kling-v1-6) and the body's fields", async () => {
    const { sim, create } = rig();
    const a = await create({ model: undefined } as never);
    const b = await create({
      model_name: "kling-v2-1",
      aspect_ratio: "9:16",
      mode: "pro",
      duration: "10",
      external_task_id: "e-1",
      callback_url: "http://127.0.0.1:9/hook",
    });
    const [tb, ta] = await sim.store.list(undefined, 10);
    expect(ta).toMatchObject({
      id: a,
      owner: "k",
      model: "kling-v1-6",
      mode: "std",
      aspectRatio: "16:9",
      durationSeconds: 5,
      externalTaskId: undefined,
      callbackUrl: undefined,
      createdAt: T0,
      refreshAt: T0 + 300,
      processingAt: T0 + 1_000,
      finishAt: T0 + 3_500,
      outcome: "succeed",
      failReason: "",
      timers: undefined,
    });
    expect(tb).toMatchObject({
      id: b,
      model: "kling-v2-1",
      mode: "pro",
      aspectRatio: "9:16",
      durationSeconds: 10,
      externalTaskId: "e-1",
      callbackUrl: "http://127.0.0.1:9/hook",
      finishAt: T0 + 7_500,
    });
  });
});

describe("create", () => {
  it("answers the documented shape by default", async () => {
    const { sim } = rig();
    const reply = await sim.create("k", { ...BODY, external_task_id: "x-1" }, {});
    expect(reply).toEqual({
      status: 200,
      body: {
        code: 0,
        message: "SUCCEED",
        request_id: expect.stringMatching(UUID),
        data: {
          task_id: expect.stringMatching(TASK_ID),
          task_status: "submitted",
          task_info: { external_task_id: "x-1" },
          created_at: T0,
          updated_at: T0,
        },
      },
    });
    const plain = (await sim.create("k", BODY, {})).body as { data: { task_info: object } };
    expect(plain.data.task_info).toEqual({});
    expect(Object.keys(plain.data.task_info)).toEqual([]);
  });

  it("answers the observed shape when configured, with the model asked for", async () => {
    const { sim } = rig({ settings: { createShape: "observed" } });
    const reply = await sim.create("k", { ...BODY, model_name: "kling-v2-1" }, {});
    const body = reply.body as { id: string };
    expect(reply).toEqual({
      status: 200,
      body: {
        id: body.id,
        task_id: body.id,
        object: "video",
        model: "kling-v2-1",
        status: "queued",
        progress: 0,
        created_at: 1_767_225_600,
      },
    });
    expect(body.id).toMatch(TASK_ID);
  });

  it("refuses with the scenario's error before anything else, in a fixed order", async () => {
    const { sim } = rig();
    const answer = async (scenario: object) => {
      const r = await sim.create("k", { ...BODY, callback_url: "http://refuse.test/" }, scenario);
      return [r.status, r.headers?.["retry-after"], (r.body as { code: unknown }).code];
    };
    expect(await answer({ rateLimit: true, concurrency: true, contentPolicy: true })).toEqual([
      429,
      "7",
      "fail_to_fetch_task",
    ]);
    expect(
      klingMessage(await sim.create("k", BODY, { rateLimit: true, concurrency: true })),
    ).toMatchObject({ code: 1302 });
    expect(
      klingMessage(await sim.create("k", BODY, { concurrency: true, serverError: true })),
    ).toMatchObject({ code: 1303 });
    expect(await answer({ serverError: true, maintenance: true })).toEqual([
      500,
      undefined,
      "fail_to_fetch_task",
    ]);
    expect(await answer({ maintenance: true, quota: true })).toEqual([
      503,
      "7",
      "fail_to_fetch_task",
    ]);
    expect(await answer({ quota: true, contentPolicy: true })).toEqual([
      403,
      undefined,
      "quota_not_enough",
    ]);
    // Content policy comes before the callback check.
    expect(await answer({ contentPolicy: true })).toEqual([400, undefined, "task_failed"]);
    expect(klingMessage(await sim.create("k", BODY, { contentPolicy: true }))).toMatchObject({
      code: 1301,
    });
    // Nothing was stored.
    expect(await sim.store.size()).toBe(0);
  });

  it("asks the sink about a callback URL and answers its refusal as invalid_request", async () => {
    const { sim, checked } = rig();
    await sim.create("k", { ...BODY, external_task_id: "dup" }, {});
    expect(checked).toEqual([]);
    const refused = await sim.create(
      "k",
      { ...BODY, external_task_id: "dup", callback_url: "http://refuse.test/x" },
      {},
    );
    expect(refused).toEqual({
      status: 400,
      body: { code: "invalid_request", message: "refused http://refuse.test/x", data: null },
    });
    expect(checked).toEqual(["http://refuse.test/x"]);
    expect(
      (await sim.create("k", { ...BODY, callback_url: "http://127.0.0.1/ok" }, {})).status,
    ).toBe(200);
    expect(await sim.store.size()).toBe(2);
  });

  it("refuses a duplicate external_task_id per key (Kling 1201) before the concurrency limit", async () => {
    const { sim } = rig({ settings: { concurrencyLimit: 1 } });
    expect((await sim.create("k", { ...BODY, external_task_id: "x" }, {})).status).toBe(200);
    const dup = await sim.create("k", { ...BODY, external_task_id: "x" }, {});
    expect(dup.status).toBe(400);
    expect((dup.body as { code: string }).code).toBe("task_failed");
    expect(klingMessage(dup)).toEqual({
      code: 1201,
      message: "external_task_id already exists",
      request_id: expect.stringMatching(UUID),
    });
    // Another key may use it.
    expect((await sim.create("other", { ...BODY, external_task_id: "x" }, {})).status).toBe(200);
  });

  it("holds at most concurrencyLimit unfinished tasks per key, and frees a slot at the finish", async () => {
    const { sim, clock } = rig({ settings: { concurrencyLimit: 2 } });
    expect((await sim.create("k", BODY, {})).status).toBe(200);
    expect((await sim.create("k", BODY, {})).status).toBe(200);
    const third = await sim.create("k", BODY, {});
    expect(third.status).toBe(429);
    expect(third.headers).toEqual({ "retry-after": "7" });
    expect(klingMessage(third)).toMatchObject({ code: 1303 });
    expect((await sim.create("other", BODY, {})).status).toBe(200);
    await clock.advance(3_499);
    expect((await sim.create("k", BODY, {})).status).toBe(429);
    await clock.advance(1);
    expect((await sim.create("k", BODY, {})).status).toBe(200);
  });

  it("has no limit with concurrencyLimit 0", async () => {
    const { sim } = rig();
    for (let i = 0; i < 5; i++) expect((await sim.create("k", BODY, {})).status).toBe(200);
  });
});

describe("outcomes and the seeded failure draws", () => {
  // mulberry32(1): 0.627…, 0.0027…, 0.527…, 0.981…, 0.968…, 0.281…
  // mulberry32(2): 0.734…, 0.324…, 0.285…, 0.537…
  const outcomes = async (r: ReturnType<typeof rig>, n: number, scenario = {}) => {
    const out: (string | undefined)[] = [];
    // One after another: the draws are in submit order.
    for (let i = 0; i < n; i++) {
      const id = await r.create({}, scenario);
      out.push((await r.sim.store.any(id, T0))?.outcome);
    }
    return out;
  };

  it("fails the drawn share with a seed, reproducibly", async () => {
    const r = rig({ settings: { failureRate: 0.5 } });
    expect(await outcomes(r, 6)).toEqual([
      "succeed",
      "failed",
      "succeed",
      "succeed",
      "succeed",
      "failed",
    ]);
    expect((await r.sim.store.list(undefined, 6)).map((t) => t.failReason)).toEqual([
      FAIL_REASON,
      "",
      "",
      "",
      FAIL_REASON,
      "",
    ]);
  });

  it("fails only a draw strictly below the rate", async () => {
    const r = rig({ settings: { failureRate: 0.6270739405881613 } });
    expect(await outcomes(r, 2)).toEqual(["succeed", "failed"]);
  });

  it("draws even when a scenario decides, so a header does not shift the sequence", async () => {
    const r = rig({ settings: { failureRate: 0.5 } });
    expect(await outcomes(r, 1, { succeed: true })).toEqual(["succeed"]);
    expect(await outcomes(r, 1, { fail: true })).toEqual(["failed"]);
    expect(await outcomes(r, 2)).toEqual(["succeed", "succeed"]);
  });

  it("succeed wins over fail and over a failure rate of 1; fail wins over a rate of 0", async () => {
    const r = rig({ settings: { failureRate: 1 } });
    expect(await outcomes(r, 1, { succeed: true, fail: true })).toEqual(["succeed"]);
    expect(await outcomes(r, 2)).toEqual(["failed", "failed"]);
    expect(await outcomes(rig(), 2, { fail: true })).toEqual(["failed", "failed"]);
    expect(await outcomes(rig(), 2, { fail: false })).toEqual(["succeed", "succeed"]);
  });

  it("configure: neither the same seed nor another field restarts the draws", async () => {
    // After one draw (0.627) the next is 0.0027 (failed); a restart would draw 0.627 (succeed).
    const same = rig({ settings: { failureRate: 0.5 } });
    expect(await outcomes(same, 1)).toEqual(["succeed"]);
    await same.sim.configure({ seed: 1 });
    expect(await outcomes(same, 1)).toEqual(["failed"]);
    const other = rig({ settings: { failureRate: 0.5 } });
    expect(await outcomes(other, 1)).toEqual(["succeed"]);
    await other.sim.configure({ createShape: "observed", concurrencyLimit: 9 });
    expect(await outcomes(other, 1)).toEqual(["failed"]);
  });

  it("configure: a new seed or rate restarts the draws; the same seed or other fields do not", async () => {
    const r = rig({ settings: { failureRate: 0.5 } });
    expect(await outcomes(r, 1)).toEqual(["succeed"]); // 0.627
    expect(await r.sim.configure({ seed: 1 })).toEqual({ ...SETTINGS, failureRate: 0.5 });
    expect(await outcomes(r, 1)).toEqual(["failed"]); // 0.0027: not restarted
    await r.sim.configure({ createShape: "observed" });
    expect(await outcomes(r, 1)).toEqual(["succeed"]); // 0.527: not restarted
    expect(await r.sim.configure({ seed: 2 })).toEqual({
      ...SETTINGS,
      failureRate: 0.5,
      createShape: "observed",
      seed: 2,
    });
    expect(await outcomes(r, 2)).toEqual(["succeed", "failed"]); // 0.734, 0.324
    await r.sim.configure({ failureRate: 0.3 });
    expect(await outcomes(r, 3)).toEqual(["succeed", "succeed", "failed"]); // 0.734, 0.324, 0.285
  });

  it("reset forgets the tasks, restores the start-up settings and restarts the draws", async () => {
    const r = rig({ settings: { failureRate: 0.5 } });
    expect(await outcomes(r, 2)).toEqual(["succeed", "failed"]);
    await r.sim.configure({ createShape: "observed", seed: 2, failureRate: 0 });
    await r.sim.reset();
    expect(await r.sim.store.size()).toBe(0);
    expect(r.sim.settings).toEqual({ ...SETTINGS, failureRate: 0.5 });
    expect(await outcomes(r, 2)).toEqual(["succeed", "failed"]);
  });

  it("keeps its own copy of the settings it was built with", async () => {
    const r = rig();
    expect(r.sim.settings).toEqual(SETTINGS);
    await r.sim.configure({ concurrencyLimit: 3 });
    await r.sim.reset();
    expect(r.sim.settings).toEqual(SETTINGS);
  });
});

describe("query", () => {
  it("answers the scenario's error first, then task_not_exist for unknown and foreign ids", async () => {
    const { sim, create } = rig();
    const id = await create();
    const limited = await sim.query("k", id, { rateLimit: true });
    expect(limited.status).toBe(429);
    expect(limited.headers).toEqual({ "retry-after": "7" });
    const notExist = {
      status: 400,
      body: { code: "task_not_exist", message: "task_not_exist", data: null },
    };
    expect(await sim.query("k", "no-such-task", {})).toEqual(notExist);
    expect(await sim.query("other", id, {})).toEqual(notExist);
    expect((await sim.query("k", id, {})).status).toBe(200);
  });

  it("forgets a task after the TTL", async () => {
    const { sim, create, clock } = rig({ ttlMs: 60_000 });
    const id = await create();
    await clock.advance(59_999);
    expect((await sim.query("k", id, {})).status).toBe(200);
    await clock.advance(1);
    expect((await sim.query("k", id, {})).status).toBe(400);
  });
});

describe("scenarioError, modelOf, knowsModel", () => {
  it("maps each scenario to the gateway's error, and none to undefined", async () => {
    const { sim } = rig();
    expect(sim.scenarioError({})).toBeUndefined();
    expect(sim.scenarioError({ fail: true, slowMs: 5, disconnect: true, succeed: true })).toBe(
      undefined,
    );
    const cases: [object, number, string | undefined, string, number | undefined][] = [
      [{ rateLimit: true }, 429, "7", "fail_to_fetch_task", 1302],
      [{ concurrency: true }, 429, "7", "fail_to_fetch_task", 1303],
      [{ serverError: true }, 500, undefined, "fail_to_fetch_task", 5000],
      [{ maintenance: true }, 503, "7", "fail_to_fetch_task", 5001],
      [{ quota: true }, 403, undefined, "quota_not_enough", undefined],
    ];
    for (const [scenario, status, retry, code, kling] of cases) {
      const reply = sim.scenarioError(scenario);
      expect(reply?.status).toBe(status);
      expect(reply?.headers?.["retry-after"]).toBe(retry);
      expect((reply?.body as { code: string } | undefined)?.code).toBe(code);
      if (kling !== undefined)
        expect(klingMessage(reply as { body: unknown })).toMatchObject({ code: kling });
    }
  });

  it("reads model_name before model, as the gateway does", async () => {
    expect(Simulator.modelOf({ model: "a", model_name: "b" })).toBe("b");
    expect(Simulator.modelOf({ model: "a", model_name: "" })).toBe("a");
    expect(Simulator.modelOf({ model: "a", model_name: 5 })).toBe("a");
    expect(Simulator.modelOf({ model: "a" })).toBe("a");
    expect(Simulator.modelOf({ model: 5 })).toBeUndefined();
    expect(Simulator.modelOf({})).toBeUndefined();
  });

  it("knows the models it was given, and only those", async () => {
    const { sim } = rig({ models: ["m-1"] });
    expect(sim.knowsModel("m-1")).toBe(true);
    expect(sim.knowsModel("m-2")).toBe(false);
  });
});

describe("force", () => {
  it("says not_found for an unknown id, and terminal for a finished task", async () => {
    const { sim, create, clock } = rig();
    expect(await sim.force("nope", "succeed")).toBe("not_found");
    const id = await create();
    await clock.advance(3_500);
    expect(await sim.force(id, "failed")).toBe("terminal");
    const failed = await create({}, { fail: true });
    await clock.advance(3_500);
    expect(await sim.force(failed, "succeed")).toBe("terminal");
  });

  it("holds a task in submitted (shown at once, even before the refresh) until forced again", async () => {
    const { sim, create, query, clock } = rig();
    const id = await create();
    await clock.advance(100);
    const task = await sim.force(id, "submitted");
    expect(task).toMatchObject({ id, refreshAt: T0 + 100 });
    expect((await query(id)).data.status).toBe("SUBMITTED");
    await clock.advance(1_000_000);
    expect((await query(id)).data).toMatchObject({
      status: "SUBMITTED",
      start_time: 0,
      finish_time: 0,
    });
  });

  it("keeps an earlier refresh when forcing later", async () => {
    const { sim, create, clock } = rig();
    const id = await create();
    await clock.advance(2_000);
    expect(await sim.force(id, "submitted")).toMatchObject({ refreshAt: T0 + 300 });
  });

  it("holds a task in processing, keeping an earlier start", async () => {
    const { sim, create, query, clock } = rig();
    const early = await create();
    await clock.advance(100);
    await sim.force(early, "processing");
    expect((await query(early)).data).toMatchObject({
      status: "IN_PROGRESS",
      start_time: 1_767_225_600,
      finish_time: 0,
    });
    expect((await query(early)).data.data.data).toMatchObject({
      task_status: "processing",
      updated_at: T0 + 100,
    });
    const late = await create();
    await clock.advance(1_900); // late is past its processing (at +1100) by 900 ms
    await sim.force(late, "processing");
    expect((await query(late)).data).toMatchObject({
      status: "IN_PROGRESS",
      start_time: 1_767_225_601,
    });
    expect((await sim.store.list(undefined, 1))[0]?.processingAt).toBe(T0 + 1_100);
    await clock.advance(1_000_000);
    expect((await query(late)).data.status).toBe("IN_PROGRESS");
    expect((await query(early)).data.status).toBe("IN_PROGRESS");
  });

  it("finishes a task now: failed with the given reason or Kling's, succeed with the video", async () => {
    const { sim, create, query, clock } = rig();
    const a = await create();
    const b = await create();
    const c = await create({}, { fail: true });
    await clock.advance(500);
    expect(await sim.force(a, "failed", "content rejected")).toMatchObject({
      outcome: "failed",
      failReason: "content rejected",
      finishAt: T0 + 500,
      processingAt: T0 + 500,
    });
    expect(await sim.force(b, "failed")).toMatchObject({ failReason: FAIL_REASON });
    expect(await sim.force(c, "succeed", "ignored")).toMatchObject({
      outcome: "succeed",
      failReason: "",
    });
    expect((await query(a)).data).toMatchObject({
      status: "FAILURE",
      fail_reason: "content rejected",
      finish_time: 1_767_225_600,
    });
    expect((await query(c)).data).toMatchObject({ status: "SUCCESS", fail_reason: url(c) });
  });

  it("klingView shows Kling's task now", async () => {
    const { sim, create, clock } = rig();
    const id = await create({ external_task_id: "v-1" });
    await clock.advance(1_000);
    const task = await sim.force(id, "succeed");
    if (typeof task === "string") throw new Error(task);
    expect(sim.klingView(task)).toEqual({
      task_id: id,
      task_status: "succeed",
      task_status_msg: "",
      task_info: { external_task_id: "v-1" },
      created_at: T0,
      updated_at: T0 + 1_000,
      task_result: {
        videos: [{ id: expect.stringMatching(VIDEO_ID), url: url(id), duration: "5" }],
      },
    });
  });
});
