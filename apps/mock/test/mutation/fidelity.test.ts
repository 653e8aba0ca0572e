// The simulator with `fidelity: "gateway"`: where it answers as the gateway's code does rather than
// as its docs say (the spec's x-gateway-departure entries), and nowhere else. Literal values from
// the spec's examples.
import { describe, expect, it } from "vitest";
import { inFlight, type Task } from "../../src/core/simulator/task.js";
import { BODY, FAIL_REASON, klingMessage, rig, T0, UUID } from "./support.js";

const REWRITTEN_429 = {
  status: 429,
  body: { code: "fail_to_fetch_task", message: "当前分组上游负载已饱和，请稍后再试", data: null },
};

describe('fidelity "gateway"', () => {
  it("rewrites every 429, rate limit and concurrency alike, with no Retry-After", async () => {
    const { sim } = rig({ settings: { fidelity: "gateway" } });
    expect(sim.scenarioError({ rateLimit: true })).toEqual(REWRITTEN_429);
    expect(sim.scenarioError({ concurrency: true })).toEqual(REWRITTEN_429);
    expect(await sim.query("k", "x", { concurrency: true })).toEqual(REWRITTEN_429);
    // Other scenario errors are as documented.
    expect(sim.scenarioError({ serverError: true })?.status).toBe(500);
    expect(sim.scenarioError({ maintenance: true })?.headers).toEqual({ "retry-after": "7" });
    expect(sim.scenarioError({})).toBeUndefined();
  });

  it("answers the concurrency limit with the rewritten 429", async () => {
    const { sim } = rig({ settings: { fidelity: "gateway", concurrencyLimit: 1 } });
    expect((await sim.create("k", BODY, {})).status).toBe(200);
    expect(await sim.create("k", BODY, {})).toEqual(REWRITTEN_429);
  });

  it("answers Kling's refusals with fail_to_fetch_task and Kling's body as the message", async () => {
    const { sim } = rig({ settings: { fidelity: "gateway" } });
    const policy = await sim.create("k", BODY, { contentPolicy: true });
    expect(policy).toEqual({
      status: 400,
      body: { code: "fail_to_fetch_task", message: expect.any(String), data: null },
    });
    expect(klingMessage(policy)).toEqual({
      code: 1301,
      message: "Failure to pass the risk control system",
      request_id: expect.stringMatching(UUID),
    });
    await sim.create("k", { ...BODY, external_task_id: "e" }, {});
    const dup = await sim.create("k", { ...BODY, external_task_id: "e" }, {});
    expect(dup.status).toBe(400);
    expect((dup.body as { code: string }).code).toBe("fail_to_fetch_task");
    expect(klingMessage(dup)).toMatchObject({ code: 1201 });
  });

  it("fills in 1:1 for a missing aspect ratio, and keeps a given one", async () => {
    const { sim, create } = rig({ settings: { fidelity: "gateway" } });
    await create();
    await create({ aspect_ratio: "9:16" });
    expect((await sim.store.list(undefined, 2)).map((t) => t.aspectRatio)).toEqual(["9:16", "1:1"]);
  });

  it("shows Kling's create answer as data at NOT_START, and Kling's message as a failure's reason", async () => {
    const { sim, query, clock } = rig({ settings: { fidelity: "gateway" } });
    const created = await sim.create("k", { ...BODY, external_task_id: "g-1" }, { fail: true });
    const answer = created.body as { request_id: string; data: { task_id: string } };
    const id = answer.data.task_id;
    expect(answer.request_id).toMatch(UUID);
    expect((await query(id)).data).toEqual({
      task_id: id,
      action: "multiImage2Video",
      status: "NOT_START",
      progress: "0%",
      fail_reason: "",
      submit_time: 1_767_225_600,
      start_time: 0,
      finish_time: 0,
      data: {
        code: 0,
        message: "SUCCEED",
        request_id: answer.request_id,
        data: {
          task_id: id,
          task_status: "submitted",
          task_info: { external_task_id: "g-1" },
          created_at: T0,
          updated_at: T0,
        },
      },
    });
    await clock.advance(1_000);
    expect((await query(id)).data.fail_reason).toBe("");
    await clock.advance(2_500);
    const failed = (await query(id)).data;
    expect(failed.status).toBe("FAILURE");
    expect(failed.fail_reason).toBe("SUCCEED");
    expect(failed.data.data.task_status_msg).toBe(FAIL_REASON);
  });

  it('is off without the setting, and with "documented"', async () => {
    for (const fidelity of [undefined, "documented"] as const) {
      const { query, create, sim, clock } = rig({
        settings: fidelity === undefined ? {} : { fidelity },
      });
      const id = await create({}, { fail: true });
      expect((await query(id)).data.data).toBeNull();
      expect(sim.scenarioError({ rateLimit: true })?.headers).toEqual({ "retry-after": "7" });
      await clock.advance(3_500);
      expect((await query(id)).data.fail_reason).toBe(FAIL_REASON);
    }
  });
});

describe("inFlight", () => {
  it("holds a slot until exactly the finish", async () => {
    const task = { finishAt: 1_000 } as Task;
    expect(inFlight(task, 999)).toBe(true);
    expect(inFlight(task, 1_000)).toBe(false);
    expect(inFlight(task, 1_001)).toBe(false);
  });
});
