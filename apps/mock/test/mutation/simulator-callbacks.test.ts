// What the simulator hands its callback sink, and when: one payload per status change, in order, at
// the moment of the change on the clock, with timers only where something must happen.
import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/core/clock.js";
import { type CreateBody, Simulator } from "../../src/core/simulator/simulator.js";
import { BODY, FAIL_REASON, fixedTiming, rig, SETTINGS, T0, VIDEO_ID } from "./support.js";

const HOOK = "http://127.0.0.1:9/hook";
const url = (id: string) => `http://mock.test/v/${id}.mp4`;

const payload = (id: string, fields: Record<string, unknown>) => ({
  task_id: id,
  task_status: "submitted",
  task_status_msg: "",
  task_info: {},
  created_at: T0,
  updated_at: T0,
  task_result: { videos: [] },
  ...fields,
});

describe("callbacks handed to the sink", () => {
  it("sends submitted at once, processing and succeed when the clock reaches them", async () => {
    const r = rig();
    const id = await r.create({ callback_url: HOOK, external_task_id: "cb-1" });
    const info = { task_info: { external_task_id: "cb-1" } };
    expect(r.sent).toEqual([{ owner: "k", taskId: id, url: HOOK, payload: payload(id, info) }]);
    expect(r.clock.pending()).toBe(2);

    await r.clock.advance(999);
    expect(r.sent).toHaveLength(1);
    await r.clock.advance(1);
    expect(r.sent).toHaveLength(2);
    expect(r.sent[1]).toEqual({
      owner: "k",
      taskId: id,
      url: HOOK,
      payload: payload(id, { ...info, task_status: "processing", updated_at: T0 + 1_000 }),
    });
    expect(r.clock.pending()).toBe(1);

    await r.clock.advance(2_499);
    expect(r.sent).toHaveLength(2);
    await r.clock.advance(1);
    expect(r.sent[2]?.payload).toEqual(
      payload(id, {
        ...info,
        task_status: "succeed",
        updated_at: T0 + 3_500,
        task_result: {
          videos: [{ id: expect.stringMatching(VIDEO_ID), url: url(id), duration: "5" }],
        },
      }),
    );
    expect(r.clock.pending()).toBe(0);
    await r.clock.advance(100_000);
    expect(r.sent).toHaveLength(3);
  });

  it("sends nothing and sets no timer for a task without a callback_url", async () => {
    const r = rig();
    await r.create();
    expect(r.clock.pending()).toBe(0);
    await r.clock.advance(10_000);
    expect(r.sent).toEqual([]);
  });

  it("a failed task's last callback carries Kling's reason and no video", async () => {
    const r = rig();
    const id = await r.create({ callback_url: HOOK }, { fail: true });
    await r.clock.advance(3_500);
    expect(r.sent.map((s) => s.payload)).toEqual([
      payload(id, {}),
      payload(id, { task_status: "processing", updated_at: T0 + 1_000 }),
      payload(id, {
        task_status: "failed",
        task_status_msg: FAIL_REASON,
        updated_at: T0 + 3_500,
      }),
    ]);
  });

  it("sends every status a task passed at once, each as it was at that status", async () => {
    const ok = rig({ timing: fixedTiming(0, 0, 0).timing });
    const a = await ok.create({ callback_url: HOOK });
    expect(ok.sent.map((s) => s.payload)).toEqual([
      payload(a, {}),
      payload(a, { task_status: "processing" }),
      payload(a, {
        task_status: "succeed",
        task_result: {
          videos: [{ id: expect.stringMatching(VIDEO_ID), url: url(a), duration: "5" }],
        },
      }),
    ]);
    expect(ok.clock.pending()).toBe(0);

    const bad = rig({ timing: fixedTiming(0, 0, 0).timing });
    const b = await bad.create({ callback_url: HOOK }, { fail: true });
    expect(bad.sent.map((s) => s.payload)).toEqual([
      payload(b, {}),
      payload(b, { task_status: "processing" }),
      payload(b, { task_status: "failed", task_status_msg: FAIL_REASON }),
    ]);
  });

  it("sets a timer only for changes still ahead and at a finite time", async () => {
    const startsAtOnce = rig({ timing: fixedTiming(0, 0, 3_500).timing });
    await startsAtOnce.create({ callback_url: HOOK });
    expect(startsAtOnce.sent.map((s) => s.payload.task_status)).toEqual([
      "submitted",
      "processing",
    ]);
    expect(startsAtOnce.clock.pending()).toBe(1);

    const never = rig({ timing: fixedTiming(0, 1_000, Number.POSITIVE_INFINITY).timing });
    await never.create({ callback_url: HOOK });
    expect(never.clock.pending()).toBe(1);
  });

  it("a forced finish sends the skipped statuses at the time of the force and cancels the timers", async () => {
    const r = rig();
    const id = await r.create({ callback_url: HOOK });
    await r.clock.advance(100);
    await r.sim.force(id, "succeed");
    expect(r.clock.pending()).toBe(0);
    expect(r.sent.map((s) => [s.payload.task_status, s.payload.updated_at])).toEqual([
      ["submitted", T0],
      ["processing", T0 + 100],
      ["succeed", T0 + 100],
    ]);
    await r.clock.advance(10_000);
    expect(r.sent).toHaveLength(3);
  });

  it("never sends a status twice when a task is held back and then finished", async () => {
    const r = rig();
    const id = await r.create({ callback_url: HOOK });
    await r.clock.advance(1_000); // processing sent; the finish timer remains
    expect(r.clock.pending()).toBe(1);
    await r.clock.advance(500);
    await r.sim.force(id, "submitted");
    expect(r.clock.pending()).toBe(0);
    expect(r.sent).toHaveLength(2);
    await r.clock.advance(500);
    await r.sim.force(id, "succeed");
    expect(r.sent.map((s) => [s.payload.task_status, s.payload.updated_at])).toEqual([
      ["submitted", T0],
      ["processing", T0 + 1_000],
      ["succeed", T0 + 2_000],
    ]);
  });

  it("cancels the timers of an evicted task, and of every task on reset", async () => {
    const r = rig({ maxTasks: 1 });
    await r.create({ callback_url: HOOK });
    expect(r.clock.pending()).toBe(2);
    await r.create({ callback_url: HOOK });
    expect(await r.sim.store.size()).toBe(1);
    expect(r.clock.pending()).toBe(2);
    await r.sim.reset();
    expect(r.clock.pending()).toBe(0);
  });
});

describe("a machine too busy to keep up", () => {
  it("sends at once the changes that came due while the submit was answered (no timer is left for them)", async () => {
    // Time passes while the first callback is handed over: by the time the timers would be set,
    // processing and the finish are already in the past.
    let now = T0;
    const timers: number[] = [];
    const clock: Clock = {
      now: () => now,
      setTimeout: (_fn, ms) => {
        timers.push(ms);
        return { id: timers.length };
      },
      clearTimeout: () => {},
    };
    const sent: string[] = [];
    const sim = new Simulator({
      clock,
      timing: fixedTiming(0, 1_000, 3_500).timing,
      settings: SETTINGS,
      models: ["kling-v1-6"],
      ttlMs: 86_400_000,
      maxTasks: 10,
      callbacks: {
        check: () => undefined,
        enqueue(_owner, _taskId, _url, payload) {
          sent.push((payload as { task_status: string }).task_status);
          now = T0 + 10_000;
        },
      },
      videoUrl: (id) => `http://mock.test/v/${id}.mp4`,
    });
    const reply = await sim.create("k", { ...BODY, callback_url: HOOK } as CreateBody, {});
    expect(reply.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent).toEqual(["submitted", "processing", "succeed"]);
    expect(timers).toEqual([]);
  });
});
