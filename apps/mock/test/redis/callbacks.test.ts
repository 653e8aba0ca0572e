// Callbacks when replicas share a Redis: each status change goes out once, in order, from
// whichever replica holds the task's lease; a replica killed mid-delivery leaves it to another; a
// restart of every replica loses no callback still due. Real processes, real time, a real
// redis-server and a real receiver on loopback.
import {
  type Hit,
  type RedisServer,
  startReceiver,
  startRedis,
} from "@kling-multi-image/test-support";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "../../src/index.js";
import { type ChildMock, startChildMock } from "../support/child.js";
import { submit } from "../support/harness.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** A callback's task and status. */
function change(delivery: Hit): { taskId: string; status: string } {
  const payload = JSON.parse(delivery.body) as { task_id: string; task_status: string };
  return { taskId: payload.task_id, status: payload.task_status };
}

/**
 * A receiver that may hold a request instead of answering (the sender dies holding it); `of` is
 * what it answered for a task.
 */
async function receiver(hold?: (status: string, taskId: string) => boolean) {
  const hook = await startReceiver((delivery) => {
    const { taskId, status } = change(delivery);
    return hold?.(status, taskId) ? "hold" : "ok";
  });
  stops.push(hook.close);
  const of = (taskId: string) =>
    hook.answered
      .map(change)
      .filter((a) => a.taskId === taskId)
      .map((a) => a.status);
  return { url: hook.url, held: () => hook.held.map(change), of };
}

let prefixes = 0;
const freshPrefix = () => `cb-${process.pid}-${++prefixes}:`;

describe("callbacks across replicas", () => {
  it("three replicas, one receiver: each status once, in order; kill the holder and it still arrives", async () => {
    const prefix = freshPrefix();
    let holding = true;
    let target = "";
    const hook = await receiver(
      (status, taskId) => holding && taskId === target && status === "processing",
    );
    const replicas: ChildMock[] = [];
    for (let i = 0; i < 3; i++) {
      const child = await startChildMock({
        store: redis.url as `redis://${string}`,
        storePrefix: prefix,
        callbackLeaseMs: 1_500,
        log: false,
      });
      replicas.push(child);
      stops.push(() => child.stop());
    }
    const [a, b] = replicas as [ChildMock, ChildMock, ChildMock];
    const held = await submit(a.url, "test-key", { callback_url: hook.url });
    target = held;
    const calm = await submit(b.url, "test-key", { callback_url: hook.url });

    // The first "processing" delivery is held by the receiver: find its sender by its lease.
    await expect.poll(() => hook.held().length, { timeout: 10_000 }).toBeGreaterThan(0);
    const taskHeld = hook.held()[0]?.taskId as string;
    expect(taskHeld).toBe(held);
    const client = new Redis(redis.url);
    client.on("error", () => {});
    stops.push(async () => {
      client.disconnect();
    });
    const holder = await client.get(`${prefix}lease:${taskHeld}`);
    const pid = Number(holder?.split(":")[1]);
    const victim = replicas.find((r) => r.child.pid === pid);
    expect(victim, `the lease holder ${holder} is one of the replicas`).toBeDefined();
    holding = false;
    victim?.child.kill("SIGKILL");

    // Another replica takes the lapsed lease over; every status arrives, in order.
    for (const id of [held, calm]) {
      await expect
        .poll(() => hook.of(id), { timeout: 20_000 })
        .toEqual(["submitted", "processing", "succeed"]);
    }
    // A moment more: nothing is answered twice.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(hook.of(held)).toEqual(["submitted", "processing", "succeed"]);
    expect(hook.of(calm)).toEqual(["submitted", "processing", "succeed"]);
    expect(await client.zcard(`${prefix}due`)).toBe(0);
  });

  it("a restart of every replica loses no callback still due", async () => {
    const prefix = freshPrefix();
    const hook = await receiver();
    const options = {
      log: false as const,
      store: redis.url as `redis://${string}`,
      storePrefix: prefix,
      callbackLeaseMs: 1_000,
    };
    const first: MockServer = await createMockServer(options);
    const id = await submit(first.url, "test-key", { callback_url: hook.url });
    await expect.poll(() => hook.of(id)).toEqual(["submitted"]);
    await first.close();
    // Down while the task moves on (processing at 1 s, succeed at 3.5 s in the fast timing).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(hook.of(id)).toEqual(["submitted"]);
    const second = await createMockServer(options);
    stops.push(() => second.close());
    await expect
      .poll(() => hook.of(id), { timeout: 10_000 })
      .toEqual(["submitted", "processing", "succeed"]);
  });
});
