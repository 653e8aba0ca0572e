// The task store through its public methods: tenancy, expiry at exactly the TTL, the count cap,
// the per-key external ids and concurrency slots, the listing order and the eviction hook.
import { describe, expect, it } from "vitest";
import type { Task } from "../../src/core/simulator/task.js";
import { MemoryStore } from "../../src/core/store/memory.js";

function task(
  id: string,
  owner: string,
  createdAt: number,
  extra: Partial<Pick<Task, "finishAt" | "externalTaskId">> = {},
): Task {
  return {
    id,
    owner,
    model: "kling-v1-6",
    mode: "std",
    aspectRatio: "16:9",
    durationSeconds: 5,
    externalTaskId: extra.externalTaskId,
    callbackUrl: undefined,
    createdAt,
    refreshAt: createdAt,
    processingAt: createdAt,
    finishAt: extra.finishAt ?? createdAt + 100,
    outcome: "succeed",
    failReason: "",
    emitted: 0,
    timers: undefined,
  };
}

function store(ttlMs = 1_000, maxTasks = 100) {
  const evicted: string[] = [];
  const s = new MemoryStore({ ttlMs, maxTasks }, (t) => evicted.push(t.id));
  return { s, evicted };
}

describe("MemoryStore", () => {
  it("finds a task by id for anyone, and by owner only for its owner", async () => {
    const { s } = store();
    s.add(task("a", "alice", 0));
    expect(await s.size()).toBe(1);
    expect((await s.any("a", 0))?.id).toBe("a");
    expect((await s.get("alice", "a", 0))?.id).toBe("a");
    expect(await s.get("bob", "a", 0)).toBeUndefined();
    expect(await s.get("alice", "b", 0)).toBeUndefined();
    expect(await s.any("b", 0)).toBeUndefined();
  });

  it("forgets a task at exactly its TTL, on read, and says so to the eviction hook", async () => {
    const { s, evicted } = store(1_000);
    s.add(task("a", "alice", 0));
    expect((await s.any("a", 999))?.id).toBe("a");
    expect((await s.get("alice", "a", 999))?.id).toBe("a");
    expect(evicted).toEqual([]);
    expect(await s.any("a", 1_000)).toBeUndefined();
    expect(await s.size()).toBe(0);
    expect(evicted).toEqual(["a"]);
    expect(await s.get("alice", "a", 0)).toBeUndefined();
  });

  it("sweeps expired tasks oldest first, stops at the first live one, and respects max", async () => {
    const { s, evicted } = store(1_000);
    s.add(task("a", "alice", 0));
    s.add(task("b", "bob", 10));
    s.add(task("c", "alice", 20));
    s.add(task("d", "alice", 5_000));
    expect(s.sweep(999)).toBe(0);
    expect(s.sweep(1_010, 1)).toBe(1);
    expect(evicted).toEqual(["a"]);
    expect(s.sweep(1_010)).toBe(1);
    expect(evicted).toEqual(["a", "b"]);
    expect(s.sweep(100_000, 0)).toBe(0);
    expect(s.sweep(5_999)).toBe(1);
    expect(evicted).toEqual(["a", "b", "c"]);
    expect(await s.size()).toBe(1);
    expect(s.sweep(6_000)).toBe(1);
    expect(await s.size()).toBe(0);
    expect(s.sweep(1e12)).toBe(0);
  });

  it("keeps at most maxTasks, evicting the oldest first", async () => {
    const { s, evicted } = store(1_000_000, 2);
    s.add(task("a", "alice", 0));
    s.add(task("b", "alice", 1));
    expect(await s.size()).toBe(2);
    expect(evicted).toEqual([]);
    s.add(task("c", "bob", 2));
    expect(await s.size()).toBe(2);
    expect(evicted).toEqual(["a"]);
    expect(await s.any("a", 3)).toBeUndefined();
    expect((await s.any("b", 3))?.id).toBe("b");
    s.setLimits({ ttlMs: 1_000_000, maxTasks: 1 });
    s.add(task("d", "bob", 3));
    expect(evicted).toEqual(["a", "b", "c"]);
    expect((await s.list(undefined, 10)).map((t) => t.id)).toEqual(["d"]);
  });

  it("with maxTasks 0 keeps nothing", async () => {
    const { s, evicted } = store(1_000, 0);
    s.add(task("a", "alice", 0));
    expect(await s.size()).toBe(0);
    expect(evicted).toEqual(["a"]);
  });

  it("applies a new TTL from setLimits at the next read", async () => {
    const { s } = store(1_000_000);
    s.add(task("a", "alice", 0));
    s.setLimits({ ttlMs: 10, maxTasks: 100 });
    expect(await s.any("a", 10)).toBeUndefined();
  });

  it("knows a key's external ids while their tasks are stored, per key", async () => {
    const { s } = store(1_000);
    expect(s.hasExternalId("nobody", "x", 0)).toBe(false);
    s.add(task("a", "alice", 0, { externalTaskId: "x" }));
    s.add(task("b", "alice", 500, { externalTaskId: "y" }));
    s.add(task("n", "alice", 600));
    expect(s.hasExternalId("alice", "x", 999)).toBe(true);
    expect(s.hasExternalId("alice", "z", 999)).toBe(false);
    expect(s.hasExternalId("bob", "x", 999)).toBe(false);
    // "a" expires: its id is free again, and the key's other ids are kept.
    expect(s.hasExternalId("alice", "x", 1_000)).toBe(false);
    expect(s.hasExternalId("alice", "y", 1_000)).toBe(true);
    expect(s.sweep(1_000)).toBe(0);
    expect(await s.size()).toBe(2);
  });

  it("counts a key's unfinished tasks, a task being done at exactly its finish", async () => {
    const { s } = store(1_000_000);
    expect(s.inFlight("alice", 0)).toBe(0);
    s.add(task("a", "alice", 0, { finishAt: 100 }));
    s.add(task("b", "alice", 0, { finishAt: 200 }));
    s.add(task("c", "bob", 0, { finishAt: 200 }));
    expect(s.inFlight("alice", 99)).toBe(2);
    expect(s.inFlight("alice", 100)).toBe(1);
    expect(s.inFlight("alice", 199)).toBe(1);
    expect(s.inFlight("alice", 200)).toBe(0);
    expect(s.inFlight("bob", 199)).toBe(1);
  });

  it("does not count an evicted task, and counts a touched task again", async () => {
    const { s } = store(1_000, 100);
    const a = task("a", "alice", 0, { finishAt: 100 });
    s.add(a);
    s.add(task("b", "alice", 500, { finishAt: 5_000 }));
    expect(await s.any("a", 1_000)).toBeUndefined(); // expired and dropped
    expect(s.inFlight("alice", 50)).toBe(1);

    const c = task("c", "alice", 600, { finishAt: 700 });
    s.add(c);
    expect(s.inFlight("alice", 800)).toBe(1);
    c.finishAt = 900;
    expect(s.inFlight("alice", 800)).toBe(1); // pruned at 800: not seen again until touched
    await s.save(c);
    expect(s.inFlight("alice", 800)).toBe(2);
    // Touching a task whose key has nothing stored is harmless.
    await expect(s.save(task("z", "zed", 0))).resolves.toBeUndefined();
    expect(s.inFlight("zed", 0)).toBe(0);
  });

  it("lists a key's tasks, or everyone's, newest first, up to the limit", async () => {
    const { s } = store(1_000_000);
    s.add(task("a", "alice", 0));
    s.add(task("b", "bob", 1));
    s.add(task("c", "alice", 2));
    s.add(task("d", "alice", 3));
    const ids = (list: Task[]) => list.map((t) => t.id);
    expect(ids(await s.list(undefined, 10))).toEqual(["d", "c", "b", "a"]);
    expect(ids(await s.list(undefined, 4))).toEqual(["d", "c", "b", "a"]);
    expect(ids(await s.list(undefined, 2))).toEqual(["d", "c"]);
    expect(ids(await s.list("alice", 10))).toEqual(["d", "c", "a"]);
    expect(ids(await s.list("alice", 2))).toEqual(["d", "c"]);
    expect(ids(await s.list("bob", 10))).toEqual(["b"]);
    expect(ids(await s.list("carol", 10))).toEqual([]);
    expect(ids(await s.list(undefined, 0))).toEqual([]);
  });

  it("lists only what is still alive at the time given, expiry at exactly the TTL", async () => {
    const { s } = store(1_000);
    s.add(task("a", "alice", 0));
    s.add(task("b", "alice", 500));
    const ids = (list: Task[]) => list.map((t) => t.id);
    expect(ids(await s.list("alice", 10, 999))).toEqual(["b", "a"]);
    expect(ids(await s.list("alice", 10, 1_000))).toEqual(["b"]);
    expect(ids(await s.list(undefined, 10, 1_500))).toEqual([]);
    // Without a time, nothing is left out (the sweeper has not run).
    expect(ids(await s.list(undefined, 10))).toEqual(["b", "a"]);
  });

  it("keeps a key's other tasks findable when one of them goes", async () => {
    const { s } = store(1_000, 100);
    s.add(task("a", "alice", 0, { externalTaskId: "x" }));
    s.add(task("b", "alice", 900, { externalTaskId: "y", finishAt: 5_000 }));
    expect(s.sweep(1_000)).toBe(1);
    expect(s.hasExternalId("alice", "y", 1_000)).toBe(true);
    expect(s.inFlight("alice", 1_000)).toBe(1);
    // The key's last task goes: the key starts afresh.
    expect(s.sweep(1_900)).toBe(1);
    expect(s.inFlight("alice", 1_900)).toBe(0);
    s.add(task("c", "alice", 2_000, { externalTaskId: "y", finishAt: 3_000 }));
    expect(s.hasExternalId("alice", "y", 2_000)).toBe(true);
    expect(s.inFlight("alice", 2_000)).toBe(1);
  });

  it("clear forgets everything and tells the eviction hook about each task", async () => {
    const { s, evicted } = store();
    s.add(task("a", "alice", 0, { externalTaskId: "x" }));
    s.add(task("b", "bob", 0));
    await s.clear();
    expect(evicted).toEqual(["a", "b"]);
    expect(await s.size()).toBe(0);
    expect(s.hasExternalId("alice", "x", 0)).toBe(false);
    expect(s.inFlight("alice", 0)).toBe(0);
    expect(await s.list(undefined, 10)).toEqual([]);
  });

  it("has a default eviction hook that does nothing", async () => {
    const s = new MemoryStore({ ttlMs: 10, maxTasks: 1 });
    s.add(task("a", "alice", 0));
    s.add(task("b", "alice", 0));
    expect(await s.size()).toBe(1);
    await s.clear();
    expect(await s.size()).toBe(0);
  });
});
