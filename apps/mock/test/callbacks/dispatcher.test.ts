import { randomBytes } from "node:crypto";
import { type Answerer, startReceiver } from "@kling-multi-image/test-support";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { CallbackDispatcher } from "../../src/core/callbacks/index.js";
import { virtualClock } from "../../src/core/clock.js";

const secret = `whsec_${randomBytes(24).toString("base64")}`;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  answer?: Answerer,
  options: Partial<ConstructorParameters<typeof CallbackDispatcher>[0]> = {},
) {
  const receiver = await startReceiver(answer);
  const clock = virtualClock();
  const dispatcher = new CallbackDispatcher({ clock, secret, ...options });
  cleanups.push(receiver.close, () => dispatcher.close());
  return { receiver, clock, dispatcher };
}

const payload = (task_status: string) => ({
  task_id: "task-1",
  task_status,
  created_at: 1,
  updated_at: 2,
});

describe("CallbackDispatcher", () => {
  it("delivers each status change in order, signed so the official Standard Webhooks library accepts it", async () => {
    const { receiver, dispatcher } = await setup();
    for (const status of ["submitted", "processing", "succeed"]) {
      dispatcher.enqueue("owner", "task-1", receiver.url, payload(status));
    }
    await dispatcher.idle();
    expect(receiver.received.map((r) => JSON.parse(r.body).task_status)).toEqual([
      "submitted",
      "processing",
      "succeed",
    ]);
    const verifier = new Webhook(secret);
    for (const r of receiver.received) {
      expect(verifier.verify(r.body, r.headers as Record<string, string>)).toEqual(
        JSON.parse(r.body),
      );
    }
    const wrong = new Webhook(`whsec_${randomBytes(24).toString("base64")}`);
    const first = receiver.received[0];
    expect(() =>
      wrong.verify(first?.body ?? "", first?.headers as Record<string, string>),
    ).toThrow();
    expect(dispatcher.log().map((r) => [r.taskStatus, r.outcome, r.attempt, r.httpStatus])).toEqual(
      [
        ["submitted", "delivered", 1, 200],
        ["processing", "delivered", 1, 200],
        ["succeed", "delivered", 1, 200],
      ],
    );
  });

  it("sends no signature without a secret, but still a webhook-id", async () => {
    const receiver = await startReceiver();
    const unsigned = new CallbackDispatcher({ clock: virtualClock() });
    cleanups.push(receiver.close, () => unsigned.close());
    unsigned.enqueue("o", "t", receiver.url, payload("submitted"));
    await unsigned.idle();
    expect(receiver.received[0]?.headers["webhook-signature"]).toBeUndefined();
    expect(receiver.received[0]?.headers["webhook-timestamp"]).toBeUndefined();
    expect(receiver.received[0]?.headers["webhook-id"]).toMatch(/^msg_/);
  });

  it("retries a failed delivery on the clock with the same webhook-id, and holds later ones back until then", async () => {
    const { receiver, clock, dispatcher } = await setup((_delivery, i) => (i < 2 ? 500 : 204));
    dispatcher.enqueue("owner", "task-1", receiver.url, payload("submitted"));
    dispatcher.enqueue("owner", "task-1", receiver.url, payload("processing"));
    await dispatcher.idle();
    expect(receiver.received).toHaveLength(1);
    expect(dispatcher.log()[0]).toMatchObject({ outcome: "pending", attempt: 1, httpStatus: 500 });
    expect(dispatcher.log()[1]).toMatchObject({ outcome: "pending", attempt: 0 });

    await clock.advance(999);
    await dispatcher.idle();
    expect(receiver.received).toHaveLength(1);
    await clock.advance(1);
    await dispatcher.idle();
    expect(receiver.received).toHaveLength(2);
    await clock.advance(2_000);
    await dispatcher.idle();
    // Third attempt succeeded, then the held-back delivery went out at once.
    await dispatcher.idle();
    expect(receiver.received.map((r) => JSON.parse(r.body).task_status)).toEqual([
      "submitted",
      "submitted",
      "submitted",
      "processing",
    ]);
    const ids = receiver.received.slice(0, 3).map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(1);
    expect(dispatcher.log().map((r) => [r.outcome, r.attempt])).toEqual([
      ["delivered", 3],
      ["delivered", 1],
    ]);
  });

  it("gives up after maxAttempts and records why", async () => {
    const { receiver, clock, dispatcher } = await setup(() => 503, {
      maxAttempts: 3,
      retryDelaysMs: [10],
    });
    dispatcher.enqueue("owner", "task-1", receiver.url, payload("failed"));
    for (let i = 0; i < 5; i++) {
      await dispatcher.idle();
      await clock.advance(10);
    }
    await dispatcher.idle();
    expect(receiver.received).toHaveLength(3);
    expect(dispatcher.log()).toEqual([
      expect.objectContaining({
        outcome: "failed",
        attempt: 3,
        httpStatus: 503,
        error: "receiver answered HTTP 503",
      }),
    ]);
  });

  it("does not follow redirects", async () => {
    const { receiver, dispatcher } = await setup(
      (_delivery, i) => ({ status: i === 0 ? 302 : 200, headers: { location: "/elsewhere" } }),
      { maxAttempts: 1 },
    );
    dispatcher.enqueue("owner", "task-1", receiver.url, payload("submitted"));
    await dispatcher.idle();
    expect(receiver.received).toHaveLength(1);
    expect(dispatcher.log()[0]).toMatchObject({ outcome: "failed", httpStatus: 302 });
  });

  it("times out an attempt whose receiver never answers", async () => {
    const { receiver, dispatcher } = await setup(() => "hold", {
      maxAttempts: 1,
      attemptTimeoutMs: 150,
    });
    dispatcher.enqueue("owner", "task-1", receiver.url, payload("submitted"));
    await dispatcher.idle();
    expect(dispatcher.log()[0]).toMatchObject({
      outcome: "failed",
      error: "no answer within 150 ms",
    });
  });

  it("records a connection refused as a failed attempt", async () => {
    const { receiver, dispatcher } = await setup(undefined, { maxAttempts: 1 });
    await receiver.close();
    dispatcher.enqueue("owner", "task-1", receiver.url, payload("submitted"));
    await dispatcher.idle();
    expect(dispatcher.log()[0]).toMatchObject({ outcome: "failed", attempt: 1 });
    expect(dispatcher.log()[0]?.error).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it("refuses non-loopback targets without sending anything, unless allowlisted", async () => {
    let called = 0;
    const counting: typeof fetch = async () => {
      called++;
      return new Response("ok");
    };
    const dispatcher = new CallbackDispatcher({
      clock: virtualClock(),
      fetch: counting,
      allowedHosts: ["hooks.example.test"],
    });
    cleanups.push(() => dispatcher.close());
    dispatcher.enqueue("owner", "task-1", "http://10.1.2.3/hook", payload("submitted"));
    dispatcher.enqueue("owner", "task-2", "https://hooks.example.test/hook", payload("submitted"));
    await dispatcher.idle();
    expect(called).toBe(1);
    expect(dispatcher.log().map((r) => r.outcome)).toEqual(["refused", "delivered"]);
    expect(dispatcher.log()[0]?.error).toMatch(/not allowed/);
  });

  it("keeps owners apart in the log, and reset forgets everything", async () => {
    const { receiver, dispatcher } = await setup();
    dispatcher.enqueue("alice", "a-1", receiver.url, payload("submitted"));
    dispatcher.enqueue("bob", "b-1", receiver.url, payload("submitted"));
    await dispatcher.idle();
    expect(dispatcher.log({ owner: "alice" }).map((r) => r.taskId)).toEqual(["a-1"]);
    expect(dispatcher.log({ taskId: "b-1" })).toHaveLength(1);
    dispatcher.reset();
    expect(dispatcher.log()).toEqual([]);
  });

  it("bounds the log", async () => {
    const dispatcher = new CallbackDispatcher({ clock: virtualClock(), logLimit: 3 });
    cleanups.push(() => dispatcher.close());
    for (let i = 0; i < 5; i++)
      dispatcher.enqueue("o", `t${i}`, "http://192.0.2.1/", payload("submitted"));
    expect(dispatcher.log().map((r) => r.taskId)).toEqual(["t2", "t3", "t4"]);
  });

  it("rejects a secret that is not Base64", () => {
    expect(
      () => new CallbackDispatcher({ clock: virtualClock(), secret: "whsec_not base64!" }),
    ).toThrow(/Base64/);
  });
});
