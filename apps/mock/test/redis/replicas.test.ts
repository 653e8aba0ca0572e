// The Redis store with a real redis-server on loopback: replicas share tasks, settings, the
// virtual clock, external-id uniqueness and concurrency counts; a restart keeps everything; a
// lost Redis is a 503 in the gateway's shape, and the mock recovers when it returns.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type RedisServer, startReceiver, startRedis } from "@kling-multi-image/test-support";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createMockServer,
  type MockServer,
  type MockServerOptions,
  type VirtualMockServer,
} from "../../src/index.js";
import { CREATE, call, seedBody, submit } from "../support/harness.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.stop());

const open: MockServer[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

let prefixes = 0;
/** A fresh key prefix per test: the tests share one redis-server. */
const freshPrefix = () => `test-${process.pid}-${++prefixes}:`;

async function replica(
  prefix: string,
  options: MockServerOptions = {},
): Promise<VirtualMockServer> {
  const server = await createMockServer({
    log: false,
    clock: "virtual",
    store: redis.url as `redis://${string}`,
    storePrefix: prefix,
    ...options,
  });
  open.push(server);
  return server as VirtualMockServer;
}

const advance = (base: string, ms: number) =>
  call(base, "POST", "/__mock/clock/advance", { body: { ms } });
const status = async (base: string, id: string) =>
  (await call(base, "GET", `${CREATE}/${id}`)).body.data.status as string;

describe("two replicas on one Redis", () => {
  it("submit on A, query on B through the whole lifecycle, the clock advanced from either", async () => {
    const prefix = freshPrefix();
    const [a, b] = [await replica(prefix), await replica(prefix)];
    const id = await submit(a.url);
    expect(await status(b.url, id)).toBe("NOT_START");
    expect((await advance(b.url, 1_000)).status).toBe(200);
    expect(await status(a.url, id)).toBe("IN_PROGRESS");
    expect((await advance(a.url, 10_000)).status).toBe(200);
    const done = await call(b.url, "GET", `${CREATE}/${id}`);
    expect(done.body.data.status).toBe("SUCCESS");
    expect(done.body.data.data.data.task_result.videos[0].url).toMatch(/\.mp4$/);
    // Both see one time.
    const [ha, hb] = await Promise.all([
      call(a.url, "GET", "/__mock/health"),
      call(b.url, "GET", "/__mock/health"),
    ]);
    expect(ha.body.now).toBe(hb.body.now);
    expect(hb.body.tasks).toBe(1);
    // Another key does not see it on either replica.
    expect((await call(b.url, "GET", `${CREATE}/${id}`, { key: "other" })).body.code).toBe(
      "task_not_exist",
    );
  });

  it("accepts exactly one of two submits racing with one external_task_id", async () => {
    const prefix = freshPrefix();
    const [a, b] = [await replica(prefix), await replica(prefix)];
    for (let round = 0; round < 5; round++) {
      const body = { ...seedBody, external_task_id: `race-${round}` };
      const answers = await Promise.all([
        call(a.url, "POST", CREATE, { body }),
        call(b.url, "POST", CREATE, { body }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
      const refused = answers.find((r) => r.status === 400);
      expect(JSON.parse(refused?.body.message).code).toBe(1201);
    }
    // The same id under another key is that key's own.
    expect(
      (
        await call(b.url, "POST", CREATE, {
          key: "k2",
          body: { ...seedBody, external_task_id: "race-0" },
        })
      ).status,
    ).toBe(200);
  });

  it("shares the concurrency count and the settings; a reset from B empties A and restores both", async () => {
    const prefix = freshPrefix();
    const [a, b] = [await replica(prefix), await replica(prefix)];
    expect(
      (
        await call(a.url, "PATCH", "/__mock/config", {
          body: { concurrency_limit: 1, scenario: "fail" },
        })
      ).status,
    ).toBe(200);
    const config = await call(b.url, "GET", "/__mock/config");
    expect(config.body).toMatchObject({ concurrency_limit: 1, scenario: "fail" });
    await submit(b.url);
    const busy = await call(a.url, "POST", CREATE, { body: seedBody });
    expect(busy.status).toBe(429);
    expect((await call(a.url, "GET", "/__mock/tasks")).body.tasks).toHaveLength(1);

    expect((await call(b.url, "POST", "/__mock/reset")).status).toBe(200);
    expect((await call(a.url, "GET", "/__mock/tasks")).body.tasks).toEqual([]);
    expect((await call(a.url, "GET", "/__mock/config")).body).toMatchObject({
      concurrency_limit: 0,
      scenario: "",
    });
    expect((await call(a.url, "POST", CREATE, { body: seedBody })).status).toBe(200);
  });

  it("forces a state from either replica; the other sees it", async () => {
    const prefix = freshPrefix();
    const [a, b] = [await replica(prefix), await replica(prefix)];
    const id = await submit(a.url);
    const forced = await call(b.url, "POST", `/__mock/tasks/${id}/state`, {
      body: { status: "failed", reason: "forced on B" },
    });
    expect(forced.status).toBe(200);
    const seen = await call(a.url, "GET", `${CREATE}/${id}`);
    expect(seen.body.data.status).toBe("FAILURE");
    expect(seen.body.data.data.data.task_status_msg).toBe("forced on B");
  });

  it("expires a task by the shared virtual clock, for a query and the task list on every replica", async () => {
    const prefix = freshPrefix();
    const a = await replica(prefix, { taskTtlMs: 60_000 });
    const b = await replica(prefix, { taskTtlMs: 60_000 });
    const id = await submit(a.url);
    const listed = async (base: string) =>
      ((await call(base, "GET", "/__mock/tasks")).body.tasks as { task_id: string }[]).map(
        (t) => t.task_id,
      );
    expect(await listed(b.url)).toEqual([id]);
    await advance(b.url, 59_999);
    expect(await listed(a.url)).toEqual([id]);
    await advance(b.url, 1);
    // Redis's own TTL runs on real time, far from here: the virtual clock decides.
    expect((await call(a.url, "GET", `${CREATE}/${id}`)).body.code).toBe("task_not_exist");
    expect(await listed(a.url)).toEqual([]);
    expect(await listed(b.url)).toEqual([]);
  });

  it("keeps mocks with different prefixes apart on one Redis", async () => {
    const a = await replica(freshPrefix());
    const b = await replica(freshPrefix());
    const id = await submit(a.url);
    expect((await call(b.url, "GET", `${CREATE}/${id}`)).body.code).toBe("task_not_exist");
    expect((await call(b.url, "GET", "/__mock/health")).body.tasks).toBe(0);
  });
});

describe("restarts", () => {
  it("stop every replica, start one: every task and its state is there", async () => {
    const prefix = freshPrefix();
    const a = await replica(prefix);
    const b = await replica(prefix);
    const early = await submit(a.url);
    await advance(b.url, 1_000);
    const later = await submit(b.url, "test-key", { external_task_id: "kept" });
    await call(a.url, "PATCH", "/__mock/config", { body: { scenario: "fail" } });
    for (const s of open.splice(0)) await s.close();

    const c = await replica(prefix);
    expect(await status(c.url, early)).toBe("IN_PROGRESS");
    expect(await status(c.url, later)).toBe("NOT_START");
    expect((await call(c.url, "GET", "/__mock/config")).body.scenario).toBe("fail");
    // The external id is still taken.
    const again = await call(c.url, "POST", CREATE, {
      body: { ...seedBody, external_task_id: "kept" },
    });
    expect(again.status).toBe(400);
    await advance(c.url, 60_000);
    expect(await status(c.url, early)).toBe("SUCCESS");
  });
});

describe("a bad Redis", () => {
  it("a store that is not a Redis URL: refused at start, without its password", async () => {
    const error = await createMockServer({
      log: false,
      store: "postgres://user:hunter2@127.0.0.1/x" as `redis://${string}`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'store is "memory" or a redis:// URL, got "postgres://user:***@127.0.0.1/x"',
    );
  });

  it("unreachable at start: a one-line error, no server", async () => {
    const closed = `redis://user:secret@127.0.0.1:${redis.port + 1}`;
    const error = await createMockServer({
      log: false,
      store: closed as `redis://${string}`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot reach Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:\d+/);
    expect(message).not.toContain("secret");
    expect(message).not.toContain("\n");
  });

  it("unreachable at start, from the command line: one line on stderr, exit 1", async () => {
    const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
    const child = spawn(process.execPath, [cli, "--port", "0", "--quiet"], {
      env: { ...process.env, KLING_MOCK_STORE: `redis://:hunter2@127.0.0.1:${redis.port + 1}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toMatch(/^kling-mock: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
    expect(err).not.toContain("hunter2");
  });

  it("lost at run time: 503s in the gateway's shape, then it recovers when Redis returns", async () => {
    const lines: string[] = [];
    const prefix = freshPrefix();
    const a = await replica(prefix, { log: (line) => lines.push(line) });
    const id = await submit(a.url);
    await redis.stop();
    try {
      for (const [method, path, body] of [
        ["POST", CREATE, seedBody],
        ["GET", `${CREATE}/${id}`, undefined],
      ] as const) {
        const r = await call(a.url, method, path, { body });
        expect(r.status).toBe(503);
        expect(r.body.error).toMatchObject({ code: "store_unavailable" });
        expect(r.headers.get("retry-after")).toBe("1");
      }
    } finally {
      await redis.start();
    }
    // Nothing persisted in this redis-server (no RDB, no AOF): the old task is gone, the mock is not.
    await expect
      .poll(async () => (await call(a.url, "POST", CREATE, { body: seedBody })).status, {
        timeout: 10_000,
      })
      .toBe(200);
    expect(lines.some((l) => l.includes("lost Redis"))).toBe(true);
    expect(lines.join("\n")).not.toContain("test-key");
  });
});

describe("callbacks with two replicas", () => {
  it("each status change goes out once, in order, whichever replica moves the clock", async () => {
    const receiver = await startReceiver();
    const received = () =>
      receiver.received.map((delivery) => {
        const payload = JSON.parse(delivery.body) as { task_status: string; task_id: string };
        return { status: payload.task_status, id: payload.task_id };
      });
    try {
      const url = receiver.url;
      const prefix = freshPrefix();
      const [a, b] = [await replica(prefix), await replica(prefix)];
      const id = await submit(a.url, "test-key", { callback_url: url });
      // B moves the task on; A's own timer for the same change must not send it again.
      await call(b.url, "POST", `/__mock/tasks/${id}/state`, { body: { status: "processing" } });
      await advance(b.url, 1_000);
      await advance(a.url, 100);
      await call(b.url, "POST", `/__mock/tasks/${id}/state`, { body: { status: "succeed" } });
      await advance(b.url, 60_000);
      await advance(a.url, 60_000);
      await expect.poll(() => received().length).toBe(3);
      // A moment more: nothing is sent twice.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received()).toEqual([
        { status: "submitted", id },
        { status: "processing", id },
        { status: "succeed", id },
      ]);
    } finally {
      await receiver.close();
    }
  });
});
