// The callbacks check on hand-made deliveries: schema, task, order, the last status, signatures,
// and the wait for the terminal delivery.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Delivery, Receiver } from "../../src/callbacks/receiver.js";
import { callbacks } from "../../src/checks/callbacks.js";
import type { LifecycleOutcome } from "../../src/checks/outcome.js";
import { makeSession, onFakeTime, stubOracle } from "./support.js";

const PATH = "/kling-contract/run-1";
const SECRET_BYTES = Buffer.from("contract-mutation-secret-32bytes");
const SECRET = `whsec_${SECRET_BYTES.toString("base64")}`;

const TASK: LifecycleOutcome = {
  failures: [],
  skipped: [],
  history: [],
  taskId: "t-1",
  finalKlingStatus: "succeed",
};

function delivery(
  status: unknown,
  options: { path?: string; taskId?: unknown; raw?: string; signed?: number | false } = {},
): Delivery {
  const body =
    options.raw ?? JSON.stringify({ task_id: options.taskId ?? "t-1", task_status: status });
  const headers: Record<string, string | undefined> = { "content-type": "application/json" };
  if (options.signed !== undefined && options.signed !== false) {
    const id = `msg_${String(status)}`;
    const ts = String(options.signed);
    headers["webhook-id"] = id;
    headers["webhook-timestamp"] = ts;
    headers["webhook-signature"] =
      `v1,${createHmac("sha256", SECRET_BYTES).update(`${id}.${ts}.${body}`).digest("base64")}`;
  }
  return { path: options.path ?? PATH, headers, body } as Delivery;
}

function receiver(deliveries: Delivery[]): Receiver {
  return { url: "http://127.0.0.1:9", deliveries, close: async () => {} } as unknown as Receiver;
}

async function run(
  deliveries: Delivery[],
  options: Parameters<typeof makeSession>[0] = {},
  task: LifecycleOutcome = TASK,
) {
  const { oracle, calls } = stubOracle();
  const { session, advanced } = makeSession(options, oracle);
  const out = await callbacks(session, receiver(deliveries), PATH, task);
  return { out, calls, advanced, session, messages: out.failures.map((f) => f.message) };
}

const now = () => Math.floor(Date.now() / 1000);

describe("callbacks", () => {
  it("skips a task that did not finish", async () => {
    const skipped = {
      failures: [],
      skipped: ["callbacks: the lifecycle task did not finish, so there is nothing to compare"],
    };
    expect(
      (await run([delivery("succeed")], {}, { ...TASK, taskId: undefined } as never)).out,
    ).toEqual(skipped);
    expect(
      (await run([delivery("succeed")], {}, { ...TASK, finalKlingStatus: undefined } as never)).out,
    ).toEqual(skipped);
  });

  it("passes deliveries in order that end with the task's status, each checked against CallbackPayload", async () => {
    const r = await run([
      delivery("submitted"),
      delivery("processing", { path: "/other" }),
      delivery("processing"),
      delivery("succeed"),
      delivery("succeed"),
    ]);
    expect(r.out).toEqual({ failures: [], skipped: [] });
    expect(r.calls).toEqual([
      {
        at: "components/schemas/CallbackPayload",
        value: { task_id: "t-1", task_status: "submitted" },
      },
      {
        at: "components/schemas/CallbackPayload",
        value: { task_id: "t-1", task_status: "processing" },
      },
      {
        at: "components/schemas/CallbackPayload",
        value: { task_id: "t-1", task_status: "succeed" },
      },
      {
        at: "components/schemas/CallbackPayload",
        value: { task_id: "t-1", task_status: "succeed" },
      },
    ]);
    expect(r.session.cases.get("callbacks")).toBe(4);
  });

  it("fails when no delivery reached the path", async () => {
    const r = await run([delivery("succeed", { path: "/other" })], { callbackWaitMs: 0 });
    expect(r.out).toEqual({
      failures: [
        {
          check: "callbacks",
          message: `no callback reached http://127.0.0.1:9${PATH} within 0 ms of task t-1 finishing (succeed)`,
        },
      ],
      skipped: [],
    });
  });

  it("names a delivery that is not JSON, does not match, or concerns another task", async () => {
    const r = await run([
      delivery("submitted", { raw: "nope" }),
      delivery("processing", { raw: '{"task_id":"t-1","task_status":"processing","invalid":1}' }),
      delivery("succeed", { taskId: "t-2" }),
    ]);
    expect(r.messages).toEqual([
      expect.stringMatching(/^delivery 1 of 3 is not JSON \(.*JSON.*\) \(delivery body nope\)$/),
      'delivery 2 of 3 does not match #/components/schemas/CallbackPayload: #/invalid fails #/stub/not (delivery body {"task_id":"t-1","task_status":"processing","invalid":1})',
      'delivery 3 of 3 is about task "t-2", not t-1 (delivery body {"task_id":"t-2","task_status":"succeed"})',
    ]);
    expect(r.out.failures[0]).toEqual({ check: "callbacks", message: r.messages[0] });
  });

  it("cuts a long delivery body to 200 characters in the message", async () => {
    const raw = JSON.stringify({ task_id: "t-9", task_status: "succeed", pad: "p".repeat(300) });
    const r = await run([delivery("succeed", { raw })]);
    expect(r.messages).toEqual([
      `delivery 1 of 1 is about task "t-9", not t-1 (delivery body ${raw.slice(0, 200)}… (${raw.length} chars))`,
    ]);
  });

  it.each([
    [
      ["submitted", "succeed", "processing", "succeed"],
      "submitted → succeed → processing → succeed",
    ],
    [["processing", "submitted", "succeed"], "processing → submitted → succeed"],
    [["failed", "succeed"], "failed → succeed"],
    [["succeed", "failed", "succeed"], "succeed → failed → succeed"],
    [["submitted", "weird", "succeed"], "submitted → weird → succeed"],
  ])("fails deliveries out of order, once: %j", async (statuses, order) => {
    const r = await run(statuses.map((s) => delivery(s)));
    expect(r.messages).toEqual([`callbacks arrived out of order: ${order}`]);
  });

  it.each([
    [["weird", "submitted", "succeed"]],
    [["submitted", "submitted", "succeed"]],
    [["processing", "succeed", "succeed"]],
  ])("takes equal or unknown-then-known statuses as in order: %j", async (statuses) => {
    expect((await run(statuses.map((s) => delivery(s)))).messages).toEqual([]);
  });

  it("fails a last delivery that is not the task's final status", async () => {
    const r = await run([delivery("submitted"), delivery("processing")]);
    expect(r.messages).toEqual([
      'the last callback says "processing" but the task ended succeed (callbacks: submitted → processing)',
    ]);
    const none = await run([delivery(5)]);
    expect(none.messages).toEqual([
      "the last callback says undefined but the task ended succeed (callbacks: )",
    ]);
    const failed = await run([delivery("failed")], {}, { ...TASK, finalKlingStatus: "failed" });
    expect(failed.messages).toEqual([]);
  });

  describe("with a secret", () => {
    it("passes deliveries signed with it", async () => {
      const r = await run(
        [delivery("submitted", { signed: now() }), delivery("succeed", { signed: now() })],
        { callbackSecret: SECRET },
      );
      expect(r.messages).toEqual([]);
    });

    it("names the delivery and the problem of a bad signature", async () => {
      const r = await run([delivery("succeed")], { callbackSecret: SECRET });
      expect(r.messages).toEqual([
        'delivery 1 of 1 (succeed) has a bad signature: unsigned: missing webhook-id, webhook-timestamp, webhook-signature though a webhook secret was given (delivery body {"task_id":"t-1","task_status":"succeed"})',
      ]);
    });

    it("applies the run's tolerance for the timestamp", async () => {
      const old = [delivery("succeed", { signed: now() - 400 })];
      expect((await run(old, { callbackSecret: SECRET })).messages).toEqual([
        expect.stringMatching(
          /^delivery 1 of 1 \(succeed\) has a bad signature: webhook-timestamp is 40\d s from this machine's clock \(tolerance 300 s\)/,
        ),
      ]);
      expect(
        (await run(old, { callbackSecret: SECRET, callbackToleranceSeconds: 500 })).messages,
      ).toEqual([]);
    });

    it("checks nothing without one", async () => {
      expect((await run([delivery("succeed")])).messages).toEqual([]);
    });
  });

  describe("waiting for the terminal delivery", () => {
    it("returns 100 ms after a terminal delivery is there, without moving the clock", async () => {
      const failed = { ...TASK, finalKlingStatus: "failed" };
      const { value: r, ms } = await onFakeTime(() =>
        run([delivery("submitted"), delivery("failed")], { callbackWaitMs: 5_000 }, failed),
      );
      expect(ms).toBe(100);
      expect(r.advanced).toEqual([]);
      expect(r.messages).toEqual([]);
    });

    it("looks past deliveries that are not JSON objects while it waits", async () => {
      const { value: r, ms } = await onFakeTime(() =>
        run(
          [
            delivery(0, { raw: "nope" }),
            delivery(0, { raw: "5" }),
            delivery(0, { raw: '"succeed"' }),
            delivery(7),
            delivery("succeed"),
          ],
          { callbackWaitMs: 5_000 },
        ),
      );
      expect(ms).toBe(100);
      expect(r.advanced).toEqual([]);
      expect(r.messages).toEqual([
        expect.stringMatching(/^delivery 1 of 5 is not JSON /),
        "delivery 2 of 5 is not a JSON object (delivery body 5)",
        'delivery 3 of 5 is not a JSON object (delivery body "succeed")',
      ]);
    });

    it("names a callback body that is JSON but not an object (null, an array) and goes on", async () => {
      const r = await run([
        delivery("submitted", { raw: "null" }),
        delivery("processing", { raw: "[1]" }),
        delivery("succeed"),
      ]);
      expect(r.messages.filter((m) => /is not a JSON object/.test(m))).toEqual([
        "delivery 1 of 3 is not a JSON object (delivery body null)",
        "delivery 2 of 3 is not a JSON object (delivery body [1])",
      ]);
    });

    it("moves a virtual clock a second every 50 ms until the terminal delivery comes", async () => {
      const deliveries = [delivery("submitted")];
      const { oracle } = stubOracle();
      const advanced: number[] = [];
      const { session } = makeSession(
        {
          callbackWaitMs: 5_000,
          advance: async (ms) => {
            advanced.push(ms);
            if (advanced.length === 3) deliveries.push(delivery("succeed"));
          },
        },
        oracle,
      );
      const { value: out, ms } = await onFakeTime(() =>
        callbacks(session, receiver(deliveries), PATH, TASK),
      );
      expect(advanced).toEqual([1_000, 1_000, 1_000]);
      expect(ms).toBe(250);
      expect(out.failures).toEqual([]);
    });

    it("gives up at the deadline, and moves no clock without a virtual one", async () => {
      const { value: r, ms } = await onFakeTime(() =>
        run([delivery("processing")], { callbackWaitMs: 200 }),
      );
      expect(ms).toBe(200);
      expect(r.advanced).toEqual([1_000, 1_000, 1_000, 1_000]);
      expect(r.messages).toEqual([
        'the last callback says "processing" but the task ended succeed (callbacks: processing)',
      ]);
      const real = await onFakeTime(() =>
        run([delivery("processing")], { callbackWaitMs: 120, advance: undefined }),
      );
      expect(real.ms).toBe(150);
      expect(real.value.advanced).toEqual([]);
    });

    it("waits only for deliveries to its own path", async () => {
      const { value: r, ms } = await onFakeTime(() =>
        run([delivery("succeed", { path: "/other" })], { callbackWaitMs: 150 }),
      );
      expect(ms).toBe(150);
      expect(r.messages).toEqual([
        `no callback reached http://127.0.0.1:9${PATH} within 150 ms of task t-1 finishing (succeed)`,
      ]);
    });
  });
});
